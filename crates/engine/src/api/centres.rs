//! The parent's view of its children (下级中心): for the centre a caller works for, each centre
//! directly under it with what it holds now — open and unacknowledged warnings, its reds, its
//! open and overdue cases and its rates, the worst of its warnings — and whether its wall is
//! there (a caller of that centre seen within [`ONLINE_WITHIN_MS`]). Counted over each child's
//! whole scope (itself and the centres under it), from the engine's open warnings and the store.

use std::collections::HashMap;
use std::sync::Mutex;

use schemars::JsonSchema;
use serde::Serialize;

use super::{Api, ApiError};
use crate::access::Principal;
use crate::cases::CaseSummary;
use crate::rules::{Level, State};

/// A centre's wall counts as there when one of its callers was heard from this recently.
pub const ONLINE_WITHIN_MS: i64 = 60_000;

/// When each centre's callers were last heard from (wall clock ms).
#[derive(Debug, Default)]
pub struct Heartbeats(Mutex<HashMap<String, i64>>);

impl Heartbeats {
    pub fn beat(&self, centre: &str, now: i64) {
        let mut seen = self.0.lock().unwrap_or_else(|e| e.into_inner());
        seen.insert(centre.to_string(), now);
    }

    pub fn last(&self, centre: &str) -> Option<i64> {
        let seen = self.0.lock().unwrap_or_else(|e| e.into_inner());
        seen.get(centre).copied()
    }
}

/// One child centre as its parent's panel shows it.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct CentreStatus {
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
    /// Its wall was heard from within a minute.
    pub online: bool,
    /// Within its duty hours now (`[[centres]] duty_hours`; always without them).
    pub on_duty: bool,
    /// When a caller of this centre was last heard from (Unix ms); none since the engine started.
    pub last_seen: Option<i64>,
    pub warnings_open: u32,
    /// Open warnings still to acknowledge.
    pub unacknowledged: u32,
    pub red: u32,
    /// Cases of its held under a 督办 from above.
    pub urged: u32,
    /// Cases handed to it (下派 or 上报) it has left past their hand-over deadline.
    pub handovers_late: u32,
    /// The most severe open warning's title (the longest unacknowledged among equals).
    pub worst: Option<String>,
    pub worst_en: Option<String>,
    /// The loop's numbers over the cases it owns.
    pub cases: CaseSummary,
}

impl Api {
    /// Notes that `who`'s centre is at its wall now.
    pub(crate) fn heard_from(&self, who: &Principal) {
        let centre = self.centre_of(who).to_string();
        self.heartbeats.beat(&centre, crate::model::now_ms());
    }

    /// The centres directly under `who`'s, each with what it holds now.
    pub async fn centre_status(&self, who: &Principal) -> Result<Vec<CentreStatus>, ApiError> {
        let centres = &self.engine.centres;
        let own = centres
            .get(self.centre_of(who))
            .ok_or_else(|| ApiError::NotFound("this account's centre is not in the tree".into()))?;
        let open: Vec<crate::rules::Warning> = {
            let state = self.engine.rules.lock().await;
            state
                .warnings
                .open()
                .map(|w| self.engine.owned(w.clone()))
                .collect()
        };
        let now = self.engine.data_now();
        let minute = crate::centres::Centres::minute_of_day(now, &self.engine.config.centre.zone());
        let mut out = Vec::new();
        for child in own.children.iter().filter_map(|&i| centres.at(i)) {
            let scope = centres.scope(&child.id);
            let mine: Vec<&crate::rules::Warning> =
                open.iter().filter(|w| scope.contains(&w.centre)).collect();
            let worst = mine.iter().max_by_key(|w| {
                (
                    w.what.level,
                    w.state == State::Raised,
                    std::cmp::Reverse(w.raised_at),
                )
            });
            let count = |keep: &dyn Fn(&&crate::rules::Warning) -> bool| {
                u32::try_from(mine.iter().filter(|w| keep(w)).count()).unwrap_or(u32::MAX)
            };
            let last_seen = scope.iter().filter_map(|c| self.heartbeats.last(c)).max();
            out.push(CentreStatus {
                id: child.id.clone(),
                name_zh: child.name_zh.clone(),
                name_en: child.name_en.clone(),
                online: last_seen.is_some_and(|t| crate::model::now_ms() - t <= ONLINE_WITHIN_MS),
                last_seen,
                on_duty: crate::centres::Centres::on_duty(child, minute),
                warnings_open: count(&|_| true),
                unacknowledged: count(&|w| w.state == State::Raised),
                red: count(&|w| w.what.level == Level::Red),
                urged: count(&|w| w.what.kind == crate::rules::Kind::Urged),
                handovers_late: count(&|w| w.what.key.starts_with("handover:")),
                worst: worst.map(|w| w.what.title.clone()),
                worst_en: worst.map(|w| w.what.title_en.clone()),
                cases: self.engine.store.case_summary_owned_by(&scope, now).await?,
            });
        }
        Ok(out)
    }

    /// The tree with each area's box in the map's datum.
    pub(super) fn centres_out(
        &self,
        mut node: crate::centres::CentreNode,
    ) -> crate::centres::CentreNode {
        node.extent = node.extent.map(|b| self.engine.display.bbox_out(b));
        if let Some(area) = node.area.as_mut() {
            self.engine.display.geojson_out(area);
        }
        node.children = node
            .children
            .into_iter()
            .map(|c| self.centres_out(c))
            .collect();
        node
    }

    /// The loop's numbers as `who` sees them: over the cases its centre's scope holds.
    pub async fn case_summary_for(&self, who: &Principal) -> Result<CaseSummary, ApiError> {
        if self.sees_all(who) {
            return self.case_summary().await;
        }
        let scope = self.scope_ids(who);
        Ok(self
            .engine
            .store
            .case_summary_owned_by(&scope, self.engine.data_now())
            .await?)
    }
}
