//! `citywall`: the desktop wall (Tauri), browser mode (`serve`) and the config checker. A thin
//! shell: every answer comes from the engine's `Api`; demo mode only adds the simulated city and
//! points the config at it.

mod audit_cli;
#[cfg(feature = "demo")]
mod demo;
#[cfg(feature = "desktop")]
mod desktop;
mod user_cli;

/// The simulated city the wall runs on in demo mode (nothing in a build without the demo).
#[cfg(feature = "demo")]
type Sim = demo::Demo;
#[cfg(not(feature = "demo"))]
type Sim = ();

// Ingest allocates heavily (parsed records, property maps, SQL arguments); with glibc malloc a
// third of the ingest profile was the allocator. `make bench` measures the difference.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use citywall_engine::config::ConfigError;
use citywall_engine::{Api, Config, Engine};
use citywall_server as serve;
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "citywall",
    version,
    about = "CityWall — 一屏观全域 map wall for city operations centres"
)]
struct Cli {
    /// Config file (TOML). Without one the wall opens the offline demo city.
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    /// Demo: how many times faster than real time the simulated city runs.
    #[arg(long, default_value_t = 60.0, global = true)]
    time_scale: f64,
    /// Demo: the simulated city's seed.
    #[arg(long, default_value_t = 42, global = true)]
    seed: u64,
    /// Open the wall full-screen (kiosk) instead of in a window.
    #[arg(long)]
    fullscreen: bool,
    /// Lay the wall out over several monitors: a TOML file with a `[wall]` table (it replaces
    /// the config's own `[wall]`; works with the demo too).
    #[arg(long)]
    wall: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Browser mode: the API and the wall over HTTP on 127.0.0.1, or where `[serve]` says
    /// (another address needs TLS and a login or token).
    Serve {
        /// Run on the simulated demo city (on loopback).
        #[arg(long)]
        demo: bool,
        /// The port (default: `[serve] port`, else 8765).
        #[arg(long)]
        port: Option<u16>,
        /// Where the built UI lives (default: ui/dist of this checkout, or $CITYWALL_UI_DIR).
        #[arg(long)]
        ui_dir: Option<PathBuf>,
        /// A file holding the access token (else $CITYWALL_TOKEN). With a token set the wall
        /// needs it or a login; without one it runs open on loopback, and says so.
        #[arg(long)]
        token_file: Option<PathBuf>,
        /// The role the token grants.
        #[arg(long, default_value = "wall")]
        token_role: String,
        /// When the token stops working, as an RFC 3339 time (e.g. 2027-01-31T00:00:00+08:00);
        /// also $CITYWALL_TOKEN_EXPIRES.
        #[arg(long)]
        token_expires: Option<String>,
    },
    /// Local accounts in the store: add one (or reset its password and role), or list them.
    User {
        #[command(subcommand)]
        command: user_cli::UserCommand,
        /// The store file (default: the one `--config` names).
        #[arg(long, global = true)]
        store: Option<PathBuf>,
        /// The audit key file the change is signed with (default: `--config`'s `[audit]
        /// key_file`; `$CITYWALL_AUDIT_KEY` wins).
        #[arg(long, global = true)]
        key_file: Option<PathBuf>,
    },
    /// Run only the simulated city's subsystems on fixed loopback ports, for
    /// `citywall --config assets/demo/citywall.toml` (stop it to see sources fail and recover).
    Sim {
        /// Flood gauges on this port, weigh-in-motion on the next, incidents on the one after.
        #[arg(long, default_value_t = 18101)]
        port_base: u16,
    },
    /// Check a config file, print every problem with its line, exit non-zero if any.
    CheckConfig { file: PathBuf },
    /// The operators' audit log: verify its hash chain, or export it.
    Audit {
        #[command(subcommand)]
        command: audit_cli::AuditCommand,
        /// The store file (default: the one `--config` names).
        #[arg(long, global = true)]
        store: Option<PathBuf>,
        /// The audit key file (default: `--config`'s `[audit] key_file`;
        /// `$CITYWALL_AUDIT_KEY` wins).
        #[arg(long, global = true)]
        key_file: Option<PathBuf>,
    },
}

/// Hands the allocators' free pages back to the system.
pub fn release_free_pages() {
    // SAFETY: both only walk their allocator's own free lists; neither takes a pointer of ours.
    unsafe {
        libmimalloc_sys::mi_collect(true);
        #[cfg(all(target_os = "linux", target_env = "gnu"))]
        libc::malloc_trim(0);
    }
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| {
                tracing_subscriber::EnvFilter::new("citywall=info,citywall_engine=info,warn")
            }),
        )
        .with_writer(std::io::stderr)
        .init();
    // After a big load the engine asks for its freed pages to go back to the system: mimalloc
    // (Rust's allocations) and glibc's malloc (SQLite's) otherwise keep them while the threads
    // that freed them sit idle (`make bench` prints what a point costs).
    citywall_engine::memory::on_release(release_free_pages);
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("citywall: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Some(Command::CheckConfig { file }) => Ok(check_config(&file)),
        Some(Command::User {
            command,
            store,
            key_file,
        }) => {
            let at = audit_cli::locate(store, key_file, cli.config.as_deref(), true)?;
            user_cli::run(command, &at)
        }
        Some(Command::Audit {
            command,
            store,
            key_file,
        }) => {
            let at = audit_cli::locate(store, key_file, cli.config.as_deref(), false)?;
            audit_cli::run(command, &at)
        }
        #[cfg(feature = "demo")]
        Some(Command::Sim { port_base }) => {
            let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
            runtime.block_on(demo::run_sim(cli.seed, cli.time_scale, port_base))?;
            Ok(ExitCode::SUCCESS)
        }
        #[cfg(not(feature = "demo"))]
        Some(Command::Sim { .. }) => anyhow::bail!(WITHOUT_DEMO),
        Some(Command::Serve {
            demo,
            port,
            ui_dir,
            token_file,
            token_role,
            token_expires,
        }) => {
            let mut access = access_mode(token_file.as_deref(), &token_role, token_expires)?;
            let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
            runtime.block_on(async {
                let (api, sim) =
                    start(cli.config.as_deref(), demo, cli.seed, cli.time_scale, None).await?;
                // The demo's store is its own and thrown away: each centre's officer can sign
                // in to it from a browser (the desktop wall is its one operator).
                if sim.is_some() {
                    access.demo_accounts = api
                        .seed_demo_accounts()
                        .await
                        .context("creating the demo's accounts")?;
                }
                if let Some(centre) = &access.token_centre {
                    anyhow::ensure!(
                        api.engine().centres().get(centre).is_some(),
                        "CITYWALL_TOKEN_CENTRE `{centre}` is not a centre of `[[centres]]`"
                    );
                }
                let listen = api.engine().config().serve.clone();
                let ip = listen
                    .ip()
                    .context("`[serve] address` is not an IP address")?;
                let addr = std::net::SocketAddr::new(ip, port.or(listen.port).unwrap_or(8765));
                // Only an account that may sign in makes a network address safe to serve on.
                let accounts = api
                    .engine()
                    .store()
                    .accounts()
                    .await?
                    .iter()
                    .filter(|(_, _, disabled)| !disabled)
                    .count();
                let tls = match listen.tls() {
                    Some((cert, key)) => Some(serve::listen::tls_acceptor(cert, key)?),
                    None => None,
                };
                access.open = serve::listen::admission(
                    addr,
                    tls.is_some(),
                    access.token.is_some(),
                    accounts,
                )?;
                access.secure_cookie = tls.is_some();
                let scheme = if tls.is_some() { "https" } else { "http" };
                let open = access.open;
                let api = api.with_access(access);
                let ui_dir = ui_dir
                    .or_else(|| std::env::var_os("CITYWALL_UI_DIR").map(PathBuf::from))
                    .unwrap_or_else(default_ui_dir);
                let ui = ui_dir.join("index.html").exists().then_some(ui_dir.clone());
                if ui.is_none() {
                    eprintln!(
                        "citywall: no built UI at {} (run `make ui`); serving the API only",
                        ui_dir.display()
                    );
                }
                let (addr, server) = serve::bind_at(api.clone(), addr, tls, ui).await?;
                println!(
                    "CityWall serving on {scheme}://{addr}/{}{}",
                    if api.meta().demo {
                        " — 演示数据 DEMO (simulated city)"
                    } else {
                        ""
                    },
                    if open {
                        " — open: no token set, anyone on this machine operates the wall"
                    } else {
                        " — a token or a login is required"
                    }
                );
                let mut terminate =
                    tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
                        .context("listening for SIGTERM")?;
                // Ctrl-C and SIGTERM both stop cleanly, so the demo's broker goes with us.
                tokio::select! {
                    result = server => result?,
                    _ = tokio::signal::ctrl_c() => {}
                    _ = terminate.recv() => {}
                }
                api.engine().shutdown();
                Ok(ExitCode::SUCCESS)
            })
        }
        #[cfg(feature = "desktop")]
        None => {
            let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
            tauri::async_runtime::set(runtime.handle().clone());
            let wall = match &cli.wall {
                None => None,
                Some(path) => {
                    let text = std::fs::read_to_string(path)
                        .with_context(|| format!("reading {}", path.display()))?;
                    Some(
                        citywall_engine::wall::WallFile::parse(&text, &path.display().to_string())
                            .map_err(|e| anyhow::anyhow!(e))?,
                    )
                }
            };
            let (api, sim) = runtime.block_on(start(
                cli.config.as_deref(),
                cli.config.is_none(),
                cli.seed,
                cli.time_scale,
                wall,
            ))?;
            desktop::run(api, sim, cli.fullscreen)?;
            Ok(ExitCode::SUCCESS)
        }
        #[cfg(not(feature = "desktop"))]
        None => anyhow::bail!(
            "this citywall was built without the desktop wall (a headless build): \
             run `citywall serve --config FILE` and open the wall in a browser"
        ),
    }
}

/// What a build without the simulated city says when asked for it.
#[cfg(not(feature = "demo"))]
const WITHOUT_DEMO: &str = "this citywall was built without the demo city (a headless build): \
     give it a city with `--config FILE`";

/// The engine on the given config, or on the demo city when asked (or when no config is given).
async fn start(
    config: Option<&std::path::Path>,
    demo: bool,
    seed: u64,
    time_scale: f64,
    wall: Option<citywall_engine::wall::WallConfig>,
) -> anyhow::Result<(Api, Option<Sim>)> {
    let (mut config, sim) = match config {
        Some(path) if !demo => (load_or_explain(path)?, None),
        #[cfg(feature = "demo")]
        _ => {
            let (config, sim) = demo::start(seed, time_scale).await?;
            (config, Some(sim))
        }
        #[cfg(not(feature = "demo"))]
        _ => {
            let _ = (seed, time_scale);
            anyhow::bail!(WITHOUT_DEMO)
        }
    };
    if wall.is_some() {
        config.wall = wall;
    }
    let engine = Engine::start(config).await.context("starting the engine")?;
    Ok((Api::new(engine), sim))
}

/// How the server admits people: the token from `--token-file` or `$CITYWALL_TOKEN` (never
/// logged), else open on loopback.
fn access_mode(
    token_file: Option<&std::path::Path>,
    token_role: &str,
    token_expires: Option<String>,
) -> anyhow::Result<citywall_engine::api::AccessMode> {
    let token_expires = match token_expires.or_else(|| std::env::var("CITYWALL_TOKEN_EXPIRES").ok())
    {
        None => None,
        Some(text) => Some(
            text.trim()
                .parse::<jiff::Timestamp>()
                .with_context(|| {
                    format!("--token-expires `{text}` is not an RFC 3339 time (2027-01-31T00:00:00+08:00)")
                })?
                .as_millisecond(),
        ),
    };
    let role = citywall_engine::access::Role::parse(token_role)
        .with_context(|| format!("--token-role `{token_role}`: use duty, leader, admin or wall"))?;
    let token = match token_file {
        Some(path) => Some(
            std::fs::read_to_string(path)
                .with_context(|| format!("cannot read the token file {}", path.display()))?
                .trim()
                .to_string(),
        ),
        None => std::env::var("CITYWALL_TOKEN")
            .ok()
            .map(|t| t.trim().to_string()),
    }
    .filter(|t| !t.is_empty());
    if let Some(t) = &token {
        anyhow::ensure!(
            t.len() >= 16,
            "the token is {} characters: use at least 16 (e.g. `openssl rand -hex 24`)",
            t.len()
        );
    }
    Ok(citywall_engine::api::AccessMode {
        open: token.is_none(),
        token,
        token_role: Some(role),
        token_expires,
        // The centre a kiosk's token works for (checked against the tree once it is built).
        token_centre: std::env::var("CITYWALL_TOKEN_CENTRE")
            .ok()
            .map(|c| c.trim().to_string())
            .filter(|c| !c.is_empty()),
        secure_cookie: false,
        demo_accounts: Vec::new(),
    })
}

fn load_or_explain(path: &std::path::Path) -> anyhow::Result<Config> {
    Config::load(path).map_err(|e| anyhow::anyhow!("{e}"))
}

fn check_config(file: &std::path::Path) -> ExitCode {
    match Config::load(file) {
        Ok(config) => {
            // The basemap is opened as the engine would open it: a missing or unreadable archive
            // is named here, not discovered on the wall.
            if let Some(basemap) = &config.basemap {
                let opened = tokio::runtime::Runtime::new()
                    .map(|rt| rt.block_on(citywall_engine::basemap::Basemap::open(basemap)));
                let problem = opened.ok().and_then(|mut b| {
                    b.check_extent(config.map.extent());
                    b.info().error.clone().or_else(|| b.info().mismatch.clone())
                });
                if let Some(error) = problem {
                    println!("{}: `[basemap]`: {error}", file.display());
                    println!("1 problem(s) found");
                    return ExitCode::FAILURE;
                }
            }
            // The centres' areas, checked against each other as the engine will at start.
            let regions = match citywall_engine::regions::Regions::load(&config.regions) {
                Ok(regions) => regions,
                Err(e) => {
                    println!("{}: `[[regions]]`: {e}", file.display());
                    println!("1 problem(s) found");
                    return ExitCode::FAILURE;
                }
            };
            let header = (
                config.centre.name_zh.as_str(),
                config.centre.name_en.as_str(),
            );
            match citywall_engine::centres::Centres::build(&config.centres, &regions, header) {
                Ok((_, notes)) => {
                    for note in notes {
                        println!("{}: `[[centres]]` (note): {note}", file.display());
                    }
                }
                Err(citywall_engine::centres::BuildError(problems)) => {
                    for p in &problems {
                        println!("{}: `[[centres]]`: {p}", file.display());
                    }
                    println!("{} problem(s) found", problems.len());
                    return ExitCode::FAILURE;
                }
            }
            if let Some((cert, key)) = config.serve.tls() {
                if let Err(e) = serve::listen::tls_acceptor(cert, key) {
                    println!("{}: `[serve]`: {e}", file.display());
                    println!("1 problem(s) found");
                    return ExitCode::FAILURE;
                }
            }
            println!(
                "{}: ok — {} layer(s), {} source(s), store {}",
                file.display(),
                config.layers.len(),
                config.sources.len(),
                match &config.store_url {
                    Some(url) => format!(
                        "PostgreSQL {} ({} connections)",
                        citywall_engine::store::postgres::redacted(url),
                        config.store_pool
                    ),
                    None => config.store_path.display().to_string(),
                }
            );
            ExitCode::SUCCESS
        }
        Err(ConfigError::Invalid(problems)) => {
            for p in &problems {
                println!("{p}");
            }
            println!("{} problem(s) found", problems.len());
            ExitCode::FAILURE
        }
        Err(e) => {
            println!("{e}");
            ExitCode::FAILURE
        }
    }
}

fn default_ui_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../ui/dist"))
}
