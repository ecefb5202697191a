//! The incident loop (城市管理案件, GB/T 30428 / CJ/T 315): 信息采集 → 立案 → 派遣 → 处置 →
//! 反馈 → 核查 → 结案, with 回退, 延期, 挂账 and reopening needing a leader's approval. One
//! transition table (`[loop]` in the access matrix) says which action takes a case from which
//! state to which; the matrix's `[actions]` say who may take it. This module is the pure part:
//! given a case, an action and who asks, what happens — a step, a request awaiting approval, or
//! a refusal that says why.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::access::{Access, Principal};

/// Where a case stands.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum CaseState {
    /// 受理: reported, not yet judged.
    Received,
    /// 立案: accepted as a case.
    Registered,
    /// 不予立案: refused (ends the case).
    Refused,
    /// 派遣: sent to a department or grid, with a deadline.
    Dispatched,
    /// 处置: the department is on it.
    Handling,
    /// 反馈: the department reports it done.
    Reported,
    /// 核查: the centre checked the report.
    Verified,
    /// 挂账: parked with approval (the clock stops).
    Suspended,
    /// 结案.
    Closed,
}

impl CaseState {
    pub const ALL: [CaseState; 9] = [
        CaseState::Received,
        CaseState::Registered,
        CaseState::Refused,
        CaseState::Dispatched,
        CaseState::Handling,
        CaseState::Reported,
        CaseState::Verified,
        CaseState::Suspended,
        CaseState::Closed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CaseState::Received => "received",
            CaseState::Registered => "registered",
            CaseState::Refused => "refused",
            CaseState::Dispatched => "dispatched",
            CaseState::Handling => "handling",
            CaseState::Reported => "reported",
            CaseState::Verified => "verified",
            CaseState::Suspended => "suspended",
            CaseState::Closed => "closed",
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            CaseState::Received => "受理",
            CaseState::Registered => "立案",
            CaseState::Refused => "不予立案",
            CaseState::Dispatched => "已派遣",
            CaseState::Handling => "处置中",
            CaseState::Reported => "已反馈",
            CaseState::Verified => "已核查",
            CaseState::Suspended => "挂账",
            CaseState::Closed => "结案",
        }
    }

    pub fn parse(s: &str) -> Option<CaseState> {
        CaseState::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// The deadline runs in these states.
    pub fn clock_runs(self) -> bool {
        matches!(self, CaseState::Dispatched | CaseState::Handling)
    }

    /// The case is finished.
    pub fn is_final(self) -> bool {
        matches!(self, CaseState::Closed | CaseState::Refused)
    }
}

/// One row of the transition table.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Transition {
    pub from: Vec<CaseState>,
    /// The next state; `"="` keeps the state (an extension moves only the deadline).
    pub to: String,
    /// Taken by someone without `incident.approve`, it waits for a leader's approval.
    #[serde(default)]
    pub approval: bool,
    /// It must say why (a refusal, a rework, a return, a reopening).
    #[serde(default)]
    pub note: bool,
}

impl Transition {
    /// The state a case in `from` moves to.
    pub fn target(&self, from: CaseState) -> Option<CaseState> {
        if self.to == "=" {
            Some(from)
        } else {
            CaseState::parse(&self.to)
        }
    }
}

/// The loop's table, from the access matrix's `[loop]`.
#[derive(Debug, Clone, Default)]
pub struct Loop {
    pub transitions: BTreeMap<String, Transition>,
}

#[derive(Debug, Deserialize)]
struct RawLoop {
    #[serde(rename = "loop")]
    table: BTreeMap<String, Transition>,
}

/// A request waiting for a leader.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Pending {
    pub action: String,
    pub by: String,
    pub note: String,
    pub hours: Option<f64>,
    pub at: i64,
}

/// A parent centre's 督办 on an overdue case one of its children holds: it stands until the
/// holder takes the case's next step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Urge {
    pub by: String,
    /// The centre that urged.
    pub centre: String,
    pub note: String,
    pub at: i64,
}

/// A case handed from one centre to another (下派 or 上报), waiting for the receiving centre's
/// first step: it has its own deadline (`[incidents] handover_limit_min`), apart from the
/// case's, so a hand-over left lying is seen before the case itself runs late.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct HandOver {
    /// `hand_down` or `report_up`.
    pub act: String,
    pub from: String,
    pub to: String,
    pub at: i64,
    /// Data-clock ms by which the receiving centre takes its first step.
    pub due_at: i64,
}

/// What an action does to a case.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// The case moves (or stays, for an extension) now.
    Step { to: CaseState },
    /// The action waits for approval; the case keeps its state.
    Requested,
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum CaseError {
    #[error("`{0}` is not a step of the incident loop")]
    UnknownAction(String),
    #[error("a case that is {state} ({zh}) cannot take the step `{action}`", state = .state.as_str(), zh = .state.zh())]
    WrongState { state: CaseState, action: String },
    #[error("{0} needs a note saying why")]
    NoteRequired(String),
    #[error("nothing awaits approval on this case")]
    NothingPending,
    #[error(transparent)]
    Access(#[from] crate::access::AccessError),
}

impl Loop {
    /// The loop as shipped in the access matrix.
    pub fn shipped() -> Loop {
        Loop::parse(crate::access::MATRIX).unwrap_or_else(|e| {
            tracing::error!("the incident loop table does not parse ({e}): no step is possible");
            Loop::default()
        })
    }

    pub fn parse(text: &str) -> Result<Loop, String> {
        #[derive(Deserialize)]
        struct Whole {
            #[serde(flatten)]
            raw: RawLoop,
            #[serde(flatten)]
            _rest: toml::Table,
        }
        let whole: Whole = toml::from_str(text).map_err(|e| e.to_string())?;
        for (action, t) in &whole.raw.table {
            if t.from.is_empty() || (t.to != "=" && CaseState::parse(&t.to).is_none()) {
                return Err(format!(
                    "loop step `{action}`: `from` is empty or `to` is not a state"
                ));
            }
        }
        Ok(Loop {
            transitions: whole.raw.table,
        })
    }

    /// What `action` by `who` does to a case in `state`: checked against the table and the
    /// access matrix (`incident.<action>`; approving needs `incident.approve`).
    pub fn decide(
        &self,
        access: &Access,
        who: &Principal,
        state: CaseState,
        action: &str,
        note: &str,
    ) -> Result<Outcome, CaseError> {
        let t = self
            .transitions
            .get(action)
            .ok_or_else(|| CaseError::UnknownAction(action.to_string()))?;
        access.check(who, &format!("incident.{action}"))?;
        if !t.from.contains(&state) {
            return Err(CaseError::WrongState {
                state,
                action: action.to_string(),
            });
        }
        if t.note && note.trim().is_empty() {
            return Err(CaseError::NoteRequired(action.to_string()));
        }
        let to = t
            .target(state)
            .ok_or_else(|| CaseError::UnknownAction(action.to_string()))?;
        if t.approval && !access.allows(who.role, "incident.approve") {
            return Ok(Outcome::Requested);
        }
        Ok(Outcome::Step { to })
    }
}

#[cfg(test)]
mod tests;

/// A case as the wall, the API and the store see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Case {
    pub id: String,
    /// Where it came from: `operator` (a call taken on the wall), `open311`, or a source's id.
    pub origin: String,
    pub category: String,
    pub urgent: bool,
    pub title: String,
    pub description: String,
    pub address: String,
    /// WGS84.
    pub lon: f64,
    pub lat: f64,
    /// Who reported it (as they gave it): personal data, shown only to who handles the case.
    pub reporter: String,
    /// The account or token that opened it (an intake app reads back only its own).
    #[serde(default)]
    pub reported_by: String,
    /// The centre whose area holds it (`[[centres]]`): who handles it. Empty in cases stored
    /// before centres were: the city's.
    #[serde(default)]
    pub centre: String,
    /// Photo URLs the report came with.
    pub media: Vec<String>,
    pub state: CaseState,
    pub department: Option<String>,
    /// The time limit the category and urgency gave, in hours.
    pub limit_h: Option<f64>,
    /// Data-clock ms; runs while dispatched or handling.
    pub deadline_at: Option<i64>,
    /// What was left of the limit when the case was suspended (ms).
    pub remaining_ms: Option<i64>,
    pub pending: Option<Pending>,
    /// A parent's 督办 standing on it (cleared by the next step).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub urged: Option<Urge>,
    /// The hand-over the receiving centre has not yet taken up (cleared by its next step).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handover: Option<HandOver>,
    pub created_at: i64,
    pub updated_at: i64,
    pub closed_at: Option<i64>,
    /// Closed within its deadline.
    pub on_time: Option<bool>,
}

/// One step a case took, as its timeline shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[schemars(rename = "CaseStep")]
pub struct Step {
    pub seq: i64,
    pub at: i64,
    pub actor: String,
    /// `create`, a loop step, `request:<step>`, `approve:<step>`, `deny:<step>`.
    pub action: String,
    pub from: Option<CaseState>,
    pub to: CaseState,
    pub note: String,
    pub media: Vec<String>,
}

/// The loop's headline numbers, counted from the store.
#[derive(Debug, Clone, Default, PartialEq, Serialize, schemars::JsonSchema)]
pub struct CaseSummary {
    pub received: u64,
    pub closed: u64,
    pub closed_on_time: u64,
    pub refused: u64,
    pub open: u64,
    pub overdue: u64,
    /// 办结率: closed / received (refused ones count as received, not closed).
    pub rate_closed: Option<f64>,
    /// 按期结案率: closed on time / closed cases whose closing time is known (a case a source
    /// reported already closed is not judged).
    pub rate_on_time: Option<f64>,
    pub mean_hours_to_close: Option<f64>,
}
