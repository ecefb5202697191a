//! `make bench` — the engine's spatial structures against the JS libraries MapLibre's ecosystem
//! uses (kdbush, flatbush, supercluster from npm, run by Debian's node), in one run, on the same
//! 1M points and the same queries:
//!
//! 1. index build; 2. 1000 bbox queries each covering 1% of the area; 3. 100k k-nearest queries
//!    (k = 10); 4. clustering for zooms 0–16 (radius 40 px of 512).
//!
//! The points and queries are written to a file the node script reads, so both sides see the
//! same bytes. Prints each figure and each ratio (Rust ÷ JS; below 1 means Rust is faster).

use std::io::Write;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

use citywall_engine::spatial::cluster::{ClusterInput, ClusterOptions, ClusterPyramid};
use citywall_engine::spatial::packed::PackedIndex;
use rstar::primitives::GeomWithData;
use rstar::{RTree, AABB};

mod common;

use common::Rng;

const WEST: f64 = 117.98;
const EAST: f64 = 118.58;
const SOUTH: f64 = 33.71;
const NORTH: f64 = 34.21;

fn points(n: usize, rng: &mut Rng) -> Vec<[f64; 2]> {
    let centres: Vec<[f64; 2]> = (0..9)
        .map(|i| {
            let a = i as f64 / 9.0 * std::f64::consts::TAU;
            [118.28 + 0.12 * a.cos(), 33.96 + 0.1 * a.sin()]
        })
        .collect();
    (0..n)
        .map(|i| {
            let p = match i % 10 {
                0..=3 => [118.28 + rng.normal() * 0.04, 33.96 + rng.normal() * 0.035],
                4..=7 => {
                    let c = centres[i % 9];
                    [c[0] + rng.normal() * 0.025, c[1] + rng.normal() * 0.02]
                }
                _ => [
                    WEST + rng.next() * (EAST - WEST),
                    SOUTH + rng.next() * (NORTH - SOUTH),
                ],
            };
            [p[0].clamp(WEST, EAST), p[1].clamp(SOUTH, NORTH)]
        })
        .collect()
}

fn best<T>(runs: usize, mut f: impl FnMut() -> T) -> (f64, T) {
    let mut best = f64::INFINITY;
    let mut out = None;
    for _ in 0..runs {
        let t = Instant::now();
        let r = f();
        best = best.min(t.elapsed().as_secs_f64() * 1000.0);
        out = Some(r);
    }
    (best, out.expect("runs > 0"))
}

fn write_input(
    path: &Path,
    pts: &[[f64; 2]],
    boxes: &[[f64; 4]],
    knn: &[[f64; 2]],
    k: u32,
) -> std::io::Result<()> {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
    for v in [pts.len() as u32, boxes.len() as u32, knn.len() as u32, k] {
        out.write_all(&v.to_le_bytes())?;
    }
    for v in pts
        .iter()
        .flatten()
        .chain(boxes.iter().flatten())
        .chain(knn.iter().flatten())
    {
        out.write_all(&v.to_le_bytes())?;
    }
    out.flush()
}

fn main() -> anyhow::Result<()> {
    let n: usize = std::env::var("CITYWALL_BENCH_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let k = 10usize;
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let pts = points(n, &mut rng);
    let (w, h) = ((EAST - WEST) * 0.1, (NORTH - SOUTH) * 0.1);
    let boxes: Vec<[f64; 4]> = (0..1000)
        .map(|_| {
            let (x, y) = (
                WEST + rng.next() * (EAST - WEST - w),
                SOUTH + rng.next() * (NORTH - SOUTH - h),
            );
            [x, y, x + w, y + h]
        })
        .collect();
    let knn: Vec<[f64; 2]> = (0..100_000)
        .map(|_| {
            [
                WEST + rng.next() * (EAST - WEST),
                SOUTH + rng.next() * (NORTH - SOUTH),
            ]
        })
        .collect();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/bench-spatial");
    std::fs::create_dir_all(&dir)?;
    let input = dir.join("input.bin");
    write_input(&input, &pts, &boxes, &knn, k as u32)?;

    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../bench/js/spatial.mjs");
    println!("running the JS peers (node {}) …", node_version());
    let js = Command::new("node")
        .arg("--max-old-space-size=8192")
        .arg(&script)
        .arg(&input)
        .output()?;
    anyhow::ensure!(
        js.status.success(),
        "the node bench failed (run `npm ci --prefix bench/js`?): {}",
        String::from_utf8_lossy(&js.stderr)
    );
    let js: serde_json::Value = serde_json::from_slice(&js.stdout)?;
    let jsf = |key: &str| js[key].as_f64().unwrap_or(f64::NAN);

    println!("running the engine's structures …");
    let (build_ms, index) = best(3, || PackedIndex::build(pts.iter().copied()));
    let (bbox_ms, bbox_hits) = best(3, || {
        let mut hits = 0u64;
        for b in &boxes {
            index.range([b[0], b[1]], [b[2], b[3]], |_| hits += 1);
        }
        hits
    });
    let (knn_ms, knn_first) = best(2, || {
        let mut first = 0u64;
        for q in &knn {
            let near = index.nearest(q[0], q[1], k, |_| true);
            first += near.first().map(|x| x.0 as u64).unwrap_or(0);
        }
        first
    });
    type Entry = GeomWithData<[f64; 2], u32>;
    let (rstar_build_ms, tree) = best(2, || {
        RTree::bulk_load(
            pts.iter()
                .enumerate()
                .map(|(i, p)| Entry::new(*p, i as u32))
                .collect::<Vec<_>>(),
        )
    });
    let (rstar_bbox_ms, rstar_hits) = best(3, || {
        let mut hits = 0u64;
        for b in &boxes {
            hits += tree
                .locate_in_envelope(&AABB::from_corners([b[0], b[1]], [b[2], b[3]]))
                .count() as u64;
        }
        hits
    });
    let inputs: Vec<ClusterInput> = pts
        .iter()
        .enumerate()
        .map(|(i, p)| ClusterInput {
            lon: p[0],
            lat: p[1],
            severity: Some((i % 4) as u8),
        })
        .collect();
    let (cluster_ms, pyramid) = best(2, || {
        ClusterPyramid::build(&inputs, ClusterOptions::default())
    });
    let z10 = pyramid.query([-180.0, -85.0, 180.0, 85.0], 10.0).len();

    println!();
    println!("{n} points, 1000 boxes of 1% of the area, 100k × {k}-nearest, clusters z0–16");
    println!(
        "{:<34} {:>11} {:>11} {:>8}",
        "", "engine ms", "JS ms", "ratio"
    );
    let row = |name: &str, ours: f64, theirs: f64| {
        println!(
            "{name:<34} {ours:>11.1} {theirs:>11.1} {:>8.2}",
            ours / theirs
        );
    };
    row(
        "build: packed index vs flatbush",
        build_ms,
        jsf("flatbush_build_ms"),
    );
    row(
        "build: packed index vs kdbush",
        build_ms,
        jsf("kdbush_build_ms"),
    );
    row(
        "build: rstar bulk load vs flatbush",
        rstar_build_ms,
        jsf("flatbush_build_ms"),
    );
    row(
        "1000 bbox: packed vs flatbush",
        bbox_ms,
        jsf("flatbush_bbox_ms"),
    );
    row(
        "1000 bbox: packed vs kdbush",
        bbox_ms,
        jsf("kdbush_bbox_ms"),
    );
    row(
        "1000 bbox: rstar vs flatbush",
        rstar_bbox_ms,
        jsf("flatbush_bbox_ms"),
    );
    row(
        "100k knn: packed vs flatbush",
        knn_ms,
        jsf("flatbush_knn_ms"),
    );
    row(
        "clusters z0–16 vs supercluster",
        cluster_ms,
        jsf("supercluster_ms"),
    );
    println!();
    println!(
        "checks: bbox hits engine {bbox_hits} / rstar {rstar_hits} / flatbush {} / kdbush {}; clusters at z10: engine {z10} / supercluster {}; knn checksum {knn_first} / {}",
        js["flatbush_bbox_hits"], js["kdbush_bbox_hits"], js["supercluster_z10"], js["flatbush_knn_first"]
    );
    let targets = [
        (
            "build ≤ 0.7× flatbush",
            build_ms / jsf("flatbush_build_ms") <= 0.7,
        ),
        (
            "bbox ≤ 0.5× flatbush",
            bbox_ms / jsf("flatbush_bbox_ms") <= 0.5,
        ),
        (
            "clusters ≤ 0.5× supercluster",
            cluster_ms / jsf("supercluster_ms") <= 0.5,
        ),
    ];
    for (name, met) in targets {
        println!("target {name}: {}", if met { "met" } else { "MISSED" });
    }
    Ok(())
}

fn node_version() -> String {
    Command::new("node")
        .arg("--version")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_else(|_| "not found".into())
}
