//! The demo's own incident source: its cases follow the source into the loop, and the wall's
//! 办结率 is the store's count.

use super::*;

/// On the demo, the incident source's cases are brought into the loop as they change, and the
/// 办结率 the wall shows is closed / received counted straight from the store's rows.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_the_demo_the_walls_closure_rate_is_the_stores_count() {
    let city = citywall_e2e::start_city("cases-demo", 600.0, 0.5).await;
    wait_for(
        "closed cases from the incident source",
        Duration::from_secs(60),
        async || {
            let s = city.api.case_summary().await.ok()?;
            (s.received > 20 && s.closed > 0 && s.open > 0).then_some(())
        },
    )
    .await;
    // Stop the pollers so the wall's figure and the hand count see the same rows.
    city.engine.shutdown();
    tokio::time::sleep(Duration::from_millis(800)).await;
    let wall = city.api.summary().await.incidents.closure_rate_pct;
    let rows = city
        .engine
        .store()
        .cases(&[], 100_000)
        .await
        .expect("the cases");
    let received = rows.len() as i64;
    let closed = rows
        .iter()
        .filter(|c| c.state == citywall_engine::cases::CaseState::Closed)
        .count() as i64;
    let counted = (closed as f64 / received as f64 * 1000.0).round() / 10.0;
    println!("办结率 on the wall {wall}%, counted {closed} / {received} = {counted}%");
    assert_eq!(wall, counted);
    // A case the source reports follows the source: the wall takes no step on it.
    let id = rows.first().map(|c| c.id.clone()).expect("a case");
    let duty = Principal::open();
    let e = city
        .api
        .case_step(&duty, &id, "register", StepInput::default())
        .await
        .unwrap_err();
    assert!(e.to_string().contains("follows its source"), "{e}");
}
