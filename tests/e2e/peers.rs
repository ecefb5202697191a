//! Real peers on loopback, through the real path: `pygeoapi` (OGC API – Features) serving a
//! collection that the `ogc-features` connector pages through, and `django-ogc-sensorthings`
//! (OGC SensorThings API 1.1) holding water-level gauges whose latest observations feed the
//! flood layer, and `mosquitto` (MQTT) pushing gauge readings. The peers live in the project's
//! Python environment (`.venv`, made by `scripts/setup.sh`); `make test` sets
//! `CITYWALL_REQUIRE_PEERS=1` so a missing peer fails there instead of skipping.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use citywall_e2e::{free_port, scratch_dir, wait_for};
use citywall_engine::api::FeatureQuery;
use citywall_engine::health::SourceState;
use citywall_engine::{Api, Config};
use serde_json::json;

fn venv_bin(name: &str) -> Option<PathBuf> {
    let path = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../.venv/bin")).join(name);
    path.exists().then_some(path)
}

fn required() -> bool {
    std::env::var("CITYWALL_REQUIRE_PEERS").is_ok_and(|v| v == "1")
}

/// A peer process, stopped when the test ends.
struct Peer(Child);

impl Drop for Peer {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

async fn wait_http(url: &str, what: &str) {
    wait_for(what, Duration::from_secs(60), async || {
        reqwest::get(url)
            .await
            .ok()
            .filter(|r| r.status().is_success())
            .map(|_| ())
    })
    .await;
}

fn pygeoapi_config(dir: &Path, port: u16, data: &Path) -> String {
    format!(
        r#"server:
  bind: {{host: 127.0.0.1, port: {port}}}
  url: http://127.0.0.1:{port}
  mimetype: application/json; charset=UTF-8
  encoding: utf-8
  language: zh-CN
  pretty_print: false
  limit: 50
  map: {{url: "http://127.0.0.1:{port}/none/{{z}}/{{x}}/{{y}}.png", attribution: "none"}}
logging: {{level: ERROR, logfile: {log}}}
metadata:
  identification: {{title: 易涝点, description: flood gauges, keywords: [flood], keywords_type: theme, terms_of_service: none, url: "http://127.0.0.1"}}
  license: {{name: none, url: "http://127.0.0.1"}}
  provider: {{name: test, url: "http://127.0.0.1"}}
  contact: {{name: test, position: test, address: test, city: test, stateorprovince: test, postalcode: "0", country: test, phone: "0", fax: "0", email: "duty@example.org", url: "http://127.0.0.1", hours: "0", instructions: none, role: pointOfContact}}
resources:
  gauges:
    type: collection
    title: 易涝点水位计
    description: water-level gauges
    keywords: [flood]
    extents:
      spatial: {{bbox: [-180, -90, 180, 90], crs: "http://www.opengis.net/def/crs/OGC/1.3/CRS84"}}
    providers:
      - type: feature
        name: GeoJSON
        data: {data}
        id_field: gid
"#,
        log = dir.join("pygeoapi.log").display(),
        data = data.display()
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ogc_features_pages_through_pygeoapi() {
    let (Some(python), Some(pygeoapi)) = (venv_bin("python"), venv_bin("pygeoapi")) else {
        assert!(
            !required(),
            "pygeoapi is not installed in .venv (run scripts/setup.sh)"
        );
        eprintln!("skipping: pygeoapi is not installed in .venv (run scripts/setup.sh)");
        return;
    };
    let dir = scratch_dir("pygeoapi");
    let features: Vec<_> = (0..230)
        .map(|i| {
            json!({"type": "Feature", "id": format!("g{i}"), "geometry": {"type": "Point", "coordinates": [118.2 + (i % 23) as f64 * 0.005, 33.9 + (i / 23) as f64 * 0.01]},
                   "properties": {"gid": format!("g{i}"), "name": format!("测点{i}"), "level_m": i as f64 / 1000.0}})
        })
        .collect();
    let data = dir.join("gauges.geojson");
    std::fs::write(
        &data,
        json!({"type": "FeatureCollection", "features": features}).to_string(),
    )
    .expect("data written");
    let port = free_port();
    let config = dir.join("pygeoapi.yml");
    let openapi = dir.join("openapi.yml");
    std::fs::write(&config, pygeoapi_config(&dir, port, &data)).expect("config written");
    let status = Command::new(&pygeoapi)
        .args(["openapi", "generate"])
        .arg(&config)
        .arg("--output-file")
        .arg(&openapi)
        .stdout(Stdio::null())
        .status()
        .expect("pygeoapi runs");
    assert!(status.success(), "pygeoapi openapi generate failed");
    let _peer = Peer(
        Command::new(&python)
            .args([
                "-m",
                "flask",
                "--app",
                "pygeoapi.flask_app:APP",
                "run",
                "--host",
                "127.0.0.1",
                "--port",
                &port.to_string(),
                "--no-reload",
                "--no-debugger",
            ])
            .env("PYGEOAPI_CONFIG", &config)
            .env("PYGEOAPI_OPENAPI", &openapi)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("pygeoapi starts"),
    );
    wait_http(
        &format!("http://127.0.0.1:{port}/collections?f=json"),
        "pygeoapi to answer",
    )
    .await;

    let text = format!(
        "[[layer]]\nid = \"flood\"\n\n[[source]]\nid = \"pygeoapi\"\nlayer = \"flood\"\nkind = \"ogc-features\"\nurl = \"http://127.0.0.1:{port}\"\ncollection = \"gauges\"\nlimit = 40\ninterval_s = 1\n"
    );
    let engine =
        citywall_e2e::start_engine(Config::parse(&text, "peers.toml", &dir).expect("valid config"))
            .await
            .expect("engine starts");
    let api = Api::new(engine.clone());
    let status = wait_for(
        "all 230 items over 6 pages",
        Duration::from_secs(20),
        async || {
            let s = api.sources().into_iter().next()?;
            (s.state == SourceState::Ok && s.count == 230).then_some(s)
        },
    )
    .await;
    assert_eq!(status.rejected_last, 0);
    let fc = api
        .features(
            &FeatureQuery::new("flood", Some([118.19, 33.89, 118.21, 33.95]), None).expect("query"),
        )
        .expect("features");
    let first = fc["features"]
        .as_array()
        .and_then(|f| f.iter().find(|f| f["id"] == "g0"))
        .cloned()
        .expect("g0 in the box");
    assert_eq!(first["properties"]["name"], "测点0");
    engine.shutdown();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sensorthings_gauges_feed_the_flood_layer() {
    let Some(python) = venv_bin("python").filter(|_| venv_bin("django-admin").is_some()) else {
        assert!(
            !required(),
            "django-ogc-sensorthings is not installed in .venv (run scripts/setup.sh)"
        );
        eprintln!(
            "skipping: django-ogc-sensorthings is not installed in .venv (run scripts/setup.sh)"
        );
        return;
    };
    let dir = scratch_dir("sensorthings");
    let port = free_port();
    let project = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/peers/sensorthings"));
    let django = |args: &[&str]| {
        let mut c = Command::new(&python);
        c.args(["-m", "django"])
            .args(args)
            .env("PYTHONPATH", &project)
            .env("DJANGO_SETTINGS_MODULE", "sta_settings")
            .env("STA_DB", dir.join("sta.sqlite3"))
            .env("STA_URL", format!("http://127.0.0.1:{port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        c
    };
    assert!(
        django(&["migrate", "-v0"])
            .status()
            .expect("django runs")
            .success(),
        "migrations"
    );
    let _peer = Peer(
        django(&["runserver", &format!("127.0.0.1:{port}"), "--noreload"])
            .spawn()
            .expect("the SensorThings server starts"),
    );
    let base = format!("http://127.0.0.1:{port}/v1.1");
    wait_http(&format!("{base}/"), "the SensorThings server").await;

    // Forty gauges, each with two readings; the later one is the one the wall must show.
    let client = reqwest::Client::new();
    for i in 0..40 {
        let thing = json!({
            "name": format!("易涝点{i}"), "description": "积水监测",
            "properties": {"kind": "下穿通道", "threshold_blue_m": 0.15, "threshold_red_m": 0.5},
            "Locations": [{"name": "位置", "description": "位置", "encodingType": "application/geo+json",
                           "location": {"type": "Point", "coordinates": [118.2 + i as f64 * 0.004, 33.95]}}],
            "Datastreams": [{
                "name": "水位", "description": "积水深度",
                "observationType": "http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Measurement",
                "unitOfMeasurement": {"name": "metre", "symbol": "m", "definition": "http://qudt.org/vocab/unit/M"},
                "Sensor": {"name": "雷达水位计", "description": "radar gauge", "encodingType": "application/pdf", "metadata": "none"},
                "ObservedProperty": {"name": "water depth", "definition": "http://example.org/depth", "description": "depth"},
                "Observations": [
                    {"phenomenonTime": "2026-07-01T10:00:00Z", "resultTime": "2026-07-01T10:00:00Z", "result": 0.01},
                    {"phenomenonTime": "2026-07-01T10:05:00Z", "resultTime": "2026-07-01T10:05:00Z", "result": i as f64 / 100.0}
                ]
            }]
        });
        let r = client
            .post(format!("{base}/Things"))
            .json(&thing)
            .send()
            .await
            .expect("POST Things");
        assert_eq!(r.status().as_u16(), 201, "creating gauge {i}");
    }

    // This peer orders nested Observations on resultTime only; the option exists for such servers.
    let text = format!(
        "[[layer]]\nid = \"flood\"\n\n[[source]]\nid = \"sta\"\nlayer = \"flood\"\nkind = \"sensorthings\"\nurl = \"{base}\"\nlimit = 15\nobservation_order = \"resultTime\"\ndatastreams = {{ \"水位\" = \"level_m\" }}\ninterval_s = 1\n"
    );
    let engine =
        citywall_e2e::start_engine(Config::parse(&text, "sta.toml", &dir).expect("valid config"))
            .await
            .expect("engine starts");
    let api = Api::new(engine.clone());
    wait_for(
        "40 gauges over three pages",
        Duration::from_secs(20),
        async || {
            let s = api.sources().into_iter().next()?;
            (s.state == SourceState::Ok && s.count == 40).then_some(())
        },
    )
    .await;
    let fc = api
        .features(&FeatureQuery::new("flood", None, None).expect("query"))
        .expect("features");
    let gauges = fc["features"].as_array().expect("features");
    let g7 = gauges
        .iter()
        .find(|f| f["properties"]["name"] == "易涝点7")
        .expect("gauge 7");
    assert_eq!(
        g7["properties"]["level_m"], 0.07,
        "the latest reading, not the first"
    );
    assert_eq!(g7["properties"]["kind"], "下穿通道");
    assert!(g7["properties"]["observed_at"]
        .as_str()
        .is_some_and(|t| t.starts_with("2026-07-01T10:05")));
    engine.shutdown();
}

fn mosquitto(port: u16) -> Option<Peer> {
    let binary = ["/usr/sbin/mosquitto", "/usr/bin/mosquitto"]
        .into_iter()
        .find(|p| Path::new(p).exists())?;
    Command::new(binary)
        .args(["-p", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .ok()
        .map(Peer)
}

async fn publish(port: u16, messages: &[(&str, String)]) {
    let mut options = rumqttc::MqttOptions::new(format!("citywall-test-{port}"), "127.0.0.1", port);
    options.set_keep_alive(Duration::from_secs(5));
    let (client, mut eventloop) = rumqttc::AsyncClient::new(options, 64);
    for (topic, payload) in messages {
        client
            .publish(*topic, rumqttc::QoS::AtLeastOnce, false, payload.clone())
            .await
            .expect("queued");
    }
    let mut acked = 0;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while acked < messages.len() && tokio::time::Instant::now() < deadline {
        if let Ok(Ok(rumqttc::Event::Incoming(rumqttc::Packet::PubAck(_)))) =
            tokio::time::timeout(Duration::from_secs(1), eventloop.poll()).await
        {
            acked += 1;
        }
    }
    assert_eq!(
        acked,
        messages.len(),
        "the broker acknowledged every message"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mqtt_readings_arrive_and_survive_a_broker_restart() {
    let port = free_port();
    let Some(broker) = mosquitto(port) else {
        assert!(
            !required(),
            "mosquitto is not installed (Debian package mosquitto)"
        );
        eprintln!("skipping: mosquitto is not installed");
        return;
    };
    let mut broker = Some(broker);
    wait_for("the broker", Duration::from_secs(10), async || {
        std::net::TcpStream::connect(("127.0.0.1", port))
            .ok()
            .map(|_| ())
    })
    .await;
    let dir = scratch_dir("mqtt");
    let text = format!(
        "[[layer]]\nid = \"flood\"\n\n[[source]]\nid = \"gauges\"\nlayer = \"flood\"\nkind = \"mqtt\"\nurl = \"mqtt://127.0.0.1:{port}\"\ntopics = [\"city/flood/+/level\"]\nfields = {{ id = \"gauge\", lon = \"lng\", lat = \"lat\" }}\ninterval_s = 0.3\nmax_backoff_s = 1\n"
    );
    let engine =
        citywall_e2e::start_engine(Config::parse(&text, "mqtt.toml", &dir).expect("valid config"))
            .await
            .expect("engine starts");
    let api = Api::new(engine.clone());
    wait_for("the subscription", Duration::from_secs(10), async || {
        (api.sources().first()?.state == SourceState::Ok).then_some(())
    })
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let reading = |i: usize, level: f64| {
        (("city/flood/x/level"), json!({"gauge": format!("g{i}"), "lng": 118.2 + i as f64 * 0.01, "lat": 33.95, "level_m": level}).to_string())
    };
    let mut messages: Vec<(&str, String)> = (0..5).map(|i| reading(i, 0.1)).collect();
    messages.push(("city/flood/x/level", "level=0.3".to_string()));
    publish(port, &messages).await;
    let status = wait_for(
        "five readings and one rejected message",
        Duration::from_secs(10),
        async || {
            let s = api.sources().into_iter().next()?;
            (s.count == 5 && s.rejected_total == 1).then_some(s)
        },
    )
    .await;
    assert!(status
        .last_error
        .is_some_and(|e| e.contains("not valid JSON")));

    // The broker goes away: failing, with the reason; the readings stay.
    drop(broker.take());
    let failing = wait_for("the source failing", Duration::from_secs(15), async || {
        let s = api.sources().into_iter().next()?;
        (s.state == SourceState::Failing).then_some(s)
    })
    .await;
    assert!(failing
        .last_error
        .is_some_and(|e| e.contains("MQTT broker mqtt://127.0.0.1")));
    assert_eq!(api.layers()[0].count, 5);

    // It comes back: the client reconnects, resubscribes, and new readings land.
    broker = mosquitto(port);
    assert!(broker.is_some());
    wait_for("reconnected", Duration::from_secs(15), async || {
        (api.sources().first()?.state != SourceState::Failing).then_some(())
    })
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    publish(port, &[reading(2, 0.42)]).await;
    wait_for("the new reading", Duration::from_secs(10), async || {
        let fc = api
            .features(&FeatureQuery::new("flood", None, None).ok()?)
            .ok()?;
        fc["features"]
            .as_array()?
            .iter()
            .any(|f| f["id"] == "g2" && f["properties"]["level_m"] == 0.42)
            .then_some(())
    })
    .await;
    engine.shutdown();
}
