//! Warnings and the audit chain: persisted, numbered on, and a chain that holds.

use super::features::entry;
use crate::warning::Warning;
use crate::Backend;
use serde_json::json;

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

pub(super) async fn warnings_persist_and_their_numbers_go_on(store: &dyn Backend) {
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

pub(super) async fn the_audit_log_is_a_chain_that_holds(store: &dyn Backend) {
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
