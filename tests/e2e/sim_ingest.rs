//! The engine against the simulated city, through the real path: the sim's HTTP services on
//! loopback → poller → ingest → store and index → the HTTP API and its WebSocket stream.

use std::time::Duration;

use citywall_e2e::{start_city, wait_for};
use citywall_server as serve;
use citywall_sim::Subsystem;
use futures_util::StreamExt;
use serde_json::Value;

async fn get(url: &str) -> (u16, Value) {
    let response = reqwest::get(url).await.expect("the API answers");
    let status = response.status().as_u16();
    (status, response.json().await.expect("the API answers JSON"))
}

fn source<'a>(sources: &'a Value, id: &str) -> &'a Value {
    sources
        .as_array()
        .and_then(|all| all.iter().find(|s| s["id"] == id))
        .unwrap_or_else(|| panic!("source {id} listed"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_wall_api_follows_the_simulated_city() {
    let f = the_simulated_city_served_over_http().await;
    every_layer_fills_and_every_source_turns_ok(&f).await;
    a_bbox_returns_only_what_lies_inside(&f).await;
    malformed_parameters_are_400s_with_a_message(&f).await;
    a_change_in_the_city_arrives_as_a_delta(&f).await;
    a_stopped_subsystem_fails_alone_keeps_its_features_and_recovers(&f).await;
    f.city.engine.shutdown();
}

/// The simulated city, its engine served over HTTP on loopback.
struct Followed {
    city: citywall_e2e::Running,
    addr: std::net::SocketAddr,
    /// `http://…/api/v1`.
    base: String,
}

async fn the_simulated_city_served_over_http() -> Followed {
    let city = start_city("sim-ingest", 120.0, 0.3).await;
    let (addr, server) = serve::bind(city.api.clone(), 0, None)
        .await
        .expect("bind loopback");
    tokio::spawn(server);
    let base = format!("http://{addr}/api/v1");
    Followed { city, addr, base }
}

async fn every_layer_fills_and_every_source_turns_ok(f: &Followed) {
    let Followed { base, .. } = f;
    // Every layer fills and every source turns ok.
    let layers = wait_for(
        "three non-empty layers",
        Duration::from_secs(15),
        async || {
            let (_, layers) = get(&format!("{base}/layers")).await;
            let counts: Vec<u64> = layers
                .as_array()?
                .iter()
                .map(|l| l["count"].as_u64().unwrap_or(0))
                .collect();
            (counts.len() == 3 && counts.iter().all(|&c| c > 0)).then_some(layers)
        },
    )
    .await;
    let ids: Vec<&str> = layers
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|l| l["id"].as_str())
        .collect();
    assert_eq!(ids, ["flood", "overweight", "incidents"]);
    wait_for("every source ok", Duration::from_secs(10), async || {
        let (_, sources) = get(&format!("{base}/sources")).await;
        sources
            .as_array()?
            .iter()
            .all(|s| s["state"] == "ok")
            .then_some(())
    })
    .await;
    let (_, stations) = get(&format!("{base}/features?layer=overweight")).await;
    assert_eq!(
        stations["features"].as_array().unwrap().len(),
        31,
        "31 weigh-in-motion stations"
    );
}

async fn a_bbox_returns_only_what_lies_inside(f: &Followed) {
    let Followed { base, .. } = f;
    // A bbox returns only what lies inside it, and less than the whole layer.
    let (_, all) = get(&format!("{base}/features?layer=incidents")).await;
    let (w, s, e, n) = (118.22, 33.90, 118.29, 33.97);
    let (status, inside) = get(&format!(
        "{base}/features?layer=incidents&bbox={w},{s},{e},{n}&zoom=13"
    ))
    .await;
    assert_eq!(status, 200);
    let inside = inside["features"].as_array().unwrap().clone();
    assert!(!inside.is_empty());
    assert!(inside.len() < all["features"].as_array().unwrap().len());
    for f in &inside {
        let c = &f["geometry"]["coordinates"];
        let (x, y) = (c[0].as_f64().unwrap(), c[1].as_f64().unwrap());
        assert!(
            x >= w && x <= e && y >= s && y <= n,
            "{x},{y} outside the bbox"
        );
    }
}

async fn malformed_parameters_are_400s_with_a_message(f: &Followed) {
    let Followed { base, .. } = f;
    // Malformed parameters: 400 with a message, the server stays up.
    for bad in [
        "layer=flood&bbox=1,2,3",
        "layer=flood&bbox=a,b,c,d",
        "bbox=1,2,3,4",
        "layer=flood&zoom=x",
    ] {
        let (status, body) = get(&format!("{base}/features?{bad}")).await;
        assert_eq!(status, 400, "{bad}");
        assert!(
            body["error"].as_str().is_some_and(|m| !m.is_empty()),
            "{bad}: {body}"
        );
    }
    let (status, _) = get(&format!("{base}/features?layer=nope")).await;
    assert_eq!(status, 404);
}

async fn a_change_in_the_city_arrives_as_a_delta(f: &Followed) {
    let Followed { city, addr, .. } = f;
    // A change in the city arrives as a delta on the stream.
    let (mut ws, _) = tokio_tungstenite::connect_async(format!("ws://{addr}/api/v1/stream"))
        .await
        .expect("stream opens");
    city.sim.clock.advance(40.0 * 60.0);
    let delta = tokio::time::timeout(Duration::from_secs(10), async {
        while let Some(Ok(message)) = ws.next().await {
            let Ok(text) = message.into_text() else {
                continue;
            };
            let v: Value = serde_json::from_str(&text).unwrap_or_default();
            if v["type"] == "features" && v["layer"] == "flood" {
                return v;
            }
        }
        panic!("stream closed");
    })
    .await
    .expect("a flood delta within 10 s");
    assert!(delta["seq"].as_u64().unwrap() > 0);
    assert!(!delta["upserted"].as_array().unwrap().is_empty());
    let changed = &delta["upserted"][0];
    assert!(changed["properties"]["level_m"].is_number());
}

async fn a_stopped_subsystem_fails_alone_keeps_its_features_and_recovers(f: &Followed) {
    let Followed { city, base, .. } = f;
    // Stop the flood subsystem: its source turns failing within two polls and says why.
    let (_, before) = get(&format!("{base}/sources")).await;
    let incidents_success_before = source(&before, "sim-incidents")["last_success"]
        .as_i64()
        .unwrap();
    let flood_count = source(&before, "sim-flood-gauges")["count"]
        .as_u64()
        .unwrap();
    city.sim.stop(Subsystem::Flood).await;
    let failing = wait_for(
        "the flood source failing",
        Duration::from_millis(2 * 300 + 900),
        async || {
            let (_, sources) = get(&format!("{base}/sources")).await;
            let flood = source(&sources, "sim-flood-gauges").clone();
            (flood["state"] == "failing").then_some(flood)
        },
    )
    .await;
    let polls = failing["consecutive_failures"].as_u64().unwrap();
    assert!(polls <= 2, "failing shown only after {polls} failed polls");
    let reason = failing["last_error"].as_str().unwrap();
    assert!(
        reason.contains("cannot connect to http://127.0.0.1:"),
        "{reason}"
    );
    // The other layers keep updating; the flood features stay, shown as stale.
    wait_for(
        "incidents still polled",
        Duration::from_secs(5),
        async || {
            let (_, sources) = get(&format!("{base}/sources")).await;
            let s = source(&sources, "sim-incidents");
            (s["state"] == "ok" && s["last_success"].as_i64().unwrap() > incidents_success_before)
                .then_some(())
        },
    )
    .await;
    let (_, flood) = get(&format!("{base}/features?layer=flood")).await;
    let flood = flood["features"].as_array().unwrap();
    assert_eq!(flood.len() as u64, flood_count, "no flood feature lost");
    assert!(flood.iter().all(|f| f["properties"]["_stale"] == true));

    // Restart it: the source recovers by itself.
    city.sim
        .start(Subsystem::Flood)
        .await
        .expect("restart on the same port");
    wait_for(
        "the flood source recovered",
        Duration::from_secs(8),
        async || {
            let (_, sources) = get(&format!("{base}/sources")).await;
            let flood = source(&sources, "sim-flood-gauges");
            (flood["state"] == "ok" && flood["last_error"].is_null()).then_some(())
        },
    )
    .await;
    let (_, flood) = get(&format!("{base}/features?layer=flood")).await;
    assert!(flood["features"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["properties"]["_stale"] == false));
}
