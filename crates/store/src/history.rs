//! The store's memory of the past: a layer as it stood at an instant, one feature's recorded
//! states, the span replay can show, and the warnings open at an instant.

use serde_json::{Map, Value};
use sqlx::{query, query_scalar, Row};

use super::{feature_from_row, SqliteStore, StoreError};
use crate::model::{Bbox, Feature};
use crate::warning::Warning;

/// The history half of a backend, written once for both: `query`, `Db`, `DbRow` and
/// `DbConnection` are the invoking module's (SQLite's here, PostgreSQL's in [`crate::postgres`]).
macro_rules! history_store {
    ($store:ty) => {
        #[async_trait::async_trait]
        impl crate::backend::HistoryStore for $store {
            /// The layer as it stood at `at` (Unix ms of ingest): for each feature its latest history
            /// row at or before `at`, unless that row removed it; inside `bbox` when given.
            async fn features_at(
                &self,
                layer: &str,
                at: i64,
                bbox: Option<[f64; 4]>,
            ) -> Result<Vec<Feature>, StoreError> {
                let [w, s, e, n] = bbox.unwrap_or([-180.0, -90.0, 180.0, 90.0]);
                let rows = query(
                    "SELECT h.layer, h.id, h.source, h.lon, h.lat, h.geometry, h.properties, h.at AS updated_at \
                     FROM feature_history h \
                     JOIN (SELECT MAX(seq) AS seq FROM feature_history WHERE layer = ? AND at <= ? GROUP BY id) last \
                     ON h.seq = last.seq \
                     WHERE h.properties IS NOT NULL \
                     AND (h.geometry IS NOT NULL OR (h.lon BETWEEN ? AND ? AND h.lat BETWEEN ? AND ?))",
                )
                .bind(layer)
                .bind(at)
                .bind(w)
                .bind(e)
                .bind(s)
                .bind(n)
                .fetch_all(&self.pool)
                .await?;
                // Shapes were let through by their presence; their box decides.
                let within = Bbox {
                    west: w,
                    south: s,
                    east: e,
                    north: n,
                };
                let mut features = Vec::with_capacity(rows.len());
                for row in &rows {
                    let f = feature_from_row(row)?;
                    if f.shape.is_none() || f.bbox().intersects(&within) {
                        features.push(f);
                    }
                }
                Ok(features)
            }

            /// One feature's recorded states from `since` (Unix ms of ingest) on, oldest first, at most
            /// `limit` (the latest ones when there are more).
            async fn feature_history(
                &self,
                layer: &str,
                id: &str,
                since: i64,
                limit: u32,
            ) -> Result<Vec<(i64, Option<Map<String, Value>>)>, StoreError> {
                let rows = query(
                    "SELECT at, properties FROM (SELECT seq, at, properties FROM feature_history \
                     WHERE layer = ? AND id = ? AND at >= ? ORDER BY seq DESC LIMIT ?) latest ORDER BY seq",
                )
                .bind(layer)
                .bind(id)
                .bind(since)
                .bind(limit as i64)
                .fetch_all(&self.pool)
                .await?;
                rows.into_iter()
                    .map(|row| {
                        let at: i64 = row.try_get("at")?;
                        let text: Option<String> = row.try_get("properties")?;
                        let props = match text {
                            Some(t) => Some(serde_json::from_str(&t).map_err(|e| StoreError::Corrupt {
                                layer: layer.to_string(),
                                id: id.to_string(),
                                reason: e.to_string(),
                            })?),
                            None => None,
                        };
                        Ok((at, props))
                    })
                    .collect()
            }

            /// The first and last ingest times the history holds.
            async fn history_span(&self) -> Result<Option<(i64, i64)>, StoreError> {
                let row = query("SELECT MIN(at) AS first, MAX(at) AS last FROM feature_history")
                    .fetch_one(&self.pool)
                    .await?;
                let first: Option<i64> = row.try_get("first")?;
                let last: Option<i64> = row.try_get("last")?;
                Ok(first.zip(last))
            }

            /// The warnings open at `at` (data clock), with the state and level they had then.
            async fn warnings_at(&self, at: i64) -> Result<Vec<Warning>, StoreError> {
                let rows = query(
                    "SELECT w.id, COALESCE(l.body, w.body) AS body, l.state, l.level FROM warning_log l \
                     JOIN (SELECT MAX(seq) AS seq FROM warning_log WHERE at <= ? GROUP BY id) last ON l.seq = last.seq \
                     JOIN warnings w ON w.id = l.id WHERE l.state != 'cleared'",
                )
                .bind(at)
                .fetch_all(&self.pool)
                .await?;
                let mut out = Vec::new();
                for row in rows {
                    let id: String = row.try_get("id")?;
                    let body: String = row.try_get("body")?;
                    let mut w: Warning = serde_json::from_str(&body).map_err(|e| StoreError::Corrupt {
                        layer: "warnings".into(),
                        id,
                        reason: e.to_string(),
                    })?;
                    let state: String = row.try_get("state")?;
                    let level: String = row.try_get("level")?;
                    w.state = crate::warning::State::parse(&state).unwrap_or(w.state);
                    w.what.level = crate::warning::Level::parse(&level).unwrap_or(w.what.level);
                    if w.state != crate::warning::State::Acknowledged {
                        w.acknowledged_at = None;
                        w.acknowledged_by = None;
                    }
                    w.cleared_at = None;
                    out.push(w);
                }
                Ok(out)
            }

            /// How many history rows exist; used by tests and the status line.
            async fn history_len(&self) -> Result<i64, StoreError> {
                Ok(query_scalar("SELECT COUNT(*) FROM feature_history")
                    .fetch_one(&self.pool)
                    .await?)
            }
        }
    };
}
pub(crate) use history_store;

history_store!(SqliteStore);
