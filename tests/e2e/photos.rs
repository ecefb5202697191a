//! Photos on cases: an inspector's app reports over Open311 with the picture itself (multipart,
//! the spec's way) or uploads it first; the engine keeps only real pictures (by their bytes),
//! serves them back as pictures that can run nothing, refuses a step naming a photo never sent,
//! and refuses an upload past its size.

use citywall_e2e::{scratch_dir, serve_loopback};
use citywall_engine::access::{Principal, Role};
use citywall_engine::api::{AccessMode, StepInput};
use citywall_engine::{Api, Config, Engine};

const INTAKE_TOKEN: &str = "inspector-app-7f3e9a2b5c";

/// A tiny JPEG's worth of bytes: the signature is what makes it one.
fn jpeg(tag: &[u8]) -> Vec<u8> {
    let mut bytes = vec![
        0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F', 0,
    ];
    bytes.extend_from_slice(tag);
    bytes.extend_from_slice(&[0xFF, 0xD9]);
    bytes
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn photos_are_kept_by_their_bytes_and_served_only_as_pictures() {
    let w = a_served_wall_taking_reports_from_an_intake_app().await;
    let url = markup_dressed_as_a_photo_is_refused_a_picture_kept(&w).await;
    a_photo_too_large_is_refused_before_it_is_stored(&w).await;
    let id = an_open311_report_comes_with_its_photo(&w).await;
    a_step_carries_only_a_photo_that_was_sent(&w, &id, &url).await;
    each_upload_is_audited(&w).await;
    w.engine.shutdown();
}

/// The wall served over HTTP, an intake app's token accepted, and a client that pools nothing.
struct Served {
    engine: std::sync::Arc<Engine>,
    api: Api,
    base: String,
    client: reqwest::Client,
}

async fn a_served_wall_taking_reports_from_an_intake_app() -> Served {
    let dir = scratch_dir("photos");
    let config = Config::parse(
        "[store]\npath = \"wall.db\"\n\n[incidents]\ncategories = { \"市容环境\" = 4 }\n",
        "wall.toml",
        &dir,
    )
    .expect("config");
    let engine = citywall_e2e::start_engine(config).await.expect("engine");
    let api = Api::new(engine.clone()).with_access(AccessMode {
        token: Some(INTAKE_TOKEN.into()),
        token_role: Some(Role::Intake),
        open: false,
        ..Default::default()
    });
    let addr = serve_loopback(citywall_server::router(api.clone(), None)).await;
    let base = format!("http://{addr}");
    // No pooled connections: the server closes the one a refused 9 MB upload came on (it never
    // reads that body), and reusing it would race the close.
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .expect("client");
    Served {
        engine,
        api,
        base,
        client,
    }
}

/// Answers the kept picture's address.
async fn markup_dressed_as_a_photo_is_refused_a_picture_kept(w: &Served) -> String {
    let Served { base, client, .. } = w;
    // Markup dressed as a photo is refused; a picture is kept under its hash.
    let html = client
        .post(format!("{base}/api/v1/media"))
        .bearer_auth(INTAKE_TOKEN)
        .header("content-type", "image/jpeg")
        .body("<svg onload=alert(1)>")
        .send()
        .await
        .expect("post");
    assert_eq!(html.status(), 415);
    let photo = jpeg("pothole on 解放路".as_bytes());
    let kept: serde_json::Value = client
        .post(format!("{base}/api/v1/media"))
        .bearer_auth(INTAKE_TOKEN)
        .body(photo.clone())
        .send()
        .await
        .expect("post")
        .json()
        .await
        .expect("json");
    let url = kept["url"].as_str().expect("url").to_string();
    assert!(url.starts_with("/api/v1/media/"), "{kept}");
    assert_eq!(kept["content_type"], "image/jpeg");

    let served = client
        .get(format!("{base}{url}"))
        .bearer_auth(INTAKE_TOKEN)
        .send()
        .await
        .expect("get");
    assert_eq!(served.status(), 200);
    let header = |name: &str| {
        served
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    };
    assert_eq!(header("content-type"), "image/jpeg");
    assert_eq!(header("x-content-type-options"), "nosniff");
    assert!(header("content-security-policy").contains("sandbox"));
    assert_eq!(served.bytes().await.expect("bytes").to_vec(), photo);
    let anonymous = reqwest::get(format!("{base}{url}")).await.expect("get");
    assert_eq!(anonymous.status(), 401, "photos are not public");
    for bad in ["..%2F..%2Fwall.db", "0123", &"G".repeat(64)] {
        let answer = client
            .get(format!("{base}/api/v1/media/{bad}"))
            .bearer_auth(INTAKE_TOKEN)
            .send()
            .await
            .expect("get");
        assert_eq!(answer.status(), 400, "{bad}");
    }
    url
}

async fn a_photo_too_large_is_refused_before_it_is_stored(w: &Served) {
    let Served { base, client, .. } = w;
    // Too large: refused before it is stored.
    let huge = [jpeg(b""), vec![0u8; 9 * 1024 * 1024]].concat();
    let answer = client
        .post(format!("{base}/api/v1/media"))
        .bearer_auth(INTAKE_TOKEN)
        .body(huge)
        .send()
        .await
        .expect("post");
    assert_eq!(answer.status(), 413);
}

async fn an_open311_report_comes_with_its_photo(w: &Served) -> String {
    let Served { base, client, .. } = w;
    // Open311 with the photo itself, as multipart.
    let form = reqwest::multipart::Form::new()
        .text("service_code", "001")
        .text("lat", "33.96")
        .text("long", "118.28")
        .text("description", "垃圾满溢")
        .part(
            "media",
            reqwest::multipart::Part::bytes(jpeg(b"overflowing bin"))
                .file_name("bin.jpg")
                .mime_str("image/jpeg")
                .expect("mime"),
        );
    let posted: serde_json::Value = client
        .post(format!("{base}/open311/v2/requests.json"))
        .bearer_auth(INTAKE_TOKEN)
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
    let status: serde_json::Value = client
        .get(format!("{base}/open311/v2/requests/{id}.json"))
        .bearer_auth(INTAKE_TOKEN)
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    let media_url = status[0]["media_url"].as_str().unwrap_or_default();
    assert!(
        media_url.starts_with("/api/v1/media/"),
        "without [serve] public_url, a link on this server, whatever Host said: {status}"
    );
    let photo_back = client
        .get(format!("{base}{media_url}"))
        .bearer_auth(INTAKE_TOKEN)
        .send()
        .await
        .expect("get")
        .bytes()
        .await
        .expect("bytes");
    assert_eq!(photo_back.to_vec(), jpeg(b"overflowing bin"));
    id
}

async fn a_step_carries_only_a_photo_that_was_sent(w: &Served, id: &str, url: &str) {
    let Served { api, .. } = w;
    // A step may carry an uploaded photo, never one that was not sent.
    let duty = Principal {
        name: "值班员 张伟".into(),
        role: Role::Duty,
        via: "session",
        centre: None,
    };
    let never = format!("/api/v1/media/{}", "0".repeat(64));
    let refused = api
        .case_step(
            &duty,
            id,
            "register",
            StepInput {
                media: vec![never],
                ..Default::default()
            },
        )
        .await
        .expect_err("a photo never sent");
    assert!(refused.to_string().contains("never uploaded"), "{refused}");
    api.case_step(
        &duty,
        id,
        "register",
        StepInput {
            media: vec![url.to_string()],
            ..Default::default()
        },
    )
    .await
    .expect("register with the photo");
    let (_, steps) = api.case(&duty, id).await.expect("case");
    assert_eq!(
        steps.last().map(|s| s.media.clone()),
        Some(vec![url.to_string()])
    );
}

async fn each_upload_is_audited(w: &Served) {
    let Served { engine, .. } = w;
    // Each upload is in the audit log.
    let log = engine.store().audit(0, 100).await.expect("audit");
    assert_eq!(log.iter().filter(|r| r.action == "media.upload").count(), 2);
}
