// Browser e2e: basemaps a real centre brings. A real city's OpenStreetMap data (Helsinki, built
// by tests/basemap/helsinki.sh through Debian's tilemaker) drawn under the wall's own style with
// its street names; and a GCJ-02 basemap (the sim city as a Chinese web map's dump would hold it)
// on which a landmark fed in WGS84 sits on the very pixel of its basemap label. Screenshots go to
// test-output/.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { assert, check, children, freePort, out, root, start, suite, waitForApi } from './support.mjs';

let browser;

/** Serves `routes` (path → JSON) on loopback, as a city's GIS portal would. */
async function portal(routes) {
  const server = createServer((req, res) => {
    const body = routes[new URL(req.url, 'http://x').pathname];
    res.writeHead(body ? 200 : 404, { 'content-type': 'application/geo+json' });
    res.end(body ? JSON.stringify(body) : '{}');
  });
  const port = await freePort();
  await new Promise((r) => server.listen(port, '127.0.0.1', r));
  return { server, port };
}

/** Starts `citywall serve` on `configText` and opens the wall in a 1920×1080 page. */
async function wallOn(configText) {
  const dir = mkdtempSync(path.join(tmpdir(), 'citywall-basemap-'));
  const config = path.join(dir, 'wall.toml');
  writeFileSync(config, configText);
  const port = await freePort();
  const server = start(['serve', '--config', config, '--port', String(port)]);
  children.push(server);
  const base = `http://127.0.0.1:${port}`;
  await waitForApi(base, server);
  const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
  const asked = [];
  page.on('request', (r) => asked.push(r.url()));
  await page.goto(base);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
  return { page, base, asked };
}

/** Waits until the map has drawn everything for its view. */
const settled = (page) => page.evaluate(() => new Promise((resolve) => {
  const map = window.__citywall.map;
  if (map.loaded() && map.areTilesLoaded()) resolve();
  else map.once('idle', () => resolve());
}));

await suite(async (launched) => {
  browser = launched;

  await check('a real city\'s OpenStreetMap basemap (tilemaker, MBTiles) draws under the wall\'s style with street names', async () => {
    const archive = path.join(root, 'target/basemap/helsinki.mbtiles');
    const built = spawnSync(path.join(root, 'tests/basemap/helsinki.sh'), { encoding: 'utf8' });
    assert(built.status === 0, `building the Helsinki basemap failed:\n${built.stdout}${built.stderr}`);
    // A few of the city's own points, so its data draws over its basemap.
    const sights = [
      ['Tuomiokirkko', 24.9522, 60.1705], ['Rautatieasema', 24.9414, 60.1719], ['Kauppatori', 24.9527, 60.1675],
    ].map(([name, lon, lat], i) => ({ type: 'Feature', id: `S${i}`, geometry: { type: 'Point', coordinates: [lon, lat] }, properties: { name } }));
    const { server, port } = await portal({ '/sights': { type: 'FeatureCollection', features: sights } });
    try {
      const { page, asked } = await wallOn(`[store]
path = "wall.db"

[basemap]
archive = ${JSON.stringify(archive)}

[map]
extent = [24.9352, 60.1642, 24.9534, 60.1791]

[[layer]]
id = "sights"
title_zh = "地标"
title_en = "Sights"
group = "城市"
label = "name"
style = { color = "#ffd23f", radius = 8 }

[[source]]
id = "sights"
layer = "sights"
kind = "geojson"
url = "http://127.0.0.1:${port}/sights"
interval_s = 30
`);
      await page.evaluate(() => window.__citywall.map.jumpTo({ center: [24.945, 60.1695], zoom: 16 }));
      await settled(page);
      const drawn = await page.evaluate(() => {
        const map = window.__citywall.map;
        const count = (id) => map.queryRenderedFeatures({ layers: [id] }).length;
        const names = new Set(map.queryRenderedFeatures({ layers: ['label-road'] }).map((f) => f.properties['name:latin'] ?? f.properties.name));
        return { streets: [...names], roads: ['road-minor', 'road-secondary', 'road-primary', 'road-path'].map(count).reduce((a, b) => a + b, 0), buildings: count('buildings-3d') + count('buildings-flat'), sights: count('sights-dot') };
      });
      assert(drawn.streets.length >= 5, `street names drawn: ${drawn.streets}`);
      assert(drawn.roads > 20 && drawn.buildings > 20, `roads ${drawn.roads}, buildings ${drawn.buildings}`);
      assert(drawn.sights > 0, 'the city\'s own points are not drawn over its basemap');
      const attribution = await page.textContent('.maplibregl-ctrl-attrib');
      assert(attribution.includes('OpenStreetMap'), `attribution from the archive: ${attribution}`);
      assert(asked.every((u) => u.startsWith('http://127.0.0.1') || u.startsWith('data:') || u.startsWith('blob:')), 'the page reached beyond the engine');
      await page.screenshot({ path: path.join(out, 'browser-basemap-helsinki.png') });
      console.log(`     ${drawn.streets.length} street names (${drawn.streets.slice(0, 6).join(', ')} …), ${drawn.roads} road and ${drawn.buildings} building features at z16; attribution "${attribution.trim()}"`);
      await page.close();
    } finally {
      server.close();
    }
  });

  await check('a GCJ-02 basemap: a landmark fed in WGS84 sits on the pixel of its basemap label', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'citywall-gcj-'));
    const archive = path.join(dir, 'gcj02.pmtiles');
    const landmarksFile = path.join(dir, 'landmarks.geojson');
    const made = spawnSync(path.join(root, 'target/debug/citywall-basemap'), [archive, '--gcj02', '--landmarks', landmarksFile], { encoding: 'utf8' });
    assert(made.status === 0, `citywall-basemap: ${made.stderr}`);
    const landmarks = JSON.parse((await import('node:fs')).readFileSync(landmarksFile, 'utf8'));
    const { server, port } = await portal({ '/landmarks': landmarks });
    try {
      const config = (crs) => `[store]
path = "wall.db"

[basemap]
archive = ${JSON.stringify(archive)}
crs = "${crs}"

[[layer]]
id = "landmarks"
title_zh = "地标"
title_en = "Landmarks"
group = "城市"
style = { color = "#ff2e4d", radius = 6 }

[[source]]
id = "landmarks"
layer = "landmarks"
kind = "geojson"
url = "http://127.0.0.1:${port}/landmarks"
interval_s = 30
`;
      // Where the basemap's label of a landmark and the fed landmark of that name are drawn:
      // the first landmark whose label the basemap places at z16 (labels yield to each other).
      const pair = async (page) => {
        for (const f of landmarks.features.slice(0, 6)) {
          const name = f.properties.name;
          const [lon, lat] = f.geometry.coordinates;
          await page.evaluate(([lon, lat]) => window.__citywall.map.jumpTo({ center: [lon + 0.004, lat + 0.002], zoom: 16 }), [lon, lat]);
          const found = await page.waitForFunction((name) => {
            const map = window.__citywall.map;
            const label = map.queryRenderedFeatures({ layers: ['label-poi'] }).find((x) => x.properties.name === name);
            const dot = map.queryRenderedFeatures({ layers: ['landmarks-dot'] }).find((x) => x.properties.name === name);
            if (!label || !dot || !map.areTilesLoaded()) return null;
            return { name, label: map.project(label.geometry.coordinates), dot: map.project(dot.geometry.coordinates) };
          }, name, { timeout: 8_000 }).then((h) => h.jsonValue()).catch(() => null);
          if (found) return { ...found, apart: Math.hypot(found.label.x - found.dot.x, found.label.y - found.dot.y) };
        }
        throw new Error('no landmark label was placed next to its fed landmark');
      };
      const shifted = await wallOn(config('gcj02'));
      const onGcj = await pair(shifted.page);
      assert(onGcj.apart < 2, `${onGcj.name}: the landmark is drawn ${onGcj.apart.toFixed(1)} px from its basemap label`);
      await shifted.page.screenshot({ path: path.join(out, 'browser-basemap-gcj02.png') });
      await shifted.page.close();
      // The same basemap declared as WGS84 puts the landmark off its label by the datum shift:
      // the check above would catch a wall that ignored the basemap's CRS.
      const unshifted = await wallOn(config('wgs84'));
      const onWgs = await pair(unshifted.page);
      assert(onWgs.apart > 50, `undeclared GCJ-02 should put ${onWgs.name} off its label; it is ${onWgs.apart.toFixed(1)} px off`);
      await unshifted.page.close();
      console.log(`     ${onGcj.name}: ${onGcj.apart.toFixed(1)} px from its GCJ-02 basemap label at z16 (${onWgs.name}: ${onWgs.apart.toFixed(0)} px with the CRS left undeclared)`);
    } finally {
      server.close();
    }
  });
});
