//! The store's seam: one trait per concern (features, history, warnings, audit, sign-in,
//! account administration, cases, media, layouts), whose errors name no backend, and [`Backend`], all of them — what
//! the engine holds. SQLite ([`crate::SqliteStore`]) is the one backend today; a second runs
//! the same [`crate::conformance`] suite unchanged.

use async_trait::async_trait;
use serde_json::{Map, Value};

use crate::access::{Principal, Role};
use crate::audit_key::{AuditKey, Checkpoint};
use crate::credentials::LoginError;
use crate::model::Feature;
use crate::values::{AuditCheck, AuditEntry, AuditRecord, Photo, Session, SourceCase};
use crate::warning::Warning;
use crate::{ChangeSet, RejectedRow, StoreError};
use citywall_model::cases::{Case, CaseState, CaseSummary, Step};

/// The features as they stand, each source's batches and its quarantined records.
#[async_trait]
pub trait FeatureStore: Send + Sync {
    /// Every stored feature (the engine's indexes are built from them at start).
    async fn load_features(&self) -> Result<Vec<Feature>, StoreError>;
    /// One source's batch at `at`, in one transaction: upserts, removals, rejected records,
    /// and (with `history`) each change appended to the history.
    async fn apply(
        &self,
        source: &str,
        at: i64,
        changes: &ChangeSet<'_>,
        history: bool,
    ) -> Result<(), StoreError>;
    /// A source's latest quarantined records, newest first.
    async fn rejected(&self, source: &str, limit: u32) -> Result<Vec<RejectedRow>, StoreError>;
    /// Gives back what caches hold beyond their working size (after a big batch).
    async fn shrink_memory(&self);
}

/// What stood when: features and warnings as of an instant, one feature's states.
#[async_trait]
pub trait HistoryStore: Send + Sync {
    async fn features_at(
        &self,
        layer: &str,
        at: i64,
        bbox: Option<[f64; 4]>,
    ) -> Result<Vec<Feature>, StoreError>;
    async fn feature_history(
        &self,
        layer: &str,
        id: &str,
        since: i64,
        limit: u32,
    ) -> Result<Vec<(i64, Option<Map<String, Value>>)>, StoreError>;
    /// The first and last instant the history holds.
    async fn history_span(&self) -> Result<Option<(i64, i64)>, StoreError>;
    async fn warnings_at(&self, at: i64) -> Result<Vec<Warning>, StoreError>;
    async fn history_len(&self) -> Result<i64, StoreError>;
}

/// The warnings and their log.
#[async_trait]
pub trait WarningStore: Send + Sync {
    async fn save_warnings(&self, warnings: &[Warning]) -> Result<(), StoreError>;
    /// The warnings and, in the same transaction, the audit row of the act that changed them.
    async fn save_warnings_audited(
        &self,
        warnings: &[Warning],
        action: Option<&AuditEntry>,
    ) -> Result<Option<AuditRecord>, StoreError>;
    async fn warnings(&self, open_only: bool, limit: u32) -> Result<Vec<Warning>, StoreError>;
    /// The highest warning number given so far (numbers go on from it after a restart).
    async fn last_warning_number(&self) -> Result<u64, StoreError>;
}

/// The operators' audit log: a hash chain, signed with the store's key.
#[async_trait]
pub trait AuditStore: Send + Sync {
    async fn audit(&self, after_seq: i64, limit: u32) -> Result<Vec<AuditRecord>, StoreError>;
    async fn append_audit(&self, entry: &AuditEntry, at: i64) -> Result<AuditRecord, StoreError>;
    async fn audit_of(&self, action: &str, target: &str) -> Result<Vec<AuditRecord>, StoreError>;
    async fn audit_latest(&self, limit: u32) -> Result<Vec<AuditRecord>, StoreError>;
    async fn verify_audit(&self) -> Result<AuditCheck, StoreError>;
    async fn audit_checkpoint(&self, at: i64) -> Result<Option<Checkpoint>, StoreError>;
    /// `None` when the log still holds the checkpoint's row; else what changed.
    async fn audit_holds(&self, checkpoint: &Checkpoint) -> Result<Option<String>, StoreError>;
    /// The key rows are signed with.
    fn audit_key(&self) -> &AuditKey;
}

/// Accounts, logins (with lockout) and sessions.
#[async_trait]
pub trait AccountStore: Send + Sync {
    async fn put_user(
        &self,
        name: &str,
        role: Role,
        password: &str,
        actor: &str,
        now: i64,
    ) -> Result<(), LoginError>;
    async fn login(&self, name: &str, password: &str, now: i64) -> Result<Session, LoginError>;
    async fn session(&self, token: &str, now: i64) -> Result<Option<Principal>, StoreError>;
    async fn logout(&self, token: &str, now: i64) -> Result<(), StoreError>;
}

/// The accounts as an administrator keeps them: listed, disabled, removed (each audited).
#[async_trait]
pub trait AccountAdmin: Send + Sync {
    async fn accounts(&self) -> Result<Vec<(String, Role, bool)>, StoreError>;
    async fn set_disabled(
        &self,
        name: &str,
        disabled: bool,
        actor: &str,
        now: i64,
    ) -> Result<bool, StoreError>;
    async fn remove_user(&self, name: &str, actor: &str, now: i64) -> Result<bool, StoreError>;
    /// Puts `name` in `centre` (`None`: the city's); its sessions end, so the new scope holds
    /// at once. False when there is no such account.
    async fn set_centre(
        &self,
        name: &str,
        centre: Option<&str>,
        actor: &str,
        now: i64,
    ) -> Result<bool, StoreError>;
}

/// The incident loop's cases and their steps.
#[async_trait]
pub trait CaseStore: Send + Sync {
    async fn create_case(
        &self,
        case: Case,
        step: Step,
        audit: &AuditEntry,
        audit_at: i64,
    ) -> Result<Case, StoreError>;
    /// Writes `case` with its step only if it still stands as `read` (state, version): `false`
    /// when someone else moved it first.
    async fn update_case(
        &self,
        case: &Case,
        read: (CaseState, i64),
        step: &Step,
        audit: &AuditEntry,
        audit_at: i64,
    ) -> Result<bool, StoreError>;
    async fn case(&self, id: &str) -> Result<Option<(Case, Vec<Step>)>, StoreError>;
    async fn cases(&self, states: &[CaseState], limit: u32) -> Result<Vec<Case>, StoreError>;
    async fn cases_reported_by(
        &self,
        reporter: &str,
        states: &[CaseState],
        limit: u32,
    ) -> Result<Vec<Case>, StoreError>;
    /// The cases the `centres` own, as [`CaseStore::cases`].
    async fn cases_owned_by(
        &self,
        centres: &[String],
        states: &[CaseState],
        limit: u32,
    ) -> Result<Vec<Case>, StoreError>;
    async fn case_summary(&self, now: i64) -> Result<CaseSummary, StoreError>;
    /// The loop's numbers over the cases the `centres` own.
    async fn case_summary_owned_by(
        &self,
        centres: &[String],
        now: i64,
    ) -> Result<CaseSummary, StoreError>;
    async fn sync_source_cases(
        &self,
        source: &str,
        items: &[SourceCase],
        now: i64,
    ) -> Result<usize, StoreError>;
}

/// Photos kept for cases and steps, by the hash of their bytes.
#[async_trait]
pub trait MediaStore: Send + Sync {
    async fn put_media(
        &self,
        bytes: &[u8],
        content_type: &str,
        audit: &AuditEntry,
        at: i64,
    ) -> Result<String, StoreError>;
    async fn media(&self, id: &str) -> Result<Option<Photo>, StoreError>;
    async fn has_media(&self, id: &str) -> Result<bool, StoreError>;
}

/// The video wall's saved layouts and tours.
#[async_trait]
pub trait LayoutStore: Send + Sync {
    async fn video_layouts(&self) -> Result<Vec<(String, String)>, StoreError>;
    /// Saves (`Some`) or deletes (`None`) a layout, audited: `false` when there was none to
    /// delete.
    async fn put_video_layout(
        &self,
        name: &str,
        body: Option<&str>,
        audit: &AuditEntry,
        at: i64,
    ) -> Result<bool, StoreError>;
}

/// Every concern of the store: what the engine holds.
#[async_trait]
pub trait Backend:
    FeatureStore
    + HistoryStore
    + WarningStore
    + AuditStore
    + AccountStore
    + AccountAdmin
    + CaseStore
    + MediaStore
    + LayoutStore
{
    /// A time as the centre reads it (its zone), for the messages the store writes.
    fn clock(&self, ms: i64) -> String;
    /// Closes the store's connections.
    async fn close(&self);
}
