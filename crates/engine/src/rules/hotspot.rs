//! Hot spots: incidents per grid cell — per category group where groups are configured — in a
//! rolling window (data time), against yellow / orange / red counts, with hysteresis. The Suqian
//! case: one community grid's housing and livelihood reports pass the threshold and raise yellow.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{text, time_ms, Desired, Kind, Level, Warnings};
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

/// The level for `count` incidents, given the level shown before (see the flood rule: rise at a
/// threshold, fall only `hysteresis` under it).
pub fn assess(count: u32, t: Counts, previous: Option<Level>, hysteresis: u32) -> Option<Level> {
    let thresholds = [
        (Level::Yellow, t.yellow),
        (Level::Orange, t.orange),
        (Level::Red, t.red),
    ];
    let reached = |margin: u32, cap: Level| {
        thresholds
            .iter()
            .rev()
            .filter(|(l, _)| *l <= cap)
            .find(|(_, n)| count + margin >= *n)
            .map(|(l, _)| *l)
    };
    let raw = reached(0, Level::Red);
    match previous {
        Some(prev) if raw < Some(prev) => reached(hysteresis, prev),
        _ => raw,
    }
}

struct Cell {
    ids: Vec<String>,
    lon: f64,
    lat: f64,
}

pub fn evaluate(rule: &HotspotRule, layer: &LayerIndex, open: &Warnings, now: i64) -> Vec<Desired> {
    let since = now - (rule.window_min * 60_000.0) as i64;
    let mut cells: BTreeMap<(String, String), Cell> = BTreeMap::new();
    for f in layer.iter() {
        let p = &f.properties;
        let Some(at) = time_ms(p, &rule.time_field) else {
            continue;
        };
        if at < since || at > now {
            continue;
        }
        let Some(grid) = text(p, &rule.grid_field).filter(|g| !g.is_empty()) else {
            continue;
        };
        let category = text(p, &rule.category_field).unwrap_or("");
        let group = if rule.groups.is_empty() {
            Some("全部")
        } else {
            rule.groups
                .iter()
                .find(|g| g.categories.iter().any(|c| c == category))
                .map(|g| g.name.as_str())
        };
        let Some(group) = group else {
            continue;
        };
        let cell = cells
            .entry((grid.to_string(), group.to_string()))
            .or_insert(Cell {
                ids: Vec::new(),
                lon: 0.0,
                lat: 0.0,
            });
        cell.ids.push(f.id.clone());
        cell.lon += f.lon;
        cell.lat += f.lat;
    }
    let mut out = Vec::new();
    for ((grid, group), mut cell) in cells {
        let key = format!("{}:{grid}:{group}", Kind::Hotspot.as_str());
        let count = cell.ids.len() as u32;
        let Some(level) = assess(count, rule.thresholds, open.level_of(&key), rule.hysteresis)
        else {
            continue;
        };
        let threshold = match level {
            Level::Red => rule.thresholds.red,
            Level::Orange => rule.thresholds.orange,
            _ => rule.thresholds.yellow,
        };
        let n = cell.ids.len() as f64;
        cell.ids.sort();
        let group_text = if rule.groups.is_empty() {
            String::new()
        } else {
            format!("{group}类")
        };
        let group_en = match rule.groups.iter().find(|g| g.name == group) {
            Some(g) => format!(" {}", g.name_en.as_deref().unwrap_or(&g.name)),
            None => String::new(),
        };
        out.push(Desired {
            key,
            kind: Kind::Hotspot,
            level,
            layer: layer_id(layer),
            subject: grid.clone(),
            title: format!("{grid} {group_text}事件高发"),
            detail: format!(
                "近 {:.0} 分钟 {count} 起{group_text}事件（{}阈值 {threshold} 起）",
                rule.window_min,
                level.zh()
            ),
            title_en: format!("{grid}: cluster of{group_en} incidents"),
            detail_en: format!(
                "{count}{group_en} incidents in the last {:.0} min ({} threshold {threshold})",
                rule.window_min,
                level.en()
            ),
            lon: cell.lon / n,
            lat: cell.lat / n,
            value: count as f64,
            threshold: threshold as f64,
            related: cell.ids,
        });
    }
    out
}

fn layer_id(layer: &LayerIndex) -> String {
    layer
        .iter()
        .next()
        .map(|f| f.layer.clone())
        .unwrap_or_default()
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
