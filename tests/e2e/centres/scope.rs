//! What a centre sees and may act on: its own and those under it, never a neighbour's —
//! in lists, by id, and in the change feed.

use std::time::Duration;

use citywall_e2e::wait_for;
use serde_json::{json, Value};

use super::{warning_heard, City};

pub(super) async fn a_warning_is_its_districts_and_the_citys(city: &City) -> String {
    let warning = wait_for(
        "the west station's red",
        Duration::from_secs(15),
        async || {
            let (_, list) = city.call(&city.west, "GET", "/api/v1/warnings", None).await;
            list.as_array()?.first().cloned()
        },
    )
    .await;
    assert_eq!(
        warning["centre"], "west",
        "owned by the centre whose area holds it: {warning}"
    );
    let (_, of_city) = city.call(&city.city, "GET", "/api/v1/warnings", None).await;
    assert!(
        of_city
            .as_array()
            .is_some_and(|l| l.iter().any(|w| w["id"] == warning["id"])),
        "the city sees its districts': {of_city}"
    );
    let (_, of_east) = city.call(&city.east, "GET", "/api/v1/warnings", None).await;
    assert_eq!(of_east, json!([]), "the east never sees the west's warning");
    let (_, all_east) = city
        .call(&city.east, "GET", "/api/v1/warnings?state=all", None)
        .await;
    assert_eq!(all_east, json!([]), "nor in the stored history");
    warning["id"].as_str().expect("id").to_string()
}

pub(super) async fn the_neighbour_cannot_act_on_it(city: &City, id: &str) {
    let mut west_hears = city.stream(&city.west).await;
    let mut east_hears = city.stream(&city.east).await;
    let ack = format!("/api/v1/warnings/{id}/ack");
    let (status, answer) = city.post(&city.east, &ack, json!({"by": "东区值班"})).await;
    assert_eq!(status, 403, "{answer}");
    assert!(
        answer["error"]
            .as_str()
            .is_some_and(|e| e.contains("works for centre `east`") && e.contains("`west`'s")),
        "{answer}"
    );
    let (status, _) = city
        .post(
            &city.east,
            &format!("/api/v1/warnings/{id}/steps"),
            json!({"step": 0}),
        )
        .await;
    assert_eq!(status, 403, "a procedure step is an act on it too");
    let (status, _) = city
        .call(
            &city.east,
            "GET",
            &format!("/api/v1/warnings/{id}/steps"),
            None,
        )
        .await;
    assert_eq!(status, 403, "nor may it read the steps taken on it");
    let at = citywall_engine::model::now_ms() + 3_600_000;
    let (_, replayed) = city
        .call(
            &city.east,
            "GET",
            &format!("/api/v1/replay/warnings?at={at}"),
            None,
        )
        .await;
    assert_eq!(replayed, json!([]), "nor find it in replay");
    let (_, replayed) = city
        .call(
            &city.west,
            "GET",
            &format!("/api/v1/replay/warnings?at={at}"),
            None,
        )
        .await;
    assert_eq!(
        replayed.as_array().map(Vec::len),
        Some(1),
        "the west replays its own"
    );
    let (status, answer) = city.post(&city.west, &ack, json!({"by": "西区值班"})).await;
    assert_eq!(status, 200, "its own centre acknowledges it: {answer}");
    assert_eq!(answer["state"], "acknowledged");
    let acknowledged = warning_heard(&mut west_hears, Duration::from_secs(5)).await;
    assert_eq!(
        acknowledged.map(|w| w["state"].clone()),
        Some(json!("acknowledged"))
    );
    assert_eq!(
        warning_heard(&mut east_hears, Duration::from_secs(2)).await,
        None,
        "the east's wall never hears of the west's warning"
    );
}

pub(super) async fn a_case_is_its_districts_and_the_neighbour_is_refused(city: &City) {
    let new_case = json!({"category": "市容环境", "title": "垃圾满溢", "lon": 118.1, "lat": 33.4});
    let (status, case) = city
        .call(&city.city, "POST", "/api/v1/cases", Some(new_case))
        .await;
    assert_eq!(status, 200, "{case}");
    assert_eq!(case["centre"], "west");
    let id = case["id"].as_str().expect("id");
    let ids = |list: &Value| -> Vec<String> {
        list.as_array()
            .map(|l| {
                l.iter()
                    .filter_map(|c| c["id"].as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default()
    };
    let (_, west_list) = city.call(&city.west, "GET", "/api/v1/cases", None).await;
    assert_eq!(ids(&west_list), [id]);
    let (_, east_list) = city.call(&city.east, "GET", "/api/v1/cases", None).await;
    assert!(ids(&east_list).is_empty(), "{east_list}");
    let (status, _) = city
        .call(&city.east, "GET", &format!("/api/v1/cases/{id}"), None)
        .await;
    assert_eq!(status, 403, "reading it by id is refused");
    let step = format!("/api/v1/cases/{id}/register");
    let (status, answer) = city.post(&city.east, &step, json!({"note": "越权"})).await;
    assert_eq!(status, 403, "{answer}");
    let (status, answer) = city.post(&city.west, &step, json!({"note": "受理"})).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["state"], "registered");
}

/// Search finds what lies in the searcher's area: the west's station for the west and the
/// city, nothing for the east.
pub(super) async fn search_finds_only_its_own_area(city: &City) {
    let found = |token: String| async move {
        let (_, hits) = city
            .call(&token, "GET", "/api/v1/search?q=west-1", None)
            .await;
        hits.as_array().map_or(0, Vec::len)
    };
    assert_eq!(found(city.west.clone()).await, 1);
    assert_eq!(found(city.city.clone()).await, 1);
    assert_eq!(
        found(city.east.clone()).await,
        0,
        "the east finds nothing of the west's"
    );
}

/// A parent stepped into a child's view reads the child's own headline numbers and trend
/// (`centre=`); a child asking for its neighbour's is refused, an unknown centre is not found.
pub(super) async fn a_parent_reads_a_childs_numbers_and_a_child_not_its_neighbours(city: &City) {
    let (status, _) = city
        .call(&city.city, "GET", "/api/v1/summary?centre=west", None)
        .await;
    assert_eq!(status, 200);
    let (status, answer) = city
        .call(&city.east, "GET", "/api/v1/summary?centre=west", None)
        .await;
    assert_eq!(status, 403, "the east does not read the west's: {answer}");
    let (status, _) = city
        .call(
            &city.east,
            "GET",
            "/api/v1/summary/series?centre=west",
            None,
        )
        .await;
    assert_eq!(status, 403);
    let (status, _) = city
        .call(&city.city, "GET", "/api/v1/summary?centre=nowhere", None)
        .await;
    assert_eq!(status, 404);
    // The open reds in the latest sample of each district's trend, as the city reads them.
    let reds = |centre: &'static str| async move {
        let path = format!("/api/v1/summary/series?centre={centre}");
        let (_, series) = city.call(&city.city, "GET", &path, None).await;
        series
            .as_array()
            .and_then(|s| s.last())
            .and_then(|s| s["warnings"][3].as_u64())
    };
    let west = wait_for(
        "the west's trend sampled",
        Duration::from_secs(20),
        async || reds("west").await,
    )
    .await;
    assert!(west >= 1, "the west's red is in its trend: {west}");
    assert_eq!(reds("east").await, Some(0), "and not in the east's");
}
