//! The point table against a plain scan: round trips, moves, removals, repacks, shared texts.

use super::*;

fn point(id: &str, lon: f64, lat: f64, class: &str) -> Feature {
    let mut properties = Map::new();
    properties.insert("class".into(), class.into());
    properties.insert("depth_m".into(), Value::from(0.1 + lon / 7.0));
    Feature {
        layer: "parts".into(),
        id: id.into(),
        source: "census".into(),
        lon,
        lat,
        shape: None,
        properties,
        updated_at: 7,
    }
}

fn ids(mut features: Vec<Feature>) -> Vec<String> {
    features.sort_by(|a, b| a.id.cmp(&b.id));
    features.into_iter().map(|f| f.id).collect()
}

#[test]
fn a_point_comes_back_as_it_went_in() {
    let f = point("c1", 118.123456789, 33.987654321, "井盖");
    let table = PointTable::build(std::slice::from_ref(&f));
    assert_eq!(table.get("c1"), Some(f.clone()));
    assert_eq!(table.unchanged(&f), Some(true));
    let mut moved = f.clone();
    moved.lat += 1e-9;
    assert_eq!(table.unchanged(&moved), Some(false));
    assert_eq!(table.source_of("c1"), Some("census"));
    assert_eq!(table.get("c2"), None);
}

#[test]
fn queries_agree_with_a_scan_through_moves_removals_and_repacks() {
    let mut table = PointTable::default();
    let mut truth: std::collections::HashMap<String, Feature> = Default::default();
    let at = |i: u64| ((i * 7919) % 1000) as f64 / 100.0;
    // Enough single upserts to pass a repack on the way.
    for i in 0..6_000u64 {
        let f = point(&format!("p{i}"), at(i), at(i + 13), "a");
        table.upsert(&f);
        truth.insert(f.id.clone(), f);
    }
    for i in (0..6_000u64).step_by(3) {
        let f = point(&format!("p{i}"), at(i + 5), at(i + 1), "b");
        table.upsert(&f);
        truth.insert(f.id.clone(), f);
    }
    for i in (0..6_000u64).step_by(7) {
        let id = format!("p{i}");
        assert_eq!(table.remove(&id).map(|f| f.id), Some(id.clone()));
        truth.remove(&id);
    }
    // Freed rows are reused by new ids.
    for i in 6_000..6_500u64 {
        let f = point(&format!("p{i}"), at(i), at(i + 2), "c");
        table.upsert(&f);
        truth.insert(f.id.clone(), f);
    }
    assert_eq!(table.len(), truth.len());
    let bbox = Bbox {
        west: 2.0,
        south: 3.0,
        east: 4.5,
        north: 6.0,
    };
    let expected: Vec<Feature> = truth
        .values()
        .filter(|f| bbox.contains(f.lon, f.lat))
        .cloned()
        .collect();
    assert_eq!(ids(table.in_bbox(&bbox).collect()), ids(expected));
    for f in truth.values().take(50) {
        assert_eq!(table.get(&f.id).as_ref(), Some(f));
    }
    let mut by_distance: Vec<(f64, &Feature)> = truth
        .values()
        .map(|f| ((f.lon - 5.0).powi(2) + (f.lat - 5.0).powi(2), f))
        .collect();
    by_distance.sort_by(|a, b| a.0.total_cmp(&b.0));
    let nearest = table.nearest(5.0, 5.0, 10);
    let d: Vec<f64> = nearest.iter().map(|(d2, _)| *d2).collect();
    let want: Vec<f64> = by_distance.iter().take(10).map(|(d2, _)| *d2).collect();
    assert_eq!(d, want);
    assert_eq!(table.count_source("census"), truth.len());
    assert_eq!(table.count_source("other"), 0);
}

#[test]
fn rows_with_the_same_properties_share_one_text_and_forget_it_with_the_last() {
    let mut table = PointTable::default();
    table.upsert(&point("a", 1.0, 1.0, "x"));
    let mut b = point("b", 2.0, 2.0, "x");
    b.properties = table.get("a").map(|f| f.properties).unwrap_or_default();
    table.upsert(&b);
    assert_eq!(table.texts.len(), 1);
    table.remove("a");
    assert_eq!(table.texts.len(), 1);
    table.upsert(&point("b", 2.0, 2.0, "y"));
    assert_eq!(
        table.texts.len(),
        1,
        "the text of `x` went with its last row"
    );
}
