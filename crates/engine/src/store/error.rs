//! What can go wrong in the store, in words a duty officer's log can carry.

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot open the database {path}: {source}")]
    Open { path: String, source: sqlx::Error },
    #[error("cannot migrate the database {path}: {source}")]
    Migrate {
        path: String,
        source: sqlx::migrate::MigrateError,
    },
    #[error("database error: {0}")]
    Sql(#[from] sqlx::Error),
    #[error("{0}")]
    AuditKey(String),
    #[error("stored feature {layer}/{id} has unreadable properties: {reason}")]
    Corrupt {
        layer: String,
        id: String,
        reason: String,
    },
}
