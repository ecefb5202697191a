// What the browser e2e suites share: where things are, the one Chromium set-up, the check
// runner and its tally, and starting `citywall` and waiting for its API.
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const out = path.join(root, 'test-output');
mkdirSync(out, { recursive: true });
// Chromium's software GL composited on its GPU path (ANGLE on SwiftShader), as a wall's browser
// composites on its GPU. Without these flags headless Chromium falls back to software
// compositing, which reads every WebGL frame back to the main thread (glReadPixels, 60–100 ms a
// frame on two cores): a stall no machine with a GPU has, and most of what the latency check
// measured (p95 1.1–1.5 s with it, about 0.5 s without, same wall, same machine).
export const GPU_COMPOSITING = ['--enable-unsafe-swiftshader', '--ignore-gpu-blocklist', '--enable-gpu-rasterization', '--use-angle=swiftshader'];
export const binary = process.env.CITYWALL_BIN ?? path.join(root, 'target/debug/citywall');

export const freePort = () =>
  new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
    s.on('error', reject);
  });

export const results = [];
/** E2E_ONLY='<part of a name>|<another>' runs only the checks whose names hold one of them
 * (while developing). */
const only = process.env.E2E_ONLY?.split('|');
export async function check(name, fn) {
  if (only && !only.some((part) => name.includes(part))) return;
  try {
    await fn();
    results.push([name, true]);
    console.log(`ok   ${name}`);
  } catch (e) {
    results.push([name, false]);
    console.log(`FAIL ${name}: ${e.message}`);
  }
}
export const assert = (cond, msg) => { if (!cond) throw new Error(msg); };

export function start(args, env = {}) {
  const child = spawn(binary, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  child.log = '';
  child.stdout.on('data', (d) => (child.log += d));
  child.stderr.on('data', (d) => (child.log += d));
  return child;
}

/** Starts `citywall serve --config config` on a free port and waits until it answers. */
export async function serveConfig(config) {
  const port = await freePort();
  const server = start(['serve', '--config', config, '--port', String(port)]);
  children.push(server);
  const base = `http://127.0.0.1:${port}`;
  await waitForApi(base, server);
  return { server, base };
}

export async function waitForApi(base, server) {
  const started = Date.now();
  for (;;) {
    try { if ((await fetch(`${base}/api/v1/meta`)).ok) return; } catch { /* not up yet */ }
    if (Date.now() - started > 30_000) throw new Error(`server did not start:\n${server.log}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The processes a suite starts; stopped when it ends, whatever happened. */
export const children = [];

/** Runs a suite's checks in `body(browser)`: Debian's Chromium launched as every suite launches
 * it, a failure outside a check counted as `setup`, the browser and every started process
 * stopped at the end, and the tally printed. `gpu: false` for a page without a map: Chromium
 * then composites in software, as it does by itself on a machine without a GPU, instead of
 * through SwiftShader's emulated GL, which the map's WebGL needs but which costs a video
 * screen a core for nothing. */
export async function suite(body, { gpu = true } = {}) {
  let browser;
  try {
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-background-networking', ...(gpu ? GPU_COMPOSITING : ['--disable-gpu'])] });
    await body(browser);
  } catch (e) {
    results.push(['setup', false]);
    console.log(`FAIL setup: ${e.message}`);
  } finally {
    await browser?.close();
    for (const c of children) c.kill('SIGTERM');
  }
  finish();
}

/** Prints the tally and exits non-zero when a check failed. */
export function finish() {
  const passed = results.filter((r) => r[1]).length;
  const failed = results.length - passed;
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}
