//! Threshold rules for any layer (`[[rules.threshold]]`): a numeric field of each feature against
//! blue / yellow / orange / red thresholds — rising (air quality, a river gauge) or falling
//! (`below = true`: free parking spaces, a reservoir's level) — with hysteresis, so a city warns
//! on whatever it connects without code. One rule's warnings are its own: another rule on the
//! same layer neither raises nor clears them.

use serde::{Deserialize, Serialize};

use super::rule::{Judging, Owns, Rule};
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
                .find(|(_, t)| past(value, *t - back))
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
    /// Compare `field` as a percentage of this property instead (violations of passes).
    #[serde(default)]
    pub per: Option<String>,
    /// With `per`: features whose `per` is under this say nothing (too few to judge).
    #[serde(default)]
    pub per_at_least: f64,
    /// What the warning says after the feature's name, e.g. "PM2.5 超标"; `{level}` is replaced
    /// by the level's name ("积水{level}预警" → "积水红色预警").
    pub title_zh: String,
    #[serde(default)]
    pub title_en: Option<String>,
    /// What the field is called in the warning's detail (default: the field's name).
    #[serde(default)]
    pub label_zh: Option<String>,
    #[serde(default)]
    pub label_en: Option<String>,
    /// The value's unit, written after it ("μg/m³").
    #[serde(default)]
    pub unit: String,
    /// The thresholds, the same for every feature (and for those without `levels_from`'s).
    #[serde(default)]
    pub levels: Thresholds,
    /// Each feature's own thresholds: the properties that hold them (a gauge's warning lines).
    /// A feature lacking any of the named ones is judged by `levels`.
    #[serde(default)]
    pub levels_from: Option<LevelFields>,
    /// Lower is worse: a level is reached at or below its threshold.
    #[serde(default)]
    pub below: bool,
    /// A level is left only once the value is this far back past its threshold.
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

/// The properties holding a feature's own threshold of each level.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LevelFields {
    pub blue: Option<String>,
    pub yellow: Option<String>,
    pub orange: Option<String>,
    pub red: Option<String>,
}

impl LevelFields {
    /// The feature's thresholds, if it carries every one named (finite numbers).
    fn of(&self, p: &serde_json::Map<String, serde_json::Value>) -> Option<Thresholds> {
        let read = |field: &Option<String>| -> Option<Option<f64>> {
            match field {
                None => Some(None),
                Some(f) => num(p, f).filter(|v| v.is_finite()).map(Some),
            }
        };
        Some(Thresholds {
            blue: read(&self.blue)?,
            yellow: read(&self.yellow)?,
            orange: read(&self.orange)?,
            red: read(&self.red)?,
        })
    }

    fn is_empty(&self) -> bool {
        self.blue.is_none() && self.yellow.is_none() && self.orange.is_none() && self.red.is_none()
    }
}

fn name_field() -> String {
    "name".into()
}

impl ThresholdRule {
    /// The prefix of every key this rule raises.
    pub fn scope(&self) -> String {
        scope_of(Kind::Threshold, &self.id, self.shipped)
    }

    /// Problems as (field, message).
    pub fn problems(&self) -> Vec<(String, String)> {
        let at = |f: &str| format!("rules.threshold.{f}");
        let mut out = Vec::new();
        out.extend(unnamed("threshold", &self.id));
        match &self.levels_from {
            Some(fields) if fields.is_empty() => out.push((
                at("levels_from"),
                "name the property of at least one of blue, yellow, orange, red".into(),
            )),
            // Per-feature thresholds; `levels` is then only the fallback, if given at all.
            Some(_) if self.levels == Thresholds::default() => {}
            _ => out.extend(self.levels.problems(&at("levels"), self.below)),
        }
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

    /// The value a feature is judged by: its field, or the field as a percentage of `per`.
    pub fn value_of(&self, p: &serde_json::Map<String, serde_json::Value>) -> Option<f64> {
        let value = num(p, &self.field).filter(|v| v.is_finite())?;
        match &self.per {
            None => Some(value),
            Some(per) => {
                let base = num(p, per).filter(|b| *b > 0.0 && *b >= self.per_at_least)?;
                Some(value / base * 100.0).filter(|v| v.is_finite())
            }
        }
    }

    /// The thresholds a feature is judged by: its own where `levels_from` names them, else the
    /// rule's; none when it has neither.
    fn levels_for(&self, p: &serde_json::Map<String, serde_json::Value>) -> Option<Thresholds> {
        let own = self.levels_from.as_ref().and_then(|f| f.of(p));
        own.or((self.levels != Thresholds::default()).then_some(self.levels))
    }
}

/// The prefix of every key a configured rule raises: `<kind>:<id>:`, or `<shipped kind>:` for a
/// shipped rule expressed as one (the keys it always had).
pub(crate) fn scope_of(kind: Kind, id: &str, shipped: Option<Kind>) -> String {
    match shipped {
        Some(kind) => format!("{}:", kind.as_str()),
        None => format!("{}:{id}:", kind.as_str()),
    }
}

/// The problem of a configured rule without a name, as (field, message).
pub(crate) fn unnamed(table: &str, id: &str) -> Option<(String, String)> {
    id.trim().is_empty().then(|| {
        (
            format!("rules.{table}.id"),
            "name the rule (any text, unique)".into(),
        )
    })
}

fn hundredths(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

/// What the rule wants open now over `layer`'s features.
pub fn evaluate(rule: &ThresholdRule, layer: &LayerIndex, open: &Warnings) -> Vec<Desired> {
    let scope = rule.scope();
    let mut out = Vec::new();
    for f in layer.iter() {
        let Some(value) = rule.value_of(&f.properties) else {
            continue;
        };
        let Some(levels) = rule.levels_for(&f.properties) else {
            continue;
        };
        let key = format!("{scope}{}", f.id);
        let Some(level) = levels.assess(value, open.level_of(&key), rule.below, rule.hysteresis)
        else {
            continue;
        };
        let threshold = levels.of(level);
        let name = text(&f.properties, &rule.name_field).unwrap_or(&f.id);
        // SI style: a space between a number and its unit.
        let unit = if rule.unit.is_empty() {
            String::new()
        } else {
            format!(" {}", rule.unit)
        };
        let sign = if rule.below { "≤" } else { "≥" };
        let label_zh = rule.label_zh.as_deref().unwrap_or(&rule.field);
        let label_en = rule.label_en.as_deref().unwrap_or(label_zh);
        let title_en = rule.title_en.as_deref().unwrap_or(&rule.title_zh);
        // Two decimals at most: a ratio reads 12.35, not 12.345679012345679.
        let (value, threshold) = (hundredths(value), hundredths(threshold));
        out.push(Desired {
            key,
            kind: rule.shipped.unwrap_or(Kind::Threshold),
            level,
            layer: f.layer.clone(),
            subject: f.id.clone(),
            title: format!("{name} {}", rule.title_zh.replace("{level}", level.zh())),
            detail: format!(
                "{label_zh} {value}{unit}（{}阈值 {sign} {threshold}{unit}）",
                level.zh()
            ),
            title_en: format!("{name} {}", title_en.replace("{level}", level.en())),
            detail_en: format!(
                "{label_en} {value}{unit} ({} threshold {sign} {threshold}{unit})",
                level.en()
            ),
            lon: f.lon,
            lat: f.lat,
            value,
            threshold,
            related: vec![f.id.clone()],
            owner: None,
        });
    }
    out
}

impl Rule for ThresholdRule {
    fn table(&self) -> &'static str {
        "threshold"
    }

    fn layer(&self) -> &str {
        &self.layer
    }

    fn owns(&self) -> Owns {
        Owns::Scope(Kind::Threshold, self.scope())
    }

    fn judge(&self, at: &mut Judging<'_>) -> Vec<Desired> {
        evaluate(self, at.layer, at.open)
    }
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
            per: None,
            per_at_least: 0.0,
            title_zh: "PM2.5 超标".into(),
            title_en: None,
            label_zh: None,
            label_en: None,
            unit: String::new(),
            levels,
            levels_from: None,
            below,
            hysteresis: 5.0,
            name_field: name_field(),
            shipped: None,
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
