//! Faults and bad input, through the real path: a fault-injecting HTTP server on loopback, one
//! engine source per fault plus a healthy control source. Each fault must show in its source's
//! health sentence, the good records of a batch must land, the control source must carry on and
//! the engine must stay up.

use std::io::Write;
use std::net::TcpListener as StdListener;
use std::time::Duration;

use axum::body::Body;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use citywall_e2e::{scratch_dir, wait_for};
use citywall_engine::health::{SourceState, SourceStatus};
use citywall_engine::{Api, Config, Engine};
use serde_json::{json, Value};

fn good(prefix: &str) -> Vec<Value> {
    (1..=3)
        .map(|i| json!({"type": "Feature", "id": format!("{prefix}-{i}"), "geometry": {"type": "Point", "coordinates": [118.28 + i as f64 * 0.01, 33.96]}, "properties": {"n": i}}))
        .collect()
}

fn collection(features: Vec<Value>) -> String {
    json!({"type": "FeatureCollection", "features": features}).to_string()
}

fn with_bad(prefix: &str, bad: &str) -> String {
    let good: Vec<String> = good(prefix).iter().map(Value::to_string).collect();
    format!(
        r#"{{"type":"FeatureCollection","features":[{},{bad}]}}"#,
        good.join(",")
    )
}

fn json_response(body: impl Into<Body>) -> Response {
    (
        [(header::CONTENT_TYPE, "application/geo+json")],
        body.into(),
    )
        .into_response()
}

fn fault_server() -> Router {
    let gzip_bomb = {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        let _ = encoder.write_all(b"{\"type\":\"FeatureCollection\",\"features\":[");
        let spaces = vec![b' '; 1 << 20];
        for _ in 0..20 {
            let _ = encoder.write_all(&spaces);
        }
        let _ = encoder.write_all(b"]}");
        encoder.finish().unwrap_or_default()
    };
    Router::new()
        .route("/control", get(|| async { json_response(collection(good("control"))) }))
        .route("/timeout", get(|| async {
            tokio::time::sleep(Duration::from_secs(5)).await;
            json_response(collection(good("timeout")))
        }))
        .route("/not-found", get(|| async { StatusCode::NOT_FOUND }))
        .route("/unavailable", get(|| async { StatusCode::SERVICE_UNAVAILABLE }))
        .route("/redirect-loop", get(|| async { (StatusCode::FOUND, [(header::LOCATION, "/redirect-loop")]) }))
        .route("/slow-body", get(|| async {
            let chunks = futures_util::stream::unfold(0u8, |step| async move {
                match step {
                    0 => Some((Ok::<_, std::io::Error>(b"{\"type\":\"FeatureCollection\",".to_vec()), 1)),
                    1 => {
                        tokio::time::sleep(Duration::from_secs(5)).await;
                        Some((Ok(b"\"features\":[]}".to_vec()), 2))
                    }
                    _ => None,
                }
            });
            json_response(Body::from_stream(chunks))
        }))
        .route("/oversized", get(|| async { json_response(vec![b' '; 2 << 20]) }))
        .route("/gzip-bomb", get(move || {
            let body = gzip_bomb.clone();
            async move { ([(header::CONTENT_ENCODING, "gzip"), (header::CONTENT_TYPE, "application/json")], body).into_response() }
        }))
        .route("/invalid-json", get(|| async { json_response(r#"{"type":"FeatureCollection","features":[{"type":"#) }))
        .route("/wrong-shape", get(|| async { json_response(r#"{"items":[]}"#) }))
        .route("/wrong-type", get(|| async {
            json_response(with_bad("wrong-type", r#"{"type":"Feature","id":"wrong-type-x","geometry":{"type":"Point","coordinates":["118.3",33.9]}}"#))
        }))
        .route(
            "/infinite",
            get(|| async {
                json_response(with_bad(
                    "infinite",
                    r#"{"type":"Feature","id":"infinite-x","geometry":{"type":"Point","coordinates":[118.3,-Infinity]}}"#,
                ))
            }),
        )
        .route("/nan", get(|| async {
            json_response(with_bad("nan", r#"{"type":"Feature","id":"nan-x","geometry":{"type":"Point","coordinates":[NaN,33.9]}}"#))
        }))
        .route("/out-of-range", get(|| async {
            json_response(with_bad("out-of-range", r#"{"type":"Feature","id":"out-of-range-x","geometry":{"type":"Point","coordinates":[118.3,95.0]}}"#))
        }))
        .route("/duplicates", get(|| async {
            json_response(with_bad("duplicates", r#"{"type":"Feature","id":"duplicates-1","geometry":{"type":"Point","coordinates":[118.3,33.9]}}"#))
        }))
        .route("/non-utf8", get(|| async {
            let mut body = with_bad("non-utf8", r#"{"type":"Feature","id":"non-utf8-x","geometry":{"type":"Point","coordinates":[118.3,33.9]},"properties":{"name":"BAD"}}"#).into_bytes();
            let at = body.windows(3).position(|w| w == b"BAD").unwrap_or(0);
            body[at] = 0xFF;
            json_response(body)
        }))
}

/// (route, the phrase its health sentence must hold, whether the batch's good records land)
const FAULTS: &[(&str, &str, bool)] = &[
    ("timeout", "no answer from", false),
    ("refused", "cannot connect to", false),
    ("not-found", "HTTP 404", false),
    ("unavailable", "HTTP 503", false),
    ("redirect-loop", "redirects in a loop", false),
    ("slow-body", "no answer from", false),
    ("oversized", "exceeds the 1048576 byte cap", false),
    ("gzip-bomb", "exceeds the 1048576 byte cap", false),
    ("invalid-json", "not valid JSON", false),
    ("wrong-shape", "wrong shape", false),
    ("wrong-type", "longitude is not a number", true),
    ("nan", "longitude is not a number", true),
    ("infinite", "latitude is not a number", true),
    ("out-of-range", "outside WGS84 range", true),
    ("duplicates", "duplicate id `duplicates-1`", true),
    ("non-utf8", "not valid UTF-8", true),
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_fault_is_named_and_loses_nothing_else() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    let addr = listener.local_addr().expect("bound address");
    tokio::spawn(async move { axum::serve(listener, fault_server()).await });
    // A port that refuses: bound, then released.
    let refused_port = StdListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port");

    let dir = scratch_dir("faults");
    let mut text = String::from("[[layer]]\nid = \"test\"\n");
    let sources = std::iter::once("control").chain(FAULTS.iter().map(|f| f.0));
    for route in sources {
        let url = if route == "refused" {
            format!("http://127.0.0.1:{refused_port}/x")
        } else {
            format!("http://{addr}/{route}")
        };
        text.push_str(&format!(
            "\n[[source]]\nid = \"{route}\"\nlayer = \"test\"\nkind = \"geojson\"\nurl = \"{url}\"\ninterval_s = 0.3\ntimeout_s = 1\nmax_body_mb = 1\n"
        ));
    }
    let config = Config::parse(&text, "faults.toml", &dir).expect("valid config");
    let engine = Engine::start(config).await.expect("engine starts");
    let api = Api::new(engine.clone());

    let status =
        |all: &[SourceStatus], id: &str| all.iter().find(|s| s.id == id).cloned().expect("listed");
    // Wait until every source has settled; if one never does, the assertions below say which.
    let started = std::time::Instant::now();
    let all = loop {
        let all = api.sources();
        let settled = FAULTS.iter().all(|(route, _, lands)| {
            let s = status(&all, route);
            s.state
                == if *lands {
                    SourceState::Degraded
                } else {
                    SourceState::Failing
                }
        });
        if (settled && status(&all, "control").state == SourceState::Ok)
            || started.elapsed() > Duration::from_secs(10)
        {
            break all;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };

    for (route, phrase, lands) in FAULTS {
        let s = status(&all, route);
        let expected = if *lands {
            SourceState::Degraded
        } else {
            SourceState::Failing
        };
        assert_eq!(s.state, expected, "{route}: {s:?}");
        let sentence = s.last_error.clone().unwrap_or_default();
        assert!(
            sentence.contains(phrase),
            "{route}: health says {sentence:?}, expected it to name {phrase:?}"
        );
        if *lands {
            assert_eq!(s.count, 3, "{route}: the good records of the batch land");
            let rejected = api
                .rejected(route, None)
                .await
                .expect("quarantine readable");
            assert!(
                rejected.iter().any(|r| r.reason.contains(phrase)),
                "{route}: quarantined {rejected:?}"
            );
            assert!(
                rejected.iter().all(|r| r.excerpt.len() <= 520),
                "{route}: excerpts are capped"
            );
        } else {
            assert_eq!(s.count, 0, "{route}: nothing from a failed payload");
        }
    }

    // The control source kept polling throughout, and the engine still answers.
    let control = status(&api.sources(), "control");
    let before = control.last_success.expect("control polled");
    wait_for(
        "the control source polled again",
        Duration::from_secs(5),
        async || {
            let now = status(&api.sources(), "control");
            (now.state == SourceState::Ok && now.last_success.is_some_and(|t| t > before))
                .then_some(())
        },
    )
    .await;
    let layers = api.layers();
    assert_eq!(
        layers[0].count,
        3 + 3 * FAULTS.iter().filter(|f| f.2).count()
    );
    engine.shutdown();
}
