//! The PostgreSQL + PostGIS store: the same traits, the same rows and the same answers as the
//! SQLite store (the conformance suite runs on both), for a centre that keeps its truth in the
//! database its GIS staff already run. Its own migrations (`migrations-postgres/`): places are
//! PostGIS points with a GiST index beside the plain coordinates. SQL is written once, with
//! SQLite's `?` marks, and numbered for PostgreSQL when first used ([`pg`]).

mod account_admin;
mod accounts;
mod audit;
mod cases;
mod history;
mod media;
#[cfg(any(test, feature = "conformance"))]
pub mod server;
mod video;
mod warnings;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use serde_json::{Map, Value};
use sqlx::postgres::{PgArguments, PgPool, PgPoolOptions, PgRow};
use sqlx::{Connection, Postgres, QueryBuilder, Row};

use crate::model::Feature;
use crate::{audit_key, credentials, ChangeSet, RejectedRow, StoreError};

/// `sql` with its `?` marks (and `?N`) numbered `$1`, `$2`… as PostgreSQL wants them; marks
/// inside quotes are left alone. Each distinct statement is numbered once and kept: the
/// statements are the program's own, so they are few.
pub(crate) fn pg(sql: &str) -> &'static str {
    static SEEN: OnceLock<Mutex<HashMap<String, &'static str>>> = OnceLock::new();
    let seen = SEEN.get_or_init(Default::default);
    let mut seen = seen.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(done) = seen.get(sql) {
        return done;
    }
    let mut out = String::with_capacity(sql.len() + 8);
    let (mut n, mut quoted) = (0, false);
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                quoted = !quoted;
                out.push(c);
            }
            '?' if !quoted => {
                let mut digits = String::new();
                while let Some(d) = chars.peek().filter(|d| d.is_ascii_digit()) {
                    digits.push(*d);
                    chars.next();
                }
                if digits.is_empty() {
                    n += 1;
                    digits = n.to_string();
                }
                out.push('$');
                out.push_str(&digits);
            }
            _ => out.push(c),
        }
    }
    let done: &'static str = Box::leak(out.into_boxed_str());
    seen.insert(sql.to_string(), done);
    done
}

/// `sqlx::query` on a statement written with `?` marks.
pub(crate) fn query<'q>(sql: &str) -> sqlx::query::Query<'q, Postgres, PgArguments> {
    sqlx::query(pg(sql))
}

/// `sqlx::query_scalar` on a statement written with `?` marks.
pub(crate) fn query_scalar<'q, O>(
    sql: &str,
) -> sqlx::query::QueryScalar<'q, Postgres, O, PgArguments>
where
    (O,): for<'r> sqlx::FromRow<'r, PgRow>,
{
    sqlx::query_scalar(pg(sql))
}

/// What the store's code written once for both backends names, on PostgreSQL.
pub(crate) type Db = Postgres;
pub(crate) type DbRow = PgRow;
pub(crate) type DbConnection = sqlx::PgConnection;

#[derive(Clone)]
pub struct PgStore {
    pool: PgPool,
    /// Writers of this engine take turns, as on SQLite; between engines the database's own
    /// locks (and the audit's advisory lock) keep order.
    writer: Arc<tokio::sync::Mutex<()>>,
    strangers: Arc<std::sync::Mutex<credentials::Failures>>,
    hashing: Arc<credentials::Hashing>,
    audit_key: audit_key::AuditKey,
    zone: jiff::tz::TimeZone,
}

/// How many connections the store keeps open, unless the config says.
pub const DEFAULT_POOL: u32 = 8;

impl PgStore {
    /// Connects to `url` (`postgres://user@host/db`; the password from `PGPASSWORD` or the
    /// URL) with up to `pool` connections and brings the schema up to date. Errors name the
    /// database without its password.
    pub async fn open(url: &str, pool: u32) -> Result<PgStore, StoreError> {
        let shown = redacted(url);
        let mut options: sqlx::postgres::PgConnectOptions =
            url.parse().map_err(|e: sqlx::Error| StoreError::Open {
                path: shown.clone(),
                reason: e.to_string(),
            })?;
        if let Ok(password) = std::env::var("PGPASSWORD") {
            options = options.password(&password);
        }
        let pool = PgPoolOptions::new()
            .max_connections(pool.max(1))
            .connect_with(options)
            .await
            .map_err(|e| StoreError::Open {
                path: shown.clone(),
                reason: e.to_string(),
            })?;
        sqlx::migrate!("./migrations-postgres")
            .run(&pool)
            .await
            .map_err(|e| StoreError::Migrate {
                path: shown,
                reason: e.to_string(),
            })?;
        Ok(PgStore {
            pool,
            writer: Default::default(),
            strangers: Default::default(),
            hashing: Default::default(),
            audit_key: Default::default(),
            zone: jiff::tz::TimeZone::system(),
        })
    }

    /// The store, naming times in the centre's `zone`.
    pub fn with_zone(mut self, zone: jiff::tz::TimeZone) -> PgStore {
        self.zone = zone;
        self
    }

    /// The store, signing its audit rows with `key` from now on.
    pub fn with_audit_key(mut self, key: audit_key::AuditKey) -> PgStore {
        self.audit_key = key;
        self
    }
}

/// `url` without its password, for messages.
pub fn redacted(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        Ok(u) => u.to_string(),
        Err(_) => "the [store] url".into(),
    }
}

#[async_trait::async_trait]
impl crate::backend::FeatureStore for PgStore {
    /// PostgreSQL's buffers are the server's: nothing of this process to give back.
    async fn shrink_memory(&self) {}

    async fn load_features(&self) -> Result<Vec<Feature>, StoreError> {
        let rows = query(
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
        // Multi-row statements: 8 binds a row stays under PostgreSQL's 65,535 parameters.
        const ROWS: usize = 1_000;
        let _turn = self.writer.lock().await;
        let mut connection = self.pool.acquire().await?;
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
        for part in rows.chunks(ROWS) {
            let mut q = QueryBuilder::<Postgres>::new(
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
            if !history {
                continue;
            }
            let mut h = QueryBuilder::<Postgres>::new(
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
        for part in changes.removed.chunks(ROWS) {
            let mut d = QueryBuilder::<Postgres>::new("DELETE FROM features WHERE (layer, id) IN ");
            d.push_tuples(part, |mut b, f| {
                b.push_bind(&f.layer).push_bind(&f.id);
            });
            d.build().execute(&mut *tx).await?;
            if !history {
                continue;
            }
            let mut h = QueryBuilder::<Postgres>::new(
                "INSERT INTO feature_history (at, layer, id, source) ",
            );
            h.push_values(part, |mut b, f| {
                b.push_bind(at)
                    .push_bind(&f.layer)
                    .push_bind(&f.id)
                    .push_bind(&f.source);
            });
            h.build().execute(&mut *tx).await?;
        }
        for r in &changes.rejected {
            query("INSERT INTO rejected (at, source, record_index, reason, excerpt) VALUES (?, ?, ?, ?, ?)")
                .bind(at)
                .bind(source)
                .bind(i64::try_from(r.index).unwrap_or(i64::MAX))
                .bind(&r.reason)
                .bind(&r.excerpt)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn rejected(&self, source: &str, limit: u32) -> Result<Vec<RejectedRow>, StoreError> {
        let rows = query(
            "SELECT at, source, record_index, reason, excerpt FROM rejected WHERE source = ? ORDER BY seq DESC LIMIT ?",
        )
        .bind(source)
        .bind(i64::from(limit))
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
impl crate::backend::Backend for PgStore {
    fn clock(&self, ms: i64) -> String {
        crate::model::clock_in(&self.zone, ms)
    }

    async fn close(&self) {
        self.pool.close().await;
    }
}

crate::feature_rows!();
