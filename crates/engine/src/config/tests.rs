//! The config file format's checks: defaults, and every problem named with file, line and field.

use super::*;
use std::time::Duration;

const GOOD: &str = r#"
[store]
path = "wall.db"

[[layer]]
id = "flood"
title_zh = "易涝点"

[[source]]
id = "flood-gauges"
layer = "flood"
kind = "geojson"
url = "http://127.0.0.1:9000/gauges"
interval_s = 2
"#;

#[test]
fn a_good_config_parses_with_defaults() {
    let c = Config::parse(GOOD, "wall.toml", Path::new("/etc/citywall")).unwrap();
    assert_eq!(c.store_path, Path::new("/etc/citywall/wall.db"));
    assert_eq!(c.layers[0].title_zh, "易涝点");
    assert_eq!(c.layers[0].title_en, "flood");
    let s = &c.sources[0];
    assert_eq!(s.interval, Duration::from_secs(2));
    assert_eq!(s.timeout, Duration::from_secs(10));
    assert_eq!(s.max_age, Duration::from_secs(30));
}

#[test]
fn every_problem_is_reported_with_file_line_and_field() {
    let text = r#"
[[layer]]
id = "flood"

[[source]]
id = "a"
layer = "floods"
kind = "wfs"
url = "ftp://x"
interval_s = -1
"#;
    let Err(ConfigError::Invalid(problems)) = Config::parse(text, "bad.toml", Path::new("."))
    else {
        panic!("expected problems");
    };
    let lines: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
    assert_eq!(problems.len(), 4, "{lines:#?}");
    assert!(
        lines[0].starts_with("bad.toml:7: `source.layer`"),
        "{}",
        lines[0]
    );
    assert!(
        lines[1].starts_with("bad.toml:8: `source.kind`: unknown kind `wfs`"),
        "{}",
        lines[1]
    );
    assert!(
        lines[2].starts_with("bad.toml:9: `source.url`"),
        "{}",
        lines[2]
    );
    assert!(
        lines[3].starts_with("bad.toml:10: `source.interval_s`"),
        "{}",
        lines[3]
    );
}

#[test]
fn the_map_extent_is_checked_and_kept() {
    let good = "[map]\nextent = [118.1, 33.8, 118.4, 34.1]\n";
    let c = Config::parse(good, "m.toml", Path::new(".")).unwrap();
    assert_eq!(
        c.map.extent().map(|b| (b.west, b.north)),
        Some((118.1, 34.1))
    );
    for (extent, phrase) in [
        ("[118.4, 33.8, 118.1, 34.1]", "is empty"),
        ("[118.1, 33.8, 218.4, 34.1]", "not longitudes"),
        ("[118.1, -93.8, 118.4, 34.1]", "not latitudes"),
    ] {
        let text = format!("[[layer]]\nid = \"a\"\n\n[map]\nextent = {extent}\n");
        let Err(ConfigError::Invalid(problems)) = Config::parse(&text, "m.toml", Path::new("."))
        else {
            panic!("{extent} passed");
        };
        let line = problems[0].to_string();
        assert!(
            line.starts_with("m.toml:4: `map.extent`") && line.contains(phrase),
            "{line}"
        );
    }
}

#[test]
fn a_field_of_another_kind_is_named_not_ignored() {
    let text = "[[layer]]\nid = \"flood\"\n\n[[source]]\nid = \"gauges\"\nlayer = \"flood\"\nkind = \"geojson\"\nurl = \"http://gauges.example/now\"\ntopics = [\"city/#\"]\n";
    let Err(ConfigError::Invalid(problems)) = Config::parse(text, "k.toml", Path::new(".")) else {
        panic!("a geojson source with `topics` passed");
    };
    let lines: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
    assert_eq!(lines.len(), 1, "{lines:#?}");
    assert!(
        lines[0].starts_with(
            "k.toml:7: `source.topics`: `topics` is for mqtt sources; source `gauges` is `geojson`"
        ),
        "{}",
        lines[0]
    );
}

#[test]
fn a_layer_style_is_checked_naming_the_line_of_its_key() {
    let text = "[[layer]]\nid = \"hydrants\"\ngroup = \"应急\"\nstyle = { color_by = { field = \"s\", values = { a = \"#12345\" } } }\npopup = [{ field = \"p\", format = \"money\" }]\ntemplate = \"nope\"\n";
    let Err(ConfigError::Invalid(problems)) = Config::parse(text, "s.toml", Path::new(".")) else {
        panic!("expected problems");
    };
    let lines: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
    assert_eq!(lines.len(), 3, "{lines:#?}");
    // In the file's order, as a reader fixes them.
    assert!(
        lines[0].starts_with("s.toml:4: `layer.style.color_by.values`")
            && lines[0].contains("#12345"),
        "{}",
        lines[0]
    );
    assert!(
        lines[1].starts_with("s.toml:5: `layer.popup.format`"),
        "{}",
        lines[1]
    );
    assert!(
        lines[2].starts_with("s.toml:6: `layer.template`"),
        "{}",
        lines[2]
    );
    let good = "[[layer]]\nid = \"h\"\nstyle = { color_by = { field = \"load\", stops = [[0, \"#3a8bff\"], [60, \"#ffd23f\"]] }, radius = 8 }\n";
    let c = Config::parse(good, "g.toml", Path::new(".")).unwrap();
    let style = c.layers[0].presentation.style.clone().unwrap_or_default();
    assert_eq!(style.color_by.map(|b| b.stops.len()), Some(2));
    assert!(
        c.layers[0].presentation.visible,
        "visible unless the config says not"
    );
}

#[test]
fn panels_are_the_shipped_ones_each_once() {
    let c = Config::parse("", "p.toml", Path::new(".")).unwrap();
    assert_eq!(c.panels.right[0], "warnings");
    let c = Config::parse(
        "[panels]\nright = [\"incidents\", \"warnings\"]\n",
        "p.toml",
        Path::new("."),
    )
    .unwrap();
    assert_eq!(c.panels.right, ["incidents", "warnings"]);
    assert_eq!(
        c.panels.left[0], "layers",
        "an unnamed side keeps its default"
    );
    let text = "\n[panels]\nleft = [\"layers\", \"weather\", \"layers\"]\n";
    let Err(ConfigError::Invalid(problems)) = Config::parse(text, "p.toml", Path::new(".")) else {
        panic!("expected problems");
    };
    let lines: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
    assert!(
        lines[0].starts_with("p.toml:2: `panels.left`: unknown panel `weather`"),
        "{lines:?}"
    );
    assert!(lines[1].contains("`layers` is listed twice"), "{lines:?}");
}

#[test]
fn a_raster_basemap_is_checked() {
    let good = "[basemap]\nraster = \"http://10.1.2.3/t/{z}/{x}/{y}.png\"\n";
    let c = Config::parse(good, "b.toml", Path::new(".")).unwrap();
    let b = c.basemap.expect("basemap");
    assert_eq!((b.tile_size, b.max_zoom, b.dim), (256, 18, true));
    assert_eq!(b.tile_url(3, 6, 2), "http://10.1.2.3/t/3/6/2.png");
    let bad = "[basemap]\nraster = \"ftp://x/{z}/{x}.png\"\ntile_size = 300\n";
    let Err(ConfigError::Invalid(problems)) = Config::parse(bad, "b.toml", Path::new(".")) else {
        panic!("expected problems");
    };
    let lines: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
    assert_eq!(lines.len(), 3, "{lines:#?}");
    assert!(
        lines[0].starts_with("b.toml:1: `basemap.raster`")
            && lines[0].contains("not an http(s) URL")
    );
    assert!(lines[1].contains("has no {y}"), "{}", lines[1]);
    assert!(lines[2].contains("use 256 or 512"), "{}", lines[2]);
}

#[test]
fn a_basemap_names_one_kind_and_a_crs_the_wall_draws() {
    let archive = "[basemap]\narchive = \"maps/city.pmtiles\"\ncrs = \"GCJ-02\"\n";
    let Err(ConfigError::Invalid(missing)) =
        Config::parse(archive, "b.toml", Path::new("/nowhere/citywall"))
    else {
        panic!("a missing archive is a problem");
    };
    assert_eq!(
        missing[0].to_string(),
        "b.toml:2: `basemap.archive`: no file at /nowhere/citywall/maps/city.pmtiles"
    );
    let dir = std::env::temp_dir().join(format!("citywall-config-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("maps")).unwrap();
    std::fs::write(dir.join("maps/city.pmtiles"), b"").unwrap();
    let c = Config::parse(archive, "b.toml", &dir).unwrap();
    let b = c.basemap.expect("basemap");
    assert_eq!(
        b.kind(),
        Some(BasemapKind::Archive(&dir.join("maps/city.pmtiles")))
    );
    assert_eq!(b.crs(), crate::crs::Crs::Gcj02);
    let style = "[basemap]\nstyle = \"http://gis.lan/dark.json\"\n";
    let b = Config::parse(style, "b.toml", Path::new("/etc"))
        .unwrap()
        .basemap
        .unwrap();
    assert_eq!(
        b.kind(),
        Some(BasemapKind::Style("http://gis.lan/dark.json"))
    );
    let bad = "[basemap]\narchive = \"city.zip\"\nstyle = \"s.json\"\ncrs = \"bd09\"\n";
    let Err(ConfigError::Invalid(problems)) = Config::parse(bad, "b.toml", Path::new(".")) else {
        panic!("expected problems");
    };
    let lines: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
    assert!(lines[0].contains("exactly one of"), "{lines:#?}");
    assert!(lines[1].contains(".pmtiles or .mbtiles"), "{lines:#?}");
    assert!(lines[2].contains("BD-09"), "{lines:#?}");
}

#[test]
fn a_syntax_error_names_its_line() {
    let text = "[[layer]]\nid = \"flood\"\ntitle_zh = \n";
    let Err(ConfigError::Invalid(problems)) = Config::parse(text, "x.toml", Path::new(".")) else {
        panic!("expected a syntax problem");
    };
    assert_eq!(problems[0].line, 3, "{}", problems[0]);
}

#[test]
fn an_unknown_field_is_named() {
    let text = "[[layer]]\nid = \"flood\"\ncolour = \"red\"\n";
    let Err(ConfigError::Invalid(problems)) = Config::parse(text, "x.toml", Path::new(".")) else {
        panic!("expected a problem");
    };
    assert!(problems[0].message.contains("colour"), "{}", problems[0]);
    assert_eq!(problems[0].line, 3);
}

#[test]
fn categories_keep_the_order_the_config_gives_them() {
    let text = "[[layer]]\nid = \"c\"\nstyle = { color_by = { field = \"level\", values = { \"畅通\" = \"#2fbf71\", \"缓行\" = \"#e8c547\", \"拥堵\" = \"#f08a24\", \"严重拥堵\" = \"#e03c3c\" } } }\n";
    let config = Config::parse(text, "c.toml", Path::new(".")).expect("valid");
    let style = config.layers[0]
        .presentation
        .style
        .clone()
        .unwrap_or_default();
    let by = style.color_by.unwrap_or_default();
    let order: Vec<&str> = by.values.keys().map(String::as_str).collect();
    assert_eq!(order, ["畅通", "缓行", "拥堵", "严重拥堵"]);
    // … and so does the JSON the wall reads.
    let json = serde_json::to_string(&by).unwrap_or_default();
    assert!(
        json.find("畅通") < json.find("严重拥堵") && json.find("缓行") < json.find("拥堵\""),
        "{json}"
    );
}

#[test]
fn check_config_names_every_planted_problem_in_one_run() {
    // Twelve mistakes a centre makes, unknown keys among them: all found at once.
    let text = r##"
[centre]
name_cn = "某市城市运行管理中心"
time_zone = "Asia/Shangai"

[display]
diagonal_in = 86

[map]
extent = [33.85, 118.15, 34.07, 118.41]

[basemap]
archive = "maps/missing.pmtiles"

[[regions]]
level = "grid"
path = "regions/none.geojson"

[[layer]]
id = "hydrants"
titel_zh = "消防栓"
style = { colour_by = { field = "status", values = { "正常" = "#2ec27e" } }, radius = 7 }

[[layer]]
id = "hydrants"

[[source]]
id = "hydrant-register"
layer = "hydrant"
kind = "geojson"
url = "http://127.0.0.1:1/h"
intervall_s = 30

[[rules.threshold]]
id = "pressure"
layer = "hydrants"
field = "pressure"
title_zh = "水压过低"
below = true
levels = { yellow = 0.1, red = 0.2 }
"##;
    let Err(ConfigError::Invalid(problems)) =
        Config::parse(text, "city.toml", Path::new("/nowhere"))
    else {
        panic!("the planted problems were not found");
    };
    let lines: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
    let expect = [
        ("city.toml:3:", "unknown key `name_cn`: did you mean `name_"),
        ("city.toml:21:", "did you mean `title_zh`"),
        ("city.toml:22:", "did you mean `color_by`"),
        ("city.toml:32:", "did you mean `interval_s`"),
        ("`centre.time_zone`", "not an IANA time zone"),
        ("`display.distance_m`", "together"),
        ("`map.extent`", "swapped"),
        (
            "`basemap.archive`",
            "no file at /nowhere/maps/missing.pmtiles",
        ),
        ("`regions.path`", "no file at /nowhere/regions/none.geojson"),
        ("`layer.id`", "defined twice"),
        ("`source.layer`", "hydrant"),
        ("`rules.threshold.levels`", "lower than the milder"),
    ];
    for (at, says) in expect {
        assert!(
            lines.iter().any(|l| l.contains(at) && l.contains(says)),
            "no problem at {at} saying {says:?} in:\n{}",
            lines.join("\n")
        );
    }
}

#[test]
fn the_store_is_a_sqlite_file_or_a_postgres_url_without_its_password() {
    let c = Config::parse(
        "[store]\nurl = \"postgres://citywall@db.centre.lan:5432/citywall\"\npool = 16\n",
        "s.toml",
        Path::new("."),
    )
    .unwrap();
    assert_eq!(
        c.store_url.as_deref(),
        Some("postgres://citywall@db.centre.lan:5432/citywall")
    );
    assert_eq!(c.store_pool, 16);
    let problems = |text: &str| match Config::parse(text, "s.toml", Path::new(".")) {
        Err(ConfigError::Invalid(p)) => p.iter().map(|p| p.to_string()).collect::<Vec<_>>(),
        other => panic!("{text}: {other:?}"),
    };
    let said = problems("[store]\nurl = \"postgres://citywall:hunter2@db/citywall\"\n");
    assert!(
        said[0].contains("store.url") && said[0].contains("PGPASSWORD"),
        "{said:?}"
    );
    assert!(
        !said[0].contains("hunter2"),
        "the password is not repeated: {said:?}"
    );
    let said = problems("[store]\npath = \"wall.db\"\nurl = \"postgres://db/citywall\"\n");
    assert!(said[0].contains("both given"), "{said:?}");
    let said = problems("[store]\nurl = \"mysql://db/citywall\"\npool = 0\n");
    assert_eq!(said.len(), 2, "{said:?}");
    assert!(
        said[1].contains("store.pool") && said[1].contains("1 to 256"),
        "{said:?}"
    );
}
