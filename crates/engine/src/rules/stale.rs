//! Stale-reading rules for any layer (`[[rules.stale]]`): a feature whose last observation is
//! older than its limits — a gauge, a sensor, a vehicle that stopped reporting while its source
//! still answers — graded by minutes of silence. A feature with no readable observation time is
//! stale at the mildest level. The source's own silence is 数据中断, not this.

use serde::{Deserialize, Serialize};

use super::rule::{Judging, Owns, Rule};
use super::threshold::{scope_of, unnamed, Thresholds};
use super::{text, time_ms, Desired, Kind, Level};
use crate::spatial::LayerIndex;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StaleRule {
    /// Names the rule: its warnings are keyed by it.
    pub id: String,
    pub layer: String,
    /// When each feature was last observed (RFC 3339).
    #[serde(default = "time_field")]
    pub time_field: String,
    /// Minutes without a new observation that reach each level.
    pub levels: Thresholds,
    /// What the warning says, e.g. "水位计失联".
    pub title_zh: String,
    #[serde(default)]
    pub title_en: Option<String>,
    /// The property that names a feature in the warning (default `name`, else its id).
    #[serde(default = "name_field")]
    pub name_field: String,
    /// A shipped rule expressed as this one raises its own kind, keyed `<kind>:<feature>` as
    /// it always was; not configurable.
    #[serde(skip)]
    pub shipped: Option<Kind>,
}

fn time_field() -> String {
    "observed_at".into()
}
fn name_field() -> String {
    "name".into()
}

impl StaleRule {
    /// The prefix of every key this rule raises.
    pub fn scope(&self) -> String {
        scope_of(Kind::Stale, &self.id, self.shipped)
    }

    /// Problems as (field, message).
    pub fn problems(&self) -> Vec<(String, String)> {
        let at = |f: &str| format!("rules.stale.{f}");
        let mut out = self.levels.problems(&at("levels"), false);
        out.extend(unnamed("stale", &self.id));
        out
    }

    /// The mildest level the rule gives.
    fn mildest(&self) -> Option<(Level, f64)> {
        Level::ALL
            .into_iter()
            .map(|l| (l, self.levels.of(l)))
            .find(|(_, t)| t.is_finite())
    }
}

/// What the rule wants open now, on the data clock `now`.
pub fn evaluate(rule: &StaleRule, layer: &LayerIndex, now: i64) -> Vec<Desired> {
    let scope = rule.scope();
    let mut out = Vec::new();
    for f in layer.iter() {
        let p = &f.properties;
        let age_min = time_ms(p, &rule.time_field).map(|at| (now - at) as f64 / 60_000.0);
        // Silence only grows until a new reading, which ends it: no hysteresis needed.
        let graded = match age_min {
            Some(age) => rule
                .levels
                .assess(age, None, false, 0.0)
                .map(|l| (l, rule.levels.of(l))),
            None => rule.mildest(),
        };
        let Some((level, limit)) = graded else {
            continue;
        };
        let name = text(p, &rule.name_field).unwrap_or(&f.id);
        let (detail, detail_en) = match age_min {
            Some(a) => (
                format!("{a:.0} 分钟无新数据（{}阈值 {limit} 分钟）", level.zh()),
                format!(
                    "nothing new for {a:.0} min ({} threshold {limit} min)",
                    level.en()
                ),
            ),
            None => (
                format!("没有可读的观测时间（{}）", rule.time_field),
                format!("no readable observation time ({})", rule.time_field),
            ),
        };
        out.push(Desired {
            key: format!("{scope}{}", f.id),
            kind: rule.shipped.unwrap_or(Kind::Stale),
            level,
            layer: f.layer.clone(),
            subject: f.id.clone(),
            title: format!("{name} {}", rule.title_zh),
            detail,
            title_en: format!(
                "{name} {}",
                rule.title_en.as_deref().unwrap_or(&rule.title_zh)
            ),
            detail_en,
            lon: f.lon,
            lat: f.lat,
            // Whole minutes: a warning changes as its level does, not with every second.
            value: age_min.map_or(f64::INFINITY, f64::floor),
            threshold: limit,
            related: vec![f.id.clone()],
            owner: None,
        });
    }
    out
}

impl Rule for StaleRule {
    fn table(&self) -> &'static str {
        "stale"
    }

    fn layer(&self) -> &str {
        &self.layer
    }

    fn owns(&self) -> Owns {
        Owns::Scope(Kind::Stale, self.scope())
    }

    fn judge(&self, at: &mut Judging<'_>) -> Vec<Desired> {
        evaluate(self, at.layer, at.now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::layer_of;
    use serde_json::json;

    #[test]
    fn silence_is_graded_by_its_minutes_and_a_missing_time_is_the_mildest() {
        let rule: StaleRule = toml::from_str(
            "id = \"quiet\"\nlayer = \"s\"\ntitle_zh = \"监测中断\"\ntitle_en = \"sensor silent\"\nlevels = { yellow = 30, orange = 120 }\n",
        )
        .expect("a stale rule");
        assert!(rule.problems().is_empty());
        let index = layer_of(
            "s",
            vec![
                (
                    "fresh",
                    [0.0, 0.0],
                    json!({"observed_at": "2026-07-01T10:50:00Z"}),
                ),
                (
                    "quiet",
                    [0.0, 0.0],
                    json!({"observed_at": "2026-07-01T10:00:00Z"}),
                ),
                (
                    "gone",
                    [0.0, 0.0],
                    json!({"observed_at": "2026-07-01T08:00:00Z"}),
                ),
                ("timeless", [0.0, 0.0], json!({"observed_at": "yesterday"})),
            ],
        );
        let now = chrono::DateTime::parse_from_rfc3339("2026-07-01T11:00:00Z")
            .expect("time")
            .timestamp_millis();
        let mut d = evaluate(&rule, index.layer("s").expect("layer"), now);
        d.sort_by(|a, b| a.subject.cmp(&b.subject));
        let got: Vec<_> = d.iter().map(|d| (d.subject.as_str(), d.level)).collect();
        assert_eq!(
            got,
            [
                ("gone", Level::Orange),
                ("quiet", Level::Yellow),
                ("timeless", Level::Yellow)
            ]
        );
        assert_eq!(d[1].title_en, "quiet sensor silent");
        assert!(d[1].detail_en.contains("60 min"), "{}", d[1].detail_en);
    }
}
