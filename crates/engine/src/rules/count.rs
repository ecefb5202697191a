//! Count-in-area rules for any layer (`[[rules.count]]`): how many of a layer's features stand
//! in each area — an area named by a property of each feature (`area_field`: grid, street) or a
//! configured region level it falls in (`regions`: district polygons) — optionally only those a
//! filter keeps and those observed within a window, graded by blue / yellow / orange / red
//! counts with hysteresis. Incidents per grid, illegal parkers per street, trucks per district.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::rule::{Judging, Owns, Rule};
use super::threshold::{unnamed, Thresholds};
use super::{text, time_ms, Desired, Kind, Warnings};
use crate::regions::Regions;
use crate::spatial::LayerIndex;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CountRule {
    /// Names the rule: its warnings are keyed by it.
    pub id: String,
    pub layer: String,
    /// The property naming each feature's area (give this or `regions`).
    #[serde(default)]
    pub area_field: Option<String>,
    /// A configured region level (`[[regions]]` name) whose polygons are the areas.
    #[serde(default)]
    pub regions: Option<String>,
    /// Only features whose `field` is one of `values` count.
    #[serde(default)]
    pub filter: Option<CountFilter>,
    /// With a time field, only features observed within `window_min` of now count.
    #[serde(default)]
    pub time_field: Option<String>,
    #[serde(default = "window_min")]
    pub window_min: f64,
    /// Counts that reach each level.
    pub levels: Thresholds,
    /// A level is left only once the count is this many under its threshold.
    #[serde(default)]
    pub hysteresis: f64,
    /// What the warning says after the area's name, e.g. "违停集中".
    pub title_zh: String,
    #[serde(default)]
    pub title_en: Option<String>,
    /// A shipped rule expressed as this one raises its own kind, keyed `<kind>:<area>:<part>`
    /// as it always was; not configurable.
    #[serde(skip)]
    pub shipped: Option<(Kind, String)>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CountFilter {
    pub field: String,
    pub values: Vec<String>,
}

fn window_min() -> f64 {
    120.0
}

impl CountRule {
    /// The prefix of every key this rule raises.
    pub fn scope(&self) -> String {
        match &self.shipped {
            Some((kind, _)) => format!("{}:", kind.as_str()),
            None => format!("{}:{}:", Kind::Count.as_str(), self.id),
        }
    }

    /// The key of its warning about `area`.
    fn key(&self, area: &str) -> String {
        match &self.shipped {
            Some((kind, part)) => format!("{}:{area}:{part}", kind.as_str()),
            None => format!("{}{area}", self.scope()),
        }
    }

    /// Problems as (field, message); `region_levels` are the configured region levels.
    pub fn problems(&self, region_levels: &[&str]) -> Vec<(String, String)> {
        let at = |f: &str| format!("rules.count.{f}");
        let mut out = self.levels.problems(&at("levels"), false);
        out.extend(unnamed("count", &self.id));
        match (&self.area_field, &self.regions) {
            (Some(_), None) => {}
            (None, Some(level)) if region_levels.contains(&level.as_str()) => {}
            (None, Some(level)) => out.push((
                at("regions"),
                format!(
                    "names `{level}`, which no [[regions]] defines (defined: {})",
                    region_levels.join(", ")
                ),
            )),
            _ => out.push((
                at("area_field"),
                "give one of area_field (a property) or regions (a region level)".into(),
            )),
        }
        if !(self.window_min.is_finite() && self.window_min > 0.0) {
            out.push((at("window_min"), "give minutes above 0".into()));
        }
        if !(self.hysteresis.is_finite() && self.hysteresis >= 0.0) {
            out.push((at("hysteresis"), "give a value of 0 or more".into()));
        }
        out
    }
}

/// One area's features: their ids and the sum of their places (for the warning's centre).
#[derive(Default)]
struct Area {
    ids: Vec<String>,
    lon: f64,
    lat: f64,
}

/// What the rule wants open now, on the data clock `now`.
pub fn evaluate(
    rule: &CountRule,
    layer: &LayerIndex,
    regions: &Regions,
    open: &Warnings,
    now: i64,
) -> Vec<Desired> {
    let since = now - (rule.window_min * 60_000.0) as i64;
    let polygons = rule.regions.as_deref().and_then(|l| regions.level(l));
    let mut areas: BTreeMap<String, Area> = BTreeMap::new();
    for f in layer.iter() {
        let p = &f.properties;
        if let Some(keep) = &rule.filter {
            if !text(p, &keep.field).is_some_and(|v| keep.values.iter().any(|k| k == v)) {
                continue;
            }
        }
        if let Some(field) = &rule.time_field {
            if !time_ms(p, field).is_some_and(|at| at >= since && at <= now) {
                continue;
            }
        }
        let area = match (&rule.area_field, polygons) {
            (Some(field), _) => text(p, field).filter(|a| !a.is_empty()).map(str::to_string),
            (None, Some(level)) => level
                .locate(f.lon, f.lat)
                .and_then(|i| level.regions.get(i))
                .map(|r| r.name.clone()),
            (None, None) => None,
        };
        let Some(area) = area else {
            continue;
        };
        let a = areas.entry(area).or_default();
        a.ids.push(f.id.clone());
        a.lon += f.lon;
        a.lat += f.lat;
    }
    let mut out = Vec::new();
    for (name, mut area) in areas {
        let key = rule.key(&name);
        let count = area.ids.len() as f64;
        let Some(level) = rule
            .levels
            .assess(count, open.level_of(&key), false, rule.hysteresis)
        else {
            continue;
        };
        let threshold = rule.levels.of(level);
        let window = if rule.time_field.is_some() {
            (
                format!("近 {:.0} 分钟", rule.window_min),
                format!(" in the last {:.0} min", rule.window_min),
            )
        } else {
            (String::from("现有"), String::new())
        };
        area.ids.sort();
        out.push(Desired {
            key,
            kind: rule.shipped.as_ref().map_or(Kind::Count, |(kind, _)| *kind),
            level,
            layer: rule.layer.clone(),
            subject: name.clone(),
            title: format!("{name} {}", rule.title_zh),
            detail: format!(
                "{} {count} 个（{}阈值 {threshold} 个）",
                window.0,
                level.zh()
            ),
            title_en: format!(
                "{name} {}",
                rule.title_en.as_deref().unwrap_or(&rule.title_zh)
            ),
            detail_en: format!("{count}{} ({} threshold {threshold})", window.1, level.en()),
            lon: area.lon / count,
            lat: area.lat / count,
            value: count,
            threshold,
            related: area.ids,
            owner: None,
        });
    }
    out
}

impl Rule for CountRule {
    fn table(&self) -> &'static str {
        "count"
    }

    fn layer(&self) -> &str {
        &self.layer
    }

    fn owns(&self) -> Owns {
        Owns::Scope(Kind::Count, self.scope())
    }

    fn judge(&self, at: &mut Judging<'_>) -> Vec<Desired> {
        evaluate(self, at.layer, at.regions, at.open, at.now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::{layer_of, Level};
    use serde_json::json;

    #[test]
    fn features_are_counted_per_area_as_the_filter_and_window_keep_them() {
        let rule: CountRule = toml::from_str(
            "id = \"parkers\"\nlayer = \"cars\"\narea_field = \"street\"\ntime_field = \"seen_at\"\nwindow_min = 50\n\
             filter = { field = \"state\", values = [\"违停\"] }\nlevels = { yellow = 2, red = 3 }\ntitle_zh = \"违停集中\"\ntitle_en = \"illegal parking\"\n",
        )
        .expect("a count rule");
        assert!(rule.problems(&[]).is_empty(), "{:?}", rule.problems(&[]));
        let car = |street: &str, state: &str, minute: u32| json!({"street": street, "state": state, "seen_at": format!("2026-07-01T10:{minute:02}:00Z")});
        let index = layer_of(
            "cars",
            vec![
                ("a", [118.30, 33.95], car("府前路", "违停", 30)),
                ("b", [118.32, 33.95], car("府前路", "违停", 40)),
                ("c", [118.31, 33.95], car("府前路", "违停", 50)),
                ("d", [118.31, 33.95], car("府前路", "正常", 50)),
                ("e", [118.40, 33.90], car("人民路", "违停", 50)),
                ("f", [118.40, 33.90], car("人民路", "违停", 50)),
                // Seen an hour ago: out of the window.
                ("g", [118.40, 33.90], car("人民路", "违停", 0)),
            ],
        );
        let now = chrono::DateTime::parse_from_rfc3339("2026-07-01T11:00:00Z")
            .expect("time")
            .timestamp_millis();
        let d = evaluate(
            &rule,
            index.layer("cars").expect("layer"),
            &Regions::default(),
            &Warnings::default(),
            now,
        );
        let got: Vec<_> = d.iter().map(|d| (d.subject.as_str(), d.level)).collect();
        assert_eq!(got, [("人民路", Level::Yellow), ("府前路", Level::Red)]);
        assert_eq!(d[1].related, ["a", "b", "c"]);
        assert_eq!(d[1].title_en, "府前路 illegal parking");
        assert!(
            d[1].detail_en.starts_with("3 in the last 50 min"),
            "{}",
            d[1].detail_en
        );
        let neither: CountRule = toml::from_str(
            "id = \"x\"\nlayer = \"cars\"\nregions = \"district\"\nlevels = { red = 1 }\ntitle_zh = \"x\"\n",
        )
        .expect("a count rule");
        assert_eq!(neither.problems(&["grid"])[0].0, "rules.count.regions");
    }
}
