//! The store's own tests: the conformance suite on SQLite, and what each connection keeps in
//! memory.

use super::*;

/// Every connection's page cache limit, in KiB.
async fn caches(store: &SqliteStore) -> Vec<i64> {
    let mut held = Vec::new();
    let mut sizes = Vec::new();
    while let Some(mut connection) = store.pool.try_acquire() {
        let (size,): (i64,) = sqlx::query_as("PRAGMA cache_size")
            .fetch_one(&mut *connection)
            .await
            .expect("cache_size");
        sizes.push(-size);
        held.push(connection);
    }
    sizes
}

#[tokio::test]
async fn after_a_big_batch_every_connection_is_back_at_the_small_page_cache() {
    let dir = std::env::temp_dir().join(format!("citywall-cache-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let store = SqliteStore::open(&dir.join("wall.db"))
        .await
        .expect("store opens");
    let features: Vec<Feature> = (0..crate::memory::RELEASE_FROM)
        .map(|i| Feature {
            layer: "components".into(),
            id: format!("c{i}"),
            source: "census".into(),
            lon: 118.0 + (i % 1000) as f64 * 1e-4,
            lat: 33.9 + (i / 1000) as f64 * 1e-4,
            shape: None,
            properties: Map::new(),
            updated_at: 1,
        })
        .collect();
    let changes = ChangeSet {
        upserted: features.iter().collect(),
        ..Default::default()
    };
    store
        .apply("census", 1, &changes, true)
        .await
        .expect("bulk batch");
    let small = ChangeSet {
        upserted: features.iter().take(3).collect(),
        ..Default::default()
    };
    store
        .apply("census", 2, &small, true)
        .await
        .expect("small batch");
    let sizes = caches(&store).await;
    assert!(!sizes.is_empty());
    assert!(
        sizes.iter().all(|kib| *kib == i64::from(CACHE_KIB)),
        "caches: {sizes:?} KiB"
    );
    assert_eq!(
        store.load_features().await.expect("load").len(),
        features.len()
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn a_lockout_names_its_end_in_the_centres_time_zone() {
    let dir = std::env::temp_dir().join(format!("citywall-zone-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let zone = jiff::tz::TimeZone::get("Europe/Helsinki").expect("the bundled tz database");
    let store = SqliteStore::open(&dir.join("wall.db"))
        .await
        .expect("store opens")
        .with_zone(zone);
    // 2026-12-07 03:57 UTC is 05:57 in Helsinki; the lock lasts a quarter of an hour.
    let now = 1_796_615_820_000;
    let mut last = None;
    for _ in 0..=credentials::MAX_FAILURES {
        last = store.login("nobody", "guess", now).await.err();
    }
    let said = last.map(|e| e.to_string()).unwrap_or_default();
    assert!(said.contains("06:12 (UTC+02:00)"), "{said}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// SQLite passes the suite every backend must: each check on a fresh store of its own.
#[tokio::test]
async fn sqlite_passes_the_conformance_suite() {
    let dir = std::env::temp_dir().join(format!("citywall-conformance-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let opened = &dir;
    crate::conformance::run(|check| async move {
        let store = SqliteStore::open(&opened.join(format!("{check}.db")))
            .await
            .expect("store opens");
        Box::new(store) as Box<dyn Backend>
    })
    .await;
    let _ = std::fs::remove_dir_all(&dir);
}

/// PostgreSQL + PostGIS passes the same suite: each check on a fresh database of a server of
/// its own. Without the server installed the test says so and passes, unless
/// `CITYWALL_REQUIRE_PEERS=1` (as `make test` sets it).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_passes_the_conformance_suite() {
    use crate::postgres::{server::TestServer, PgStore};
    let server = match TestServer::start("conformance") {
        Ok(server) => server,
        Err(why) if std::env::var("CITYWALL_REQUIRE_PEERS").is_ok_and(|v| v == "1") => {
            panic!("PostgreSQL is required here: {why}")
        }
        Err(why) => {
            eprintln!("skipped: {why}");
            return;
        }
    };
    let server = &server;
    crate::conformance::run(|check| async move {
        let url = server.database(check).await.expect("a database");
        let store = PgStore::open(&url, 4).await.expect("store opens");
        Box::new(store) as Box<dyn Backend>
    })
    .await;
}
