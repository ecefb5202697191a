//! Cases of the incident loop: steps taken only from where a case stands, listed and counted by
//! state, reporter and centre.

use super::features::entry;
use crate::Backend;
use citywall_model::cases::Case;
use citywall_model::cases::CaseState;
use citywall_model::cases::Step;
use serde_json::json;

fn case(state: CaseState, at: i64) -> Case {
    serde_json::from_value(json!({
        "id": "", "origin": "operator", "category": "路灯", "urgent": false,
        "title": "路灯不亮", "description": "", "address": "", "lon": 118.3, "lat": 33.96,
        "reporter": "", "reported_by": "duty", "centre": "east", "media": [], "state": state,
        "department": null, "limit_h": 24.0, "deadline_at": null, "remaining_ms": null,
        "pending": null, "created_at": at, "updated_at": at, "closed_at": null, "on_time": null,
    }))
    .expect("a case")
}

fn step(from: Option<CaseState>, to: CaseState, at: i64, action: &str) -> Step {
    Step {
        seq: 0,
        at,
        actor: "duty".into(),
        action: action.into(),
        from,
        to,
        note: String::new(),
        media: vec![],
    }
}

pub(super) async fn cases_take_steps_only_from_where_they_stand(store: &dyn Backend) {
    let opened = store
        .create_case(
            case(CaseState::Received, 1_000),
            step(None, CaseState::Received, 1_000, "create"),
            &entry("incident.create", ""),
            1_000,
        )
        .await
        .expect("cases: create");
    assert!(!opened.id.is_empty(), "cases: the store numbers a case");
    let mut registered = opened.clone();
    registered.state = CaseState::Registered;
    registered.updated_at = 2_000;
    let taken = step(
        Some(CaseState::Received),
        CaseState::Registered,
        2_000,
        "register",
    );
    assert!(store
        .update_case(
            &registered,
            (CaseState::Received, 1_000),
            &taken,
            &entry("incident.register", &opened.id),
            2_000
        )
        .await
        .expect("cases: a step"));
    // A second step read from the same old state lost the race: nothing is written.
    assert!(!store
        .update_case(
            &registered,
            (CaseState::Received, 1_000),
            &taken,
            &entry("incident.register", &opened.id),
            2_001
        )
        .await
        .expect("cases: a stale step"));
    let (now, steps) = store
        .case(&opened.id)
        .await
        .expect("cases: one")
        .expect("cases: it is there");
    assert_eq!(now.state, CaseState::Registered);
    assert_eq!(
        steps.iter().map(|s| s.action.as_str()).collect::<Vec<_>>(),
        vec!["create", "register"],
        "cases: the timeline holds each step once"
    );
    assert_eq!(
        store
            .cases(&[CaseState::Registered], 10)
            .await
            .expect("list")
            .len(),
        1
    );
    assert!(store
        .cases(&[CaseState::Closed], 10)
        .await
        .expect("list")
        .is_empty());
    assert_eq!(
        store
            .cases_reported_by("duty", &[], 10)
            .await
            .expect("mine")
            .len(),
        1
    );
    let owned = |centres: &'static [&'static str]| {
        let centres: Vec<String> = centres.iter().map(|c| c.to_string()).collect();
        async move {
            store
                .cases_owned_by(&centres, &[], 10)
                .await
                .expect("cases: by centre")
                .len()
        }
    };
    assert_eq!(owned(&["east"]).await, 1, "cases: listed by their centre");
    assert_eq!(owned(&["west"]).await, 0, "cases: not by another's");
    assert_eq!(owned(&[]).await, 0, "cases: none for no centre");
    let of = |centres: &[&str]| {
        let centres: Vec<String> = centres.iter().map(|c| c.to_string()).collect();
        async move {
            store
                .case_summary_owned_by(&centres, 3_000)
                .await
                .expect("cases: summary by centre")
                .received
        }
    };
    assert_eq!(
        of(&["east", "north"]).await,
        1,
        "cases: counted by their centre"
    );
    assert_eq!(of(&["west"]).await, 0, "cases: not by another's");
    assert_eq!(
        store.case_summary(3_000).await.expect("summary").received,
        1
    );
    assert!(store
        .case("AJ999999")
        .await
        .expect("cases: unknown")
        .is_none());
}
