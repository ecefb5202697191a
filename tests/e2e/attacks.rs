//! Attacks on the network face, each failing without its protection: a page on another name
//! resolving to the wall (DNS rebinding) reads nothing; a page on another origin can neither
//! post to the wall (a form to Open311 in `text/plain`, an acknowledgement — CSRF, in open mode
//! and with a session cookie alike) nor open its change feed or video socket (cross-site
//! WebSocket hijacking); the wall's own pages and requests without an `Origin` (intake apps,
//! scripts) still work, and a cookie-borne write without an `Origin` does not. Guesses sent in
//! parallel lock an account at five, a name without an account answers as one with an account,
//! and one address guessing many names is locked out alone. A token login is audited. An
//! acknowledgement the store refuses changes nothing on the wall. An oversized socket message
//! closes the socket.

use citywall_e2e::{scratch_dir, serve_loopback};
use citywall_engine::access::Role;
use citywall_engine::api::AccessMode;
use citywall_engine::{Api, Config};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

const EVIL: &str = "https://evil.example";

async fn wall(name: &str, access: Option<AccessMode>) -> (std::net::SocketAddr, Api) {
    let dir = scratch_dir(name);
    let config = Config::parse(
        "[store]\npath = \"wall.db\"\n\n[[layer]]\nid = \"points\"\ntitle_zh = \"点\"\ntitle_en = \"Points\"\n",
        "wall.toml",
        &dir,
    )
    .expect("config");
    let engine = citywall_e2e::start_engine(config).await.expect("engine");
    let api = match access {
        Some(mode) => Api::new(engine).with_access(mode),
        None => Api::new(engine),
    };
    let addr = serve_loopback(citywall_server::router(api.clone(), None)).await;
    (addr, api)
}

/// A wall that needs a login, with one account (`name`, password "correct horse battery").
async fn wall_with_account(dir: &str, name: &str, role: Role) -> (std::net::SocketAddr, Api) {
    let (addr, api) = wall(
        dir,
        Some(AccessMode {
            open: false,
            ..Default::default()
        }),
    )
    .await;
    let now = citywall_engine::model::now_ms();
    api.engine()
        .store()
        .put_user(name, role, "correct horse battery", "test", now)
        .await
        .expect("account");
    (addr, api)
}

/// The status of a WebSocket handshake to `path` with `origin`: 101 when it opened.
async fn upgrade(addr: std::net::SocketAddr, path: &str, origin: &str) -> u16 {
    let mut request = format!("ws://{addr}{path}")
        .into_client_request()
        .expect("request");
    if let Ok(value) = origin.parse() {
        request.headers_mut().insert("origin", value);
    }
    match tokio_tungstenite::connect_async(request).await {
        Ok((_, response)) => response.status().as_u16(),
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => response.status().as_u16(),
        Err(e) => panic!("the handshake neither opened nor was answered: {e}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn open_mode_answers_only_its_own_names_and_its_own_pages() {
    let (addr, api) = wall("attack-open", None).await;
    let base = format!("http://{addr}");
    let own = base.clone();
    let client = reqwest::Client::new();

    // DNS rebinding: attacker.example resolves to 127.0.0.1; the browser sends its name.
    let rebound = client
        .get(format!("{base}/api/v1/audit"))
        .header("host", format!("attacker.example:{}", addr.port()))
        .send()
        .await
        .expect("answered");
    assert_eq!(
        rebound.status().as_u16(),
        421,
        "a foreign Host reads nothing"
    );
    let body = rebound.text().await.unwrap_or_default();
    assert!(body.contains("attacker.example"), "{body}");
    for host in [format!("localhost:{}", addr.port()), addr.to_string()] {
        let ok = client
            .get(format!("{base}/api/v1/meta"))
            .header("host", host.as_str())
            .send()
            .await
            .expect("answered");
        assert_eq!(ok.status().as_u16(), 200, "{host}");
    }

    // A cross-site form post in text/plain to the public intake, and an acknowledgement.
    let form = client
        .post(format!("{base}/open311/v2/requests.json"))
        .header("origin", EVIL)
        .header("content-type", "text/plain")
        .body("service_code=x&description=forged")
        .send()
        .await
        .expect("answered");
    assert_eq!(
        form.status().as_u16(),
        403,
        "a foreign Origin posts nothing"
    );
    let ack = client
        .post(format!("{base}/api/v1/warnings/W000001/ack"))
        .header("origin", EVIL)
        .json(&serde_json::json!({"by": "attacker"}))
        .send()
        .await
        .expect("answered");
    assert_eq!(ack.status().as_u16(), 403);
    // The wall's own page, and a script without an Origin, reach the handler (no such warning).
    for origin in [Some(own.as_str()), None] {
        let mut request = client
            .post(format!("{base}/api/v1/warnings/W000001/ack"))
            .json(&serde_json::json!({"by": "值班员"}));
        if let Some(o) = origin {
            request = request.header("origin", o);
        }
        let answer = request.send().await.expect("answered");
        assert_eq!(answer.status().as_u16(), 404, "{origin:?}");
    }
    let audit = api
        .engine()
        .store()
        .audit_latest(10)
        .await
        .expect("audit readable");
    assert!(audit.is_empty(), "nothing reached the log: {audit:?}");

    // Cross-site WebSocket hijacking of the change feed and the video socket.
    assert_eq!(upgrade(addr, "/api/v1/stream", EVIL).await, 403);
    assert_eq!(upgrade(addr, "/api/v1/video", EVIL).await, 403);
    assert_eq!(upgrade(addr, "/api/v1/stream", &own).await, 101);
    assert_eq!(
        upgrade(addr, "/api/v1/stream", "tauri://localhost").await,
        101
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_cookie_does_not_carry_a_foreign_pages_write() {
    let (addr, _) = wall_with_account("attack-cookie", "duty", Role::Duty).await;
    let base = format!("http://{addr}");
    let client = reqwest::Client::new();
    let login = client
        .post(format!("{base}/api/v1/login"))
        .json(&serde_json::json!({"name": "duty", "password": "correct horse battery"}))
        .send()
        .await
        .expect("answered");
    assert_eq!(login.status().as_u16(), 200);
    // The browser sends the session cookie back with every request to this host.
    let cookie = login
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .expect("a session cookie")
        .to_string();
    // Another port on this machine is another origin that SameSite does not tell apart.
    let sibling = format!("http://127.0.0.1:{}", addr.port().wrapping_add(1));
    // The cookie rides along from the sibling: refused. From its own page: the handler answers
    // (no such warning).
    for (origin, expected) in [(sibling.as_str(), 403), (base.as_str(), 404)] {
        let answer = client
            .post(format!("{base}/api/v1/warnings/W000001/ack"))
            .header("origin", origin)
            .header("cookie", cookie.as_str())
            .json(&serde_json::json!({"by": "duty"}))
            .send()
            .await
            .expect("answered");
        assert_eq!(answer.status().as_u16(), expected, "from {origin}");
    }
}

/// The statuses of `n` logins of `name` with a wrong password, all sent at once.
async fn wrong_logins(base: &str, name: &str, n: usize) -> Vec<u16> {
    let client = reqwest::Client::new();
    let tries = (0..n).map(|i| {
        let request = client
            .post(format!("{base}/api/v1/login"))
            .json(&serde_json::json!({"name": name, "password": format!("guess number {i}")}));
        async move { request.send().await.map_or(0, |r| r.status().as_u16()) }
    });
    futures_util::future::join_all(tries).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parallel_guesses_lock_at_five_and_unknown_names_answer_the_same() {
    let (addr, api) = wall_with_account("attack-guess", "admin", Role::Admin).await;
    let now = citywall_engine::model::now_ms();
    let base = format!("http://{addr}");
    // Twelve wrong passwords at once: the counter is not read stale, the account locks.
    let first = wrong_logins(&base, "admin", 12).await;
    assert!(
        first.contains(&429),
        "twelve parallel guesses never locked: {first:?}"
    );
    let right = reqwest::Client::new()
        .post(format!("{base}/api/v1/login"))
        .json(&serde_json::json!({"name": "admin", "password": "correct horse battery"}))
        .send()
        .await
        .expect("answered");
    assert_eq!(
        right.status().as_u16(),
        429,
        "locked: even the right password waits"
    );
    // A name without an account answers exactly as one with an account does, lockout included.
    let known = wrong_logins(&base, "duty-known", 0).await;
    assert!(known.is_empty());
    api.engine()
        .store()
        .put_user(
            "duty-known",
            Role::Duty,
            "correct horse battery",
            "test",
            now,
        )
        .await
        .expect("account");
    let mut with_account = Vec::new();
    let mut without = Vec::new();
    for _ in 0..6 {
        with_account.extend(wrong_logins(&base, "duty-known", 1).await);
        without.extend(wrong_logins(&base, "nobody-here", 1).await);
    }
    assert_eq!(with_account, [401, 401, 401, 401, 429, 429]);
    assert_eq!(without, with_account, "the answers tell who has an account");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_acknowledgement_the_store_refuses_changes_nothing_on_the_wall() {
    use axum::routing::get;
    if citywall_e2e::on_postgres() {
        eprintln!("skipped on PostgreSQL: the test breaks SQLite's file itself");
        return;
    }
    let station = axum::Router::new().route(
        "/air",
        get(|| async {
            axum::Json(serde_json::json!({"type": "FeatureCollection", "features": [
                {"type": "Feature", "id": "aq-0", "geometry": {"type": "Point", "coordinates": [118.3, 33.95]},
                 "properties": {"name": "监测站0", "pm25": 200}}]}))
        }),
    );
    let source = serve_loopback(station).await;
    let dir = scratch_dir("attack-ack");
    let text = format!(
        "[store]\npath = \"wall.db\"\n\n[[layer]]\nid = \"air\"\ntitle_zh = \"空气质量\"\n\n\
         [[source]]\nid = \"air\"\nlayer = \"air\"\nkind = \"geojson\"\nurl = \"http://{source}/air\"\ninterval_s = 1\n\n\
         [[rules.threshold]]\nid = \"pm25\"\nlayer = \"air\"\nfield = \"pm25\"\ntitle_zh = \"PM2.5 超标\"\nlevels = {{ red = 150 }}\n"
    );
    let config = Config::parse(&text, "wall.toml", &dir).expect("config");
    let engine = citywall_e2e::start_engine(config).await.expect("engine");
    let api = Api::new(engine.clone());
    let raised = citywall_e2e::wait_for(
        "a red warning",
        std::time::Duration::from_secs(10),
        async || api.warnings(false, 10).await.ok()?.into_iter().next(),
    )
    .await;
    // The disk refuses every warning write from now on (a full disk, a broken file).
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", dir.join("wall.db").display()))
        .await
        .expect("the store's file");
    for event in ["INSERT", "UPDATE"] {
        sqlx::query(&format!(
            "CREATE TRIGGER refuse_{event} BEFORE {event} ON warnings BEGIN SELECT RAISE(ABORT, 'disk full'); END"
        ))
        .execute(&pool)
        .await
        .expect("trigger");
    }
    let desk = citywall_engine::access::Principal::open();
    let answer = api.acknowledge(&desk, &raised.id, "值班员").await;
    assert!(answer.is_err(), "the store refused: {answer:?}");
    let now = api.warnings(false, 10).await.expect("warnings");
    assert_eq!(
        now[0].state,
        citywall_engine::rules::State::Raised,
        "the wall shows it raised, as the store and the audit log have it"
    );
    let audit = engine.store().audit_latest(10).await.expect("audit");
    assert!(
        audit.iter().all(|r| r.action != "warning.acknowledge"),
        "{audit:?}"
    );
    engine.shutdown();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_login_with_the_token_is_in_the_audit_log_right_or_wrong() {
    let token = "kiosk-token-0123456789abcdef";
    let (addr, api) = wall(
        "attack-token",
        Some(AccessMode {
            token: Some(token.into()),
            token_role: Some(Role::Wall),
            open: false,
            ..Default::default()
        }),
    )
    .await;
    let client = reqwest::Client::new();
    for (given, expected) in [(token, 200), ("a-guessed-token-000000", 401)] {
        let answer = client
            .post(format!("http://{addr}/api/v1/login"))
            .json(&serde_json::json!({ "token": given }))
            .send()
            .await
            .expect("answered");
        assert_eq!(answer.status().as_u16(), expected, "{given}");
    }
    let audit = api.engine().store().audit_latest(10).await.expect("audit");
    let actions: Vec<&str> = audit.iter().map(|r| r.action.as_str()).collect();
    assert_eq!(actions, ["login.failed", "login.token"], "{audit:?}");
    assert!(
        audit.iter().all(|r| !r.detail.contains(token)),
        "the token is never written"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_oversized_socket_message_closes_the_socket_instead_of_filling_memory() {
    use futures_util::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::Message;
    let (addr, _) = wall("attack-socket", None).await;
    let (mut socket, _) = tokio_tungstenite::connect_async(format!("ws://{addr}/api/v1/stream"))
        .await
        .expect("the change feed opens");
    // Its hello, then a layer list of a megabyte (the legitimate one is a few KB).
    let _ = socket.next().await;
    let huge = format!(
        "{{\"type\":\"layers\",\"layers\":[\"{}\"]}}",
        "x".repeat(1 << 20)
    );
    let _ = socket.send(Message::Text(huge.into())).await;
    let closed = tokio::time::timeout(std::time::Duration::from_secs(5), async {
        loop {
            match socket.next().await {
                None | Some(Err(_)) | Some(Ok(Message::Close(_))) => return true,
                Some(Ok(_)) => continue,
            }
        }
    })
    .await;
    assert_eq!(closed, Ok(true), "the server kept reading a 1 MB message");
}

/// A wrong login of `name` from the loopback address `from`: its status and what it said.
async fn wrong_login_from(base: &str, from: [u8; 4], name: &str) -> (u16, String) {
    let client = reqwest::Client::builder()
        .local_address(std::net::IpAddr::from(from))
        .build()
        .expect("client");
    let answer = client
        .post(format!("{base}/api/v1/login"))
        .json(&serde_json::json!({"name": name, "password": "guess"}))
        .send()
        .await
        .expect("answered");
    let status = answer.status().as_u16();
    (status, answer.text().await.unwrap_or_default())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_address_guessing_many_names_is_locked_out_not_the_others() {
    let dir = scratch_dir("attack-address");
    let config = Config::parse("[store]\npath = \"wall.db\"\n", "wall.toml", &dir).expect("config");
    let engine = citywall_e2e::start_engine(config).await.expect("engine");
    let api = Api::new(engine);
    // The server as `citywall serve` runs it: each request knows its client's address.
    let (addr, server) = citywall_server::bind(api, 0, None).await.expect("bind");
    tokio::spawn(server);
    let base = format!("http://{addr}");
    // Twenty names, one guess each: no name reaches its own lockout.
    for i in 0..20 {
        let (status, said) = wrong_login_from(&base, [127, 0, 0, 3], &format!("user{i}")).await;
        assert_eq!(status, 401, "guess {i}: {said}");
    }
    let (status, said) = wrong_login_from(&base, [127, 0, 0, 3], "user20").await;
    assert_eq!(status, 429, "{said}");
    assert!(said.contains("from this address"), "{said}");
    // Another address is not held to the first one's failures.
    let (status, said) = wrong_login_from(&base, [127, 0, 0, 4], "user20").await;
    assert_eq!(status, 401, "{said}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cookie_write_without_an_origin_is_refused() {
    let (addr, _) = wall_with_account("attack-no-origin", "duty", Role::Duty).await;
    let base = format!("http://{addr}");
    let client = reqwest::Client::new();
    let login = client
        .post(format!("{base}/api/v1/login"))
        .json(&serde_json::json!({"name": "duty", "password": "correct horse battery"}))
        .send()
        .await
        .expect("answered");
    let body: serde_json::Value = login.json().await.expect("json");
    let token = body["token"].as_str().expect("token").to_string();
    // The cookie alone, from a page whose browser sent no Origin (an old browser, a plug-in):
    // refused, whatever SameSite would have done.
    let answer = client
        .post(format!("{base}/api/v1/warnings/W000001/ack"))
        .header("cookie", format!("cw_session={token}"))
        .json(&serde_json::json!({"by": "duty"}))
        .send()
        .await
        .expect("answered");
    assert_eq!(answer.status().as_u16(), 403);
    let said = answer.text().await.unwrap_or_default();
    assert!(said.contains("Origin"), "{said}");
    // The same token as a bearer (an API client, which no page can set) reaches the handler.
    let answer = client
        .post(format!("{base}/api/v1/warnings/W000001/ack"))
        .bearer_auth(&token)
        .json(&serde_json::json!({"by": "duty"}))
        .send()
        .await
        .expect("answered");
    assert_eq!(answer.status().as_u16(), 404);
}
