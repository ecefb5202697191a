//! The incident loop through the real path: an operator opens a case on the wall, it is
//! registered, dispatched with its category's time limit, overdue (a red warning at its
//! deadline, cleared once reported), verified and closed; a leader approves a reopening and
//! denies an extension; a kiosk may take no step; an inspector's app reports over Open311
//! GeoReport v2 (a form, as the spec posts it) and reads the status back; and the loop's
//! 办结率 / 按期结案率 equal what the store's rows give when counted by hand.

mod demo;

use std::time::Duration;

use citywall_e2e::{scratch_dir, serve_loopback, wait_for};
use citywall_engine::access::{Principal, Role};
use citywall_engine::api::{AccessMode, NewCase, StepInput};
use citywall_engine::cases::CaseState;
use citywall_engine::rules::{Kind, Level};
use citywall_engine::{Api, Config, Engine};

const INTAKE_TOKEN: &str = "inspector-app-7f3e9a2b5c";

fn who(name: &str, role: Role) -> Principal {
    Principal {
        name: name.into(),
        role,
        via: "session",
        centre: None,
    }
}

fn note(text: &str) -> StepInput {
    StepInput {
        note: text.into(),
        ..Default::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_case_goes_round_the_loop_and_the_rates_match_the_store() {
    let l = a_wall_whose_data_clock_runs_an_hour_a_second().await;
    let id = a_hostile_call_is_kept_as_text_byte_for_byte(&l).await;
    let dispatched = steps_out_of_order_or_by_a_kiosk_are_refused(&l, &id).await;
    an_extension_asked_by_duty_waits_for_a_leader_who_denies_it(&l, &id, &dispatched).await;
    the_limit_runs_out_and_the_case_raises_its_red_warning(&l, &id).await;
    reported_late_it_closes_not_on_time(&l, &id).await;
    a_reopening_needs_a_reason_and_a_leader(&l, &id).await;
    a_second_case_is_refused_and_a_third_stays_open(&l).await;
    let steps = the_timeline_holds_every_step_with_who_took_it(&l, &id).await;
    open311_reports_come_in_and_read_back(&l).await;
    the_rates_equal_the_rows_counted_by_hand(&l).await;
    every_step_is_audited_and_the_chain_holds(&l, &id, steps.len()).await;
    l.engine.shutdown();
}

/// The wall the loop is walked on: its store, its engine on a fast data clock, who acts.
struct Loop {
    engine: std::sync::Arc<Engine>,
    api: Api,
    duty: Principal,
    leader: Principal,
    kiosk: Principal,
}

async fn a_wall_whose_data_clock_runs_an_hour_a_second() -> Loop {
    let dir = scratch_dir("cases");
    let mut config = Config::parse(
        "[store]\npath = \"wall.db\"\n\n[incidents]\ncategories = { \"市容环境\" = 1, \"街面秩序\" = 12 }\ndepartments = [\"城管一中队\", \"环卫所\"]\n",
        "wall.toml",
        &dir,
    )
    .expect("config");
    // The data clock runs an hour a second: a one-hour limit runs out while the test waits.
    let now = chrono::Utc::now().timestamp_millis();
    config.demo_clock = Some(citywall_engine::config::DemoClock {
        wall_origin_ms: now,
        sim_origin_ms: now,
        scale: 3600.0,
    });
    let engine = citywall_e2e::start_engine(config).await.expect("engine");
    let api = Api::new(engine.clone()).with_access(AccessMode {
        token: Some(INTAKE_TOKEN.into()),
        token_role: Some(Role::Intake),
        open: false,
        ..Default::default()
    });
    let duty = who("值班员 张伟", Role::Duty);
    let leader = who("主任 李明", Role::Leader);
    let kiosk = who("大屏", Role::Wall);

    Loop {
        engine,
        api,
        duty,
        leader,
        kiosk,
    }
}

async fn a_hostile_call_is_kept_as_text_byte_for_byte(l: &Loop) -> String {
    let Loop {
        api, duty, kiosk, ..
    } = l;
    // A 12345 call taken on the wall, its text hostile: kept as text, byte for byte.
    let hostile = "<img src=x onerror=alert(1)> 垃圾满溢'; DROP TABLE cases;--";
    let case = api
        .create_case(
            duty,
            NewCase {
                category: "市容环境".into(),
                title: hostile.into(),
                description: "市民来电：小区门口垃圾桶满溢".into(),
                address: "人民路12号".into(),
                lon: 118.28,
                lat: 33.96,
                urgent: false,
                reporter: "王女士".into(),
                media: vec![],
            },
            "operator",
        )
        .await
        .expect("create");
    assert_eq!(case.state, CaseState::Received);
    assert_eq!(case.title, hostile);
    let id = case.id.clone();
    assert!(api
        .create_case(
            kiosk,
            NewCase {
                category: "市容环境".into(),
                title: "x".into(),
                description: String::new(),
                address: String::new(),
                lon: 118.0,
                lat: 33.0,
                urgent: false,
                reporter: String::new(),
                media: vec![],
            },
            "operator"
        )
        .await
        .is_err());
    id
}

async fn steps_out_of_order_or_by_a_kiosk_are_refused(
    l: &Loop,
    id: &str,
) -> citywall_engine::cases::Case {
    let Loop {
        api, duty, kiosk, ..
    } = l;
    // Steps out of order, or by a kiosk, are refused with the reason.
    let e = api
        .case_step(duty, id, "close", StepInput::default())
        .await
        .unwrap_err();
    assert!(
        e.to_string().contains("cannot take the step `close`"),
        "{e}"
    );
    let e = api
        .case_step(kiosk, id, "register", StepInput::default())
        .await
        .unwrap_err();
    assert!(e.to_string().contains("may not incident.register"), "{e}");

    api.case_step(duty, id, "register", StepInput::default())
        .await
        .expect("register");
    let e = api
        .case_step(duty, id, "dispatch", StepInput::default())
        .await
        .unwrap_err();
    assert!(e.to_string().contains("`department` is empty"), "{e}");
    let dispatched = api
        .case_step(
            duty,
            id,
            "dispatch",
            StepInput {
                department: Some("环卫所".into()),
                ..Default::default()
            },
        )
        .await
        .expect("dispatch");
    assert_eq!(dispatched.limit_h, Some(1.0));
    api.case_step(duty, id, "accept", StepInput::default())
        .await
        .expect("accept");
    dispatched
}

async fn an_extension_asked_by_duty_waits_for_a_leader_who_denies_it(
    l: &Loop,
    id: &str,
    dispatched: &citywall_engine::cases::Case,
) {
    let Loop {
        api, duty, leader, ..
    } = l;
    // An extension asked by the duty officer waits for a leader, who denies it.
    let asked = api
        .case_step(
            duty,
            id,
            "extend",
            StepInput {
                note: "需协调物业".into(),
                hours: Some(2.0),
                ..Default::default()
            },
        )
        .await
        .expect("request an extension");
    assert_eq!(asked.state, CaseState::Handling);
    assert_eq!(
        asked.pending.as_ref().map(|p| p.action.as_str()),
        Some("extend")
    );
    let e = api
        .case_step(duty, id, "approve", StepInput::default())
        .await
        .unwrap_err();
    assert!(e.to_string().contains("may not incident.approve"), "{e}");
    let denied = api
        .case_step(leader, id, "deny", StepInput::default())
        .await
        .expect("deny");
    assert!(denied.pending.is_none());
    assert_eq!(denied.deadline_at, dispatched.deadline_at);
}

async fn the_limit_runs_out_and_the_case_raises_its_red_warning(l: &Loop, id: &str) {
    let Loop { api, .. } = l;
    // The one-hour limit runs out (an hour a second): the case raises its red warning.
    let warning = wait_for("the overdue warning", Duration::from_secs(15), async || {
        let open = api.warnings(false, 100).await.ok()?;
        open.into_iter().find(|w| {
            w.what.kind == Kind::Overdue && w.what.subject == id && w.what.level == Level::Red
        })
    })
    .await;
    assert!(
        warning.what.title.contains("已超期"),
        "{}",
        warning.what.title
    );
}

async fn reported_late_it_closes_not_on_time(l: &Loop, id: &str) {
    let Loop { api, duty, .. } = l;
    // Reported late: the clock stops and the warning clears; verified and closed, not on time.
    api.case_step(duty, id, "report", note("已清运"))
        .await
        .expect("report");
    wait_for(
        "the warning to clear",
        Duration::from_secs(15),
        async || {
            let open = api.warnings(false, 100).await.ok()?;
            (!open.iter().any(|w| w.what.subject == id)).then_some(())
        },
    )
    .await;
    api.case_step(duty, id, "verify", StepInput::default())
        .await
        .expect("verify");
    let closed = api
        .case_step(duty, id, "close", StepInput::default())
        .await
        .expect("close");
    assert_eq!(
        (closed.state, closed.on_time),
        (CaseState::Closed, Some(false))
    );
}

async fn a_reopening_needs_a_reason_and_a_leader(l: &Loop, id: &str) {
    let Loop {
        api, duty, leader, ..
    } = l;
    // A reopening needs a reason and a leader: asked by duty, approved by the leader.
    let e = api
        .case_step(duty, id, "reopen", StepInput::default())
        .await
        .unwrap_err();
    assert!(e.to_string().contains("needs a note"), "{e}");
    let asked = api
        .case_step(duty, id, "reopen", note("市民再次来电"))
        .await
        .expect("ask");
    assert_eq!(asked.state, CaseState::Closed);
    let reopened = api
        .case_step(leader, id, "approve", StepInput::default())
        .await
        .expect("approve");
    assert_eq!(reopened.state, CaseState::Handling);
    for action in ["report", "verify", "close"] {
        api.case_step(duty, id, action, note("复查完成"))
            .await
            .expect(action);
    }
}

async fn a_second_case_is_refused_and_a_third_stays_open(l: &Loop) {
    let Loop { api, duty, .. } = l;
    // A second case refused, a third still open.
    for (title, refuse) in [("重复上报", true), ("路灯不亮", false)] {
        let c = api
            .create_case(
                duty,
                NewCase {
                    category: "街面秩序".into(),
                    title: title.into(),
                    description: String::new(),
                    address: String::new(),
                    lon: 118.29,
                    lat: 33.95,
                    urgent: true,
                    reporter: String::new(),
                    media: vec![],
                },
                "operator",
            )
            .await
            .expect("create");
        if refuse {
            api.case_step(duty, &c.id, "refuse", note("重复"))
                .await
                .expect("refuse");
        }
    }
}

async fn the_timeline_holds_every_step_with_who_took_it(
    l: &Loop,
    id: &str,
) -> Vec<citywall_engine::cases::Step> {
    let Loop { api, duty, .. } = l;
    // The timeline holds every step with who took it.
    let (_, steps) = api.case(duty, id).await.expect("case");
    let actions: Vec<&str> = steps.iter().map(|s| s.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "create",
            "register",
            "dispatch",
            "accept",
            "request:extend",
            "deny:extend",
            "report",
            "verify",
            "close",
            "request:reopen",
            "approve:reopen",
            "report",
            "verify",
            "close"
        ]
    );
    assert_eq!(steps[5].actor, "主任 李明");
    steps
}

async fn open311_reports_come_in_and_read_back(l: &Loop) {
    let Loop { api, .. } = l;
    // Open311: the services, a report posted as a form by the inspector's app, its status.
    let addr = serve_loopback(citywall_server::router(api.clone(), None)).await;
    let base = format!("http://{addr}/open311/v2");
    let client = reqwest::Client::new();
    let services: serde_json::Value = client
        .get(format!("{base}/services.json"))
        .send()
        .await
        .expect("services")
        .json()
        .await
        .expect("json");
    assert_eq!(services[0]["service_name"], "市容环境");
    let form = [
        ("service_code", "002"),
        ("lat", "33.97"),
        ("long", "118.27"),
        ("description", "<script>alert(1)</script>占道经营"),
        ("address_string", "解放路"),
    ];
    // A photo link to anywhere but this server is refused: the wall fetches only its own photos.
    let elsewhere = client
        .post(format!("{base}/requests.json"))
        .bearer_auth(INTAKE_TOKEN)
        .form(&[form.as_slice(), &[("media_url", "http://photos.lan/a.jpg")]].concat())
        .send()
        .await
        .expect("post");
    assert_eq!(elsewhere.status(), 400);
    let refused = client
        .post(format!("{base}/requests.json"))
        .form(&form)
        .send()
        .await
        .expect("post");
    assert_eq!(refused.status(), 401, "a report without the app's token");
    let posted: serde_json::Value = client
        .post(format!("{base}/requests.json"))
        .bearer_auth(INTAKE_TOKEN)
        .form(&form)
        .send()
        .await
        .expect("post")
        .json()
        .await
        .expect("json");
    let request_id = posted[0]["service_request_id"]
        .as_str()
        .expect("id")
        .to_string();
    let status: serde_json::Value = client
        .get(format!("{base}/requests/{request_id}.json"))
        .bearer_auth(INTAKE_TOKEN)
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    assert_eq!(status.as_array().map(Vec::len), Some(1), "{status}");
    let status = &status[0];
    assert_eq!(status["status"], "open", "{status}");
    assert_eq!(status["service_name"], "街面秩序");
    assert_eq!(status["description"], "<script>alert(1)</script>占道经营");
    assert!((status["lat"].as_f64().unwrap_or(0.0) - 33.97).abs() < 1e-9);
    let bad = client
        .post(format!("{base}/requests.json"))
        .bearer_auth(INTAKE_TOKEN)
        .form(&[("service_code", "999"), ("lat", "x"), ("long", "1")])
        .send()
        .await
        .expect("post");
    assert_eq!(bad.status(), 400);
    assert!(bad
        .text()
        .await
        .unwrap_or_default()
        .contains("service_code"));
}

async fn the_rates_equal_the_rows_counted_by_hand(l: &Loop) {
    let Loop { engine, api, .. } = l;
    // The rates, from the façade, equal closed / received counted from the rows by hand.
    let summary = api.case_summary().await.expect("summary");
    let rows = engine.store().cases(&[], 5_000).await.expect("the cases");
    let closed_rows = || {
        rows.iter()
            .filter(|c| c.state == citywall_engine::cases::CaseState::Closed)
    };
    let (received, closed, on_time) = (
        rows.len() as i64,
        closed_rows().count() as i64,
        closed_rows().filter(|c| c.on_time == Some(true)).count() as i64,
    );
    assert_eq!(
        (summary.received, summary.closed),
        (received as u64, closed as u64)
    );
    // The reopened case had a fresh limit and met it: on time, judged on its last handling.
    assert_eq!((received, closed, on_time), (4, 1, 1));
    assert_eq!(summary.rate_closed, Some(closed as f64 / received as f64));
    assert_eq!(summary.rate_on_time, Some(on_time as f64 / closed as f64));
    assert_eq!(summary.refused, 1);
}

async fn every_step_is_audited_and_the_chain_holds(l: &Loop, id: &str, steps: usize) {
    let Loop { engine, .. } = l;
    // Every step is in the audit log, and the chain holds.
    let log = engine.store().audit(0, 1000).await.expect("audit");
    assert_eq!(log.iter().filter(|r| r.target == id).count(), steps);
    assert_eq!(
        engine.store().verify_audit().await.expect("verify").broken,
        None
    );
    engine.shutdown();
}
