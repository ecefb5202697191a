//! What rises to the parent: a red left unacknowledged past the child's limit, and the
//! parent's panel of its children, counted against the store.

use std::time::Duration;

use citywall_e2e::wait_for;
use serde_json::{json, Value};

use citywall_engine::Engine;

use super::City;

/// The open escalations on `token`'s wall.
async fn escalations(city: &City, token: &str) -> Vec<Value> {
    let (_, list) = city.call(token, "GET", "/api/v1/warnings", None).await;
    list.as_array()
        .map(|l| {
            l.iter()
                .filter(|w| w["kind"] == "unacknowledged")
                .cloned()
                .collect()
        })
        .unwrap_or_default()
}

pub(super) async fn left_unacknowledged_it_is_raised_on_the_citys_wall(city: &City, id: &str) {
    let raised = wait_for(
        "the west's red raised on the city's wall",
        Duration::from_secs(20),
        async || escalations(city, &city.city).await.into_iter().next(),
    )
    .await;
    assert_eq!(raised["centre"], "prefecture", "{raised}");
    assert_eq!(raised["level"], "red");
    assert_eq!(raised["related"], json!([id]));
    assert!(
        raised["title"]
            .as_str()
            .is_some_and(|t| t.starts_with("西区分中心 ") && t.contains("分钟未确认")),
        "{raised}"
    );
    assert!(
        escalations(city, &city.west).await.is_empty(),
        "the west's own wall has the red itself"
    );
    assert!(escalations(city, &city.east).await.is_empty());
}

pub(super) async fn the_escalation_clears_once_acknowledged(city: &City) {
    wait_for(
        "the escalation cleared",
        Duration::from_secs(15),
        async || escalations(city, &city.city).await.is_empty().then_some(()),
    )
    .await;
}

pub(super) async fn the_childrens_panel_counts_what_the_store_holds(city: &City, engine: &Engine) {
    let (status, panel) = city
        .call(&city.city, "GET", "/api/v1/centres/status", None)
        .await;
    assert_eq!(status, 200, "{panel}");
    let row = |id: &str| {
        panel
            .as_array()
            .and_then(|rows| rows.iter().find(|r| r["id"] == id))
            .cloned()
            .unwrap_or(Value::Null)
    };
    let (west, east) = (row("west"), row("east"));
    assert_eq!(
        west["online"], true,
        "the west's officer was just heard from: {west}"
    );
    assert_eq!(
        (
            west["warnings_open"].as_u64(),
            west["unacknowledged"].as_u64()
        ),
        (Some(1), Some(0)),
        "{west}"
    );
    assert_eq!(west["red"], 1);
    assert_eq!(east["warnings_open"], 0, "{east}");
    let now = engine.data_now();
    for (id, shown) in [("west", &west), ("east", &east)] {
        let held = engine
            .store()
            .case_summary_owned_by(&[id.to_string()], now)
            .await
            .expect("summary");
        assert_eq!(
            shown["cases"]["received"].as_u64(),
            Some(held.received),
            "{id}"
        );
        assert_eq!(shown["cases"]["open"].as_u64(), Some(held.open), "{id}");
    }
    assert_eq!(west["cases"]["received"], 1);
    let (status, _) = city
        .call(&city.west, "GET", "/api/v1/centres/status", None)
        .await;
    assert_eq!(
        status, 200,
        "a district without children has an empty panel"
    );
    let (_, summary) = city
        .call(&city.east, "GET", "/api/v1/cases/summary", None)
        .await;
    assert_eq!(
        summary["received"], 0,
        "a district's numbers are its own: {summary}"
    );
}
