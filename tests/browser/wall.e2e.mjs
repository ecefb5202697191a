// Browser e2e: `citywall serve --demo` on loopback, Debian's chromium through playwright-core.
// Asserts the wall drew all three live layers over the basemap, shows the DEMO badge and source
// health, opens a detail popup on click; saves screenshots under test-output/.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { deflateSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { GPU_COMPOSITING, assert, check, finish, freePort, out, results, root, start, waitForApi } from './support.mjs';

/** Where on the page a drawn feature of a style layer is (the first, or the one with `id`). */
const featureOnScreen = (page, styleId, id) => page.evaluate(([styleId, id]) => {
  const { map } = window.__citywall;
  const f = map.queryRenderedFeatures({ layers: [styleId] }).find((x) => id === undefined || x.properties._id === id);
  const p = map.project(f.geometry.coordinates);
  const r = map.getCanvas().getBoundingClientRect();
  return { x: r.left + p.x, y: r.top + p.y };
}, [styleId, id]);

/** A 256-px PNG basemap tile: pale ground, a street grid and a river band, as a light municipal
 * raster basemap looks (written here: no image library, no download). */
function pngTile() {
  const size = 256;
  const raw = Buffer.alloc((size * 3 + 1) * size);
  for (let y = 0; y < size; y++) {
    raw[y * (size * 3 + 1)] = 0;
    for (let x = 0; x < size; x++) {
      const street = x % 64 < 4 || y % 64 < 4;
      const river = Math.abs(y - 160 - (x >> 3)) < 10;
      const [r, g, b] = river ? [150, 190, 230] : street ? [255, 255, 255] : [236, 232, 220];
      raw.set([r, g, b], y * (size * 3 + 1) + 1 + x * 3);
    }
  }
  const crcTable = Array.from({ length: 256 }, (_, n) => { let c = n; for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1; return c >>> 0; });
  const crc = (buf) => { let c = 0xffffffff; for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8); return (c ^ 0xffffffff) >>> 0; };
  const chunk = (type, data) => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const out = Buffer.alloc(12 + data.length);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc(body), 8 + data.length);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', header), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

const port = await freePort();
const server = start(['serve', '--demo', '--port', String(port)]);
const base = `http://127.0.0.1:${port}`;
const children = [server];

let browser;
try {
  await waitForApi(base, server);
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic', ...GPU_COMPOSITING],
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
    const expected = (await (await fetch(`${base}/api/v1/sources`)).json()).length;
    assert(expected >= 4, `the demo has ${expected} sources`);
    // Past eight sources the strip counts them by state and lists in full only those that
    // need attention.
    // A function, not a string: the page's Content-Security-Policy allows no eval.
    await page.waitForFunction((expected) => Number(document.querySelector('[data-testid=source-summary]')?.dataset.ok ?? document.querySelectorAll('[data-source][data-state="ok"]').length) === expected, expected, { timeout: 20_000 });
    assert(await page.evaluate(() => document.querySelectorAll('[data-source]').length === 0), 'a healthy wall lists no source in full');
  });
  await check('the demo wall carries 25+ layers in groups, its lines and polygons drawn from their config style', async () => {
    const layers = await (await fetch(`${base}/api/v1/layers`)).json();
    assert(layers.length >= 25, `${layers.length} layers`);
    await page.waitForFunction(() => ['congestion-line', 'construction-fill', 'construction-outline'].every((l) => window.__citywall.map.queryRenderedFeatures({ layers: [l] }).length > 0), null, { timeout: 20_000 });
    const drawn = await page.evaluate(() => {
      const map = window.__citywall.map;
      const lines = map.queryRenderedFeatures({ layers: ['congestion-line'] });
      return { types: [...new Set(lines.map((f) => f.geometry.type))], levels: [...new Set(lines.map((f) => f.properties.level))], groups: document.querySelectorAll('[data-group]').length };
    });
    assert(drawn.types.every((t) => t.includes('LineString')), `congestion drawn as ${drawn.types}`);
    assert(drawn.levels.length >= 2, `congestion levels ${drawn.levels}`);
    assert(drawn.groups >= 6, `${drawn.groups} catalogue groups`);
    await page.click('.legend-box summary');
    const legend = await page.evaluate(() => ({ lines: document.querySelectorAll('.legend .swatch-line').length, fills: document.querySelectorAll('.legend .swatch-fill').length }));
    assert(legend.lines >= 4 && legend.fills >= 3, `legend swatches ${JSON.stringify(legend)}`);
    await page.click('.legend-box summary');
  });
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  await page.screenshot({ path: path.join(out, 'browser-wall.png') });

  await check('clicking a flood point opens its detail', async () => {
    const point = await featureOnScreen(page, 'flood-dot');
    await page.mouse.click(point.x, point.y);
    await page.waitForSelector('.wall-popup .detail', { timeout: 5_000 });
    const text = await page.textContent('.wall-popup .detail');
    assert(text.includes('积水深度') && text.includes('预警阈值'), `popup: ${text}`);
    await page.screenshot({ path: path.join(out, 'browser-flood-detail.png') });
  });
  await check('search finds a place and flies to its detail', async () => {
    await page.evaluate(() => document.querySelectorAll('.maplibregl-popup').forEach((p) => p.remove()));
    await page.keyboard.press('/');
    await page.keyboard.type('下穿通道');
    await page.waitForSelector('[data-testid=search-hits] button', { timeout: 5_000 });
    await page.keyboard.press('Enter');
    await page.waitForSelector('.wall-popup .detail', { timeout: 15_000 });
    const text = await page.textContent('.wall-popup .detail');
    assert(text.includes('下穿通道') && text.includes('积水深度'), `popup: ${text}`);
    await page.screenshot({ path: path.join(out, 'browser-search.png') });
  });
  await check('open warnings list, acknowledging one keeps it open as acknowledged', async () => {
    await page.evaluate(() => document.querySelectorAll('.maplibregl-popup').forEach((p) => p.remove()));
    await page.waitForSelector('[data-testid=warnings] [data-warning] [data-testid=ack]', { timeout: 20_000 });
    // A warning that stays while it is acknowledged: an overweight pass clears by itself 30
    // simulated minutes after the pass (30 s here), and one picked just before it clears is
    // gone before the acknowledgement lands. Clicked inside the page, at once: the list
    // re-renders as warnings come and go.
    const picked = await page.waitForFunction(() => {
      for (const li of document.querySelectorAll('[data-testid=warnings] [data-warning]')) {
        const w = window.__citywall.wall.warnings.list.find((x) => x.id === li.dataset.warning);
        const button = li.querySelector('[data-testid=ack]');
        if (w && w.kind !== 'overweight-pass' && button) {
          button.click();
          return w.id;
        }
      }
      return false;
    }, null, { timeout: 20_000 });
    const id = await picked.jsonValue();
    // Acknowledged, a warning sorts below those of its level still to acknowledge: on a stormy
    // wall that can take it out of the panel's first rows. Where it is still shown, its row says
    // who acknowledged it and offers no 确认.
    const shown = await page.waitForFunction((wid) => {
      const w = window.__citywall.wall.warnings.list.find((x) => x.id === wid);
      if (w?.state !== 'acknowledged' || w.acknowledged_by !== '值班员') return false;
      const li = document.querySelector(`[data-warning="${wid}"]`);
      if (!li) return 'below the shown rows';
      return !li.querySelector('[data-testid=ack]') && li.textContent.includes('值班员') && 'shown acknowledged';
    }, id, { timeout: 10_000 });
    console.log(`     the acknowledged warning is ${await shown.jsonValue()}`);
    const open = await (await fetch(`${base}/api/v1/warnings`)).json();
    const w = open.find((x) => x.id === id);
    assert(w && w.state === 'acknowledged' && w.acknowledged_by === '值班员', `warning ${id}: ${JSON.stringify(w)}`);
  });
  await check('cameras come as vector tiles with fields of view at street zoom', async () => {
    await page.evaluate(() => window.__citywall.map.jumpTo({ center: [118.281, 33.961], zoom: 17, pitch: 0, bearing: 0 }));
    await page.waitForFunction(() => window.__citywall.map.loaded() && window.__citywall.map.areTilesLoaded(), null, { timeout: 20_000 });
    await page.waitForTimeout(800);
    const n = await page.evaluate(() => ({
      dots: window.__citywall.map.queryRenderedFeatures({ layers: ['cameras-dot'] }).length,
      cones: window.__citywall.map.queryRenderedFeatures({ layers: ['cameras-fov'] }).length,
    }));
    assert(n.dots > 5 && n.cones > 5, `cameras drawn: ${JSON.stringify(n)}`);
    await page.screenshot({ path: path.join(out, 'browser-cameras.png') });
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
  await check('the English switch relabels the wall and switches back', async () => {
    await page.evaluate(() => window.__citywall.map.jumpTo({ center: [118.28, 33.96], zoom: 11.6, pitch: 0, bearing: 0 }));
    await page.click('[data-testid=lang]');
    await page.waitForFunction(() => document.querySelector('h1')?.textContent?.includes('Demo City Operations Centre'), null, { timeout: 5_000 });
    const strip = await page.textContent('[data-testid=source-health]');
    assert(strip.includes('Sources') && strip.includes('OK'), `strip: ${strip}`);
    await page.waitForTimeout(800);
    await page.screenshot({ path: path.join(out, 'browser-english.png') });
    await page.click('[data-testid=lang]');
    await page.waitForFunction(() => document.querySelector('h1')?.textContent?.includes('示范市城市运行管理中心'), null, { timeout: 5_000 });
  });
  // What the map shows of the live layers, as comparable text: id → drawn properties.
  const mapState = () => page.evaluate(() => {
    const { map } = window.__citywall;
    // Points within a few pixels of the canvas edge are left out: half a circle there comes and
    // goes with a one-pixel relayout, whatever the replay shows.
    const { width, height } = map.getCanvas().getBoundingClientRect();
    const inside = (f) => { const p = map.project(f.geometry.coordinates); return p.x > 12 && p.y > 12 && p.x < width - 12 && p.y < height - 12; };
    const rows = map.queryRenderedFeatures({ layers: ['flood-dot', 'overweight-dot', 'incidents-dot'] }).filter(inside)
      .map((f) => `${f.layer.id}:${f.properties._id}:${f.properties.level_m ?? ''}:${f.properties.passes_1h ?? ''}:${f.properties.status ?? ''}`);
    return [...new Set(rows)].sort().join('\n');
  });
  await check('replay shows the same map for the same instant twice, then returns to live', async () => {
    await page.evaluate(() => window.__citywall.map.jumpTo({ center: [118.28, 33.96], zoom: 11.3, pitch: 0, bearing: 0 }));
    // Two instants inside the stored history.
    const span = await (await fetch(`${base}/api/v1/replay/span`)).json();
    const instant = Math.round(span.from + (span.to - span.from) * 0.7);
    const earlier = Math.round(span.from + (span.to - span.from) * 0.25);
    const showAt = async (at) => {
      await page.evaluate((t) => window.__citywall.seek(t), at);
      await page.waitForFunction((t) => document.body.dataset.replayAt === String(t), at, { timeout: 15_000 });
      // The map has drawn the instant once two reads 500 ms apart agree (a software-GL frame
      // can take 300 ms, and a source busy with the previous data queues the next).
      const until = Date.now() + 15_000;
      let last = '';
      for (;;) {
        await page.waitForFunction(() => window.__citywall.map.loaded(), null, { timeout: 10_000 });
        const now = await mapState();
        if (now === last || Date.now() > until) return now;
        last = now;
        await page.waitForTimeout(500);
      }
    };
    const first = await showAt(instant);
    assert(first.split('\n').length > 10, `replay drew only: ${first}`);
    const other = await showAt(earlier);
    const second = await showAt(instant);
    assert(first === second, `two replays of one instant differ:\n${first}\n---\n${second}`);
    assert(other !== first, 'a different instant drew the same map');
    assert(await page.isVisible('[data-testid=replay-banner]'), 'no replay banner');
    await page.click('[data-testid=go-live]');
    await page.waitForFunction(() => !document.querySelector('[data-testid=replay-banner]') && !document.body.dataset.replayAt, null, { timeout: 10_000 });
  });
  await check('live changes reach the drawn map within 1 s (p95)', async () => {
    // Measured on the settled live wall: not during the refetch burst of the return from replay
    // (every layer's view, the warnings and the panels reloaded, the basemap tiles of the
    // earlier street-level checks still being evicted): its tiles loaded, then 5 s more.
    await page.waitForFunction(() => window.__citywall.map.areTilesLoaded(), null, { timeout: 30_000, polling: 250 });
    await page.waitForTimeout(5000);
    await page.evaluate(() => { window.__citywall.latencies.length = 0; window.__citywall.latencyParts.length = 0; });
    await page.waitForFunction(() => window.__citywall.latencies.length >= 120, null, { timeout: 120_000 });
    const l = await page.evaluate(() => [...window.__citywall.latencies].sort((a, b) => a - b));
    const parts = await page.evaluate(() => window.__citywall.latencyParts);
    const mean = (i) => Math.round(parts.reduce((s, p) => s + p[i], 0) / Math.max(1, parts.length));
    console.log(`     mean parts: poll → published ${mean(0)} ms, published → received ${mean(1)} ms, received → drawn ${mean(2)} ms`);
    const q = (p) => l[Math.min(l.length - 1, Math.floor(p * l.length))];
    console.log(`     latency poll → drawn over ${l.length} changes: median ${q(0.5)} ms, p95 ${q(0.95)} ms, max ${l[l.length - 1]} ms`);
    writeFileSync(path.join(out, 'latency.json'), JSON.stringify({ samples: l.length, median_ms: q(0.5), p95_ms: q(0.95), max_ms: l[l.length - 1], mean_parts_ms: { poll_to_published: mean(0), published_to_received: mean(1), received_to_drawn: mean(2) } }, null, 2));
    const byLayer = {};
    for (const [, , , layer] of parts) byLayer[layer] = (byLayer[layer] ?? 0) + 1;
    console.log(`     changes per layer: ${JSON.stringify(byLayer)}`);
    assert(q(0.95) <= 1000, `p95 ${q(0.95)} ms is over the 1 s target`);
  });
  await check('frame time while panning over 100k points (reported)', async () => {
    const r = await page.evaluate(async () => {
      const { map } = window.__citywall;
      const features = [];
      let seed = 7;
      const rnd = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
      for (let i = 0; i < 100_000; i++) features.push({ type: 'Feature', properties: { v: i % 5 }, geometry: { type: 'Point', coordinates: [118.13 + rnd() * 0.3, 33.86 + rnd() * 0.2] } });
      map.addSource('bench-100k', { type: 'geojson', data: { type: 'FeatureCollection', features } });
      map.addLayer({ id: 'bench-100k', type: 'circle', source: 'bench-100k', paint: { 'circle-radius': 2, 'circle-color': ['match', ['get', 'v'], 0, '#4fc3f7', 1, '#9ccc65', 2, '#ffb74d', 3, '#f06292', '#ba68c8'] } });
      await new Promise((res) => map.once('idle', res));
      const visible = map.queryRenderedFeatures({ layers: ['bench-100k'] }).length;
      const frames = [];
      let last = performance.now();
      const started = last;
      await new Promise((res) => {
        const step = (t) => {
          frames.push(t - last);
          last = t;
          map.panBy([6, 3], { duration: 0 });
          if (t - started < 4000) requestAnimationFrame(step); else res();
        };
        requestAnimationFrame(step);
      });
      map.removeLayer('bench-100k');
      map.removeSource('bench-100k');
      frames.sort((a, b) => a - b);
      return { visible, frames: frames.length, median: frames[Math.floor(frames.length / 2)], p95: frames[Math.floor(frames.length * 0.95)] };
    });
    console.log(`     panning with ${r.visible} of 100000 points drawn: ${r.frames} frames, median ${r.median.toFixed(1)} ms, p95 ${r.p95.toFixed(1)} ms (software GL under Xvfb)`);
    writeFileSync(path.join(out, 'frame-time.json'), JSON.stringify(r, null, 2));
    assert(r.visible > 50_000, `only ${r.visible} points visible`);
  });
  await check('the 4K wall (3840×2160): full wall, flood warning detail, replay mid-storm, English', async () => {
    const big = await browser.newPage({ viewport: { width: 1920, height: 1080 }, deviceScaleFactor: 2 });
    await big.goto(base);
    await big.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
    await big.waitForFunction(() => Number(document.querySelector('[data-testid=source-summary]')?.dataset.ok ?? document.querySelectorAll('[data-source][data-state="ok"]').length) >= 5, null, { timeout: 20_000 });
    await big.waitForTimeout(2500);
    await big.screenshot({ path: path.join(out, 'wall-4k.png') });
    // A gauge over a threshold, clicked: its detail with the level chart and its thresholds.
    const spot = await big.evaluate(() => {
      const { map } = window.__citywall;
      const f = map.queryRenderedFeatures({ layers: ['flood-dot'] })
        .filter((x) => x.properties.level_m >= x.properties.threshold_blue_m)
        .sort((a, b) => b.properties.level_m - a.properties.level_m)[0];
      if (!f) return null;
      map.jumpTo({ center: f.geometry.coordinates, zoom: 13.5 });
      return f.properties._id;
    });
    assert(spot, 'no gauge over a threshold to open');
    await big.waitForTimeout(1200);
    const point = await featureOnScreen(big, 'flood-dot', spot);
    await big.mouse.click(point.x, point.y);
    await big.waitForSelector('.wall-popup .detail-chart canvas', { timeout: 10_000 });
    await big.waitForTimeout(800);
    await big.screenshot({ path: path.join(out, 'wall-4k-flood-detail.png') });
    await big.evaluate(() => { document.querySelectorAll('.maplibregl-popup').forEach((p) => p.remove()); window.__citywall.map.jumpTo({ center: [118.28, 33.96], zoom: 11.3 }); });
    const meta = await (await fetch(`${base}/api/v1/meta`)).json();
    const c = meta.demo_clock;
    const stormAt = Math.round(c.sim_origin_ms + (Date.now() - c.wall_origin_ms) * c.scale - 20 * 60_000);
    await big.evaluate((t) => window.__citywall.seek(t), stormAt);
    await big.waitForFunction((t) => document.body.dataset.replayAt === String(t), stormAt, { timeout: 15_000 });
    await big.waitForTimeout(1500);
    await big.screenshot({ path: path.join(out, 'wall-4k-replay.png') });
    await big.click('[data-testid=go-live]');
    await big.click('[data-testid=lang]');
    await big.waitForFunction(() => document.querySelector('h1')?.textContent?.includes('Demo City Operations Centre'), null, { timeout: 5_000 });
    await big.waitForTimeout(1500);
    await big.screenshot({ path: path.join(out, 'wall-4k-english.png') });
    await big.click('[data-testid=lang]');
    await big.close();
    const wide = await browser.newPage({ viewport: { width: 3840, height: 1080 }, deviceScaleFactor: 2 });
    await wide.goto(base);
    await wide.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
    await wide.waitForTimeout(2500);
    await wide.screenshot({ path: path.join(out, 'wall-8k-wide.png') });
    await wide.close();
  });
  await check('a multi-monitor wall: the map, panels and video screens each stand alone', async () => {
    for (const r of ['map', 'panels', 'video']) {
      const screen = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
      await screen.goto(`${base}/?role=${r}`);
      await screen.waitForSelector(`body[data-ready="true"] .wall[data-role="${r}"]`, { timeout: 60_000 });
      if (r === 'panels') await screen.waitForSelector('[data-testid=warnings] [data-warning]', { timeout: 15_000 });
      if (r === 'video') await screen.waitForSelector('[data-testid=video-wall] .tile', { timeout: 15_000 });
      if (r === 'map') assert(!(await screen.isVisible('[data-testid=warnings]')), 'the map screen shows the panels');
      await screen.waitForTimeout(1200);
      await screen.screenshot({ path: path.join(out, `wall-screen-${r}.png`) });
      await screen.close();
    }
  });
  await check('nothing was requested beyond loopback', async () => {
    assert(offHost.length === 0, `off-host requests: ${offHost.slice(0, 5).join(', ')}`);
  });
  await page.close();

  // A subsystem that stops: its source turns failing on the health strip with the reason, its
  // features stay on the map greyed; when it comes back the source recovers by itself.
  const simBase = await freePort();
  let sim = start(['sim', '--port-base', String(simBase)]);
  children.push(sim);
  const dir = mkdtempSync(path.join(tmpdir(), 'citywall-e2e-'));
  const config = path.join(dir, 'wall.toml');
  writeFileSync(config, readFileSync(path.join(root, 'assets/demo/citywall.toml'), 'utf8')
    .replaceAll('18101', String(simBase)).replaceAll('18102', String(simBase + 1)).replaceAll('18103', String(simBase + 2)).replaceAll('18104', String(simBase + 3))
    .replace(/interval_s = \d+/g, 'interval_s = 1').replace('max_backoff_s = 60', 'max_backoff_s = 2')
    .replace('"../basemap/city.pmtiles"', JSON.stringify(path.join(root, 'assets/basemap/city.pmtiles'))));
  const port2 = await freePort();
  const server2 = start(['serve', '--config', config, '--port', String(port2)]);
  children.push(server2);
  const base2 = `http://127.0.0.1:${port2}`;
  await waitForApi(base2, server2);
  const wall = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
  await wall.goto(base2);
  await check('a stopped subsystem shows as failing, its data greyed, then recovers', async () => {
    await wall.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
    assert((await wall.$('[data-testid=demo-badge]')) === null, 'a configured wall shows no DEMO badge');
    sim.kill('SIGTERM');
    await wall.waitForSelector('[data-source="flood-gauges"][data-state="failing"]', { timeout: 10_000 });
    // A poll caught mid-answer by the stop fails with "connection reset"; the next ones, with
    // the subsystem gone, say they cannot connect.
    await wall.waitForFunction(() => (document.querySelector('[data-source="flood-gauges"] .err')?.textContent ?? '').includes('cannot connect'), null, { timeout: 10_000 })
      .catch(async () => { throw new Error(`failing reason: ${await wall.textContent('[data-source="flood-gauges"] .err')}`); });
    await wall.waitForFunction(() => {
      const fs = window.__citywall.map.queryRenderedFeatures({ layers: ['flood-dot'] });
      return fs.length > 0 && fs.every((f) => f.properties._stale === true);
    }, null, { timeout: 10_000 });
    await wall.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    await wall.screenshot({ path: path.join(out, 'browser-source-failing.png') });
    sim = start(['sim', '--port-base', String(simBase)]);
    children.push(sim);
    await wall.waitForSelector('[data-source="flood-gauges"][data-state="ok"]', { timeout: 15_000 });
    await wall.waitForFunction(() => {
      const fs = window.__citywall.map.queryRenderedFeatures({ layers: ['flood-dot'] });
      return fs.length > 0 && fs.every((f) => f.properties._stale === false);
    }, null, { timeout: 10_000 });
  });
  // Text from a subsystem is never markup: an incident platform that sends markup and script in
  // every text field (its status changing, so the timeline holds two) must leave the wall inert.
  await check('markup and script in every text field of an incident stay text (detail, timeline, search)', async () => {
    const hostile = (field) => `<img src=x onerror="window.__pwned='${field}'"><script>window.__pwned='${field}'<\/script><b>${field}</b>`;
    const FIELDS = ['category', 'channel', 'severity', 'district', 'street', 'grid', 'reported_at', 'name'];
    const id = 'evt-<i>idtag</i>';
    let served = 0;
    const platform = (await import('node:http')).createServer((req, res) => {
      served++;
      const properties = Object.fromEntries(FIELDS.map((f) => [f, hostile(f)]));
      properties.status = hostile(served < 3 ? 'status1' : 'status2');
      const fc = { type: 'FeatureCollection', features: [{ type: 'Feature', id, geometry: { type: 'Point', coordinates: [118.28, 33.96] }, properties }] };
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(fc));
    });
    const platformPort = await freePort();
    await new Promise((r) => platform.listen(platformPort, '127.0.0.1', r));
    try {
      const hdir = mkdtempSync(path.join(tmpdir(), 'citywall-hostile-'));
      const hconfig = path.join(hdir, 'wall.toml');
      writeFileSync(hconfig, `[store]\npath = "wall.db"\n\n[[layer]]\nid = "incidents"\ntitle_zh = "安全事件"\ntitle_en = "Incidents"\ntemplate = "incidents"\n\n[[source]]\nid = "hostile"\nlayer = "incidents"\nkind = "geojson"\ntitle = "事件平台"\nurl = "http://127.0.0.1:${platformPort}/events"\ninterval_s = 1\n`);
      const hport = await freePort();
      const hserver = start(['serve', '--config', hconfig, '--port', String(hport)]);
      children.push(hserver);
      const hbase = `http://127.0.0.1:${hport}`;
      await waitForApi(hbase, hserver);
      // Both statuses stored before the detail opens, so the timeline shows two steps.
      const started = Date.now();
      for (;;) {
        const h = await (await fetch(`${hbase}/api/v1/history?layer=incidents&id=${encodeURIComponent(id)}&since=0`)).json();
        if (Array.isArray(h) && new Set(h.map((x) => x.properties?.status)).size >= 2) break;
        assert(Date.now() - started < 20_000, `history never held two statuses: ${JSON.stringify(h).slice(0, 300)}`);
        await new Promise((r) => setTimeout(r, 300));
      }
      const hpage = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
      await hpage.goto(hbase);
      await hpage.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
      await hpage.evaluate(() => window.__citywall.map.jumpTo({ center: [118.28, 33.96], zoom: 15 }));
      await hpage.waitForFunction(() => window.__citywall.map.queryRenderedFeatures({ layers: ['incidents-dot'] }).length > 0, null, { timeout: 15_000 });
      const spot = await featureOnScreen(hpage, 'incidents-dot');
      await hpage.mouse.click(spot.x, spot.y);
      await hpage.waitForSelector('.wall-popup .detail', { timeout: 5_000 });
      await hpage.waitForFunction(() => document.querySelectorAll('[data-testid=timeline-steps] li').length >= 2, null, { timeout: 10_000 });
      await hpage.keyboard.press('/');
      await hpage.keyboard.type('onerror');
      await hpage.waitForSelector('[data-testid=search-hits] button', { timeout: 5_000 });
      await hpage.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
      await hpage.screenshot({ path: path.join(out, 'browser-hostile-incident.png') });
      const dom = await hpage.evaluate((fields) => ({
        pwned: window.__pwned ?? null,
        images: document.querySelectorAll('body img').length,
        inlineScripts: [...document.querySelectorAll('script')].filter((x) => !x.src).length,
        handlers: document.querySelectorAll('[onerror]').length,
        injected: [...document.querySelectorAll('b, i')].filter((x) => fields.some((f) => x.textContent === f || x.textContent === 'idtag')).length,
        detail: document.querySelector('.wall-popup .detail')?.textContent ?? '',
        timeline: document.querySelector('[data-testid=timeline-steps]')?.textContent ?? '',
        hits: document.querySelector('[data-testid=search-hits]')?.textContent ?? '',
      }), [...FIELDS, 'status1', 'status2']);
      assert(dom.pwned === null, `a script from the data ran: ${dom.pwned}`);
      assert(dom.images === 0 && dom.inlineScripts === 0 && dom.handlers === 0 && dom.injected === 0, `elements from the data: ${JSON.stringify(dom).slice(0, 400)}`);
      for (const f of ['category', 'channel', 'district', 'reported_at', 'status2']) assert(dom.detail.includes(hostile(f)), `the detail does not show ${f} as text: ${dom.detail.slice(0, 300)}`);
      assert(dom.timeline.includes(hostile('status1')) && dom.timeline.includes(hostile('status2')), `timeline: ${dom.timeline.slice(0, 300)}`);
      assert(dom.hits.includes('<img src=x'), `search hits: ${dom.hits.slice(0, 200)}`);
      console.log(`     ${FIELDS.length + 1} hostile fields, 2 timeline steps, search hits: no element or script from the data`);
      await hpage.close();
    } finally {
      platform.close();
    }
  });
  await check('layers a config declares draw with their style, popup, legend and catalogue group (no code change)', async () => {
    // A city's own layers: ids, groups, colours and popup rows the wall has never heard of.
    const statuses = ['正常', '故障', '维修中'];
    const hydrants = Array.from({ length: 40 }, (_, i) => ({ type: 'Feature', id: `H${i}`, geometry: { type: 'Point', coordinates: [118.26 + (i % 8) * 0.006, 33.95 + Math.floor(i / 8) * 0.005] },
      properties: { name: `消防栓${i}号`, status: statuses[i % 3], pressure: 0.3 + (i % 5) * 0.037, checked_at: '2026-11-30T08:00:00+08:00' } }));
    const pumps = Array.from({ length: 12 }, (_, i) => ({ type: 'Feature', id: `P${i}`, geometry: { type: 'Point', coordinates: [118.255 + i * 0.005, 33.945] }, properties: { name: `泵站${i}`, load_pct: i * 9 } }));
    // Road segments (lines) and works zones (polygons) from the city's OGC API – Features service.
    const levels = ['畅通', '缓行', '拥堵'];
    const roads = Array.from({ length: 6 }, (_, i) => ({ type: 'Feature', id: `R${i}`, geometry: { type: 'LineString', coordinates: [[118.262, 33.952 + i * 0.002], [118.270, 33.953 + i * 0.002], [118.284, 33.952 + i * 0.002]] }, properties: { road: `测试路${i}段`, level: levels[i % 3], speed: 20 + i * 7 } }));
    const square = (x, y, h) => [[[x - h, y - h], [x + h, y - h], [x + h, y + h], [x - h, y + h], [x - h, y - h]]];
    const zones = [
      { type: 'Feature', id: 'Z1', geometry: { type: 'Polygon', coordinates: square(118.272, 33.962, 0.002) }, properties: { name: '一号施工区', status: '施工中' } },
      { type: 'Feature', id: 'Z2', geometry: { type: 'MultiPolygon', coordinates: [square(118.280, 33.962, 0.0015), square(118.285, 33.962, 0.001)] }, properties: { name: '二号管控区', status: '封闭' } },
    ];
    const ogc = (items) => ({ type: 'FeatureCollection', features: items, numberReturned: items.length, links: [] });
    // The city's own raster basemap on its LAN: pale tiles with a street grid, as a light
    // municipal basemap is; the wall must get them through the engine, dimmed.
    const tile = pngTile();
    const tileAgents = [];
    const city = (await import('node:http')).createServer((req, res) => {
      if (req.url.startsWith('/tiles/')) {
        tileAgents.push(req.headers['user-agent'] ?? '');
        res.writeHead(200, { 'content-type': 'image/png' });
        return res.end(tile);
      }
      res.writeHead(200, { 'content-type': 'application/geo+json' });
      if (req.url.startsWith('/ogc/collections/roads/items')) return res.end(JSON.stringify(ogc(roads)));
      if (req.url.startsWith('/ogc/collections/zones/items')) return res.end(JSON.stringify(ogc(zones)));
      res.end(JSON.stringify({ type: 'FeatureCollection', features: req.url.startsWith('/hydrants') ? hydrants : pumps }));
    });
    const cityPort = await freePort();
    await new Promise((r) => city.listen(cityPort, '127.0.0.1', r));
    try {
      const cdir = mkdtempSync(path.join(tmpdir(), 'citywall-layers-'));
      const cconfig = path.join(cdir, 'wall.toml');
      writeFileSync(cconfig, `[store]
path = "wall.db"

[basemap]
raster = "http://127.0.0.1:${cityPort}/tiles/{z}/{x}/{y}.png"
attribution = "© 测试市测绘院"

[[layer]]
id = "hydrants"
title_zh = "消防栓"
title_en = "Fire hydrants"
group = "应急资源"
label = "name"
style = { color_by = { field = "status", values = { "正常" = "#2ec27e", "故障" = "#ff4d4f", "维修中" = "#f5a623" } }, radius = 7 }
popup = [{ field = "name", title = "名称" }, { field = "pressure", title = "水压", unit = "MPa", format = "number", digits = 2 }, { field = "checked_at", title = "巡检时间", format = "time" }]

[[layer]]
id = "pumps"
title_zh = "排涝泵站"
title_en = "Drainage pumps"
group = "防汛设施"
cluster_below_zoom = 12
style = { color_by = { field = "load_pct", stops = [[0, "#3a8bff"], [60, "#ffd23f"], [85, "#ff2e4d"]] }, radius = 9 }
popup = [{ field = "load_pct", title = "负荷", format = "percent", digits = 0 }]

[[layer]]
id = "traffic"
title_zh = "路段拥堵"
title_en = "Segment congestion"
group = "交通"
geometry = "line"
label = "road"
style = { color_by = { field = "level", values = { "畅通" = "#2ec27e", "缓行" = "#f5d23f", "拥堵" = "#ff4d4f" } }, width = 5, dash = [2, 1] }
popup = [{ field = "road", title = "路段" }, { field = "speed", title = "车速", unit = "km/h", format = "number", digits = 0 }]

[[layer]]
id = "works"
title_zh = "施工管控区"
title_en = "Works zones"
group = "交通"
geometry = "polygon"
label = "name"
style = { color_by = { field = "status", values = { "施工中" = "#f5a623", "封闭" = "#ff4d4f" } }, opacity = 0.35 }
popup = [{ field = "name", title = "区域" }, { field = "status", title = "状态" }]

[[source]]
id = "traffic-ogc"
layer = "traffic"
kind = "ogc-features"
url = "http://127.0.0.1:${cityPort}/ogc"
collection = "roads"
interval_s = 2

[[source]]
id = "works-ogc"
layer = "works"
kind = "ogc-features"
url = "http://127.0.0.1:${cityPort}/ogc"
collection = "zones"
interval_s = 2

[[source]]
id = "hydrant-census"
layer = "hydrants"
kind = "geojson"
url = "http://127.0.0.1:${cityPort}/hydrants"
interval_s = 2

[[source]]
id = "pump-scada"
layer = "pumps"
kind = "geojson"
url = "http://127.0.0.1:${cityPort}/pumps"
interval_s = 2
`);
      const cport = await freePort();
      const cserver = start(['serve', '--config', cconfig, '--port', String(cport)]);
      children.push(cserver);
      const cbase = `http://127.0.0.1:${cport}`;
      await waitForApi(cbase, cserver);
      for (let t = Date.now(); ;) {
        const layers = await (await fetch(`${cbase}/api/v1/layers`)).json();
        if (layers.every((l) => l.count > 0)) break;
        assert(Date.now() - t < 20_000, `layers never filled: ${JSON.stringify(layers)}`);
        await new Promise((r) => setTimeout(r, 300));
      }
      const cpage = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
      const pageAsked = [];
      cpage.on('request', (r) => pageAsked.push(r.url()));
      await cpage.goto(cbase);
      await cpage.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
      // No [map] extent and no regions: the wall opens on the data.
      await cpage.waitForFunction(() => ['hydrants-dot', 'pumps-dot'].every((l) => window.__citywall.map.queryRenderedFeatures({ layers: [l] }).length > 0), null, { timeout: 15_000 });
      const panel = await cpage.evaluate(() => ({
        groups: [...document.querySelectorAll('[data-group]')].map((g) => g.textContent),
        hydrants: document.querySelector('[data-testid=count-hydrants]')?.textContent,
        colour: JSON.stringify(window.__citywall.map.getPaintProperty('hydrants-dot', 'circle-color')),
      }));
      assert(['应急资源', '防汛设施', '交通'].every((name) => panel.groups.some((g) => g.includes(name))), `groups: ${panel.groups}`);
      assert(panel.hydrants === '40', `hydrant count ${panel.hydrants}`);
      assert(panel.colour.includes('#ff4d4f') && panel.colour.includes('故障'), `style: ${panel.colour}`);
      // A city without flood gauges, weigh stations or an event layer gets none of their panels.
      const headings = await cpage.evaluate(() => [...document.querySelectorAll('aside h2')].map((h) => h.textContent.trim()));
      assert(!headings.some((h) => ['防汛', '治超', '安全事件', '站点超限率 (近1小时)', '事件类别 Top 6', '视图'].includes(h)), `panels of absent layers: ${headings}`);
      // A group heading switches its layers off and on.
      await cpage.click('[data-group="应急资源"]');
      assert(await cpage.evaluate(() => window.__citywall.map.getLayoutProperty('hydrants-dot', 'visibility')) === 'none', 'the group did not switch off');
      await cpage.click('[data-group="应急资源"]');
      await cpage.evaluate(() => window.__citywall.map.jumpTo({ center: [118.275, 33.96], zoom: 15 }));
      await cpage.waitForFunction(() => window.__citywall.map.queryRenderedFeatures({ layers: ['hydrants-dot'] }).length > 0, null, { timeout: 15_000 });
      const spot = await featureOnScreen(cpage, 'hydrants-dot');
      await cpage.mouse.click(spot.x, spot.y);
      await cpage.waitForSelector('.wall-popup .detail', { timeout: 5_000 });
      const hydrantDetail = await cpage.textContent('.wall-popup .detail');
      assert(/水压\s*0\.\d\d MPa/.test(hydrantDetail) && hydrantDetail.includes('巡检时间') && hydrantDetail.includes('消防栓'), `popup: ${hydrantDetail}`);
      // The OGC service's lines and polygons: drawn by their own geometry with their styles,
      // a click on a polygon opens its popup rows.
      await cpage.waitForFunction(() => ['traffic-line', 'works-fill'].every((l) => window.__citywall.map.queryRenderedFeatures({ layers: [l] }).length > 0), null, { timeout: 15_000 });
      const shapes = await cpage.evaluate(() => {
        const map = window.__citywall.map;
        return { dash: JSON.stringify(map.getPaintProperty('traffic-line', 'line-dasharray')), width: map.getPaintProperty('traffic-line', 'line-width'), zones: new Set(map.queryRenderedFeatures({ layers: ['works-fill'] }).map((f) => f.properties._id)).size };
      });
      assert(shapes.dash === '[2,1]' && shapes.width === 5 && shapes.zones === 2, `line and polygon styles: ${JSON.stringify(shapes)}`);
      const zone = await cpage.evaluate(() => {
        const [x, y] = [118.272, 33.962];
        const p = window.__citywall.map.project([x, y]);
        const r = window.__citywall.map.getCanvas().getBoundingClientRect();
        return { x: r.left + p.x, y: r.top + p.y };
      });
      await cpage.mouse.click(zone.x, zone.y);
      await cpage.waitForFunction(() => (document.querySelector('.wall-popup .detail')?.textContent ?? '').includes('一号施工区'), null, { timeout: 5_000 });
      const zoneDetail = await cpage.textContent('.wall-popup .detail');
      assert(zoneDetail.includes('区域') && zoneDetail.includes('施工中'), `polygon popup: ${zoneDetail}`);
      await cpage.click('.legend-box summary');
      const legendText = await cpage.evaluate(() => document.querySelector('.legend')?.textContent ?? '');
      assert(['消防栓', '故障', '维修中', '排涝泵站', '≥ 85', '拥堵', '封闭'].every((w) => legendText.includes(w)), `legend: ${legendText}`);
      await cpage.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
      await cpage.screenshot({ path: path.join(out, 'browser-config-layers.png') });
      // Zoomed out past its cluster zoom, a configured layer shows the engine's clusters.
      await cpage.evaluate(() => window.__citywall.map.jumpTo({ center: [118.28, 33.95], zoom: 10.5 }));
      await cpage.waitForFunction(() => window.__citywall.map.queryRenderedFeatures({ layers: ['pumps-cluster'] }).length > 0, null, { timeout: 15_000 });
      // The basemap came from the city's tile service, fetched by the engine, never by the page.
      assert(tileAgents.length > 0 && tileAgents.every((a) => a.startsWith('CityWall/')), `basemap tiles asked by: ${[...new Set(tileAgents)]}`);
      assert(pageAsked.some((u) => u.includes('/basemap/')) && !pageAsked.some((u) => u.includes(`:${cityPort}/`)), 'the page reached the tile service itself');
      assert((await cpage.textContent('.maplibregl-ctrl-attrib')).includes('测试市测绘院'), 'no basemap attribution');
      console.log(`     4 configured layers (points by category and thresholds, OGC lines and polygons) in 3 groups: drawn, toggled by group, popup rows and legend from config; ${tileAgents.length} raster basemap tiles through the engine`);
      await cpage.close();
    } finally {
      city.close();
    }
  });
  if (consoleErrors.length) console.log(`console errors:\n  ${consoleErrors.slice(0, 10).join('\n  ')}`);
} catch (e) {
  results.push(['setup', false]);
  console.log(`FAIL setup: ${e.message}`);
} finally {
  await browser?.close();
  for (const c of children) c.kill('SIGTERM');
}
finish();
