//! Shared helpers for the end-to-end tests: a running simulated city with an engine polling it
//! through the real HTTP path, and a scratch directory per test.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use citywall_engine::{Api, Config, Engine};
use citywall_sim::SimCity;

/// The `citywall` binary `make test`'s build step made, for the tests that run it as a centre
/// does (the CLI, `citywall serve` in its own process).
pub fn citywall_binary() -> PathBuf {
    let binary = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../target/debug/citywall"
    ));
    assert!(
        binary.exists(),
        "{} is missing: run `make build` (make test does)",
        binary.display()
    );
    binary
}

/// Serves `app` on a loopback port of its own, as a subsystem stands in for a city's; the task
/// ends with the test.
pub async fn serve_loopback(app: axum::Router) -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    let addr = listener.local_addr().expect("bound address");
    tokio::spawn(async move { axum::serve(listener, app).await });
    addr
}

/// A fresh directory under the system temp dir, unique to this process and `name`.
pub fn scratch_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("citywall-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir is writable");
    dir
}

pub struct Running {
    pub sim: Arc<SimCity>,
    pub engine: Arc<Engine>,
    pub api: Api,
}

/// Starts the sim's services on loopback and an engine polling them every `interval_s`.
pub async fn start_city(name: &str, scale: f64, interval_s: f64) -> Running {
    start_city_with(name, scale, interval_s, None).await
}

/// As [`start_city`], with the camera directory and component census at the given sizes.
pub async fn start_city_with(
    name: &str,
    scale: f64,
    interval_s: f64,
    inventory: Option<(usize, usize)>,
) -> Running {
    let dir = scratch_dir(name);
    let start = chrono::Utc::now().timestamp() as f64;
    let sim = SimCity::new(42, start, scale);
    sim.start_all()
        .await
        .expect("sim services start on loopback");
    if let Some((cameras, components)) = inventory {
        sim.start_inventory(cameras, components)
            .await
            .expect("inventory services start on loopback");
        sim.start_video(0)
            .await
            .expect("the video platform starts on loopback");
    }
    let text = sim.engine_config(&dir.join("wall.db").display().to_string(), interval_s);
    let mut config = Config::parse(&text, "sim.toml", &dir).expect("the sim's config is valid");
    // The engine judges time windows on the sim's clock, as in the demo.
    config.demo_clock = Some(citywall_engine::config::DemoClock {
        wall_origin_ms: chrono::Utc::now().timestamp_millis(),
        sim_origin_ms: (sim.clock.now() * 1000.0) as i64,
        scale,
    });
    let engine = Engine::start(config).await.expect("engine starts");
    let api = Api::new(engine.clone());
    Running { sim, engine, api }
}

/// A loopback port free right now, for a peer the test starts.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

/// Polls `check` every 50 ms until it returns `Some`, or panics with `what` after `limit`.
pub async fn wait_for<T>(
    what: &str,
    limit: Duration,
    mut check: impl AsyncFnMut() -> Option<T>,
) -> T {
    let started = Instant::now();
    loop {
        if let Some(v) = check().await {
            return v;
        }
        if started.elapsed() > limit {
            panic!("timed out after {limit:?} waiting for {what}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
