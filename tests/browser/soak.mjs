// `make soak`: the demo wall open in Debian's Chromium for an hour (SOAK_MINUTES, default 60).
// Chromium is started as a kiosk starts it, with no DevTools or WebDriver attached: attached, as
// Playwright attaches it, the page's renderer grew ~9 MB a minute in Blink's buffer partition —
// what the inspector keeps of the traffic it watches, not the wall. The resident memory (RSS) of
// every process of the wall is sampled each minute and printed: the engine (`citywall serve
// --demo`, with the sim and broker it starts) and each of Chromium's processes (browser,
// renderer, GPU, utilities). After the warm-up (SOAK_WARMUP_MINUTES, default 10) no process may
// grow by more than 5 % (SOAK_LIMIT_PCT), the median over the last simulated day against the
// median over the first (see `judge`; the ten-sample medians, the mean of five and the trend in
// MB an hour are printed too, and where the change lies: private pages, mapped files, shared
// memory). The samples
// go to test-output/soak.json; SOAK_FROM=<that file> judges a saved run again. Not part of
// `make test`.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const out = path.join(root, 'test-output');
mkdirSync(out, { recursive: true });
const binary = process.env.CITYWALL_BIN ?? path.join(root, 'target/debug/citywall');
const minutes = Number(process.env.SOAK_MINUTES ?? 60);
const warmup = Number(process.env.SOAK_WARMUP_MINUTES ?? 10);
const limitPct = Number(process.env.SOAK_LIMIT_PCT ?? 5);
const sampleMs = Number(process.env.SOAK_SAMPLE_S ?? 60) * 1000;
/** The demo city's day in real minutes at its default clock (60×); a run reads its own. */
const DEMO_DAY_MIN = 24;

const freePort = () => new Promise((resolve, reject) => {
  const s = createServer();
  s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  s.on('error', reject);
});

/** Every process under `pid` (itself included): pid → its parent. */
function tree(pid) {
  const parent = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parent.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch { /* gone meanwhile */ }
  }
  const found = new Set([pid]);
  for (let grew = true; grew;) {
    grew = false;
    for (const [p, pp] of parent) if (!found.has(p) && found.has(pp)) { found.add(p); grew = true; }
  }
  return [...found];
}

/** A stable name for a process: what it is, not its pid (Chromium restarts none of these). */
function describe(pid) {
  const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split(/[\0 ]/).filter(Boolean); // Chromium rewrites its title with spaces
  const exe = path.basename(cmd[0] ?? '?');
  const type = cmd.find((a) => a.startsWith('--type='))?.slice(7);
  const sub = cmd.find((a) => a.startsWith('--utility-sub-type='))?.slice(19).split('.').pop();
  if (exe.includes('citywall')) return `citywall ${cmd[1] ?? ''}`.trim();
  if (exe.includes('chrom')) return `chromium ${sub ?? type ?? 'browser'}`;
  return exe;
}

/** A process's resident memory in kB: all of it (RSS, what the judge reads) and its parts —
 * private (anonymous) pages, pages of mapped files (code, fonts) and shared memory (for
 * Chromium, the buffers its processes share with the GPU process, counted in both). */
function residentKb(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name) => Number(new RegExp(`${name}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { rss: field('VmRSS'), anon: field('RssAnon'), file: field('RssFile'), shmem: field('RssShmem') };
}

function cpuTicks(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(f[11]) + Number(f[12]);
}

function sample(roots) {
  const byName = {};
  for (const r of roots) {
    for (const pid of tree(r)) {
      if (pid === process.pid) continue;
      try {
        let name = describe(pid);
        while (byName[name] && byName[name].pid !== pid) name += "'";
        byName[name] = { pid, ...residentKb(pid), cpu: cpuTicks(pid) };
      } catch { /* exited */ }
    }
  }
  return byName;
}

/** Judges a run's samples: after the warm-up, a process grew when the median of its samples over
 * the last simulated day is more than `limitPct` over the median over the first. The demo city
 * lives a day every 24 minutes (at its default 60× clock): its traffic, incidents and floods, and
 * with them what the engine and the page hold, rise and fall with the hour. Ten-minute windows
 * forty minutes apart compared a quiet hour with a busy one (the engine swung 375 ↔ 440 MB with
 * the city's day and read as +6 %); whole days compare like with like. A median still reads
 * through a spike (garbage collection, a burst of ingest); the ten-sample medians, the mean of
 * five and the least-squares slope are printed beside it. `dayMinutes` is the simulated day in
 * real minutes, capped at half the time after the warm-up. True when a process grew. */
function judge(rows, dayMinutes) {
  let grew = false;
  const after = rows.filter((r) => r.minute >= warmup - 0.01);
  const start = after[0]?.minute ?? 0;
  const end = after[after.length - 1]?.minute ?? 0;
  const window = Math.min(dayMinutes, (end - start) / 2);
  const head = after.filter((r) => r.minute < start + window - 0.01);
  const tail = after.filter((r) => r.minute > end - window + 0.01);
  const values = (rs, name, key = 'rss') => rs.map((r) => r.procs[name]?.[key]).filter((x) => x !== undefined);
  const median = (rs, name, key = 'rss') => { const v = values(rs, name, key).sort((a, b) => a - b); return v.length ? (v[(v.length - 1) >> 1] + v[v.length >> 1]) / 2 : undefined; };
  const mean = (rs, name) => { const v = values(rs, name); return v.length ? v.reduce((a, b) => a + b, 0) / v.length : undefined; };
  /** MB an hour, by least squares over every sample after the warm-up. */
  const slope = (name) => {
    const pts = after.filter((r) => r.procs[name]).map((r) => [r.minute / 60, r.procs[name].rss / 1024]);
    const n = pts.length;
    if (n < 2) return 0;
    const mx = pts.reduce((a, [x]) => a + x, 0) / n;
    const my = pts.reduce((a, [, y]) => a + y, 0) / n;
    const sxx = pts.reduce((a, [x]) => a + (x - mx) ** 2, 0);
    return sxx ? pts.reduce((a, [x, y]) => a + (x - mx) * (y - my), 0) / sxx : 0;
  };
  const from = after[0] ?? rows[0];
  const to = rows[rows.length - 1];
  const hz = 100; // USER_HZ: /proc's CPU ticks per second
  console.log(`\nafter the warm-up (${from.minute.toFixed(1)} → ${to.minute.toFixed(1)} min; median over the first ${window.toFixed(0)} min (a simulated day: ${head.length} samples) → median over the last ${window.toFixed(0)} (${tail.length}); in brackets the medians of the first and last ten samples):`);
  for (const [name, p] of Object.entries(to.procs)) {
    const before = median(head, name);
    const now = median(tail, name);
    if (before === undefined || !from.procs[name]) { console.log(`  ${name.padEnd(34)} started after the warm-up: ${(p.rss / 1024).toFixed(0)} MB`); continue; }
    const growth = (100 * (now - before)) / before;
    const meanGrowth = (100 * (mean(after.slice(-5), name) - mean(after.slice(0, 5), name))) / mean(after.slice(0, 5), name);
    const tenGrowth = (100 * (median(after.slice(-10), name) - median(after.slice(0, 10), name))) / median(after.slice(0, 10), name);
    const cpuPct = (100 * (p.cpu - from.procs[name].cpu)) / hz / ((to.minute - from.minute) * 60);
    const big = now > 20 * 1024; // a process under 20 MB cannot threaten the machine
    const bad = big && growth > limitPct;
    if (bad) grew = true;
    const range = after.map((r) => r.procs[name]?.rss ?? 0).filter(Boolean);
    // Where the change lies: private pages, mapped files, shared memory (medians, as above).
    const part = (key) => {
      const [a, b] = [median(head, name, key), median(tail, name, key)];
      return a === undefined || b === undefined ? '' : `${key} ${b - a >= 0 ? '+' : ''}${((b - a) / 1024).toFixed(0)}`;
    };
    const parts = ['anon', 'file', 'shmem'].map(part).filter(Boolean).join(', ');
    console.log(`  ${bad ? 'FAIL' : 'ok  '} ${name.padEnd(30)} ${(before / 1024).toFixed(0).padStart(6)} → ${(now / 1024).toFixed(0).padStart(6)} MB  ${growth >= 0 ? '+' : ''}${growth.toFixed(1)} %  (ten: ${tenGrowth >= 0 ? '+' : ''}${tenGrowth.toFixed(1)} %; mean of five: ${meanGrowth >= 0 ? '+' : ''}${meanGrowth.toFixed(1)} %; trend ${slope(name) >= 0 ? '+' : ''}${slope(name).toFixed(0)} MB/h; min ${(Math.min(...range) / 1024).toFixed(0)}, max ${(Math.max(...range) / 1024).toFixed(0)})  CPU ${cpuPct.toFixed(0)} %${parts ? `  [MB: ${parts}]` : ''}`);
  }
  const sum = (r) => Object.values(r.procs).reduce((a, p) => a + p.rss, 0) / 1024;
  console.log(`  all processes: ${sum(from).toFixed(0)} → ${sum(to).toFixed(0)} MB`);
  return grew;
}

// SOAK_FROM=test-output/soak.json judges a saved run again, without running one.
if (process.env.SOAK_FROM) {
  const saved = JSON.parse(readFileSync(process.env.SOAK_FROM, 'utf8'));
  const grew = judge(saved.rows, saved.sim_day_min ?? DEMO_DAY_MIN);
  console.log(grew ? `soak: FAILED (a process grew more than ${limitPct} % after the warm-up)` : 'soak: passed');
  process.exit(grew ? 1 : 0);
}

const port = await freePort();
const server = spawn(binary, ['serve', '--demo', '--port', String(port)], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
let serverLog = '';
server.stderr.on('data', (d) => (serverLog = (serverLog + d).slice(-4000)));
const base = `http://127.0.0.1:${port}`;
let simDayMin = DEMO_DAY_MIN;
let browser;
let profile;
let failed = false;
try {
  for (let t = Date.now(); ;) {
    try {
      const answer = await fetch(`${base}/api/v1/meta`);
      if (answer.ok) {
        const scale = (await answer.json()).demo_clock?.scale;
        if (scale > 0) simDayMin = (24 * 60) / scale;
        break;
      }
    } catch { /* not up */ }
    if (Date.now() - t > 60_000) throw new Error(`server did not start:\n${serverLog}`);
    await new Promise((r) => setTimeout(r, 300));
  }
  profile = mkdtempSync(path.join(tmpdir(), 'citywall-soak-'));
  // Composited on Chromium's GPU path (ANGLE on SwiftShader), as a wall's browser composites on
  // its GPU; without it headless Chromium reads every WebGL frame back to the page (see the
  // browser e2e).
  browser = spawn('/usr/bin/chromium', ['--headless', '--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync',
    '--no-first-run', '--disable-quic', '--enable-unsafe-swiftshader', '--ignore-gpu-blocklist', '--enable-gpu-rasterization', '--use-angle=swiftshader',
    `--user-data-dir=${profile}`, '--window-size=1920,1080', base], { stdio: 'ignore' });
  // The wall is up once it has fetched its layers' views (the engine counts no clients, so wait
  // for the warm-up to tell rather than probing the page).
  await new Promise((r) => setTimeout(r, 20_000));
  // Chromium and the engine are both this script's children: every process under it but itself.
  const roots = [process.pid];
  const rows = [];
  const started = Date.now();
  console.log(`soak: ${minutes} min (warm-up ${warmup}), a sample every ${sampleMs / 1000} s; RSS in MB`);
  for (let i = 0; i * sampleMs <= minutes * 60_000; i++) {
    const wait = started + i * sampleMs - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const procs = sample(roots);
    rows.push({ minute: (Date.now() - started) / 60_000, procs });
    const total = Object.values(procs).reduce((a, p) => a + p.rss, 0);
    console.log(`  ${((Date.now() - started) / 60_000).toFixed(1).padStart(5)} min  total ${(total / 1024).toFixed(0).padStart(5)}  ` +
      Object.entries(procs).map(([n, p]) => `${n} ${(p.rss / 1024).toFixed(0)}`).join(' · '));
  }
  writeFileSync(path.join(out, 'soak.json'), JSON.stringify({ minutes, warmup, sample_s: sampleMs / 1000, sim_day_min: simDayMin, rows }, null, 1));
  if (judge(rows, simDayMin)) failed = true;
} catch (e) {
  failed = true;
  console.log(`soak: ${e.message}`);
} finally {
  browser?.kill('SIGTERM');
  server.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 1000));
  if (profile) rmSync(profile, { recursive: true, force: true });
}
console.log(failed ? `soak: FAILED (a process grew more than ${limitPct} % after the warm-up)` : 'soak: passed');
process.exit(failed ? 1 : 0);
