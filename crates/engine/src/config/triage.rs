//! The `[warnings]` section: how the wall triages its warnings — the order of their kinds by
//! weight, heaviest first (a flooded underpass above an overdue street-lamp case of the same
//! level), and from how many open warnings of one kind the panel folds them into one row with
//! their counts; and each kind's procedure (处置预案: the department, its contact and the steps a
//! duty officer takes, each step recorded when taken).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::rules::Kind;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TriageConfig {
    /// Warning kinds, heaviest first; a kind not listed weighs least.
    #[serde(default = "default_order")]
    pub order: Vec<String>,
    /// A kind with more open warnings than this is one row in the panel.
    #[serde(default = "default_group_from")]
    pub group_from: u32,
    /// Each kind's procedure, by kind (`[warnings.procedures.flood-level]`).
    #[serde(default)]
    pub procedures: BTreeMap<String, Procedure>,
}

/// What a duty officer does about a warning of one kind.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Procedure {
    /// Who handles it ("市排水管理处").
    pub department: String,
    /// How to reach them (a phone number, a radio channel).
    #[serde(default)]
    pub contact: String,
    /// The steps, in order; each one taken is an audit row.
    pub steps: Vec<String>,
    /// The department and the steps on an English wall, one for one (default: as above).
    #[serde(default)]
    pub department_en: String,
    #[serde(default)]
    pub steps_en: Vec<String>,
}

/// The most steps a procedure lists: a wall shows them all at once.
pub const MAX_STEPS: usize = 8;

/// Life safety first, then the state of the data, then enforcement and case work.
fn default_order() -> Vec<String> {
    [
        // What a centre below left undone weighs first on its parent's wall.
        Kind::Unacknowledged,
        Kind::Urged,
        Kind::SourceDown,
        Kind::FloodLevel,
        Kind::FloodRise,
        Kind::Threshold,
        Kind::Rate,
        Kind::Count,
        Kind::Hotspot,
        Kind::GaugeSilent,
        Kind::Stale,
        Kind::Event,
        Kind::OverweightPass,
        Kind::OverloadRate,
        Kind::Overdue,
        Kind::Duplicate,
    ]
    .iter()
    .map(|k| k.as_str().to_string())
    .collect()
}

fn default_group_from() -> u32 {
    3
}

impl Default for TriageConfig {
    fn default() -> Self {
        TriageConfig {
            order: default_order(),
            group_from: default_group_from(),
            procedures: BTreeMap::new(),
        }
    }
}

impl TriageConfig {
    /// Each problem as (field, message).
    pub fn problems(&self) -> Vec<(&'static str, String)> {
        let mut problems = Vec::new();
        let known: Vec<&str> = Kind::ALL.iter().map(|k| k.as_str()).collect();
        for kind in &self.order {
            if Kind::parse(kind).is_none() {
                problems.push((
                    "warnings.order",
                    format!("unknown kind `{kind}`: use {}", known.join(", ")),
                ));
            }
        }
        for (kind, procedure) in &self.procedures {
            if Kind::parse(kind).is_none() {
                problems.push((
                    "warnings.procedures",
                    format!("`{kind}` is no warning kind: use {}", known.join(", ")),
                ));
            }
            let n = procedure.steps.len();
            if n == 0 || n > MAX_STEPS || procedure.steps.iter().any(|s| s.trim().is_empty()) {
                problems.push((
                    "warnings.procedures.steps",
                    format!("`{kind}` lists {n} steps: give 1 to {MAX_STEPS}, none empty"),
                ));
            }
            let en = procedure.steps_en.len();
            if en != 0 && en != n {
                problems.push((
                    "warnings.procedures.steps_en",
                    format!(
                        "`{kind}` lists {en} English steps for {n} steps: give one each, or none"
                    ),
                ));
            }
            if procedure.department.trim().is_empty() {
                problems.push((
                    "warnings.procedures.department",
                    format!("`{kind}` names no department"),
                ));
            }
        }
        if !(1..=100).contains(&self.group_from) {
            problems.push((
                "warnings.group_from",
                format!("is {}: give 1 to 100", self.group_from),
            ));
        }
        problems
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_order_names_every_kind_and_a_typo_is_a_problem() {
        let default = TriageConfig::default();
        assert!(default.problems().is_empty());
        assert_eq!(default.order.len(), Kind::ALL.len());
        let bad = TriageConfig {
            order: vec!["flood-levle".into()],
            group_from: 0,
            procedures: [(
                "flood".to_string(),
                Procedure {
                    department: " ".into(),
                    contact: String::new(),
                    steps: vec![],
                    department_en: String::new(),
                    steps_en: vec!["Call".into()],
                },
            )]
            .into(),
        };
        let fields: Vec<_> = bad.problems().into_iter().map(|p| p.0).collect();
        assert_eq!(
            fields,
            [
                "warnings.order",
                "warnings.procedures",
                "warnings.procedures.steps",
                "warnings.procedures.steps_en",
                "warnings.procedures.department",
                "warnings.group_from"
            ]
        );
    }
}
