//! `make bench` — lines and polygons through the real path, against martin's published figure:
//!
//! 1. a 200k-polygon layer (building-like footprints of about 12 vertices, dense in the core)
//!    and a 50k-segment line layer are served by a loopback GeoJSON subsystem, polled and
//!    ingested;
//! 2. vector tiles at zoom 14 over the core, timed per tile with their polygon and vertex
//!    counts, against martin's z14 Berlin buildings tile (2,123 polygons / 28k vertices,
//!    ≈ 10.7 ms from PostGIS, martin's published benchmark): goal ≤ 0.5× that;
//! 3. a full-city viewport of each layer (query + JSON, server side): goal ≤ 50 ms;
//! 4. the engine's resident bytes per feature, for the polygons and for a 500k-point static
//!    inventory (history off), from the process's RSS before and after each load.
//!
//! Sizes: `CITYWALL_BENCH_POLYGONS` (200000), `CITYWALL_BENCH_SEGMENTS` (50000),
//! `CITYWALL_BENCH_INVENTORY` (500000).

use std::time::{Duration, Instant};

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// mimalloc, counting the bytes live on the heap: RSS also holds pages the allocator keeps for
/// reuse, so both figures are printed.
struct Counting;

static LIVE: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

unsafe impl std::alloc::GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: std::alloc::Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size(), std::sync::atomic::Ordering::Relaxed);
        unsafe { mimalloc::MiMalloc.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: std::alloc::Layout) {
        LIVE.fetch_sub(layout.size(), std::sync::atomic::Ordering::Relaxed);
        unsafe { mimalloc::MiMalloc.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: std::alloc::Layout, size: usize) -> *mut u8 {
        LIVE.fetch_add(size, std::sync::atomic::Ordering::Relaxed);
        LIVE.fetch_sub(layout.size(), std::sync::atomic::Ordering::Relaxed);
        unsafe { mimalloc::MiMalloc.realloc(ptr, layout, size) }
    }
}

fn live_heap() -> usize {
    LIVE.load(std::sync::atomic::Ordering::Relaxed)
}

mod common;

use citywall_engine::api::FeatureQuery;
use citywall_engine::{Api, Config, Engine};
use common::Rng;

/// martin's z14 Berlin buildings tile, ms (PostGIS, 2,123 polygons / 28k vertices).
const MARTIN_Z14_MS: f64 = 10.7;
const CITY: [f64; 4] = [117.99, 33.69, 118.51, 34.21];

/// A position: two thirds in the dense core, the rest over the whole city.
trait Place {
    fn place(&mut self) -> [f64; 2];
}

impl Place for Rng {
    fn place(&mut self) -> [f64; 2] {
        // The core's spread sets the densest z14 tile near martin's Berlin one (about 2,000
        // footprints), so the two tiles hold comparable work.
        if self.next() < 0.66 {
            [118.28 + self.normal() * 0.07, 33.96 + self.normal() * 0.06]
        } else {
            [
                CITY[0] + self.next() * (CITY[2] - CITY[0]),
                CITY[1] + self.next() * (CITY[3] - CITY[1]),
            ]
        }
    }
}

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn collection(features: impl Iterator<Item = String>) -> String {
    let mut out = String::from(r#"{"type":"FeatureCollection","features":["#);
    for (i, f) in features.enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&f);
    }
    out.push_str("]}");
    out
}

fn ring_text(points: &[[f64; 2]]) -> String {
    let inner: Vec<String> = points
        .iter()
        .map(|[x, y]| format!("[{x:.6},{y:.6}]"))
        .collect();
    format!("[{}]", inner.join(","))
}

/// Building-like footprints: 11 vertices round a centre (12 with the closing one), 8–30 m.
fn polygons(n: usize) -> String {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    collection((0..n).map(|i| {
        let [x, y] = rng.place();
        let (rx, ry) = (0.00008 + rng.next() * 0.0002, 0.00006 + rng.next() * 0.00015);
        let mut ring: Vec<[f64; 2]> = (0..11)
            .map(|k| {
                let a = k as f64 / 11.0 * std::f64::consts::TAU;
                let wobble = 0.85 + 0.3 * rng.next();
                [x + rx * wobble * a.cos(), y + ry * wobble * a.sin()]
            })
            .collect();
        ring.push(ring[0]);
        format!(
            r#"{{"type":"Feature","id":"b{i}","geometry":{{"type":"Polygon","coordinates":[{}]}},"properties":{{"floors":{}}}}}"#,
            ring_text(&ring),
            1 + i % 30
        )
    }))
}

/// Road segments of 6 vertices, 100–400 m long.
fn segments(n: usize) -> String {
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let levels = ["畅通", "缓行", "拥堵"];
    collection((0..n).map(|i| {
        let [x, y] = rng.place();
        let (dx, dy) = ((rng.next() - 0.5) * 0.004, (rng.next() - 0.5) * 0.004);
        let line: Vec<[f64; 2]> = (0..6)
            .map(|k| {
                let t = k as f64 / 5.0;
                [x + dx * t, y + dy * t + (rng.next() - 0.5) * 0.00005]
            })
            .collect();
        format!(
            r#"{{"type":"Feature","id":"s{i}","geometry":{{"type":"LineString","coordinates":{}}},"properties":{{"level":"{}"}}}}"#,
            ring_text(&line),
            levels[i % 3]
        )
    }))
}

fn points(n: usize) -> String {
    let mut rng = Rng(0x1234_5678_9abc_def1);
    collection((0..n).map(|i| {
        let [x, y] = rng.place();
        format!(
            r#"{{"type":"Feature","id":"c{i}","geometry":{{"type":"Point","coordinates":[{x:.6},{y:.6}]}},"properties":{{"class":"井盖"}}}}"#
        )
    }))
}

/// Resident set size of this process, bytes.
fn rss() -> usize {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| {
            s.split_whitespace()
                .nth(1)
                .and_then(|v| v.parse::<usize>().ok())
        })
        .map_or(0, |pages| pages * 4096)
}

/// Starts an engine polling one loopback layer, waits until all `n` features landed.
async fn load(
    dir: &std::path::Path,
    layer: &str,
    extra: &str,
    body: String,
    n: usize,
) -> anyhow::Result<(std::sync::Arc<Engine>, Api, Duration)> {
    let addr = common::serve("/layer", body).await?;
    let text = format!(
        "[store]\npath = \"{layer}.db\"\n[[layer]]\nid = \"{layer}\"\n{extra}\n[[source]]\nid = \"{layer}\"\nlayer = \"{layer}\"\nkind = \"geojson\"\nurl = \"http://{addr}/layer\"\ninterval_s = 3600\ntimeout_s = 600\nmax_body_mb = 2048\n"
    );
    let config = Config::parse(&text, "bench.toml", dir).map_err(|e| anyhow::anyhow!("{e}"))?;
    let started = Instant::now();
    let engine = Engine::start(config).await?;
    let api = Api::new(engine.clone());
    while api.layers()[0].count < n {
        anyhow::ensure!(
            started.elapsed() < Duration::from_secs(900),
            "{layer} did not load in 15 minutes: {:?}",
            api.sources()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Ok((engine, api, started.elapsed()))
}

fn tile_xy(lon: f64, lat: f64, z: u8) -> (u32, u32) {
    let n = f64::from(1u32 << z);
    let s = lat.to_radians().sin();
    let y = (0.5 - 0.25 * ((1.0 + s) / (1.0 - s)).ln() / std::f64::consts::PI) * n;
    (((lon + 180.0) / 360.0 * n) as u32, y as u32)
}

/// The median of 15 runs of `f`, ms.
fn median_ms(mut f: impl FnMut() -> anyhow::Result<()>) -> anyhow::Result<f64> {
    let mut times = Vec::with_capacity(15);
    for _ in 0..15 {
        let t = Instant::now();
        f()?;
        times.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    Ok(times[7])
}

fn tiles(api: &Api, layer: &str, what: &str) -> anyhow::Result<()> {
    let (cx, cy) = tile_xy(118.28, 33.96, 14);
    println!("{what}: z14 tiles over the core (median of 15; martin's Berlin buildings tile {MARTIN_Z14_MS} ms):");
    let mut worst: f64 = 0.0;
    for (dx, dy) in [(0i64, 0i64), (1, 0), (0, 1), (-1, -1), (2, 2)] {
        let (x, y) = ((i64::from(cx) + dx) as u32, (i64::from(cy) + dy) as u32);
        let bytes = api.tile(layer, 14, x, y)?;
        // Features and vertices the tile holds, from the index (what it had to encode).
        let n = f64::from(1u32 << 14);
        let lon = |tx: f64| tx / n * 360.0 - 180.0;
        let lat = |ty: f64| {
            (std::f64::consts::PI * (1.0 - 2.0 * ty / n))
                .sinh()
                .atan()
                .to_degrees()
        };
        let bbox = [
            lon(f64::from(x)),
            lat(f64::from(y + 1)),
            lon(f64::from(x + 1)),
            lat(f64::from(y)),
        ];
        let fc = api.features(&FeatureQuery::new(layer, Some(bbox), None)?)?;
        let features = fc["features"].as_array().map_or(0, Vec::len);
        let vertices: usize = fc["features"].as_array().map_or(0, |a| {
            a.iter()
                .map(|f| {
                    f["geometry"]["coordinates"]
                        .to_string()
                        .matches('[')
                        .count()
                })
                .sum()
        });
        let ms = median_ms(|| api.tile(layer, 14, x, y).map(|_| ()).map_err(Into::into))?;
        worst = worst.max(ms);
        println!(
            "  14/{x}/{y}: {ms:>6.2} ms, {features:>5} features / ~{vertices:>6} vertices, {:>6} KB  ({:.2}× martin)",
            bytes.len() / 1024,
            ms / MARTIN_Z14_MS
        );
    }
    println!(
        "  worst {worst:.2} ms = {:.2}× martin (goal ≤ 0.5×: {})",
        worst / MARTIN_Z14_MS,
        if worst <= 0.5 * MARTIN_Z14_MS {
            "met"
        } else {
            "MISSED"
        }
    );
    Ok(())
}

fn viewport(api: &Api, layer: &str, zoom: f64, what: &str) -> anyhow::Result<()> {
    viewport_of(
        api,
        layer,
        CITY,
        zoom,
        &format!("{what}: full-city viewport"),
    )
}

fn viewport_of(
    api: &Api,
    layer: &str,
    bbox: [f64; 4],
    zoom: f64,
    what: &str,
) -> anyhow::Result<()> {
    let mut size = 0;
    let ms = median_ms(|| {
        // What the HTTP API sends: the answer's JSON text.
        let text = api.features_json(&FeatureQuery::new(layer, Some(bbox), Some(zoom))?)?;
        size = text.len();
        Ok(())
    })?;
    let value = api.features(&FeatureQuery::new(layer, Some(bbox), Some(zoom))?)?;
    let items = value["features"].as_array().map_or(0, Vec::len);
    println!(
        "{what} at zoom {zoom} (query + JSON, median of 15): {ms:.1} ms, {items} items, {} KB (goal ≤ 50 ms: {})",
        size / 1024,
        if ms <= 50.0 { "met" } else { "MISSED" }
    );
    Ok(())
}

/// One load in this process, its resident growth per feature printed.
async fn memory(
    dir: &std::path::Path,
    kind: &str,
    polygon_n: usize,
    inventory_n: usize,
) -> anyhow::Result<()> {
    let (n, body) = match kind {
        "polygons" => (polygon_n, polygons(polygon_n)),
        _ => (inventory_n, points(inventory_n)),
    };
    // Measured from here: the served payload already sits in memory and is not the engine's,
    // and pages the allocator kept from making it are handed back first.
    citywall_engine::memory::release();
    let (before, heap_before) = (rss(), live_heap());
    let extra = if kind == "polygons" {
        "cluster_below_zoom = 13\nhistory = false"
    } else {
        "cluster_below_zoom = 17\nhistory = false"
    };
    let (engine, _api, _) = load(dir, kind, extra, body, n).await?;
    // Let the first load's transient buffers go before measuring.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let grown = rss().saturating_sub(before);
    let heap = live_heap().saturating_sub(heap_before) / n.max(1);
    if std::env::var("CITYWALL_BENCH_SMAPS").is_ok() {
        eprintln!(
            "{}",
            std::fs::read_to_string("/proc/self/smaps_rollup").unwrap_or_default()
        );
    }
    let per = grown / n.max(1);
    let verdict = if kind == "points" {
        if per <= 200 {
            " (met)"
        } else {
            " (MISSED)"
        }
    } else {
        ""
    };
    println!("  {kind}: {per} B per feature over {n}{verdict}; live on the heap {heap} B (the rest is pages the allocator and SQLite's cache keep)");
    engine.shutdown();
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let polygon_n = env("CITYWALL_BENCH_POLYGONS", 200_000);
    let segment_n = env("CITYWALL_BENCH_SEGMENTS", 50_000);
    let inventory_n = env("CITYWALL_BENCH_INVENTORY", 500_000);
    // As the desktop binary does: after a big load, mimalloc returns its free pages.
    citywall_engine::memory::on_release(|| unsafe {
        libmimalloc_sys::mi_collect(true);
        libc::malloc_trim(0);
    });
    let dir = std::env::temp_dir().join(format!("citywall-bench-shapes-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;

    if let Ok(kind) = std::env::var("CITYWALL_BENCH_MEMORY") {
        return memory(&dir, &kind, polygon_n, inventory_n).await;
    }
    let (engine, buildings, took) = load(
        &dir,
        "buildings",
        "cluster_below_zoom = 13\nhistory = false",
        polygons(polygon_n),
        polygon_n,
    )
    .await?;
    println!(
        "{polygon_n} polygons polled, parsed and indexed in {:.1} s",
        took.as_secs_f64()
    );
    tiles(&buildings, "buildings", "polygons")?;
    viewport(
        &buildings,
        "buildings",
        11.0,
        "polygons (clustered below z13)",
    )?;
    // A street-level view over the dense core (a 1920×1080 wall at zoom 15).
    viewport_of(
        &buildings,
        "buildings",
        [118.2635, 33.9535, 118.2965, 33.9665],
        15.0,
        "polygons: street viewport over the core",
    )?;
    engine.shutdown();

    let (engine, roads, took) = load(&dir, "roads", "", segments(segment_n), segment_n).await?;
    println!(
        "{segment_n} line segments polled, parsed and indexed in {:.1} s",
        took.as_secs_f64()
    );
    tiles(&roads, "roads", "lines")?;
    viewport(&roads, "roads", 11.0, "lines (simplified to the zoom)")?;
    engine.shutdown();

    // Memory, each load in a fresh process of its own so one's freed pages are not the other's.
    println!("engine resident bytes per feature (RSS growth over the load ÷ features, the served payload not counted; goal ≤ 200 B per static point):");
    for kind in ["points", "polygons"] {
        let out = std::process::Command::new(std::env::current_exe()?)
            .env("CITYWALL_BENCH_MEMORY", kind)
            .output()?;
        print!("{}", String::from_utf8_lossy(&out.stdout));
    }
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
