//! Accounts and sessions on PostgreSQL (the code is SQLite's, [`crate::accounts`]).

use crate::backend::Backend as _;
use sqlx::Row;

use super::audit::append;
use super::{query, PgStore};
use crate::access::{Principal, Role};
use crate::accounts::SESSION_MS;
use crate::credentials::{
    hash_password, new_token, sha256_hex, LoginError, LOCKOUT_MS, MAX_FAILURES,
};
use crate::values::{AuditEntry, Session};
use crate::StoreError;

crate::accounts::account_store!(PgStore);
