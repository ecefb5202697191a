//! One city, two district centres, one engine, over HTTP: a warning and a case in the west
//! district are the west centre's and the city's, never the east's — the east's officer does not
//! see them in its lists and is refused (403) when it reads or acts on them by id; the city's
//! officer sees and acts on both. A red the west leaves unacknowledged past its limit (on a
//! demo clock 30× fast) is raised on the city's wall, and clears once the west acknowledges;
//! the city's panel of its children counts what the engine and the store hold. The areas are
//! polygons in the config (no demo names).

use std::time::Duration;

use axum::http::header;
use axum::routing::get;
use axum::Router;
use citywall_e2e::{scratch_dir, serve_loopback, wait_for};
use citywall_engine::access::Role;
use citywall_engine::api::AccessMode;
use citywall_engine::{Api, Config, Engine};
use futures_util::StreamExt;
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

const PASSWORD: &str = "correct horse battery";

/// An air station in each district: the west one far over its limit.
async fn stations() -> impl axum::response::IntoResponse {
    let station = |id: &str, lon: f64, pm25: f64| {
        json!({"type": "Feature", "id": id, "geometry": {"type": "Point", "coordinates": [lon, 33.5]},
               "properties": {"name": id, "pm25": pm25}})
    };
    (
        [(header::CONTENT_TYPE, "application/geo+json")],
        json!({"type": "FeatureCollection", "features": [station("west-1", 118.2, 300.0), station("east-1", 118.8, 20.0)]})
            .to_string(),
    )
}

fn config(addr: std::net::SocketAddr) -> String {
    let half = |west: f64| {
        format!(
            "[[{west}, 33.0], [{e}, 33.0], [{e}, 34.0], [{west}, 34.0]]",
            e = west + 0.5
        )
    };
    format!(
        "[store]\npath = \"wall.db\"\n\n\
         [[layer]]\nid = \"air\"\ntitle_zh = \"空气\"\ntitle_en = \"Air\"\n\n\
         [[source]]\nid = \"air\"\nlayer = \"air\"\nkind = \"geojson\"\nurl = \"http://{addr}/air\"\ninterval_s = 1\n\n\
         [[rules.threshold]]\nid = \"pm25\"\nlayer = \"air\"\nfield = \"pm25\"\ntitle_zh = \"PM2.5 超标\"\nlevels = {{ red = 150 }}\n\n\
         [incidents]\ncategories = {{ \"市容环境\" = 4, \"路灯\" = 0.02 }}\ndepartments = [\"环卫所\"]\n\n\
         [[centres]]\nid = \"prefecture\"\nname_zh = \"市中心\"\n\n\
         [[centres]]\nid = \"west\"\nparent = \"prefecture\"\nname_zh = \"西区分中心\"\njurisdiction = {{ polygon = {} }}\nack_limit_min = 1\n\n\
         [[centres]]\nid = \"east\"\nparent = \"prefecture\"\nname_zh = \"东区分中心\"\njurisdiction = {{ polygon = {} }}\n",
        half(118.0),
        half(118.5)
    )
}

struct City {
    base: String,
    client: reqwest::Client,
    /// Session tokens: the city's officer, the west's, the east's.
    city: String,
    west: String,
    east: String,
}

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

impl City {
    /// The change feed as `token`'s wall hears it.
    async fn stream(&self, token: &str) -> Socket {
        let url = format!("{}/api/v1/stream", self.base.replacen("http", "ws", 1));
        let mut request = url.into_client_request().expect("request");
        let headers = request.headers_mut();
        headers.insert("origin", self.base.parse().expect("origin"));
        let bearer = format!("Bearer {token}");
        headers.insert("authorization", bearer.parse().expect("header"));
        tokio_tungstenite::connect_async(request)
            .await
            .expect("stream")
            .0
    }

    async fn call(
        &self,
        token: &str,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let url = format!("{}{path}", self.base);
        let request = match method {
            "POST" => self.client.post(url).json(&body.unwrap_or(json!({}))),
            _ => self.client.get(url),
        };
        let answer = request.bearer_auth(token).send().await.expect("request");
        let status = answer.status().as_u16();
        (status, answer.json().await.unwrap_or(Value::Null))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_district_sees_and_acts_on_its_own_and_never_on_its_neighbours() {
    let subsystem = serve_loopback(Router::new().route("/air", get(stations))).await;
    let dir = scratch_dir("centres");
    let mut config = Config::parse(&config(subsystem), "centres.toml", &dir).expect("config");
    // A minute of the data's clock every 2 s: the west's one-minute limit passes in the test.
    let now = citywall_engine::model::now_ms();
    config.demo_clock = Some(citywall_engine::config::DemoClock {
        wall_origin_ms: now,
        sim_origin_ms: now,
        scale: 30.0,
    });
    let engine = Engine::start(config).await.expect("engine");
    let api = Api::new(engine.clone()).with_access(AccessMode {
        open: false,
        ..Default::default()
    });
    let now = citywall_engine::model::now_ms();
    let store = engine.store();
    for (name, centre) in [
        ("city", None),
        ("west", Some("west")),
        ("east", Some("east")),
    ] {
        store
            .put_user(name, Role::Duty, PASSWORD, "test", now)
            .await
            .expect("account");
        store
            .set_centre(name, centre, "test", now)
            .await
            .expect("centre");
    }
    let base = format!(
        "http://{}",
        serve_loopback(citywall_server::router(api.clone(), None)).await
    );
    let client = reqwest::Client::new();
    let mut tokens = Vec::new();
    for name in ["city", "west", "east"] {
        let answer: Value = client
            .post(format!("{base}/api/v1/login"))
            .json(&json!({"name": name, "password": PASSWORD}))
            .send()
            .await
            .expect("login")
            .json()
            .await
            .expect("json");
        assert_eq!(
            answer["principal"]["centre"],
            json!((name != "city").then_some(name)),
            "{answer}"
        );
        tokens.push(answer["token"].as_str().expect("token").to_string());
    }
    let [city, west, east] = <[String; 3]>::try_from(tokens).expect("three");
    let city = City {
        base,
        client,
        city,
        west,
        east,
    };

    the_tree_is_in_meta(&city).await;
    let warning = a_warning_is_its_districts_and_the_citys(&city).await;
    left_unacknowledged_it_is_raised_on_the_citys_wall(&city, &warning).await;
    the_neighbour_cannot_act_on_it(&city, &warning).await;
    the_escalation_clears_once_acknowledged(&city).await;
    a_case_is_its_districts_and_the_neighbour_is_refused(&city).await;
    a_case_goes_up_and_comes_back_down(&city).await;
    the_childrens_panel_counts_what_the_store_holds(&city, &engine).await;
    an_overdue_case_is_urged_from_above_and_answered_below(&city).await;
    engine.shutdown();
}

async fn the_tree_is_in_meta(city: &City) {
    let (status, meta) = city.call(&city.west, "GET", "/api/v1/meta", None).await;
    assert_eq!(status, 200);
    let tree = &meta["centres"];
    assert_eq!(tree["id"], "prefecture");
    let children: Vec<&str> = tree["children"]
        .as_array()
        .map(|c| c.iter().filter_map(|c| c["name_zh"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(children, ["西区分中心", "东区分中心"]);
}

async fn a_warning_is_its_districts_and_the_citys(city: &City) -> String {
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

async fn left_unacknowledged_it_is_raised_on_the_citys_wall(city: &City, id: &str) {
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

async fn the_escalation_clears_once_acknowledged(city: &City) {
    wait_for(
        "the escalation cleared",
        Duration::from_secs(15),
        async || escalations(city, &city.city).await.is_empty().then_some(()),
    )
    .await;
}

async fn the_childrens_panel_counts_what_the_store_holds(city: &City, engine: &Engine) {
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

async fn a_case_goes_up_and_comes_back_down(city: &City) {
    let (_, west_list) = city.call(&city.west, "GET", "/api/v1/cases", None).await;
    let id = west_list[0]["id"]
        .as_str()
        .expect("the west's case")
        .to_string();
    let up = format!("/api/v1/cases/{id}/report_up");
    let (status, answer) = city.call(&city.west, "POST", &up, Some(json!({}))).await;
    assert_eq!(status, 400, "going up says why: {answer}");
    let (status, answer) = city
        .call(&city.east, "POST", &up, Some(json!({"note": "越权上报"})))
        .await;
    assert_eq!(status, 403, "a neighbour cannot send it up: {answer}");
    let (status, answer) = city
        .call(
            &city.west,
            "POST",
            &up,
            Some(json!({"note": "需市级协调多部门"})),
        )
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
        .call(
            &city.city,
            "POST",
            &down,
            Some(json!({"note": "请西区办理"})),
        )
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
    let (status, answer) = city
        .call(&city.west, "POST", &down, Some(json!({"note": ""})))
        .await;
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

async fn an_overdue_case_is_urged_from_above_and_answered_below(city: &City) {
    let new_case = json!({"category": "路灯", "title": "路灯不亮", "lon": 118.2, "lat": 33.6});
    let (_, case) = city
        .call(&city.west, "POST", "/api/v1/cases", Some(new_case))
        .await;
    let id = case["id"].as_str().expect("id").to_string();
    let step = |action: &str| format!("/api/v1/cases/{id}/{action}");
    let (status, _) = city
        .call(
            &city.west,
            "POST",
            &step("register"),
            Some(json!({"note": "受理"})),
        )
        .await;
    assert_eq!(status, 200);
    let (status, answer) = city
        .call(
            &city.city,
            "POST",
            &step("urge"),
            Some(json!({"note": "尽快处置"})),
        )
        .await;
    assert_eq!(status, 409, "not overdue yet: {answer}");
    let (status, _) = city
        .call(
            &city.west,
            "POST",
            &step("dispatch"),
            Some(json!({"department": "环卫所"})),
        )
        .await;
    assert_eq!(status, 200);
    // 0.02 h on a clock 30× fast: overdue in under 3 s.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let (status, answer) = city
        .call(
            &city.west,
            "POST",
            &step("urge"),
            Some(json!({"note": "自己督办"})),
        )
        .await;
    assert_eq!(status, 409, "a centre does not urge itself: {answer}");
    let (status, answer) = city
        .call(
            &city.east,
            "POST",
            &step("urge"),
            Some(json!({"note": "越权"})),
        )
        .await;
    assert_eq!(status, 403, "{answer}");
    let (status, answer) = city
        .call(
            &city.city,
            "POST",
            &step("urge"),
            Some(json!({"note": "尽快处置"})),
        )
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
    let (status, answer) = city
        .call(&city.west, "POST", &step("accept"), Some(json!({})))
        .await;
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

async fn the_neighbour_cannot_act_on_it(city: &City, id: &str) {
    let mut west_hears = city.stream(&city.west).await;
    let mut east_hears = city.stream(&city.east).await;
    let ack = format!("/api/v1/warnings/{id}/ack");
    let (status, answer) = city
        .call(&city.east, "POST", &ack, Some(json!({"by": "东区值班"})))
        .await;
    assert_eq!(status, 403, "{answer}");
    assert!(
        answer["error"]
            .as_str()
            .is_some_and(|e| e.contains("works for centre `east`") && e.contains("`west`'s")),
        "{answer}"
    );
    let (status, _) = city
        .call(
            &city.east,
            "POST",
            &format!("/api/v1/warnings/{id}/steps"),
            Some(json!({"step": 0})),
        )
        .await;
    assert_eq!(status, 403, "a procedure step is an act on it too");
    let (status, answer) = city
        .call(&city.west, "POST", &ack, Some(json!({"by": "西区值班"})))
        .await;
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

/// The first warning delta `socket` hears within `limit`.
async fn warning_heard(socket: &mut Socket, limit: Duration) -> Option<Value> {
    let heard = tokio::time::timeout(limit, async {
        while let Some(Ok(Message::Text(text))) = socket.next().await {
            let delta: Value = serde_json::from_str(&text).unwrap_or_default();
            if delta["type"] == "warning" {
                return Some(delta["warning"].clone());
            }
        }
        None
    });
    heard.await.ok().flatten()
}

async fn a_case_is_its_districts_and_the_neighbour_is_refused(city: &City) {
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
    let (status, answer) = city
        .call(&city.east, "POST", &step, Some(json!({"note": "越权"})))
        .await;
    assert_eq!(status, 403, "{answer}");
    let (status, answer) = city
        .call(&city.west, "POST", &step, Some(json!({"note": "受理"})))
        .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["state"], "registered");
}

/// The demo city is a "1+3+N" city: the city's centre, three districts' centres and their
/// streets' stations, each answering for its region of the GIS levels; the city's wall lists its
/// districts, and the demo's incidents fall to their owners.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_city_is_a_city_centre_three_districts_and_their_streets() {
    let city = citywall_e2e::start_city("centres-demo", 60.0, 1.0).await;
    let tree = city.api.meta().centres;
    assert_eq!(tree.id, "city");
    assert_eq!(tree.children.len(), 3, "{tree:?}");
    for district in &tree.children {
        assert!(district.name_zh.ends_with("分中心"), "{}", district.name_zh);
        assert!(
            !district.children.is_empty(),
            "{} has its streets",
            district.id
        );
        assert!(district.extent.is_some());
    }
    let open_city = citywall_engine::access::Principal::open();
    let statuses = city.api.centre_status(&open_city).await.expect("status");
    assert_eq!(statuses.len(), 3);
    // The demo's incidents reach cases owned by the centre whose area holds each.
    let owned = wait_for(
        "cases owned by a district",
        Duration::from_secs(30),
        async || {
            let cases = city.engine.store().cases(&[], 500).await.ok()?;
            let districts: Vec<&str> = tree.children.iter().map(|d| d.id.as_str()).collect();
            cases
                .iter()
                .any(|c| {
                    districts.contains(&c.centre.as_str())
                        || city
                            .engine
                            .centres()
                            .parent_of(&c.centre)
                            .is_some_and(|p| districts.contains(&p))
                })
                .then_some(cases.len())
        },
    )
    .await;
    assert!(owned > 0);
    city.engine.shutdown();
}
