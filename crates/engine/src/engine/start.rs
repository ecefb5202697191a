//! Starting the engine: opens the store, rebuilds the index and the open warnings from it, then
//! starts one task per source, the ticker and the audit checkpoints.

use std::sync::{Arc, RwLock};

use tokio::sync::watch;

use super::{checkpoints, ticker, Engine, EngineError, RuleState};
use crate::config::Config;
use crate::feed::Feed;
use crate::health::Health;
use crate::regions::Regions;
use crate::rules::Warnings;
use crate::sources::poller;
use crate::spatial::SpatialIndex;
use crate::store::{Backend, SqliteStore, StoreError};

impl Engine {
    /// Opens the store, loads what it holds, and starts polling every source.
    pub async fn start(config: Config) -> Result<Arc<Engine>, EngineError> {
        let regions = Regions::load(&config.regions)?;
        let (centres, notes) = crate::centres::Centres::build(
            &config.centres,
            &regions,
            (&config.centre.name_zh, &config.centre.name_en),
        )?;
        for note in notes {
            tracing::info!("centres: {note}");
        }
        let key = crate::store::audit_key::AuditKey::load(&config.audit.key_file, true)
            .map_err(|e| StoreError::AuditKey(e.to_string()))?;
        let store: Arc<dyn Backend> = match &config.store_url {
            Some(url) => {
                let store = crate::store::postgres::PgStore::open(url, config.store_pool).await?;
                tracing::info!(
                    "store: PostgreSQL {} ({} connections)",
                    crate::store::postgres::redacted(url),
                    config.store_pool
                );
                Arc::new(store.with_audit_key(key).with_zone(config.centre.zone()))
            }
            None => Arc::new(
                SqliteStore::open(&config.store_path)
                    .await?
                    .with_audit_key(key)
                    .with_zone(config.centre.zone()),
            ),
        };
        let features = store.load_features().await?;
        let open_warnings = store.warnings(true, u32::MAX).await?;
        let last_warning = store.last_warning_number().await?;
        let health = Health::new(&config.sources);
        for source in &config.sources {
            health.set_count(
                &source.id,
                features.iter().filter(|f| f.source == source.id).count(),
            );
        }
        let loaded = features.len();
        let index = SpatialIndex::load(features);
        let (shutdown, _) = watch::channel(false);
        let basemap = match &config.basemap {
            Some(b) => {
                let mut basemap = crate::basemap::Basemap::open(b).await;
                basemap.check_extent(config.map.extent());
                Some(basemap)
            }
            None => None,
        };
        let display = crate::display::MapDatum::of(
            config.basemap.as_ref().map(|b| b.crs()).unwrap_or_default(),
        );
        let engine = Arc::new(Engine {
            basemap,
            display,
            index: RwLock::new(index),
            store,
            health,
            feed: Feed::new(),
            regions,
            centres,
            rebuilding: Default::default(),
            health_changed: Default::default(),
            kpi_trend: Default::default(),
            steps: Default::default(),
            rules: tokio::sync::Mutex::new(RuleState {
                warnings: Warnings::restore(open_warnings, last_warning),
                ..Default::default()
            }),
            shutdown,
            config,
        });
        engine.after_load(loaded).await;
        for source in engine.config.sources.clone() {
            let shutdown = engine.shutdown.subscribe();
            if matches!(source.kind, crate::config::SourceKind::Mqtt(_)) {
                tokio::spawn(crate::sources::mqtt::run(engine.clone(), source, shutdown));
            } else {
                tokio::spawn(poller::run(engine.clone(), source, shutdown));
            }
        }
        tokio::spawn(ticker::run(engine.clone(), engine.shutdown.subscribe()));
        tokio::spawn(checkpoints::run(
            engine.clone(),
            engine.shutdown.subscribe(),
        ));
        Ok(engine)
    }
}
