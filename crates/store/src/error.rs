//! What can go wrong in the store, in words a duty officer's log can carry. No variant names the
//! backend's types: a second backend gives the same errors, and nothing above the store learns
//! which database it runs on.

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot open the database {path}: {reason}")]
    Open { path: String, reason: String },
    #[error("cannot migrate the database {path}: {reason}")]
    Migrate { path: String, reason: String },
    /// The database failed or refused a statement (its own words).
    #[error("database error: {0}")]
    Database(String),
    #[error("{0}")]
    AuditKey(String),
    #[error("stored feature {layer}/{id} has unreadable properties: {reason}")]
    Corrupt {
        layer: String,
        id: String,
        reason: String,
    },
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> StoreError {
        StoreError::Database(e.to_string())
    }
}
