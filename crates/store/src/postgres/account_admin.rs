//! Account administration on PostgreSQL (the code is SQLite's, [`crate::account_admin`]).

use sqlx::Row;

use super::audit::append;
use super::{query, Db, PgStore};
use crate::access::Role;
use crate::values::AuditEntry;
use crate::StoreError;

crate::account_admin::account_admin!(PgStore);
