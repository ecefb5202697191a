//! Warnings a city configures rather than codes, through the real path: subsystems on loopback
//! that the test switches off and on or whose readings it sets, an engine polling them every
//! second. 数据中断: a layer with one of its two sources down raises an orange outage warning;
//! every source stopped turns each layer's warning red within two polls; the sources coming back
//! clear them. A threshold rule on a config-only layer raises, is acknowledged and clears.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use citywall_e2e::{scratch_dir, serve_loopback, wait_for};
use citywall_engine::health::SourceState;
use citywall_engine::rules::{Kind, Level, State as WarningState, Warning};
use citywall_engine::{Api, Config, Engine};
use serde_json::json;

type Down = Arc<Mutex<HashSet<String>>>;
type Readings = Arc<Mutex<Vec<f64>>>;

async fn subsystem(State(down): State<Down>, Path(route): Path<String>) -> Response {
    if down.lock().map(|d| d.contains(&route)).unwrap_or(true) {
        return (StatusCode::SERVICE_UNAVAILABLE, "maintenance").into_response();
    }
    let features: Vec<_> = (1..=3)
        .map(|i| json!({"type": "Feature", "id": format!("{route}-{i}"), "geometry": {"type": "Point", "coordinates": [118.28 + i as f64 * 0.01, 33.96]}, "properties": {"n": i}}))
        .collect();
    (
        [(header::CONTENT_TYPE, "application/geo+json")],
        json!({"type": "FeatureCollection", "features": features}).to_string(),
    )
        .into_response()
}

const POLL_S: f64 = 1.0;

async fn outages(api: &Api) -> Vec<Warning> {
    let mut open: Vec<Warning> = api
        .warnings(false, 1000)
        .await
        .expect("warnings readable")
        .into_iter()
        .filter(|w| w.what.kind == Kind::SourceDown)
        .collect();
    open.sort_by(|a, b| a.what.layer.cmp(&b.what.layer));
    open
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_outage_is_a_warning_graded_by_what_went_dark() {
    let down: Down = Arc::default();
    let addr = serve_loopback(
        Router::new()
            .route("/{route}", get(subsystem))
            .with_state(down.clone()),
    )
    .await;
    let dir = scratch_dir("outage");
    let mut text = String::from(
        "[map]\nextent = [118.2, 33.9, 118.4, 34.0]\n\n[[layer]]\nid = \"air\"\ntitle_zh = \"空气质量\"\ntitle_en = \"Air quality\"\n\n[[layer]]\nid = \"river\"\ntitle_zh = \"河道水位\"\n",
    );
    for (id, layer) in [("air-1", "air"), ("air-2", "air"), ("river-1", "river")] {
        text.push_str(&format!(
            "\n[[source]]\nid = \"{id}\"\nlayer = \"{layer}\"\nkind = \"geojson\"\nurl = \"http://{addr}/{id}\"\ninterval_s = {POLL_S}\ntimeout_s = 1\n"
        ));
    }
    let config = Config::parse(&text, "outage.toml", &dir).expect("valid config");
    let engine = citywall_e2e::start_engine(config)
        .await
        .expect("engine starts");
    let api = Api::new(engine.clone());

    wait_for("every source up", Duration::from_secs(10), async || {
        api.sources()
            .iter()
            .all(|s| s.state == SourceState::Ok)
            .then_some(())
    })
    .await;
    assert!(outages(&api).await.is_empty(), "all up: no outage");

    // One of the air layer's two sources stops: the layer is dimmed, not dark.
    down.lock().expect("switch").insert("air-1".into());
    let partial = wait_for(
        "an orange outage of the air layer",
        Duration::from_secs(5),
        async || {
            let open = outages(&api).await;
            (open.len() == 1 && open[0].what.level == Level::Orange).then_some(open)
        },
    )
    .await;
    assert_eq!(partial[0].what.layer, "air");
    assert_eq!(partial[0].what.related, vec!["air-1".to_string()]);
    assert!(
        partial[0].what.title.contains("数据中断"),
        "{:?}",
        partial[0].what.title
    );
    // An English wall reads it in English, the layer named as config names it.
    assert_eq!(partial[0].what.title_en, "Data outage · Air quality");
    assert!(
        partial[0]
            .what
            .detail_en
            .starts_with("1/2 sources of Air quality down"),
        "{:?}",
        partial[0].what.detail_en
    );
    assert!(
        partial[0].what.detail.contains("HTTP 503"),
        "{:?}",
        partial[0].what.detail
    );
    // An outage sits at the whole city's centre: it has no spot of its own.
    assert!(
        (partial[0].what.lon - 118.3).abs() < 1e-9 && (partial[0].what.lat - 33.95).abs() < 1e-9
    );

    // Everything stops: every layer is dark, and red, within two polls.
    let stopped = Instant::now();
    down.lock()
        .expect("switch")
        .extend(["air-2".to_string(), "river-1".to_string()]);
    let dark = wait_for(
        "every layer's outage red",
        Duration::from_secs(10),
        async || {
            let open = outages(&api).await;
            (open.len() == 2 && open.iter().all(|w| w.what.level == Level::Red)).then_some(open)
        },
    )
    .await;
    let took = stopped.elapsed();
    println!(
        "all sources stopped → red 数据中断 on every layer after {took:?} (polls every {POLL_S} s)"
    );
    assert!(
        took <= Duration::from_secs_f64(2.0 * POLL_S + 1.0),
        "red only after {took:?}: more than two polls"
    );
    assert_eq!(
        dark[0].id, partial[0].id,
        "the air layer's warning escalated, not a second one"
    );
    assert_eq!(
        dark[0].state,
        WarningState::Raised,
        "an escalation asks for a person again"
    );
    // The features stay, drawn stale: an outage loses nothing it held.
    assert_eq!(api.layers().iter().map(|l| l.count).sum::<usize>(), 9);

    // The subsystems return: the outages clear by themselves.
    down.lock().expect("switch").clear();
    wait_for("the outages cleared", Duration::from_secs(10), async || {
        outages(&api).await.is_empty().then_some(())
    })
    .await;
    let history = api.warnings(true, 1000).await.expect("warnings");
    assert!(history
        .iter()
        .any(|w| w.what.kind == Kind::SourceDown && w.state == WarningState::Cleared));
    engine.shutdown();
}

/// An air-quality service: one station per reading the test sets.
async fn air_quality(State(readings): State<Readings>) -> Response {
    let values = readings.lock().map(|r| r.clone()).unwrap_or_default();
    let features: Vec<_> = values
        .iter()
        .enumerate()
        .map(|(i, v)| json!({"type": "Feature", "id": format!("aq-{i}"), "geometry": {"type": "Point", "coordinates": [118.28 + i as f64 * 0.01, 33.96]}, "properties": {"name": format!("监测站{i}"), "pm25": format!("{v}")}}))
        .collect();
    (
        [(header::CONTENT_TYPE, "application/geo+json")],
        json!({"type": "FeatureCollection", "features": features}).to_string(),
    )
        .into_response()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_threshold_rule_on_a_config_only_layer_raises_is_acknowledged_and_clears() {
    let a = an_air_quality_layer_with_two_threshold_rules().await;
    station_one_at_60_is_the_watch_rules_blue_alone(&a).await;
    let red = station_zero_at_160_is_red_titled_by_its_rule(&a).await;
    acknowledged_it_stays_open_and_is_audited(&a, &red).await;
    a_procedure_step_is_recorded_once_and_an_unknown_one_refused(&a, &red).await;
    eight_operators_pressing_at_once_record_it_once(&a, &red).await;
    falling_it_holds_red_drops_and_clears_its_steps_recorded_once(&a, &red).await;
    cleared_it_takes_no_more_steps(&a, &red).await;
    a.engine.shutdown();
}

/// An air-quality layer from config alone, two stations whose readings the test sets, and two
/// threshold rules on it (a watch rule, and PM2.5's levels).
struct Air {
    readings: Readings,
    engine: Arc<Engine>,
    api: Api,
}

/// The open warnings of threshold rule `rule`.
async fn threshold_warnings(api: &Api, rule: &str) -> Vec<Warning> {
    api.warnings(false, 1000)
        .await
        .expect("warnings readable")
        .into_iter()
        .filter(|w| w.what.kind == Kind::Threshold && w.what.key.contains(&format!(":{rule}:")))
        .collect()
}

async fn an_air_quality_layer_with_two_threshold_rules() -> Air {
    let readings: Readings = Arc::new(Mutex::new(vec![40.0, 60.0]));
    let addr = serve_loopback(
        Router::new()
            .route("/air", get(air_quality))
            .with_state(readings.clone()),
    )
    .await;
    let dir = scratch_dir("threshold-rule");
    let text = format!(
        "[[layer]]\nid = \"air\"\ntitle_zh = \"空气质量\"\n\n\
         [[source]]\nid = \"air-stations\"\nlayer = \"air\"\nkind = \"geojson\"\nurl = \"http://{addr}/air\"\ninterval_s = {POLL_S}\n\n\
         [[rules.threshold]]\nid = \"pm25\"\nlayer = \"air\"\nfield = \"pm25\"\ntitle_zh = \"PM2.5 超标\"\ntitle_en = \"PM2.5 over limit\"\nunit = \"μg/m³\"\nhysteresis = 5\n\
         levels = {{ yellow = 75, orange = 115, red = 150 }}\n\n\
         [[rules.threshold]]\nid = \"pm25-watch\"\nlayer = \"air\"\nfield = \"pm25\"\ntitle_zh = \"PM2.5 偏高\"\nlevels = {{ blue = 50 }}\n\n\
         [warnings.procedures.threshold]\ndepartment = \"市生态环境局\"\ncontact = \"0527-12369\"\nsteps = [\"核实监测数据\", \"通知属地街道\"]\n"
    );
    let config = Config::parse(&text, "air.toml", &dir).expect("valid config");
    let engine = citywall_e2e::start_engine(config)
        .await
        .expect("engine starts");
    let api = Api::new(engine.clone());
    Air {
        readings,
        engine,
        api,
    }
}

async fn station_one_at_60_is_the_watch_rules_blue_alone(a: &Air) {
    let Air { api, .. } = a;
    let open = async |rule: &str| threshold_warnings(api, rule).await;
    // Station 1 reads 60: the watch rule's blue, nothing of the other.
    wait_for(
        "the watch rule's blue",
        Duration::from_secs(10),
        async || {
            let w = open("pm25-watch").await;
            (w.len() == 1 && w[0].what.level == Level::Blue).then_some(())
        },
    )
    .await;
    assert!(open("pm25").await.is_empty());
}

async fn station_zero_at_160_is_red_titled_by_its_rule(a: &Air) -> Warning {
    let Air { readings, api, .. } = a;
    let open = async |rule: &str| threshold_warnings(api, rule).await;
    // Station 0 climbs to 160: red, titled with its name and the rule's words.
    readings.lock().expect("readings")[0] = 160.0;
    let red = wait_for("a red PM2.5 warning", Duration::from_secs(10), async || {
        open("pm25")
            .await
            .into_iter()
            .find(|w| w.what.level == Level::Red)
    })
    .await;
    assert!(red.what.subject.ends_with("aq-0"), "{red:?}");
    assert!(
        red.what.title.contains("监测站0") && red.what.title.contains("PM2.5 超标"),
        "{:?}",
        red.what.title
    );
    assert_eq!(
        red.what.title_en,
        format!(
            "{} PM2.5 over limit",
            red.what.title.split(' ').next().unwrap_or_default()
        )
    );
    assert!(
        red.what.detail_en.contains("red threshold"),
        "{:?}",
        red.what.detail_en
    );
    assert!(
        red.what.detail.contains("160") && red.what.detail.contains("μg/m³"),
        "{:?}",
        red.what.detail
    );
    assert_eq!(
        open("pm25-watch").await.len(),
        2,
        "the other rule's warnings are its own"
    );
    red
}

async fn acknowledged_it_stays_open_and_is_audited(a: &Air, red: &Warning) {
    let Air { api, .. } = a;
    // Acknowledged by the duty officer: kept open, acknowledged, in the audit log.
    let acked = api
        .acknowledge(
            &citywall_engine::access::Principal::open(),
            &red.id,
            "值班员",
        )
        .await
        .expect("acknowledged");
    assert_eq!(acked.state, WarningState::Acknowledged);
}

async fn a_procedure_step_is_recorded_once_and_an_unknown_one_refused(a: &Air, red: &Warning) {
    let Air { api, .. } = a;
    // Its procedure: a step taken is an audit row, once; a step it has not is refused.
    let desk = citywall_engine::access::Principal::open();
    let taken = api
        .take_step(&desk, &red.id, 1, "值班员")
        .await
        .expect("step taken");
    assert_eq!((taken.len(), taken[0].text.as_str()), (1, "通知属地街道"));
    let again = api
        .take_step(&desk, &red.id, 1, "值班员")
        .await
        .expect("step taken");
    assert_eq!(again.len(), 1, "a step is recorded once");
}

async fn eight_operators_pressing_at_once_record_it_once(a: &Air, red: &Warning) {
    let Air { api, .. } = a;
    let desk = citywall_engine::access::Principal::open();
    // Eight operators press step 0 at once: it is recorded once, not eight times.
    let start = Arc::new(tokio::sync::Barrier::new(8));
    let racing = (0..8).map(|i| {
        let (api, start) = (api.clone(), start.clone());
        let (desk, id) = (desk.clone(), red.id.clone());
        tokio::spawn(async move {
            start.wait().await;
            api.take_step(&desk, &id, 0, &format!("值班员{i}")).await
        })
    });
    for taken in futures_util::future::join_all(racing).await {
        taken.expect("joined").expect("step taken");
    }
    let steps = api.warning_steps(&red.id).await.expect("steps");
    assert_eq!(
        steps.iter().filter(|t| t.step == 0).count(),
        1,
        "a step pressed at once by many is recorded once: {steps:?}"
    );
    let wrong = api.take_step(&desk, &red.id, 2, "值班员").await;
    assert!(
        matches!(&wrong, Err(citywall_engine::api::ApiError::BadRequest(m)) if m.contains("steps 0 to 1")),
        "{wrong:?}"
    );
}

async fn falling_it_holds_red_drops_and_clears_its_steps_recorded_once(a: &Air, red: &Warning) {
    let Air {
        readings,
        engine,
        api,
        ..
    } = a;
    let open = async |rule: &str| threshold_warnings(api, rule).await;
    // Falling to 147 holds red (hysteresis 5); to 100 it drops to yellow; to 30 it clears.
    readings.lock().expect("readings")[0] = 147.0;
    tokio::time::sleep(Duration::from_secs_f64(2.5 * POLL_S)).await;
    assert_eq!(
        open("pm25").await[0].what.level,
        Level::Red,
        "held within the hysteresis"
    );
    readings.lock().expect("readings")[0] = 30.0;
    wait_for(
        "the PM2.5 warning cleared",
        Duration::from_secs(10),
        async || open("pm25").await.is_empty().then_some(()),
    )
    .await;
    let log = engine.store().audit_latest(10).await.expect("audit");
    assert!(
        log.iter()
            .any(|r| r.action == "warning.acknowledge" && r.target == red.id),
        "{log:?}"
    );
    let steps: Vec<_> = log
        .iter()
        .filter(|r| r.action == "warning.step" && r.target == red.id)
        .collect();
    // Step 1 by the desk, step 0 once by whichever of the eight came first.
    assert_eq!(steps.len(), 2, "{log:?}");
    assert!(steps
        .iter()
        .any(|r| r.actor == "值班员" && r.detail.contains("\"step\":1")));
}

async fn cleared_it_takes_no_more_steps(a: &Air, red: &Warning) {
    let Air { api, .. } = a;
    let desk = citywall_engine::access::Principal::open();
    // Cleared, the warning takes no more steps.
    assert!(api.take_step(&desk, &red.id, 0, "值班员").await.is_err());
}
