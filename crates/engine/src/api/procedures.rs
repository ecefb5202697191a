//! A warning's procedure (处置预案, `[warnings.procedures]`) through the façade: the steps taken
//! on one warning, and taking one — checked like an acknowledgement and recorded as an audit row
//! (`warning.step`), once per step, so the log says who did what about which warning and when.

use serde::Serialize;

use super::warnings::operator_name;
use super::{Api, ApiError};
use crate::store::audit::{AuditEntry, AuditRecord};

/// The audit action a step is recorded as.
const STEP: &str = "warning.step";

/// A step of a warning's procedure, as taken.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct StepTaken {
    /// Its place in the procedure, from 0.
    pub step: usize,
    pub text: String,
    pub by: String,
    /// Unix ms (wall clock).
    pub at: i64,
}

fn taken(record: &AuditRecord) -> Option<StepTaken> {
    let detail: serde_json::Value = serde_json::from_str(&record.detail).ok()?;
    Some(StepTaken {
        step: usize::try_from(detail.get("step")?.as_u64()?).ok()?,
        text: detail.get("text")?.as_str()?.to_string(),
        by: record.actor.clone(),
        at: record.at,
    })
}

impl Api {
    /// The steps taken on warning `id`, in the order they were taken.
    pub async fn warning_steps(&self, id: &str) -> Result<Vec<StepTaken>, ApiError> {
        let rows = self.engine.store.audit_of(STEP, id).await?;
        Ok(rows.iter().filter_map(taken).collect())
    }

    /// Takes step `step` of the open warning `id`'s procedure; a step taken before is not
    /// recorded again. Returns every step taken on it.
    pub async fn take_step(
        &self,
        principal: &crate::access::Principal,
        id: &str,
        step: usize,
        by: &str,
    ) -> Result<Vec<StepTaken>, ApiError> {
        self.access.check(principal, "warning.acknowledge")?;
        self.warning_in_scope(principal, id).await?;
        let by = operator_name(principal, by)?;
        let open = {
            let state = self.engine.rules.lock().await;
            let found = state.warnings.open().find(|w| w.id == id).cloned();
            found
        };
        let warning = open.ok_or_else(|| ApiError::NotFound(format!("no open warning `{id}`")))?;
        let kind = warning.what.kind.as_str();
        let procedure = self
            .engine
            .config
            .warnings
            .procedures
            .get(kind)
            .ok_or_else(|| {
                ApiError::BadRequest(format!(
                    "warnings of kind `{kind}` have no procedure ([warnings.procedures.{kind}])"
                ))
            })?;
        let text = procedure.steps.get(step).ok_or_else(|| {
            ApiError::BadRequest(format!(
                "step {step}: the `{kind}` procedure has steps 0 to {}",
                procedure.steps.len().saturating_sub(1)
            ))
        })?;
        let _turn = self.engine.steps.lock().await;
        let before = self.warning_steps(id).await?;
        if before.iter().any(|t| t.step == step) {
            return Ok(before);
        }
        self.engine.record(&AuditEntry {
                    actor: by.to_string(),
                    action: STEP.into(),
                    target: warning.id.clone(),
                    detail: serde_json::json!({ "step": step, "text": text, "kind": kind, "title": warning.what.title, "via": principal.via }),
                }, None)
            .await?;
        self.warning_steps(id).await
    }
}
