//! The SQLite store (sqlx, WAL, embedded migrations): current features, their append-only
//! history, the quarantine of rejected records, warnings (warnings.rs), the operators' audit log
//! (audit.rs), accounts, cases, photos and video layouts. It knows the model's values and
//! nothing of sources, rules or the engine; its errors name no backend (error.rs).

mod account_admin;
pub mod accounts;
pub mod audit;
pub mod audit_key;
pub mod backend;
pub mod cases;
#[cfg(any(test, feature = "conformance"))]
pub mod conformance;
pub(crate) mod credentials;
mod error;
mod history;
pub mod media;
pub mod postgres;
pub mod values;
mod video;
mod warnings;

pub use backend::{
    AccountAdmin, AccountStore, AuditStore, Backend, CaseStore, FeatureStore, HistoryStore,
    LayoutStore, MediaStore, WarningStore,
};
pub use error::StoreError;

/// Every trait of the store, for code that holds a backend by its own type (a CLI, a test).
pub mod prelude {
    pub use crate::backend::{
        AccountAdmin, AccountStore, AuditStore, Backend, CaseStore, FeatureStore, HistoryStore,
        LayoutStore, MediaStore, WarningStore,
    };
}

// The model's modules under the paths the store names them by.
use citywall_model::{access, geometry, memory, model, warning};
use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;

use serde::Serialize;
use serde_json::{Map, Value};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteRow,
    SqliteSynchronous,
};
use sqlx::{Connection, QueryBuilder, Row, Sqlite};

use crate::model::Feature;
use crate::model::Rejected;

/// One quarantined record, as `GET /api/v1/sources/{id}/rejected` shows it.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct RejectedRow {
    pub at: i64,
    pub source: String,
    pub record_index: i64,
    pub reason: String,
    pub excerpt: String,
}

/// One batch of changes from one source, written in one transaction.
#[derive(Debug, Default)]
pub struct ChangeSet<'a> {
    pub upserted: Vec<&'a Feature>,
    pub removed: Vec<&'a Feature>,
    pub rejected: Vec<&'a Rejected>,
}

#[derive(Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
    /// SQLite has one writer at a time. Writers take turns here rather than racing for the
    /// file lock: a census's first load holds it for seconds, and a source whose batch waited
    /// past SQLite's busy timeout failed with "database is locked" (seen with 27 sources at
    /// start). Readers never wait for it (WAL).
    writer: std::sync::Arc<tokio::sync::Mutex<()>>,
    /// Failed logins of names without an account, counted as an account's are (in memory: a
    /// restart forgets them, as it forgets nothing an attacker learns from): an unknown name
    /// locks after the same failures and answers the same, so answers tell no one who has an
    /// account.
    strangers: std::sync::Arc<std::sync::Mutex<credentials::Failures>>,
    /// Where passwords are checked, a few at a time ([`credentials::Hashing`]).
    hashing: std::sync::Arc<credentials::Hashing>,
    /// What every audit row is signed with ([`audit_key`]).
    audit_key: audit_key::AuditKey,
    /// The centre's time zone, for the times its messages name (a lockout's end).
    zone: jiff::tz::TimeZone,
}

/// What the store's code written once for both backends (the `*_store!` macros) names: SQLite's
/// types here, PostgreSQL's in [`postgres`].
pub(crate) type Db = Sqlite;
pub(crate) type DbRow = SqliteRow;
pub(crate) type DbConnection = sqlx::SqliteConnection;

/// Upserted rows from which a batch's history is copied inside SQLite (see [`SqliteStore::apply`]).
const COPY_HISTORY_FROM: usize = 50_000;

/// Each connection's page cache, in KiB: SQLite's own default. SQLite keeps every page it
/// touched up to this, and a store whose history grows with every poll fills it over hours,
/// with pages just written that nobody reads again: at 64 MiB for each of the four
/// connections the demo engine grew 27 MB an hour through `make soak`, at 8 MiB still 25 MB an
/// hour over its first hour. Reads that miss it come from the system's file cache.
const CACHE_KIB: u32 = 2_048;

/// The page cache while one batch of at least [`crate::memory::RELEASE_FROM`] rows is written
/// (a census layer's first load): the index pages of a layer of half a million features stay
/// in memory through it. The connection goes back to [`CACHE_KIB`] after the batch, and the
/// ingest has the caches shrunk.
const BULK_CACHE_KIB: u32 = 65_536;

/// Sets a connection's page cache (SQLite trims a cache above it at once).
async fn set_cache(connection: &mut sqlx::SqliteConnection, kib: u32) -> Result<(), StoreError> {
    sqlx::query(&format!("PRAGMA cache_size = -{kib}"))
        .execute(connection)
        .await?;
    Ok(())
}

impl SqliteStore {
    pub async fn open(path: &Path) -> Result<SqliteStore, StoreError> {
        let shown = path.display().to_string();
        if let Some(dir) = path.parent() {
            if !dir.as_os_str().is_empty() {
                let _ = std::fs::create_dir_all(dir);
            }
        }
        let options = SqliteConnectOptions::from_str("sqlite://")
            .map_err(|e| StoreError::Open {
                path: shown.clone(),
                reason: e.to_string(),
            })?
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .pragma("cache_size", format!("-{CACHE_KIB}"))
            .pragma("temp_store", "memory");
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await
            .map_err(|e| StoreError::Open {
                path: shown.clone(),
                reason: e.to_string(),
            })?;
        sqlx::migrate!("./migrations")
            .run(&pool)
            .await
            .map_err(|e| StoreError::Migrate {
                path: shown,
                reason: e.to_string(),
            })?;
        Ok(SqliteStore {
            pool,
            writer: Default::default(),
            strangers: Default::default(),
            hashing: Default::default(),
            audit_key: Default::default(),
            zone: jiff::tz::TimeZone::system(),
        })
    }

    /// The store, naming times in the centre's `zone` (the machine's zone until told).
    pub fn with_zone(mut self, zone: jiff::tz::TimeZone) -> SqliteStore {
        self.zone = zone;
        self
    }

    /// The store, signing its audit rows with `key` from now on.
    pub fn with_audit_key(mut self, key: audit_key::AuditKey) -> SqliteStore {
        self.audit_key = key;
        self
    }
}

#[async_trait::async_trait]
impl backend::FeatureStore for SqliteStore {
    /// Lets SQLite give back the page cache of every open connection (see [`CACHE_KIB`]). After
    /// a big load the cache holds the pages just written, which a static layer never reads
    /// again; it refills as pages are needed.
    async fn shrink_memory(&self) {
        let mut held = Vec::new();
        // Every idle connection, one at a time, without opening new ones.
        while held.len() < self.pool.size() as usize {
            match self.pool.try_acquire() {
                Some(mut connection) => {
                    let _ = sqlx::query("PRAGMA shrink_memory")
                        .execute(&mut *connection)
                        .await;
                    held.push(connection);
                }
                None => break,
            }
        }
    }
    /// Every current feature, to rebuild the index at start.
    async fn load_features(&self) -> Result<Vec<Feature>, StoreError> {
        let rows = sqlx::query(
            "SELECT layer, id, source, lon, lat, geometry, properties, updated_at FROM features",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(feature_from_row).collect()
    }
    async fn apply(
        &self,
        source: &str,
        at: i64,
        changes: &ChangeSet<'_>,
        history: bool,
    ) -> Result<(), StoreError> {
        // Multi-row statements: one round trip per 400 rows instead of two per row (8 binds a
        // row stays well under SQLite's variable limit).
        const ROWS: usize = 400;
        let _turn = self.writer.lock().await;
        let mut connection = self.pool.acquire().await?;
        let bulk = changes.upserted.len() >= crate::memory::RELEASE_FROM;
        if bulk {
            set_cache(&mut connection, BULK_CACHE_KIB).await?;
        }
        let written: Result<(), StoreError> = async {
            let mut tx = connection.begin().await?;
            let props: Vec<String> = changes
                .upserted
                .iter()
                .map(|f| serde_json::to_string(&f.properties).unwrap_or_else(|_| "{}".into()))
                .collect();
            let shapes: Vec<Option<String>> = changes
                .upserted
                .iter()
                .map(|f| f.shape.as_ref().map(|s| s.to_text()))
                .collect();
            let rows: Vec<(&Feature, &String, &Option<String>)> = changes
                .upserted
                .iter()
                .zip(props.iter())
                .zip(shapes.iter())
                .map(|((f, p), s)| (*f, p, s))
                .collect();
            // A big batch of one source into one layer (a layer's first load, say) has its history
            // rows copied inside SQLite from the rows just written, rather than every value bound a
            // second time.
            let copy_history = history
                && changes.upserted.len() >= COPY_HISTORY_FROM
                && changes.upserted.iter().all(|f| {
                    f.updated_at == at && f.source == source && f.layer == changes.upserted[0].layer
                });
            for part in rows.chunks(ROWS) {
                let mut q = QueryBuilder::<Sqlite>::new(
                    "INSERT INTO features (layer, id, source, lon, lat, geometry, properties, updated_at) ",
                );
                q.push_values(part, |mut b, (f, props, shape)| {
                    b.push_bind(&f.layer)
                        .push_bind(&f.id)
                        .push_bind(&f.source)
                        .push_bind(f.lon)
                        .push_bind(f.lat)
                        .push_bind(shape.as_deref())
                        .push_bind(props.as_str())
                        .push_bind(f.updated_at);
                });
                q.push(
                    " ON CONFLICT (layer, id) DO UPDATE SET source = excluded.source, lon = excluded.lon, lat = excluded.lat, \
                     geometry = excluded.geometry, properties = excluded.properties, updated_at = excluded.updated_at",
                );
                q.build().execute(&mut *tx).await?;
                if !history || copy_history {
                    continue;
                }
                let mut h = QueryBuilder::<Sqlite>::new(
                    "INSERT INTO feature_history (at, layer, id, source, lon, lat, geometry, properties) ",
                );
                h.push_values(part, |mut b, (f, props, shape)| {
                    b.push_bind(at)
                        .push_bind(&f.layer)
                        .push_bind(&f.id)
                        .push_bind(&f.source)
                        .push_bind(f.lon)
                        .push_bind(f.lat)
                        .push_bind(shape.as_deref())
                        .push_bind(props.as_str());
                });
                h.build().execute(&mut *tx).await?;
            }
            if copy_history {
                sqlx::query(
                    "INSERT INTO feature_history (at, layer, id, source, lon, lat, geometry, properties) \
                     SELECT updated_at, layer, id, source, lon, lat, geometry, properties FROM features \
                     WHERE layer = ? AND source = ? AND updated_at = ?",
                )
                .bind(&changes.upserted[0].layer)
                .bind(source)
                .bind(at)
                .execute(&mut *tx)
                .await?;
            }
            for part in changes.removed.chunks(ROWS) {
                for f in part {
                    sqlx::query("DELETE FROM features WHERE layer = ? AND id = ?")
                        .bind(&f.layer)
                        .bind(&f.id)
                        .execute(&mut *tx)
                        .await?;
                }
                if !history {
                    continue;
                }
                let mut h =
                    QueryBuilder::<Sqlite>::new("INSERT INTO feature_history (at, layer, id, source) ");
                h.push_values(part, |mut b, f| {
                    b.push_bind(at)
                        .push_bind(&f.layer)
                        .push_bind(&f.id)
                        .push_bind(&f.source);
                });
                h.build().execute(&mut *tx).await?;
            }
            for r in &changes.rejected {
                sqlx::query("INSERT INTO rejected (at, source, record_index, reason, excerpt) VALUES (?, ?, ?, ?, ?)")
                    .bind(at)
                    .bind(source)
                    .bind(r.index as i64)
                    .bind(&r.reason)
                    .bind(&r.excerpt)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            Ok(())
        }
        .await;
        if bulk {
            set_cache(&mut connection, CACHE_KIB).await?;
        }
        written
    }
    /// The latest quarantined records of a source, newest first.
    async fn rejected(&self, source: &str, limit: u32) -> Result<Vec<RejectedRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT at, source, record_index, reason, excerpt FROM rejected WHERE source = ? ORDER BY seq DESC LIMIT ?",
        )
        .bind(source)
        .bind(limit as i64)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|row| {
                Ok(RejectedRow {
                    at: row.try_get("at")?,
                    source: row.try_get("source")?,
                    record_index: row.try_get("record_index")?,
                    reason: row.try_get("reason")?,
                    excerpt: row.try_get("excerpt")?,
                })
            })
            .collect()
    }
}

#[async_trait::async_trait]
impl backend::Backend for SqliteStore {
    /// An instant as the centre reads a clock: `09:57 (UTC+02:00)`.
    fn clock(&self, ms: i64) -> String {
        model::clock_in(&self.zone, ms)
    }

    async fn close(&self) {
        self.pool.close().await;
    }
}

/// Reading a stored feature row, written once for both backends (`DbRow` is the invoking
/// module's).
macro_rules! feature_rows {
    () => {
        /// A stored feature row (`layer, id, source, lon, lat, geometry, properties, updated_at`),
        /// current or historical. Properties that are not a JSON object, or a geometry that no longer
        /// reads, name the feature they belong to.
        fn feature_from_row(row: &DbRow) -> Result<Feature, StoreError> {
            let layer: String = row.try_get("layer")?;
            let id: String = row.try_get("id")?;
            let text: String = row.try_get("properties")?;
            let properties: Map<String, Value> =
                serde_json::from_str(&text).map_err(|e| StoreError::Corrupt {
                    layer: layer.clone(),
                    id: id.clone(),
                    reason: e.to_string(),
                })?;
            let geometry: Option<String> = row.try_get("geometry")?;
            let shape = match geometry {
                Some(text) => serde_json::from_str::<Value>(&text)
                    .map_err(|e| e.to_string())
                    .and_then(|v| crate::geometry::parse(&v))
                    .map(|at| at.shape.map(Arc::new))
                    .map_err(|reason| StoreError::Corrupt {
                        layer: layer.clone(),
                        id: id.clone(),
                        reason,
                    })?,
                None => None,
            };
            Ok(Feature {
                layer,
                id,
                source: row.try_get("source")?,
                lon: row.try_get("lon")?,
                lat: row.try_get("lat")?,
                shape,
                properties: crate::model::fitted(properties),
                updated_at: row.try_get("updated_at")?,
            })
        }
    };
}
pub(crate) use feature_rows;

feature_rows!();

#[cfg(test)]
mod tests;
