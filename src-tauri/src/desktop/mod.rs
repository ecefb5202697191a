//! The desktop window: its windows per screen, the commands (in [`commands`]) that call the
//! engine's `Api`, and the change feed forwarded to the window as `citywall://delta` events.

mod commands;
mod operations;

use crate::demo::Demo;
use citywall_engine::Api;
use commands::StreamLayers;
use std::sync::Mutex;

use tauri::{Emitter, Manager, RunEvent, WebviewUrl, WebviewWindowBuilder};
use tokio::sync::broadcast::error::RecvError;

/// Opens the wall's windows: one per screen of the `[wall]` config on the monitors the OS
/// reports (remembering which monitor each screen went to), or one spanning window, or — with no
/// `[wall]` — the single window of a console.
fn open_wall(app: &tauri::App, api: &Api, title: &str, fullscreen: bool) -> anyhow::Result<()> {
    use citywall_engine::wall::{plan, Arrangement, Monitor};
    let monitors: Vec<Monitor> = app
        .available_monitors()
        .unwrap_or_default()
        .iter()
        .enumerate()
        .map(|(i, m)| Monitor {
            name: m.name().cloned().unwrap_or_else(|| format!("monitor-{i}")),
            x: m.position().x,
            y: m.position().y,
            width: m.size().width,
            height: m.size().height,
        })
        .collect();
    let config = api.engine().config();
    let remembered = citywall_engine::wall::arrangement_path()
        .unwrap_or_else(|| config.store_path.with_file_name("wall-arrangement.json"));
    let previous = Arrangement::load(&remembered);
    let (windows, arrangement) = plan(config.wall.as_ref(), &monitors, previous.as_ref());
    if config.wall.is_some() {
        if let Err(e) = arrangement.save(&remembered) {
            tracing::warn!(
                "cannot remember the wall arrangement in {}: {e}",
                remembered.display()
            );
        }
    }
    for w in windows {
        let join = |v: &[u32]| {
            v.iter()
                .map(|x| x.to_string())
                .collect::<Vec<_>>()
                .join(",")
        };
        let url = format!(
            "index.html?role={}&bezels_x={}&bezels_y={}",
            w.role.as_str(),
            join(&w.bezels_x),
            join(&w.bezels_y)
        );
        let single = config.wall.is_none();
        let window = WebviewWindowBuilder::new(app, &w.label, WebviewUrl::App(url.into()))
            .title(title)
            .inner_size(1920.0, 1080.0)
            .decorations(single || !w.fullscreen && w.monitor.is_some())
            .build()?;
        if w.role == citywall_engine::wall::Role::Video && !has_gpu() {
            paint_without_gl(&window)?;
        }
        if !single {
            window.set_position(tauri::PhysicalPosition::new(w.x, w.y))?;
            window.set_size(tauri::PhysicalSize::new(w.width, w.height))?;
            tracing::info!(
                "wall window {} ({}) on {}",
                w.label,
                w.role.as_str(),
                w.monitor.as_deref().unwrap_or("all monitors")
            );
        }
        if w.fullscreen || (single && fullscreen) {
            window.set_fullscreen(true)?;
        }
    }
    Ok(())
}

/// Whether the machine has a GPU that WebKit can composite with (a DRM render node). Without
/// one, Mesa emulates GL on the CPU.
fn has_gpu() -> bool {
    std::fs::read_dir("/dev/dri").is_ok_and(|d| {
        d.flatten()
            .any(|e| e.file_name().to_string_lossy().starts_with("renderD"))
    })
}

/// Has a window's page painted by the CPU, not composited through GL. On a machine without a
/// GPU the video screen's canvas, redrawn 15 times a second, cost more through emulated GL
/// (llvmpipe) than painted directly; the map window keeps GL, which MapLibre needs.
fn paint_without_gl(window: &tauri::WebviewWindow) -> tauri::Result<()> {
    #[cfg(target_os = "linux")]
    window.with_webview(|webview| {
        use webkit2gtk::{HardwareAccelerationPolicy, SettingsExt, WebViewExt};
        if let Some(settings) = webview.inner().settings() {
            settings.set_hardware_acceleration_policy(HardwareAccelerationPolicy::Never);
        }
    })?;
    #[cfg(not(target_os = "linux"))]
    let _ = window;
    Ok(())
}

/// Keeps the simulated city (and its broker) alive as long as the window (demo mode); taken
/// and dropped on exit, which stops the broker.
struct DemoCity(Mutex<Option<Demo>>);

pub fn run(api: Api, sim: Option<Demo>, fullscreen: bool) -> anyhow::Result<()> {
    use anyhow::Context;
    let demo = sim.is_some();
    let video = tauri::async_runtime::block_on(citywall_server::LoopbackVideo::start(api.clone()))
        .context("opening the video tiles' loopback socket")?;
    let video_addr = video.addr;
    tauri::Builder::default()
        .manage(api.clone())
        .manage(video)
        .manage(StreamLayers::default())
        .manage(commands::Operator::new())
        .manage(DemoCity(Mutex::new(sim)))
        .invoke_handler(tauri::generate_handler![
            commands::query,
            commands::operate,
            commands::whoami,
            commands::tile,
            commands::basemap_tile,
            commands::stream_layers,
            operations::upload_media,
            operations::media,
            operations::video_endpoint
        ])
        .setup(move |app| {
            let centre = app.state::<Api>().meta().centre.name_zh;
            let title = if demo {
                format!("CityWall · {centre} · 演示数据 DEMO")
            } else {
                format!("CityWall · {centre}")
            };
            open_wall(app, &app.state::<Api>(), &title, fullscreen)?;
            // SIGTERM (a service manager, `kill`) and Ctrl-C close the wall as closing its
            // window does: the exit below stops the demo's broker and removes its store.
            let closing = app.handle().clone();
            tauri::async_runtime::spawn(async move {
                use tokio::signal::unix::{signal, SignalKind};
                let Ok(mut terminate) = signal(SignalKind::terminate()) else {
                    return;
                };
                tokio::select! {
                    _ = terminate.recv() => {}
                    _ = tokio::signal::ctrl_c() => {}
                }
                tracing::info!("asked to stop: closing the wall");
                closing.exit(0);
            });
            let handle = app.handle().clone();
            let mut deltas = app.state::<Api>().subscribe();
            let streamed = app.state::<StreamLayers>().inner().clone();
            let mut filter =
                citywall_engine::feed::StreamFilter::new(app.state::<Api>().meta().seq);
            tauri::async_runtime::spawn(async move {
                loop {
                    match deltas.recv().await {
                        Ok(delta) => {
                            filter.set_layers(streamed.wanted());
                            let Some(prev) = filter.pass(&delta) else {
                                continue;
                            };
                            let _ = handle.emit(
                                "citywall://delta",
                                citywall_engine::feed::Sent {
                                    prev,
                                    delta: &delta,
                                },
                            );
                        }
                        Err(RecvError::Lagged(missed)) => {
                            let _ = handle.emit(
                                "citywall://delta",
                                serde_json::json!({"type": "resync", "missed": missed}),
                            );
                        }
                        Err(RecvError::Closed) => return,
                    }
                }
            });
            Ok(())
        })
        .build(context(&api, video_addr))?
        .run(move |app, event| {
            if let RunEvent::Exit = event {
                api.engine().shutdown();
                let demo = app
                    .state::<DemoCity>()
                    .0
                    .lock()
                    .map(|mut d| d.take())
                    .unwrap_or(None);
                drop(demo);
            }
        });
    Ok(())
}

/// The app's context with the window's Content-Security-Policy from tauri.conf.json, which
/// lets the page reach the video tiles' loopback socket (`video`, that port only) and is
/// widened, as browser mode's is, only when the basemap is a `[basemap] style` whose sources,
/// sprites and glyphs live on the city's LAN.
fn context(api: &Api, video: std::net::SocketAddr) -> tauri::Context<tauri::Wry> {
    let mut context = tauri::generate_context!();
    let lan_style = api.meta().basemap.is_some_and(|b| b.kind == "style");
    if let Some(tauri::utils::config::Csp::DirectiveMap(map)) =
        context.config_mut().app.security.csp.as_mut()
    {
        if let Some(sources) = map.get_mut("connect-src") {
            sources.extend(vec![format!("ws://{video}")]);
        }
        if lan_style {
            for directive in ["img-src", "connect-src"] {
                if let Some(sources) = map.get_mut(directive) {
                    sources.extend(vec!["http:".into(), "https:".into()]);
                }
            }
        }
    }
    context
}
