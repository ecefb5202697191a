//! What every backend of the store must do, as the engine relies on it: one suite, generic
//! over [`Backend`], that SQLite runs in this crate's tests and a second backend runs unchanged
//! (`features = ["conformance"]`, then [`run`] with a function that opens a fresh, empty store
//! of its kind). Each check names itself when it fails.

use serde_json::{json, Map};

use crate::access::Role;
use crate::accounts::LoginError;
use crate::audit::AuditEntry;
use crate::model::{Feature, Rejected};
use crate::warning::Warning;
use crate::{Backend, ChangeSet};
use citywall_model::cases::{Case, CaseState, Step};

/// Runs every check, each on a store `fresh` opens for it (named after the check).
pub async fn run<F, Fut>(fresh: F)
where
    F: Fn(&'static str) -> Fut,
    Fut: std::future::Future<Output = Box<dyn Backend>>,
{
    features_are_kept_replaced_and_removed(fresh("features").await.as_ref()).await;
    history_answers_what_stood_when(fresh("history").await.as_ref()).await;
    warnings_persist_and_their_numbers_go_on(fresh("warnings").await.as_ref()).await;
    the_audit_log_is_a_chain_that_holds(fresh("audit").await.as_ref()).await;
    accounts_log_in_lock_out_and_end_sessions(fresh("accounts").await.as_ref()).await;
    cases_take_steps_only_from_where_they_stand(fresh("cases").await.as_ref()).await;
    photos_are_kept_by_their_bytes(fresh("media").await.as_ref()).await;
    layouts_are_saved_listed_and_deleted(fresh("layouts").await.as_ref()).await;
}

fn feature(id: &str, level: f64, at: i64) -> Feature {
    let mut properties = Map::new();
    properties.insert("level".into(), json!(level));
    Feature {
        layer: "flood".into(),
        id: id.into(),
        source: "gauges".into(),
        lon: 118.3,
        lat: 33.96,
        shape: None,
        properties,
        updated_at: at,
    }
}

fn entry(action: &str, target: &str) -> AuditEntry {
    AuditEntry {
        actor: "duty".into(),
        action: action.into(),
        target: target.into(),
        detail: json!({ "via": "conformance" }),
    }
}

async fn features_are_kept_replaced_and_removed(store: &dyn Backend) {
    let (a, b) = (feature("G1", 1.0, 10), feature("G2", 2.0, 10));
    let refused = Rejected {
        index: 3,
        reason: "`level` is not a number".into(),
        excerpt: "{\"level\": \"high\"}".into(),
    };
    let batch = ChangeSet {
        upserted: vec![&a, &b],
        removed: vec![],
        rejected: vec![&refused],
    };
    store
        .apply("gauges", 10, &batch, true)
        .await
        .expect("features: a batch");
    let mut kept = store.load_features().await.expect("features: load");
    kept.sort_by(|x, y| x.id.cmp(&y.id));
    assert_eq!(
        kept,
        vec![a.clone(), b.clone()],
        "features: what was written comes back"
    );

    let a2 = feature("G1", 1.5, 20);
    let batch = ChangeSet {
        upserted: vec![&a2],
        removed: vec![&b],
        rejected: vec![],
    };
    store
        .apply("gauges", 20, &batch, true)
        .await
        .expect("features: a second batch");
    assert_eq!(
        store.load_features().await.expect("features: load"),
        vec![a2],
        "features: an upsert replaces, a removal removes"
    );
    let rows = store
        .rejected("gauges", 10)
        .await
        .expect("features: rejected");
    assert_eq!(rows.len(), 1, "features: the quarantined record is kept");
    assert_eq!(
        (rows[0].record_index, rows[0].reason.as_str()),
        (3, "`level` is not a number")
    );
    assert!(store
        .rejected("other", 10)
        .await
        .expect("features: rejected")
        .is_empty());
}

async fn history_answers_what_stood_when(store: &dyn Backend) {
    for (at, level) in [(1_000, 1.0), (2_000, 2.0), (3_000, 3.0)] {
        let f = feature("G1", level, at);
        let batch = ChangeSet {
            upserted: vec![&f],
            ..Default::default()
        };
        store
            .apply("gauges", at, &batch, true)
            .await
            .expect("history: batch");
    }
    let then = store
        .features_at("flood", 2_500, None)
        .await
        .expect("history: at");
    assert_eq!(then.len(), 1, "history: one feature stood at 2.5 s");
    assert_eq!(
        then[0].properties["level"],
        json!(2.0),
        "history: as it stood then"
    );
    let far = store
        .features_at("flood", 2_500, Some([0.0, 0.0, 1.0, 1.0]))
        .await
        .expect("history: at, in a box");
    assert!(far.is_empty(), "history: a box elsewhere holds nothing");
    let states = store
        .feature_history("flood", "G1", 1_500, 10)
        .await
        .expect("history: one feature");
    let levels: Vec<_> = states
        .iter()
        .map(|(at, p)| (*at, p.as_ref().map(|p| p["level"].clone())))
        .collect();
    assert_eq!(
        levels,
        vec![(2_000, Some(json!(2.0))), (3_000, Some(json!(3.0)))],
        "history: a feature's states since 1.5 s, oldest first"
    );
    assert_eq!(
        store.history_span().await.expect("span"),
        Some((1_000, 3_000))
    );
    assert_eq!(store.history_len().await.expect("history: length"), 3);
}

fn warning(number: u32, state: &str, at: i64) -> Warning {
    serde_json::from_value(json!({
        "id": format!("W{number:06}"), "key": format!("flood-level:G{number}"),
        "kind": "flood-level", "level": "red", "layer": "flood", "subject": format!("G{number}"),
        "title": "积水超警", "detail": "0.52 m", "lon": 118.3, "lat": 33.96,
        "value": 0.52, "threshold": 0.5, "related": [],
        "state": state, "raised_at": at, "updated_at": at, "acknowledged_at": null,
        "acknowledged_by": null, "cleared_at": null, "peak_level": "red",
    }))
    .expect("a warning")
}

async fn warnings_persist_and_their_numbers_go_on(store: &dyn Backend) {
    assert_eq!(store.last_warning_number().await.expect("number"), 0);
    let (open, cleared) = (warning(7, "raised", 1_000), warning(3, "cleared", 1_000));
    store
        .save_warnings(&[open.clone(), cleared.clone()])
        .await
        .expect("warnings: save");
    let shown = store
        .warnings(true, 100)
        .await
        .expect("warnings: open ones");
    assert_eq!(
        shown,
        vec![open.clone()],
        "warnings: a cleared one is not open"
    );
    assert_eq!(
        store
            .warnings(false, 100)
            .await
            .expect("warnings: all")
            .len(),
        2
    );
    assert_eq!(
        store.last_warning_number().await.expect("number"),
        7,
        "warnings: numbers go on from the highest"
    );
    let mut acknowledged = open.clone();
    acknowledged.state = citywall_model::warning::State::Acknowledged;
    acknowledged.acknowledged_by = Some("duty".into());
    acknowledged.updated_at = 2_000;
    let row = store
        .save_warnings_audited(
            &[acknowledged.clone()],
            Some(&entry("warning.acknowledge", &open.id)),
        )
        .await
        .expect("warnings: acknowledge")
        .expect("warnings: the act's audit row");
    assert_eq!(row.action, "warning.acknowledge");
    assert_eq!(
        store.warnings(true, 100).await.expect("open")[0]
            .acknowledged_by
            .as_deref(),
        Some("duty")
    );
    assert_eq!(
        store
            .audit_of("warning.acknowledge", &open.id)
            .await
            .expect("audit")
            .len(),
        1,
        "warnings: the act and its audit row are one"
    );
}

async fn the_audit_log_is_a_chain_that_holds(store: &dyn Backend) {
    for (i, target) in ["W000001", "W000002", "W000001"].iter().enumerate() {
        store
            .append_audit(&entry("warning.acknowledge", target), 1_000 + i as i64)
            .await
            .expect("audit: append");
    }
    let rows = store.audit(0, 10).await.expect("audit: read");
    assert_eq!(
        rows.iter().map(|r| r.seq).collect::<Vec<_>>(),
        vec![1, 2, 3]
    );
    assert!(
        rows.windows(2).all(|w| w[1].prev_hash == w[0].hash),
        "audit: each row names the one before it"
    );
    assert_eq!(store.audit_latest(1).await.expect("latest")[0].seq, 3);
    assert_eq!(store.audit(2, 10).await.expect("after").len(), 1);
    assert_eq!(
        store
            .audit_of("warning.acknowledge", "W000001")
            .await
            .expect("of")
            .len(),
        2
    );
    let check = store.verify_audit().await.expect("audit: verify");
    assert_eq!(
        (check.rows, check.broken.clone()),
        (3, None),
        "audit: intact"
    );
    let checkpoint = store
        .audit_checkpoint(5_000)
        .await
        .expect("audit: checkpoint")
        .expect("a checkpoint of a log with rows");
    assert_eq!(checkpoint.seq, 3);
    assert_eq!(store.audit_holds(&checkpoint).await.expect("holds"), None);
}

async fn accounts_log_in_lock_out_and_end_sessions(store: &dyn Backend) {
    let now = 1_796_615_820_000;
    store
        .put_user("zhang", Role::Duty, "correct horse battery", "admin", now)
        .await
        .expect("accounts: put");
    assert!(matches!(
        store.login("zhang", "wrong", now).await,
        Err(LoginError::Wrong)
    ));
    let session = store
        .login("zhang", "correct horse battery", now)
        .await
        .expect("accounts: the right password");
    let who = store
        .session(&session.token, now + 1)
        .await
        .expect("accounts: session")
        .expect("accounts: a live session names its account");
    assert_eq!((who.name.as_str(), who.role), ("zhang", Role::Duty));
    store.logout(&session.token, now + 2).await.expect("logout");
    assert!(store
        .session(&session.token, now + 3)
        .await
        .expect("session")
        .is_none());
    assert_eq!(
        store.accounts().await.expect("accounts"),
        vec![("zhang".to_string(), Role::Duty, false)]
    );
    // A centre of its own: its sessions end, and the next names the centre.
    let before = store
        .login("zhang", "correct horse battery", now)
        .await
        .expect("login");
    assert!(store
        .set_centre("zhang", Some("east"), "admin", now)
        .await
        .expect("accounts: set a centre"));
    assert!(store
        .session(&before.token, now + 1)
        .await
        .expect("session")
        .is_none());
    let moved = store
        .login("zhang", "correct horse battery", now)
        .await
        .expect("login");
    let who = store.session(&moved.token, now + 1).await.expect("session");
    assert_eq!(
        who.and_then(|p| p.centre).as_deref(),
        Some("east"),
        "accounts: a session names the account's centre"
    );
    assert!(!store
        .set_centre("nobody", None, "admin", now)
        .await
        .expect("accounts: no such account"));
    assert!(store
        .set_disabled("zhang", true, "admin", now)
        .await
        .expect("disable"));
    assert!(
        store
            .login("zhang", "correct horse battery", now)
            .await
            .is_err(),
        "accounts: a disabled account does not log in"
    );
    assert!(store
        .remove_user("zhang", "admin", now)
        .await
        .expect("remove"));
    assert!(!store
        .remove_user("zhang", "admin", now)
        .await
        .expect("remove again"));
    // Guessing locks a name out, even one without an account, and says so the same way.
    let mut last = None;
    for _ in 0..=crate::credentials::MAX_FAILURES {
        last = store.login("nobody", "guess", now).await.err();
    }
    assert!(
        matches!(last, Some(LoginError::Locked(_))),
        "accounts: guessing locks: {last:?}"
    );
}

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

async fn cases_take_steps_only_from_where_they_stand(store: &dyn Backend) {
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

async fn photos_are_kept_by_their_bytes(store: &dyn Backend) {
    let bytes = b"\xFF\xD8\xFF\xE0 not much of a photo";
    let id = store
        .put_media(bytes, "image/jpeg", &entry("media.upload", ""), 1_000)
        .await
        .expect("media: put");
    assert_eq!(
        store
            .put_media(bytes, "image/jpeg", &entry("media.upload", ""), 1_001)
            .await
            .expect("again"),
        id,
        "media: the same bytes, the same id"
    );
    let photo = store
        .media(&id)
        .await
        .expect("media: get")
        .expect("media: kept");
    assert_eq!(
        (photo.bytes.as_slice(), photo.content_type.as_str()),
        (&bytes[..], "image/jpeg")
    );
    assert!(store.has_media(&id).await.expect("has"));
    assert!(store.media("0000").await.expect("media: unknown").is_none());
}

async fn layouts_are_saved_listed_and_deleted(store: &dyn Backend) {
    let body = r#"{"name":"夜班","split":4,"cameras":["C1"]}"#;
    store
        .put_video_layout(
            "夜班",
            Some(body),
            &entry("video.layout.save", "夜班"),
            1_000,
        )
        .await
        .expect("layouts: save");
    assert_eq!(
        store.video_layouts().await.expect("layouts: list"),
        vec![("夜班".to_string(), body.to_string())]
    );
    assert!(store
        .put_video_layout("夜班", None, &entry("video.layout.delete", "夜班"), 2_000)
        .await
        .expect("layouts: delete"));
    assert!(!store
        .put_video_layout("夜班", None, &entry("video.layout.delete", "夜班"), 3_000)
        .await
        .expect("layouts: delete again"));
    assert!(store
        .video_layouts()
        .await
        .expect("layouts: list")
        .is_empty());
}
