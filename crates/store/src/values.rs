//! The values the store's traits speak beside the model's: a session, an audit row and the
//! check of the chain, a case as its source reports it, a photo. Plain data, whichever backend
//! keeps it.

use serde::Serialize;
use serde_json::Value;

use crate::access::Role;
use citywall_model::cases::CaseState;

/// A session just opened: the token goes to the client once and is kept only as its hash.
#[derive(Debug, Clone, Serialize)]
pub struct Session {
    pub token: String,
    pub name: String,
    pub role: Role,
    pub expires_at: i64,
    /// The centre the account works for; `None`: the city's.
    pub centre: Option<String>,
}

/// An action to record: who did what to which thing.
#[derive(Debug, Clone)]
pub struct AuditEntry {
    pub actor: String,
    /// `warning.acknowledge`, `incident.dispatch`, `login.failed` …
    pub action: String,
    pub target: String,
    pub detail: Value,
}

/// One recorded row, as the log holds it.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[schemars(rename = "AuditRow")]
pub struct AuditRecord {
    pub seq: i64,
    /// Unix milliseconds (wall clock).
    pub at: i64,
    pub actor: String,
    pub action: String,
    pub target: String,
    /// JSON text, exactly as hashed.
    pub detail: String,
    pub prev_hash: String,
    pub hash: String,
}

/// What verifying the chain found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditCheck {
    pub rows: u64,
    /// The first row that breaks the chain and why; `None` when the log is intact.
    pub broken: Option<(i64, String)>,
    /// Rows signed with the audit key (checked with it).
    pub keyed: u64,
    /// Rows written before the log had a key: their links hold, but anyone could recompute them.
    pub unkeyed: u64,
    /// Signed rows that could not be checked, for want of the key.
    pub unchecked: u64,
    /// The last row and its hash: what a checkpoint keeps.
    pub head: Option<(i64, String)>,
}

/// A case as its source reports it now.
#[derive(Debug, Clone)]
pub struct SourceCase {
    pub id: String,
    pub state: CaseState,
    /// The source's own word for it, kept in the step.
    pub status: String,
    pub category: String,
    pub title: String,
    pub urgent: bool,
    pub lon: f64,
    pub lat: f64,
    /// When it was reported (data clock ms), where the source says.
    pub reported_at: Option<i64>,
    /// Its time limit in hours.
    pub limit_h: f64,
    /// The centre whose area holds it.
    pub centre: String,
}

/// A stored photo's bytes and type.
#[derive(Debug, Clone)]
pub struct Photo {
    pub content_type: String,
    pub bytes: Vec<u8>,
}
