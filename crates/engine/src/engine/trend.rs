//! The headline numbers' recent trend, one series per centre (the city's and each centre's
//! area): a district's wall draws its own 超限率 and open warnings, and a parent stepped into a
//! child's view draws the child's. In memory: a restart starts a new trend.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::Mutex;

use crate::kpi::{KpiLayers, Sample};

/// Samples kept per centre: about 3 hours at one per 5 s.
const KEPT: usize = 2_000;

#[derive(Default)]
pub struct KpiTrend {
    series: Mutex<HashMap<String, VecDeque<Sample>>>,
}

impl KpiTrend {
    /// `centre`'s samples after `after` (data clock ms), oldest first.
    pub fn since(&self, centre: &str, after: i64) -> Vec<Sample> {
        let series = self.series.lock().unwrap_or_else(|p| p.into_inner());
        let Some(series) = series.get(centre) else {
            return Vec::new();
        };
        // Samples are in time order: skip from the back to the first newer one.
        let newer = series.iter().rev().take_while(|s| s.at > after).count();
        series.iter().skip(series.len() - newer).cloned().collect()
    }

    fn push(&self, centre: &str, sample: Sample) {
        let mut series = self.series.lock().unwrap_or_else(|p| p.into_inner());
        let kept = series.entry(centre.to_string()).or_default();
        kept.push_back(sample);
        while kept.len() > KEPT {
            kept.pop_front();
        }
    }
}

impl super::Engine {
    /// Adds one point to every centre's trend. Each place's owner is found once per round,
    /// however many centres' areas hold it.
    pub(crate) async fn sample_kpis(&self) {
        let open: Vec<(String, usize)> = {
            let rules = self.rules.lock().await;
            rules
                .warnings
                .open()
                .map(|w| {
                    let level = w.what.level as usize;
                    (self.owned(w.clone()).centre, level)
                })
                .collect()
        };
        let index = self.index();
        let layers = KpiLayers::of(&self.config);
        let now = self.data_now();
        let owners: std::cell::RefCell<HashMap<(u64, u64), String>> = Default::default();
        let owner_of = |lon: f64, lat: f64| -> String {
            let mut cache = owners.borrow_mut();
            cache
                .entry((lon.to_bits(), lat.to_bits()))
                .or_insert_with(|| self.centres.owner(lon, lat).to_string())
                .clone()
        };
        let root = self.centres.root().id.clone();
        for i in 0..self.centres.len() {
            let Some(centre) = self.centres.at(i) else {
                continue;
            };
            let scope: HashSet<String> = self.centres.scope(&centre.id).into_iter().collect();
            let all = centre.id == root;
            let mut by_level = [0usize; 4];
            for (owner, level) in &open {
                if all || scope.contains(owner) {
                    if let Some(n) = by_level.get_mut(*level) {
                        *n += 1;
                    }
                }
            }
            let keep = |lon: f64, lat: f64| all || scope.contains(&owner_of(lon, lat));
            let summary = crate::kpi::summarize_where(&index, &layers, &keep);
            self.kpi_trend
                .push(&centre.id, Sample::of(now, &summary, by_level));
        }
    }
}
