//! The bad cases a hostile client tries on the browser wall: oversized bodies, climbing paths,
//! SQL in parameters, and the strict Content-Security-Policy on every answer.

use super::*;

/// The bad cases a hostile client tries on the browser wall: oversized bodies, paths that climb
/// out of the UI's folder or into the tile routes, SQL in parameters — and every answer carries
/// the strict Content-Security-Policy.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_bodies_and_path_traversal_are_refused_and_pages_carry_the_csp() {
    let dir = scratch_dir("hostile");
    let ui = dir.join("ui");
    std::fs::create_dir_all(&ui).expect("ui dir");
    std::fs::write(ui.join("index.html"), "<!doctype html><title>wall</title>").expect("index");
    std::fs::write(dir.join("secret.txt"), "do-not-serve").expect("secret");
    let config = Config::parse(
        "[store]\npath = \"wall.db\"\n\n[[layer]]\nid = \"points\"\ntitle_zh = \"点\"\ntitle_en = \"Points\"\n",
        "wall.toml",
        &dir,
    )
    .expect("config");
    let engine = citywall_e2e::start_engine(config).await.expect("engine");
    let api = Api::new(engine.clone());
    let addr = serve_loopback(citywall_server::router(api, Some(ui))).await;
    let base = format!("http://{addr}");
    let client = reqwest::Client::new();

    let page = client.get(&base).send().await.expect("index");
    let csp = page
        .headers()
        .get("content-security-policy")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    assert!(
        csp.contains("script-src 'self'")
            && !csp.contains("unsafe-eval")
            && csp.contains("frame-ancestors 'none'"),
        "{csp}"
    );
    assert_eq!(
        page.headers()
            .get("x-content-type-options")
            .and_then(|v| v.to_str().ok()),
        Some("nosniff")
    );

    // Climbing out of the UI's folder, plainly or encoded, never reaches the file beside it.
    for path in [
        "/../secret.txt",
        "/%2e%2e/secret.txt",
        "/..%2fsecret.txt",
        "/%2e%2e%2fsecret.txt",
        "/basemap/0/0/..%2f..%2fsecret.txt",
        "/tiles/..%2f..%2f/0/0/0.mvt",
    ] {
        let answer = client
            .get(format!("{base}{path}"))
            .send()
            .await
            .expect("request");
        let body = answer.text().await.unwrap_or_default();
        assert!(
            !body.contains("do-not-serve"),
            "{path} served the file beside the UI"
        );
    }

    // A body past the limit is refused before it is read; SQL in a parameter is only text.
    let big = "x".repeat(citywall_server::MAX_BODY_BYTES + 1);
    let answer = client
        .post(format!("{base}/api/v1/warnings/W1/ack"))
        .header("content-type", "application/json")
        .body(format!("{{\"by\": \"{big}\"}}"))
        .send()
        .await
        .expect("post");
    assert_eq!(answer.status(), 413);
    let answer = client
        .get(format!(
            "{base}/api/v1/search?q=%27%3B%20DROP%20TABLE%20features%3B--"
        ))
        .send()
        .await
        .expect("search");
    assert_eq!(answer.status(), 200);
    let answer = client
        .get(format!(
            "{base}/api/v1/cases?state=closed%27%20OR%201%3D1--"
        ))
        .send()
        .await
        .expect("cases");
    assert_eq!(answer.status(), 400);
    assert!(engine
        .store()
        .verify_audit()
        .await
        .expect("verify")
        .broken
        .is_none());
    engine.shutdown();
}
