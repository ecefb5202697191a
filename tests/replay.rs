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
