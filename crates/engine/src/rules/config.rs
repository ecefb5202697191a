//! The `[rules]` a deployment turns on — the shipped ones (flood, overweight, hot spots,
//! duplicates) and any number of configured threshold, rate, stale, count and event rules over
//! any layer — and the problems check-config reports of them.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use super::{count, duplicates, event, flood, hotspot, overweight, rate, stale, threshold, Rule};

/// The rules a deployment turns on, each over one layer.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RulesConfig {
    pub flood: Option<flood::FloodRule>,
    pub overweight: Option<overweight::OverweightRule>,
    pub hotspot: Option<hotspot::HotspotRule>,
    pub duplicates: Option<duplicates::DuplicateRule>,
    /// Threshold rules over any layer's numeric field.
    #[serde(default)]
    pub threshold: Vec<threshold::ThresholdRule>,
    /// Rate-of-change rules over any layer's numeric field.
    #[serde(default)]
    pub rate: Vec<rate::RateRule>,
    /// Stale-reading rules over any layer's observation time.
    #[serde(default)]
    pub stale: Vec<stale::StaleRule>,
    /// Count-in-area rules over any layer.
    #[serde(default)]
    pub count: Vec<count::CountRule>,
    /// Event rules over the events any layer's features list.
    #[serde(default)]
    pub event: Vec<event::EventRule>,
}

impl RulesConfig {
    /// Every configured rule over a layer, in the order the engine runs them.
    pub fn layered(&self) -> impl Iterator<Item = &dyn Rule> {
        let shipped: [Option<&dyn Rule>; 4] = [
            self.flood.as_ref().map(|r| r as &dyn Rule),
            self.overweight.as_ref().map(|r| r as &dyn Rule),
            self.hotspot.as_ref().map(|r| r as &dyn Rule),
            self.duplicates.as_ref().map(|r| r as &dyn Rule),
        ];
        shipped
            .into_iter()
            .flatten()
            .chain(self.threshold.iter().map(|r| r as &dyn Rule))
            .chain(self.rate.iter().map(|r| r as &dyn Rule))
            .chain(self.stale.iter().map(|r| r as &dyn Rule))
            .chain(self.count.iter().map(|r| r as &dyn Rule))
            .chain(self.event.iter().map(|r| r as &dyn Rule))
    }

    /// Problems as (field, message), for the config's report.
    pub fn problems(
        &self,
        layers: &HashSet<String>,
        region_levels: &[&str],
    ) -> Vec<(String, String)> {
        let mut out = Vec::new();
        let mut layer = |field: &str, id: &str| {
            if !layers.contains(id) {
                out.push((
                    format!("rules.{field}.layer"),
                    format!("names layer `{id}`, which no [[layer]] defines"),
                ));
            }
        };
        for rule in self.layered() {
            layer(rule.table(), rule.layer());
        }
        let configured = [
            (
                "threshold",
                self.threshold
                    .iter()
                    .map(|r| (r.id.as_str(), r.problems()))
                    .collect::<Vec<_>>(),
            ),
            (
                "rate",
                self.rate
                    .iter()
                    .map(|r| (r.id.as_str(), r.problems()))
                    .collect(),
            ),
            (
                "stale",
                self.stale
                    .iter()
                    .map(|r| (r.id.as_str(), r.problems()))
                    .collect(),
            ),
            (
                "count",
                self.count
                    .iter()
                    .map(|r| (r.id.as_str(), r.problems(region_levels)))
                    .collect(),
            ),
            (
                "event",
                self.event
                    .iter()
                    .map(|r| (r.id.as_str(), r.problems()))
                    .collect(),
            ),
        ];
        for (kind, rules) in configured {
            let mut ids = HashSet::new();
            for (id, problems) in rules {
                out.extend(problems);
                if !ids.insert(id) {
                    out.push((
                        format!("rules.{kind}.id"),
                        format!("`{id}` names two rules: each needs its own"),
                    ));
                }
            }
        }
        if let Some(r) = &self.flood {
            if !(r.hysteresis_m >= 0.0 && r.hysteresis_m < 5.0) {
                out.push((
                    "rules.flood.hysteresis_m".into(),
                    "give metres between 0 and 5".into(),
                ));
            }
        }
        if let Some(r) = &self.hotspot {
            let t = &r.thresholds;
            if !(t.yellow > 0 && t.yellow <= t.orange && t.orange <= t.red) {
                out.push((
                    "rules.hotspot.thresholds".into(),
                    "need 0 < yellow ≤ orange ≤ red".into(),
                ));
            }
        }
        if let Some(r) = &self.overweight {
            let mut last = -1.0;
            for c in &r.classes {
                if c.min_pct.is_nan() || c.min_pct <= last {
                    out.push((
                        "rules.overweight.classes".into(),
                        "list classes by rising min_pct".into(),
                    ));
                }
                last = c.min_pct;
            }
        }
        out
    }
}
