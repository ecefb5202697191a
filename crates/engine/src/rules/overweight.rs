//! Overweight rules over the weigh-in-motion stations of one layer: each violating pass by its
//! overload class, and each station's 超限率 (violations ÷ passes) over its rolling window
//! against a threshold, with hysteresis.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::threshold::{self, ThresholdRule, Thresholds};
use super::{num, text, time_ms, Desired, Kind, Level, Warnings};
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

/// The class of a pass overloaded by `pct` percent: the last class whose `min_pct` it reaches.
pub fn class_of(pct: f64, classes: &[PassClass]) -> Option<Level> {
    classes
        .iter()
        .rev()
        .find(|c| pct >= c.min_pct)
        .map(|c| c.level)
}

/// The level of a station's rate warning: opens at `threshold`, escalates at 1.5× and 2×, and an
impl OverweightRule {
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

/// Violating passes already seen, kept until they expire: a station lists only its latest few.
#[derive(Debug, Default)]
pub struct OverweightMemory {
    passes: HashMap<String, (i64, Desired)>,
}

pub fn evaluate(
    rule: &OverweightRule,
    layer: &LayerIndex,
    open: &Warnings,
    memory: &mut OverweightMemory,
    now: i64,
) -> Vec<Desired> {
    let mut out = Vec::new();
    for f in layer.iter() {
        let p = &f.properties;
        let name = text(p, &rule.name_field).unwrap_or(&f.id).to_string();
        let passes = p.get(&rule.passes_field).and_then(Value::as_array);
        for pass in passes.into_iter().flatten().chain(p.get("last_violation")) {
            let Some(pass) = pass.as_object() else {
                continue;
            };
            let (Some(pct), Some(at)) = (num(pass, "overload_pct"), time_ms(pass, "at")) else {
                continue;
            };
            let Some(level) = class_of(pct, &rule.classes) else {
                continue;
            };
            let plate = text(pass, "plate").unwrap_or("未识别");
            let plate_en = text(pass, "plate").unwrap_or("(plate unread)");
            let key = format!("{}:{}:{plate}:{at}", Kind::OverweightPass.as_str(), f.id);
            let gross = num(pass, "gross_t").unwrap_or(0.0);
            let axles = num(pass, "axles").unwrap_or(0.0);
            let limit = num(pass, "limit_t").unwrap_or(0.0);
            let threshold = rule
                .classes
                .iter()
                .find(|c| c.level == level)
                .map(|c| c.min_pct)
                .unwrap_or(0.0);
            memory.passes.entry(key.clone()).or_insert_with(|| {
                (
                    at,
                    Desired {
                        key,
                        kind: Kind::OverweightPass,
                        level,
                        layer: f.layer.clone(),
                        subject: f.id.clone(),
                        title: format!("{name} {plate} 超限 {pct:.1}%"),
                        detail: format!(
                            "{axles} 轴，总重 {gross:.1} t，限值 {limit:.1} t，超限 {pct:.1}%（{}级 ≥ {threshold:.0}%）",
                            level.zh()
                        ),
                        title_en: format!("{name} {plate_en} {pct:.1}% overweight"),
                        detail_en: format!(
                            "{axles} axles, gross {gross:.1} t, limit {limit:.1} t, {pct:.1}% over ({} ≥ {threshold:.0}%)",
                            level.en()
                        ),
                        lon: f.lon,
                        lat: f.lat,
                        value: pct,
                        threshold,
                        related: vec![f.id.clone()],
                    },
                )
            });
        }
    }
    out.extend(threshold::evaluate(&rule.rate_expressed(), layer, open));
    let keep_ms = (rule.pass_clear_after_min * 60_000.0) as i64;
    memory.passes.retain(|_, (at, _)| now - *at < keep_ms);
    out.extend(memory.passes.values().map(|(_, d)| d.clone()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule() -> OverweightRule {
        toml::from_str("layer = \"overweight\"").expect("defaults")
    }

    #[test]
    fn pass_classes_start_at_each_min_pct() {
        let c = classes();
        assert_eq!(class_of(29.9, &c), None);
        assert_eq!(class_of(30.0, &c), Some(Level::Yellow));
        assert_eq!(class_of(49.9, &c), Some(Level::Yellow));
        assert_eq!(class_of(50.0, &c), Some(Level::Orange));
        assert_eq!(class_of(100.0, &c), Some(Level::Red));
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
