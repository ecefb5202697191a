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
    let engine = start_engine(config).await.expect("engine starts");
    let api = Api::new(engine.clone());
    Running { sim, engine, api }
}

/// Whether this run's engines keep their store in PostgreSQL (`CITYWALL_E2E_STORE=postgres`):
/// a test that tampers with SQLite's file itself says it is skipped.
pub fn on_postgres() -> bool {
    std::env::var("CITYWALL_E2E_STORE").is_ok_and(|v| v == "postgres")
}

/// The engine on `config`. With `CITYWALL_E2E_STORE=postgres` (`make test-postgres`) its store
/// is a fresh database on a PostgreSQL + PostGIS server this test binary starts once: every
/// end-to-end test runs unchanged on the second backend.
pub async fn start_engine(
    mut config: Config,
) -> Result<Arc<Engine>, citywall_engine::engine::EngineError> {
    if on_postgres() {
        use citywall_store::postgres::server::TestServer;
        static SERVER: std::sync::OnceLock<TestServer> = std::sync::OnceLock::new();
        // One database per store file the test names: an engine restarted on the same config
        // finds what it stored before.
        static DATABASES: std::sync::Mutex<Vec<(PathBuf, String)>> =
            std::sync::Mutex::new(Vec::new());
        let server = SERVER.get_or_init(|| {
            TestServer::start("e2e").unwrap_or_else(|why| panic!("PostgreSQL for the e2e: {why}"))
        });
        let known = {
            let databases = DATABASES.lock().unwrap_or_else(|p| p.into_inner());
            databases
                .iter()
                .find(|(path, _)| *path == config.store_path)
                .map(|(_, url)| url.clone())
        };
        let url = match known {
            Some(url) => url,
            None => {
                static NAMED: std::sync::atomic::AtomicUsize =
                    std::sync::atomic::AtomicUsize::new(0);
                let n = NAMED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let url = server
                    .database(&format!("e2e_{n}_{}", std::process::id()))
                    .await
                    .unwrap_or_else(|why| panic!("a database for the e2e: {why}"));
                if let Ok(mut d) = DATABASES.lock() {
                    d.push((config.store_path.clone(), url.clone()));
                }
                url
            }
        };
        config.store_url = Some(url);
    }
    Engine::start(config).await
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
