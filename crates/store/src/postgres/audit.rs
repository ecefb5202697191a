//! The audit chain on PostgreSQL: the same rows, hashes and checks as SQLite's
//! ([`crate::audit`]); appends from several engines take turns on a transaction-scoped
//! advisory lock, so two never read the same chain end.

use crate::backend::Backend as _;
use sqlx::{PgConnection, Row};

use super::{query, PgStore};
use crate::audit::{bounded_detail, clip, GENESIS, MAX_NAME_CHARS, MAX_TARGET_CHARS};
use crate::audit_key::{AuditKey, Checkpoint};
use crate::values::{AuditCheck, AuditEntry, AuditRecord};
use crate::StoreError;

/// The advisory lock every audit append holds until its transaction ends.
const AUDIT_LOCK: i64 = 0x0C17_A0D1;

/// Appends `entry` inside the caller's transaction. Call it after the transaction's own writes:
/// holding SQLite's write lock by then, nobody can append between reading the chain's end and
/// extending it.
pub async fn append(
    conn: &mut PgConnection,
    key: &AuditKey,
    at: i64,
    entry: &AuditEntry,
) -> Result<AuditRecord, StoreError> {
    query("SELECT pg_advisory_xact_lock(?)")
        .bind(AUDIT_LOCK)
        .execute(&mut *conn)
        .await?;
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

fn record_of(row: &sqlx::postgres::PgRow) -> AuditRecord {
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

const COLUMNS: &str = "seq, at, actor, action, target, detail, prev_hash, hash";

#[async_trait::async_trait]
impl crate::backend::AuditStore for PgStore {
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
