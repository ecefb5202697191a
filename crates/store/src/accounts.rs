//! Accounts and sessions in the store: Argon2id hashes, consecutive failures and lockout, and
//! session tokens kept only as their SHA-256. Every login — refused ones too — and every account
//! change is audited in the transaction that records it.

use crate::backend::Backend as _;
use sqlx::{query, Row};

use super::audit::{append, AuditEntry};
use super::credentials::sha256_hex;
pub use super::credentials::Failures;
pub use super::credentials::{
    hash_password, new_token, LoginError, LOCKOUT_MS, MAX_ADDRESS_FAILURES, MAX_FAILURES,
};
use super::{SqliteStore, StoreError};
use crate::access::{Principal, Role};
pub use crate::values::Session;

/// How long a session lasts (a duty shift and its handover).
pub const SESSION_MS: i64 = 12 * 60 * 60 * 1000;

/// The accounts half of a backend, written once for both: `query`, `Db`, `DbRow` and
/// `DbConnection` are the invoking module's (SQLite's here, PostgreSQL's in [`crate::postgres`]).
macro_rules! account_store {
    ($store:ty) => {
        #[async_trait::async_trait]
        impl crate::backend::AccountStore for $store {
            /// Adds an account, or sets a new password and role on an existing one; audited as `actor`.
            async fn put_user(
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
                let existed = query("SELECT 1 FROM users WHERE name = ?")
                    .bind(name)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(StoreError::from)?
                    .is_some();
                query(
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
                query("DELETE FROM sessions WHERE name = ?")
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

            /// Checks a password and opens a session. A wrong password counts towards the lockout;
            /// every attempt is audited (`login.ok`, `login.failed`, `login.locked`).
            async fn login(&self, name: &str, password: &str, now: i64) -> Result<Session, LoginError> {
                // A disabled account answers as a name without one.
                let row = query(
                    "SELECT role, hash, failed, locked_until, centre FROM users WHERE name = ? AND disabled = 0",
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
                    return Err(LoginError::Locked(self.clock(locked_until)));
                }
                let good = self.hashing.verify(password, hash).await?;
                let (Some(role), true) = (role, good && row.is_some()) else {
                    let _turn = self.writer.lock().await;
                    let mut tx = self.pool.begin().await.map_err(StoreError::from)?;
                    // One statement counts the failure on the row as it is now, not as it was read
                    // before the hashing: parallel wrong passwords lock at the fifth, not never.
                    let until = if row.is_some() {
                        query(
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
                        LoginError::Locked(self.clock(until))
                    } else {
                        LoginError::Wrong
                    });
                };
                let token = new_token();
                let expires_at = now + SESSION_MS;
                let _turn = self.writer.lock().await;
                let mut tx = self.pool.begin().await.map_err(StoreError::from)?;
                // The right password while parallel wrong ones locked the account is refused too.
                let open = query(
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
                    return Err(LoginError::Locked(self.clock(until)));
                }
                query("DELETE FROM sessions WHERE expires_at <= ?")
                    .bind(now)
                    .execute(&mut *tx)
                    .await
                    .map_err(StoreError::from)?;
                query(
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
                    centre: row.as_ref().and_then(|r| r.get(4)),
                })
            }

            /// The account a live session token belongs to.
            async fn session(&self, token: &str, now: i64) -> Result<Option<Principal>, StoreError> {
                let row = query(
                    "SELECT s.name, u.role, u.centre FROM sessions s JOIN users u ON u.name = s.name \
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
                        centre: r.get(2),
                    })
                }))
            }

            /// Ends a session (audited as `logout`).
            async fn logout(&self, token: &str, now: i64) -> Result<(), StoreError> {
                let Some(who) = self.session(token, now).await? else {
                    return Ok(());
                };
                let _turn = self.writer.lock().await;
                let mut tx = self.pool.begin().await?;
                query("DELETE FROM sessions WHERE token_hash = ?")
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
        }

        impl $store {
            /// Until when an account is locked (0: it is not).
            async fn locked_until(&self, name: &str) -> Result<i64, LoginError> {
                let row = query("SELECT locked_until FROM users WHERE name = ?")
                    .bind(name)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(StoreError::from)?;
                Ok(row.map_or(0, |r| r.get::<i64, _>(0)))
            }

            async fn audited(&self, entry: &AuditEntry, now: i64) -> Result<(), StoreError> {
                let _turn = self.writer.lock().await;
                let mut tx = self.pool.begin().await?;
                append(&mut tx, &self.audit_key, now, entry).await?;
                tx.commit().await?;
                Ok(())
            }
        }
    };
}
pub(crate) use account_store;

account_store!(SqliteStore);
