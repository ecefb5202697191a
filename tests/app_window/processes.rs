//! The app's processes as the OS sees them (/proc): its memory and CPU time, how much of a core it
//! takes when nothing needs it, and what is left of it after it is asked to stop.

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// One process: its pid, command name, resident memory (bytes) and CPU time (s).
#[derive(Debug, Clone)]
pub struct Proc {
    pub pid: u32,
    pub name: String,
    pub rss: u64,
    pub cpu: f64,
}

/// Every process under `root` (its children, theirs, …), the root itself left out.
pub fn under(root: u32) -> Vec<Proc> {
    let mut parent = HashMap::new();
    let mut seen = HashMap::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        // `pid (comm) state ppid …`: after the command's closing parenthesis, utime is the
        // 12th field and stime the 13th.
        let Some((head, rest)) = stat.rsplit_once(')') else {
            continue;
        };
        let name = head
            .split_once('(')
            .map(|(_, n)| n)
            .unwrap_or("")
            .to_string();
        let fields: Vec<&str> = rest.split_whitespace().collect();
        let number = |i: usize| {
            fields
                .get(i)
                .and_then(|f| f.parse::<u64>().ok())
                .unwrap_or(0)
        };
        let rss_pages = std::fs::read_to_string(entry.path().join("statm"))
            .ok()
            .and_then(|s| {
                s.split_whitespace()
                    .nth(1)
                    .and_then(|p| p.parse::<u64>().ok())
            })
            .unwrap_or(0);
        parent.insert(pid, number(1) as u32);
        seen.insert(
            pid,
            Proc {
                pid,
                name,
                rss: rss_pages * 4096,
                cpu: (number(11) + number(12)) as f64 / 100.0,
            },
        );
    }
    let mut tree = vec![root];
    let mut i = 0;
    while i < tree.len() {
        let p = tree[i];
        tree.extend(parent.iter().filter(|(_, pp)| **pp == p).map(|(c, _)| *c));
        i += 1;
    }
    tree[1..]
        .iter()
        .filter_map(|p| seen.get(p).cloned())
        .collect()
}

/// The resident memory (MB) and CPU time (s) of every process under `root`.
pub fn app_usage(root: u32) -> (u64, f64) {
    under(root)
        .iter()
        .fold((0, 0.0), |(m, c), p| (m + p.rss / 1_048_576, c + p.cpu))
}

/// The desktop demo, started here on its own (no WebDriver), left alone: its processes' CPU (in
/// cores) over the `span` that ends `settled` after it started, and their memory then, printed
/// per process; then SIGTERM, which must take its children (WebKit, the demo's mosquitto) and
/// its demo store with it.
pub async fn idle_then_stop(
    binary: &std::path::Path,
    config_home: &std::path::Path,
    span: Duration,
    settled: Duration,
) {
    let mut child = std::process::Command::new(binary)
        // The city held still: its subsystems answer every poll, with nothing new (the
        // simulated clock runs a thousandth of real time), so nothing on screen changes but the
        // clock — the "left alone, nothing changing".
        .args(["--time-scale", "0.001"])
        .env("XDG_CONFIG_HOME", config_home)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("the desktop app starts");
    let started = Instant::now();
    let pid = child.id();
    let itself = |p: u32| {
        let all: Vec<Proc> = under(std::process::id());
        all.into_iter().find(|x| x.pid == p)
    };
    // The last `span` before `settled`: the demo's start-up (its inventories loading) is over.
    if let Some(rest) = settled.saturating_sub(span).checked_sub(started.elapsed()) {
        tokio::time::sleep(rest).await;
    }
    let app = itself(pid).expect("the desktop app runs");
    // CPU per process over the span: a process born within it counts from its birth.
    let mut before: HashMap<u32, f64> = under(pid).into_iter().map(|p| (p.pid, p.cpu)).collect();
    before.insert(pid, app.cpu);
    let from = Instant::now();
    tokio::time::sleep(span).await;
    let measured = from.elapsed().as_secs_f64();
    let now = under(pid);
    let me = itself(pid).unwrap_or(app.clone());
    let cores: Vec<(String, f64)> = std::iter::once(&me)
        .chain(now.iter())
        .map(|p| {
            (
                p.name.clone(),
                (p.cpu - before.get(&p.pid).copied().unwrap_or(0.0)) / measured,
            )
        })
        .collect();
    let total_mb = (now.iter().map(|p| p.rss).sum::<u64>() + me.rss) / 1_048_576;
    let each: Vec<String> = std::iter::once(&me)
        .chain(now.iter())
        .map(|p| format!("{} {} MB", p.name, p.rss / 1_048_576))
        .collect();
    let figures = format!(
        "desktop demo left alone, its city held still (nothing changes but the clock): {:.2} cores over {:.0} s \
         (all the app's processes; goal ≤ 0.3): {}; {total_mb} MB after {:.0} s (goal ≤ 1024): {}",
        cores.iter().map(|(_, c)| c).sum::<f64>(),
        measured,
        cores
            .iter()
            .map(|(n, c)| format!("{n} {c:.2}"))
            .collect::<Vec<_>>()
            .join(", "),
        started.elapsed().as_secs_f64(),
        each.join(", ")
    );
    println!("{figures}");
    // cargo test keeps a passing test's output to itself: `make test` prints this file after.
    let out = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../test-output"));
    let _ = std::fs::create_dir_all(&out);
    let _ = std::fs::write(out.join("app-idle.txt"), format!("{figures}\n"));

    let children: Vec<Proc> = now;
    let store: PathBuf = std::env::temp_dir()
        .join("citywall-demo")
        .join(pid.to_string());
    assert!(
        store.exists(),
        "the demo keeps its store at {}",
        store.display()
    );
    let _ = std::process::Command::new("kill")
        .arg("-TERM")
        .arg(pid.to_string())
        .status();
    // Reaped here (its parent), so it is gone, not a zombie, once it exits.
    let reaper = std::thread::spawn(move || child.wait());
    let asked = Instant::now();
    let alive = |pid: u32| std::path::Path::new(&format!("/proc/{pid}")).exists();
    let zombie = |pid: u32| {
        std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .ok()
            .and_then(|s| {
                s.rsplit_once(')')
                    .map(|(_, r)| r.trim_start().starts_with('Z'))
            })
            .unwrap_or(true)
    };
    loop {
        let left: Vec<&Proc> = children
            .iter()
            .chain(std::iter::once(&me))
            .filter(|p| alive(p.pid) && !zombie(p.pid))
            .collect();
        if left.is_empty() && !store.exists() {
            let _ = reaper.join();
            let gone = format!(
                "after SIGTERM: every process gone and the demo store removed in {} ms",
                asked.elapsed().as_millis()
            );
            println!("{gone}");
            let _ = std::fs::write(out.join("app-idle.txt"), format!("{figures}\n{gone}\n"));
            return;
        }
        assert!(
            asked.elapsed() < Duration::from_secs(15),
            "15 s after SIGTERM: still running {:?}; demo store {} {}",
            left.iter().map(|p| (p.pid, &p.name)).collect::<Vec<_>>(),
            store.display(),
            if store.exists() {
                "left behind"
            } else {
                "removed"
            }
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
