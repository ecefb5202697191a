//! The audit log's key and checkpoints. Every row's hash is an HMAC-SHA-256 under a key kept
//! apart from the store (`$CITYWALL_AUDIT_KEY`, or `[audit] key_file`), so whoever holds the
//! store file but not the key can neither rewrite a row and re-chain the rest nor append a
//! forged one. What a key cannot show is rows cut from the end: a checkpoint — the head row's
//! number and hash, itself signed — kept where the store's owner cannot rewrite it (the log, a
//! file on another machine, the operator's notebook) is what `audit verify --checkpoint` holds
//! the log to.

use std::path::Path;
use std::sync::Arc;

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The environment variable a deployment hands the key in (at least 32 characters).
pub const KEY_ENV: &str = "CITYWALL_AUDIT_KEY";

#[derive(Debug, thiserror::Error)]
pub enum AuditKeyError {
    #[error("${KEY_ENV} is {0} characters: give at least 32 (e.g. `openssl rand -hex 32`)")]
    ShortEnv(usize),
    #[error("the audit key file {path}: {reason}")]
    File { path: String, reason: String },
}

/// The key rows are signed with. Without one (reading a store whose key is elsewhere), the links
/// between rows can be checked, and rows written before keys, but not the signed rows.
#[derive(Clone, Default)]
pub struct AuditKey(Option<Arc<[u8]>>);

impl std::fmt::Debug for AuditKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the key itself, in any log or panic.
        f.write_str(if self.is_set() {
            "AuditKey(set)"
        } else {
            "AuditKey(none)"
        })
    }
}

impl AuditKey {
    pub fn new(bytes: &[u8]) -> AuditKey {
        AuditKey(Some(Arc::from(bytes)))
    }

    pub fn is_set(&self) -> bool {
        self.0.is_some()
    }

    /// `$CITYWALL_AUDIT_KEY` when set, else the key in `file` — made (32 random bytes, hex,
    /// mode 0600) when missing and `create` is true.
    pub fn load(file: &Path, create: bool) -> Result<AuditKey, AuditKeyError> {
        if let Ok(text) = std::env::var(KEY_ENV) {
            let text = text.trim();
            if text.chars().count() < 32 {
                return Err(AuditKeyError::ShortEnv(text.chars().count()));
            }
            return Ok(AuditKey::new(text.as_bytes()));
        }
        let err = |reason: String| AuditKeyError::File {
            path: file.display().to_string(),
            reason,
        };
        match std::fs::read_to_string(file) {
            Ok(text) => {
                let text = text.trim();
                if text.chars().count() < 32 {
                    return Err(err(format!(
                        "holds {} characters: a key is at least 32",
                        text.chars().count()
                    )));
                }
                Ok(AuditKey::new(text.as_bytes()))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && create => {
                let key = super::credentials::new_token();
                write_private(file, &key).map_err(|e| err(format!("cannot be made: {e}")))?;
                tracing::info!(
                    "made the audit log's key at {} (keep a copy apart from the store: \
                     `audit verify` needs it)",
                    file.display()
                );
                Ok(AuditKey::new(key.as_bytes()))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(AuditKey::default()),
            Err(e) => Err(err(e.to_string())),
        }
    }

    /// HMAC-SHA-256 (hex) of `parts`, each length-prefixed; `None` without a key.
    pub fn sign(&self, parts: &[&str]) -> Option<String> {
        let key = self.0.as_ref()?;
        let mut mac = Hmac::<Sha256>::new_from_slice(key).ok()?;
        for part in parts {
            mac.update(&(part.len() as u64).to_le_bytes());
            mac.update(part.as_bytes());
        }
        Some(hex(&mac.finalize().into_bytes()))
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    if let Some(dir) = path.parent() {
        if !dir.as_os_str().is_empty() {
            std::fs::create_dir_all(dir)?;
        }
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    writeln!(file, "{text}")
}

/// The head of the log at one moment, signed: row `seq` had hash `hash`.
#[derive(Debug, Clone, PartialEq)]
pub struct Checkpoint {
    pub seq: i64,
    pub hash: String,
    /// When it was taken (Unix ms).
    pub at: i64,
}

const CHECKPOINT_TAG: &str = "citywall-audit-checkpoint";

impl Checkpoint {
    /// One line to keep: `citywall-audit-checkpoint v1 seq=… at=… hash=… mac=…`.
    pub fn line(&self, key: &AuditKey) -> String {
        let mac = key
            .sign(&[
                CHECKPOINT_TAG,
                &self.seq.to_string(),
                &self.at.to_string(),
                &self.hash,
            ])
            .unwrap_or_else(|| "unsigned".into());
        format!(
            "{CHECKPOINT_TAG} v1 seq={} at={} hash={} mac={mac}",
            self.seq, self.at, self.hash
        )
    }

    /// A kept line read back, its signature checked with `key`; why not otherwise.
    pub fn parse(line: &str, key: &AuditKey) -> Result<Checkpoint, String> {
        let mut fields = std::collections::HashMap::new();
        let mut words = line.split_whitespace();
        if words.next() != Some(CHECKPOINT_TAG) || words.next() != Some("v1") {
            return Err(format!("`{}` is not a checkpoint line", clip(line)));
        }
        for word in words {
            if let Some((k, v)) = word.split_once('=') {
                fields.insert(k, v);
            }
        }
        let field = |name: &str| {
            fields
                .get(name)
                .copied()
                .ok_or_else(|| format!("the checkpoint has no `{name}`"))
        };
        let number = |name: &str| -> Result<i64, String> {
            field(name)?
                .parse()
                .map_err(|_| format!("the checkpoint's `{name}` is not a number"))
        };
        let checkpoint = Checkpoint {
            seq: number("seq")?,
            at: number("at")?,
            hash: field("hash")?.to_string(),
        };
        if !key.is_set() {
            return Err("no audit key to check the checkpoint's signature with".into());
        }
        if checkpoint.line(key) != line.trim() {
            return Err(format!(
                "the checkpoint of row {} is not signed with this audit key: it was made up \
                 or altered",
                checkpoint.seq
            ));
        }
        Ok(checkpoint)
    }
}

fn clip(text: &str) -> String {
    text.chars().take(80).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_checkpoint_reads_back_only_under_its_key() {
        let key = AuditKey::new(b"0123456789abcdef0123456789abcdef");
        let cp = Checkpoint {
            seq: 12,
            hash: "ab".repeat(32),
            at: 1_700_000_000_000,
        };
        let line = cp.line(&key);
        assert_eq!(Checkpoint::parse(&line, &key), Ok(cp.clone()));
        let other = AuditKey::new(b"another key, another key, another key");
        assert!(Checkpoint::parse(&line, &other).is_err());
        let forged = line.replace("seq=12", "seq=11");
        assert!(Checkpoint::parse(&forged, &key).is_err());
        assert!(Checkpoint::parse("seq=1", &key).is_err());
        assert_eq!(format!("{key:?}"), "AuditKey(set)");
    }
}
