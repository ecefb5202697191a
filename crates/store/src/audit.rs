//! The audit log: each operator action (who, what, on which thing, when, with what detail),
//! appended in the same transaction as the change it records, never updated or deleted (the
//! schema's triggers refuse both), and chained — each row holds the hash of the one before and
//! its own, an HMAC under the audit key ([`super::audit_key`]) — so [`SqliteStore::verify_audit`]
//! finds any row altered, removed, inserted or forged by someone without the key. A row is
//! bounded: its fields are cut to a few KB, however big what a client sent.

use crate::backend::Backend as _;
use serde_json::Value;
use sha2::{Digest, Sha256};
use sqlx::{query, Row};

use super::audit_key::{AuditKey, Checkpoint};
use super::{DbConnection, DbRow, SqliteStore, StoreError};
pub use crate::values::{AuditCheck, AuditEntry, AuditRecord};

/// The hash the first row chains to.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The most a row's actor, action and target hold (characters), and its detail (bytes of JSON):
/// a 5 MB camera name is a 5 MB audit row otherwise.
pub(crate) const MAX_NAME_CHARS: usize = 128;
pub(crate) const MAX_TARGET_CHARS: usize = 256;
const MAX_DETAIL_BYTES: usize = 4_096;

pub(crate) fn clip(text: &str, chars: usize) -> String {
    match text.char_indices().nth(chars) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_string(),
    }
}

/// The detail as stored: its JSON, or — past [`MAX_DETAIL_BYTES`] — an excerpt saying so.
pub(crate) fn bounded_detail(detail: &Value) -> String {
    let text = detail.to_string();
    if text.len() <= MAX_DETAIL_BYTES {
        return text;
    }
    serde_json::json!({
        "truncated_from_bytes": text.len(),
        "excerpt": clip(&text, 1_000),
    })
    .to_string()
}

/// The CSV export's header row: `at` is ISO 8601 in the centre's zone with its offset, `at_ms`
/// the Unix milliseconds the hash covers.
pub const CSV_HEADER: &str = "seq,at,at_ms,actor,action,target,detail,prev_hash,hash";

impl AuditRecord {
    /// The row as an export writes it — CSV ([`CSV_HEADER`]) or one JSON object — with its time
    /// as ISO 8601 in `zone` (and the raw milliseconds beside it, to check the hash against).
    pub fn export_row(&self, zone: &jiff::tz::TimeZone, csv: bool) -> String {
        let at = crate::model::iso_in(zone, self.at);
        if csv {
            return self.csv_row(&at);
        }
        serde_json::json!({
            "seq": self.seq,
            "at": at,
            "at_ms": self.at,
            "actor": self.actor,
            "action": self.action,
            "target": self.target,
            "detail": self.detail,
            "prev_hash": self.prev_hash,
            "hash": self.hash,
        })
        .to_string()
    }

    /// The row as RFC 4180 CSV; a cell a spreadsheet would run as a formula is prefixed with `'`.
    fn csv_row(&self, at: &str) -> String {
        let cell = |s: &str| {
            let s = if s.starts_with(['=', '+', '-', '@']) {
                format!("'{s}")
            } else {
                s.to_string()
            };
            format!("\"{}\"", s.replace('"', "\"\""))
        };
        [
            self.seq.to_string(),
            at.to_string(),
            self.at.to_string(),
            cell(&self.actor),
            cell(&self.action),
            cell(&self.target),
            cell(&self.detail),
            self.prev_hash.clone(),
            self.hash.clone(),
        ]
        .join(",")
    }

    /// The row's hash under `key`: HMAC-SHA-256 over the previous hash and every field, each
    /// length-prefixed so no two different rows hash the same text; without a key, plain
    /// SHA-256 of the same (how rows were written before the log had a key).
    pub fn compute_hash(&self, key: &AuditKey) -> String {
        let seq = self.seq.to_string();
        let at = self.at.to_string();
        let parts = [
            self.prev_hash.as_str(),
            &seq,
            &at,
            &self.actor,
            &self.action,
            &self.target,
            &self.detail,
        ];
        if let Some(signed) = key.sign(&parts) {
            return signed;
        }
        let mut h = Sha256::new();
        for part in parts {
            h.update((part.len() as u64).to_le_bytes());
            h.update(part.as_bytes());
        }
        h.finalize().iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// The audit half of a backend, written once for both: the chain's append (after the
/// invoking module's `audit_turn`, which makes appends take turns), and the trait. `query`,
/// `DbRow` and `DbConnection` are the invoking module's.
macro_rules! audit_store {
    ($store:ty) => {
        /// Appends `entry` inside the caller's transaction. Call it after the transaction's own writes:
        /// holding SQLite's write lock by then, nobody can append between reading the chain's end and
        /// extending it.
        pub async fn append(
            conn: &mut DbConnection,
            key: &AuditKey,
            at: i64,
            entry: &AuditEntry,
        ) -> Result<AuditRecord, StoreError> {
            audit_turn(&mut *conn).await?;
            let last = query("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1")
                .fetch_optional(&mut *conn)
                .await?;
            let (seq, prev_hash) = match last {
                Some(row) => (row.get::<i64, _>(0) + 1, row.get::<String, _>(1)),
                None => (1, GENESIS.to_string()),
            };
            let mut record = AuditRecord {
                seq,
                at,
                actor: clip(&entry.actor, MAX_NAME_CHARS),
                action: clip(&entry.action, MAX_NAME_CHARS),
                target: clip(&entry.target, MAX_TARGET_CHARS),
                detail: bounded_detail(&entry.detail),
                prev_hash,
                hash: String::new(),
            };
            record.hash = record.compute_hash(key);
            query(
                "INSERT INTO audit (seq, at, actor, action, target, detail, prev_hash, hash) \
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(record.seq)
            .bind(record.at)
            .bind(&record.actor)
            .bind(&record.action)
            .bind(&record.target)
            .bind(&record.detail)
            .bind(&record.prev_hash)
            .bind(&record.hash)
            .execute(&mut *conn)
            .await?;
            Ok(record)
        }

        fn record_of(row: &DbRow) -> AuditRecord {
            AuditRecord {
                seq: row.get(0),
                at: row.get(1),
                actor: row.get(2),
                action: row.get(3),
                target: row.get(4),
                detail: row.get(5),
                prev_hash: row.get(6),
                hash: row.get(7),
            }
        }

        pub(crate) const COLUMNS: &str = "seq, at, actor, action, target, detail, prev_hash, hash";

        #[async_trait::async_trait]
        impl crate::backend::AuditStore for $store {
            /// Rows after `after_seq`, oldest first, at most `limit`.
            async fn audit(&self, after_seq: i64, limit: u32) -> Result<Vec<AuditRecord>, StoreError> {
                let rows = query(&format!(
                    "SELECT {COLUMNS} FROM audit WHERE seq > ? ORDER BY seq LIMIT ?"
                ))
                .bind(after_seq)
                .bind(i64::from(limit))
                .fetch_all(&self.pool)
                .await?;
                Ok(rows.iter().map(record_of).collect())
            }

            /// Appends one action on its own (one that changes nothing else, as an export).
            async fn append_audit(&self, entry: &AuditEntry, at: i64) -> Result<AuditRecord, StoreError> {
                let _turn = self.writer.lock().await;
                let mut tx = self.pool.begin().await?;
                let record = append(&mut tx, &self.audit_key, at, entry).await?;
                tx.commit().await?;
                Ok(record)
            }

            /// Every row of `action` on `target`, oldest first (the steps taken on one warning).
            async fn audit_of(&self, action: &str, target: &str) -> Result<Vec<AuditRecord>, StoreError> {
                let rows = query(&format!(
                    "SELECT {COLUMNS} FROM audit WHERE action = ? AND target = ? ORDER BY seq LIMIT 1000"
                ))
                .bind(action)
                .bind(target)
                .fetch_all(&self.pool)
                .await?;
                Ok(rows.iter().map(record_of).collect())
            }

            /// The latest `limit` rows, newest first: what the console shows.
            async fn audit_latest(&self, limit: u32) -> Result<Vec<AuditRecord>, StoreError> {
                let rows = query(&format!(
                    "SELECT {COLUMNS} FROM audit ORDER BY seq DESC LIMIT ?"
                ))
                .bind(i64::from(limit))
                .fetch_all(&self.pool)
                .await?;
                Ok(rows.iter().map(record_of).collect())
            }

            /// Walks the whole chain: numbering without gaps from 1, each row's `prev_hash` the hash of
            /// the row before, each hash what the row's fields give under the audit key. Rows from
            /// before the log had a key pass on their links alone, but only before the first signed
            /// row: an unsigned row after it was written by someone without the key.
            async fn verify_audit(&self) -> Result<AuditCheck, StoreError> {
                let key = &self.audit_key;
                let unkeyed_key = AuditKey::default();
                let mut check = AuditCheck {
                    rows: 0,
                    broken: None,
                    keyed: 0,
                    unkeyed: 0,
                    unchecked: 0,
                    head: None,
                };
                let mut expected_prev = GENESIS.to_string();
                let mut after = 0i64;
                loop {
                    let page = self.audit(after, 5_000).await?;
                    if page.is_empty() {
                        return Ok(check);
                    }
                    for r in page {
                        check.rows += 1;
                        let signed = key.is_set() && r.compute_hash(key) == r.hash;
                        let plain = r.compute_hash(&unkeyed_key) == r.hash;
                        let fault = if r.seq != check.rows as i64 {
                            Some(format!(
                                "expected row {} here: rows were removed or inserted",
                                check.rows
                            ))
                        } else if r.prev_hash != expected_prev {
                            Some(
                                "does not chain to the row before: a row before it was changed or removed"
                                    .into(),
                            )
                        } else if signed {
                            check.keyed += 1;
                            None
                        } else if plain && check.keyed == 0 && check.unchecked == 0 {
                            check.unkeyed += 1;
                            None
                        } else if plain {
                            Some(
                                "is not signed with the audit key, though rows before it are: it was \
                                 written by someone without the key"
                                    .into(),
                            )
                        } else if !key.is_set() {
                            check.unchecked += 1;
                            None
                        } else {
                            Some(
                                "its content does not match its signature: it was changed, or written \
                                 without the audit key"
                                    .into(),
                            )
                        };
                        if let Some(reason) = fault {
                            check.broken = Some((r.seq, reason));
                            return Ok(check);
                        }
                        expected_prev = r.hash.clone();
                        after = r.seq;
                        check.head = Some((r.seq, r.hash));
                    }
                }
            }

            /// The log's head now, as a checkpoint to keep (none while the log is empty).
            async fn audit_checkpoint(&self, at: i64) -> Result<Option<Checkpoint>, StoreError> {
                Ok(self.audit_latest(1).await?.pop().map(|r| Checkpoint {
                    seq: r.seq,
                    hash: r.hash,
                    at,
                }))
            }

            /// Whether the log still holds a kept checkpoint's row as it was: why not, otherwise.
            async fn audit_holds(&self, checkpoint: &Checkpoint) -> Result<Option<String>, StoreError> {
                let row = self.audit(checkpoint.seq - 1, 1).await?.pop();
                Ok(match row {
                    Some(r) if r.seq == checkpoint.seq && r.hash == checkpoint.hash => None,
                    Some(r) if r.seq == checkpoint.seq => Some(format!(
                        "row {} is not the row the checkpoint of {} kept: the log was rewritten",
                        r.seq,
                        self.clock(checkpoint.at)
                    )),
                    _ => Some(format!(
                        "the log has no row {} that the checkpoint of {} kept: rows were cut from its end",
                        checkpoint.seq,
                        self.clock(checkpoint.at)
                    )),
                })
            }

            /// The key rows are signed with.
            fn audit_key(&self) -> &AuditKey {
                &self.audit_key
            }
        }
    };
}
pub(crate) use audit_store;

/// SQLite's appends take turns already: the transaction holds the file's write lock.
async fn audit_turn(_conn: &mut DbConnection) -> Result<(), StoreError> {
    Ok(())
}

audit_store!(SqliteStore);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prelude::*;

    async fn store_with(rows: usize, name: &str) -> (SqliteStore, std::path::PathBuf) {
        let dir =
            std::env::temp_dir().join(format!("citywall-audit-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let path = dir.join("wall.db");
        let store = SqliteStore::open(&path)
            .await
            .expect("store opens")
            .with_audit_key(AuditKey::new(b"a key of thirty-two characters.."));
        for i in 0..rows {
            let entry = AuditEntry {
                actor: format!("值班员{i}"),
                action: "warning.acknowledge".into(),
                target: format!("W{i}"),
                detail: serde_json::json!({ "n": i }),
            };
            store
                .save_warnings_audited(&[], Some(&entry))
                .await
                .expect("append");
        }
        (store, dir)
    }

    async fn tamper(store: &SqliteStore, sql: &str) {
        for guard in ["audit_no_update", "audit_no_delete"] {
            sqlx::query(&format!("DROP TRIGGER IF EXISTS {guard}"))
                .execute(&store.pool)
                .await
                .expect("drop guard");
        }
        sqlx::query(sql).execute(&store.pool).await.expect("tamper");
    }

    #[tokio::test]
    async fn the_chain_holds_and_names_the_first_row_altered_removed_or_inserted() {
        let (store, dir) = store_with(4, "chain").await;
        let check = store.verify_audit().await.expect("verify");
        assert_eq!((check.rows, check.keyed, check.broken), (4, 4, None));
        let refused = sqlx::query("DELETE FROM audit WHERE seq = 2")
            .execute(&store.pool)
            .await;
        assert!(refused.is_err(), "a delete went through");

        tamper(
            &store,
            "UPDATE audit SET detail = '{\"n\":9}' WHERE seq = 3",
        )
        .await;
        let broken = store.verify_audit().await.expect("verify").broken;
        assert_eq!(broken.map(|b| b.0), Some(3));

        let (store, removed_dir) = store_with(4, "removed").await;
        tamper(&store, "DELETE FROM audit WHERE seq = 2").await;
        let broken = store.verify_audit().await.expect("verify").broken;
        assert!(
            broken
                .as_ref()
                .is_some_and(|(seq, why)| *seq == 3 && why.contains("removed or inserted")),
            "{broken:?}"
        );

        let (store, forged_dir) = store_with(2, "forged").await;
        // A forger who recomputes the row's own hash still breaks the link to the next row.
        let rows = store.audit(0, 10).await.expect("rows");
        let mut forged = rows[0].clone();
        forged.actor = "someone else".into();
        forged.hash = forged.compute_hash(&AuditKey::default());
        tamper(
            &store,
            &format!(
                "UPDATE audit SET actor = 'someone else', hash = '{}' WHERE seq = 1",
                forged.hash
            ),
        )
        .await;
        let broken = store.verify_audit().await.expect("verify").broken;
        assert!(
            broken
                .as_ref()
                .is_some_and(|(seq, why)| *seq == 2 && why.contains("does not chain")),
            "{broken:?}"
        );
        for d in [dir, removed_dir, forged_dir] {
            let _ = std::fs::remove_dir_all(d);
        }
    }
}
