//! Cases between centres: sent up (上报) and handed down again, heard at once by the
//! receiving console; a hand-over the receiver leaves lying past its own deadline, red on its
//! wall and its parent's until it takes its first step; an overdue case urged (督办) from
//! above and answered below.

use std::time::Duration;

use citywall_e2e::wait_for;
use serde_json::{json, Value};

use futures_util::StreamExt;
use tokio_tungstenite::tungstenite::Message;

use super::City;

pub(super) async fn a_case_goes_up_and_comes_back_down(city: &City) {
    let (_, west_list) = city.call(&city.west, "GET", "/api/v1/cases", None).await;
    let id = west_list[0]["id"]
        .as_str()
        .expect("the west's case")
        .to_string();
    let up = format!("/api/v1/cases/{id}/report_up");
    let (status, answer) = city.post(&city.west, &up, json!({})).await;
    assert_eq!(status, 400, "going up says why: {answer}");
    let (status, answer) = city
        .post(&city.east, &up, json!({"note": "越权上报"}))
        .await;
    assert_eq!(status, 403, "a neighbour cannot send it up: {answer}");
    let (status, answer) = city
        .post(&city.west, &up, json!({"note": "需市级协调多部门"}))
        .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(
        answer["centre"], "prefecture",
        "with the city now: {answer}"
    );
    let (status, _) = city
        .call(&city.west, "GET", &format!("/api/v1/cases/{id}"), None)
        .await;
    assert_eq!(status, 403, "out of the west's hands once it went up");
    let mut west_hears = city.stream(&city.west).await;
    let down = format!("/api/v1/cases/{id}/hand_down");
    let sent = std::time::Instant::now();
    let (status, answer) = city
        .post(&city.city, &down, json!({"note": "请西区办理"}))
        .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(
        answer["centre"], "west",
        "down to the centre whose area holds it"
    );
    let heard = tokio::time::timeout(Duration::from_secs(1), async {
        while let Some(Ok(Message::Text(text))) = west_hears.next().await {
            let delta: Value = serde_json::from_str(&text).unwrap_or_default();
            if delta["type"] == "case" && delta["case"]["id"] == id.as_str() {
                return delta;
            }
        }
        Value::Null
    })
    .await
    .expect("the west's console hears of it within 1 s");
    assert_eq!(heard["case"]["centre"], "west", "{heard}");
    println!(
        "     hand_down → the west's feed: {} ms",
        sent.elapsed().as_millis()
    );
    let (status, answer) = city.post(&city.west, &down, json!({"note": ""})).await;
    assert_eq!(status, 409, "nothing under the west holds it: {answer}");
    let (_, detail) = city
        .call(&city.city, "GET", &format!("/api/v1/cases/{id}"), None)
        .await;
    let actions: Vec<&str> = detail["steps"]
        .as_array()
        .map(|s| s.iter().filter_map(|s| s["action"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(
        actions
            .iter()
            .rev()
            .take(2)
            .rev()
            .copied()
            .collect::<Vec<_>>(),
        ["report_up:prefecture", "hand_down:west"],
        "each hand-over is a step of its timeline"
    );
}

/// The open warnings about hand-overs left lying, on `token`'s wall.
async fn late_handovers(city: &City, token: &str) -> Vec<Value> {
    let (_, list) = city.call(token, "GET", "/api/v1/warnings", None).await;
    list.as_array()
        .map(|l| {
            l.iter()
                .filter(|w| w["title"].as_str().is_some_and(|t| t.contains("未接收")))
                .cloned()
                .collect()
        })
        .unwrap_or_default()
}

pub(super) async fn a_hand_over_left_lying_is_red_until_taken_up(city: &City) {
    let (_, west_list) = city.call(&city.west, "GET", "/api/v1/cases", None).await;
    let case = west_list[0].clone();
    let id = case["id"].as_str().expect("the west's case").to_string();
    let handover = &case["handover"];
    assert_eq!(
        (handover["act"].as_str(), handover["to"].as_str()),
        (Some("hand_down"), Some("west")),
        "the hand-over waits for the west: {case}"
    );
    assert_eq!(
        handover["due_at"]
            .as_i64()
            .zip(handover["at"].as_i64())
            .map(|(d, a)| d - a),
        Some(60_000),
        "its own deadline: `handover_limit_min` = 1"
    );
    // One minute of the data clock at 30×: 2 s.
    let late = wait_for(
        "the hand-over left lying, red on the west's wall",
        Duration::from_secs(20),
        async || late_handovers(city, &city.west).await.into_iter().next(),
    )
    .await;
    assert_eq!(
        (late["centre"].as_str(), late["level"].as_str()),
        (Some("west"), Some("red")),
        "{late}"
    );
    assert_eq!(late["related"], json!([id]));
    assert!(
        !late_handovers(city, &city.city).await.is_empty(),
        "and the city's"
    );
    assert!(
        late_handovers(city, &city.east).await.is_empty(),
        "never the east's"
    );
    let (_, panel) = city
        .call(&city.city, "GET", "/api/v1/centres/status", None)
        .await;
    let west = panel
        .as_array()
        .and_then(|r| r.iter().find(|r| r["id"] == "west"))
        .cloned()
        .unwrap_or(Value::Null);
    assert_eq!(
        west["handovers_late"], 1,
        "counted on the city's panel: {west}"
    );
    let (status, answer) = city
        .post(
            &city.west,
            &format!("/api/v1/cases/{id}/dispatch"),
            json!({"department": "环卫所"}),
        )
        .await;
    assert_eq!(status, 200, "{answer}");
    assert!(answer.get("handover").is_none(), "taken up: {answer}");
    wait_for(
        "the late hand-over cleared",
        Duration::from_secs(15),
        async || {
            late_handovers(city, &city.city)
                .await
                .is_empty()
                .then_some(())
        },
    )
    .await;
}

pub(super) async fn an_overdue_case_is_urged_from_above_and_answered_below(city: &City) {
    let new_case = json!({"category": "路灯", "title": "路灯不亮", "lon": 118.2, "lat": 33.6});
    let (_, case) = city
        .call(&city.west, "POST", "/api/v1/cases", Some(new_case))
        .await;
    let id = case["id"].as_str().expect("id").to_string();
    let step = |action: &str| format!("/api/v1/cases/{id}/{action}");
    let (status, _) = city
        .post(&city.west, &step("register"), json!({"note": "受理"}))
        .await;
    assert_eq!(status, 200);
    let (status, answer) = city
        .post(&city.city, &step("urge"), json!({"note": "尽快处置"}))
        .await;
    assert_eq!(status, 409, "not overdue yet: {answer}");
    let (status, _) = city
        .post(
            &city.west,
            &step("dispatch"),
            json!({"department": "环卫所"}),
        )
        .await;
    assert_eq!(status, 200);
    // 0.02 h on a clock 30× fast: overdue in under 3 s.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let (status, answer) = city
        .post(&city.west, &step("urge"), json!({"note": "自己督办"}))
        .await;
    assert_eq!(status, 409, "a centre does not urge itself: {answer}");
    let (status, answer) = city
        .post(&city.east, &step("urge"), json!({"note": "越权"}))
        .await;
    assert_eq!(status, 403, "{answer}");
    let (status, answer) = city
        .post(&city.city, &step("urge"), json!({"note": "尽快处置"}))
        .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["urged"]["by"], "city", "{answer}");
    let urged = |token: String| {
        let id = id.clone();
        async move {
            let (_, list) = city.call(&token, "GET", "/api/v1/warnings", None).await;
            list.as_array().and_then(|l| {
                l.iter()
                    .find(|w| w["kind"] == "urged" && w["related"] == json!([id]))
                    .cloned()
            })
        }
    };
    let warning = wait_for(
        "the 督办 on the west's wall",
        Duration::from_secs(15),
        async || urged(city.west.clone()).await,
    )
    .await;
    assert_eq!(
        (warning["centre"].as_str(), warning["level"].as_str()),
        (Some("west"), Some("red"))
    );
    assert!(urged(city.east.clone()).await.is_none(), "never the east's");
    let (_, panel) = city
        .call(&city.city, "GET", "/api/v1/centres/status", None)
        .await;
    let west = panel
        .as_array()
        .and_then(|r| r.iter().find(|r| r["id"] == "west"))
        .cloned();
    assert_eq!(
        west.map(|w| w["urged"].clone()),
        Some(json!(1)),
        "counted on the city's panel"
    );
    let (status, answer) = city.post(&city.west, &step("accept"), json!({})).await;
    assert_eq!(status, 200, "{answer}");
    assert!(
        answer.get("urged").is_none(),
        "the holder's next step answers it: {answer}"
    );
    wait_for("the 督办 cleared", Duration::from_secs(15), async || {
        urged(city.west.clone()).await.is_none().then_some(())
    })
    .await;
}
