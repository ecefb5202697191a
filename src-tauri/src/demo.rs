//! Demo mode: starts the simulated city's subsystems on loopback and builds the engine config
//! that polls them. The engine itself runs exactly as in a deployment.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use citywall_engine::config::DemoClock;
use citywall_engine::Config;
use citywall_sim::{SimCity, Subsystem};

/// How often the demo polls each simulated subsystem, in seconds.
const DEMO_POLL_S: f64 = 2.0;

/// The demo's running parts; dropping it stops the MQTT broker and removes the demo's store.
pub struct Demo {
    /// Held so the simulated subsystems live as long as the wall.
    _sim: Arc<SimCity>,
    /// mosquitto, when the machine has it (`scripts/setup.sh` installs it).
    _broker: Option<tokio::process::Child>,
    _store: DemoStore,
}

/// Where every demo keeps its store: one folder under the temp directory, holding a folder per
/// running demo (tests run several at once) named by its pid and removed when that demo stops. A
/// demo that was killed leaves its folder behind; the next demo to start removes it.
fn demo_store_dir() -> PathBuf {
    std::env::temp_dir().join("citywall-demo")
}

/// One demo's folder (its SQLite store and the region files it polls), removed on drop.
struct DemoStore {
    dir: PathBuf,
}

impl Drop for DemoStore {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn alive(pid: u32) -> bool {
    Path::new("/proc").join(pid.to_string()).exists()
}

/// Removes the folders of demos that are no longer running, here and (named
/// `citywall-demo-<pid>`) where earlier versions left them under the temp directory.
fn sweep_dead_stores(dir: &Path, temp: &Path) {
    if !Path::new("/proc/self").exists() {
        return; // no way to tell a live demo from a dead one here: leave everything
    }
    let dead = |name: &str, prefix: &str| {
        name.strip_prefix(prefix)
            .and_then(|p| p.parse::<u32>().ok())
            .is_some_and(|pid| !alive(pid))
    };
    for (folder, prefix) in [(dir, ""), (temp, "citywall-demo-")] {
        for entry in std::fs::read_dir(folder).into_iter().flatten().flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if dead(&name, prefix) && entry.path().is_dir() {
                let _ = std::fs::remove_dir_all(entry.path());
            }
        }
    }
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
    sim.start_portal(0)
        .await
        .context("starting the simulated city GIS portal")?;
    let (cameras, components) = inventory_size();
    sim.start_inventory(cameras, components)
        .await
        .context("starting the simulated camera directory and component census")?;
    sim.start_video(0)
        .await
        .context("starting the simulated video platform")?;
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
    let root = demo_store_dir();
    sweep_dead_stores(&root, &std::env::temp_dir());
    // A folder left by an earlier process with this pid is not this demo's history.
    let store = DemoStore {
        dir: root.join(std::process::id().to_string()),
    };
    let _ = std::fs::remove_dir_all(&store.dir);
    let dir = store.dir.clone();
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
            _store: store,
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
    // The city GIS portal after the subsystems: its layers at /layers/{id}.
    let portal_port = port_base
        .checked_add(10)
        .context("--port-base is too high")?;
    let portal = sim
        .start_portal(portal_port)
        .await
        .with_context(|| format!("starting the city GIS portal on 127.0.0.1:{portal_port}"))?;
    println!("城市GIS门户 (congestion, flood_extent, closures …): http://{portal}/layers/{{id}}");
    let video_port = port_base
        .checked_add(11)
        .context("--port-base is too high")?;
    let (video, rtsp) = sim.start_video(video_port).await.with_context(|| {
        format!("starting the video platform on 127.0.0.1:{video_port} and the port after it")
    })?;
    println!("视频平台 (RTSP H.264/MJPEG): rtsp://{rtsp}/video/{{camera}}/sub.h264");
    println!("视频平台 (MJPEG over HTTP): http://{video}/video/{{camera}}/sub.mjpeg");
    println!("simulated city running at {time_scale}× — Ctrl-C stops it");
    tokio::signal::ctrl_c()
        .await
        .context("waiting for Ctrl-C")?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dead_demos_folders_are_swept_and_live_ones_kept() {
        let temp = std::env::temp_dir().join(format!("citywall-sweep-test-{}", std::process::id()));
        let dir = temp.join("citywall-demo");
        // No pid reaches this on Linux (pid_max is at most 2^22).
        let dead = 4_000_000_000u32;
        let me = std::process::id();
        for sub in [
            dir.join(dead.to_string()),
            dir.join(me.to_string()),
            dir.join("notes"),
            temp.join(format!("citywall-demo-{dead}")),
        ] {
            std::fs::create_dir_all(&sub).unwrap();
            std::fs::write(sub.join("demo.db"), b"x").unwrap();
        }
        sweep_dead_stores(&dir, &temp);
        let mut left: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(left, [me.to_string(), "notes".to_string()]);
        assert!(!temp.join(format!("citywall-demo-{dead}")).exists());
        drop(DemoStore {
            dir: dir.join(me.to_string()),
        });
        assert!(!dir.join(me.to_string()).exists());
        std::fs::remove_dir_all(&temp).unwrap();
    }
}
