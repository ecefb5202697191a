// Browser e2e: one engine, three walls side by side — the city's centre, the west district's and
// the east district's, each logged in as its own duty officer (`user add --centre`). A red in
// the west stands on the west's wall and the city's (named for the west there), never on the
// east's; a case the west sends up (上报) reaches the city's console, and handed down (下派) from
// the city's wall it is in the west's console within a second; the west's 立案 shows in the
// city's timeline; the east's wall lists none of it and its officer is refused (403); the city's
// 下级中心 counts what the engine answers and colours the map by it; a district's map veils what
// lies outside its area. The west's red left unacknowledged past its one-minute limit is raised
// on the city's wall, and the city's 督办 on the west's overdue case (its limit 72 s) stands on
// the west's wall. Screenshots (1920×1080, the city's and the west's at 4K) go to test-output/.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { assert, binary, check, children, freePort, out, start, suite } from './support.mjs';

const PASSWORD = 'duty-shift-2026';
const half = (west) => `[[${west}, 33.0], [${west + 0.5}, 33.0], [${west + 0.5}, 34.0], [${west}, 34.0]]`;

await suite(async (browser) => {
  // The subsystem: an air station in each district, the west's far over its limit.
  const station = (id, lon, pm25) => ({ type: 'Feature', id, geometry: { type: 'Point', coordinates: [lon, 33.5] }, properties: { name: id, pm25 } });
  const air = http.createServer((_, res) => {
    res.writeHead(200, { 'content-type': 'application/geo+json' });
    res.end(JSON.stringify({ type: 'FeatureCollection', features: [station('west-1', 118.2, 300), station('east-1', 118.8, 20)] }));
  });
  const airPort = await freePort();
  await new Promise((r) => air.listen(airPort, '127.0.0.1', r));
  children.push({ kill: () => air.close() });

  const dir = mkdtempSync(path.join(tmpdir(), 'citywall-centres-'));
  const config = path.join(dir, 'wall.toml');
  writeFileSync(config, `[store]
path = "wall.db"

[centre]
name_zh = "测试市城市运行管理中心"
name_en = "Test City Operations Centre"

[map]
extent = [118.0, 33.0, 119.0, 34.0]

[panels]
left = ["centres", "layers"]
right = ["warnings", "cases"]

[incidents]
categories = { "市容环境" = 24, "路灯" = 0.02 }
departments = ["环卫所"]

[[layer]]
id = "air"
title_zh = "空气站"
title_en = "Air stations"

[[source]]
id = "air"
layer = "air"
kind = "geojson"
url = "http://127.0.0.1:${airPort}/air"
interval_s = 1

[[rules.threshold]]
id = "pm25"
layer = "air"
field = "pm25"
title_zh = "PM2.5 超标"
levels = { red = 150 }

[[centres]]
id = "prefecture"

[[centres]]
id = "west"
parent = "prefecture"
name_zh = "西区分中心"
name_en = "West District Centre"
jurisdiction = { polygon = ${half(118.0)} }
ack_limit_min = 1

[[centres]]
id = "east"
parent = "prefecture"
name_zh = "东区分中心"
name_en = "East District Centre"
jurisdiction = { polygon = ${half(118.5)} }
`);
  for (const [name, centre] of [['市值班', null], ['西区值班', 'west'], ['东区值班', 'east']]) {
    const args = ['--config', config, 'user', 'add', name, '--role', 'duty', ...(centre ? ['--centre', centre] : [])];
    const made = spawnSync(binary, args, { encoding: 'utf8', env: { ...process.env, CITYWALL_PASSWORD: PASSWORD } });
    assert(made.status === 0, `user add: ${made.stdout}${made.stderr}`);
  }
  const port = await freePort();
  const server = start(['--config', config, 'serve', '--port', String(port)], { CITYWALL_TOKEN: 'kiosk-token-centres-0123456789' });
  children.push(server);
  const base = `http://127.0.0.1:${port}`;
  for (let t = Date.now(); !(await fetch(`${base}/api/v1/whoami`).then((r) => r.ok).catch(() => false));) {
    assert(Date.now() - t < 30_000, `server did not start:\n${server.log}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  /** A bearer token for `name`, for what the test asks the engine itself. */
  const token = async (name) => (await (await fetch(`${base}/api/v1/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name, password: PASSWORD }) })).json()).token;
  const api = async (bearer, method, route, body) => {
    const r = await fetch(`${base}${route}`, { method, headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' }, body: body ? JSON.stringify(body) : undefined });
    return [r.status, await r.json().catch(() => null)];
  };
  /** A wall at 1920×1080 in a context of its own, logged in as `name`. */
  const wall = async (name) => {
    const context = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
    const page = await context.newPage();
    await page.goto(base);
    await page.waitForSelector('[data-testid=login]', { timeout: 20_000 });
    await page.fill('input[name=name]', name);
    await page.fill('input[name=password]', PASSWORD);
    await page.click('[data-testid=login] button');
    await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
    return page;
  };
  const [city, west, east] = [await wall('市值班'), await wall('西区值班'), await wall('东区值班')];
  const [cityToken, westToken, eastToken] = [await token('市值班'), await token('西区值班'), await token('东区值班')];
  // A case whose clock runs out in 72 s, for the 督办 at the end.
  const [, lamp] = await api(westToken, 'POST', '/api/v1/cases', { category: '路灯', title: '路灯不亮', lon: 118.3, lat: 33.7 });
  await api(westToken, 'POST', `/api/v1/cases/${lamp.id}/register`, { note: '受理' });
  const [dispatched] = await api(westToken, 'POST', `/api/v1/cases/${lamp.id}/dispatch`, { department: '环卫所' });
  assert(dispatched === 200, `dispatch: ${dispatched}`);
  const warningText = (page) => page.evaluate(() => document.querySelector('[data-testid=warnings]')?.textContent ?? '');

  await check('a red in the west stands on the west\'s wall and the city\'s, never on the east\'s', async () => {
    await west.waitForFunction(() => (document.querySelector('[data-testid=warnings]')?.textContent ?? '').includes('west-1'), null, { timeout: 20_000 });
    await city.waitForFunction(() => (document.querySelector('[data-testid=warnings] [data-testid=owner]')?.textContent ?? '').includes('西区分中心'), null, { timeout: 20_000 });
    assert((await west.textContent('h1')).includes('西区分中心'), 'the west\'s header names its centre');
    await east.waitForTimeout(2_000);
    assert(!(await warningText(east)).includes('west-1'), `the east's wall: ${await warningText(east)}`);
    assert(!(await east.$('[data-testid=centres]')), 'a centre with none below shows no 下级中心');
    await city.screenshot({ path: path.join(out, 'centres-city.png') });
    await west.screenshot({ path: path.join(out, 'centres-west.png') });
    await east.screenshot({ path: path.join(out, 'centres-east.png') });
  });

  let caseId;
  await check('a case sent up reaches the city; handed down from the city\'s wall it is in the west\'s console within 1 s', async () => {
    const [status, opened] = await api(westToken, 'POST', '/api/v1/cases', { category: '市容环境', title: '垃圾满溢', lon: 118.1, lat: 33.4 });
    assert(status === 200 && opened.centre === 'west', `opened: ${status} ${JSON.stringify(opened)}`);
    caseId = opened.id;
    const [up, sent] = await api(westToken, 'POST', `/api/v1/cases/${caseId}/report_up`, { note: '需市级协调' });
    assert(up === 200 && sent.centre === 'prefecture', `report_up: ${up} ${JSON.stringify(sent)}`);
    const down = `[data-case="${caseId}"] [data-step=hand_down]`;
    await city.waitForSelector(down, { timeout: 10_000 });
    await west.waitForSelector(`[data-case="${caseId}"]`, { state: 'detached', timeout: 10_000 });
    const clicked = Date.now();
    await city.click(down);
    await west.waitForSelector(`[data-case="${caseId}"]`, { timeout: 5_000 });
    const ms = Date.now() - clicked;
    console.log(`     下派 on the city's wall → the case in the west's console: ${ms} ms`);
    assert(ms <= 1_000, `${ms} ms`);
    await west.screenshot({ path: path.join(out, 'centres-west-handed-down.png') });
  });

  await check('the west\'s 立案 shows in the city\'s timeline; the east sees none of it and is refused', async () => {
    await west.click(`[data-case="${caseId}"] [data-step=register]`);
    await city.waitForFunction((id) => (document.querySelector(`[data-case="${id}"] .st`)?.textContent ?? '').includes('立案'), caseId, { timeout: 10_000 });
    await city.click(`[data-case="${caseId}"] [data-testid=case-title]`);
    await city.waitForSelector('[data-testid=case-timeline]', { timeout: 10_000 });
    const timeline = await city.textContent('[data-testid=case-timeline]');
    assert(timeline.includes('西区值班') && timeline.includes('西区分中心'), `timeline: ${timeline}`);
    await city.screenshot({ path: path.join(out, 'centres-city-timeline.png') });
    assert(!(await east.$(`[data-case="${caseId}"]`)), 'the case on the east\'s console');
    const [read] = await api(eastToken, 'GET', `/api/v1/cases/${caseId}`);
    const [step] = await api(eastToken, 'POST', `/api/v1/cases/${caseId}/dispatch`, { department: '环卫所' });
    assert(read === 403 && step === 403, `the east: read ${read}, step ${step}`);
  });

  await check('the city\'s 下级中心 counts what the engine answers, each district online, and colours the map by it', async () => {
    const [, rows] = await api(cityToken, 'GET', '/api/v1/centres/status');
    const westRow = rows.find((r) => r.id === 'west');
    const [, westCases] = await api(westToken, 'GET', '/api/v1/cases/summary');
    assert(westRow.cases.received === westCases.received && westRow.online && rows.find((r) => r.id === 'east').online, `rows: ${JSON.stringify(rows)}`);
    await city.waitForFunction(() => document.querySelectorAll('[data-testid=centres] li[data-centre]').length === 2, null, { timeout: 15_000 });
    const shown = await city.textContent('[data-testid=centres] li[data-centre=west] [data-testid=unacknowledged]');
    assert(Number(shown) === westRow.unacknowledged, `shown ${shown}, engine ${westRow.unacknowledged}`);
    await city.click('[data-testid=centres-colour]');
    await city.waitForFunction(() => window.__citywall.map.queryRenderedFeatures({ layers: ['centre-states'] }).length >= 2, null, { timeout: 10_000 });
    const colours = await city.evaluate(() => Object.fromEntries(window.__citywall.map.queryRenderedFeatures({ layers: ['centre-states'] }).map((f) => [f.properties.id, f.properties.colour])));
    assert(colours.west === '#ff4d64' && colours.east === '#35d07f', `the map's colours: ${JSON.stringify(colours)}`);
    await city.screenshot({ path: path.join(out, 'centres-city-children.png') });
    // As the walls stand in the centres: 4K, device scale 1.
    for (const [page, name] of [[city, 'city'], [west, 'west']]) {
      await page.setViewportSize({ width: 3840, height: 2160 });
      await page.waitForTimeout(2_000);
      await page.screenshot({ path: path.join(out, `centres-${name}-3840x2160.png`) });
    }
  });

  await check('the west\'s red left past its limit is raised on the city\'s wall; the city\'s 督办 reaches the west', async () => {
    for (const page of [city, west]) await page.setViewportSize({ width: 1920, height: 1080 });
    const started = Date.now();
    await city.waitForSelector('[data-testid=warnings] [data-kind=unacknowledged]', { timeout: 90_000 });
    console.log(`     the west's red on the city's wall as 下级未确认 ${Math.round((Date.now() - started) / 1000)} s into this check (limit 1 min)`);
    const raised = await city.textContent('[data-testid=warnings] [data-kind=unacknowledged]');
    assert(raised.includes('西区分中心') && raised.includes('分钟未确认'), `raised: ${raised}`);
    assert(!(await west.$('[data-testid=warnings] [data-kind=unacknowledged]')), 'the west\'s own wall has the red itself');
    const urge = `[data-case="${lamp.id}"] [data-step=urge]`;
    await city.waitForSelector(urge, { timeout: 90_000 });
    await city.click(urge);
    await city.fill(`[data-case="${lamp.id}"] .step-form input[name=note]`, '请今日处置完毕');
    await city.click(`[data-case="${lamp.id}"] .step-form button[type=submit]`);
    await west.waitForSelector('[data-testid=warnings] [data-kind=urged]', { timeout: 15_000 });
    assert(!(await east.$('[data-testid=warnings] [data-kind=urged]')), 'the 督办 on the east\'s wall');
    await city.screenshot({ path: path.join(out, 'centres-city-escalated.png') });
    await west.screenshot({ path: path.join(out, 'centres-west-urged.png') });
  });
});
