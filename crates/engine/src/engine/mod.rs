//! The running engine: opens the store, rebuilds the index from it, starts one poller per source
//! and the health ticker, and turns each polled batch into store writes, index updates and
//! deltas.

use std::collections::HashSet;
use std::sync::{RwLock, RwLockReadGuard};

use tokio::sync::watch;

use crate::config::Config;
use crate::feed::{Change, Feed};
use crate::health::Health;
use crate::model::now_ms;
use crate::regions::Regions;
use crate::rules::{Judging, Kind, Memory, Warning, Warnings};
use crate::spatial::SpatialIndex;
use crate::store::{Backend, StoreError};

mod accounts;
mod cases;
mod checkpoints;
mod commit;
mod ingest;
mod start;
mod ticker;
mod trend;

pub use ingest::RELOAD_ABOVE;

/// A wall whose data sits on one spot still opens on a street, not on a single pixel (~2 km).
const DATA_EXTENT_MIN_DEG: f64 = 0.02;

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Regions(#[from] crate::regions::RegionError),
    #[error(transparent)]
    Centres(#[from] crate::centres::BuildError),
}

/// The warnings registry and what the rules remember between evaluations.
#[derive(Default)]
pub(crate) struct RuleState {
    pub(crate) warnings: Warnings,
    memory: Memory,
}

pub use crate::sources::{IngestMode, IngestReport};

pub struct Engine {
    pub(crate) config: Config,
    pub(crate) store: std::sync::Arc<dyn Backend>,
    pub(crate) index: RwLock<SpatialIndex>,
    pub(crate) health: Health,
    pub(crate) feed: Feed,
    pub(crate) regions: Regions,
    /// The centres and their areas: who owns each warning and case.
    pub(crate) centres: crate::centres::Centres,
    pub(crate) rules: tokio::sync::Mutex<RuleState>,
    /// Taken while a procedure step is checked and recorded: two operators pressing the same
    /// step at once record it once.
    pub(crate) steps: tokio::sync::Mutex<()>,
    /// The headline numbers' recent trend, per centre.
    pub(crate) kpi_trend: trend::KpiTrend,
    /// Tiles of the configured basemap, fetched and cached for the wall.
    pub(crate) basemap: Option<crate::basemap::Basemap>,
    /// The datum the map is drawn in: what leaves for the map is shifted to it.
    pub(crate) display: crate::display::MapDatum,
    /// A source's state changed since the outage warnings were last judged.
    health_changed: std::sync::atomic::AtomicBool,
    /// Layers whose cluster pyramid is being rebuilt in the background.
    rebuilding: std::sync::Mutex<HashSet<String>>,
    shutdown: watch::Sender<bool>,
}

impl Engine {
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The datum the map is drawn in.
    pub fn display_datum(&self) -> crate::display::MapDatum {
        self.display
    }

    pub fn store(&self) -> &dyn Backend {
        self.store.as_ref()
    }

    /// Stops the pollers and the ticker.
    pub fn shutdown(&self) {
        let _ = self.shutdown.send(true);
    }

    /// Claims the background rebuild of `layer`'s pyramid; false when one already runs.
    pub(crate) fn begin_rebuild(&self, layer: &str) -> bool {
        self.rebuilding
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(layer.to_string())
    }

    pub(crate) fn end_rebuild(&self, layer: &str) {
        self.rebuilding
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(layer);
    }

    /// Now on the data's clock: the simulated clock in demo mode, the wall clock otherwise.
    /// Time windows and silence are judged on it, so a demo at 60× behaves like a city.
    pub fn data_now(&self) -> i64 {
        self.wall_to_data(now_ms())
    }

    /// A wall-clock instant (as the store stamps ingests) on the data's clock.
    pub fn wall_to_data(&self, wall_ms: i64) -> i64 {
        match self.config.demo_clock {
            Some(c) => c.sim_origin_ms + ((wall_ms - c.wall_origin_ms) as f64 * c.scale) as i64,
            None => wall_ms,
        }
    }

    /// A data-clock instant as the wall-clock time the store stamped it with.
    pub fn data_to_wall(&self, data_ms: i64) -> i64 {
        match self.config.demo_clock {
            Some(c) if c.scale > 0.0 => {
                c.wall_origin_ms + ((data_ms - c.sim_origin_ms) as f64 / c.scale).round() as i64
            }
            _ => data_ms,
        }
    }

    /// Runs the rules over `layer` (every rule when `None`), persists what changed and publishes
    /// it. A rule whose layer has no data yet is skipped, so warnings restored at start are not
    /// cleared before the first poll lands.
    pub(crate) async fn evaluate_rules(&self, layer: Option<&str>) {
        let rules = &self.config.rules;
        let now = self.data_now();
        // Cases whose clock runs or that wait to be taken up (a hand-over lands before the
        // case is dispatched), read before the rules' lock is taken (a store read waits).
        let running = match layer {
            None => self
                .store
                .cases(
                    &[
                        crate::cases::CaseState::Received,
                        crate::cases::CaseState::Registered,
                        crate::cases::CaseState::Dispatched,
                        crate::cases::CaseState::Handling,
                    ],
                    5_000,
                )
                .await
                .ok(),
            Some(_) => None,
        };
        let mut state = self.rules.lock().await;
        let RuleState { warnings, memory } = &mut *state;
        let mut changed: Vec<Warning> = Vec::new();
        {
            let index = self.index();
            for rule in rules.layered() {
                let Some(l) = layer
                    .is_none_or(|wanted| wanted == rule.layer())
                    .then(|| index.layer(rule.layer()))
                    .flatten()
                    .filter(|l| !l.is_empty())
                else {
                    continue;
                };
                let desired = rule.judge(&mut Judging {
                    layer: l,
                    open: warnings,
                    regions: &self.regions,
                    memory,
                    now,
                });
                changed.extend(warnings.settle(&rule.owns(), desired, now));
            }
            if let Some(cases) = &running {
                let desired =
                    crate::rules::overdue::evaluate(cases, self.config.incidents.amber_at, now);
                changed.extend(warnings.reconcile(&[Kind::Overdue], desired, now));
                let urged = crate::rules::urged::evaluate(cases);
                changed.extend(warnings.reconcile(&[Kind::Urged], urged, now));
            }
            // Reds a centre has left unacknowledged past its limit, raised on its parent's wall.
            if layer.is_none() && self.centres.len() > 1 {
                let minute =
                    crate::centres::Centres::minute_of_day(now, &self.config.centre.zone());
                let desired = crate::rules::unacknowledged::evaluate(
                    warnings.open(),
                    &self.centres,
                    now,
                    minute,
                );
                changed.extend(warnings.reconcile(&[Kind::Unacknowledged], desired, now));
            }
        }
        drop(state);
        self.publish_warnings(changed).await;
        if layer.is_none() {
            self.evaluate_outages().await;
        }
    }

    /// Raises, grades and clears the 数据中断 warnings from the sources' health now.
    pub(crate) async fn evaluate_outages(&self) {
        let desired = crate::rules::outage::evaluate(
            &self.health.all(),
            &self.config.layers,
            self.whole_city(),
        );
        let now = self.data_now();
        let changed = self
            .rules
            .lock()
            .await
            .warnings
            .reconcile(&[Kind::SourceDown], desired, now);
        self.publish_warnings(changed).await;
    }

    /// The "whole city" view: `[map] extent` from the config, else the regions' extent, else
    /// the data's (at least a street's width); `None` for an empty wall with neither.
    pub fn whole_city(&self) -> Option<crate::model::Bbox> {
        self.config
            .map
            .extent()
            .or_else(|| self.regions.extent())
            .or_else(|| {
                self.index()
                    .extent()
                    .map(|b| b.at_least(DATA_EXTENT_MIN_DEG))
            })
    }

    /// Persists changed warnings and sends them out as deltas. A store failure is logged and
    /// the wall still hears of the change.
    pub(crate) async fn publish_warnings(&self, changed: Vec<Warning>) {
        if changed.is_empty() {
            return;
        }
        let changed: Vec<Warning> = changed.into_iter().map(|w| self.owned(w)).collect();
        if let Err(e) = self.store.save_warnings(&changed).await {
            tracing::error!("cannot persist {} warning change(s): {e}", changed.len());
        }
        for warning in changed {
            self.feed.publish(Change::Warning {
                warning: self.warning_out(warning),
            });
        }
    }

    /// `warning` with the centre whose area holds it — or the one its rule names (an
    /// escalation: the parent's; a 督办: the case's holder's).
    pub(crate) fn owned(&self, mut warning: Warning) -> Warning {
        warning.centre = match &warning.what.owner {
            Some(owner) => owner.clone(),
            None => self
                .centres
                .owner(warning.what.lon, warning.what.lat)
                .to_string(),
        };
        warning
    }

    /// The centres and their areas.
    pub fn centres(&self) -> &crate::centres::Centres {
        &self.centres
    }

    /// A warning as the map draws it (its place in the map's datum).
    pub(crate) fn warning_out(&self, mut warning: Warning) -> Warning {
        if warning.centre.is_empty() {
            warning = self.owned(warning);
        }
        (warning.what.lon, warning.what.lat) = self.display.out(warning.what.lon, warning.what.lat);
        warning
    }

    pub(crate) fn index(&self) -> RwLockReadGuard<'_, SpatialIndex> {
        self.index.read().unwrap_or_else(|p| p.into_inner())
    }

    /// Publishes source deltas for every health state that changed (and marks the outage
    /// warnings for the next tick).
    pub(crate) fn publish_health(&self) {
        let changed = self.health.refresh();
        if !changed.is_empty() {
            self.health_changed
                .store(true, std::sync::atomic::Ordering::Relaxed);
        }
        for source in changed {
            self.feed.publish(Change::Source { source });
        }
    }
}
