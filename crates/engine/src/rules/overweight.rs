//! Overweight rules over the weigh-in-motion stations of one layer: each violating pass by its
//! overload class (an event rule, [`super::event`]), and each station's 超限率 (violations ÷
//! passes) over its rolling window against a threshold (a threshold rule), with hysteresis.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::event::{self, EventRule};
use super::memory::OverweightMemory;
use super::rule::{Judging, Owns, Rule};
use super::threshold::{self, ThresholdRule, Thresholds};
use super::{Desired, Kind, Level, Warnings};
use crate::spatial::LayerIndex;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PassClass {
    /// Overload percent from which a pass is in this class.
    pub min_pct: f64,
    pub level: Level,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OverweightRule {
    pub layer: String,
    /// The station property listing its latest passes (objects with at, plate, overload_pct).
    #[serde(default = "passes_field")]
    pub passes_field: String,
    /// Classes by rising `min_pct`; a pass under the first class raises nothing.
    #[serde(default = "classes")]
    pub classes: Vec<PassClass>,
    /// A pass warning clears by itself this long after the pass (data time).
    #[serde(default = "pass_clear_after")]
    pub pass_clear_after_min: f64,
    /// The station's passes and violations over its rolling window.
    #[serde(default = "rate_passes_field")]
    pub rate_passes_field: String,
    #[serde(default = "rate_violations_field")]
    pub rate_violations_field: String,
    /// 超限率 that warns (yellow; 1.5× orange; 2× red), in percent.
    #[serde(default = "rate_threshold")]
    pub rate_threshold_pct: f64,
    /// An open rate warning clears only once the rate is this far under the threshold.
    #[serde(default = "rate_hysteresis")]
    pub rate_hysteresis_pct: f64,
    /// Fewer passes than this in the window say nothing about a rate.
    #[serde(default = "rate_min_passes")]
    pub rate_min_passes: f64,
    #[serde(default = "name_field")]
    pub name_field: String,
}

fn passes_field() -> String {
    "recent_passes".into()
}
fn classes() -> Vec<PassClass> {
    vec![
        PassClass {
            min_pct: 30.0,
            level: Level::Yellow,
        },
        PassClass {
            min_pct: 50.0,
            level: Level::Orange,
        },
        PassClass {
            min_pct: 100.0,
            level: Level::Red,
        },
    ]
}
fn pass_clear_after() -> f64 {
    30.0
}
fn rate_passes_field() -> String {
    "passes_1h".into()
}
fn rate_violations_field() -> String {
    "violations_1h".into()
}
fn rate_threshold() -> f64 {
    10.0
}
fn rate_hysteresis() -> f64 {
    2.0
}
fn rate_min_passes() -> f64 {
    30.0
}
fn name_field() -> String {
    "name".into()
}

/// The level of a station's rate warning: opens at `threshold`, escalates at 1.5× and 2×, and an
impl OverweightRule {
    /// Each violating pass as the event rules a city configures express it — the same
    /// mechanism, the shipped kind, keys and words: a station's latest passes (and its last
    /// violation) graded by overload percent into the configured classes.
    pub fn passes_expressed(&self) -> EventRule {
        let mut levels = Thresholds::default();
        for class in &self.classes {
            let slot = match class.level {
                Level::Blue => &mut levels.blue,
                Level::Yellow => &mut levels.yellow,
                Level::Orange => &mut levels.orange,
                Level::Red => &mut levels.red,
            };
            *slot = Some(class.min_pct);
        }
        EventRule {
            id: String::new(),
            layer: self.layer.clone(),
            items: vec![self.passes_field.clone(), "last_violation".into()],
            field: "overload_pct".into(),
            at: "at".into(),
            levels,
            key_fields: vec!["plate".into()],
            clear_after_min: self.pass_clear_after_min,
            title_zh: "{name} {plate|未识别} 超限 {value}%".into(),
            title_en: Some("{name} {plate|(plate unread)} {value}% overweight".into()),
            detail_zh: "{axles|0} 轴，总重 {gross_t:.1|0.0} t，限值 {limit_t:.1|0.0} t，超限 {value}%（{level}级 ≥ {threshold}%）".into(),
            detail_en: "{axles|0} axles, gross {gross_t:.1|0.0} t, limit {limit_t:.1|0.0} t, {value}% over ({level} ≥ {threshold}%)".into(),
            name_field: self.name_field.clone(),
            shipped: Some(Kind::OverweightPass),
        }
    }

    /// Each station's 超限率 as the rules a city configures express it — the same mechanism,
    /// the shipped kind and keys: violations as a percentage of passes (from `rate_min_passes`
    /// passes), yellow at the threshold, orange at 1.5×, red at 2×, each left only
    /// `rate_hysteresis_pct` under it.
    pub fn rate_expressed(&self) -> ThresholdRule {
        let t = self.rate_threshold_pct;
        ThresholdRule {
            id: Kind::OverloadRate.as_str().into(),
            layer: self.layer.clone(),
            field: self.rate_violations_field.clone(),
            per: Some(self.rate_passes_field.clone()),
            per_at_least: self.rate_min_passes,
            title_zh: "超限率{level}预警".into(),
            title_en: Some("overload rate {level} warning".into()),
            label_zh: Some("超限率".into()),
            label_en: Some("overload rate".into()),
            unit: "%".into(),
            levels: Thresholds {
                yellow: Some(t),
                orange: Some(1.5 * t),
                red: Some(2.0 * t),
                ..Default::default()
            },
            levels_from: None,
            below: false,
            hysteresis: self.rate_hysteresis_pct,
            name_field: self.name_field.clone(),
            shipped: Some(Kind::OverloadRate),
        }
    }
}

/// A station's level for `violations` of `passes`, given whether a warning is open (at yellow):
/// as the expressed rule grades it.
pub fn assess_rate(
    violations: f64,
    passes: f64,
    rule: &OverweightRule,
    open: bool,
) -> Option<(Level, f64)> {
    let expressed = rule.rate_expressed();
    let p: serde_json::Map<String, Value> = [
        (rule.rate_violations_field.clone(), Value::from(violations)),
        (rule.rate_passes_field.clone(), Value::from(passes)),
    ]
    .into_iter()
    .collect();
    let rate = expressed.value_of(&p)?;
    let level = expressed.assess(rate, open.then_some(Level::Yellow))?;
    Some((level, rate))
}

pub fn evaluate(
    rule: &OverweightRule,
    layer: &LayerIndex,
    open: &Warnings,
    memory: &mut OverweightMemory,
    now: i64,
) -> Vec<Desired> {
    let mut out = event::evaluate(&rule.passes_expressed(), layer, &mut memory.passes, now);
    out.extend(threshold::evaluate(&rule.rate_expressed(), layer, open));
    out
}

impl Rule for OverweightRule {
    fn table(&self) -> &'static str {
        "overweight"
    }

    fn layer(&self) -> &str {
        &self.layer
    }

    fn owns(&self) -> Owns {
        Owns::Kinds(&[Kind::OverweightPass, Kind::OverloadRate])
    }

    fn judge(&self, at: &mut Judging<'_>) -> Vec<Desired> {
        evaluate(self, at.layer, at.open, &mut at.memory.overweight, at.now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule() -> OverweightRule {
        toml::from_str("layer = \"overweight\"").expect("defaults")
    }

    #[test]
    fn pass_classes_start_at_each_min_pct() {
        let levels = rule().passes_expressed().levels;
        let class_of = |pct: f64| levels.assess(pct, None, false, 0.0);
        assert_eq!(class_of(29.9), None);
        assert_eq!(class_of(30.0), Some(Level::Yellow));
        assert_eq!(class_of(49.9), Some(Level::Yellow));
        assert_eq!(class_of(50.0), Some(Level::Orange));
        assert_eq!(class_of(100.0), Some(Level::Red));
    }

    #[test]
    fn a_pass_reads_as_it_always_did() {
        let index = crate::rules::layer_of(
            "overweight",
            vec![(
                "S1",
                [118.3, 33.9],
                serde_json::json!({"name": "宿迁西站", "recent_passes": [
                    {"at": "2023-11-14T22:13:20Z", "plate": "苏N12345", "overload_pct": 62.5,
                     "gross_t": 81.25, "limit_t": 49.0, "axles": 6}
                ]}),
            )],
        );
        let mut memory = OverweightMemory::default();
        let out = evaluate(
            &rule(),
            index.layer("overweight").expect("layer"),
            &Warnings::default(),
            &mut memory,
            1_700_000_060_000,
        );
        let pass = out
            .iter()
            .find(|d| d.kind == Kind::OverweightPass)
            .expect("a pass");
        assert_eq!(pass.key, "overweight-pass:S1:苏N12345:1700000000000");
        assert_eq!(pass.title, "宿迁西站 苏N12345 超限 62.5%");
        assert_eq!(
            pass.detail,
            "6 轴，总重 81.2 t，限值 49.0 t，超限 62.5%（橙色级 ≥ 50%）"
        );
        assert_eq!(pass.title_en, "宿迁西站 苏N12345 62.5% overweight");
    }

    #[test]
    fn the_rate_warns_at_its_threshold_and_clears_past_the_hysteresis() {
        let r = rule();
        // 10% of 100 passes: yellow; 9.9%: nothing unless already open.
        assert_eq!(
            assess_rate(10.0, 100.0, &r, false).map(|x| x.0),
            Some(Level::Yellow)
        );
        assert_eq!(assess_rate(9.9, 100.0, &r, false), None);
        assert_eq!(
            assess_rate(8.0, 100.0, &r, true).map(|x| x.0),
            Some(Level::Yellow)
        );
        assert_eq!(assess_rate(7.9, 100.0, &r, true), None);
        assert_eq!(
            assess_rate(15.0, 100.0, &r, false).map(|x| x.0),
            Some(Level::Orange)
        );
        assert_eq!(
            assess_rate(20.0, 100.0, &r, false).map(|x| x.0),
            Some(Level::Red)
        );
        // 29 passes are too few to judge, whatever the rate.
        assert_eq!(assess_rate(29.0, 29.0, &r, false), None);
        assert_eq!(
            assess_rate(3.0, 30.0, &r, false).map(|x| x.0),
            Some(Level::Yellow)
        );
    }
}
