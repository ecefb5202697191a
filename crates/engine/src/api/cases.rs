//! The incident loop through the façade: a case opened by an operator on the wall (a 12345 call,
//! placed on the map) or by the Open311 intake, every step checked against the loop's table and
//! the access matrix, written with its step and audit row in one transaction, and the loop's
//! numbers counted straight from the store.

use serde::Deserialize;

use super::{Api, ApiError};
use crate::access::Principal;
use crate::cases::{Case, CaseError, CaseState, CaseSummary, Outcome, Pending, Step};
use crate::store::audit::AuditEntry;

/// A report that opens a case.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCase {
    pub category: String,
    pub title: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub address: String,
    pub lon: f64,
    pub lat: f64,
    #[serde(default)]
    pub urgent: bool,
    #[serde(default)]
    pub reporter: String,
    /// Photo URLs (http or https).
    #[serde(default)]
    pub media: Vec<String>,
}

/// What a step says beside its action.
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StepInput {
    #[serde(default)]
    pub note: String,
    /// Where `dispatch` sends the case.
    pub department: Option<String>,
    /// How many hours `extend` adds.
    pub hours: Option<f64>,
    #[serde(default)]
    pub media: Vec<String>,
}

fn text(field: &str, value: &str, max: usize, required: bool) -> Result<String, ApiError> {
    let value = value.trim();
    if required && value.is_empty() {
        return Err(ApiError::BadRequest(format!("`{field}` is empty")));
    }
    if value.chars().count() > max {
        return Err(ApiError::BadRequest(format!(
            "`{field}` is longer than {max} characters"
        )));
    }
    Ok(value.to_string())
}

/// Photo references: only photos uploaded to the store (`/api/v1/media/<id>`). A link to
/// anywhere else would have the wall's operators' browsers fetch what a reporter chose (a
/// tracking pixel, a page on the centre's LAN) and show what nobody checked.
fn media(urls: &[String]) -> Result<Vec<String>, ApiError> {
    if urls.len() > 8 {
        return Err(ApiError::BadRequest("at most 8 photos per step".into()));
    }
    urls.iter()
        .map(|u| {
            let u = u.trim();
            if super::stored_id(u).is_some() {
                Ok(u.to_string())
            } else {
                Err(ApiError::BadRequest(format!(
                    "photo `{}` is not a photo uploaded here (/api/v1/media/…): send the photo \
                     itself (POST /api/v1/media, or Open311's multipart `media`)",
                    u.chars().take(60).collect::<String>()
                )))
            }
        })
        .collect()
}

impl From<CaseError> for ApiError {
    fn from(e: CaseError) -> Self {
        match e {
            CaseError::Access(a) => ApiError::Access(a),
            other => ApiError::Conflict(other.to_string()),
        }
    }
}

const HOUR_MS: f64 = 3_600_000.0;

impl Api {
    /// Opens a case: `origin` is `operator` (the place as the map gave it, in its datum) or
    /// `open311` (WGS84, as the GeoReport spec says).
    pub async fn create_case(
        &self,
        who: &Principal,
        new: NewCase,
        origin: &str,
    ) -> Result<Case, ApiError> {
        let action = if origin == "open311" {
            "intake.report"
        } else {
            "incident.create"
        };
        self.access.check(who, action)?;
        self.check_case_fields(&new)?;
        let category = text("category", &new.category, 64, true)?;
        let (lon, lat) = if origin == "open311" {
            (new.lon, new.lat)
        } else {
            self.engine.display.back(new.lon, new.lat)
        };
        let now = self.engine.data_now();
        let case = Case {
            id: String::new(),
            origin: origin.to_string(),
            category,
            urgent: new.urgent,
            title: text("title", &new.title, 200, true)?,
            description: text("description", &new.description, 4000, false)?,
            address: text("address", &new.address, 200, false)?,
            lon,
            lat,
            reporter: text("reporter", &new.reporter, 64, false)?,
            reported_by: who.name.clone(),
            centre: self.engine.centres.owner(lon, lat).to_string(),
            media: self.checked_media(&new.media).await?,
            state: CaseState::Received,
            department: None,
            limit_h: None,
            deadline_at: None,
            remaining_ms: None,
            pending: None,
            urged: None,
            handover: None,
            created_at: now,
            updated_at: now,
            closed_at: None,
            on_time: None,
        };
        let step = Step {
            seq: 0,
            at: now,
            actor: who.name.clone(),
            action: "create".into(),
            from: None,
            to: CaseState::Received,
            note: String::new(),
            media: case.media.clone(),
        };
        let audit = AuditEntry {
            actor: who.name.clone(),
            action: "incident.create".into(),
            target: String::new(),
            detail: serde_json::json!({ "category": case.category, "origin": origin, "via": who.via }),
        };
        let case = self.engine.open_case(case, step, &audit).await?;
        Ok(self.case_out(case))
    }

    /// Whether a new case's fields would be taken (category, place, lengths), before anything
    /// that comes with it — a photo — is stored.
    pub fn check_case_fields(&self, new: &NewCase) -> Result<(), ApiError> {
        let incidents = &self.engine.config.incidents;
        let category = text("category", &new.category, 64, true)?;
        if !incidents.categories.contains_key(&category) {
            return Err(ApiError::BadRequest(format!(
                "`category` `{category}` is not one of {}",
                incidents
                    .categories
                    .keys()
                    .cloned()
                    .collect::<Vec<_>>()
                    .join("、")
            )));
        }
        super::lonlat_in_range(new.lon, new.lat)?;
        text("title", &new.title, 200, true)?;
        text("description", &new.description, 4000, false)?;
        text("address", &new.address, 200, false)?;
        text("reporter", &new.reporter, 64, false)?;
        media(&new.media)?;
        Ok(())
    }

    /// Takes `action` on case `id` (a loop step, or `approve` / `deny` of what awaits a
    /// leader).
    pub async fn case_step(
        &self,
        who: &Principal,
        id: &str,
        action: &str,
        input: StepInput,
    ) -> Result<Case, ApiError> {
        let (mut case, _) = self
            .engine
            .store
            .case(id)
            .await?
            .ok_or_else(|| ApiError::NotFound(format!("no case `{id}`")))?;
        self.within_scope(who, &case.centre, &format!("case {id}"))?;
        if !["operator", "open311"].contains(&case.origin.as_str()) {
            return Err(ApiError::Conflict(format!(
                "case {id} follows its source `{}`: its steps are taken there",
                case.origin
            )));
        }
        let note = text("note", &input.note, 2000, false)?;
        let photos = self.checked_media(&input.media).await?;
        let now = self.engine.data_now();
        let from = case.state;
        let read = (case.state, case.updated_at);
        let recorded: String;
        let holder = case.centre.clone();
        match action {
            "urge" => {
                self.access.check(who, "incident.urge")?;
                self.check_urge(who, &case, now)?;
                recorded = "urge".to_string();
                case.urged = Some(crate::cases::Urge {
                    by: who.name.clone(),
                    centre: self.centre_of(who).to_string(),
                    note: note.clone(),
                    at: now,
                });
            }
            "hand_down" | "report_up" => {
                self.access.check(who, &format!("incident.{action}"))?;
                if action == "report_up" && note.trim().is_empty() {
                    return Err(ApiError::BadRequest(
                        "say why the case goes up (`note`): what is beyond this centre's means"
                            .into(),
                    ));
                }
                let to = self.hand_over_target(&case, action)?;
                recorded = format!("{action}:{to}");
                let limit_ms = i64::from(self.engine.config.incidents.handover_limit_min) * 60_000;
                case.handover = Some(crate::cases::HandOver {
                    act: action.to_string(),
                    from: holder.clone(),
                    to: to.clone(),
                    at: now,
                    due_at: now.saturating_add(limit_ms),
                });
                case.centre = to;
            }
            "approve" | "deny" => {
                self.access.check(who, &format!("incident.{action}"))?;
                let pending = case.pending.take().ok_or(CaseError::NothingPending)?;
                recorded = format!("{action}:{}", pending.action);
                if action == "approve" {
                    let Outcome::Step { to } = self.cases.decide(
                        &self.access,
                        who,
                        case.state,
                        &pending.action,
                        &pending.note,
                    )?
                    else {
                        return Err(CaseError::NothingPending.into());
                    };
                    let input = StepInput {
                        note: pending.note.clone(),
                        department: None,
                        hours: pending.hours,
                        media: Vec::new(),
                    };
                    self.apply(&mut case, &pending.action, to, &input, now)?;
                }
            }
            _ => match self
                .cases
                .decide(&self.access, who, case.state, action, &note)?
            {
                Outcome::Requested => {
                    if action == "extend" {
                        extension_hours(&input)?;
                    }
                    recorded = format!("request:{action}");
                    case.pending = Some(Pending {
                        action: action.to_string(),
                        by: who.name.clone(),
                        note: note.clone(),
                        hours: input.hours,
                        at: now,
                    });
                }
                Outcome::Step { to } => {
                    recorded = action.to_string();
                    self.apply(&mut case, action, to, &input, now)?;
                }
            },
        }
        // The holder's next step answers a 督办, and takes up a hand-over (a hand-over's own
        // step starts the next one).
        if action != "urge" {
            case.urged = None;
            if !matches!(action, "hand_down" | "report_up") {
                case.handover = None;
            }
        }
        case.updated_at = now;
        let step = Step {
            seq: 0,
            at: now,
            actor: who.name.clone(),
            action: recorded.clone(),
            from: Some(from),
            to: case.state,
            note: note.clone(),
            media: photos,
        };
        // A hand-over's audit action is the act's; the centres are in its detail.
        let acted = match recorded.split_once(':') {
            Some((act @ ("hand_down" | "report_up"), _)) => act.to_string(),
            _ => recorded.replace(':', "."),
        };
        let audit = AuditEntry {
            actor: who.name.clone(),
            action: format!("incident.{acted}"),
            target: case.id.clone(),
            detail: serde_json::json!({ "from": from.as_str(), "to": case.state.as_str(), "note": note, "via": who.via,
                "centre": { "from": holder, "to": case.centre } }),
        };
        let applied = self.engine.step_case(&case, read, &step, &audit).await?;
        if !applied {
            let now_state = match self.engine.store.case(id).await? {
                Some((c, _)) => c.state.as_str(),
                None => "gone",
            };
            return Err(ApiError::Conflict(format!(
                "case {id} moved on while this step was taken: it is `{now_state}` now, not \
                 `{}`; look again and take the step that fits",
                from.as_str()
            )));
        }
        Ok(self.case_out(case))
    }

    /// Photo references, each well-formed and, when uploaded here, in the store.
    async fn checked_media(&self, references: &[String]) -> Result<Vec<String>, ApiError> {
        let photos = media(references)?;
        self.check_media(&photos).await?;
        Ok(photos)
    }

    /// What a step does to the case's state, department, deadline and on-time mark.
    fn apply(
        &self,
        case: &mut Case,
        action: &str,
        to: CaseState,
        input: &StepInput,
        now: i64,
    ) -> Result<(), ApiError> {
        let incidents = &self.engine.config.incidents;
        let limit = || incidents.limit_for(&case.category, case.urgent);
        match action {
            "dispatch" => {
                let department = text(
                    "department",
                    input.department.as_deref().unwrap_or(""),
                    64,
                    true,
                )?;
                if !incidents.departments.is_empty() && !incidents.departments.contains(&department)
                {
                    return Err(ApiError::BadRequest(format!(
                        "`department` `{department}` is not one of {}",
                        incidents.departments.join("、")
                    )));
                }
                case.department = Some(department);
                case.limit_h = Some(limit());
                case.deadline_at = Some(now + (limit() * HOUR_MS) as i64);
            }
            "extend" => {
                let hours = extension_hours(input)?;
                case.deadline_at = Some(case.deadline_at.unwrap_or(now) + (hours * HOUR_MS) as i64);
            }
            "suspend" => {
                case.remaining_ms = case.deadline_at.map(|d| (d - now).max(0));
                case.deadline_at = None;
            }
            "resume" => {
                let remaining = case
                    .remaining_ms
                    .take()
                    .unwrap_or((limit() * HOUR_MS) as i64);
                case.deadline_at = Some(now + remaining);
            }
            "report" => case.on_time = Some(case.deadline_at.is_none_or(|d| now <= d)),
            "close" => {
                case.closed_at = Some(now);
                case.on_time = Some(case.on_time.unwrap_or(true));
            }
            "return" => {
                case.department = None;
                case.deadline_at = None;
            }
            "reopen" | "rework" => {
                case.closed_at = None;
                case.on_time = None;
                if action == "reopen" {
                    case.deadline_at = Some(now + (limit() * HOUR_MS) as i64);
                }
            }
            _ => {}
        }
        if to != case.state {
            case.pending = None;
        }
        case.state = to;
        Ok(())
    }

    /// Cases, newest first (those in `states`; all without), as `who` may see them: only the
    /// ones it reported unless it may read all (an intake app), and without the reporter's
    /// personal data unless it handles cases.
    pub async fn cases(
        &self,
        who: &Principal,
        states: &[CaseState],
        limit: u32,
    ) -> Result<Vec<Case>, ApiError> {
        let limit = limit.clamp(1, 5000);
        let cases = if self.access.check(who, "case.read_all").is_ok() {
            if self.sees_all(who) {
                self.engine.store.cases(states, limit).await?
            } else {
                let scope = self.scope_ids(who);
                self.engine
                    .store
                    .cases_owned_by(&scope, states, limit)
                    .await?
            }
        } else {
            self.engine
                .store
                .cases_reported_by(&who.name, states, limit)
                .await?
        };
        Ok(cases.into_iter().map(|c| self.case_for(who, c)).collect())
    }

    /// One case and its timeline, as `who` may see them (see [`Api::cases`]): a case it may
    /// not read is "no case", as one that does not exist.
    pub async fn case(&self, who: &Principal, id: &str) -> Result<(Case, Vec<Step>), ApiError> {
        let missing = || ApiError::NotFound(format!("no case `{id}`"));
        let (case, steps) = self.engine.store.case(id).await?.ok_or_else(missing)?;
        if self.access.check(who, "case.read_all").is_err() && case.reported_by != who.name {
            return Err(missing());
        }
        self.within_scope(who, &case.centre, &format!("case {id}"))?;
        Ok((self.case_for(who, case), steps))
    }

    /// A case as `who` sees it: its place in the map's datum, the reporter only to those who
    /// handle cases.
    fn case_for(&self, who: &Principal, case: Case) -> Case {
        let mut case = self.case_out(case);
        if self.access.check(who, "case.personal").is_err() {
            case.reporter.clear();
        }
        case
    }

    /// 办结率, 按期结案率, time to close, open and overdue cases, from the store.
    pub async fn case_summary(&self) -> Result<CaseSummary, ApiError> {
        Ok(self
            .engine
            .store
            .case_summary(self.engine.data_now())
            .await?)
    }

    /// A case as the map draws it (its place in the map's datum).
    fn case_out(&self, mut case: Case) -> Case {
        (case.lon, case.lat) = self.engine.display.out(case.lon, case.lat);
        case
    }
}

/// The hours an extension adds: given, positive, at most 30 days.
fn extension_hours(input: &StepInput) -> Result<f64, ApiError> {
    match input.hours {
        Some(h) if h.is_finite() && h > 0.0 && h <= 720.0 => Ok(h),
        _ => Err(ApiError::BadRequest(
            "`extend` needs `hours`: more than 0, at most 720".into(),
        )),
    }
}
