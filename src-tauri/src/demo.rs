//! Demo mode: starts the simulated city's subsystems on loopback and builds the engine config
//! that polls them. The engine itself runs exactly as in a deployment.

use std::sync::Arc;

use anyhow::Context;
use citywall_engine::config::DemoClock;
use citywall_engine::Config;
use citywall_sim::{SimCity, Subsystem};

/// How often the demo polls each simulated subsystem, in seconds.
const DEMO_POLL_S: f64 = 2.0;

/// The demo's running parts; dropping it stops the MQTT broker.
pub struct Demo {
    /// Held so the simulated subsystems live as long as the wall.
    _sim: Arc<SimCity>,
    /// mosquitto, when the machine has it (`scripts/setup.sh` installs it).
    _broker: Option<tokio::process::Child>,
}

/// Starts a private mosquitto on a free loopback port for the rain gauges, if installed.
async fn start_broker() -> Option<(tokio::process::Child, u16)> {
    let binary = [
        "/usr/sbin/mosquitto",
        "/usr/bin/mosquitto",
        "/usr/local/sbin/mosquitto",
    ]
    .into_iter()
    .find(|p| std::path::Path::new(p).exists())?;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .ok()?
        .port();
    let mut command = tokio::process::Command::new(binary);
    command
        .args(["-p", &port.to_string()])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true);
    let child = command.spawn().ok()?;
    for _ in 0..50 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            return Some((child, port));
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    None
}

pub async fn start(seed: u64, time_scale: f64) -> anyhow::Result<(Config, Demo)> {
    anyhow::ensure!(
        time_scale.is_finite() && time_scale > 0.0,
        "--time-scale must be a positive number"
    );
    let now = chrono_now();
    let sim = SimCity::new(seed, now, time_scale);
    sim.start_all()
        .await
        .context("starting the simulated city's services on loopback")?;
    let (cameras, components) = inventory_size();
    sim.start_inventory(cameras, components)
        .await
        .context("starting the simulated camera directory and component census")?;
    let broker = match start_broker().await {
        Some((child, port)) => {
            sim.start_rain_publisher(port);
            Some(child)
        }
        None => {
            tracing::warn!(
                "mosquitto is not installed: the demo runs without its MQTT rain gauges"
            );
            None
        }
    };
    let dir = std::env::temp_dir().join(format!("citywall-demo-{}", std::process::id()));
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let text = sim.engine_config(&dir.join("demo.db").display().to_string(), DEMO_POLL_S);
    let mut config = Config::parse(&text, "<demo>", &dir).context("the demo config")?;
    config.demo_clock = Some(DemoClock {
        wall_origin_ms: (now * 1000.0) as i64,
        sim_origin_ms: (now * 1000.0) as i64,
        scale: time_scale,
    });
    Ok((
        config,
        Demo {
            _sim: sim,
            _broker: broker,
        },
    ))
}

/// Cameras and city components in the demo: the deployment sizes the issue names (40,000 and
/// 500,000), scaled by `CITYWALL_DEMO_INVENTORY` (a fraction, e.g. 0.1) on small machines.
fn inventory_size() -> (usize, usize) {
    let scale = std::env::var("CITYWALL_DEMO_INVENTORY")
        .ok()
        .and_then(|v| v.parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s >= 0.0)
        .unwrap_or(1.0);
    (
        (citywall_sim::inventory::CAMERAS as f64 * scale) as usize,
        (citywall_sim::inventory::COMPONENTS as f64 * scale) as usize,
    )
}

fn chrono_now() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

/// The simulated subsystems alone, on fixed ports, until Ctrl-C.
pub async fn run_sim(seed: u64, time_scale: f64, port_base: u16) -> anyhow::Result<()> {
    let sim = SimCity::new(seed, chrono_now(), time_scale);
    let (cameras, components) = inventory_size();
    sim.size_inventory(cameras, components);
    for (offset, subsystem) in Subsystem::ALL
        .into_iter()
        .chain(Subsystem::INVENTORY)
        .enumerate()
    {
        let port = port_base
            .checked_add(offset as u16)
            .context("--port-base is too high")?;
        sim.start_on(subsystem, port)
            .await
            .with_context(|| format!("starting {} on 127.0.0.1:{port}", subsystem.title_zh()))?;
        println!(
            "{} ({}): {}",
            subsystem.title_zh(),
            subsystem.layer(),
            sim.url(subsystem).unwrap_or_default()
        );
    }
    println!("simulated city running at {time_scale}× — Ctrl-C stops it");
    tokio::signal::ctrl_c()
        .await
        .context("waiting for Ctrl-C")?;
    Ok(())
}
