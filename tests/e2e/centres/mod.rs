//! One city, two district centres, one engine, over HTTP: a warning and a case in the west
//! district are the west centre's and the city's, never the east's — the east's officer does not
//! see them in its lists and is refused (403) when it reads or acts on them by id; the city's
//! officer sees and acts on both. A red the west leaves unacknowledged past its limit (on a
//! demo clock 30× fast) is raised on the city's wall, and clears once the west acknowledges;
//! the city's panel of its children counts what the engine and the store hold. The areas are
//! polygons in the config (no demo names).
//!
//! One module per concern: the setup and the walk through one city here; what each centre sees
//! and may act on (`scope`), escalation and the children's panel (`above`), hand-overs and 督办
//! and their deadlines (`handover`), the role × action × centre matrix (`matrix`), the demo's own tree (`demo`).

mod above;
mod demo;
mod handover;
mod matrix;
mod scope;

use std::time::Duration;

use axum::http::header;
use axum::routing::get;
use axum::Router;
use citywall_e2e::{scratch_dir, serve_loopback};
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
         [incidents]\ncategories = {{ \"市容环境\" = 4, \"路灯\" = 0.02 }}\ndepartments = [\"环卫所\"]\nhandover_limit_min = 1\n\n\
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
    /// Session tokens of duty officers: the city's, the west's, the east's.
    city: String,
    west: String,
    east: String,
}

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

impl City {
    /// The change feed as `token`'s wall hears it, from its `hello` on: the server greets a
    /// client once it follows the feed, so nothing published after this returns is missed.
    async fn stream(&self, token: &str) -> Socket {
        let url = format!("{}/api/v1/stream", self.base.replacen("http", "ws", 1));
        let mut request = url.into_client_request().expect("request");
        let headers = request.headers_mut();
        headers.insert("origin", self.base.parse().expect("origin"));
        let bearer = format!("Bearer {token}");
        headers.insert("authorization", bearer.parse().expect("header"));
        let mut socket = tokio_tungstenite::connect_async(request)
            .await
            .expect("stream")
            .0;
        let hello = tokio::time::timeout(Duration::from_secs(10), socket.next())
            .await
            .ok()
            .flatten();
        match hello {
            Some(Ok(Message::Text(text))) => assert!(text.contains("\"hello\""), "{text}"),
            other => panic!("the feed did not greet: {other:?}"),
        }
        socket
    }

    async fn post(&self, token: &str, path: &str, body: Value) -> (u16, Value) {
        self.call(token, "POST", path, Some(body)).await
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

/// The city of two districts on one engine, served over HTTP with `accounts` (name, role,
/// centre) and one duty officer per centre, each logged in: the served city, the engine and
/// every account's session token by name.
async fn two_districts(
    name: &str,
    accounts: &[(String, Role, Option<&str>)],
) -> (
    City,
    std::sync::Arc<Engine>,
    std::collections::HashMap<String, String>,
) {
    let subsystem = serve_loopback(Router::new().route("/air", get(stations))).await;
    let dir = scratch_dir(name);
    let mut config = Config::parse(&config(subsystem), "centres.toml", &dir).expect("config");
    // A minute of the data's clock every 2 s: the west's one-minute limit passes in the test.
    let now = citywall_engine::model::now_ms();
    config.demo_clock = Some(citywall_engine::config::DemoClock {
        wall_origin_ms: now,
        sim_origin_ms: now,
        scale: 30.0,
    });
    let engine = citywall_e2e::start_engine(config).await.expect("engine");
    let api = Api::new(engine.clone()).with_access(AccessMode {
        open: false,
        ..Default::default()
    });
    let store = engine.store();
    let officers = [
        ("city".to_string(), Role::Duty, None),
        ("west".to_string(), Role::Duty, Some("west")),
        ("east".to_string(), Role::Duty, Some("east")),
    ];
    for (name, role, centre) in officers.iter().chain(accounts) {
        store
            .put_user(name, *role, PASSWORD, "test", now)
            .await
            .expect("account");
        store
            .set_centre(name, *centre, "test", now)
            .await
            .expect("centre");
    }
    let base = format!(
        "http://{}",
        serve_loopback(citywall_server::router(api.clone(), None)).await
    );
    let client = reqwest::Client::new();
    let mut tokens = std::collections::HashMap::new();
    for (name, _, centre) in officers.iter().chain(accounts) {
        let answer: Value = client
            .post(format!("{base}/api/v1/login"))
            .json(&json!({"name": name, "password": PASSWORD}))
            .send()
            .await
            .expect("login")
            .json()
            .await
            .expect("json");
        assert_eq!(answer["principal"]["centre"], json!(centre), "{answer}");
        tokens.insert(
            name.clone(),
            answer["token"].as_str().expect("token").to_string(),
        );
    }
    let token = |name: &str| tokens.get(name).cloned().unwrap_or_default();
    let city = City {
        city: token("city"),
        west: token("west"),
        east: token("east"),
        base,
        client,
    };
    (city, engine, tokens)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_district_sees_and_acts_on_its_own_and_never_on_its_neighbours() {
    let (city, engine, _) = two_districts("centres", &[]).await;
    the_tree_is_in_meta(&city).await;
    let warning = scope::a_warning_is_its_districts_and_the_citys(&city).await;
    above::left_unacknowledged_it_is_raised_on_the_citys_wall(&city, &warning).await;
    scope::the_neighbour_cannot_act_on_it(&city, &warning).await;
    above::the_escalation_clears_once_acknowledged(&city).await;
    scope::a_case_is_its_districts_and_the_neighbour_is_refused(&city).await;
    scope::search_finds_only_its_own_area(&city).await;
    handover::a_case_goes_up_and_comes_back_down(&city).await;
    handover::a_hand_over_left_lying_is_red_until_taken_up(&city).await;
    scope::a_parent_reads_a_childs_numbers_and_a_child_not_its_neighbours(&city).await;
    above::the_childrens_panel_counts_what_the_store_holds(&city, &engine).await;
    handover::an_overdue_case_is_urged_from_above_and_answered_below(&city).await;
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
