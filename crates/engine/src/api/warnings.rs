//! The operators' side of warnings through the façade: the open ones (or all, from the store),
//! acknowledging one — checked against the access matrix and audited in the same transaction —
//! and reading the audit log.

use super::{Api, ApiError};
use crate::store::audit::{AuditEntry, AuditRecord};

impl Api {
    /// Warnings: the open ones from memory, or every one (cleared too) from the store, newest
    /// change first.
    pub async fn warnings(
        &self,
        all: bool,
        limit: u32,
    ) -> Result<Vec<crate::rules::Warning>, ApiError> {
        let limit = limit.clamp(1, 5000);
        if all {
            let all = self.engine.store.warnings(false, limit).await?;
            return Ok(all
                .into_iter()
                .map(|w| self.engine.warning_out(w))
                .collect());
        }
        let state = self.engine.rules.lock().await;
        let mut open: Vec<crate::rules::Warning> = state.warnings.open().cloned().collect();
        open.sort_by(|a, b| {
            b.what
                .level
                .cmp(&a.what.level)
                .then((a.state as u8).cmp(&(b.state as u8)))
                .then(b.updated_at.cmp(&a.updated_at))
        });
        open.truncate(limit as usize);
        Ok(open
            .into_iter()
            .map(|w| self.engine.warning_out(w))
            .collect())
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
