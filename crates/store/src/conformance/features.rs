//! Features and their history: kept, replaced, removed, and read as they stood.

use crate::audit::AuditEntry;
use crate::model::Feature;
use crate::model::Rejected;
use crate::Backend;
use crate::ChangeSet;
use serde_json::json;
use serde_json::Map;

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

pub(super) fn entry(action: &str, target: &str) -> AuditEntry {
    AuditEntry {
        actor: "duty".into(),
        action: action.into(),
        target: target.into(),
        detail: json!({ "via": "conformance" }),
    }
}

pub(super) async fn features_are_kept_replaced_and_removed(store: &dyn Backend) {
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

pub(super) async fn history_answers_what_stood_when(store: &dyn Backend) {
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
