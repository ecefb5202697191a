//! Accounts and sessions in the store: Argon2id hashes, consecutive failures and lockout, and
//! session tokens kept only as their SHA-256. Every login — refused ones too — and every account
//! change is audited in the transaction that records it.

use argon2::password_hash::rand_core::{OsRng, RngCore};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::Row;

use super::audit::{append, AuditEntry};
use super::{Store, StoreError};
use crate::access::{Principal, Role};

/// Consecutive failures that lock an account.
pub const MAX_FAILURES: i64 = 5;
/// How long a locked account stays locked.
pub const LOCKOUT_MS: i64 = 15 * 60 * 1000;
/// How long a session lasts (a duty shift and its handover).
pub const SESSION_MS: i64 = 12 * 60 * 60 * 1000;

/// A session just opened: the token goes to the client once and is kept only as its hash.
#[derive(Debug, Clone, Serialize)]
pub struct Session {
    pub token: String,
    pub name: String,
    pub role: Role,
    pub expires_at: i64,
}

#[derive(Debug, thiserror::Error)]
pub enum LoginError {
    /// The same words whether the account exists or not.
    #[error("the name or the password is wrong")]
    Wrong,
    #[error("this account is locked after {MAX_FAILURES} failed logins; try again after {0}")]
    Locked(String),
    #[error(
        "too many failed logins from this address ({MAX_ADDRESS_FAILURES} in a row); try again \
         after {0}"
    )]
    AddressLocked(String),
    /// More logins at once than the server checks passwords for: none was checked.
    #[error("the server is checking too many logins at once; try again in a few seconds")]
    Busy,
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("hashing the password failed: {0}")]
    Hash(String),
}

fn sha256_hex(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Argon2id (the crate's default parameters: 19 MiB, 2 passes) of `password`.
pub fn hash_password(password: &str) -> Result<String, String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| e.to_string())
}

/// Failed logins from one client address, whatever the names, that lock the address.
pub const MAX_ADDRESS_FAILURES: i64 = 20;

/// Failed logins kept in memory (a restart forgets them, as it forgets nothing an attacker
/// learns from), keyed by a name without an account or by a client address: the failures in a
/// row and until when the key is locked.
#[derive(Debug)]
pub(crate) struct Failures {
    limit: i64,
    counts: std::collections::HashMap<String, (i64, i64)>,
}

/// Keys remembered at most: past it the unlocked are forgotten first.
const MAX_REMEMBERED: usize = 10_000;

impl Failures {
    pub(crate) fn locking_at(limit: i64) -> Failures {
        Failures {
            limit,
            counts: Default::default(),
        }
    }

    pub(crate) fn locked_until(&self, key: &str) -> i64 {
        self.counts.get(key).map_or(0, |&(_, until)| until)
    }

    /// Counts a failure as an account's is counted; returns until when the key is locked.
    pub(crate) fn fail(&mut self, key: &str, now: i64) -> i64 {
        if self.counts.len() >= MAX_REMEMBERED && !self.counts.contains_key(key) {
            self.counts.retain(|_, &mut (_, until)| until > now);
            if self.counts.len() >= MAX_REMEMBERED {
                self.counts.clear();
            }
        }
        let entry = self.counts.entry(key.to_string()).or_insert((0, 0));
        entry.0 += 1;
        if entry.0 >= self.limit {
            *entry = (0, now + LOCKOUT_MS);
        }
        entry.1
    }

    /// A success: the key's failures in a row start again.
    pub(crate) fn forget(&mut self, key: &str) {
        self.counts.remove(key);
    }
}

impl Default for Failures {
    fn default() -> Self {
        Failures::locking_at(MAX_FAILURES)
    }
}

/// Password checks at once: Argon2id holds 19 MiB each, so a flood of logins is memory, not
/// just CPU. Beyond [`HASHING_QUEUE`] waiting, a login is answered "busy" without hashing.
const HASHING_AT_ONCE: usize = 4;
const HASHING_QUEUE: usize = 32;

/// The bounded pool password checks run in.
#[derive(Debug)]
pub(crate) struct Hashing {
    running: tokio::sync::Semaphore,
    waiting: std::sync::atomic::AtomicUsize,
}

impl Default for Hashing {
    fn default() -> Self {
        Hashing {
            running: tokio::sync::Semaphore::new(HASHING_AT_ONCE),
            waiting: Default::default(),
        }
    }
}

impl Hashing {
    /// Whether `password` is the one `hash` was made from, checked in turn with the others.
    async fn verify(&self, password: &str, hash: String) -> Result<bool, LoginError> {
        let Some(_place) = Waiting::join(&self.waiting) else {
            return Err(LoginError::Busy);
        };
        let _turn = self.running.acquire().await;
        let given = password.to_string();
        tokio::task::spawn_blocking(move || verify_password(&given, &hash))
            .await
            .map_err(|e| LoginError::Hash(e.to_string()))
    }
}

/// A login's place among those waiting or hashing, given back when dropped — also when the
/// client goes away mid-check and its request is cancelled, which a counter decremented at the
/// end would miss (and, past the queue's size, answer "busy" for good).
struct Waiting<'a>(&'a std::sync::atomic::AtomicUsize);

impl<'a> Waiting<'a> {
    fn join(count: &'a std::sync::atomic::AtomicUsize) -> Option<Waiting<'a>> {
        use std::sync::atomic::Ordering;
        let place = Waiting(count);
        (count.fetch_add(1, Ordering::AcqRel) < HASHING_AT_ONCE + HASHING_QUEUE).then_some(place)
    }
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, std::sync::atomic::Ordering::AcqRel);
    }
}

fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

/// 32 random bytes as hex: a session token.
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A lockout's end as the centre reads a clock (UTC+8).
pub(crate) fn clock(ms: i64) -> String {
    match (
        chrono::DateTime::from_timestamp_millis(ms),
        chrono::FixedOffset::east_opt(8 * 3600),
    ) {
        (Some(t), Some(tz)) => t.with_timezone(&tz).format("%H:%M (UTC+8)").to_string(),
        _ => String::new(),
    }
}

impl Store {
    /// Adds an account, or sets a new password and role on an existing one; audited as `actor`.
    pub async fn put_user(
        &self,
        name: &str,
        role: Role,
        password: &str,
        actor: &str,
        now: i64,
    ) -> Result<(), LoginError> {
        let password = password.to_string();
        let hash = tokio::task::spawn_blocking(move || hash_password(&password))
            .await
            .map_err(|e| LoginError::Hash(e.to_string()))?
            .map_err(LoginError::Hash)?;
        let _turn = self.writer.lock().await;
        let mut tx = self.pool.begin().await.map_err(StoreError::from)?;
        let existed = sqlx::query("SELECT 1 FROM users WHERE name = ?")
            .bind(name)
            .fetch_optional(&mut *tx)
            .await
            .map_err(StoreError::from)?
            .is_some();
        sqlx::query(
            "INSERT INTO users (name, role, hash, failed, locked_until, created_at) VALUES (?, ?, ?, 0, 0, ?) \
             ON CONFLICT (name) DO UPDATE SET role = excluded.role, hash = excluded.hash, failed = 0, locked_until = 0, disabled = 0",
        )
        .bind(name)
        .bind(role.as_str())
        .bind(&hash)
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(StoreError::from)?;
        // A new password ends the account's open sessions.
        sqlx::query("DELETE FROM sessions WHERE name = ?")
            .bind(name)
            .execute(&mut *tx)
            .await
            .map_err(StoreError::from)?;
        let entry = AuditEntry {
            actor: actor.to_string(),
            action: if existed { "user.update" } else { "user.add" }.into(),
            target: name.to_string(),
            detail: serde_json::json!({ "role": role.as_str() }),
        };
        append(&mut tx, &self.audit_key, now, &entry).await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(())
    }

    /// Until when an account is locked (0: it is not).
    async fn locked_until(&self, name: &str) -> Result<i64, LoginError> {
        let row = sqlx::query("SELECT locked_until FROM users WHERE name = ?")
            .bind(name)
            .fetch_optional(&self.pool)
            .await
            .map_err(StoreError::from)?;
        Ok(row.map_or(0, |r| r.get::<i64, _>(0)))
    }

    /// Checks a password and opens a session. A wrong password counts towards the lockout;
    /// every attempt is audited (`login.ok`, `login.failed`, `login.locked`).
    pub async fn login(&self, name: &str, password: &str, now: i64) -> Result<Session, LoginError> {
        // A disabled account answers as a name without one.
        let row = sqlx::query(
            "SELECT role, hash, failed, locked_until FROM users WHERE name = ? AND disabled = 0",
        )
        .bind(name)
        .fetch_optional(&self.pool)
        .await
        .map_err(StoreError::from)?;
        // An unknown name costs the same hashing as a known one: timing tells nothing.
        const DECOY: &str = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$2Ajq0X8bp6O1lrp5mBfRLAbHHcCXKRAsJeHoHtbIpXE";
        let (role, hash, locked_until) = match &row {
            Some(r) => (
                Role::parse(&r.get::<String, _>(0)),
                r.get::<String, _>(1),
                r.get::<i64, _>(3),
            ),
            None => {
                let until = self.strangers.lock().map_or(0, |s| s.locked_until(name));
                (None, DECOY.to_string(), until)
            }
        };
        let audit = |action: &str, detail: serde_json::Value| AuditEntry {
            actor: name.chars().take(64).collect(),
            action: action.into(),
            target: "login".into(),
            detail,
        };
        if locked_until > now {
            self.audited(&audit("login.locked", serde_json::json!({})), now)
                .await?;
            return Err(LoginError::Locked(clock(locked_until)));
        }
        let good = self.hashing.verify(password, hash).await?;
        let (Some(role), true) = (role, good && row.is_some()) else {
            let _turn = self.writer.lock().await;
            let mut tx = self.pool.begin().await.map_err(StoreError::from)?;
            // One statement counts the failure on the row as it is now, not as it was read
            // before the hashing: parallel wrong passwords lock at the fifth, not never.
            let until = if row.is_some() {
                sqlx::query(
                    "UPDATE users SET                      locked_until = CASE WHEN failed + 1 >= ?1 THEN ?2 ELSE locked_until END,                      failed = CASE WHEN failed + 1 >= ?1 THEN 0 ELSE failed + 1 END                      WHERE name = ?3 RETURNING locked_until",
                )
                .bind(MAX_FAILURES)
                .bind(now + LOCKOUT_MS)
                .bind(name)
                .fetch_optional(&mut *tx)
                .await
                .map_err(StoreError::from)?
                .map_or(0, |r| r.get::<i64, _>(0))
            } else {
                self.strangers.lock().map_or(0, |mut s| s.fail(name, now))
            };
            let locked = until > now;
            let detail = serde_json::json!({ "locked": locked });
            append(
                &mut tx,
                &self.audit_key,
                now,
                &audit("login.failed", detail),
            )
            .await?;
            tx.commit().await.map_err(StoreError::from)?;
            return Err(if locked {
                LoginError::Locked(clock(until))
            } else {
                LoginError::Wrong
            });
        };
        let token = new_token();
        let expires_at = now + SESSION_MS;
        let _turn = self.writer.lock().await;
        let mut tx = self.pool.begin().await.map_err(StoreError::from)?;
        // The right password while parallel wrong ones locked the account is refused too.
        let open = sqlx::query(
            "UPDATE users SET failed = 0, locked_until = 0 WHERE name = ? AND locked_until <= ?",
        )
        .bind(name)
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(StoreError::from)?;
        if open.rows_affected() == 0 {
            drop(tx);
            let until = self.locked_until(name).await?;
            return Err(LoginError::Locked(clock(until)));
        }
        sqlx::query("DELETE FROM sessions WHERE expires_at <= ?")
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(StoreError::from)?;
        sqlx::query(
            "INSERT INTO sessions (token_hash, name, expires_at, created_at) VALUES (?, ?, ?, ?)",
        )
        .bind(sha256_hex(&token))
        .bind(name)
        .bind(expires_at)
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(StoreError::from)?;
        append(
            &mut tx,
            &self.audit_key,
            now,
            &audit("login.ok", serde_json::json!({ "role": role.as_str() })),
        )
        .await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(Session {
            token,
            name: name.to_string(),
            role,
            expires_at,
        })
    }

    /// The account a live session token belongs to.
    pub async fn session(&self, token: &str, now: i64) -> Result<Option<Principal>, StoreError> {
        let row = sqlx::query(
            "SELECT s.name, u.role FROM sessions s JOIN users u ON u.name = s.name \
             WHERE s.token_hash = ? AND s.expires_at > ? AND u.disabled = 0",
        )
        .bind(sha256_hex(token))
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.and_then(|r| {
            Some(Principal {
                name: r.get(0),
                role: Role::parse(&r.get::<String, _>(1))?,
                via: "session",
            })
        }))
    }

    /// Ends a session (audited as `logout`).
    pub async fn logout(&self, token: &str, now: i64) -> Result<(), StoreError> {
        let Some(who) = self.session(token, now).await? else {
            return Ok(());
        };
        let _turn = self.writer.lock().await;
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM sessions WHERE token_hash = ?")
            .bind(sha256_hex(token))
            .execute(&mut *tx)
            .await?;
        let entry = AuditEntry {
            actor: who.name,
            action: "logout".into(),
            target: "login".into(),
            detail: serde_json::json!({}),
        };
        append(&mut tx, &self.audit_key, now, &entry).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn audited(&self, entry: &AuditEntry, now: i64) -> Result<(), StoreError> {
        let _turn = self.writer.lock().await;
        let mut tx = self.pool.begin().await?;
        append(&mut tx, &self.audit_key, now, entry).await?;
        tx.commit().await?;
        Ok(())
    }
}
