//! The history on PostgreSQL: what stood when, and each feature's past (the code is SQLite's,
//! [`crate::history`]).

use serde_json::{Map, Value};
use sqlx::Row;

use super::{feature_from_row, query, query_scalar, PgStore};
use crate::model::{Bbox, Feature};
use crate::warning::Warning;
use crate::StoreError;

crate::history::history_store!(PgStore);
