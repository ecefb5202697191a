//! Lines and polygons through the real path: a loopback subsystem serves road segments, a flood
//! extent that grows, and closure zones in GCJ-02, with one broken geometry of each kind beside
//! them → poll → CRS conversion of every vertex → store → index → viewport, tiles, replay,
//! search, aggregates by region, restart and the cameras nearest a line.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::routing::get;
use axum::Router;
use citywall_e2e::{scratch_dir, serve_loopback, wait_for};
use citywall_engine::api::FeatureQuery;
use citywall_engine::crs::distance_m;
use citywall_engine::model::Bbox;
use citywall_engine::{Api, Config, Engine};
use serde_json::{json, Value};

/// The road's true vertices (WGS84): 200 positions along 33.90°N from 118.00°E to 118.20°E,
/// wiggling by 1e-5° (about a metre) so simplification has something to drop.
fn road() -> Vec<[f64; 2]> {
    (0..200)
        .map(|i| {
            let wiggle = if i % 2 == 0 { 0.0 } else { 0.00001 };
            [118.0 + i as f64 * 0.2 / 199.0, 33.90 + wiggle]
        })
        .collect()
}

fn square(lon: f64, lat: f64, half: f64) -> Vec<[f64; 2]> {
    vec![
        [lon - half, lat - half],
        [lon + half, lat - half],
        [lon + half, lat + half],
        [lon - half, lat + half],
        [lon - half, lat - half],
    ]
}

fn gcj(points: &[[f64; 2]]) -> Vec<[f64; 2]> {
    points
        .iter()
        .map(|&[x, y]| {
            let (x, y) = coordtransform::wgs84_to_gcj02(x, y);
            [x, y]
        })
        .collect()
}

/// Stage 0: a small flood extent; stage 1: it has grown.
fn served(stage: u32) -> String {
    let half = if stage == 0 { 0.005 } else { 0.02 };
    let features = json!([
        {"type": "Feature", "id": "road-1", "properties": {"name": "人民路", "level": 3},
         "geometry": {"type": "LineString", "coordinates": gcj(&road())}},
        {"type": "Feature", "id": "flood-1", "properties": {"name": "积水范围"},
         "geometry": {"type": "Polygon", "coordinates": [gcj(&square(118.30, 33.95, half))]}},
        {"type": "Feature", "id": "zones", "properties": {"name": "临时管控区"},
         "geometry": {"type": "MultiPolygon", "coordinates": [[gcj(&square(118.40, 33.95, 0.002))], [gcj(&square(118.41, 33.95, 0.002))]]}},
        {"type": "Feature", "id": "bad-ring",
         "geometry": {"type": "Polygon", "coordinates": [[[118.0, 33.0], [118.1, 33.0], [118.1, 33.1], [118.0, 33.1]]]}},
        {"type": "Feature", "id": "bad-line",
         "geometry": {"type": "LineString", "coordinates": [[118.0, 33.0]]}},
        {"type": "Feature", "id": "bad-range",
         "geometry": {"type": "LineString", "coordinates": [[118.0, 33.0], [118.0, 95.0]]}},
        {"type": "Feature", "id": "bad-kind",
         "geometry": {"type": "GeometryCollection", "geometries": []}}
    ]);
    json!({"type": "FeatureCollection", "features": features}).to_string()
}

fn cameras() -> String {
    // One camera beside the road's east end, looking south onto it; one nearer the road's
    // middle (its anchor) but far off the road and short-sighted.
    json!({"type": "FeatureCollection", "features": [
        {"type": "Feature", "id": "east-end", "properties": {"heading_deg": 180, "fov_deg": 90, "range_m": 200, "online": true},
         "geometry": {"type": "Point", "coordinates": [118.199, 33.9006]}},
        {"type": "Feature", "id": "middle", "properties": {"heading_deg": 180, "fov_deg": 90, "range_m": 100, "online": true},
         "geometry": {"type": "Point", "coordinates": [118.10, 33.915]}}
    ]})
    .to_string()
}

fn coordinates(f: &Value) -> Vec<[f64; 2]> {
    f["geometry"]["coordinates"]
        .as_array()
        .expect("coordinates")
        .iter()
        .map(|p| [p[0].as_f64().expect("lon"), p[1].as_f64().expect("lat")])
        .collect()
}

fn feature<'a>(fc: &'a Value, id: &str) -> Option<&'a Value> {
    fc["features"]
        .as_array()
        .and_then(|a| a.iter().find(|f| f["id"] == id))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lines_and_polygons_travel_the_whole_path() {
    let s = shapes_served_stage_by_stage_and_polled().await;
    every_broken_geometry_is_quarantined_with_its_fault(&s).await;
    every_vertex_was_converted_from_gcj02(&s).await;
    a_viewport_finds_a_line_crossing_it_not_its_anchor(&s).await;
    a_vector_tile_holds_every_shape_crossing_it(&s).await;
    search_finds_a_line_by_name_at_its_anchor(&s).await;
    aggregates_count_a_shape_once_at_its_anchor(&s).await;
    the_cameras_best_placed_see_the_road(&s).await;
    replay_shows_the_flood_extent_as_it_was(&s).await;
    a_restart_reads_every_shape_back(&s).await;
}

/// The engine polling a loopback service of lines and polygons (in GCJ-02) that grows its
/// flood extent when `stage` turns to 1.
struct Shapes {
    stage: Arc<AtomicU32>,
    config: Config,
    engine: Arc<Engine>,
    api: Api,
}

async fn shapes_served_stage_by_stage_and_polled() -> Shapes {
    let stage = Arc::new(AtomicU32::new(0));
    let app = Router::new()
        .route(
            "/shapes",
            get(|State(stage): State<Arc<AtomicU32>>| async move {
                served(stage.load(Ordering::SeqCst))
            }),
        )
        .route("/cameras", get(|| async { cameras() }))
        .with_state(stage.clone());
    let addr = serve_loopback(app).await;

    let dir = scratch_dir("geometries");
    // Two grid cells: the west one holds the flood extent's anchor, the east one the zones'.
    let cell = |w: f64, e: f64| json!([[[w, 33.8], [e, 33.8], [e, 34.1], [w, 34.1], [w, 33.8]]]);
    let regions = json!({"type": "FeatureCollection", "features": [
        {"type": "Feature", "id": "west", "properties": {"name": "西网格"}, "geometry": {"type": "Polygon", "coordinates": cell(118.25, 118.35)}},
        {"type": "Feature", "id": "east", "properties": {"name": "东网格"}, "geometry": {"type": "Polygon", "coordinates": cell(118.35, 118.45)}}
    ]});
    std::fs::write(dir.join("grids.geojson"), regions.to_string()).expect("write regions");
    let text = format!(
        "[[regions]]\nlevel = \"grid\"\npath = \"grids.geojson\"\n\n\
         [cameras]\nlayer = \"cams\"\n\n\
         [[layer]]\nid = \"shapes\"\n\n[[layer]]\nid = \"cams\"\n\n\
         [[source]]\nid = \"shapes\"\nlayer = \"shapes\"\nkind = \"geojson\"\ncrs = \"gcj02\"\nurl = \"http://{addr}/shapes\"\ninterval_s = 0.3\n\n\
         [[source]]\nid = \"cams\"\nlayer = \"cams\"\nkind = \"geojson\"\nurl = \"http://{addr}/cameras\"\ninterval_s = 0.3\n"
    );
    let config = Config::parse(&text, "geometries.toml", &dir).expect("valid config");
    let engine = Engine::start(config.clone()).await.expect("engine starts");
    let api = Api::new(engine.clone());
    wait_for("shapes and cameras", Duration::from_secs(10), async || {
        let layers = api.layers();
        layers
            .iter()
            .all(|l| l.count == if l.id == "shapes" { 3 } else { 2 })
            .then_some(())
    })
    .await;
    Shapes {
        stage,
        config,
        engine,
        api,
    }
}

async fn every_broken_geometry_is_quarantined_with_its_fault(s: &Shapes) {
    let Shapes { api, .. } = s;
    // Every broken geometry is quarantined with its own fault; the rest landed.
    let rejected = api.rejected("shapes", None).await.expect("rejected");
    let reasons: Vec<&str> = rejected.iter().map(|r| r.reason.as_str()).collect();
    for want in [
        "feature `bad-ring`: Polygon ring 0 is not closed",
        "feature `bad-line`: LineString has 1 position; a line needs at least 2",
        "feature `bad-range`: LineString position 1: coordinate (118, 95) is outside WGS84 range",
        "feature `bad-kind`: GeometryCollection is not supported",
    ] {
        assert!(
            reasons.iter().any(|r| r.contains(want)),
            "{want} not in {reasons:?}"
        );
    }
}

async fn every_vertex_was_converted_from_gcj02(s: &Shapes) {
    let Shapes { api, .. } = s;
    // Every vertex was converted from GCJ-02: each within a metre of its WGS84 truth.
    let all = api
        .features(&FeatureQuery::new("shapes", None, None).expect("query"))
        .expect("features");
    let got = coordinates(feature(&all, "road-1").expect("road"));
    assert_eq!(got.len(), 200, "no simplification without a zoom");
    let worst = got
        .iter()
        .zip(road())
        .map(|(g, t)| distance_m((g[0], g[1]), (t[0], t[1])))
        .fold(0.0, f64::max);
    assert!(worst < 1.0, "worst vertex {worst} m from its truth");
}

async fn a_viewport_finds_a_line_crossing_it_not_its_anchor(s: &Shapes) {
    let Shapes { api, .. } = s;
    // A viewport over the road's east end finds the road, though its anchor (a point on it
    // near the middle) lies far outside; the flood extent outside the box is not sent.
    let east_end = FeatureQuery::new("shapes", Some([118.19, 33.89, 118.21, 33.91]), Some(18.0))
        .expect("query");
    let fc = api.features(&east_end).expect("features");
    let ids: Vec<&str> = fc["features"]
        .as_array()
        .expect("features")
        .iter()
        .filter_map(|f| f["id"].as_str())
        .collect();
    assert_eq!(ids, ["road-1"]);
    let detailed = coordinates(feature(&fc, "road-1").expect("road")).len();
    assert_eq!(
        detailed, 200,
        "at zoom 18 a metre of wiggle is visible and kept"
    );
    let far =
        FeatureQuery::new("shapes", Some([117.9, 33.8, 118.5, 34.0]), Some(8.0)).expect("query");
    let overview = api.features(&far).expect("features");
    let simplified = coordinates(feature(&overview, "road-1").expect("road")).len();
    assert!(
        simplified < 10,
        "at zoom 8 the road is {simplified} vertices"
    );
}

async fn a_vector_tile_holds_every_shape_crossing_it(s: &Shapes) {
    let Shapes { api, .. } = s;
    // A vector tile holds every shape crossing it, the road although its anchor is in the next
    // tile west; a tile away from them all is empty.
    let (z, lon, lat) = (10u8, 118.3, 33.95f64);
    let x = ((lon + 180.0) / 360.0 * 1024.0) as u32;
    let s = lat.to_radians().sin();
    let y = ((0.5 - 0.25 * ((1.0 + s) / (1.0 - s)).ln() / std::f64::consts::PI) * 1024.0) as u32;
    let tile = api.tile("shapes", z, x, y).expect("tile");
    let holds = |needle: &str| tile.windows(needle.len()).any(|w| w == needle.as_bytes());
    assert!(
        holds("road-1") && holds("flood-1") && holds("zones"),
        "{} bytes",
        tile.len()
    );
    assert!(api.tile("shapes", z, x + 5, y).expect("tile").is_empty());
}

async fn search_finds_a_line_by_name_at_its_anchor(s: &Shapes) {
    let Shapes { api, .. } = s;
    // Search finds a line by its name and points at its anchor, on the road.
    let hits = api.search("人民路").expect("search");
    let hit = hits
        .iter()
        .find(|h| h.id == "road-1")
        .expect("the road is found");
    assert!((hit.lat - 33.90).abs() < 0.001, "hit at {}", hit.lat);
}

async fn aggregates_count_a_shape_once_at_its_anchor(s: &Shapes) {
    let Shapes { api, .. } = s;
    // Aggregates count a line or polygon once, in the region holding its anchor (a point on
    // it or inside it): the road's anchor lies west of both cells.
    let by_grid = api.aggregate("shapes", "grid", None).expect("aggregate");
    let count = |name: &str| {
        by_grid
            .regions
            .iter()
            .find(|r| r.name == name)
            .map(|r| r.count)
    };
    assert_eq!(
        (count("西网格"), count("东网格")),
        (Some(1), Some(1)),
        "{by_grid:?}"
    );
    assert_eq!(by_grid.outside, 1, "{by_grid:?}");
}

async fn the_cameras_best_placed_see_the_road(s: &Shapes) {
    let Shapes { api, .. } = s;
    // The cameras best placed to see the road: the one beside its east end, though the other
    // is nearer the road's middle.
    let best = api
        .cameras_near_feature("shapes", "road-1", 2)
        .expect("cameras");
    assert_eq!(best[0]["id"], "east-end");
    assert_eq!(best[0]["properties"]["_covers"], true);
    assert!(
        best[0]["properties"]["_distance_m"]
            .as_f64()
            .expect("metres")
            < 100.0
    );
}

async fn replay_shows_the_flood_extent_as_it_was(s: &Shapes) {
    let Shapes {
        stage, engine, api, ..
    } = s;
    // The flood extent grows; replay of an instant before shows it as it was.
    let before = engine.data_now();
    tokio::time::sleep(Duration::from_millis(50)).await;
    stage.store(1, Ordering::SeqCst);
    let grown_box = Bbox {
        west: 118.28,
        south: 33.93,
        east: 118.29,
        north: 33.94,
    };
    wait_for(
        "the flood extent to grow",
        Duration::from_secs(10),
        async || {
            let q = FeatureQuery::new("shapes", Some([118.28, 33.93, 118.29, 33.94]), None).ok()?;
            feature(&api.features(&q).ok()?, "flood-1").map(|_| ())
        },
    )
    .await;
    let then = api
        .replay("shapes", before, Some(grown_box))
        .await
        .expect("replay");
    assert!(
        feature(&then, "flood-1").is_none(),
        "the small extent did not reach that box"
    );
    let then_all = api.replay("shapes", before, None).await.expect("replay");
    let ring = then_all["features"]
        .as_array()
        .and_then(|a| a.iter().find(|f| f["id"] == "flood-1"))
        .map(|f| f["geometry"]["coordinates"][0].clone())
        .expect("flood extent in replay");
    let west = ring[0][0].as_f64().expect("lon");
    assert!((west - 118.295).abs() < 0.0002, "replayed west edge {west}");
}

async fn a_restart_reads_every_shape_back(s: &Shapes) {
    let Shapes { config, engine, .. } = s;
    // A restart reads every shape back from the store.
    engine.shutdown();
    let again = Engine::start(config.clone())
        .await
        .expect("engine restarts");
    let api = Api::new(again.clone());
    let all = api
        .features(&FeatureQuery::new("shapes", None, None).expect("query"))
        .expect("features");
    assert_eq!(
        coordinates(feature(&all, "road-1").expect("road")).len(),
        200
    );
    assert_eq!(
        feature(&all, "zones").expect("zones")["geometry"]["type"],
        "MultiPolygon"
    );
    again.shutdown();
}
