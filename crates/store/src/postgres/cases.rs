//! Cases on PostgreSQL (the code is SQLite's, [`crate::cases`]).

use sqlx::Row;

use super::audit::append;
use super::{query, DbConnection, PgStore};
use crate::cases::{owned_by, Whose};
use crate::values::{AuditEntry, SourceCase};
use crate::StoreError;
use citywall_model::cases::{Case, CaseState, CaseSummary, Step};

crate::cases::case_store!(PgStore);
