//! Rate-of-change rules for any layer (`[[rules.rate]]`): how fast a numeric field of each
//! feature moves per hour over a window of its readings — a river rising, a reservoir or a
//! battery falling (`falling = true`) — graded by blue / yellow / orange / red rates with
//! hysteresis. The readings are what the polls brought, each at its own observation time.

use serde::{Deserialize, Serialize};

use super::memory::FloodMemory;
use super::rule::{Judging, Owns, Rule};
use super::threshold::{scope_of, unnamed, Thresholds};
use super::{num, text, time_ms, Desired, Kind, Warnings};
use crate::spatial::LayerIndex;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateRule {
    /// Names the rule: its warnings are keyed by it.
    pub id: String,
    pub layer: String,
    /// The numeric property whose change is measured.
    pub field: String,
    /// When each reading was taken (RFC 3339).
    #[serde(default = "time_field")]
    pub time_field: String,
    /// The rate is measured over this many minutes of readings (once half of it is covered).
    #[serde(default = "window_min")]
    pub window_min: f64,
    /// What the warning says, e.g. "河道水位快速上涨".
    pub title_zh: String,
    #[serde(default)]
    pub title_en: Option<String>,
    /// What the field is called in the warning's detail (default: the field's name).
    #[serde(default)]
    pub label_zh: Option<String>,
    #[serde(default)]
    pub label_en: Option<String>,
    /// The field's unit; the rate is written in it per hour ("m" → "m/h").
    #[serde(default)]
    pub unit: String,
    /// Rates per hour that reach each level.
    pub levels: Thresholds,
    /// A fall is what warns (the rate is measured downwards).
    #[serde(default)]
    pub falling: bool,
    /// A level is left only once the rate is this much under its threshold.
    #[serde(default)]
    pub hysteresis: f64,
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
fn window_min() -> f64 {
    20.0
}
fn name_field() -> String {
    "name".into()
}

impl RateRule {
    /// The prefix of every key this rule raises (and of its readings in the memory).
    pub fn scope(&self) -> String {
        scope_of(Kind::Rate, &self.id, self.shipped)
    }

    /// Problems as (field, message).
    pub fn problems(&self) -> Vec<(String, String)> {
        let at = |f: &str| format!("rules.rate.{f}");
        let mut out = self.levels.problems(&at("levels"), false);
        out.extend(unnamed("rate", &self.id));
        if !(self.window_min.is_finite() && self.window_min > 0.0 && self.window_min <= 1440.0) {
            out.push((at("window_min"), "give minutes between 0 and 1440".into()));
        }
        if !(self.hysteresis.is_finite() && self.hysteresis >= 0.0) {
            out.push((at("hysteresis"), "give a value of 0 or more".into()));
        }
        out
    }
}

/// What the rule wants open now; each feature's reading is remembered in `memory` (under the
/// rule's scope, apart from the flood rule's gauges).
pub fn evaluate(
    rule: &RateRule,
    layer: &LayerIndex,
    open: &Warnings,
    memory: &mut FloodMemory,
) -> Vec<Desired> {
    let scope = rule.scope();
    let window_ms = (rule.window_min * 60_000.0) as i64;
    let mut out = Vec::new();
    for f in layer.iter() {
        let p = &f.properties;
        let (Some(reading), Some(at)) = (
            num(p, &rule.field).filter(|v| v.is_finite()),
            time_ms(p, &rule.time_field),
        ) else {
            continue;
        };
        let key = format!("{scope}{}", f.id);
        let Some(rate) = memory.rise(&key, at, reading, window_ms) else {
            continue;
        };
        let toward = if rule.falling { -rate } else { rate };
        let Some(level) = rule
            .levels
            .assess(toward, open.level_of(&key), false, rule.hysteresis)
        else {
            continue;
        };
        let threshold = rule.levels.of(level);
        let name = text(p, &rule.name_field).unwrap_or(&f.id);
        let unit = &rule.unit;
        let (way_zh, way_en) = if rule.falling {
            ("下降", "falling")
        } else {
            ("上涨", "rising")
        };
        let window = rule.window_min;
        let label_zh = rule.label_zh.as_deref().unwrap_or(&rule.field);
        let label_en = rule.label_en.as_deref().unwrap_or(label_zh);
        out.push(Desired {
            key,
            kind: rule.shipped.unwrap_or(Kind::Rate),
            level,
            layer: f.layer.clone(),
            subject: f.id.clone(),
            title: format!("{name} {}", rule.title_zh),
            detail: format!(
                "{label_zh} {window:.0} 分钟内{way_zh} {toward:.2} {unit}/h（{}阈值 {threshold} {unit}/h）",
                level.zh()
            ),
            title_en: format!(
                "{name} {}",
                rule.title_en.as_deref().unwrap_or(&rule.title_zh)
            ),
            detail_en: format!(
                "{label_en} {way_en} {toward:.2} {unit}/h over {window:.0} min ({} threshold {threshold} {unit}/h)",
                level.en()
            ),
            lon: f.lon,
            lat: f.lat,
            value: toward,
            threshold,
            related: vec![f.id.clone()],
            owner: None,
        });
    }
    out
}

impl Rule for RateRule {
    fn table(&self) -> &'static str {
        "rate"
    }

    fn layer(&self) -> &str {
        &self.layer
    }

    fn owns(&self) -> Owns {
        Owns::Scope(Kind::Rate, self.scope())
    }

    fn judge(&self, at: &mut Judging<'_>) -> Vec<Desired> {
        // The readings share the flood rule's memory, apart under the rule's scope.
        evaluate(self, at.layer, at.open, &mut at.memory.flood)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::{layer_of, Level};
    use serde_json::json;

    fn river(level: f64, minute: u32) -> crate::spatial::SpatialIndex {
        layer_of(
            "river",
            vec![(
                "g1",
                [118.3, 33.95],
                json!({"name": "一号闸", "level": level, "observed_at": format!("2026-07-01T10:{minute:02}:00Z")}),
            )],
        )
    }

    #[test]
    fn a_rise_over_the_window_warns_by_its_rate_and_a_fall_only_when_asked() {
        let rule: RateRule = toml::from_str(
            "id = \"rise\"\nlayer = \"river\"\nfield = \"level\"\ntitle_zh = \"水位快速上涨\"\nunit = \"m\"\nwindow_min = 20\nlevels = { yellow = 0.3, orange = 0.6 }\n",
        )
        .expect("a rate rule");
        assert!(rule.problems().is_empty());
        let open = Warnings::default();
        let run = |rule: &RateRule, level, minute, memory: &mut FloodMemory| {
            let index = river(level, minute);
            let layer = index.layer("river").expect("layer");
            evaluate(rule, layer, &open, memory)
        };
        let mut memory = FloodMemory::default();
        // Not enough of the window covered yet; then 0.1 m in 10 min: 0.6 m/h, orange.
        assert!(run(&rule, 1.0, 0, &mut memory).is_empty());
        let d = run(&rule, 1.1, 10, &mut memory);
        assert_eq!(d.first().map(|d| d.level), Some(Level::Orange), "{d:?}");
        assert!(
            d[0].detail_en.contains("rising 0.60 m/h"),
            "{}",
            d[0].detail_en
        );
        // Measured downwards, the same rise is no warning; a fall is.
        let falling = RateRule {
            falling: true,
            ..rule.clone()
        };
        let mut memory = FloodMemory::default();
        assert!(run(&falling, 1.0, 0, &mut memory).is_empty());
        assert!(run(&falling, 1.1, 10, &mut memory).is_empty());
        let mut memory = FloodMemory::default();
        run(&falling, 1.1, 0, &mut memory);
        let d = run(&falling, 1.0, 10, &mut memory);
        assert_eq!(d.first().map(|d| d.level), Some(Level::Orange), "{d:?}");
    }
}
