//! Who may do what, driven by the one access matrix (`crates/model/src/access/matrix.toml`):
//! every HTTP route × every role (and no credential, and a wrong one) against a served wall that
//! needs a token or a login; every desktop command × every role through the same façade; the
//! desktop's command list and the matrix's are the same list; login brute force locks the
//! account, and every attempt is audited.

mod hostile;

use std::collections::BTreeSet;

use citywall_e2e::{scratch_dir, serve_loopback};
use citywall_engine::access::{Access, Principal, Role, PUBLIC};
use citywall_engine::api::AccessMode;
use citywall_engine::store::accounts::{MAX_FAILURES, SESSION_MS};
use citywall_engine::{Api, Config, Engine};

const TOKEN: &str = "kiosk-token-0123456789abcdef";

/// A concrete path for a route's template.
fn concrete(path: &str) -> String {
    path.replace("{id}", "W1")
        .replace("{layer}", "points")
        .replace("{z}", "0")
        .replace("{x}", "0")
        .replace("{tail}", "0.mvt")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_and_command_answers_each_role_as_the_matrix_says() {
    let wall = a_served_wall_with_an_account_per_role().await;
    every_route_answers_each_role_as_the_matrix_says(&wall).await;
    an_admin_exports_the_log_and_the_login_page_answers_anyone(&wall).await;
    every_command_and_table_endpoint_answers_each_role(&wall).await;
    the_app_registers_the_matrix_commands_and_each_window_its_grant();
    logging_out_ends_the_session(&wall).await;
    guessing_locks_the_account_and_names_tell_nothing(&wall).await;
    every_attempt_is_audited_without_a_secret(&wall).await;
    wall.engine.shutdown();
}

/// A wall that needs a login or the kiosk token, an account of each role, each logged in.
struct Wall {
    engine: std::sync::Arc<Engine>,
    api: Api,
    base: String,
    client: reqwest::Client,
    now: i64,
    /// Each role's session token, in [`Role::ALL`]'s order.
    sessions: Vec<(Role, String)>,
    /// The matrix the façade enforces: the shipped rows and the endpoint table's.
    access: &'static Access,
}

async fn a_served_wall_with_an_account_per_role() -> Wall {
    let dir = scratch_dir("access");
    let config = Config::parse(
        "[store]\npath = \"wall.db\"\n\n[[layer]]\nid = \"points\"\ntitle_zh = \"点\"\ntitle_en = \"Points\"\n",
        "wall.toml",
        &dir,
    )
    .expect("config");
    let engine = citywall_e2e::start_engine(config).await.expect("engine");
    let api = Api::new(engine.clone()).with_access(AccessMode {
        token: Some(TOKEN.into()),
        token_role: Some(Role::Wall),
        open: false,
        ..Default::default()
    });
    let now = citywall_engine::model::now_ms();
    for role in Role::ALL {
        engine
            .store()
            .put_user(role.as_str(), role, "correct horse battery", "test", now)
            .await
            .expect("account");
    }
    let addr = serve_loopback(citywall_server::router(api.clone(), None)).await;
    let base = format!("http://{addr}");
    let client = reqwest::Client::new();

    // Each role logs in over HTTP and gets a session token.
    let mut sessions = Vec::new();
    for role in Role::ALL {
        let answer = client
            .post(format!("{base}/api/v1/login"))
            .json(&serde_json::json!({"name": role.as_str(), "password": "correct horse battery"}))
            .send()
            .await
            .expect("login");
        assert_eq!(answer.status(), 200, "{role} logs in");
        assert!(answer
            .headers()
            .get("set-cookie")
            .and_then(|c| c.to_str().ok())
            .is_some_and(|c| c.contains("HttpOnly") && c.contains("SameSite=Strict")));
        let body: serde_json::Value = answer.json().await.expect("json");
        sessions.push((role, body["token"].as_str().expect("token").to_string()));
    }
    let access = citywall_engine::endpoints::matrix();
    assert!(Access::parse(citywall_engine::access::MATRIX).is_ok());
    Wall {
        engine,
        api,
        base,
        client,
        now,
        sessions,
        access,
    }
}

async fn every_route_answers_each_role_as_the_matrix_says(wall: &Wall) {
    let Wall {
        base,
        client,
        sessions,
        access,
        ..
    } = wall;
    let mut checked = 0;
    for (route, action) in access.routes() {
        let (method, path) = route.split_once(' ').expect("METHOD /path");
        let url = format!("{base}{}", concrete(path));
        let send = |credential: Option<String>| {
            let mut request = match method {
                "GET" => client.get(&url),
                "POST" => client.post(&url).json(&serde_json::json!({"by": "x"})),
                "DELETE" => client.delete(&url),
                other => panic!("method {other} in the matrix"),
            };
            if let Some(c) = credential {
                request = request.bearer_auth(c);
            }
            request.send()
        };
        if action == PUBLIC || route.ends_with("/login") {
            continue;
        }
        let anonymous = send(None).await.expect("request").status();
        assert_eq!(anonymous, 401, "{route} without a credential");
        let wrong = send(Some("not-a-token-at-all".into()))
            .await
            .expect("request")
            .status();
        assert_eq!(wrong, 401, "{route} with a wrong token");
        for (role, token) in sessions {
            let status = send(Some(token.clone())).await.expect("request").status();
            let allowed = access.allows(*role, action);
            if allowed {
                assert!(
                    status != 401 && status != 403,
                    "{route} as {role}: {status}, the matrix allows {action}"
                );
            } else {
                assert_eq!(
                    status, 403,
                    "{route} as {role}: the matrix refuses {action}"
                );
            }
            checked += 1;
        }
        // The token is a kiosk screen's: it may view, nothing more.
        let status = send(Some(TOKEN.into())).await.expect("request").status();
        assert_eq!(
            status == 403,
            !access.allows(Role::Wall, action),
            "{route} with the token: {status}"
        );
    }
    let guarded = access.routes().filter(|(_, a)| *a != PUBLIC).count();
    assert!(
        guarded >= 20 && checked == Role::ALL.len() * guarded,
        "{checked} route × role pairs checked of {guarded} routes"
    );
}

async fn an_admin_exports_the_log_and_the_login_page_answers_anyone(wall: &Wall) {
    let Wall {
        engine,
        base,
        client,
        sessions,
        ..
    } = wall;
    // An admin downloads the whole log as CSV; the export is itself recorded.
    let (_, admin) = sessions
        .iter()
        .find(|(r, _)| *r == Role::Admin)
        .expect("admin session");
    let csv = client
        .get(format!("{base}/api/v1/audit/export?format=csv"))
        .bearer_auth(admin)
        .send()
        .await
        .expect("export");
    assert_eq!(csv.status(), 200);
    assert!(csv
        .headers()
        .get("content-disposition")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("citywall-audit.csv")));
    let csv = csv.text().await.expect("csv");
    assert!(
        csv.starts_with(citywall_engine::store::audit::CSV_HEADER) && csv.contains("\"login.ok\""),
        "{csv}"
    );
    let log = engine.store().audit_latest(1).await.expect("latest");
    assert_eq!(
        (log[0].actor.as_str(), log[0].action.as_str()),
        ("admin", "audit.export")
    );

    // The UI's own files answer anyone: the login page must load.
    let whoami: serde_json::Value = client
        .get(format!("{base}/api/v1/whoami"))
        .send()
        .await
        .expect("whoami")
        .json()
        .await
        .expect("json");
    assert_eq!(whoami["open"], false);
    assert!(whoami["principal"].is_null());
}

async fn every_command_and_table_endpoint_answers_each_role(wall: &Wall) {
    let Wall { api, access, .. } = wall;
    // The desktop commands: the same façade, the same answers.
    for (command, action) in access.commands() {
        for role in Role::ALL {
            let who = Principal {
                name: role.as_str().into(),
                role,
                via: "session",
                centre: None,
            };
            let result = api.authorize_command(&who, command);
            assert_eq!(
                result.is_ok(),
                access.allows(role, action),
                "desktop `{command}` as {role}: {result:?}"
            );
        }
    }
    assert!(api
        .authorize_command(&Principal::open(), "no_such_command")
        .is_err());
    // Each endpoint of the table through the command that carries it: refused (403) exactly
    // where the matrix refuses its action, and through the other command refused to everyone.
    for endpoint in citywall_engine::endpoints::endpoints() {
        for role in Role::ALL {
            let who = Principal {
                name: role.as_str().into(),
                role,
                via: "session",
                centre: None,
            };
            let status = |via: &'static str| {
                let api = api.clone();
                let who = who.clone();
                async move {
                    api.call(&who, endpoint.name, serde_json::json!({}), Some(via))
                        .await
                        .err()
                        .map(|e| e.status())
                }
            };
            let carried = status(endpoint.command()).await;
            assert_eq!(
                carried != Some(403),
                access.allows(role, endpoint.action),
                "`{}` as {role}: {carried:?}",
                endpoint.name
            );
            let other = if endpoint.command() == "query" {
                "operate"
            } else {
                "query"
            };
            assert_eq!(
                status(other).await,
                Some(403),
                "`{}` through `{other}`",
                endpoint.name
            );
        }
    }
}

fn the_app_registers_the_matrix_commands_and_each_window_its_grant() {
    let access = citywall_engine::endpoints::matrix();
    // The commands the desktop app registers are exactly the matrix's.
    let desktop = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../src-tauri/src/desktop/mod.rs"),
    )
    .expect("desktop/mod.rs");
    let list = desktop
        .split("generate_handler![")
        .nth(1)
        .and_then(|rest| rest.split(']').next())
        .expect("the handler list");
    let registered: BTreeSet<&str> = list
        .split(',')
        .map(|c| c.trim().rsplit("::").next().unwrap_or_default())
        .filter(|c| !c.is_empty())
        .collect();
    let listed: BTreeSet<&str> = access.commands().map(|(c, _)| c).collect();
    assert_eq!(registered, listed, "desktop commands vs the matrix");

    // Each window's Tauri capability grants what its principal may do: every window what the
    // `wall` role may (a map or video screen works as a kiosk), the operator's windows the rest.
    // `operate` asks nothing of the matrix itself (each endpoint it carries checks its own
    // action), yet a screen that only shows is never granted it.
    let capability = |file: &str| -> (Vec<String>, BTreeSet<String>) {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../src-tauri/capabilities")
            .join(file);
        let json: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).expect("capability file"))
                .expect("capability JSON");
        let strings = |key: &str| -> Vec<String> {
            json[key]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        };
        let commands = strings("permissions")
            .iter()
            .filter_map(|p| p.strip_prefix("allow-"))
            .map(|c| c.replace('-', "_"))
            .collect();
        (strings("windows"), commands)
    };
    let (screen_windows, screens) = capability("screens.json");
    let (console_windows, console) = capability("console.json");
    for (command, action) in access.commands() {
        let shown = access.allows(Role::Wall, action) && command != "operate";
        assert_eq!(
            screens.contains(command),
            shown,
            "screens.json and `{command}`"
        );
        assert_eq!(
            console.contains(command),
            !shown,
            "console.json and `{command}`"
        );
    }
    assert_eq!(screen_windows, ["wall", "screen-*"]);
    for label in [
        "wall",
        "screen-0-panels",
        "screen-2-full",
        "screen-1-map",
        "screen-3-video",
    ] {
        let operates = console_windows.iter().any(|w| {
            w == label
                || w.strip_prefix("screen-*")
                    .is_some_and(|tail| label.starts_with("screen-") && label.ends_with(tail))
        });
        assert_eq!(
            operates,
            citywall_engine::wall::window_operates(label),
            "console.json's windows and `{label}`"
        );
    }
}

async fn logging_out_ends_the_session(wall: &Wall) {
    let Wall {
        engine,
        base,
        client,
        sessions,
        now,
        ..
    } = wall;
    let now = *now;
    // Logging out ends the session; an expired session opens nothing.
    let (_, duty) = &sessions[0];
    assert!(engine
        .store()
        .session(duty, now + SESSION_MS + 1_000)
        .await
        .unwrap()
        .is_none());
    let out = client
        .post(format!("{base}/api/v1/logout"))
        .bearer_auth(duty)
        .send()
        .await
        .expect("logout");
    assert_eq!(out.status(), 200);
    let after = client
        .get(format!("{base}/api/v1/meta"))
        .bearer_auth(duty)
        .send()
        .await
        .expect("meta");
    assert_eq!(after.status(), 401, "a logged-out session still works");
}

async fn guessing_locks_the_account_and_names_tell_nothing(wall: &Wall) {
    let Wall { base, client, .. } = wall;
    // Brute force: five wrong passwords lock the account; then even the right one is refused.
    for attempt in 1..=MAX_FAILURES {
        let answer = client
            .post(format!("{base}/api/v1/login"))
            .json(&serde_json::json!({"name": "leader", "password": format!("guess {attempt}")}))
            .send()
            .await
            .expect("login");
        let expected = if attempt < MAX_FAILURES { 401 } else { 429 };
        assert_eq!(answer.status(), expected, "attempt {attempt}");
    }
    let locked = client
        .post(format!("{base}/api/v1/login"))
        .json(&serde_json::json!({"name": "leader", "password": "correct horse battery"}))
        .send()
        .await
        .expect("login");
    assert_eq!(locked.status(), 429);
    let text = locked.text().await.unwrap_or_default();
    assert!(text.contains("locked"), "{text}");
    // An unknown name gets the same answer as a wrong password.
    let unknown = client
        .post(format!("{base}/api/v1/login"))
        .json(&serde_json::json!({"name": "nobody", "password": "x"}))
        .send()
        .await
        .expect("login");
    assert_eq!(unknown.status(), 401);
    assert!(unknown
        .text()
        .await
        .unwrap_or_default()
        .contains("name or the password is wrong"));
}

async fn every_attempt_is_audited_without_a_secret(wall: &Wall) {
    let Wall {
        engine, sessions, ..
    } = wall;
    let (_, duty) = &sessions[0];
    // Every attempt is in the audit log, and the chain holds; no password or token is in it.
    let log = engine.store().audit(0, 1000).await.expect("audit");
    let count = |action: &str| log.iter().filter(|r| r.action == action).count();
    assert_eq!(count("login.ok"), Role::ALL.len());
    assert_eq!(count("login.failed"), MAX_FAILURES as usize + 1);
    assert_eq!(count("login.locked"), 1);
    assert_eq!(count("logout"), 1);
    assert!(count("audit.export") >= 1);
    assert_eq!(count("user.add"), Role::ALL.len());
    let all = serde_json::to_string(&log).expect("json");
    assert!(!all.contains("correct horse") && !all.contains(duty.as_str()) && !all.contains(TOKEN));
    let check = engine.store().verify_audit().await.expect("verify");
    assert_eq!(check.broken, None);
    engine.shutdown();
}
