//! Warnings in the store: their current state, one log row per change, and the audit row of
//! an operator's action written in the same transaction.

use sqlx::{query, query_scalar, Row};

use super::{audit, SqliteStore, StoreError};
use crate::warning::Warning;

/// The warnings half of a backend, written once for both: `query`, `Db`, `DbRow` and
/// `DbConnection` are the invoking module's (SQLite's here, PostgreSQL's in [`crate::postgres`]).
macro_rules! warning_store {
    ($store:ty) => {
        #[async_trait::async_trait]
        impl crate::backend::WarningStore for $store {
            /// Writes warnings that changed (and one log row each) in one transaction.
            async fn save_warnings(&self, warnings: &[Warning]) -> Result<(), StoreError> {
                self.save_warnings_audited(warnings, None).await.map(|_| ())
            }

            /// Saves warning changes an operator made, and the audit row saying so, in one transaction:
            /// both land or neither does.
            async fn save_warnings_audited(
                &self,
                warnings: &[Warning],
                action: Option<&crate::values::AuditEntry>,
            ) -> Result<Option<crate::values::AuditRecord>, StoreError> {
                let _turn = self.writer.lock().await;
                let mut tx = self.pool.begin().await?;
                for w in warnings {
                    let body = serde_json::to_string(w).unwrap_or_else(|_| "{}".into());
                    query(
                        "INSERT INTO warnings (id, key, kind, level, state, layer, subject, raised_at, updated_at, body) \
                         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET level = excluded.level, \
                         state = excluded.state, updated_at = excluded.updated_at, body = excluded.body",
                    )
                    .bind(&w.id)
                    .bind(&w.what.key)
                    .bind(w.what.kind.as_str())
                    .bind(w.what.level.as_str())
                    .bind(w.state.as_str())
                    .bind(&w.what.layer)
                    .bind(&w.what.subject)
                    .bind(w.raised_at)
                    .bind(w.updated_at)
                    .bind(&body)
                    .execute(&mut *tx)
                    .await?;
                    query(
                        "INSERT INTO warning_log (at, id, state, level, body) VALUES (?, ?, ?, ?, ?)",
                    )
                    .bind(w.updated_at)
                    .bind(&w.id)
                    .bind(w.state.as_str())
                    .bind(w.what.level.as_str())
                    .bind(&body)
                    .execute(&mut *tx)
                    .await?;
                }
                let record = match action {
                    Some(entry) => {
                        Some(audit::append(&mut tx, &self.audit_key, crate::model::now_ms(), entry).await?)
                    }
                    None => None,
                };
                tx.commit().await?;
                Ok(record)
            }

            /// Warnings, newest change first: only open ones, or all (cleared included).
            async fn warnings(&self, open_only: bool, limit: u32) -> Result<Vec<Warning>, StoreError> {
                let sql = if open_only {
                    "SELECT id, body FROM warnings WHERE state != 'cleared' ORDER BY updated_at DESC LIMIT ?"
                } else {
                    "SELECT id, body FROM warnings ORDER BY updated_at DESC LIMIT ?"
                };
                let rows = query(sql)
                    .bind(limit as i64)
                    .fetch_all(&self.pool)
                    .await?;
                rows.into_iter()
                    .map(|row| {
                        let id: String = row.try_get("id")?;
                        let body: String = row.try_get("body")?;
                        serde_json::from_str(&body).map_err(|e| StoreError::Corrupt {
                            layer: "warnings".into(),
                            id,
                            reason: e.to_string(),
                        })
                    })
                    .collect()
            }

            /// The highest warning number issued so far, so ids stay unique across restarts.
            async fn last_warning_number(&self) -> Result<u64, StoreError> {
                let id: Option<String> = query_scalar("SELECT MAX(id) FROM warnings")
                    .fetch_one(&self.pool)
                    .await?;
                Ok(id
                    .and_then(|i| i.trim_start_matches('W').parse().ok())
                    .unwrap_or(0))
            }
        }
    };
}
pub(crate) use warning_store;

warning_store!(SqliteStore);
