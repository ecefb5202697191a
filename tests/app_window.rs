//! The real desktop app, driven over WebDriver (WebKitWebDriver, webkit2gtk) under Xvfb: the
//! `citywall` window opens on the demo city, draws the three live layers over the basemap and
//! shows the DEMO badge. Saves `test-output/app-wall.png`.
//!
//! Needs a display and `WebKitWebDriver`; `make test` provides both and sets
//! `CITYWALL_REQUIRE_APP_E2E=1`, so there a missing piece fails instead of skipping.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use citywall_e2e::free_port;
use serde_json::{json, Value};

fn workspace() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

/// Stops WebKitWebDriver with SIGTERM: SIGKILL leaves it holding the test's pipes.
struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(self.0.id().to_string())
            .status();
        let _ = self.0.wait();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_desktop_window_shows_the_demo_wall() {
    let required = std::env::var("CITYWALL_REQUIRE_APP_E2E").is_ok_and(|v| v == "1");
    let binary = workspace().join("target/debug/citywall");
    let missing = if std::env::var_os("DISPLAY").is_none() {
        Some("no DISPLAY (run under xvfb-run, as `make test` does)".to_string())
    } else if Command::new("WebKitWebDriver")
        .arg("--version")
        .stdout(Stdio::null())
        .status()
        .is_err()
    {
        Some("WebKitWebDriver is not installed (Debian package webkit2gtk-driver)".to_string())
    } else if !binary.exists() {
        Some(format!(
            "{} is not built (cargo build -p citywall)",
            binary.display()
        ))
    } else {
        None
    };
    if let Some(why) = missing {
        assert!(!required, "the app e2e cannot run: {why}");
        eprintln!("skipping the app e2e: {why}");
        return;
    }

    let port = free_port();
    let _driver = Driver(
        Command::new("WebKitWebDriver")
            .arg(format!("--port={port}"))
            .arg("--host=127.0.0.1")
            .env("TAURI_WEBVIEW_AUTOMATION", "true")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("WebKitWebDriver starts"),
    );
    let mut caps = serde_json::Map::new();
    caps.insert(
        "webkitgtk:browserOptions".into(),
        json!({"binary": binary.display().to_string(), "args": ["--time-scale", "60"]}),
    );
    let started = Instant::now();
    let client = loop {
        // The driver is on loopback over plain HTTP: no TLS stack needed.
        match fantoccini::ClientBuilder::new(
            hyper_util::client::legacy::connect::HttpConnector::new(),
        )
        .capabilities(caps.clone())
        .connect(&format!("http://127.0.0.1:{port}"))
        .await
        {
            Ok(c) => break c,
            Err(e) if started.elapsed() < Duration::from_secs(20) => {
                let _ = e;
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
            Err(e) => panic!("no WebDriver session: {e}"),
        }
    };

    let started = Instant::now();
    let drawn = loop {
        let state = client
            .execute("return [document.body.dataset.ready || '', window.__citywall ? window.__citywall.drawn : null, window.__citywall ? window.__citywall.transport : null]", vec![])
            .await
            .unwrap_or(Value::Null);
        if state[0] == "true" {
            break state;
        }
        assert!(
            started.elapsed() < Duration::from_secs(90),
            "the wall never drew all three layers: {state}"
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
    };
    assert_eq!(
        drawn[2], "tauri",
        "the window reaches the engine over Tauri IPC"
    );
    for layer in ["flood", "overweight", "incidents"] {
        assert!(
            drawn[1][layer].as_u64().unwrap_or(0) > 0,
            "{layer} not drawn: {drawn}"
        );
    }
    let badge = client
        .execute("const b = document.querySelector('[data-testid=demo-badge]'); return b ? b.textContent : ''", vec![])
        .await
        .unwrap_or(Value::Null);
    assert!(
        badge.as_str().unwrap_or("").contains("演示数据"),
        "no DEMO badge: {badge}"
    );

    // WebKit can hand back the previous frame right after a change: let two frames pass.
    let _ = client
        .execute_async("const done = arguments[0]; requestAnimationFrame(() => requestAnimationFrame(() => done(true)));", vec![])
        .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let png = client
        .screenshot()
        .await
        .expect("a screenshot of the window");
    let out = workspace().join("test-output");
    std::fs::create_dir_all(&out).expect("test-output is writable");
    std::fs::write(out.join("app-wall.png"), png).expect("screenshot saved");
    let _ = client.close().await;
}
