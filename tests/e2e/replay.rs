//! Replay from the stored history, through the real path: the simulated city → poll → ingest →
//! store → replay API. One instant replays to the very state the wall showed live then, and to
//! the same state every time, however much has changed since.

use std::time::Duration;

use citywall_e2e::{start_city, wait_for};
use citywall_engine::api::FeatureQuery;
use citywall_sim::Subsystem;
use serde_json::Value;

/// id → (position, properties without the bookkeeping the live answer adds).
fn state(fc: &Value) -> Vec<(String, Value, Value)> {
    let mut out: Vec<(String, Value, Value)> = fc["features"]
        .as_array()
        .expect("features")
        .iter()
        .map(|f| {
            let mut p = f["properties"].clone();
            if let Some(map) = p.as_object_mut() {
                map.retain(|k, _| !k.starts_with('_'));
            }
            (
                f["id"].as_str().unwrap_or_default().to_string(),
                f["geometry"]["coordinates"].clone(),
                p,
            )
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_instant_replays_to_what_the_wall_showed_then_every_time() {
    let city = start_city("replay", 60.0, 0.3).await;
    wait_for(
        "flood and incidents loaded",
        Duration::from_secs(20),
        async || {
            let layers = city.api.layers();
            layers.iter().take(3).all(|l| l.count > 0).then_some(())
        },
    )
    .await;
    // Hold the city still: with its subsystems stopped nothing changes while we look.
    for s in Subsystem::ALL {
        city.sim.stop(s).await;
    }
    tokio::time::sleep(Duration::from_millis(900)).await;
    let live: Vec<_> = ["flood", "overweight", "incidents"]
        .iter()
        .map(|l| {
            let q = FeatureQuery::new(l, None, Some(18.0)).expect("query");
            state(&city.api.features(&q).expect("features"))
        })
        .collect();
    let instant = city.engine.data_now();
    tokio::time::sleep(Duration::from_millis(50)).await;

    // The city moves on: the storm rises, new incidents arrive.
    for s in Subsystem::ALL {
        city.sim.start(s).await.expect("restart");
    }
    city.sim.clock.advance(1800.0);
    wait_for(
        "new data after the instant",
        Duration::from_secs(20),
        async || {
            let q = FeatureQuery::new("flood", None, Some(18.0)).ok()?;
            let now = state(&city.api.features(&q).ok()?);
            (now != live[0]).then_some(())
        },
    )
    .await;

    for (i, layer) in ["flood", "overweight", "incidents"].iter().enumerate() {
        let first = city.api.replay(layer, instant, None).await.expect("replay");
        let second = city.api.replay(layer, instant, None).await.expect("replay");
        assert_eq!(first, second, "{layer}: two replays of one instant differ");
        assert_eq!(
            state(&first),
            live[i],
            "{layer}: the replay differs from what the wall showed live"
        );
        assert!(!live[i].is_empty());
    }
    // Before anything was stored the city was empty; a bad layer is refused.
    let empty = city.api.replay("flood", 0, None).await.expect("replay");
    assert_eq!(empty["features"].as_array().map(Vec::len), Some(0));
    assert!(city.api.replay("nope", instant, None).await.is_err());
    // The warnings replay as they read then, the same every time.
    let w1 = city.api.replay_warnings(instant).await.expect("warnings");
    let w2 = city.api.replay_warnings(instant).await.expect("warnings");
    assert_eq!(w1, w2);
    assert!(w1.iter().all(|w| w.raised_at <= instant));
    // The headline numbers replay too.
    let then = city.api.replay_summary(instant).await.expect("summary");
    assert_eq!(then.flood.total, live[0].len());
    city.engine.shutdown();
}

/// A layer's first load of 60,000 points (big enough for the bulk path: its R-tree built while
/// the batch is stored, its history copied inside the store) replays exactly as it landed, and
/// each point's history holds that one state.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_big_first_load_replays_as_it_landed() {
    use axum::routing::get;
    use citywall_engine::{Api, Config};

    const N: usize = 60_000;
    let mut body = String::from(r#"{"type":"FeatureCollection","features":["#);
    for i in 0..N {
        if i > 0 {
            body.push(',');
        }
        let (lon, lat) = (
            118.0 + (i % 300) as f64 * 0.001,
            33.8 + (i / 300) as f64 * 0.001,
        );
        body.push_str(&format!(
            r#"{{"type":"Feature","id":"g{i}","geometry":{{"type":"Point","coordinates":[{lon:.6},{lat:.6}]}},"properties":{{"level_m":{}}}}}"#,
            i % 97
        ));
    }
    body.push_str("]}");
    let payload = axum::body::Bytes::from(body);
    let app =
        axum::Router::new().route("/points", get(move || std::future::ready(payload.clone())));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("address");
    tokio::spawn(async move { axum::serve(listener, app).await });
    let dir = citywall_e2e::scratch_dir("big-first-load");
    let text = format!(
        "[store]\npath = \"wall.db\"\n[[layer]]\nid = \"gauges\"\n[[source]]\nid = \"gauges\"\nlayer = \"gauges\"\nkind = \"geojson\"\nurl = \"http://{addr}/points\"\ninterval_s = 3600\n"
    );
    let config = Config::parse(&text, "big.toml", &dir).expect("config");
    let engine = citywall_e2e::start_engine(config)
        .await
        .expect("engine starts");
    let api = Api::new(engine.clone());
    wait_for("the first load", Duration::from_secs(60), async || {
        (api.layers()[0].count == N).then_some(())
    })
    .await;

    // The live answer is capped per viewport: compare a window of 9,000 points, and the whole
    // layer's count.
    let window = [117.9995, 33.7995, 118.2995, 33.8295];
    let query = FeatureQuery::new("gauges", Some(window), Some(18.0)).expect("query");
    let live = state(&api.features(&query).expect("features"));
    assert_eq!(live.len(), 9_000);
    let at = chrono::Utc::now().timestamp_millis();
    let bbox = citywall_engine::model::Bbox {
        west: window[0],
        south: window[1],
        east: window[2],
        north: window[3],
    };
    let replayed = state(&api.replay("gauges", at, Some(bbox)).await.expect("replay"));
    assert_eq!(replayed, live, "the replay differs from what landed");
    let everything = api.replay("gauges", at, None).await.expect("replay");
    assert_eq!(everything["features"].as_array().map(Vec::len), Some(N));
    let history = api
        .history("gauges", "g12345", 0, 10)
        .await
        .expect("history");
    assert_eq!(history.len(), 1, "one stored state: {history:?}");
    let level = history[0]
        .properties
        .as_ref()
        .and_then(|p| p.get("level_m"));
    assert_eq!(level, Some(&serde_json::json!(12345 % 97)));
    engine.shutdown();
}
