//! The audit chain on PostgreSQL: the same rows, hashes and checks as SQLite's
//! ([`crate::audit`]); appends from several engines take turns on a transaction-scoped
//! advisory lock, so two never read the same chain end.

use crate::backend::Backend as _;
use sqlx::Row;

use super::{query, DbConnection, DbRow, PgStore};
use crate::audit::{bounded_detail, clip, GENESIS, MAX_NAME_CHARS, MAX_TARGET_CHARS};
use crate::audit_key::{AuditKey, Checkpoint};
use crate::values::{AuditCheck, AuditEntry, AuditRecord};
use crate::StoreError;

/// The advisory lock every audit append holds until its transaction ends.
const AUDIT_LOCK: i64 = 0x0C17_A0D1;

/// Waits for this transaction's turn to extend the chain (held until it ends).
async fn audit_turn(conn: &mut DbConnection) -> Result<(), StoreError> {
    query("SELECT pg_advisory_xact_lock(?)")
        .bind(AUDIT_LOCK)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

crate::audit::audit_store!(PgStore);
