//! The video wall's layouts on PostgreSQL (the code is SQLite's, [`crate::video`]).

use sqlx::Row;

use super::audit::append;
use super::{query, PgStore};
use crate::values::AuditEntry;
use crate::StoreError;

crate::video::layout_store!(PgStore);
