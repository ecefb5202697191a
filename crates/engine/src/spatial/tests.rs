//! The layer index: first loads, moves, removals, kinds that change, scans.

use super::*;

fn feature(id: &str, lon: f64, lat: f64) -> Feature {
    Feature {
        layer: "l".into(),
        id: id.into(),
        source: "s".into(),
        lon,
        lat,
        shape: None,
        properties: Default::default(),
        updated_at: 0,
    }
}

#[test]
fn a_first_load_built_off_the_lock_answers_like_an_ordinary_one() {
    let bbox = Bbox {
        west: 0.0,
        south: 0.0,
        east: 2.0,
        north: 2.0,
    };
    let batch = [feature("a", 1.0, 1.0), feature("b", 5.0, 5.0)];
    let mut layer = LayerIndex::default();
    layer.install_first_load(StagedPoints::build(&batch), batch.to_vec());
    let inside: Vec<String> = layer.in_bbox(&bbox).map(|f| f.id.clone()).collect();
    assert_eq!(inside, ["a"]);
    assert_eq!(layer.len(), 2);

    // Another source landed first: the staged tree is not taken, nothing is lost.
    let mut busy = LayerIndex::default();
    busy.upsert(feature("c", 1.5, 1.5));
    busy.install_first_load(StagedPoints::build(&batch), batch.to_vec());
    let mut inside: Vec<String> = busy.in_bbox(&bbox).map(|f| f.id.clone()).collect();
    inside.sort();
    assert_eq!(inside, ["a", "c"]);

    // A batch naming one id twice keys one feature: the tree is rebuilt to match it.
    let twice = [feature("a", 1.0, 1.0), feature("a", 5.0, 5.0)];
    let mut layer = LayerIndex::default();
    layer.install_first_load(StagedPoints::build(&twice), twice.to_vec());
    assert_eq!(layer.len(), 1);
    assert_eq!(layer.in_bbox(&bbox).count(), 0);
}

#[test]
fn bbox_queries_follow_moves_and_removals() {
    let mut index = SpatialIndex::load(vec![feature("a", 1.0, 1.0), feature("b", 5.0, 5.0)]);
    let layer = index.layer_mut("l");
    let bbox = Bbox {
        west: 0.0,
        south: 0.0,
        east: 2.0,
        north: 2.0,
    };
    let ids = |l: &LayerIndex| {
        let mut v: Vec<String> = l.in_bbox(&bbox).map(|f| f.id.clone()).collect();
        v.sort();
        v
    };
    assert_eq!(ids(layer), ["a"]);
    layer.upsert(feature("b", 1.5, 1.5));
    assert_eq!(ids(layer), ["a", "b"]);
    layer.upsert(feature("a", 9.0, 9.0));
    assert_eq!(ids(layer), ["b"]);
    assert!(layer.remove("b").is_some());
    assert!(ids(layer).is_empty());
    assert_eq!(layer.len(), 1);
    // A big batch takes the bulk-load path and the box query still agrees.
    layer.upsert_many((0..3_000).map(|i| feature(&format!("n{i}"), (i % 100) as f64 * 0.1, 0.5)));
    assert_eq!(layer.len(), 3_001);
    let near = Bbox {
        west: 0.0,
        south: 0.0,
        east: 0.95,
        north: 1.0,
    };
    assert_eq!(layer.in_bbox(&near).count(), 300);
}

#[test]
fn a_scan_rules_out_only_points_that_cannot_match() {
    let mut layer = LayerIndex::default();
    let mut plate = feature("t1", 1.0, 1.0);
    plate.properties.insert("plate".into(), "苏N·A1234".into());
    let mut quoted = feature("t2", 2.0, 2.0);
    quoted.properties.insert("name".into(), "say \"Hi\"".into());
    layer.upsert(plate);
    layer.upsert(quoted);
    let may = |needle: &str| {
        let mut ids: Vec<&str> = layer
            .scan()
            .filter(|f| f.may_contain(needle))
            .map(|f| f.id())
            .collect();
        ids.sort();
        ids
    };
    assert_eq!(
        may("na1234"),
        ["t1", "t2"],
        "plates match without their dot"
    );
    assert_eq!(may("n·a12"), ["t1", "t2"]);
    // The escaped point is always looked at whole; the other is ruled out.
    assert_eq!(may("hi\""), ["t2"]);
    assert_eq!(may("t1"), ["t1", "t2"]);
    assert_eq!(may("zzz"), ["t2"]);
}

#[test]
fn a_feature_that_turns_from_point_to_polygon_is_held_once_and_found_by_either() {
    let mut layer = LayerIndex::default();
    layer.upsert(feature("site", 1.0, 1.0));
    layer.upsert(feature("lamp", 3.0, 3.0));
    let mut polygon = feature("site", 5.0, 5.0);
    polygon.shape = crate::geometry::Shape::new(
        geo::Polygon::new(
            geo::LineString::from(vec![(4.0, 4.0), (6.0, 4.0), (6.0, 6.0), (4.0, 4.0)]),
            vec![],
        )
        .into(),
    )
    .map(Arc::new);
    layer.upsert(polygon.clone());
    assert_eq!(layer.len(), 2);
    assert_eq!(layer.get("site").map(|f| f.into_owned()), Some(polygon));
    let near: Vec<String> = layer
        .nearest(4.9, 4.9, 2)
        .into_iter()
        .map(|f| f.id.clone())
        .collect();
    assert_eq!(near, ["site", "lamp"]);
    layer.upsert(feature("site", 0.5, 0.5));
    assert_eq!(layer.len(), 2);
    assert!(layer.get("site").is_some_and(|f| f.shape.is_none()));
    let all = Bbox::from_corners([0.0, 0.0], [9.0, 9.0]);
    assert_eq!(layer.in_bbox(&all).count(), 2);
}
