//! Threshold rules for any layer (`[[rules.threshold]]`): a numeric field of each feature against
//! blue / yellow / orange / red thresholds — rising (air quality, a river gauge) or falling
//! (`below = true`: free parking spaces, a reservoir's level) — with hysteresis, so a city warns
//! on whatever it connects without code. One rule's warnings are its own: another rule on the
//! same layer neither raises nor clears them.

use serde::{Deserialize, Serialize};

use super::{num, text, Desired, Kind, Level, Warnings};
use crate::spatial::LayerIndex;

#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Thresholds {
    pub blue: Option<f64>,
    pub yellow: Option<f64>,
    pub orange: Option<f64>,
    pub red: Option<f64>,
}

impl Thresholds {
    /// The level of `value`, given the level shown before: a level is reached at its threshold
    /// (at or under it when `below`) and left only `hysteresis` back past it, so a value
    /// hovering at a threshold does not flap. Every configured rule grades by this.
    pub fn assess(
        &self,
        value: f64,
        previous: Option<Level>,
        below: bool,
        hysteresis: f64,
    ) -> Option<Level> {
        let past = |v: f64, t: f64| if below { v <= t } else { v >= t };
        let back = if below { -hysteresis } else { hysteresis };
        let given = self.given();
        let raw = given
            .iter()
            .rev()
            .find(|(_, t)| past(value, *t))
            .map(|(l, _)| *l);
        let held = previous.and_then(|prev| {
            given
                .iter()
                .rev()
                .filter(|(l, _)| *l <= prev)
                .find(|(_, t)| past(value + back, *t))
                .map(|(l, _)| *l)
        });
        raw.max(held)
    }

    /// The threshold of `level` (NaN where it has none).
    pub fn of(&self, level: Level) -> f64 {
        self.given()
            .into_iter()
            .find(|(l, _)| *l == level)
            .map_or(f64::NAN, |(_, t)| t)
    }

    /// Problems as (field, message): none given, or out of order for the direction.
    pub fn problems(&self, at: &str, below: bool) -> Vec<(String, String)> {
        let mut out = Vec::new();
        let given = self.given();
        if given.is_empty() {
            out.push((
                at.into(),
                "give at least one of blue, yellow, orange, red".into(),
            ));
        }
        let rising = given.windows(2).all(|w| {
            if below {
                w[0].1 > w[1].1
            } else {
                w[0].1 < w[1].1
            }
        });
        if given.iter().any(|(_, v)| !v.is_finite()) || !rising {
            out.push((
                at.into(),
                if below {
                    "with below = true, each level's threshold is lower than the milder one's"
                } else {
                    "each level's threshold is higher than the milder one's"
                }
                .into(),
            ));
        }
        out
    }

    /// The levels given, mildest first.
    fn given(&self) -> Vec<(Level, f64)> {
        [
            (Level::Blue, self.blue),
            (Level::Yellow, self.yellow),
            (Level::Orange, self.orange),
            (Level::Red, self.red),
        ]
        .into_iter()
        .filter_map(|(l, v)| v.map(|v| (l, v)))
        .collect()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThresholdRule {
    /// Names the rule: its warnings are keyed by it.
    pub id: String,
    pub layer: String,
    /// The numeric property compared (a number, or a number in a string).
    pub field: String,
    /// What the warning says, e.g. "PM2.5 超标".
    pub title_zh: String,
    #[serde(default)]
    pub title_en: Option<String>,
    /// The value's unit, written after it ("μg/m³").
    #[serde(default)]
    pub unit: String,
    pub levels: Thresholds,
    /// Lower is worse: a level is reached at or below its threshold.
    #[serde(default)]
    pub below: bool,
    /// A level is left only once the value is this far back past its threshold.
    #[serde(default)]
    pub hysteresis: f64,
    /// The property that names a feature in the warning (default `name`, else its id).
    #[serde(default = "name_field")]
    pub name_field: String,
}

fn name_field() -> String {
    "name".into()
}

impl ThresholdRule {
    /// The prefix of every key this rule raises.
    pub fn scope(&self) -> String {
        format!("{}:{}:", Kind::Threshold.as_str(), self.id)
    }

    /// Problems as (field, message).
    pub fn problems(&self) -> Vec<(String, String)> {
        let at = |f: &str| format!("rules.threshold.{f}");
        let mut out = Vec::new();
        if self.id.trim().is_empty() {
            out.push((at("id"), "name the rule (any text, unique)".into()));
        }
        out.extend(self.levels.problems(&at("levels"), self.below));
        if !(self.hysteresis.is_finite() && self.hysteresis >= 0.0) {
            out.push((at("hysteresis"), "give a value of 0 or more".into()));
        }
        out
    }

    /// The level of `value`, given the level shown before (see [`Thresholds::assess`]).
    pub fn assess(&self, value: f64, previous: Option<Level>) -> Option<Level> {
        self.levels
            .assess(value, previous, self.below, self.hysteresis)
    }

    fn threshold_of(&self, level: Level) -> f64 {
        self.levels.of(level)
    }
}

/// What the rule wants open now over `layer`'s features.
pub fn evaluate(rule: &ThresholdRule, layer: &LayerIndex, open: &Warnings) -> Vec<Desired> {
    let scope = rule.scope();
    let mut out = Vec::new();
    for f in layer.iter() {
        let Some(value) = num(&f.properties, &rule.field).filter(|v| v.is_finite()) else {
            continue;
        };
        let key = format!("{scope}{}", f.id);
        let Some(level) = rule.assess(value, open.level_of(&key)) else {
            continue;
        };
        let threshold = rule.threshold_of(level);
        let name = text(&f.properties, &rule.name_field).unwrap_or(&f.id);
        let unit = &rule.unit;
        let sign = if rule.below { "≤" } else { "≥" };
        out.push(Desired {
            key,
            kind: Kind::Threshold,
            level,
            layer: rule.layer.clone(),
            subject: f.id.clone(),
            title: format!("{name} {}", rule.title_zh),
            detail: format!(
                "{} {value}{unit}（{}阈值 {sign} {threshold}{unit}）",
                rule.field,
                level.zh()
            ),
            title_en: format!(
                "{name} {}",
                rule.title_en.as_deref().unwrap_or(&rule.title_zh)
            ),
            detail_en: format!(
                "{} {value}{unit} ({} threshold {sign} {threshold}{unit})",
                rule.field,
                level.en()
            ),
            lon: f.lon,
            lat: f.lat,
            value,
            threshold,
            related: vec![],
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(below: bool) -> ThresholdRule {
        let levels = if below {
            Thresholds {
                yellow: Some(20.0),
                red: Some(5.0),
                ..Default::default()
            }
        } else {
            Thresholds {
                yellow: Some(75.0),
                orange: Some(115.0),
                red: Some(150.0),
                ..Default::default()
            }
        };
        ThresholdRule {
            id: "r".into(),
            layer: "air".into(),
            field: "pm25".into(),
            title_zh: "PM2.5 超标".into(),
            title_en: None,
            unit: String::new(),
            levels,
            below,
            hysteresis: 5.0,
            name_field: name_field(),
        }
    }

    #[test]
    fn rising_values_raise_at_each_threshold_and_fall_past_the_hysteresis() {
        let r = rule(false);
        assert!(r.problems().is_empty());
        assert_eq!(r.assess(70.0, None), None);
        assert_eq!(r.assess(75.0, None), Some(Level::Yellow));
        assert_eq!(r.assess(151.0, None), Some(Level::Red));
        // Falling from red: held to 145, orange below it, yellow holds to 70, cleared under.
        assert_eq!(r.assess(146.0, Some(Level::Red)), Some(Level::Red));
        assert_eq!(r.assess(144.0, Some(Level::Red)), Some(Level::Orange));
        assert_eq!(r.assess(71.0, Some(Level::Yellow)), Some(Level::Yellow));
        assert_eq!(r.assess(69.0, Some(Level::Yellow)), None);
        // The hysteresis never lifts a level above where it was.
        assert_eq!(r.assess(149.0, Some(Level::Orange)), Some(Level::Orange));
    }

    #[test]
    fn falling_values_warn_below_their_thresholds() {
        let r = rule(true);
        assert!(r.problems().is_empty());
        assert_eq!(r.assess(30.0, None), None);
        assert_eq!(r.assess(20.0, None), Some(Level::Yellow));
        assert_eq!(r.assess(4.0, None), Some(Level::Red));
        assert_eq!(r.assess(9.0, Some(Level::Red)), Some(Level::Red));
        assert_eq!(r.assess(11.0, Some(Level::Red)), Some(Level::Yellow));
        assert_eq!(r.assess(26.0, Some(Level::Yellow)), None);
    }

    #[test]
    fn thresholds_out_of_order_are_a_problem() {
        let mut r = rule(false);
        r.levels.red = Some(100.0);
        assert_eq!(r.problems()[0].0, "rules.threshold.levels");
        r.levels = Thresholds::default();
        assert!(!r.problems().is_empty());
    }
}
