//! Warnings through the real path: the simulated city's services → poll → ingest → rules →
//! store → API. The demo scenario raises every kind of warning within its first simulated day;
//! a warning and its acknowledgement survive an engine restart, and the acknowledgement is in
//! the hash-chained audit log that `citywall audit verify` checks and catches altered.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use citywall_e2e::{start_city, wait_for};
use citywall_engine::rules::{Kind, State};
use citywall_engine::{Api, Config};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_raises_every_warning_kind_within_its_first_simulated_day() {
    // 2880×: a simulated day in 30 s of wall time; polled every 0.25 s (12 sim minutes).
    let scale = 2880.0;
    let city = start_city("warnings-day", scale, 0.25).await;
    let started = Instant::now();
    let sim_start = city.sim.clock.now();
    let mut first_seen: BTreeMap<&str, f64> = BTreeMap::new();
    // Every kind the demo's data raises; the incident loop's deadlines depend on how its
    // cases happen to run late, and tests/cases.rs raises that one at its deadline; the
    // demo's sources do not fail by themselves, and tests/outage.rs stops them; a threshold
    // rule is a city's own (the demo's watches its car parks, served by its GIS portal, which
    // this city does not run), and tests/outage.rs raises one on a layer of its own, as
    // tests/rules.rs does the configured rate, stale, count and event rules.
    let configured = [
        Kind::Threshold,
        Kind::Rate,
        Kind::Stale,
        Kind::Count,
        Kind::Event,
    ];
    let kinds: Vec<Kind> = Kind::ALL
        .into_iter()
        // A 督办 needs a person, and an escalation a centre that leaves a red alone past its
        // limit: the demo raises neither by itself on a schedule.
        .filter(|k| {
            ![
                Kind::Overdue,
                Kind::SourceDown,
                Kind::Urged,
                Kind::Unacknowledged,
            ]
            .contains(k)
                && !configured.contains(k)
        })
        .collect();
    while first_seen.len() < kinds.len() && started.elapsed() < Duration::from_secs(60) {
        let all = city.api.warnings(true, 5000).await.expect("warnings");
        let sim_hours = (city.sim.clock.now() - sim_start) / 3600.0;
        for w in all.iter().filter(|w| kinds.contains(&w.what.kind)) {
            first_seen.entry(w.what.kind.as_str()).or_insert(sim_hours);
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    for (kind, hours) in &first_seen {
        println!("first {kind} warning after {hours:.1} simulated hours");
    }
    for kind in kinds {
        let hours = first_seen.get(kind.as_str());
        assert!(
            hours.is_some_and(|h| *h <= 24.0),
            "no {} warning within the first simulated day (seen: {first_seen:?})",
            kind.as_str()
        );
    }
    // Everything raised is stored with a lifecycle; some have already cleared by themselves.
    let all = city.api.warnings(true, 5000).await.expect("warnings");
    assert!(all.iter().any(|w| w.state == State::Cleared));
    // A hot spot names the incidents it counts; open, it is at its threshold or within the
    // rule's hysteresis under it (the demo's: one incident — a yellow at 6 holds at 5), a cleared
    // one keeps the count it fell to.
    let hots: Vec<_> = all
        .iter()
        .filter(|w| w.what.kind == Kind::Hotspot)
        .collect();
    assert!(!hots.is_empty(), "no hot spot");
    for hot in hots {
        assert_eq!(hot.what.related.len() as f64, hot.what.value, "{hot:?}");
        assert!(
            hot.what.value >= hot.what.threshold - 1.0 || hot.state == State::Cleared,
            "{hot:?}"
        );
    }
    let dup = all
        .iter()
        .find(|w| w.what.kind == Kind::Duplicate)
        .expect("a duplicate group");
    assert!(dup.what.related.len() >= 2, "{dup:?}");
    city.engine.shutdown();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_acknowledged_warning_survives_a_restart() {
    if citywall_e2e::on_postgres() {
        eprintln!("skipped on PostgreSQL: `citywall user` / `audit` read the config file, which names SQLite here");
        return;
    }
    let city = start_city("warnings-restart", 60.0, 0.3).await;
    let open = wait_for("an open warning", Duration::from_secs(20), async || {
        let open = city.api.warnings(false, 100).await.ok()?;
        open.into_iter().find(|w| w.what.kind == Kind::FloodLevel)
    })
    .await;
    let desk = citywall_engine::access::Principal::open();
    let kiosk = citywall_engine::access::Principal {
        name: "大屏".into(),
        role: citywall_engine::access::Role::Wall,
        via: "token",
        centre: None,
    };
    let e = city
        .api
        .acknowledge(&kiosk, &open.id, "大屏")
        .await
        .unwrap_err();
    assert!(e.to_string().contains("may not warning.acknowledge"), "{e}");
    let acked = city
        .api
        .acknowledge(&desk, &open.id, "值班员 张伟")
        .await
        .expect("acknowledge");
    assert_eq!(acked.state, State::Acknowledged);
    assert_eq!(acked.acknowledged_by.as_deref(), Some("值班员 张伟"));
    // Refused with a reason: nobody named, or no such warning.
    assert!(city.api.acknowledge(&desk, &open.id, " ").await.is_err());
    let e = city
        .api
        .acknowledge(&desk, "W999999", "x")
        .await
        .unwrap_err();
    assert!(e.to_string().contains("no open warning"), "{e}");

    city.engine.shutdown();
    let config: Config = city.engine.config().clone();
    let store = config.store_path.clone();
    let key = config.audit.key_file.clone();
    let again = Api::new(citywall_e2e::start_engine(config).await.expect("restart"));
    let restored = again.warnings(false, 500).await.expect("warnings");
    let same = restored
        .iter()
        .find(|w| w.id == open.id)
        .expect("the warning is still open after the restart");
    assert_eq!(same.state, State::Acknowledged);
    assert_eq!(same.acknowledged_by.as_deref(), Some("值班员 张伟"));

    // The acknowledgement was audited with it (refusals change nothing and record nothing).
    let log = again.audit(&desk, 0, 100).await.expect("audit log");
    assert_eq!(log.len(), 1, "{log:?}");
    assert_eq!(
        (
            log[0].actor.as_str(),
            log[0].action.as_str(),
            log[0].target.as_str()
        ),
        ("值班员 张伟", "warning.acknowledge", open.id.as_str())
    );
    let check = again.engine().store().verify_audit().await.expect("verify");
    assert_eq!((check.rows, check.broken), (1, None));
    again.engine().shutdown();
    tokio::time::sleep(Duration::from_millis(300)).await;

    // `citywall audit verify` on the store: intact; then a row altered by hand is caught.
    let verify = || audit_verify(&store, &key);
    let (ok, said) = verify();
    assert!(ok && said.contains("intact — 1 row"), "{said}");
    tamper(
        &store,
        "UPDATE audit SET actor = '值班员 李四' WHERE seq = 1",
    )
    .await;
    let (ok, said) = verify();
    assert!(!ok && said.contains("BROKEN at row 1"), "{said}");
}

/// Runs `citywall audit verify --store <db>` (built by `make test`'s build step): whether it
/// passed, and what it printed.
fn audit_verify(store: &std::path::Path, key: &std::path::Path) -> (bool, String) {
    let binary = citywall_e2e::citywall_binary();
    let out = std::process::Command::new(&binary)
        .args(["audit", "verify", "--store"])
        .arg(store)
        .arg("--key-file")
        .arg(key)
        .output()
        .expect("citywall runs");
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), said)
}

/// Alters the audit table as someone with the database file could: past its triggers.
async fn tamper(store: &std::path::Path, sql: &str) {
    use sqlx::Connection;
    let url = format!("sqlite://{}", store.display());
    let mut db = sqlx::SqliteConnection::connect(&url)
        .await
        .expect("open the store");
    let refused = sqlx::query(sql).execute(&mut db).await;
    assert!(
        refused.is_err_and(|e| e.to_string().contains("append-only")),
        "the store let the audit log be changed"
    );
    sqlx::query("DROP TRIGGER audit_no_update")
        .execute(&mut db)
        .await
        .expect("drop the guard");
    sqlx::query(sql)
        .execute(&mut db)
        .await
        .expect("alter a row");
    db.close().await.expect("close");
}
