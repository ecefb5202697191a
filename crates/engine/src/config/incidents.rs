//! The `[incidents]` section: the incident loop's time limits — hours per category, fewer for
//! an urgent case — the share of the limit after which an amber warning comes, and the
//! departments cases go to. Its categories are also the services the Open311 intake offers.

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IncidentsConfig {
    /// Hours a dispatched case has when its category names none (default 24).
    #[serde(default = "default_limit")]
    pub limit_h: f64,
    /// Hours an urgent case has at most (default 4).
    #[serde(default = "default_urgent")]
    pub urgent_limit_h: f64,
    /// Category → hours, in the order the intake offers them.
    #[serde(default = "default_categories")]
    pub categories: IndexMap<String, f64>,
    /// The share of the limit used after which the case's amber warning comes (default 0.75).
    #[serde(default = "default_amber")]
    pub amber_at: f64,
    /// Departments and grids cases are dispatched to (free text when empty).
    #[serde(default)]
    pub departments: Vec<String>,
    /// Minutes a centre has to take up a case handed to it (下派 or 上报) with its first step
    /// (default 60): past it the hand-over is overdue, on its own clock.
    #[serde(default = "default_handover")]
    pub handover_limit_min: u32,
}

fn default_handover() -> u32 {
    60
}

fn default_limit() -> f64 {
    24.0
}

fn default_urgent() -> f64 {
    4.0
}

fn default_amber() -> f64 {
    0.75
}

fn default_categories() -> IndexMap<String, f64> {
    [
        ("市容环境", 24.0),
        ("街面秩序", 12.0),
        ("市政设施", 48.0),
        ("园林绿化", 48.0),
        ("突发事件", 2.0),
        ("其他", 24.0),
    ]
    .into_iter()
    .map(|(c, h)| (c.to_string(), h))
    .collect()
}

impl Default for IncidentsConfig {
    fn default() -> Self {
        IncidentsConfig {
            limit_h: default_limit(),
            urgent_limit_h: default_urgent(),
            categories: default_categories(),
            amber_at: default_amber(),
            departments: Vec::new(),
            handover_limit_min: default_handover(),
        }
    }
}

impl IncidentsConfig {
    /// The hours a case of `category` has once dispatched.
    pub fn limit_for(&self, category: &str, urgent: bool) -> f64 {
        let hours = self
            .categories
            .get(category)
            .copied()
            .unwrap_or(self.limit_h);
        if urgent {
            hours.min(self.urgent_limit_h)
        } else {
            hours
        }
    }

    /// Each problem as (field, message).
    pub fn problems(&self) -> Vec<(&'static str, String)> {
        let mut problems = Vec::new();
        let hours_ok = |h: f64| h.is_finite() && h > 0.0 && h <= 24.0 * 365.0;
        if !hours_ok(self.limit_h) {
            problems.push((
                "incidents.limit_h",
                format!("{} h: give 0 < hours ≤ 8760", self.limit_h),
            ));
        }
        if !hours_ok(self.urgent_limit_h) {
            problems.push((
                "incidents.urgent_limit_h",
                format!("{} h: give 0 < hours ≤ 8760", self.urgent_limit_h),
            ));
        }
        for (category, h) in &self.categories {
            if !hours_ok(*h) || category.trim().is_empty() {
                problems.push((
                    "incidents.categories",
                    format!("`{category}` = {h} h: give a name and 0 < hours ≤ 8760"),
                ));
            }
        }
        if self.categories.is_empty() {
            problems.push((
                "incidents.categories",
                "is empty: list at least one category".into(),
            ));
        }
        if !(1..=7 * 24 * 60).contains(&self.handover_limit_min) {
            problems.push((
                "incidents.handover_limit_min",
                format!("{} min: give 1 to 10080 (a week)", self.handover_limit_min),
            ));
        }
        if !(self.amber_at > 0.0 && self.amber_at < 1.0) {
            problems.push((
                "incidents.amber_at",
                format!("{}: give a share between 0 and 1", self.amber_at),
            ));
        }
        problems
    }
}

/// `[[layer]] cases = { … }`: the layer's features are cases of the incident loop as their
/// source reports them (a city's 12345 or 数字城管 system): its status field is mapped onto the
/// loop's states, and each change of status is a step of the case's timeline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LayerCases {
    pub status_field: String,
    /// The source's status → a state of the loop (`received`, `registered`, `dispatched`,
    /// `handling`, `reported`, `verified`, `suspended`, `closed`, `refused`).
    pub states: IndexMap<String, String>,
    /// The field naming the case's category (its time limit); default `category`.
    #[serde(default = "default_category_field")]
    pub category_field: String,
    /// The field the case's title comes from; default: the category.
    pub title_field: Option<String>,
    /// A field and the values of it that make a case urgent (e.g. severity = 严重).
    pub urgent: Option<crate::config::LayerFilter>,
}

fn default_category_field() -> String {
    "category".into()
}

impl LayerCases {
    /// Each problem as a message.
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if self.status_field.trim().is_empty() {
            problems.push("`cases.status_field` is empty".to_string());
        }
        if self.states.is_empty() {
            problems.push(
                "`cases.states` maps no status: map the source's statuses onto the loop's states"
                    .to_string(),
            );
        }
        for (status, state) in &self.states {
            if crate::cases::CaseState::parse(state).is_none() {
                problems.push(format!(
                    "`cases.states`: `{status}` = `{state}` is not a state of the loop (received, registered, refused, dispatched, handling, reported, verified, suspended, closed)"
                ));
            }
        }
        problems
    }
}
