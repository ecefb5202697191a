//! The one way an operator's act changes what the engine holds: each method here stores the
//! act (with its audit row, in one transaction), then applies it in memory, then publishes it —
//! in that order, and nowhere else. The façade (`api`) decides whether an act may be taken and
//! builds it; it never writes the store itself (`scripts/one-writer.py` checks, in `make lint`).

use crate::cases::{Case, CaseState, Step};
use crate::feed::Change;
use crate::rules::Warning;
use crate::store::accounts::{LoginError, Session};
use crate::store::audit::{AuditEntry, AuditRecord};
use crate::store::StoreError;

use super::Engine;

impl Engine {
    /// Acknowledges open warning `id` — stored with its audit row, then applied in memory, then
    /// published, in that order, under the rules' lock (no evaluation slips in between): if the
    /// store refuses, the wall still shows it raised and nothing is published. `None` when no
    /// such warning is open.
    pub(crate) async fn acknowledge_warning(
        &self,
        id: &str,
        by: &str,
        now: i64,
        action: impl Fn(&Warning) -> crate::store::audit::AuditEntry,
    ) -> Result<Option<Warning>, StoreError> {
        let mut state = self.rules.lock().await;
        let Some(warning) = state.warnings.acknowledged(id, by, now) else {
            return Ok(None);
        };
        let warning = self.owned(warning);
        self.store
            .save_warnings_audited(std::slice::from_ref(&warning), Some(&action(&warning)))
            .await?;
        state.warnings.replace(warning.clone());
        drop(state);
        self.feed.publish(Change::Warning {
            warning: self.warning_out(warning.clone()),
        });
        Ok(Some(warning))
    }

    /// An act recorded in the audit log alone (a login, a video push, a procedure's step, an
    /// export), then published as `then` says, if anything.
    pub(crate) async fn record(
        &self,
        entry: &AuditEntry,
        then: Option<Change>,
    ) -> Result<AuditRecord, StoreError> {
        let row = self
            .store
            .append_audit(entry, crate::model::now_ms())
            .await?;
        if let Some(change) = then {
            self.feed.publish(change);
        }
        Ok(row)
    }

    /// Opens a case (the store numbers it) with its first step and audit row.
    pub(crate) async fn open_case(
        &self,
        case: Case,
        step: Step,
        audit: &AuditEntry,
    ) -> Result<Case, StoreError> {
        let opened = self
            .store
            .create_case(case, step, audit, crate::model::now_ms())
            .await?;
        self.feed.publish(Change::Case {
            case: crate::feed::CaseMoved::of(&opened),
        });
        Ok(opened)
    }

    /// A step on a case read as it stood at `read` (state, last change): `false`, and nothing
    /// written, when another step landed first.
    pub(crate) async fn step_case(
        &self,
        case: &Case,
        read: (CaseState, i64),
        step: &Step,
        audit: &AuditEntry,
    ) -> Result<bool, StoreError> {
        let applied = self
            .store
            .update_case(case, read, step, audit, crate::model::now_ms())
            .await?;
        if applied {
            self.feed.publish(Change::Case {
                case: crate::feed::CaseMoved::of(case),
            });
        }
        Ok(applied)
    }

    /// Saves (`Some` body) or deletes a video layout: `false` when there was none to delete.
    pub(crate) async fn save_layout(
        &self,
        name: &str,
        body: Option<&str>,
        audit: &AuditEntry,
    ) -> Result<bool, StoreError> {
        self.store
            .put_video_layout(name, body, audit, crate::model::now_ms())
            .await
    }

    /// Keeps a photo under the hash of its bytes: its id.
    pub(crate) async fn keep_photo(
        &self,
        bytes: &[u8],
        content_type: &str,
        audit: &AuditEntry,
    ) -> Result<String, StoreError> {
        self.store
            .put_media(bytes, content_type, audit, crate::model::now_ms())
            .await
    }

    /// Checks a name and password; the store counts failures and opens a session.
    pub(crate) async fn log_in(
        &self,
        name: &str,
        password: &str,
        now: i64,
    ) -> Result<Session, LoginError> {
        self.store.login(name, password, now).await
    }

    /// Ends the session `token` opened.
    pub(crate) async fn log_out(&self, token: &str) -> Result<(), StoreError> {
        self.store.logout(token, crate::model::now_ms()).await
    }
}
