//! Coordinate systems through the real path: the same physical points served by three loopback
//! subsystems in WGS84, GCJ-02 and BD-09, each source declaring its `crs`, must land within 1 m
//! of their WGS84 truth.

use std::time::Duration;

use axum::routing::get;
use axum::Router;
use citywall_e2e::{scratch_dir, serve_loopback, wait_for};
use citywall_engine::api::FeatureQuery;
use citywall_engine::crs::distance_m;
use citywall_engine::{Api, Config, Engine};
use serde_json::{json, Value};

/// Points spread over the demo city and beyond, in WGS84.
fn truth() -> Vec<(f64, f64)> {
    (0..60)
        .map(|i| {
            (
                118.05 + (i % 10) as f64 * 0.05,
                33.70 + (i / 10) as f64 * 0.09,
            )
        })
        .collect()
}

fn served(convert: fn(f64, f64) -> (f64, f64)) -> String {
    let features: Vec<Value> = truth()
        .into_iter()
        .enumerate()
        .map(|(i, (lon, lat))| {
            let (x, y) = convert(lon, lat);
            json!({"type": "Feature", "id": format!("p{i}"), "geometry": {"type": "Point", "coordinates": [x, y]}})
        })
        .collect();
    json!({"type": "FeatureCollection", "features": features}).to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gcj02_and_bd09_sources_land_within_a_metre_of_the_truth() {
    let app = Router::new()
        .route("/wgs84", get(|| async { served(|x, y| (x, y)) }))
        .route(
            "/gcj02",
            get(|| async { served(coordtransform::wgs84_to_gcj02) }),
        )
        .route(
            "/bd09",
            get(|| async { served(coordtransform::wgs84_to_bd09) }),
        );
    let addr = serve_loopback(app).await;

    let dir = scratch_dir("crs");
    let mut text = String::new();
    for crs in ["wgs84", "gcj02", "bd09"] {
        text.push_str(&format!(
            "[[layer]]\nid = \"{crs}\"\n\n[[source]]\nid = \"{crs}\"\nlayer = \"{crs}\"\nkind = \"geojson\"\ncrs = \"{crs}\"\nurl = \"http://{addr}/{crs}\"\ninterval_s = 0.5\n\n"
        ));
    }
    let engine = Engine::start(Config::parse(&text, "crs.toml", &dir).expect("valid config"))
        .await
        .expect("engine starts");
    let api = Api::new(engine.clone());
    wait_for("all three layers", Duration::from_secs(10), async || {
        api.layers().iter().all(|l| l.count == 60).then_some(())
    })
    .await;

    let truth = truth();
    for crs in ["wgs84", "gcj02", "bd09"] {
        let fc = api
            .features(&FeatureQuery::new(crs, None, None).expect("query"))
            .expect("features");
        let mut worst: f64 = 0.0;
        for f in fc["features"].as_array().expect("features") {
            let i: usize = f["id"]
                .as_str()
                .and_then(|s| s[1..].parse().ok())
                .expect("id p<n>");
            let c = &f["geometry"]["coordinates"];
            let got = (c[0].as_f64().expect("lon"), c[1].as_f64().expect("lat"));
            worst = worst.max(distance_m(got, truth[i]));
        }
        assert!(worst < 1.0, "{crs}: worst error {worst:.3} m");
        eprintln!("{crs}: worst error {worst:.4} m over 60 points");
    }
    engine.shutdown();
}
