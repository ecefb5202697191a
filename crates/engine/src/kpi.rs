//! The wall's headline numbers, computed from the index so they cover the whole city, not the
//! viewport: flood points over threshold by level, the day's overload rate (超限率), incidents
//! open and closed (办结率). Property names follow the layers DESIGN.md defines.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{Map, Value};

use crate::spatial::SpatialIndex;

#[derive(Debug, Clone, Default, Serialize, schemars::JsonSchema)]
pub struct FloodSummary {
    pub total: usize,
    /// normal / blue / yellow / orange / red → count.
    pub by_level: BTreeMap<String, usize>,
    pub max_level_m: f64,
    pub rain_mm_h: f64,
}

#[derive(Debug, Clone, Default, Serialize, schemars::JsonSchema)]
pub struct OverweightSummary {
    pub stations: usize,
    pub passes_today: u64,
    pub violations_today: u64,
    pub overload_rate_pct: f64,
    pub violations_1h: u64,
}

#[derive(Debug, Clone, Default, Serialize, schemars::JsonSchema)]
pub struct IncidentSummary {
    pub total: usize,
    pub open: usize,
    pub closed: usize,
    pub closure_rate_pct: f64,
    pub severe_open: usize,
    pub by_channel: BTreeMap<String, usize>,
    pub by_category: BTreeMap<String, usize>,
}

#[derive(Debug, Clone, Default, Serialize, schemars::JsonSchema)]
pub struct Summary {
    pub flood: FloodSummary,
    pub overweight: OverweightSummary,
    pub incidents: IncidentSummary,
}

/// One point of the headline numbers' trend, on the data clock.
#[derive(Debug, Clone, Default, Serialize, schemars::JsonSchema)]
#[schemars(rename = "KpiSample")]
pub struct Sample {
    pub at: i64,
    pub flood_over: usize,
    pub max_level_m: f64,
    pub overload_rate_pct: f64,
    pub violations_1h: u64,
    pub incidents_open: usize,
    pub closure_rate_pct: f64,
    /// Open warnings by level: blue, yellow, orange, red.
    pub warnings: [usize; 4],
}

impl Sample {
    pub fn of(at: i64, s: &Summary, warnings: [usize; 4]) -> Sample {
        Sample {
            at,
            flood_over: s.flood.total - s.flood.by_level.get("normal").copied().unwrap_or(0),
            max_level_m: s.flood.max_level_m,
            overload_rate_pct: s.overweight.overload_rate_pct,
            violations_1h: s.overweight.violations_1h,
            incidents_open: s.incidents.open,
            closure_rate_pct: s.incidents.closure_rate_pct,
            warnings,
        }
    }
}

fn num(p: &Map<String, Value>, key: &str) -> Option<f64> {
    p.get(key).and_then(Value::as_f64)
}

/// A gauge's warning level from its reading and its own thresholds.
pub fn flood_level(p: &Map<String, Value>) -> &'static str {
    let Some(level) = num(p, "level_m") else {
        return "normal";
    };
    for (name, key) in [
        ("red", "threshold_red_m"),
        ("orange", "threshold_orange_m"),
        ("yellow", "threshold_yellow_m"),
        ("blue", "threshold_blue_m"),
    ] {
        if num(p, key).is_some_and(|t| level >= t) {
            return name;
        }
    }
    "normal"
}

/// Which layers the headline numbers come from: those that chose the shipped flood-gauge,
/// weigh-station and incident templates, whose fields the numbers read. A city without one
/// gets zeros there, and its wall no panel for it.
#[derive(Debug, Clone, Default)]
pub struct KpiLayers {
    pub flood: Option<String>,
    pub overweight: Option<String>,
    pub incidents: Option<String>,
}

impl KpiLayers {
    pub fn of(config: &crate::Config) -> KpiLayers {
        let by = |template: &str| config.layer_with_template(template).map(|l| l.id.clone());
        KpiLayers {
            flood: by("flood"),
            overweight: by("overweight"),
            incidents: by("incidents"),
        }
    }

    pub fn ids(&self) -> impl Iterator<Item = &str> {
        [&self.flood, &self.overweight, &self.incidents]
            .into_iter()
            .filter_map(|l| l.as_deref())
    }
}

pub fn summarize(index: &SpatialIndex, layers: &KpiLayers) -> Summary {
    summarize_where(index, layers, &|_, _| true)
}

/// The headline numbers over the features at the places `keep` takes (a centre's area).
pub fn summarize_where(
    index: &SpatialIndex,
    layers: &KpiLayers,
    keep: &dyn Fn(f64, f64) -> bool,
) -> Summary {
    let mut s = Summary::default();
    let layer = |id: &Option<String>| id.as_deref().and_then(|id| index.layer(id));
    if let Some(flood) = layer(&layers.flood) {
        for f in flood.iter().filter(|f| keep(f.lon, f.lat)) {
            s.flood.total += 1;
            *s.flood
                .by_level
                .entry(flood_level(&f.properties).into())
                .or_default() += 1;
            s.flood.max_level_m = s
                .flood
                .max_level_m
                .max(num(&f.properties, "level_m").unwrap_or(0.0));
            s.flood.rain_mm_h = s
                .flood
                .rain_mm_h
                .max(num(&f.properties, "rain_mm_h").unwrap_or(0.0));
        }
    }
    if let Some(stations) = layer(&layers.overweight) {
        for f in stations.iter().filter(|f| keep(f.lon, f.lat)) {
            let p = &f.properties;
            s.overweight.stations += 1;
            s.overweight.passes_today += num(p, "passes_today").unwrap_or(0.0) as u64;
            s.overweight.violations_today += num(p, "violations_today").unwrap_or(0.0) as u64;
            s.overweight.violations_1h += num(p, "violations_1h").unwrap_or(0.0) as u64;
        }
        if s.overweight.passes_today > 0 {
            s.overweight.overload_rate_pct =
                s.overweight.violations_today as f64 / s.overweight.passes_today as f64 * 100.0;
        }
    }
    if let Some(incidents) = layer(&layers.incidents) {
        for f in incidents.iter().filter(|f| keep(f.lon, f.lat)) {
            let p = &f.properties;
            s.incidents.total += 1;
            let closed = p.get("status").and_then(Value::as_str) == Some("已办结");
            if closed {
                s.incidents.closed += 1;
            } else {
                s.incidents.open += 1;
                if p.get("severity").and_then(Value::as_str) == Some("严重") {
                    s.incidents.severe_open += 1;
                }
            }
            let category = p.get("category").and_then(Value::as_str).unwrap_or("未知");
            *s.incidents
                .by_category
                .entry(category.to_string())
                .or_default() += 1;
            let channel = p.get("channel").and_then(Value::as_str).unwrap_or("未知");
            *s.incidents
                .by_channel
                .entry(channel.to_string())
                .or_default() += 1;
        }
        if s.incidents.total > 0 {
            s.incidents.closure_rate_pct =
                s.incidents.closed as f64 / s.incidents.total as f64 * 100.0;
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn flood_levels_follow_each_gauges_thresholds() {
        let p = |level: f64| {
            json!({"level_m": level, "threshold_blue_m": 0.15, "threshold_yellow_m": 0.27, "threshold_orange_m": 0.4, "threshold_red_m": 0.5})
                .as_object()
                .cloned()
                .unwrap_or_default()
        };
        assert_eq!(flood_level(&p(0.14)), "normal");
        assert_eq!(flood_level(&p(0.15)), "blue");
        assert_eq!(flood_level(&p(0.27)), "yellow");
        assert_eq!(flood_level(&p(0.45)), "orange");
        assert_eq!(flood_level(&p(0.50)), "red");
    }
}
