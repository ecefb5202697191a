//! What an administrator does to accounts besides adding them: list them with their state,
//! disable and enable one, remove one — each audited, signed, in the transaction that makes it,
//! and ending the account's sessions at once where it takes the account away.

use sqlx::{query, Row};

use super::audit::{append, AuditEntry};
use super::{Db, SqliteStore, StoreError};
use crate::access::Role;

/// The account admin half of a backend, written once for both: `query`, `Db`, `DbRow` and
/// `DbConnection` are the invoking module's (SQLite's here, PostgreSQL's in [`crate::postgres`]).
macro_rules! account_admin {
    ($store:ty) => {
        #[async_trait::async_trait]
        impl crate::backend::AccountAdmin for $store {
            /// Every account: name, role, whether it is disabled.
            async fn accounts(&self) -> Result<Vec<(String, Role, bool)>, StoreError> {
                let rows = query("SELECT name, role, disabled FROM users ORDER BY name")
                    .fetch_all(&self.pool)
                    .await?;
                Ok(rows
                    .iter()
                    .filter_map(|r| {
                        let role = Role::parse(&r.get::<String, _>(1))?;
                        Some((r.get::<String, _>(0), role, r.get::<i64, _>(2) != 0))
                    })
                    .collect())
            }

            /// Disables (ending its sessions) or enables `name`; false when there is no such account.
            async fn set_disabled(
                &self,
                name: &str,
                disabled: bool,
                actor: &str,
                now: i64,
            ) -> Result<bool, StoreError> {
                let action = if disabled {
                    "user.disable"
                } else {
                    "user.enable"
                };
                self.change_account(name, actor, now, action, Some(disabled))
                    .await
            }

            /// Deletes `name` and its sessions (its audit rows stay); false when there is no such
            /// account.
            async fn remove_user(&self, name: &str, actor: &str, now: i64) -> Result<bool, StoreError> {
                self.change_account(name, actor, now, "user.remove", None)
                    .await
            }

            async fn set_centre(
                &self,
                name: &str,
                centre: Option<&str>,
                actor: &str,
                now: i64,
            ) -> Result<bool, StoreError> {
                let _turn = self.writer.lock().await;
                let mut tx = self.pool.begin().await?;
                let changed = query("UPDATE users SET centre = ? WHERE name = ?")
                    .bind(centre)
                    .bind(name)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                if changed == 0 {
                    return Ok(false);
                }
                let detail = serde_json::json!({ "centre": centre });
                self.finish_change(tx, name, (actor, now), true, "user.centre", detail)
                    .await
            }
        }

        impl $store {
            /// Sets `disabled` on `name`, or with `None` deletes it; audited as `action`.
            async fn change_account(
                &self,
                name: &str,
                actor: &str,
                now: i64,
                action: &str,
                disabled: Option<bool>,
            ) -> Result<bool, StoreError> {
                let _turn = self.writer.lock().await;
                let mut tx = self.pool.begin().await?;
                let change = match disabled {
                    Some(flag) => query(
                        "UPDATE users SET disabled = ?, failed = 0, locked_until = 0 WHERE name = ?",
                    )
                    .bind(i64::from(flag)),
                    None => query("DELETE FROM users WHERE name = ?"),
                };
                let changed = change.bind(name).execute(&mut *tx).await?.rows_affected();
                if changed == 0 {
                    return Ok(false);
                }
                let end_sessions = disabled != Some(false);
                self.finish_change(
                    tx,
                    name,
                    (actor, now),
                    end_sessions,
                    action,
                    serde_json::json!({}),
                )
                .await
            }

            /// Ends `name`'s sessions where the change takes the account away, audits the change and
            /// commits: the tail every account change shares.
            async fn finish_change(
                &self,
                mut tx: sqlx::Transaction<'_, Db>,
                name: &str,
                (actor, now): (&str, i64),
                end_sessions: bool,
                action: &str,
                detail: serde_json::Value,
            ) -> Result<bool, StoreError> {
                if end_sessions {
                    query("DELETE FROM sessions WHERE name = ?")
                        .bind(name)
                        .execute(&mut *tx)
                        .await?;
                }
                let entry = AuditEntry {
                    actor: actor.to_string(),
                    action: action.to_string(),
                    target: name.to_string(),
                    detail,
                };
                append(&mut tx, &self.audit_key, now, &entry).await?;
                tx.commit().await?;
                Ok(true)
            }
        }
    };
}
pub(crate) use account_admin;

account_admin!(SqliteStore);
