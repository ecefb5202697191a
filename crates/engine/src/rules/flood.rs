//! Flood rules over the gauges of one layer: colour level by each gauge's own thresholds with
//! hysteresis, rate of rise over a window of its readings, and a gauge gone silent — the
//! shipped `[rules.flood]`, expressed as the threshold, rate and stale rules any city
//! configures, with the shipped kinds and keys.

use serde::{Deserialize, Serialize};

use super::memory::FloodMemory;
use super::rate::{self, RateRule};
use super::rule::{Judging, Owns, Rule};
use super::stale::{self, StaleRule};
use super::threshold::{self, LevelFields, ThresholdRule, Thresholds};
use super::{Desired, Kind, Level, Warnings};
use crate::spatial::LayerIndex;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FloodRule {
    pub layer: String,
    #[serde(default = "level_field")]
    pub level_field: String,
    /// Per-gauge threshold properties: blue, yellow, orange, red (metres).
    #[serde(default = "threshold_fields")]
    pub threshold_fields: [String; 4],
    /// For gauges that carry no thresholds of their own.
    pub default_thresholds: Option<[f64; 4]>,
    /// A level is left only once the reading is this far under its threshold.
    #[serde(default = "hysteresis")]
    pub hysteresis_m: f64,
    /// Rate of rise that warns (yellow; twice it, orange). None turns the rule off.
    pub rise_m_per_h: Option<f64>,
    #[serde(default = "rise_window")]
    pub rise_window_min: f64,
    /// No new reading for this long (data time) → the gauge is silent. None turns it off.
    pub silent_after_min: Option<f64>,
    #[serde(default = "time_field")]
    pub time_field: String,
    #[serde(default = "name_field")]
    pub name_field: String,
}

fn level_field() -> String {
    "level_m".into()
}
fn threshold_fields() -> [String; 4] {
    ["blue", "yellow", "orange", "red"].map(|c| format!("threshold_{c}_m"))
}
fn hysteresis() -> f64 {
    0.03
}
fn rise_window() -> f64 {
    20.0
}
fn time_field() -> String {
    "observed_at".into()
}
fn name_field() -> String {
    "name".into()
}

impl FloodRule {
    /// The flood rule as the rules a city configures express it — the same mechanism, the
    /// shipped kinds and keys: each gauge's level against its own warning lines (a
    /// [`ThresholdRule`] with `levels_from`), its rate of rise (a [`RateRule`]: yellow at the
    /// limit, orange at twice it, open until under half of it) and its silence (a
    /// [`StaleRule`]).
    pub fn expressed(&self) -> (ThresholdRule, Option<RateRule>, Option<StaleRule>) {
        let [blue, yellow, orange, red] = self.threshold_fields.clone().map(Some);
        let level = ThresholdRule {
            id: Kind::FloodLevel.as_str().into(),
            layer: self.layer.clone(),
            field: self.level_field.clone(),
            per: None,
            per_at_least: 0.0,
            title_zh: "积水{level}预警".into(),
            title_en: Some("water {level} warning".into()),
            label_zh: Some("积水".into()),
            label_en: Some("water".into()),
            unit: "m".into(),
            levels: self
                .default_thresholds
                .map(|[b, y, o, r]| Thresholds {
                    blue: Some(b),
                    yellow: Some(y),
                    orange: Some(o),
                    red: Some(r),
                })
                .unwrap_or_default(),
            levels_from: Some(LevelFields {
                blue,
                yellow,
                orange,
                red,
            }),
            below: false,
            hysteresis: self.hysteresis_m,
            name_field: self.name_field.clone(),
            shipped: Some(Kind::FloodLevel),
        };
        let rise = self.rise_m_per_h.map(|limit| RateRule {
            id: Kind::FloodRise.as_str().into(),
            layer: self.layer.clone(),
            field: self.level_field.clone(),
            time_field: self.time_field.clone(),
            window_min: self.rise_window_min,
            title_zh: "水位快速上涨".into(),
            title_en: Some("water rising fast".into()),
            label_zh: Some("水位".into()),
            label_en: Some("water".into()),
            unit: "m".into(),
            levels: Thresholds {
                yellow: Some(limit),
                orange: Some(2.0 * limit),
                ..Default::default()
            },
            falling: false,
            hysteresis: limit / 2.0,
            name_field: self.name_field.clone(),
            shipped: Some(Kind::FloodRise),
        });
        let silent = self.silent_after_min.map(|after| StaleRule {
            id: Kind::GaugeSilent.as_str().into(),
            layer: self.layer.clone(),
            time_field: self.time_field.clone(),
            levels: Thresholds {
                yellow: Some(after),
                ..Default::default()
            },
            title_zh: "监测中断".into(),
            title_en: Some("gauge silent".into()),
            name_field: self.name_field.clone(),
            shipped: Some(Kind::GaugeSilent),
        });
        (level, rise, silent)
    }
}

/// The level a gauge shows for `reading` against its thresholds (blue, yellow, orange, red),
/// given the level it showed before: as every configured rule grades ([`Thresholds::assess`]).
pub fn assess_level(
    reading: f64,
    [blue, yellow, orange, red]: [f64; 4],
    previous: Option<Level>,
    hysteresis: f64,
) -> Option<Level> {
    let t = Thresholds {
        blue: Some(blue),
        yellow: Some(yellow),
        orange: Some(orange),
        red: Some(red),
    };
    t.assess(reading, previous, false, hysteresis)
}

/// What the flood rule wants open now: its three parts, each by the configured rules' own
/// evaluation.
pub fn evaluate(
    rule: &FloodRule,
    layer: &LayerIndex,
    open: &Warnings,
    memory: &mut FloodMemory,
    now: i64,
) -> Vec<Desired> {
    let (level, rise, silent) = rule.expressed();
    let mut out = threshold::evaluate(&level, layer, open);
    if let Some(rise) = rise {
        out.extend(rate::evaluate(&rise, layer, open, memory));
    }
    if let Some(silent) = silent {
        out.extend(stale::evaluate(&silent, layer, now));
    }
    out
}

impl Rule for FloodRule {
    fn table(&self) -> &'static str {
        "flood"
    }

    fn layer(&self) -> &str {
        &self.layer
    }

    fn owns(&self) -> Owns {
        Owns::Kinds(&[Kind::FloodLevel, Kind::FloodRise, Kind::GaugeSilent])
    }

    fn judge(&self, at: &mut Judging<'_>) -> Vec<Desired> {
        evaluate(self, at.layer, at.open, &mut at.memory.flood, at.now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: [f64; 4] = [0.15, 0.27, 0.40, 0.50];

    #[test]
    fn levels_rise_at_each_threshold_exactly() {
        assert_eq!(assess_level(0.149, T, None, 0.03), None);
        assert_eq!(assess_level(0.15, T, None, 0.03), Some(Level::Blue));
        assert_eq!(assess_level(0.27, T, None, 0.03), Some(Level::Yellow));
        assert_eq!(assess_level(0.40, T, None, 0.03), Some(Level::Orange));
        assert_eq!(assess_level(0.50, T, None, 0.03), Some(Level::Red));
        // A jump straight past several thresholds lands on the highest.
        assert_eq!(
            assess_level(0.45, T, Some(Level::Blue), 0.03),
            Some(Level::Orange)
        );
    }

    #[test]
    fn levels_fall_only_past_the_hysteresis() {
        let h = 0.03;
        // Orange holds down to 0.37 (0.40 − 0.03) …
        assert_eq!(
            assess_level(0.38, T, Some(Level::Orange), h),
            Some(Level::Orange)
        );
        assert_eq!(
            assess_level(0.37, T, Some(Level::Orange), h),
            Some(Level::Orange)
        );
        // … and below it falls to the level the reading still holds with hysteresis.
        assert_eq!(
            assess_level(0.369, T, Some(Level::Orange), h),
            Some(Level::Yellow)
        );
        assert_eq!(
            assess_level(0.20, T, Some(Level::Orange), h),
            Some(Level::Blue)
        );
        // Blue clears at 0.12, not at 0.149.
        assert_eq!(
            assess_level(0.13, T, Some(Level::Blue), h),
            Some(Level::Blue)
        );
        assert_eq!(assess_level(0.119, T, Some(Level::Blue), h), None);
        // Falling never climbs above where it was.
        assert_eq!(
            assess_level(0.39, T, Some(Level::Yellow), h),
            Some(Level::Yellow)
        );
    }

    fn gauge_at(level: f64, observed: &str) -> crate::spatial::SpatialIndex {
        let properties = serde_json::json!({
            "name": "解放路下穿通道", "level_m": level, "observed_at": observed,
            "threshold_blue_m": 0.15, "threshold_yellow_m": 0.27,
            "threshold_orange_m": 0.40, "threshold_red_m": 0.50,
        });
        crate::spatial::SpatialIndex::load(vec![crate::model::Feature {
            layer: "flood".into(),
            id: "g1".into(),
            source: "s".into(),
            lon: 118.28,
            lat: 33.96,
            shape: None,
            properties: properties.as_object().cloned().unwrap_or_default(),
            updated_at: 0,
        }])
    }

    fn rule() -> FloodRule {
        toml::from_str("layer = \"flood\"\nrise_m_per_h = 0.35\nsilent_after_min = 30")
            .expect("rule")
    }

    fn kinds(d: &[Desired]) -> Vec<(Kind, Level)> {
        d.iter().map(|d| (d.kind, d.level)).collect()
    }

    #[test]
    fn a_gauge_is_silent_from_exactly_its_limit() {
        // Observed at 08:00 (+08:00) = 00:00 UTC.
        let index = gauge_at(0.05, "2026-06-01T08:00:00+08:00");
        let layer = index.layer("flood").expect("layer");
        let at = chrono::DateTime::parse_from_rfc3339("2026-06-01T00:00:00Z")
            .expect("time")
            .timestamp_millis();
        let open = Warnings::default();
        let mut memory = FloodMemory::default();
        let minute = 60_000;
        let d = evaluate(&rule(), layer, &open, &mut memory, at + 30 * minute - 1);
        assert!(kinds(&d).is_empty(), "29.99 minutes is not silent: {d:?}");
        let d = evaluate(&rule(), layer, &open, &mut memory, at + 30 * minute);
        assert_eq!(kinds(&d), [(Kind::GaugeSilent, Level::Yellow)]);
        assert!(d[0].detail.contains("30 分钟无新数据"), "{}", d[0].detail);
    }

    #[test]
    fn rate_of_rise_opens_at_its_limit_and_closes_under_half_of_it() {
        // 0.5 m/h over 30 minutes; values chosen exact in binary so the limits are exact.
        let rule: FloodRule = toml::from_str(
            "layer = \"flood\"\nrise_m_per_h = 0.5\nrise_window_min = 30\nsilent_after_min = 600",
        )
        .expect("rule");
        let minute = 60_000;
        let t0 = chrono::DateTime::parse_from_rfc3339("2026-06-01T08:00:00+08:00")
            .expect("time")
            .timestamp_millis();
        let run = |steps: &[(i64, f64)]| {
            let mut open = Warnings::default();
            let mut memory = FloodMemory::default();
            let mut out = Vec::new();
            for &(m, level) in steps {
                let stamp = chrono::DateTime::from_timestamp_millis(t0 + m * minute)
                    .expect("time")
                    .to_rfc3339();
                let index = gauge_at(level, &stamp);
                let layer = index.layer("flood").expect("layer");
                let d = evaluate(&rule, layer, &open, &mut memory, t0 + m * minute);
                out.push(
                    d.iter()
                        .find(|d| d.kind == Kind::FloodRise)
                        .map(|d| d.level),
                );
                open.reconcile(
                    &[Kind::FloodLevel, Kind::FloodRise, Kind::GaugeSilent],
                    d,
                    t0,
                );
            }
            out
        };
        // 0.2499 m in 30 minutes: just under the limit.
        assert_eq!(run(&[(0, 0.0), (30, 0.2499)]), [None, None]);
        // 0.25 m in 30 minutes = 0.5 m/h: raised; then 0.25 m/h (exactly half): still open;
        // then 0.125 m/h: closed.
        assert_eq!(
            run(&[(0, 0.0), (30, 0.25), (45, 0.3125), (60, 0.3125)]),
            [None, Some(Level::Yellow), Some(Level::Yellow), None]
        );
        // Twice the limit is orange.
        assert_eq!(run(&[(0, 0.0), (30, 0.5)]), [None, Some(Level::Orange)]);
    }

    #[test]
    fn rise_needs_half_a_window_and_uses_its_oldest_reading() {
        let mut m = FloodMemory::default();
        let min = 60_000;
        assert_eq!(m.rise("g", 0, 0.10, 20 * min), None);
        assert_eq!(
            m.rise("g", 5 * min, 0.15, 20 * min),
            None,
            "a quarter window"
        );
        // 10 minutes, +0.10 m → 0.6 m/h.
        let r = m.rise("g", 10 * min, 0.20, 20 * min).unwrap_or_default();
        assert!((r - 0.6).abs() < 1e-9, "{r}");
        // A repeated timestamp is not a new reading.
        let r2 = m.rise("g", 10 * min, 0.90, 20 * min).unwrap_or_default();
        assert!((r2 - 0.6).abs() < 1e-9, "{r2}");
        // Readings older than the window drop out.
        let r3 = m.rise("g", 40 * min, 0.20, 20 * min);
        assert_eq!(r3, None, "only one reading left in the window");
    }
}
