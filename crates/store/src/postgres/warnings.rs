//! Warnings on PostgreSQL (the code is SQLite's, [`crate::warnings`]).

use sqlx::Row;

use super::{audit, query, query_scalar, PgStore};
use crate::warning::Warning;
use crate::StoreError;

crate::warnings::warning_store!(PgStore);
