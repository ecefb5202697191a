//! Photos in the store: written once under the SHA-256 of their bytes with the audit row of the
//! upload in the same transaction, read back by that id.

use sha2::{Digest, Sha256};
use sqlx::{query, Row};

use super::audit::{append, AuditEntry};
use super::{SqliteStore, StoreError};
pub use crate::values::Photo;

/// The id a photo's bytes are kept under: their SHA-256 in hex.
pub fn media_id(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The media half of a backend, written once for both: `query`, `Db`, `DbRow` and
/// `DbConnection` are the invoking module's (SQLite's here, PostgreSQL's in [`crate::postgres`]).
macro_rules! media_store {
    ($store:ty) => {
        #[async_trait::async_trait]
        impl crate::backend::MediaStore for $store {
            /// Keeps a photo (once, however often it is sent) and audits the upload; answers its id.
            async fn put_media(
                &self,
                bytes: &[u8],
                content_type: &str,
                audit: &AuditEntry,
                at: i64,
            ) -> Result<String, StoreError> {
                let id = media_id(bytes);
                let _turn = self.writer.lock().await;
                let mut tx = self.pool.begin().await?;
                query(
                    "INSERT INTO media (id, content_type, size, uploaded_at, uploaded_by, bytes) \
                     VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
                )
                .bind(&id)
                .bind(content_type)
                .bind(bytes.len() as i64)
                .bind(at)
                .bind(&audit.actor)
                .bind(bytes)
                .execute(&mut *tx)
                .await?;
                let mut audit = audit.clone();
                audit.target = id.clone();
                append(&mut tx, &self.audit_key, at, &audit).await?;
                tx.commit().await?;
                Ok(id)
            }

            /// A stored photo, if there is one under `id`.
            async fn media(&self, id: &str) -> Result<Option<Photo>, StoreError> {
                let row = query("SELECT content_type, bytes FROM media WHERE id = ?")
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await?;
                Ok(row.map(|r| Photo {
                    content_type: r.get(0),
                    bytes: r.get(1),
                }))
            }

            /// Whether a photo is stored under `id`.
            async fn has_media(&self, id: &str) -> Result<bool, StoreError> {
                Ok(query("SELECT 1 FROM media WHERE id = ?")
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await?
                    .is_some())
            }
        }
    };
}
pub(crate) use media_store;

media_store!(SqliteStore);
