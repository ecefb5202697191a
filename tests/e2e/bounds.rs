//! Inputs bounded where they enter, and who sees what: an Open311 multipart of 2,000 photos with
//! a wrong service code stores nothing; a report carries one photo; links to a kept photo come
//! from `[serve] public_url`, never from the request's `Host`; video tile messages naming
//! cameras the wall does not have fill no audit log; an intake app reads back only its own
//! reports, and a kiosk screen never sees a reporter's name and phone.

use citywall_e2e::{scratch_dir, serve_loopback};
use citywall_engine::access::Role;
use citywall_engine::api::AccessMode;
use citywall_engine::{Api, Config};
use futures_util::SinkExt;

const PASSWORD: &str = "correct horse battery";

fn jpeg(tag: &[u8]) -> Vec<u8> {
    let mut bytes = vec![
        0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F', 0,
    ];
    bytes.extend_from_slice(tag);
    bytes.extend_from_slice(&[0xFF, 0xD9]);
    bytes
}

/// A wall needing logins, with accounts `intake-a`, `intake-b` (intake), `kiosk` (wall) and
/// `duty`; its address and a bearer token per account.
async fn wall(name: &str) -> (String, Api, std::collections::HashMap<&'static str, String>) {
    let dir = scratch_dir(name);
    let config = Config::parse(
        "[store]\npath = \"wall.db\"\n\n[serve]\npublic_url = \"https://wall.city.example:8443\"\n\n\
         [incidents]\ncategories = { \"市容环境\" = 4 }\n",
        "wall.toml",
        &dir,
    )
    .expect("config");
    let engine = citywall_e2e::start_engine(config).await.expect("engine");
    let api = Api::new(engine.clone()).with_access(AccessMode {
        open: false,
        ..Default::default()
    });
    let now = citywall_engine::model::now_ms();
    let mut tokens = std::collections::HashMap::new();
    for (account, role) in [
        ("intake-a", Role::Intake),
        ("intake-b", Role::Intake),
        ("kiosk", Role::Wall),
        ("duty", Role::Duty),
    ] {
        engine
            .store()
            .put_user(account, role, PASSWORD, "test", now)
            .await
            .expect("account");
        let session = api.login(account, PASSWORD, None).await.expect("login");
        tokens.insert(account, session.token);
    }
    let addr = serve_loopback(citywall_server::router(api.clone(), None)).await;
    (format!("http://{addr}"), api, tokens)
}

async fn audit_rows(api: &Api) -> usize {
    api.engine()
        .store()
        .audit(0, 100_000)
        .await
        .expect("audit")
        .len()
}

async fn media_rows(api: &Api) -> usize {
    // Every kept photo is audited as `media.upload`.
    api.engine()
        .store()
        .audit(0, 100_000)
        .await
        .expect("audit")
        .iter()
        .filter(|r| r.action.starts_with("media"))
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_multipart_bomb_stores_nothing() {
    let (base, api, tokens) = wall("bounds-multipart").await;
    let before = audit_rows(&api).await;
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .expect("client");
    let mut form = reqwest::multipart::Form::new()
        .text("service_code", "999")
        .text("lat", "33.96")
        .text("long", "118.28");
    for i in 0..2_000 {
        form = form.part(
            "media",
            reqwest::multipart::Part::bytes(jpeg(format!("{i}").as_bytes()))
                .file_name("p.jpg")
                .mime_str("image/jpeg")
                .expect("mime"),
        );
    }
    // Refused (400) — or cut off while still sending, the server having stopped reading at the
    // part past its count.
    match client
        .post(format!("{base}/open311/v2/requests.json"))
        .bearer_auth(&tokens["intake-a"])
        .multipart(form)
        .send()
        .await
    {
        Ok(answer) => assert_eq!(answer.status().as_u16(), 400),
        Err(e) => assert!(e.is_request(), "{e}"),
    }
    // A valid report with two photos: refused too, nothing kept.
    let form = reqwest::multipart::Form::new()
        .text("service_code", "001")
        .text("lat", "33.96")
        .text("long", "118.28")
        .part("media", reqwest::multipart::Part::bytes(jpeg(b"1")))
        .part("media", reqwest::multipart::Part::bytes(jpeg(b"2")));
    let answer = client
        .post(format!("{base}/open311/v2/requests.json"))
        .bearer_auth(&tokens["intake-a"])
        .multipart(form)
        .send()
        .await
        .expect("answered");
    let status = answer.status().as_u16();
    assert_eq!(status, 400, "{}", answer.text().await.unwrap_or_default());
    assert_eq!(media_rows(&api).await, 0, "a photo was kept");
    assert_eq!(audit_rows(&api).await, before, "audit rows were written");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reports_are_read_back_by_their_reporter_and_personal_data_by_case_handlers() {
    let (base, _, tokens) = wall("bounds-scope").await;
    let client = reqwest::Client::new();
    let form = reqwest::multipart::Form::new()
        .text("service_code", "001")
        .text("lat", "33.96")
        .text("long", "118.28")
        .text("last_name", "张")
        .text("first_name", "三 13800000000")
        .part("media", reqwest::multipart::Part::bytes(jpeg(b"bin")));
    let posted: serde_json::Value = client
        .post(format!("{base}/open311/v2/requests.json"))
        .bearer_auth(&tokens["intake-a"])
        .header("host", "10.9.9.9")
        .multipart(form)
        .send()
        .await
        .expect("post")
        .json()
        .await
        .expect("json");
    let id = posted[0]["service_request_id"]
        .as_str()
        .expect("id")
        .to_string();

    // The reporting app reads its report back, its photo linked at the configured address.
    let own: serde_json::Value = client
        .get(format!("{base}/open311/v2/requests/{id}.json"))
        .bearer_auth(&tokens["intake-a"])
        .header("host", "10.9.9.9")
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    let link = own[0]["media_url"].as_str().unwrap_or_default();
    assert!(
        link.starts_with("https://wall.city.example:8443/api/v1/media/"),
        "{own}"
    );
    // Another intake app sees neither the list entry nor the report.
    let list: serde_json::Value = client
        .get(format!("{base}/open311/v2/requests.json"))
        .bearer_auth(&tokens["intake-b"])
        .send()
        .await
        .expect("list")
        .json()
        .await
        .expect("json");
    assert_eq!(list.as_array().map(Vec::len), Some(0), "{list}");
    let other = client
        .get(format!("{base}/open311/v2/requests/{id}.json"))
        .bearer_auth(&tokens["intake-b"])
        .send()
        .await
        .expect("get");
    assert_eq!(other.status().as_u16(), 404);

    // The reporter's name and phone: the duty officer sees them, the kiosk screen does not.
    for (account, shows) in [("duty", true), ("kiosk", false)] {
        let body = client
            .get(format!("{base}/api/v1/cases/{id}"))
            .bearer_auth(&tokens[account])
            .send()
            .await
            .expect("case")
            .text()
            .await
            .unwrap_or_default();
        assert_eq!(body.contains("13800000000"), shows, "{account}: {body}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn made_up_cameras_fill_no_audit_log() {
    let (base, api, tokens) = wall("bounds-video").await;
    let before = audit_rows(&api).await;
    let url = format!("{}/api/v1/video", base.replacen("http", "ws", 1));
    let mut request =
        tokio_tungstenite::tungstenite::client::IntoClientRequest::into_client_request(url)
            .expect("request");
    request.headers_mut().insert(
        "authorization",
        format!("Bearer {}", tokens["duty"])
            .parse()
            .expect("header"),
    );
    let (mut socket, _) = tokio_tungstenite::connect_async(request)
        .await
        .expect("the video socket opens");
    // 300 pushes of made-up cameras, every tenth with a 100 KB name.
    let long = "x".repeat(100_000);
    for i in 0..300 {
        let camera = if i % 10 == 0 {
            format!("made-up-{i}-{long}")
        } else {
            format!("made-up-{i}")
        };
        let message = serde_json::json!({
            "type": "tiles",
            "tiles": [{"tile": 0, "camera": camera}],
            "reason": "operator",
        });
        socket
            .send(tokio_tungstenite::tungstenite::Message::text(
                message.to_string(),
            ))
            .await
            .expect("sent");
    }
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(
        audit_rows(&api).await,
        before,
        "made-up cameras were audited"
    );
}
