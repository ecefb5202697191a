//! Each centre's scope through the façade: an officer of a centre sees and acts on what that
//! centre and the centres under it own (`[[centres]]`), the city's centre on everything. What
//! another centre owns is left out of lists and refused by name (403), on both transports.

use super::{Api, ApiError};
use crate::access::{AccessError, Principal};

impl Api {
    /// The centre `who` works for (the root's where the account names none).
    pub fn centre_of<'a>(&'a self, who: &'a Principal) -> &'a str {
        who.centre
            .as_deref()
            .unwrap_or_else(|| &self.engine.centres.root().id)
    }

    /// Whether `who` sees what `owner` owns (an empty owner: a thing from before centres, the
    /// root's).
    pub fn sees(&self, who: &Principal, owner: &str) -> bool {
        let owner = if owner.is_empty() {
            self.engine.centres.root().id.as_str()
        } else {
            owner
        };
        self.engine.centres.holds(self.centre_of(who), owner)
    }

    /// `Ok` when `who` may act on `thing`, owned by `owner`; else why not (403).
    pub(super) fn within_scope(
        &self,
        who: &Principal,
        owner: &str,
        thing: &str,
    ) -> Result<(), ApiError> {
        if self.sees(who, owner) {
            return Ok(());
        }
        Err(ApiError::Access(AccessError::OutOfScope {
            name: who.name.clone(),
            centre: self.centre_of(who).to_string(),
            thing: thing.to_string(),
            owner: owner.to_string(),
        }))
    }

    /// `who` looking at `centre`'s view (a parent stepped into a child's): the same account,
    /// narrowed to that centre's area; without `centre`, `who` itself. A centre outside `who`'s
    /// scope is refused (403), an unknown one is not found (404).
    pub fn viewing(&self, who: &Principal, centre: Option<&str>) -> Result<Principal, ApiError> {
        let Some(centre) = centre.filter(|c| !c.is_empty()) else {
            return Ok(who.clone());
        };
        if self.engine.centres.get(centre).is_none() {
            return Err(ApiError::NotFound(format!("no centre `{centre}`")));
        }
        self.within_scope(who, centre, &format!("centre {centre}'s view"))?;
        Ok(Principal {
            centre: Some(centre.to_string()),
            ..who.clone()
        })
    }

    /// Whether `who` sees everything (the city's centre).
    pub(super) fn sees_all(&self, who: &Principal) -> bool {
        self.centre_of(who) == self.engine.centres.root().id
    }

    /// The centres `who` sees: its own and those under it.
    pub(super) fn scope_ids(&self, who: &Principal) -> Vec<String> {
        self.engine.centres.scope(self.centre_of(who))
    }

    /// Where a case goes when handed down (the centre under its holder on the way to the
    /// centre whose area holds its place) or sent up (its holder's parent); why not, if it
    /// cannot (409).
    pub(super) fn hand_over_target(
        &self,
        case: &crate::cases::Case,
        action: &str,
    ) -> Result<String, ApiError> {
        let centres = &self.engine.centres;
        let root = centres.root().id.as_str();
        let holder = if case.centre.is_empty() {
            root
        } else {
            case.centre.as_str()
        };
        let target = if action == "report_up" {
            centres
                .parent_of(holder)
                .map(str::to_string)
                .ok_or_else(|| {
                    format!(
                        "case {} is with `{holder}`, which has no centre above it",
                        case.id
                    )
                })
        } else {
            let place = centres.owner(case.lon, case.lat);
            let mut at = place;
            loop {
                match centres.parent_of(at) {
                    Some(up) if up == holder => break Ok(at.to_string()),
                    Some(up) => at = up,
                    None => {
                        break Err(format!(
                        "no centre under `{holder}` holds the place of case {} (it is `{place}`'s)",
                        case.id
                    ))
                    }
                }
            }
        };
        target.map_err(ApiError::Conflict)
    }

    /// `Ok` when `who` may urge (督办) `case`: its centre stands above the case's holder (a
    /// centre does not urge itself), and the case is overdue.
    pub(super) fn check_urge(
        &self,
        who: &Principal,
        case: &crate::cases::Case,
        now: i64,
    ) -> Result<(), ApiError> {
        let holder = if case.centre.is_empty() {
            self.engine.centres.root().id.as_str()
        } else {
            case.centre.as_str()
        };
        if holder == self.centre_of(who) {
            return Err(ApiError::Conflict(format!(
                "case {} is this centre's own: 督办 is a parent's, on a centre below",
                case.id
            )));
        }
        let overdue = case.state.clock_runs() && case.deadline_at.is_some_and(|d| d < now);
        if !overdue {
            return Err(ApiError::Conflict(format!(
                "case {} is not overdue: 督办 is for a case past its deadline",
                case.id
            )));
        }
        Ok(())
    }
}
