//! Attacks on what leaves the engine and what it fetches: no configured key or password — in a
//! source's or a basemap's URL, or read from the environment — appears in an API answer, an
//! excerpt of a quarantined record or `citywall serve`'s log; a tile service can neither
//! redirect the engine elsewhere nor pass JSON off as a picture.

use citywall_e2e::{scratch_dir, serve_loopback};
use citywall_engine::{Api, Config};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_in_configured_urls_appear_in_no_answer() {
    // Nothing listens on these ports: every poll and every tile fails, quoting its URL.
    let dead = citywall_e2e::free_port();
    let dir = scratch_dir("attack-secrets");
    // A subsystem that echoes the bearer token it was sent in its error (some do).
    let echo = serve_loopback(axum::Router::new().route(
        "/parking",
        axum::routing::get(|headers: axum::http::HeaderMap| async move {
            let sent = headers
                .get("authorization")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_string();
            // A record it could not place, quoting the request: the wall quarantines the record
            // and shows an excerpt of it.
            format!(
                "{{\"type\": \"FeatureCollection\", \"features\": [{{\"type\": \"Feature\", \
                 \"geometry\": null, \"properties\": {{\"note\": \"request by {sent}\"}}}}]}}"
            )
        }),
    ))
    .await;
    std::env::set_var("CITYWALL_ATTACK_PARKING_TOKEN", "ENV-SECRET-5150");
    let text = format!(
        "[store]\npath = \"wall.db\"\n\n[basemap]\nraster = \"http://127.0.0.1:{dead}/{{z}}/{{x}}/{{y}}.png?tk=TK-SECRET-0042\"\n\n\
         [[layer]]\nid = \"air\"\ntitle_zh = \"空气质量\"\n\n\
         [[source]]\nid = \"air\"\nlayer = \"air\"\nkind = \"geojson\"\n\
         url = \"http://reader:PW-SECRET-7@127.0.0.1:{dead}/air?apikey=KEY-SECRET-99\"\ninterval_s = 1\ntimeout_s = 1\n\n\
         [[source]]\nid = \"parking\"\nlayer = \"air\"\nkind = \"geojson\"\n\
         url = \"http://{echo}/parking\"\ninterval_s = 1\ntimeout_s = 1\n\
         auth = {{ bearer_env = \"CITYWALL_ATTACK_PARKING_TOKEN\" }}\n"
    );
    let config = Config::parse(&text, "wall.toml", &dir).expect("config");
    let engine = citywall_e2e::start_engine(config).await.expect("engine");
    let api = Api::new(engine.clone());
    let addr = serve_loopback(citywall_server::router(api.clone(), None)).await;
    let base = format!("http://{addr}");
    citywall_e2e::wait_for(
        "the source failing",
        std::time::Duration::from_secs(10),
        async || {
            let sources = api.sources();
            sources.iter().all(|s| s.last_error.is_some()).then_some(())
        },
    )
    .await;
    // And the outage it raises.
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    let client = reqwest::Client::new();
    let mut seen = String::new();
    for path in [
        "/api/v1/sources",
        "/api/v1/warnings",
        "/api/v1/meta",
        "/basemap/3/6/3.png",
        "/api/v1/sources/parking/rejected",
    ] {
        let answer = client
            .get(format!("{base}{path}"))
            .send()
            .await
            .expect("answered");
        seen.push_str(&format!(
            "{path} {}: {}\n",
            answer.status(),
            answer.text().await.unwrap_or_default()
        ));
    }
    for secret in [
        "TK-SECRET-0042",
        "PW-SECRET-7",
        "KEY-SECRET-99",
        "ENV-SECRET-5150",
    ] {
        assert!(!seen.contains(secret), "{secret} left the engine:\n{seen}");
    }
    assert!(
        seen.contains("127.0.0.1"),
        "the errors still say where: {seen}"
    );
    engine.shutdown();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tile_service_cannot_redirect_the_engine_or_pass_json_off_as_a_picture() {
    use axum::extract::{Path, State};
    use axum::response::IntoResponse;
    use axum::routing::get;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    // Elsewhere: what a redirect would make the engine fetch for the wall.
    let fetched = Arc::new(AtomicUsize::new(0));
    let elsewhere = serve_loopback(
        axum::Router::new()
            .route(
                "/inside.png",
                get(|State(n): State<Arc<AtomicUsize>>| async move {
                    n.fetch_add(1, Ordering::SeqCst);
                    (
                        [("content-type", "image/png")],
                        vec![0x89u8, b'P', b'N', b'G'],
                    )
                }),
            )
            .with_state(fetched.clone()),
    )
    .await;
    // The tile service: zoom 1 redirects elsewhere, zoom 2 answers JSON, zoom 3 a picture.
    let tiles = serve_loopback(axum::Router::new().route(
        "/{z}/{x}/{y}",
        get(move |Path((z, _, _)): Path<(u8, u32, String)>| async move {
            match z {
                1 => (
                    axum::http::StatusCode::FOUND,
                    [("location", format!("http://{elsewhere}/inside.png"))],
                )
                    .into_response(),
                2 => axum::Json(serde_json::json!({"error": "token expired"})).into_response(),
                _ => (
                    [("content-type", "image/png")],
                    vec![0x89u8, b'P', b'N', b'G'],
                )
                    .into_response(),
            }
        }),
    ))
    .await;
    let dir = scratch_dir("attack-redirect");
    let text = format!(
        "[store]\npath = \"wall.db\"\n\n[basemap]\nraster = \"http://{tiles}/{{z}}/{{x}}/{{y}}.png\"\n\n\
         [[layer]]\nid = \"points\"\ntitle_zh = \"点\"\n"
    );
    let config = Config::parse(&text, "wall.toml", &dir).expect("config");
    let engine = citywall_e2e::start_engine(config).await.expect("engine");
    let addr = serve_loopback(citywall_server::router(Api::new(engine.clone()), None)).await;
    let client = reqwest::Client::new();
    let status = async |z: u8| {
        client
            .get(format!("http://{addr}/basemap/{z}/0/0.png"))
            .send()
            .await
            .map_or(0, |r| r.status().as_u16())
    };
    assert_eq!(
        status(1).await,
        502,
        "a redirect to another address is not followed"
    );
    assert_eq!(
        fetched.load(Ordering::SeqCst),
        0,
        "nothing was fetched elsewhere"
    );
    assert_eq!(status(2).await, 502, "JSON is not served as a picture");
    assert_eq!(status(3).await, 200);
    engine.shutdown();
}

/// `citywall serve` as a centre runs it, logging at debug: no configured key or password, in a
/// URL or from the environment, reaches its log while its sources fail quoting them.
#[test]
fn no_configured_secret_reaches_the_log() {
    let dead = citywall_e2e::free_port();
    let dir = scratch_dir("attack-log");
    let config = dir.join("wall.toml");
    std::fs::write(
        &config,
        format!(
            "[store]\npath = \"wall.db\"\n\n\
             [basemap]\nraster = \"http://127.0.0.1:{dead}/{{z}}/{{x}}/{{y}}.png?tk=TK-LOG-0042\"\n\n\
             [[layer]]\nid = \"air\"\ntitle_zh = \"空气质量\"\n\n\
             [[source]]\nid = \"air\"\nlayer = \"air\"\nkind = \"geojson\"\n\
             url = \"http://reader:PW-LOG-7@127.0.0.1:{dead}/air?apikey=KEY-LOG-99\"\ninterval_s = 1\ntimeout_s = 1\n"
        ),
    )
    .expect("config");
    let port = citywall_e2e::free_port();
    let mut child = std::process::Command::new(citywall_e2e::citywall_binary())
        .arg("--config")
        .arg(&config)
        .args(["serve", "--port", &port.to_string()])
        .env("RUST_LOG", "debug")
        .env_remove("CITYWALL_TOKEN")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("citywall serve starts");
    // A few failed polls and a tile the wall asks for through the engine.
    std::thread::sleep(std::time::Duration::from_secs(4));
    let _ = std::net::TcpStream::connect(("127.0.0.1", port)).and_then(|mut s| {
        use std::io::{Read, Write};
        s.set_read_timeout(Some(std::time::Duration::from_secs(3)))?;
        s.write_all(
            b"GET /basemap/3/6/3.png HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
        )?;
        let mut answer = Vec::new();
        let _ = s.read_to_end(&mut answer);
        Ok(())
    });
    std::thread::sleep(std::time::Duration::from_secs(1));
    let _ = child.kill();
    let out = child.wait_with_output().expect("its output");
    let log = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        log.contains("127.0.0.1"),
        "the log says where it failed:\n{log}"
    );
    for secret in ["TK-LOG-0042", "PW-LOG-7", "KEY-LOG-99"] {
        assert!(!log.contains(secret), "{secret} in the log:\n{log}");
    }
}
