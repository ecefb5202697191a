//! Photos on PostgreSQL (the code is SQLite's, [`crate::media`]).

use sqlx::Row;

use super::audit::append;
use super::{query, PgStore};
use crate::media::media_id;
use crate::values::{AuditEntry, Photo};
use crate::StoreError;

crate::media::media_store!(PgStore);
