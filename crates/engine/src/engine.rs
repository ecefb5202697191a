//! The running engine: opens the store, rebuilds the index from it, starts one poller per source
//! and the health ticker, and turns each polled batch into store writes, index updates and
//! deltas.

use std::collections::HashSet;
use std::sync::{Arc, RwLock, RwLockReadGuard};
use std::time::Duration;

use tokio::sync::watch;

use crate::config::{Config, SourceConfig};
use crate::feed::{Change, Feed};
use crate::health::Health;
use crate::model::{now_ms, Feature};
use crate::sources::{poller, Batch, Rejected};
use crate::spatial::SpatialIndex;
use crate::store::{ChangeSet, Store, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Past this many changes in one batch, subscribers are told to refetch the layer instead of
/// receiving every feature.
pub const RELOAD_ABOVE: usize = 5_000;

/// How a batch relates to what its source held before.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IngestMode {
    /// The batch is everything the source holds now: what it no longer lists is removed.
    Snapshot,
    /// The batch holds only changes (incremental polls, pushed messages): nothing is removed.
    Upsert,
}

/// What one ingested batch changed.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct IngestReport {
    /// Why the first rejected record was refused, for the health sentence.
    pub first_rejection: Option<String>,
    pub upserted: usize,
    pub removed: usize,
    pub rejected: usize,
    /// Features the source holds after the batch.
    pub count: usize,
}

pub struct Engine {
    pub(crate) config: Config,
    pub(crate) store: Store,
    pub(crate) index: RwLock<SpatialIndex>,
    pub(crate) health: Health,
    pub(crate) feed: Feed,
    shutdown: watch::Sender<bool>,
}

impl Engine {
    /// Opens the store, loads what it holds, and starts polling every source.
    pub async fn start(config: Config) -> Result<Arc<Engine>, EngineError> {
        let store = Store::open(&config.store_path).await?;
        let features = store.load_features().await?;
        let health = Health::new(&config.sources);
        for source in &config.sources {
            health.set_count(
                &source.id,
                features.iter().filter(|f| f.source == source.id).count(),
            );
        }
        let (shutdown, _) = watch::channel(false);
        let engine = Arc::new(Engine {
            index: RwLock::new(SpatialIndex::load(features)),
            store,
            health,
            feed: Feed::new(),
            shutdown,
            config,
        });
        for source in engine.config.sources.clone() {
            let shutdown = engine.shutdown.subscribe();
            if source.kind == crate::config::SourceKind::Mqtt {
                tokio::spawn(crate::sources::mqtt::run(engine.clone(), source, shutdown));
            } else {
                tokio::spawn(poller::run(engine.clone(), source, shutdown));
            }
        }
        tokio::spawn(health_ticker(engine.clone(), engine.shutdown.subscribe()));
        Ok(engine)
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Stops the pollers and the ticker.
    pub fn shutdown(&self) {
        let _ = self.shutdown.send(true);
    }

    pub(crate) fn index(&self) -> RwLockReadGuard<'_, SpatialIndex> {
        self.index.read().unwrap_or_else(|p| p.into_inner())
    }

    /// Publishes source deltas for every health state that changed.
    pub(crate) fn publish_health(&self) {
        for source in self.health.refresh() {
            self.feed.publish(Change::Source { source });
        }
    }

    /// Lands one batch from a source. New and changed records are upserted; in
    /// [`IngestMode::Snapshot`] records the source no longer lists are removed; rejects are
    /// quarantined; all in one store transaction, then the index, then one delta.
    pub async fn ingest(
        &self,
        source: &SourceConfig,
        batch: Batch,
        mode: IngestMode,
    ) -> Result<IngestReport, StoreError> {
        let at = now_ms();
        let Batch {
            records,
            mut rejected,
        } = batch;
        let mut upserted: Vec<Feature> = Vec::new();
        let mut removed: Vec<Feature> = Vec::new();
        {
            let index = self.index();
            let layer = index.layer(&source.layer);
            let mut listed = HashSet::new();
            for (position, record) in records.into_iter().enumerate() {
                let existing = layer.and_then(|l| l.get(&record.id));
                if let Some(other) = existing.filter(|f| f.source != source.id) {
                    rejected.push(Rejected {
                        index: position,
                        reason: format!(
                            "id `{}` already belongs to source `{}` in layer `{}`",
                            record.id, other.source, source.layer
                        ),
                        excerpt: record.id.clone(),
                    });
                    continue;
                }
                listed.insert(record.id.clone());
                let feature = Feature {
                    layer: source.layer.clone(),
                    id: record.id,
                    source: source.id.clone(),
                    lon: record.lon,
                    lat: record.lat,
                    properties: record.properties,
                    updated_at: at,
                };
                if existing.is_none_or(|old| !old.same_content(&feature)) {
                    upserted.push(feature);
                }
            }
            if let Some(layer) = layer.filter(|_| mode == IngestMode::Snapshot) {
                removed.extend(
                    layer
                        .iter()
                        .filter(|f| f.source == source.id && !listed.contains(&f.id))
                        .cloned(),
                );
            }
        }

        self.store
            .apply(
                &source.id,
                at,
                &ChangeSet {
                    upserted: upserted.iter().collect(),
                    removed: removed.iter().collect(),
                    rejected: rejected.iter().collect(),
                },
            )
            .await?;

        let (upserted_count, removed_count) = (upserted.len(), removed.len());
        // The delta is made before the features move into the index, so nothing is cloned.
        let change = if upserted_count + removed_count > RELOAD_ABOVE {
            // A change this big is cheaper to refetch per viewport than to stream.
            Some(Change::Reload {
                layer: source.layer.clone(),
            })
        } else if upserted_count + removed_count > 0 {
            // The batch just landed, so what it changed is fresh whatever the health registry
            // said before this poll (it is updated right after).
            Some(Change::Features {
                layer: source.layer.clone(),
                upserted: upserted.iter().map(|f| f.to_geojson(false)).collect(),
                removed: removed.iter().map(|f| f.id.clone()).collect(),
            })
        } else {
            None
        };
        let count = {
            let mut index = self.index.write().unwrap_or_else(|p| p.into_inner());
            let layer = index.layer_mut(&source.layer);
            for f in &removed {
                layer.remove(&f.id);
            }
            layer.upsert_many(upserted.into_iter());
            layer.count_source(&source.id)
        };

        let report = IngestReport {
            first_rejection: rejected.first().map(|r| r.reason.clone()),
            upserted: upserted_count,
            removed: removed_count,
            rejected: rejected.len(),
            count,
        };
        if let Some(change) = change {
            self.feed.publish(change);
        }
        Ok(report)
    }
}

/// Re-evaluates source states once a second so `stale` appears without a poll.
async fn health_ticker(engine: Arc<Engine>, mut shutdown: watch::Receiver<bool>) {
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    loop {
        tokio::select! {
            _ = tick.tick() => engine.publish_health(),
            _ = shutdown.changed() => return,
        }
        if *shutdown.borrow() {
            return;
        }
    }
}
