//! One system, several catalogue entries: a component census served on loopback feeds two
//! layers split by their filters (`class`), through the real path → poll → route → store →
//! index → API. A record no layer takes is quarantined with why; a record whose class changes
//! moves from one layer to the other; the config names what is wrong with a split.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::routing::get;
use axum::Router;
use citywall_e2e::{scratch_dir, serve_loopback, wait_for};
use citywall_engine::api::FeatureQuery;
use citywall_engine::{Api, Config, Engine};
use serde_json::json;

fn census(moved: bool) -> String {
    let mut features: Vec<serde_json::Value> = (0..10)
        .map(|i| {
            let class = if i % 2 == 0 { "井盖" } else { "路灯" };
            json!({"type": "Feature", "id": format!("c{i}"), "properties": {"class": class},
                   "geometry": {"type": "Point", "coordinates": [118.2 + i as f64 * 0.001, 33.9]}})
        })
        .collect();
    features.push(
        json!({"type": "Feature", "id": "bin", "properties": {"class": "垃圾桶"},
                         "geometry": {"type": "Point", "coordinates": [118.3, 33.9]}}),
    );
    if moved {
        features[0]["properties"]["class"] = json!("路灯");
    }
    json!({"type": "FeatureCollection", "features": features}).to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_census_feeds_one_layer_per_class() {
    let moved = Arc::new(AtomicBool::new(false));
    let app = Router::new()
        .route(
            "/census",
            get(|State(m): State<Arc<AtomicBool>>| async move { census(m.load(Ordering::SeqCst)) }),
        )
        .with_state(moved.clone());
    let addr = serve_loopback(app).await;

    let dir = scratch_dir("split");
    let text = format!(
        "[[layer]]\nid = \"manholes\"\nfilter = {{ field = \"class\", values = [\"井盖\"] }}\n\n\
         [[layer]]\nid = \"lamps\"\nfilter = {{ field = \"class\", values = [\"路灯\"] }}\n\n\
         [[source]]\nid = \"census\"\nlayers = [\"manholes\", \"lamps\"]\nkind = \"geojson\"\nurl = \"http://{addr}/census\"\ninterval_s = 0.3\n"
    );
    let engine = Engine::start(Config::parse(&text, "split.toml", &dir).expect("valid config"))
        .await
        .expect("engine starts");
    let api = Api::new(engine.clone());
    let counts = |api: &Api| {
        let layers = api.layers();
        (layers[0].count, layers[1].count)
    };
    wait_for("both classes", Duration::from_secs(10), async || {
        (counts(&api) == (5, 5)).then_some(())
    })
    .await;
    let rejected = api.rejected("census", None).await.expect("rejected");
    assert!(
        rejected.iter().any(|r| r
            .reason
            .contains("record `bin`: no layer of this source takes it")
            && r.reason.contains("`manholes` takes class = 井盖")),
        "{rejected:?}"
    );
    assert_eq!(
        api.sources()[0].count,
        10,
        "the source holds both layers' features"
    );

    // A cover re-registered as a lamp moves across.
    moved.store(true, Ordering::SeqCst);
    wait_for("the record to move", Duration::from_secs(10), async || {
        (counts(&api) == (4, 6)).then_some(())
    })
    .await;
    let lamps = api
        .features(&FeatureQuery::new("lamps", None, None).expect("query"))
        .expect("features");
    assert!(lamps["features"]
        .as_array()
        .is_some_and(|a| a.iter().any(|f| f["id"] == "c0")));
    engine.shutdown();
}

#[test]
fn a_split_the_config_cannot_follow_is_named() {
    let dir = scratch_dir("split-config");
    let both = "[[layer]]\nid = \"a\"\n[[source]]\nid = \"s\"\nlayer = \"a\"\nlayers = [\"a\"]\nkind = \"geojson\"\nurl = \"http://127.0.0.1:1/\"\n";
    let e = Config::parse(both, "c.toml", &dir)
        .expect_err("both")
        .to_string();
    assert!(e.contains("gives both `layer` and `layers`"), "{e}");
    let unknown = "[[layer]]\nid = \"a\"\n[[source]]\nid = \"s\"\nlayers = [\"a\", \"b\"]\nkind = \"geojson\"\nurl = \"http://127.0.0.1:1/\"\n";
    let e = Config::parse(unknown, "c.toml", &dir)
        .expect_err("unknown")
        .to_string();
    assert!(
        e.contains("c.toml:5") && e.contains("names layer `b`"),
        "{e}"
    );
    let empty = "[[layer]]\nid = \"a\"\nfilter = { field = \"class\", values = [] }\n[[source]]\nid = \"s\"\nlayer = \"a\"\nkind = \"geojson\"\nurl = \"http://127.0.0.1:1/\"\n";
    let e = Config::parse(empty, "c.toml", &dir)
        .expect_err("empty")
        .to_string();
    assert!(
        e.contains("a filter needs a `field` and at least one of its `values`"),
        "{e}"
    );
}
