//! The video wall's saved layouts and tours in the store, each change written with its audit row
//! in one transaction.

use sqlx::{query, Row};

use super::audit::{append, AuditEntry};
use super::{SqliteStore, StoreError};

/// The video half of a backend, written once for both: `query`, `Db`, `DbRow` and
/// `DbConnection` are the invoking module's (SQLite's here, PostgreSQL's in [`crate::postgres`]).
macro_rules! layout_store {
    ($store:ty) => {
        #[async_trait::async_trait]
        impl crate::backend::LayoutStore for $store {
            /// Every saved layout's JSON body, by name.
            async fn video_layouts(&self) -> Result<Vec<(String, String)>, StoreError> {
                let rows = query("SELECT name, body FROM video_layouts ORDER BY name")
                    .fetch_all(&self.pool)
                    .await?;
                Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
            }

            /// Saves (or replaces) layout `name`, or deletes it when `body` is `None`; audited.
            async fn put_video_layout(
                &self,
                name: &str,
                body: Option<&str>,
                audit: &AuditEntry,
                at: i64,
            ) -> Result<bool, StoreError> {
                let _turn = self.writer.lock().await;
                let mut tx = self.pool.begin().await?;
                let changed = match body {
                    Some(body) => query(
                        "INSERT INTO video_layouts (name, body, updated_at, updated_by) VALUES (?, ?, ?, ?) \
                         ON CONFLICT (name) DO UPDATE SET body = excluded.body, \
                         updated_at = excluded.updated_at, updated_by = excluded.updated_by",
                    )
                    .bind(name)
                    .bind(body)
                    .bind(at)
                    .bind(&audit.actor)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected(),
                    None => query("DELETE FROM video_layouts WHERE name = ?")
                        .bind(name)
                        .execute(&mut *tx)
                        .await?
                        .rows_affected(),
                };
                if changed > 0 {
                    append(&mut tx, &self.audit_key, at, audit).await?;
                }
                tx.commit().await?;
                Ok(changed > 0)
            }
        }
    };
}
pub(crate) use layout_store;

layout_store!(SqliteStore);
