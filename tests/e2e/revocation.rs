//! Taking access away: a kiosk token past its expiry opens nothing, and an account disabled or
//! removed with `citywall user …` loses its open sessions at once and cannot log in — each
//! change signed into the audit log.

use std::path::Path;

use citywall_e2e::{scratch_dir, serve_loopback};
use citywall_engine::api::AccessMode;
use citywall_engine::{Api, Config};

const TOKEN: &str = "kiosk-token-0123456789";

async fn wall(dir: &Path, token_expires: Option<i64>) -> (std::net::SocketAddr, Api) {
    let config = Config::parse("[store]\npath = \"wall.db\"\n", "wall.toml", dir).expect("config");
    let engine = citywall_e2e::start_engine(config).await.expect("engine");
    let api = Api::new(engine).with_access(AccessMode {
        open: false,
        token: Some(TOKEN.into()),
        token_expires,
        ..Default::default()
    });
    let addr = serve_loopback(citywall_server::router(api.clone(), None)).await;
    (addr, api)
}

async fn status_with(addr: std::net::SocketAddr, bearer: &str) -> (u16, String) {
    let answer = reqwest::Client::new()
        .get(format!("http://{addr}/api/v1/warnings"))
        .bearer_auth(bearer)
        .send()
        .await
        .expect("answered");
    let status = answer.status().as_u16();
    (status, answer.text().await.unwrap_or_default())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_token_opens_nothing() {
    let now = citywall_engine::model::now_ms();
    let (addr, _) = wall(&scratch_dir("revoke-expired"), Some(now - 1_000)).await;
    let (status, said) = status_with(addr, TOKEN).await;
    assert_eq!(status, 401, "{said}");
    assert!(said.contains("expired"), "{said}");
    let (addr, _) = wall(&scratch_dir("revoke-valid"), Some(now + 3_600_000)).await;
    assert_eq!(status_with(addr, TOKEN).await.0, 200);
}

fn citywall(config: &Path, args: &[&str]) -> (bool, String) {
    let binary = citywall_e2e::citywall_binary();
    let out = std::process::Command::new(binary)
        .arg("--config")
        .arg(config)
        .args(args)
        .env("CITYWALL_PASSWORD", "correct horse battery")
        .env_remove("CITYWALL_AUDIT_KEY")
        .output()
        .expect("citywall runs");
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), said)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_disabled_or_removed_account_is_out_at_once() {
    if citywall_e2e::on_postgres() {
        eprintln!("skipped on PostgreSQL: `citywall user` / `audit` read the config file, which names SQLite here");
        return;
    }
    let dir = scratch_dir("revoke-accounts");
    let config = dir.join("wall.toml");
    std::fs::write(&config, "[store]\npath = \"wall.db\"\n").expect("config");
    let (ok, said) = citywall(&config, &["user", "add", "duty1", "--role", "duty"]);
    assert!(ok, "{said}");
    let (_, api) = wall(&dir, None).await;
    let session = api
        .login("duty1", "correct horse battery", None)
        .await
        .expect("login");
    assert!(api.principal(Some(&session.token)).await.is_ok());

    let (ok, said) = citywall(&config, &["user", "disable", "duty1"]);
    assert!(ok, "{said}");
    assert!(
        api.principal(Some(&session.token)).await.is_err(),
        "the open session still works"
    );
    let refused = api.login("duty1", "correct horse battery", None).await;
    assert!(refused.is_err_and(|e| e.to_string().contains("name or the password is wrong")));
    let (_, listed) = citywall(&config, &["user", "list"]);
    assert!(listed.contains("duty1\tduty\tdisabled"), "{listed}");

    let (ok, said) = citywall(&config, &["user", "enable", "duty1"]);
    assert!(ok, "{said}");
    let session = api
        .login("duty1", "correct horse battery", None)
        .await
        .expect("login again");
    let (ok, said) = citywall(&config, &["user", "remove", "duty1"]);
    assert!(ok, "{said}");
    assert!(api.principal(Some(&session.token)).await.is_err());
    let (ok, said) = citywall(&config, &["user", "remove", "duty1"]);
    assert!(!ok && said.contains("no account `duty1`"), "{said}");

    // Every change is in the log, signed with the same key the wall signs with.
    let (ok, said) = citywall(&config, &["audit", "verify"]);
    assert!(ok, "{said}");
    let log = api.engine().store().audit(0, 100).await.expect("log");
    for action in ["user.disable", "user.enable", "user.remove"] {
        assert!(
            log.iter().any(|r| r.action == action),
            "{action} not audited"
        );
    }
}
