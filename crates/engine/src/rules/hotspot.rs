//! Hot spots: incidents per grid cell — per category group where groups are configured — in a
//! rolling window (data time), against yellow / orange / red counts, with hysteresis: one
//! community grid's housing and livelihood reports pass the threshold and raise yellow. The
//! shipped `[rules.hotspot]`, expressed as the count-in-area rules any city configures.

use serde::{Deserialize, Serialize};

use super::count::{self, CountFilter, CountRule};
use super::rule::{Judging, Owns, Rule};
use super::threshold::Thresholds;
use super::{Desired, Kind, Level, Warnings};
use crate::regions::Regions;
use crate::spatial::LayerIndex;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Counts {
    pub yellow: u32,
    pub orange: u32,
    pub red: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Group {
    pub name: String,
    /// Its name in an English warning (default: `name`).
    #[serde(default)]
    pub name_en: Option<String>,
    pub categories: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HotspotRule {
    pub layer: String,
    #[serde(default = "window")]
    pub window_min: f64,
    /// The incident property naming its grid cell.
    #[serde(default = "grid_field")]
    pub grid_field: String,
    #[serde(default = "category_field")]
    pub category_field: String,
    /// The incident property holding when it was reported (RFC 3339).
    #[serde(default = "time_field")]
    pub time_field: String,
    pub thresholds: Counts,
    /// A level is left only once the count is this many under its threshold.
    #[serde(default = "hysteresis")]
    pub hysteresis: u32,
    /// Category groups counted apart; none counts every incident together.
    #[serde(default)]
    pub groups: Vec<Group>,
}

fn window() -> f64 {
    120.0
}
fn grid_field() -> String {
    "grid".into()
}
fn category_field() -> String {
    "category".into()
}
fn time_field() -> String {
    "reported_at".into()
}
fn hysteresis() -> u32 {
    1
}

/// The level for `count` incidents, given the level shown before: as every configured rule
/// grades ([`Thresholds::assess`]: rise at a threshold, fall only `hysteresis` under it).
pub fn assess(count: u32, t: Counts, previous: Option<Level>, hysteresis: u32) -> Option<Level> {
    t.levels()
        .assess(count as f64, previous, false, hysteresis as f64)
}

impl Counts {
    fn levels(self) -> Thresholds {
        Thresholds {
            yellow: Some(self.yellow as f64),
            orange: Some(self.orange as f64),
            red: Some(self.red as f64),
            ..Default::default()
        }
    }
}

impl HotspotRule {
    /// The hot-spot rule as the rules a city configures express it — the same mechanism, the
    /// shipped kind and keys (`hotspot:<grid>:<group>`): one count-in-area rule per category
    /// group over the grid property, in the window.
    pub fn expressed(&self) -> Vec<CountRule> {
        let count = |group: &str, filter: Option<CountFilter>, zh: String, en: String| CountRule {
            id: format!("{}-{group}", Kind::Hotspot.as_str()),
            layer: self.layer.clone(),
            area_field: Some(self.grid_field.clone()),
            regions: None,
            filter,
            time_field: Some(self.time_field.clone()),
            window_min: self.window_min,
            levels: self.thresholds.levels(),
            hysteresis: self.hysteresis as f64,
            title_zh: zh,
            title_en: Some(en),
            shipped: Some((Kind::Hotspot, group.to_string())),
        };
        if self.groups.is_empty() {
            return vec![count(
                "全部",
                None,
                "事件高发".into(),
                "cluster of incidents".into(),
            )];
        }
        self.groups
            .iter()
            .map(|g| {
                count(
                    &g.name,
                    Some(CountFilter {
                        field: self.category_field.clone(),
                        values: g.categories.clone(),
                    }),
                    format!("{}类事件高发", g.name),
                    format!(
                        "cluster of {} incidents",
                        g.name_en.as_deref().unwrap_or(&g.name)
                    ),
                )
            })
            .collect()
    }
}

/// What the hot-spot rule wants open now: each group's count, by the configured rules' own
/// evaluation.
pub fn evaluate(rule: &HotspotRule, layer: &LayerIndex, open: &Warnings, now: i64) -> Vec<Desired> {
    let areas = Regions::default();
    rule.expressed()
        .iter()
        .flat_map(|count| count::evaluate(count, layer, &areas, open, now))
        .collect()
}

impl Rule for HotspotRule {
    fn table(&self) -> &'static str {
        "hotspot"
    }

    fn layer(&self) -> &str {
        &self.layer
    }

    fn owns(&self) -> Owns {
        Owns::Kinds(&[Kind::Hotspot])
    }

    fn judge(&self, at: &mut Judging<'_>) -> Vec<Desired> {
        evaluate(self, at.layer, at.open, at.now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: Counts = Counts {
        yellow: 6,
        orange: 10,
        red: 15,
    };

    #[test]
    fn counts_raise_at_each_threshold_and_fall_past_the_hysteresis() {
        assert_eq!(assess(5, T, None, 1), None);
        assert_eq!(assess(6, T, None, 1), Some(Level::Yellow));
        assert_eq!(assess(10, T, None, 1), Some(Level::Orange));
        assert_eq!(assess(15, T, None, 1), Some(Level::Red));
        // Falling: red holds at 14, drops at 13 to orange.
        assert_eq!(assess(14, T, Some(Level::Red), 1), Some(Level::Red));
        assert_eq!(assess(13, T, Some(Level::Red), 1), Some(Level::Orange));
        // Yellow holds at 5 and clears at 4.
        assert_eq!(assess(5, T, Some(Level::Yellow), 1), Some(Level::Yellow));
        assert_eq!(assess(4, T, Some(Level::Yellow), 1), None);
        // Orange falling to 9 holds orange; it does not climb above where it was.
        assert_eq!(assess(9, T, Some(Level::Orange), 1), Some(Level::Orange));
        assert_eq!(assess(14, T, Some(Level::Orange), 1), Some(Level::Orange));
    }
}
