// Browser e2e: `citywall serve --demo` on loopback, Debian's chromium through playwright-core.
// Asserts the wall drew all three live layers over the basemap, shows the DEMO badge and source
// health, opens a detail popup on click; saves screenshots under test-output/.
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const out = path.join(root, 'test-output');
mkdirSync(out, { recursive: true });
const binary = process.env.CITYWALL_BIN ?? path.join(root, 'target/debug/citywall');

const freePort = () =>
  new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
    s.on('error', reject);
  });

const results = [];
async function check(name, fn) {
  try {
    await fn();
    results.push([name, true]);
    console.log(`ok   ${name}`);
  } catch (e) {
    results.push([name, false]);
    console.log(`FAIL ${name}: ${e.message}`);
  }
}
const assert = (cond, msg) => { if (!cond) throw new Error(msg); };

const port = await freePort();
const server = spawn(binary, ['serve', '--demo', '--port', String(port)], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
let serverLog = '';
server.stdout.on('data', (d) => (serverLog += d));
server.stderr.on('data', (d) => (serverLog += d));
const base = `http://127.0.0.1:${port}`;

let browser;
try {
  // Wait for the API.
  const started = Date.now();
  for (;;) {
    try { if ((await fetch(`${base}/api/v1/meta`)).ok) break; } catch { /* not up yet */ }
    if (Date.now() - started > 30_000) throw new Error(`server did not start:\n${serverLog}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
  const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
  const consoleErrors = [];
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  // Nothing may leave loopback.
  const offHost = [];
  page.on('request', (r) => { const u = new URL(r.url()); if (!['127.0.0.1', 'localhost'].includes(u.hostname) && !['data:', 'blob:'].includes(u.protocol)) offHost.push(r.url()); });
  await page.goto(base);

  await check('the three layers draw features on the map', async () => {
    await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
    const drawn = await page.evaluate(() => window.__citywall.drawn);
    for (const l of ['flood', 'overweight', 'incidents']) assert(drawn[l] > 0, `${l} drew ${drawn[l]} features`);
  });
  await check('layer counts and the DEMO badge show', async () => {
    assert((await page.textContent('[data-testid=demo-badge]')).includes('演示数据'), 'no DEMO badge');
    for (const l of ['flood', 'overweight', 'incidents']) {
      const n = Number(await page.textContent(`[data-testid=count-${l}]`));
      assert(n > 0, `${l} count ${n}`);
    }
  });
  await check('every source shows ok in the health strip', async () => {
    await page.waitForFunction(() => document.querySelectorAll('[data-source][data-state="ok"]').length === 3, null, { timeout: 15_000 });
  });
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  await page.screenshot({ path: path.join(out, 'browser-wall.png') });

  await check('clicking a flood point opens its detail', async () => {
    const point = await page.evaluate(() => {
      const { map } = window.__citywall;
      const f = map.queryRenderedFeatures({ layers: ['flood-dot'] })[0];
      const p = map.project(f.geometry.coordinates);
      const r = map.getCanvas().getBoundingClientRect();
      return { x: r.left + p.x, y: r.top + p.y };
    });
    await page.mouse.click(point.x, point.y);
    await page.waitForSelector('.wall-popup .detail', { timeout: 5_000 });
    const text = await page.textContent('.wall-popup .detail');
    assert(text.includes('积水深度') && text.includes('预警阈值'), `popup: ${text}`);
    await page.screenshot({ path: path.join(out, 'browser-flood-detail.png') });
  });
  await check('street zoom shows 3D buildings and labels', async () => {
    await page.evaluate(() => {
      document.querySelectorAll('.maplibregl-popup').forEach((p) => p.remove());
      window.__citywall.map.jumpTo({ center: [118.283, 33.962], zoom: 15.6, pitch: 55, bearing: -20 });
    });
    await page.waitForFunction(() => window.__citywall.map.loaded() && window.__citywall.map.areTilesLoaded(), null, { timeout: 20_000 });
    await page.waitForTimeout(1500);
    const buildings = await page.evaluate(() => window.__citywall.map.queryRenderedFeatures({ layers: ['buildings-3d'] }).length);
    assert(buildings > 50, `only ${buildings} buildings drawn`);
    await page.screenshot({ path: path.join(out, 'browser-street-zoom.png') });
  });
  await check('nothing was requested beyond loopback', async () => {
    assert(offHost.length === 0, `off-host requests: ${offHost.slice(0, 5).join(', ')}`);
  });
  if (consoleErrors.length) console.log(`console errors:\n  ${consoleErrors.slice(0, 10).join('\n  ')}`);
} catch (e) {
  results.push(['setup', false]);
  console.log(`FAIL setup: ${e.message}`);
} finally {
  await browser?.close();
  server.kill('SIGTERM');
}
const passed = results.filter((r) => r[1]).length;
const failed = results.length - passed;
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
