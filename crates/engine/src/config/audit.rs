//! The `[audit]` section: where the audit log's key lives and where its checkpoints go. The key
//! signs every row (HMAC-SHA-256), so someone with the store file but not the key cannot
//! rewrite, forge or re-chain rows; a checkpoint (the head row's number and hash, signed) kept
//! elsewhere is what shows rows were cut from the end.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditConfig {
    /// The key file (relative to the config; default `audit.key` beside it), made with 32
    /// random bytes and mode 0600 when missing. `$CITYWALL_AUDIT_KEY` (at least 32 characters)
    /// overrides it. Keep it where the store's administrators cannot read it.
    #[serde(default = "key_file")]
    pub key_file: PathBuf,
    /// A file each checkpoint line is appended to (another machine's mount, a log shipper's
    /// input); every checkpoint also goes to the log. None: the log only.
    pub checkpoint_file: Option<PathBuf>,
    /// Minutes between checkpoints (default 60), and one at start.
    #[serde(default = "checkpoint_minutes")]
    pub checkpoint_minutes: u64,
}

fn key_file() -> PathBuf {
    PathBuf::from("audit.key")
}

fn checkpoint_minutes() -> u64 {
    60
}

impl Default for AuditConfig {
    fn default() -> Self {
        AuditConfig {
            key_file: key_file(),
            checkpoint_file: None,
            checkpoint_minutes: checkpoint_minutes(),
        }
    }
}

impl AuditConfig {
    pub(crate) fn resolve(&mut self, base: &Path) {
        if self.key_file.is_relative() {
            self.key_file = base.join(&self.key_file);
        }
        if let Some(path) = &mut self.checkpoint_file {
            if path.is_relative() {
                *path = base.join(&*path);
            }
        }
    }

    /// Each problem as (field, message).
    pub fn problems(&self) -> Vec<(&'static str, String)> {
        let mut problems = Vec::new();
        if self.checkpoint_minutes == 0 {
            problems.push(("audit.checkpoint_minutes", "must be at least 1".into()));
        }
        if self.key_file.as_os_str().is_empty() {
            problems.push(("audit.key_file", "is empty: give a file path".into()));
        }
        problems
    }
}
