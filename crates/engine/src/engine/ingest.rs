//! Landing a polled batch: each record routed to its layer (by the source's layers and their
//! filters), checked, converted and written to the store, then the index updated off the lock
//! where it is big, a delta published, and the layer's rules run again.

use std::collections::HashSet;

use super::{Engine, IngestMode, IngestReport};
use crate::config::SourceConfig;
use crate::feed::Change;
use crate::model::{now_ms, Feature};
use crate::sources::{Attempt, Sink};
use crate::sources::{Batch, Rejected};
use crate::spatial::StagedPoints;
use crate::store::{ChangeSet, StoreError};

/// Past this many changes in one batch, subscribers are told to refetch the layer instead of
/// receiving every feature.
pub const RELOAD_ABOVE: usize = 5_000;
/// A layer's first load at least this big has its points tabled and indexed on another thread
/// while the batch is being stored (a million points: about a second off the ingest).
const STAGE_FROM: usize = 50_000;

impl Engine {
    /// Lands one batch from a source. A source that feeds several layers, or a layer with a
    /// filter, has each record go to the first of its layers whose filter takes it (one that
    /// none takes is quarantined with why); each layer's part then lands as below, and the
    /// reports add up.
    pub async fn ingest(
        &self,
        source: &SourceConfig,
        batch: Batch,
        mode: IngestMode,
    ) -> Result<IngestReport, StoreError> {
        let filters: Vec<(&String, Option<&crate::config::LayerFilter>)> = source
            .layers
            .iter()
            .map(|l| (l, self.config.layer(l).and_then(|c| c.filter.as_ref())))
            .collect();
        if filters.len() <= 1 && filters.iter().all(|(_, f)| f.is_none()) {
            let report = self.ingest_into(source, batch, mode).await?;
            self.after_load(report.upserted + report.removed).await;
            return Ok(report);
        }
        let mut parts: Vec<Batch> = vec![Batch::default(); filters.len()];
        let Batch {
            records,
            mut rejected,
        } = batch;
        for (position, record) in records.into_iter().enumerate() {
            match filters
                .iter()
                .position(|(_, f)| f.is_none_or(|f| f.takes(&record.properties)))
            {
                Some(i) => parts[i].records.push(record),
                None => rejected.push(Rejected {
                    index: position,
                    reason: format!(
                        "record `{}`: no layer of this source takes it ({})",
                        record.id,
                        filters
                            .iter()
                            .filter_map(|(l, f)| f.map(|f| format!(
                                "`{l}` takes {} = {}",
                                f.field,
                                f.values.join(" | ")
                            )))
                            .collect::<Vec<_>>()
                            .join("; ")
                    ),
                    excerpt: crate::sources::excerpt_text(
                        &serde_json::to_string(&record.properties).unwrap_or_default(),
                    ),
                }),
            }
        }
        if let Some(first) = parts.first_mut() {
            first.rejected = rejected;
        }
        let mut total = IngestReport::default();
        for ((layer, _), part) in filters.iter().zip(parts) {
            let one = SourceConfig {
                layer: (*layer).clone(),
                ..source.clone()
            };
            let report = self.ingest_into(&one, part, mode).await?;
            total.upserted += report.upserted;
            total.removed += report.removed;
            total.rejected += report.rejected;
            total.count += report.count;
            total.first_rejection = total.first_rejection.or(report.first_rejection);
        }
        self.after_load(total.upserted + total.removed).await;
        Ok(total)
    }

    /// After a big load, once its batch and parsed records are gone: SQLite's caches and the
    /// allocator's free pages go back to the system ([`crate::memory`]).
    pub(super) async fn after_load(&self, changed: usize) {
        if changed >= crate::memory::RELEASE_FROM {
            self.release_memory().await;
        }
    }

    /// SQLite's idle caches and the allocators' free pages go back to the system: after a big
    /// load, and every few minutes while the engine runs (see `health_ticker`).
    pub(super) async fn release_memory(&self) {
        self.store.shrink_memory().await;
        crate::memory::release();
    }

    /// Lands one batch from a source into its layer (`source.layer`). New and changed records
    /// are upserted; in [`IngestMode::Snapshot`] records the source no longer lists are
    /// removed; rejects are quarantined; all in one store transaction, then the index, then one
    /// delta.
    async fn ingest_into(
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
        let history = self.config.layer(&source.layer).is_none_or(|l| l.history);
        let mut upserted: Vec<Feature> = Vec::new();
        let mut removed: Vec<Feature> = Vec::new();
        let was_empty;
        {
            let index = self.index();
            let layer = index.layer(&source.layer);
            was_empty = layer.is_none_or(|l| l.is_empty());
            // Which ids the batch lists matters only where a snapshot may remove some: not on
            // a layer's first load (a million clones and hash inserts saved there).
            let may_remove = mode == IngestMode::Snapshot && !was_empty;
            let mut listed = HashSet::new();
            for (position, record) in records.into_iter().enumerate() {
                let id = self.config.feature_key(source, record.id);
                // Only possible where the config changed under a store: a layer fed by one
                // source keeps bare ids, and another source once wrote this one.
                if let Some(other) = layer
                    .and_then(|l| l.source_of(&id))
                    .filter(|s| *s != source.id)
                {
                    rejected.push(Rejected {
                        index: position,
                        reason: format!(
                            "id `{id}` already belongs to source `{other}` in layer `{}`",
                            source.layer
                        ),
                        excerpt: id.clone(),
                    });
                    continue;
                }
                if may_remove {
                    listed.insert(id.clone());
                }
                // A line or polygon is kept whole, its map for days; a point's map only lives
                // until its row takes the text.
                let properties = if record.shape.is_some() {
                    crate::model::fitted(record.properties)
                } else {
                    record.properties
                };
                let feature = Feature {
                    layer: source.layer.clone(),
                    id,
                    source: source.id.clone(),
                    lon: record.lon,
                    lat: record.lat,
                    shape: record.shape.map(std::sync::Arc::new),
                    properties,
                    updated_at: at,
                };
                if layer.and_then(|l| l.unchanged(&feature)) != Some(true) {
                    upserted.push(feature);
                }
            }
            if let Some(layer) = layer.filter(|_| may_remove) {
                // Only the features that go are made whole.
                removed.extend(
                    layer
                        .ids_from(&source.id)
                        .filter(|id| !listed.contains(*id))
                        .filter_map(|id| layer.get(id))
                        .map(std::borrow::Cow::into_owned),
                );
            }
        }

        let upserted = std::sync::Arc::new(upserted);
        let staged = (was_empty && removed.is_empty() && upserted.len() >= STAGE_FROM).then(|| {
            let features = upserted.clone();
            tokio::task::spawn_blocking(move || StagedPoints::build(&features))
        });
        self.store
            .apply(
                &source.id,
                at,
                &ChangeSet {
                    upserted: upserted.iter().collect(),
                    removed: removed.iter().collect(),
                    rejected: rejected.iter().collect(),
                },
                history,
            )
            .await?;
        self.sync_cases(source, &upserted).await;

        let (upserted_count, removed_count) = (upserted.len(), removed.len());
        // The delta is made before the features move into the index, so nothing is cloned.
        let change = if upserted_count + removed_count > RELOAD_ABOVE {
            // A change this big is cheaper to refetch per viewport than to stream.
            Some(Change::Reload {
                layer: source.layer.clone(),
                polled_at: at,
            })
        } else if upserted_count + removed_count > 0 {
            // The batch just landed, so what it changed is fresh whatever the health registry
            // said before this poll (it is updated right after).
            Some(Change::Features {
                layer: source.layer.clone(),
                upserted: upserted
                    .iter()
                    .map(|f| {
                        let mut g = f.to_geojson(false);
                        self.display.geojson_out(&mut g);
                        g
                    })
                    .collect(),
                removed: removed.iter().map(|f| f.id.clone()).collect(),
                polled_at: at,
            })
        } else {
            None
        };
        let staged = match staged {
            Some(build) => build.await.ok(),
            None => None,
        };
        // The staging thread has let go of its share by now, so this moves, not copies.
        let mut upserted =
            std::sync::Arc::try_unwrap(upserted).unwrap_or_else(|shared| (*shared).clone());
        if staged.is_some() {
            // Its points are in the staged table: they are dropped here, not under the lock.
            upserted.retain(|f| f.shape.is_some());
        }
        let count = {
            let mut index = self.index.write().unwrap_or_else(|p| p.into_inner());
            let layer = index.layer_mut(&source.layer);
            for f in &removed {
                layer.remove(&f.id);
            }
            // A staged first load was tabled outside the lock, so viewports wait only for the
            // swap (and its lines and polygons).
            match staged {
                Some(points) => layer.install_first_load(points, upserted),
                None => layer.upsert_many(upserted.into_iter()),
            }
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
        if report.upserted + report.removed > 0 {
            self.evaluate_rules(Some(&source.layer)).await;
        }
        Ok(report)
    }
}

/// Sources hand their batches and their attempts' outcomes to the engine through this.
impl Sink for Engine {
    type Error = StoreError;

    async fn ingest(
        &self,
        source: &SourceConfig,
        batch: Batch,
        mode: IngestMode,
    ) -> Result<IngestReport, StoreError> {
        Engine::ingest(self, source, batch, mode).await
    }

    fn attempted(&self, source: &str, attempt: Attempt<'_>) {
        match attempt {
            Attempt::Alive { latency } => self.health.record_alive(source, latency),
            Attempt::Delivered {
                latency,
                received,
                report,
            } => self.health.record_success(
                source,
                latency,
                received,
                report.rejected,
                report.count,
                report.first_rejection.as_deref(),
            ),
            Attempt::Failed { latency, error } => {
                self.health.record_failure(source, latency, error)
            }
        }
        self.publish_health();
    }
}
