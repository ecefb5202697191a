// Browser e2e: text from outside is never markup, through every source kind. One city whose
// subsystems put markup and script in every text field — a GeoJSON feed, a JSON-records event
// platform, an OGC API – Features service (lines), a SensorThings service, MQTT pushes through
// Debian's mosquitto, and an Open311 report — and a source titled with markup in the config.
// The wall opens the detail of a feature of every layer, the case's timeline, the search hits
// and the source strip; after each the DOM must hold no element, handler or script that came
// from the data, and the hostile text must be there, as text.
import { mkdtempSync, writeFileSync, existsSync } from 'node:fs';
import { spawn } from 'node:child_process';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { assert, check, children, freePort, out, serveConfig, suite } from './support.mjs';

/** Markup and script that would run if any of it were parsed as HTML, tagged by where it came. */
const hostile = (tag) => `<img src=x onerror="window.__pwned='${tag}'"><script>window.__pwned='${tag}'<\/script><b>${tag}</b>`;

/** As above, short enough for a reporter's name (64 characters). */
const SHORT = '<img src=x onerror=__pwned=1><b>open311-name</b>';

/** One MQTT 3.1.1 CONNECT + PUBLISH (QoS 0), written by hand: no client library needed. */
function mqttPublish(port, topic, payload) {
  const str = (s) => { const b = Buffer.from(s); return Buffer.concat([Buffer.from([b.length >> 8, b.length & 255]), b]); };
  const packet = (type, body) => {
    const len = [];
    let n = body.length;
    do { let byte = n % 128; n = Math.floor(n / 128); if (n > 0) byte |= 128; len.push(byte); } while (n > 0);
    return Buffer.concat([Buffer.from([type, ...len]), body]);
  };
  const connect = packet(0x10, Buffer.concat([str('MQTT'), Buffer.from([4, 2, 0, 30]), str(`inert-${process.pid}`)]));
  const publish = packet(0x30, Buffer.concat([str(topic), Buffer.from(payload)]));
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(connect));
    socket.once('data', () => socket.end(publish, resolve)); // CONNACK, then publish and close
    socket.on('error', reject);
  });
}

/** A screen point on a rendered feature of `styleId`: a point's place, a line's first segment's
 * middle, a polygon's first vertex average. */
const featureOnScreen = (page, styleId) => page.evaluate((styleId) => {
  const { map } = window.__citywall;
  const f = map.queryRenderedFeatures({ layers: [styleId] })[0];
  const g = f.geometry;
  const at = g.type === 'Point' ? g.coordinates
    : g.type === 'LineString' ? [(g.coordinates[0][0] + g.coordinates[1][0]) / 2, (g.coordinates[0][1] + g.coordinates[1][1]) / 2]
    : g.coordinates[0].slice(0, -1).reduce((a, c, _, all) => [a[0] + c[0] / all.length, a[1] + c[1] / all.length], [0, 0]);
  const p = map.project(at);
  const r = map.getCanvas().getBoundingClientRect();
  return { x: r.left + p.x, y: r.top + p.y };
}, styleId);

/** What of the data became DOM: scripts run, elements or handlers made from it. */
const inertness = (page) => page.evaluate(() => ({
  pwned: window.__pwned ?? null,
  inlineScripts: [...document.querySelectorAll('script')].filter((x) => !x.src).length,
  handlers: [...document.querySelectorAll('*')].filter((e) => [...e.attributes].some((a) => a.name.startsWith('on'))).length,
  fromData: [...document.querySelectorAll('img[src="x"], b')].filter((e) => e.tagName === 'IMG' || /^(geojson|records|ogc|sta|mqtt|open311|source)-/.test(e.textContent)).length,
}));

const assertInert = async (page, where) => {
  const dom = await inertness(page);
  assert(dom.pwned === null && dom.inlineScripts === 0 && dom.handlers === 0 && dom.fromData === 0, `${where}: ${JSON.stringify(dom)}`);
};

await suite(async (browser) => {
  const mosquitto = ['/usr/sbin/mosquitto', '/usr/bin/mosquitto'].find(existsSync);
  assert(mosquitto, 'mosquitto is not installed (Debian package mosquitto; make setup installs it)');
  const brokerPort = await freePort();
  const broker = spawn(mosquitto, ['-p', String(brokerPort)], { stdio: 'ignore' });
  children.push(broker);

  const fields = (kind) => Object.fromEntries(['name', 'category', 'channel', 'severity', 'status', 'district', 'street', 'grid', 'reported_at', 'road', 'level', 'description'].map((f) => [f, hostile(`${kind}-${f}`)]));
  const city = (await import('node:http')).createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    if (req.url.startsWith('/geojson')) {
      return res.end(JSON.stringify({ type: 'FeatureCollection', features: [{ type: 'Feature', id: 'g<i>1</i>', geometry: { type: 'Point', coordinates: [118.275, 33.960] }, properties: fields('geojson') }] }));
    }
    if (req.url.startsWith('/records')) {
      const f = fields('records');
      return res.end(JSON.stringify({ code: 0, data: { rows: [{ no: 'r<i>1</i>', x: 118.280, y: 33.960, type: f.category, src: f.channel, lvl: f.severity, st: f.status, dist: f.district, street: f.street, grid: f.grid, at: f.reported_at, title: f.name }] } }));
    }
    if (req.url.startsWith('/ogc/collections/roads/items')) {
      return res.end(JSON.stringify({ type: 'FeatureCollection', links: [], features: [{ type: 'Feature', id: 'o1', geometry: { type: 'LineString', coordinates: [[118.283, 33.957], [118.290, 33.957]] }, properties: fields('ogc') }] }));
    }
    if (req.url.startsWith('/sta/v1.1/Things')) {
      const f = fields('sta');
      return res.end(JSON.stringify({ value: [{ '@iot.id': 's1', name: f.name, description: f.description, properties: { status: f.status },
        Locations: [{ location: { type: 'Point', coordinates: [118.285, 33.963] } }],
        Datastreams: [{ name: hostile('sta-datastream'), Observations: [{ result: hostile('sta-result'), phenomenonTime: '2026-11-30T08:00:00Z' }] }] }] }));
    }
    res.writeHead(404);
    res.end();
  });
  const cityPort = await freePort();
  await new Promise((r) => city.listen(cityPort, '127.0.0.1', r));

  const dir = mkdtempSync(path.join(tmpdir(), 'citywall-inert-'));
  const config = path.join(dir, 'wall.toml');
  const popup = (...names) => `[${names.map((n) => `{ field = "${n}", title = "${n}" }`).join(', ')}]`;
  writeFileSync(config, `[store]
path = "wall.db"

[map]
extent = [118.26, 33.95, 118.30, 33.97]

[panels]
right = ["warnings", "cases"]

[incidents]
categories = { "市容环境" = 24 }

[[layer]]
id = "ev-geojson"
title_zh = "事件（GeoJSON）"
title_en = "Events (GeoJSON)"
template = "incidents"

[[layer]]
id = "ev-records"
title_zh = "事件（中台）"
title_en = "Events (platform)"
template = "incidents"

[[layer]]
id = "roads"
title_zh = "路段"
title_en = "Roads"
geometry = "line"
label = "road"
style = { width = 6 }
popup = ${popup('road', 'level', 'status')}

[[layer]]
id = "things"
title_zh = "物联感知"
title_en = "Sensors"
label = "name"
popup = ${popup('name', 'description', 'status', 'reading')}

[[layer]]
id = "pushed"
title_zh = "推送点位"
title_en = "Pushed"
label = "name"
popup = ${popup('name', 'status', 'category')}

[[source]]
id = "gj"
layer = "ev-geojson"
kind = "geojson"
title = "<img src=x onerror=\\"window.__pwned='source-title'\\">source-title"
url = "http://127.0.0.1:${cityPort}/geojson"
interval_s = 2

[[source]]
id = "rec"
layer = "ev-records"
kind = "json-records"
records_path = "data.rows"
fields = { id = "no", lon = "x", lat = "y", name = "title", category = "type", channel = "src", severity = "lvl", status = "st", district = "dist", street = "street", grid = "grid", reported_at = "at" }
url = "http://127.0.0.1:${cityPort}/records"
interval_s = 2

[[source]]
id = "ogc"
layer = "roads"
kind = "ogc-features"
url = "http://127.0.0.1:${cityPort}/ogc"
collection = "roads"
interval_s = 2

[[source]]
id = "sta"
layer = "things"
kind = "sensorthings"
url = "http://127.0.0.1:${cityPort}/sta/v1.1"
interval_s = 2

[[source]]
id = "mq"
layer = "pushed"
kind = "mqtt"
url = "mqtt://127.0.0.1:${brokerPort}"
topics = ["city/pushed"]
`);
  const { server, base } = await serveConfig(config);

  try {
    await check('markup and script through every source kind and the Open311 intake stay text in every detail view', async () => {
      // The MQTT source subscribes once the engine runs: publish until the feature lands.
      const pushed = JSON.stringify({ type: 'Feature', id: 'm1', geometry: { type: 'Point', coordinates: [118.278, 33.964] }, properties: fields('mqtt') });
      for (let t = Date.now(); ;) {
        const layers = await (await fetch(`${base}/api/v1/layers`)).json();
        if (layers.every((l) => l.count > 0)) break;
        if (!layers.find((l) => l.id === 'pushed')?.count) await mqttPublish(brokerPort, 'city/pushed', pushed).catch(() => {});
        assert(Date.now() - t < 30_000, `layers never filled: ${JSON.stringify(layers.map((l) => [l.id, l.count]))}\n${server.log.slice(-2000)}`);
        await new Promise((r) => setTimeout(r, 500));
      }
      // An inspector's app reports over Open311 with markup in every field.
      const report = await fetch(`${base}/open311/v2/requests.json`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ service_code: '001', lat: '33.955', long: '118.27', description: hostile('open311-description'), address_string: hostile('open311-address'), first_name: SHORT }),
      });
      assert(report.ok, `open311: ${report.status} ${await report.text()}`);

      const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
      await page.goto(base);
      await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
      await page.evaluate(() => window.__citywall.map.jumpTo({ center: [118.281, 33.960], zoom: 15 }));
      const opened = [];
      for (const [id, kind] of [['ev-geojson-dot', 'geojson'], ['ev-records-dot', 'records'], ['roads-line', 'ogc'], ['things-dot', 'sta'], ['pushed-dot', 'mqtt']]) {
        await page.waitForFunction((l) => window.__citywall.map.queryRenderedFeatures({ layers: [l] }).length > 0, id, { timeout: 15_000 });
        await page.keyboard.press('Escape');
        const spot = await featureOnScreen(page, id);
        await page.mouse.click(spot.x, spot.y);
        await page.waitForSelector('.wall-popup .detail', { timeout: 5_000 });
        await page.waitForTimeout(300);
        const detail = await page.textContent('.wall-popup .detail');
        assert(detail.includes(`<b>${kind}-`), `the ${kind} detail does not show its fields as text: ${detail.slice(0, 300)}`);
        await assertInert(page, `${kind} detail`);
        opened.push(kind);
      }
      await page.screenshot({ path: path.join(out, 'browser-inert-detail.png') });
      await page.keyboard.press('Escape');

      // The Open311 case's timeline.
      await page.waitForSelector('[data-testid=case-title]', { timeout: 15_000 });
      await page.click('[data-testid=case-title]');
      await page.waitForSelector('[data-testid=case-timeline]', { timeout: 10_000 });
      const timeline = await page.textContent('[data-testid=case-timeline]');
      assert(['open311-description', 'open311-address'].every((t) => timeline.includes(hostile(t))) && timeline.includes(SHORT), `timeline: ${timeline.slice(0, 400)}`);
      await assertInert(page, 'case timeline');

      // Search hits over every layer, and the source strip with a title written in markup.
      await page.keyboard.press('/');
      await page.keyboard.type('onerror');
      await page.waitForSelector('[data-testid=search-hits] button', { timeout: 5_000 });
      const hits = await page.textContent('[data-testid=search-hits]');
      assert(hits.includes('<img src=x'), `search hits: ${hits.slice(0, 200)}`);
      await assertInert(page, 'search hits');
      const strip = await page.evaluate(() => document.body.textContent.includes('<img src=x onerror="window.__pwned=\'source-title\'">source-title'));
      assert(strip, 'the source title is not shown as text');
      await page.screenshot({ path: path.join(out, 'browser-inert-search.png') });
      await assertInert(page, 'source strip');
      console.log(`     details of ${opened.join(', ')}; the Open311 case timeline; search; sources: no element, handler or script from the data`);
      await page.close();
    });
  } finally {
    city.close();
  }
});
