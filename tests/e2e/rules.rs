//! Rate-of-change, stale-reading and count-in-area rules a city declares in config for a layer
//! the wall ships nothing for, through the real path: a river-gauge service on loopback whose
//! readings the test sets, an engine polling it every second. A gauge rising fast raises a rate
//! warning; one whose reading is 45 minutes old raises a stale one and clears with a fresh
//! reading; two gauges in one district raise a count warning that clears when one moves out; a
//! surge a gauge lists among its alarms raises an event warning, once.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use citywall_e2e::{scratch_dir, serve_loopback, wait_for};
use citywall_engine::rules::{Kind, Level, Warning};
use citywall_engine::{Api, Config};
use serde_json::json;

/// Each gauge: its level (m), minutes since it was observed, its district.
type Gauges = Arc<Mutex<Vec<(f64, i64, &'static str)>>>;

/// When gauge 0's surge alarm happened: fixed, so each poll lists the same event.
static SURGE_AT: std::sync::OnceLock<String> = std::sync::OnceLock::new();

async fn river(State(gauges): State<Gauges>) -> Response {
    let now = chrono::Utc::now();
    let surge_at = SURGE_AT.get_or_init(|| (now - chrono::Duration::minutes(2)).to_rfc3339());
    let gauges = gauges.lock().map(|g| g.clone()).unwrap_or_default();
    let features: Vec<_> = gauges
        .iter()
        .enumerate()
        .map(|(i, (level, age_min, district))| {
            let observed = (now - chrono::Duration::minutes(*age_min)).to_rfc3339();
            json!({"type": "Feature", "id": format!("g{i}"),
                   "geometry": {"type": "Point", "coordinates": [118.28 + i as f64 * 0.01, 33.96]},
                   "properties": {"name": format!("{i}号闸"), "level": level, "observed_at": observed, "district": district,
                                  "alarms": if i == 0 { json!([{"at": surge_at, "surge_cm": 35}]) } else { json!([]) }}})
        })
        .collect();
    (
        [(header::CONTENT_TYPE, "application/geo+json")],
        json!({"type": "FeatureCollection", "features": features}).to_string(),
    )
        .into_response()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_stale_and_count_rules_raise_and_clear_through_the_poll() {
    // g0 was at 1.0 m ten minutes ago; g1 last reported 45 minutes ago; both in 东区.
    let gauges: Gauges = Arc::new(Mutex::new(vec![(1.0, 10, "东区"), (0.5, 45, "东区")]));
    let addr = serve_loopback(
        Router::new()
            .route("/river", get(river))
            .with_state(gauges.clone()),
    )
    .await;
    let dir = scratch_dir("config-rules");
    let text = format!(
        "[[layer]]\nid = \"river\"\ntitle_zh = \"河道水位\"\ntitle_en = \"River gauges\"\n\n\
         [[source]]\nid = \"river-gauges\"\nlayer = \"river\"\nkind = \"geojson\"\nurl = \"http://{addr}/river\"\ninterval_s = 1\n\n\
         [[rules.rate]]\nid = \"rise\"\nlayer = \"river\"\nfield = \"level\"\nunit = \"m\"\nwindow_min = 20\n\
         title_zh = \"水位快速上涨\"\ntitle_en = \"rising fast\"\nlevels = {{ yellow = 0.3, red = 1.0 }}\n\n\
         [[rules.stale]]\nid = \"quiet\"\nlayer = \"river\"\ntitle_zh = \"水位计停报\"\ntitle_en = \"gauge silent\"\nlevels = {{ yellow = 30, orange = 120 }}\n\n\
         [[rules.count]]\nid = \"crowded\"\nlayer = \"river\"\narea_field = \"district\"\n\
         title_zh = \"多站告警\"\ntitle_en = \"several gauges\"\nlevels = {{ yellow = 2 }}\n\n\
         [[rules.event]]\nid = \"surge\"\nlayer = \"river\"\nitems = [\"alarms\"]\nfield = \"surge_cm\"\n\
         levels = {{ orange = 30 }}\nclear_after_min = 60\ntitle_zh = \"{{name}} 涌浪 {{surge_cm}} cm\"\n\
         title_en = \"{{name}} surge {{surge_cm}} cm\"\n"
    );
    let config = Config::parse(&text, "river.toml", &dir).expect("valid config");
    let engine = citywall_e2e::start_engine(config)
        .await
        .expect("engine starts");
    let api = Api::new(engine.clone());
    let open = async |kind: Kind| -> Vec<Warning> {
        api.warnings(false, 1000)
            .await
            .expect("warnings readable")
            .into_iter()
            .filter(|w| w.what.kind == kind)
            .collect()
    };

    // g1 is 45 minutes quiet: yellow. Both gauges stand in 东区: the count's yellow.
    let quiet = wait_for("a stale warning", Duration::from_secs(10), async || {
        open(Kind::Stale).await.into_iter().next()
    })
    .await;
    assert!(quiet.what.subject.ends_with("g1"), "{quiet:?}");
    assert_eq!(quiet.what.level, Level::Yellow);
    assert_eq!(quiet.what.title_en, "1号闸 gauge silent");
    let crowded = wait_for("a count warning", Duration::from_secs(10), async || {
        open(Kind::Count).await.into_iter().next()
    })
    .await;
    assert_eq!(
        (crowded.what.subject.as_str(), crowded.what.level),
        ("东区", Level::Yellow)
    );
    assert!(open(Kind::Rate).await.is_empty());
    // The surge g0 lists: one event warning, however many polls list it.
    let surge = wait_for("an event warning", Duration::from_secs(10), async || {
        open(Kind::Event).await.into_iter().next()
    })
    .await;
    assert_eq!(surge.what.level, Level::Orange, "{surge:?}");
    assert_eq!(surge.what.title_en, "0号闸 surge 35 cm");

    // g0 now reads 1.2 m: 0.2 m in ten minutes, 1.2 m/h — red.
    gauges.lock().expect("gauges")[0] = (1.2, 0, "东区");
    let rising = wait_for("a rate warning", Duration::from_secs(10), async || {
        open(Kind::Rate).await.into_iter().next()
    })
    .await;
    assert_eq!(rising.what.level, Level::Red, "{rising:?}");
    assert!(
        rising.what.detail_en.contains("rising 1.20 m/h"),
        "{:?}",
        rising.what.detail_en
    );

    // g1 reports again and moves to 西区: the stale and the count warnings clear.
    gauges.lock().expect("gauges")[1] = (0.5, 0, "西区");
    wait_for(
        "stale and count cleared",
        Duration::from_secs(10),
        async || {
            (open(Kind::Stale).await.is_empty() && open(Kind::Count).await.is_empty()).then_some(())
        },
    )
    .await;
    // Polls later, the surge is still the one warning it raised.
    assert_eq!(open(Kind::Event).await.len(), 1);
    engine.shutdown();
}
