//! Browser mode beyond loopback: a wall on a network address speaks only HTTPS from the
//! configured certificate, marks its session cookie `Secure`, and refuses to start plain or with
//! nobody able to sign in — each refusal naming the setting to change.

use std::path::{Path, PathBuf};

use citywall_e2e::scratch_dir;
use citywall_engine::access::Role;
use citywall_engine::api::AccessMode;
use citywall_engine::{Api, Config};
use citywall_server as serve;
use citywall_server::listen::{admission, tls_acceptor};

/// A self-signed certificate for `localhost` and 127.0.0.1, written as PEM files.
fn certificate(dir: &Path) -> (PathBuf, PathBuf, reqwest::Certificate) {
    let signed = rcgen::generate_simple_self_signed(vec!["localhost".into(), "127.0.0.1".into()])
        .expect("certificate");
    let cert = dir.join("wall.crt");
    let key = dir.join("wall.key");
    std::fs::write(&cert, signed.cert.pem()).expect("write cert");
    std::fs::write(&key, signed.key_pair.serialize_pem()).expect("write key");
    let trusted = reqwest::Certificate::from_pem(signed.cert.pem().as_bytes()).expect("pem");
    (cert, key, trusted)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_wall_over_https_sets_a_secure_cookie_and_refuses_plain_http() {
    let dir = scratch_dir("tls");
    let (cert, key, trusted) = certificate(&dir);
    let config = Config::parse(
        &format!(
            "[store]\npath = \"wall.db\"\n\n[serve]\naddress = \"127.0.0.1\"\ntls_cert = \"{}\"\ntls_key = \"{}\"\n",
            cert.display(),
            key.display()
        ),
        "wall.toml",
        &dir,
    )
    .expect("config");
    let (cert, key) = config.serve.tls().expect("tls configured");
    let acceptor = tls_acceptor(cert, key).expect("certificate loads");
    let engine = citywall_e2e::start_engine(config.clone())
        .await
        .expect("engine");
    engine
        .store()
        .put_user("duty", Role::Duty, "correct horse battery", "test", 0)
        .await
        .expect("account");
    let api = Api::new(engine.clone()).with_access(AccessMode {
        open: false,
        secure_cookie: true,
        ..Default::default()
    });
    let (addr, server) = serve::bind_at(api, "127.0.0.1:0".parse().unwrap(), Some(acceptor), None)
        .await
        .expect("bind");
    tokio::spawn(server);

    let client = reqwest::Client::builder()
        .add_root_certificate(trusted)
        .build()
        .expect("client");
    let base = format!("https://localhost:{}", addr.port());
    let anonymous = client
        .get(format!("{base}/api/v1/layers"))
        .send()
        .await
        .expect("https answers");
    assert_eq!(anonymous.status(), 401, "no login, no layers");
    let login = client
        .post(format!("{base}/api/v1/login"))
        .json(&serde_json::json!({"name": "duty", "password": "correct horse battery"}))
        .send()
        .await
        .expect("login");
    assert_eq!(login.status(), 200);
    let cookie = login
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("Secure"),
        "{cookie}"
    );
    let token = login.json::<serde_json::Value>().await.expect("json")["token"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let layers = client
        .get(format!("{base}/api/v1/layers"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("layers");
    assert_eq!(layers.status(), 200);

    // The same port does not answer plain HTTP.
    let plain = reqwest::Client::new()
        .get(format!("http://127.0.0.1:{}/api/v1/meta", addr.port()))
        .timeout(std::time::Duration::from_secs(5))
        .send()
        .await;
    assert!(plain.is_err(), "plain HTTP answered: {plain:?}");
    // A client that never finishes its handshake does not hold the door for others.
    let _silent = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let again = client
        .get(format!("{base}/api/v1/whoami"))
        .send()
        .await
        .expect("https answers beside a silent client");
    assert_eq!(again.status(), 200);
    engine.shutdown();
}

#[test]
fn a_network_address_without_tls_is_a_config_error_naming_the_fix() {
    let err = Config::parse(
        "[store]\npath = \"wall.db\"\n\n[serve]\naddress = \"0.0.0.0\"\n",
        "wall.toml",
        Path::new("."),
    )
    .expect_err("refused")
    .to_string();
    assert!(
        err.contains("wall.toml:") && err.contains("serve.address") && err.contains("tls_cert"),
        "{err}"
    );
    let err = Config::parse(
        "[store]\npath = \"wall.db\"\n\n[serve]\naddress = \"城市\"\n",
        "wall.toml",
        Path::new("."),
    )
    .expect_err("refused")
    .to_string();
    assert!(err.contains("is not an IP address"), "{err}");
}

#[test]
fn the_server_on_the_network_never_runs_open() {
    let lan = "10.0.0.5:8443".parse().unwrap();
    assert!(
        admission(lan, false, true, 1).is_err(),
        "plain HTTP on the LAN"
    );
    let nobody = admission(lan, true, false, 0)
        .expect_err("refused")
        .to_string();
    assert!(nobody.contains("citywall user add"), "{nobody}");
    assert_eq!(admission(lan, true, false, 1).ok(), Some(false));
    assert_eq!(
        admission("127.0.0.1:8765".parse().unwrap(), false, false, 0).ok(),
        Some(true)
    );
}

/// The binary refuses, before listening, a network address nobody could sign in to.
#[test]
fn citywall_serve_refuses_a_network_address_with_no_account_or_token() {
    let binary = citywall_e2e::citywall_binary();
    let dir = scratch_dir("tls-cli");
    let (cert, key, _) = certificate(&dir);
    let config = dir.join("wall.toml");
    std::fs::write(
        &config,
        format!(
            "[store]\npath = \"wall.db\"\n\n[serve]\naddress = \"0.0.0.0\"\ntls_cert = \"{}\"\ntls_key = \"{}\"\n",
            cert.display(),
            key.display()
        ),
    )
    .expect("config");
    let out = std::process::Command::new(&binary)
        .arg("--config")
        .arg(&config)
        .arg("serve")
        .env_remove("CITYWALL_TOKEN")
        .output()
        .expect("citywall runs");
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "started: {said}");
    assert!(said.contains("nobody could sign in"), "{said}");
}
