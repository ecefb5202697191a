//! What stands between a guesser and the accounts: Argon2id hashing and checking (a few at a
//! time), the failure counts and lockouts of names and addresses, and session tokens.

use argon2::password_hash::rand_core::{OsRng, RngCore};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use sha2::{Digest, Sha256};

use super::error::StoreError;

/// Consecutive failures that lock an account.
pub const MAX_FAILURES: i64 = 5;
/// How long a locked account stays locked.
pub const LOCKOUT_MS: i64 = 15 * 60 * 1000;

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

pub(super) fn sha256_hex(text: &str) -> String {
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
pub struct Failures {
    limit: i64,
    counts: std::collections::HashMap<String, (i64, i64)>,
}

/// Keys remembered at most: past it the unlocked are forgotten first.
const MAX_REMEMBERED: usize = 10_000;

impl Failures {
    pub fn locking_at(limit: i64) -> Failures {
        Failures {
            limit,
            counts: Default::default(),
        }
    }

    pub fn locked_until(&self, key: &str) -> i64 {
        self.counts.get(key).map_or(0, |&(_, until)| until)
    }

    /// Counts a failure as an account's is counted; returns until when the key is locked.
    pub fn fail(&mut self, key: &str, now: i64) -> i64 {
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
    pub fn forget(&mut self, key: &str) {
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
pub struct Hashing {
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
    pub(super) async fn verify(&self, password: &str, hash: String) -> Result<bool, LoginError> {
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
