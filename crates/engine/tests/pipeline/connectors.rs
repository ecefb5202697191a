//! Connector behaviour through the real path, against a loopback server: credentials from the
//! environment (never exposed), conditional GET (ETag → 304), and incremental polling with a
//! `since` cursor that adds and changes records without removing the rest; three systems that
//! number their records alike feeding one layer side by side.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use citywall_e2e::{scratch_dir, wait_for};
use citywall_engine::api::FeatureQuery;
use citywall_engine::health::SourceState;
use citywall_engine::{Api, Config, Engine};
use serde_json::{json, Value};

const TOKEN: &str = "s3cret-token-do-not-leak";

#[derive(Default)]
struct Server {
    not_modified: usize,
    since_seen: Vec<String>,
    /// (id, updated_at, level)
    records: Vec<(String, i64, f64)>,
}

type Shared = Arc<Mutex<Server>>;

fn feature(id: &str, updated_at: i64, level: f64) -> Value {
    json!({"type": "Feature", "id": id, "geometry": {"type": "Point", "coordinates": [118.28, 33.96]},
           "properties": {"updated_at": updated_at, "level": level}})
}

fn three(prefix: &str) -> String {
    let features: Vec<Value> = (1..=3)
        .map(|i| feature(&format!("{prefix}{i}"), i, 0.0))
        .collect();
    json!({"type": "FeatureCollection", "features": features}).to_string()
}

fn authorized(headers: &HeaderMap, expected: &str) -> bool {
    headers
        .get(header::AUTHORIZATION)
        .or_else(|| headers.get("x-api-key"))
        .is_some_and(|v| v.as_bytes() == expected.as_bytes())
}

fn app(shared: Shared) -> Router {
    Router::new()
        .route(
            "/bearer",
            get(|h: HeaderMap| async move {
                if authorized(&h, &format!("Bearer {TOKEN}")) {
                    three("b").into_response()
                } else {
                    StatusCode::UNAUTHORIZED.into_response()
                }
            }),
        )
        .route(
            "/basic",
            get(|h: HeaderMap| async move {
                // "duty:pa55" in base64
                if authorized(&h, "Basic ZHV0eTpwYTU1") {
                    three("b").into_response()
                } else {
                    StatusCode::UNAUTHORIZED.into_response()
                }
            }),
        )
        .route(
            "/apikey",
            get(|h: HeaderMap| async move {
                if authorized(&h, TOKEN) {
                    three("b").into_response()
                } else {
                    StatusCode::UNAUTHORIZED.into_response()
                }
            }),
        )
        .route(
            "/etag",
            get(|State(s): State<Shared>, h: HeaderMap| async move {
                if h.get(header::IF_NONE_MATCH).is_some_and(|v| v == "\"v1\"") {
                    s.lock().unwrap_or_else(|p| p.into_inner()).not_modified += 1;
                    return (StatusCode::NOT_MODIFIED, [(header::ETAG, "\"v1\"")]).into_response();
                }
                ([(header::ETAG, "\"v1\"")], three("e")).into_response()
            }),
        )
        .route(
            "/since",
            get(
                |State(s): State<Shared>,
                 Query(q): Query<std::collections::HashMap<String, String>>| async move {
                    let mut s = s.lock().unwrap_or_else(|p| p.into_inner());
                    let since: i64 = match q.get("since") {
                        Some(v) => {
                            s.since_seen.push(v.clone());
                            v.parse().unwrap_or(0)
                        }
                        None => i64::MIN,
                    };
                    let features: Vec<Value> = s
                        .records
                        .iter()
                        .filter(|r| r.1 > since)
                        .map(|r| feature(&r.0, r.1, r.2))
                        .collect();
                    let body: Response = json!({"type": "FeatureCollection", "features": features})
                        .to_string()
                        .into_response();
                    body
                },
            ),
        )
        .with_state(shared)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn credentials_conditional_get_and_incremental_polls() {
    let c = an_engine_polling_three_systems_with_credentials().await;
    every_credential_scheme_lands_and_a_missing_variable_is_named(&c).await;
    records_numbered_alike_by_three_systems_keep_apart(&c).await;
    the_wall_opens_on_the_data_and_names_what_is_missing(&c).await;
    unchanged_answers_are_304s_and_lose_nothing(&c).await;
    incremental_polls_bring_only_changes(&c).await;
    the_secret_is_in_no_answer_and_not_in_the_store(&c).await;
}

/// The engine polling the loopback server's systems, each with its own credentials.
struct Connected {
    engine: Arc<Engine>,
    api: Api,
    /// What the loopback server serves and has seen.
    shared: Shared,
    dir: std::path::PathBuf,
}

/// A source's state as the wall lists it.
fn source_state(api: &Api, id: &str) -> citywall_engine::health::SourceStatus {
    api.sources()
        .into_iter()
        .find(|s| s.id == id)
        .expect("listed")
}

async fn an_engine_polling_three_systems_with_credentials() -> Connected {
    std::env::set_var("CW_TEST_TOKEN", TOKEN);
    std::env::set_var("CW_TEST_USER", "duty");
    std::env::set_var("CW_TEST_PASSWORD", "pa55");
    std::env::remove_var("CW_TEST_MISSING");
    let shared: Shared = Arc::new(Mutex::new(Server {
        records: (1..=3).map(|i| (format!("s{i}"), i, 0.0)).collect(),
        ..Default::default()
    }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    let addr = listener.local_addr().expect("bound address");
    let server = app(shared.clone());
    tokio::spawn(async move { axum::serve(listener, server).await });

    let dir = scratch_dir("connectors");
    let text = format!(
        r#"
[store]
path = "wall.db"
[[layer]]
id = "test"
[[source]]
id = "bearer"
layer = "test"
kind = "geojson"
url = "http://{addr}/bearer"
interval_s = 0.3
auth = {{ bearer_env = "CW_TEST_TOKEN" }}
[[source]]
id = "basic"
layer = "test"
kind = "geojson"
url = "http://{addr}/basic"
interval_s = 0.3
auth = {{ basic_user_env = "CW_TEST_USER", basic_password_env = "CW_TEST_PASSWORD" }}
[[source]]
id = "apikey"
layer = "test"
kind = "geojson"
url = "http://{addr}/apikey"
interval_s = 0.3
auth = {{ header = "X-Api-Key", value_env = "CW_TEST_TOKEN" }}
[[source]]
id = "missing"
layer = "test"
kind = "geojson"
url = "http://{addr}/bearer"
interval_s = 0.3
auth = {{ bearer_env = "CW_TEST_MISSING" }}
[[source]]
id = "etag"
layer = "test"
kind = "geojson"
url = "http://{addr}/etag"
interval_s = 0.2
[[source]]
id = "since"
layer = "test"
kind = "geojson"
url = "http://{addr}/since"
interval_s = 0.2
since_param = "since"
cursor_field = "updated_at"
"#
    );
    let config = Config::parse(&text, "connectors.toml", &dir).expect("valid config");
    assert!(
        !format!("{config:?}").contains(TOKEN),
        "the config holds names, not secrets"
    );
    let engine = Engine::start(config).await.expect("engine starts");
    let api = Api::new(engine.clone());
    Connected {
        engine,
        api,
        shared,
        dir,
    }
}

async fn every_credential_scheme_lands_and_a_missing_variable_is_named(c: &Connected) {
    let Connected { api, .. } = c;
    let state = |id: &str| source_state(api, id);
    // Credentials: every scheme lands; a missing variable is named, its value never shown.
    wait_for(
        "authenticated sources",
        Duration::from_secs(10),
        async || {
            ["bearer", "basic", "apikey"]
                .iter()
                .all(|id| state(id).state == SourceState::Ok && state(id).count == 3)
                .then_some(())
        },
    )
    .await;
}

async fn records_numbered_alike_by_three_systems_keep_apart(c: &Connected) {
    let Connected { api, .. } = c;
    // Three systems number their records alike (b1, b2, b3) and feed one layer: each keeps
    // its own, known by source and id; none is turned away as another's.
    let all = api
        .features(&FeatureQuery::new("test", None, None).expect("valid query"))
        .expect("features");
    for source in ["bearer", "basic", "apikey"] {
        for i in 1..=3 {
            let key = format!("{source}:b{i}");
            let f = all["features"]
                .as_array()
                .and_then(|fs| fs.iter().find(|f| f["id"] == key.as_str()))
                .unwrap_or_else(|| panic!("{key} is on the layer"));
            assert_eq!(f["properties"]["_source"], source);
        }
        let rejected = api.rejected(source, None).await.expect("quarantine");
        assert!(rejected.is_empty(), "{source}: {rejected:?}");
    }
}

async fn the_wall_opens_on_the_data_and_names_what_is_missing(c: &Connected) {
    let Connected { api, .. } = c;
    let state = |id: &str| source_state(api, id);
    // With no [map] extent and no regions, the wall opens on the data (grown from one spot).
    let extent = api.meta().extent.expect("an extent from the data");
    assert!(
        extent.contains(118.28, 33.96) && extent.east - extent.west >= 0.02,
        "{extent:?}"
    );
    let missing = wait_for(
        "the missing credential",
        Duration::from_secs(5),
        async || {
            let s = state("missing");
            (s.state == SourceState::Failing).then_some(s)
        },
    )
    .await;
    assert!(
        missing
            .last_error
            .as_deref()
            .unwrap_or("")
            .contains("`CW_TEST_MISSING`"),
        "{missing:?}"
    );
}

async fn unchanged_answers_are_304s_and_lose_nothing(c: &Connected) {
    let Connected { api, shared, .. } = c;
    let state = |id: &str| source_state(api, id);
    // Conditional GET: unchanged answers are 304s and lose nothing.
    wait_for("304 answers", Duration::from_secs(5), async || {
        (shared
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .not_modified
            >= 3)
            .then_some(())
    })
    .await;
    let etag = state("etag");
    assert_eq!((etag.state, etag.count), (SourceState::Ok, 3));
}

async fn incremental_polls_bring_only_changes(c: &Connected) {
    let Connected { api, shared, .. } = c;
    let state = |id: &str| source_state(api, id);
    // Incremental: only changes come back, nothing unlisted is removed.
    wait_for(
        "the first incremental poll",
        Duration::from_secs(5),
        async || (state("since").count == 3).then_some(()),
    )
    .await;
    {
        let mut s = shared.lock().unwrap_or_else(|p| p.into_inner());
        s.records.push(("s4".into(), 4, 0.0));
        s.records[0] = ("s1".into(), 5, 0.42);
    }
    wait_for(
        "the change and the new record",
        Duration::from_secs(5),
        async || {
            let fc = api
                .features(&FeatureQuery::new("test", None, None).ok()?)
                .ok()?;
            let s1 = fc["features"]
                .as_array()?
                .iter()
                .find(|f| f["id"] == "since:s1")?
                .clone();
            (state("since").count == 4 && s1["properties"]["level"] == 0.42).then_some(())
        },
    )
    .await;
    wait_for(
        "the cursor to advance",
        Duration::from_secs(5),
        async || {
            let seen = shared
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .since_seen
                .clone();
            (seen.contains(&"3".to_string()) && seen.contains(&"5".to_string())).then_some(())
        },
    )
    .await;
    assert_eq!(
        state("since").count,
        4,
        "incremental answers remove nothing"
    );
}

async fn the_secret_is_in_no_answer_and_not_in_the_store(c: &Connected) {
    let Connected {
        engine, api, dir, ..
    } = c;
    // The secret is in no answer of the API and nowhere in the store.
    let sources = serde_json::to_string(&api.sources()).expect("serializable");
    assert!(!sources.contains(TOKEN));
    engine.shutdown();
    tokio::time::sleep(Duration::from_millis(200)).await;
    for file in ["wall.db", "wall.db-wal"] {
        let bytes = std::fs::read(dir.join(file)).unwrap_or_default();
        assert!(
            !bytes.windows(TOKEN.len()).any(|w| w == TOKEN.as_bytes()),
            "{file} holds the secret"
        );
    }
}
