//! Real peers on loopback, through the real path: `pygeoapi` (OGC API – Features) serving a
//! collection that the `ogc-features` connector pages through. The peers live in the project's
//! Python environment (`.venv`, made by `scripts/setup.sh`); `make test` sets
//! `CITYWALL_REQUIRE_PEERS=1` so a missing peer fails there instead of skipping.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use citywall_e2e::{scratch_dir, wait_for};
use citywall_engine::api::FeatureQuery;
use citywall_engine::health::SourceState;
use citywall_engine::{Api, Config, Engine};
use serde_json::json;

fn venv_bin(name: &str) -> Option<PathBuf> {
    let path = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../.venv/bin")).join(name);
    path.exists().then_some(path)
}

fn required() -> bool {
    std::env::var("CITYWALL_REQUIRE_PEERS").is_ok_and(|v| v == "1")
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

/// A peer process, stopped when the test ends.
struct Peer(Child);

impl Drop for Peer {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

async fn wait_http(url: &str, what: &str) {
    wait_for(what, Duration::from_secs(60), async || {
        reqwest::get(url)
            .await
            .ok()
            .filter(|r| r.status().is_success())
            .map(|_| ())
    })
    .await;
}

fn pygeoapi_config(dir: &Path, port: u16, data: &Path) -> String {
    format!(
        r#"server:
  bind: {{host: 127.0.0.1, port: {port}}}
  url: http://127.0.0.1:{port}
  mimetype: application/json; charset=UTF-8
  encoding: utf-8
  language: zh-CN
  pretty_print: false
  limit: 50
  map: {{url: "http://127.0.0.1:{port}/none/{{z}}/{{x}}/{{y}}.png", attribution: "none"}}
logging: {{level: ERROR, logfile: {log}}}
metadata:
  identification: {{title: 易涝点, description: flood gauges, keywords: [flood], keywords_type: theme, terms_of_service: none, url: "http://127.0.0.1"}}
  license: {{name: none, url: "http://127.0.0.1"}}
  provider: {{name: test, url: "http://127.0.0.1"}}
  contact: {{name: test, position: test, address: test, city: test, stateorprovince: test, postalcode: "0", country: test, phone: "0", fax: "0", email: "duty@example.org", url: "http://127.0.0.1", hours: "0", instructions: none, role: pointOfContact}}
resources:
  gauges:
    type: collection
    title: 易涝点水位计
    description: water-level gauges
    keywords: [flood]
    extents:
      spatial: {{bbox: [-180, -90, 180, 90], crs: "http://www.opengis.net/def/crs/OGC/1.3/CRS84"}}
    providers:
      - type: feature
        name: GeoJSON
        data: {data}
        id_field: gid
"#,
        log = dir.join("pygeoapi.log").display(),
        data = data.display()
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ogc_features_pages_through_pygeoapi() {
    let (Some(python), Some(pygeoapi)) = (venv_bin("python"), venv_bin("pygeoapi")) else {
        assert!(
            !required(),
            "pygeoapi is not installed in .venv (run scripts/setup.sh)"
        );
        eprintln!("skipping: pygeoapi is not installed in .venv (run scripts/setup.sh)");
        return;
    };
    let dir = scratch_dir("pygeoapi");
    let features: Vec<_> = (0..230)
        .map(|i| {
            json!({"type": "Feature", "id": format!("g{i}"), "geometry": {"type": "Point", "coordinates": [118.2 + (i % 23) as f64 * 0.005, 33.9 + (i / 23) as f64 * 0.01]},
                   "properties": {"gid": format!("g{i}"), "name": format!("测点{i}"), "level_m": i as f64 / 1000.0}})
        })
        .collect();
    let data = dir.join("gauges.geojson");
    std::fs::write(
        &data,
        json!({"type": "FeatureCollection", "features": features}).to_string(),
    )
    .expect("data written");
    let port = free_port();
    let config = dir.join("pygeoapi.yml");
    let openapi = dir.join("openapi.yml");
    std::fs::write(&config, pygeoapi_config(&dir, port, &data)).expect("config written");
    let status = Command::new(&pygeoapi)
        .args(["openapi", "generate"])
        .arg(&config)
        .arg("--output-file")
        .arg(&openapi)
        .stdout(Stdio::null())
        .status()
        .expect("pygeoapi runs");
    assert!(status.success(), "pygeoapi openapi generate failed");
    let _peer = Peer(
        Command::new(&python)
            .args([
                "-m",
                "flask",
                "--app",
                "pygeoapi.flask_app:APP",
                "run",
                "--host",
                "127.0.0.1",
                "--port",
                &port.to_string(),
                "--no-reload",
                "--no-debugger",
            ])
            .env("PYGEOAPI_CONFIG", &config)
            .env("PYGEOAPI_OPENAPI", &openapi)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("pygeoapi starts"),
    );
    wait_http(
        &format!("http://127.0.0.1:{port}/collections?f=json"),
        "pygeoapi to answer",
    )
    .await;

    let text = format!(
        "[[layer]]\nid = \"flood\"\n\n[[source]]\nid = \"pygeoapi\"\nlayer = \"flood\"\nkind = \"ogc-features\"\nurl = \"http://127.0.0.1:{port}\"\ncollection = \"gauges\"\nlimit = 40\ninterval_s = 1\n"
    );
    let engine = Engine::start(Config::parse(&text, "peers.toml", &dir).expect("valid config"))
        .await
        .expect("engine starts");
    let api = Api::new(engine.clone());
    let status = wait_for(
        "all 230 items over 6 pages",
        Duration::from_secs(20),
        async || {
            let s = api.sources().into_iter().next()?;
            (s.state == SourceState::Ok && s.count == 230).then_some(s)
        },
    )
    .await;
    assert_eq!(status.rejected_last, 0);
    let fc = api
        .features(
            &FeatureQuery::new("flood", Some([118.19, 33.89, 118.21, 33.95]), None).expect("query"),
        )
        .expect("features");
    let first = fc["features"]
        .as_array()
        .and_then(|f| f.iter().find(|f| f["id"] == "g0"))
        .cloned()
        .expect("g0 in the box");
    assert_eq!(first["properties"]["name"], "测点0");
    engine.shutdown();
}
