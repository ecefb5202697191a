//! Case deadlines: a case whose clock runs (dispatched or handling) raises an orange warning
//! once it has used `amber_at` of its time limit, and a red one past its deadline. A case that
//! moves on (reported, suspended, closed) clears its warning.

use super::{Desired, Kind, Level};
use crate::cases::Case;

/// How a warning names its case: its title and its number as the reporter knows it (without the
/// origin the engine prefixes to keep ids apart).
fn label(case: &Case) -> (String, String) {
    let number = case.id.rsplit(':').next().unwrap_or(&case.id);
    match case.title.trim() {
        "" => (format!("案件 {number}"), format!("Case {number}")),
        title => (
            format!("案件 {title}（{number}）"),
            format!("Case {title} ({number})"),
        ),
    }
}

/// Its category, who handles it (or its state) and its title, each once.
fn detail(case: &Case, state: &str) -> String {
    [
        case.category.as_str(),
        case.department.as_deref().unwrap_or(state),
        case.title.as_str(),
    ]
    .iter()
    .enumerate()
    .filter(|(i, part)| *i < 2 || **part != case.category)
    .map(|(_, part)| *part)
    .collect::<Vec<_>>()
    .join(" · ")
}

pub fn evaluate(cases: &[Case], amber_at: f64, now: i64) -> Vec<Desired> {
    let mut out = Vec::new();
    for case in cases {
        let (Some(deadline), true) = (case.deadline_at, case.state.clock_runs()) else {
            continue;
        };
        let limit_ms = case.limit_h.unwrap_or(24.0) * 3_600_000.0;
        let left_ms = (deadline - now) as f64;
        let used = 1.0 - left_ms / limit_ms;
        let (zh, en) = label(case);
        let hours = left_ms.abs() / 3_600_000.0;
        let (level, title, title_en) = if left_ms < 0.0 {
            (
                Level::Red,
                format!("{zh} 已超期 {hours:.1} 小时"),
                format!("{en} overdue by {hours:.1} h"),
            )
        } else if used >= amber_at {
            (
                Level::Orange,
                format!("{zh} 即将超期（剩 {hours:.1} 小时）"),
                format!("{en} due soon ({hours:.1} h left)"),
            )
        } else {
            continue;
        };
        out.push(Desired {
            key: format!("overdue:{}", case.id),
            kind: Kind::Overdue,
            level,
            layer: "cases".into(),
            subject: case.id.clone(),
            title,
            detail: detail(case, case.state.zh()),
            detail_en: detail(case, case.state.as_str()),
            title_en,
            lon: case.lon,
            lat: case.lat,
            value: (used * 100.0).round(),
            threshold: (amber_at * 100.0).round(),
            related: vec![case.id.clone()],
            owner: None,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cases::CaseState;

    fn case(state: CaseState, deadline_at: Option<i64>) -> Case {
        Case {
            id: "AJ000001".into(),
            origin: "operator".into(),
            category: "市容环境".into(),
            urgent: false,
            title: "垃圾满溢".into(),
            description: String::new(),
            address: String::new(),
            lon: 118.3,
            lat: 33.9,
            reporter: String::new(),
            reported_by: String::new(),
            centre: String::new(),
            media: vec![],
            state,
            department: Some("环卫所".into()),
            limit_h: Some(10.0),
            deadline_at,
            remaining_ms: None,
            pending: None,
            urged: None,
            created_at: 0,
            updated_at: 0,
            closed_at: None,
            on_time: None,
        }
    }

    #[test]
    fn amber_at_three_quarters_red_past_the_deadline_nothing_once_reported() {
        let hour = 3_600_000;
        let deadline = 10 * hour;
        let at = |now: i64, state| evaluate(&[case(state, Some(deadline))], 0.75, now);
        assert!(at(7 * hour, CaseState::Handling).is_empty());
        assert_eq!(at(8 * hour, CaseState::Handling)[0].level, Level::Orange);
        let red = at(11 * hour, CaseState::Dispatched);
        assert_eq!(red[0].level, Level::Red);
        assert!(red[0].title.contains("已超期 1.0 小时"), "{}", red[0].title);
        assert_eq!(red[0].title_en, "Case 垃圾满溢 (AJ000001) overdue by 1.0 h");
        assert_eq!(red[0].detail_en, "市容环境 · 环卫所 · 垃圾满溢");
        assert!(at(11 * hour, CaseState::Reported).is_empty());
        assert!(at(11 * hour, CaseState::Suspended).is_empty());
    }
}
