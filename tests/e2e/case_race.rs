//! A case's steps taken at once by several operators: one applies, the others are told the
//! state the case is in now (409), and its timeline holds one decision.

use citywall_e2e::scratch_dir;
use citywall_engine::access::{Principal, Role};
use citywall_engine::api::{NewCase, StepInput};
use citywall_engine::{Api, Config};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn steps_taken_at_once_on_one_case_apply_once_and_the_rest_are_told_why() {
    let dir = scratch_dir("case-race");
    let config = Config::parse(
        "[store]\npath = \"wall.db\"\n\n[incidents]\ncategories = { \"市容环境\" = 1 }\ndepartments = [\"环卫所\"]\n",
        "wall.toml",
        &dir,
    )
    .expect("config");
    let engine = citywall_e2e::start_engine(config).await.expect("engine");
    let api = Api::new(engine.clone());
    let duty = Principal {
        name: "值班员 张伟".into(),
        role: Role::Duty,
        via: "session",
        centre: None,
    };
    let case = api
        .create_case(
            &duty,
            NewCase {
                category: "市容环境".into(),
                title: "垃圾满溢".into(),
                description: String::new(),
                address: String::new(),
                lon: 118.28,
                lat: 33.96,
                urgent: false,
                reporter: String::new(),
                media: vec![],
            },
            "operator",
        )
        .await
        .expect("create");
    // Six operators at once: three register it, three refuse it.
    let start = std::sync::Arc::new(tokio::sync::Barrier::new(6));
    let racing = (0..6).map(|i| {
        let (api, start, duty, id) = (api.clone(), start.clone(), duty.clone(), case.id.clone());
        tokio::spawn(async move {
            let action = if i % 2 == 0 { "register" } else { "refuse" };
            start.wait().await;
            api.case_step(
                &duty,
                &id,
                action,
                StepInput {
                    note: "来电核实".into(),
                    ..Default::default()
                },
            )
            .await
        })
    });
    let mut applied = 0;
    for answer in futures_util::future::join_all(racing).await {
        match answer.expect("joined") {
            Ok(_) => applied += 1,
            // Told the state the case is in now: read after the first landed, or caught by
            // the store's check when both read it received.
            Err(citywall_engine::api::ApiError::Conflict(why)) => assert!(
                ["registered", "refused", "立案", "不予立案"]
                    .iter()
                    .any(|s| why.contains(s)),
                "{why}"
            ),
            Err(other) => panic!("neither applied nor a conflict: {other:?}"),
        }
    }
    assert_eq!(applied, 1, "one step applies; the rest are 409");
    let (_, steps) = engine
        .store()
        .case(&case.id)
        .await
        .expect("readable")
        .expect("the case");
    let decided: Vec<_> = steps
        .iter()
        .filter(|s| s.action == "register" || s.action == "refuse")
        .collect();
    assert_eq!(
        decided.len(),
        1,
        "the timeline holds one decision: {steps:?}"
    );
    engine.shutdown();
}
