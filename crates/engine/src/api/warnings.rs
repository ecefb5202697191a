//! The operators' side of warnings through the façade: the open ones (or all, from the store),
//! acknowledging one — checked against the access matrix and audited in the same transaction —
//! and reading the audit log.

use super::{Api, ApiError};
use crate::store::audit::{AuditEntry, AuditRecord};

impl Api {
    /// Warnings: the open ones from memory, or every one (cleared too) from the store, newest
    /// change first — all of them, as the city's centre sees them.
    pub async fn warnings(
        &self,
        all: bool,
        limit: u32,
    ) -> Result<Vec<crate::rules::Warning>, ApiError> {
        self.warnings_of(None, all, limit).await
    }

    /// The warnings `who` sees: those its centre's scope holds.
    pub async fn warnings_for(
        &self,
        who: &crate::access::Principal,
        all: bool,
        limit: u32,
    ) -> Result<Vec<crate::rules::Warning>, ApiError> {
        self.warnings_of(Some(who), all, limit).await
    }

    async fn warnings_of(
        &self,
        who: Option<&crate::access::Principal>,
        all: bool,
        limit: u32,
    ) -> Result<Vec<crate::rules::Warning>, ApiError> {
        let seen = |w: &crate::rules::Warning| who.is_none_or(|who| self.sees(who, &w.centre));
        let limit = limit.clamp(1, 5000);
        if all {
            let all = self.engine.store.warnings(false, limit).await?;
            return Ok(all
                .into_iter()
                .map(|w| self.engine.warning_out(w))
                .filter(seen)
                .collect());
        }
        let state = self.engine.rules.lock().await;
        let mut open: Vec<crate::rules::Warning> = state
            .warnings
            .open()
            .map(|w| self.engine.warning_out(w.clone()))
            .filter(seen)
            .collect();
        open.sort_by(|a, b| {
            b.what
                .level
                .cmp(&a.what.level)
                .then((a.state as u8).cmp(&(b.state as u8)))
                .then(b.updated_at.cmp(&a.updated_at))
        });
        open.truncate(limit as usize);
        Ok(open)
    }

    /// `Ok` when `who` may act on open warning `id` (one its centre's scope holds); a warning
    /// no longer open is left to the step that follows to name.
    pub async fn warning_in_scope(
        &self,
        who: &crate::access::Principal,
        id: &str,
    ) -> Result<(), ApiError> {
        let owner = {
            let state = self.engine.rules.lock().await;
            let found = state.warnings.open().find(|w| w.id == id);
            found.map(|w| {
                self.engine
                    .centres
                    .owner(w.what.lon, w.what.lat)
                    .to_string()
            })
        };
        match owner {
            Some(owner) => self.within_scope(who, &owner, &format!("warning {id}")),
            None => Ok(()),
        }
    }

    /// Acknowledges an open warning. The audit names the principal; on an open wall, which has
    /// no accounts, it names `by`, the operator's name as the console gives it.
    pub async fn acknowledge(
        &self,
        principal: &crate::access::Principal,
        id: &str,
        by: &str,
    ) -> Result<crate::rules::Warning, ApiError> {
        self.access.check(principal, "warning.acknowledge")?;
        self.warning_in_scope(principal, id).await?;
        let by = operator_name(principal, by)?;
        let now = self.engine.data_now();
        let action = |warning: &crate::rules::Warning| AuditEntry {
            actor: by.to_string(),
            action: "warning.acknowledge".into(),
            target: warning.id.clone(),
            detail: serde_json::json!({ "level": warning.what.level.as_str(), "title": warning.what.title, "via": principal.via }),
        };
        let warning = self
            .engine
            .acknowledge_warning(id, by, now, action)
            .await?
            .ok_or_else(|| ApiError::NotFound(format!("no open warning `{id}`")))?;
        Ok(self.engine.warning_out(warning))
    }

    /// The audit log after row `after_seq`, oldest first.
    pub async fn audit(
        &self,
        principal: &crate::access::Principal,
        after_seq: i64,
        limit: u32,
    ) -> Result<Vec<AuditRecord>, ApiError> {
        self.access.check(principal, "audit.read")?;
        Ok(self
            .engine
            .store
            .audit(after_seq, limit.min(10_000))
            .await?)
    }

    /// The latest `limit` rows of the audit log, newest first: the console's view.
    pub async fn audit_latest(
        &self,
        principal: &crate::access::Principal,
        limit: u32,
    ) -> Result<Vec<AuditRecord>, ApiError> {
        self.access.check(principal, "audit.read")?;
        Ok(self.engine.store.audit_latest(limit.clamp(1, 1000)).await?)
    }

    /// The whole audit log for the centre's records: CSV (RFC 4180, formula cells defused) or
    /// JSON lines, oldest first. Exporting is itself audited.
    pub async fn audit_export(
        &self,
        principal: &crate::access::Principal,
        csv: bool,
    ) -> Result<String, ApiError> {
        self.access.check(principal, "audit.export")?;
        let mut out = String::new();
        if csv {
            out.push_str(crate::store::audit::CSV_HEADER);
            out.push('\n');
        }
        let zone = self.engine.config.centre.zone();
        let mut after = 0;
        loop {
            let page = self.engine.store.audit(after, 5_000).await?;
            let Some(last) = page.last() else { break };
            after = last.seq;
            for r in &page {
                out.push_str(&r.export_row(&zone, csv));
                out.push('\n');
            }
        }
        self.engine.record(&AuditEntry {
                    actor: principal.name.clone(),
                    action: "audit.export".into(),
                    target: "audit".into(),
                    detail: serde_json::json!({ "format": if csv { "csv" } else { "jsonl" }, "rows": after }),
                }, None)
            .await?;
        Ok(out)
    }
}

/// Who the audit names for an operator's action on a warning: the principal; on an open wall,
/// which has no accounts, `by`, the operator's name as the console gives it.
pub(super) fn operator_name<'a>(
    principal: &'a crate::access::Principal,
    by: &'a str,
) -> Result<&'a str, ApiError> {
    let by = if principal.via == "open" {
        by.trim()
    } else {
        principal.name.as_str()
    };
    if by.is_empty() || by.chars().count() > 64 {
        return Err(ApiError::BadRequest(
            "`by` must name who acts (1 to 64 characters)".into(),
        ));
    }
    Ok(by)
}
