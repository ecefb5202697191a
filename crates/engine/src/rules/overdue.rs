//! Case deadlines: a case whose clock runs (dispatched or handling) raises an orange warning
//! once it has used `amber_at` of its time limit, and a red one past its deadline. A case that
//! moves on (reported, suspended, closed) clears its warning. A hand-over between centres has
//! a clock of its own: left past its `due_at` by the centre it went to, it raises a red on
//! that centre's wall (and so its parents'), cleared by that centre's first step.

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
    out.extend(cases.iter().filter_map(|c| handover_overdue(c, now)));
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

/// A red for a hand-over its receiving centre has left past its deadline.
fn handover_overdue(case: &Case, now: i64) -> Option<Desired> {
    let handover = case.handover.as_ref().filter(|h| now > h.due_at)?;
    let minutes = now.saturating_sub(handover.at) / 60_000;
    let (zh, en) = label(case);
    let (act, act_en) = match handover.act.as_str() {
        "report_up" => ("上报", "reported up"),
        _ => ("下派", "handed down"),
    };
    Some(Desired {
        key: format!("handover:{}", case.id),
        kind: Kind::Overdue,
        level: Level::Red,
        layer: "cases".into(),
        subject: case.id.clone(),
        title: format!("{zh} {act}后 {minutes} 分钟未接收"),
        title_en: format!("{en} {act_en} {minutes} min ago, not taken up"),
        detail: detail(case, case.state.zh()),
        detail_en: detail(case, case.state.as_str()),
        lon: case.lon,
        lat: case.lat,
        value: minutes as f64,
        threshold: (handover.due_at.saturating_sub(handover.at) / 60_000) as f64,
        related: vec![case.id.clone()],
        // The centre it went to must take it up; its parents see it through their scope.
        owner: Some(handover.to.clone()),
    })
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
            handover: None,
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
        assert!(at(11 * hour, CaseState::Registered).is_empty());
        assert!(at(11 * hour, CaseState::Suspended).is_empty());
    }

    #[test]
    fn a_hand_over_left_past_its_deadline_is_red_on_the_receivers_wall() {
        let minute = 60_000;
        let mut handed = case(CaseState::Registered, None);
        handed.centre = "west".into();
        handed.handover = Some(crate::cases::HandOver {
            act: "hand_down".into(),
            from: "city".into(),
            to: "west".into(),
            at: 0,
            due_at: 60 * minute,
        });
        assert!(evaluate(&[handed.clone()], 0.75, 59 * minute).is_empty());
        let late = evaluate(&[handed.clone()], 0.75, 61 * minute);
        assert_eq!(late.len(), 1);
        assert_eq!(late[0].level, Level::Red);
        assert_eq!(late[0].owner.as_deref(), Some("west"));
        assert!(
            late[0].title.contains("下派后 61 分钟未接收"),
            "{}",
            late[0].title
        );
        handed.handover = None; // the west took its first step
        assert!(evaluate(&[handed], 0.75, 61 * minute).is_empty());
    }
}
