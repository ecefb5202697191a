// Browser e2e: the wall as a duty officer reads it from three metres. The demo city's wall (its
// config: an 86″ panel read from 3 m) at 1920×1080, 3840×2160 and 7680×2160, device scale 1:
// every panel whole on its side (standing or in the rotating pane), nothing below the fold, no
// side scrolling; every text the page writes and every map label at least 16 arc-minutes high at
// 3 m. Then a small city of its own, configured for Europe/Helsinki: its clock and warnings in
// Helsinki time, and its subsystem stopped → a red 数据中断 within two polls while the ticker
// never says 运行平稳; acknowledged, the export writes Helsinki time with its offset.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { assert, binary, check, children, freePort, out, serveConfig, start, suite, waitForApi } from './support.mjs';

/** What a screen of the wall shows badly: panels past their side or the fold, texts under the
 * least height, map labels under it. Runs in the page. */
function audit() {
  const { wall, map } = window.__citywall;
  const min = wall.layout.scale.minTextPx;
  const problems = [];
  const within = (a, b, tol) => a.left >= b.left - tol && a.right <= b.right + tol && a.top >= b.top - tol && a.bottom <= b.bottom + tol;
  const rounded = (r) => `${Math.round(r.top)}–${Math.round(r.bottom)}`;
  const panels = [];
  for (const aside of document.querySelectorAll('aside')) {
    const box = aside.getBoundingClientRect();
    if (box.bottom > innerHeight + 1) problems.push(`${aside.className} ends at ${box.bottom} below the fold (${innerHeight})`);
    if (aside.scrollHeight > aside.clientHeight + 1) problems.push(`${aside.className} holds ${aside.scrollHeight} px in ${aside.clientHeight}`);
    for (const slot of aside.querySelectorAll('.slot')) {
      const s = slot.getBoundingClientRect();
      panels.push(`${slot.dataset.panel}${slot.dataset.rotating ? '↻' : ''} ${rounded(s)}`);
      if (!within(s, box, 1)) problems.push(`panel ${slot.dataset.panel} (${rounded(s)}) outside its side (${rounded(box)})`);
      for (const el of slot.querySelectorAll('*')) {
        if (el.closest('[hidden]') || !el.getClientRects().length) continue;
        const r = el.getBoundingClientRect();
        if (!r.width || !r.height || within(r, s, 2)) continue;
        problems.push(`${slot.dataset.panel}: <${el.tagName.toLowerCase()} class="${el.className}"> "${el.textContent.trim().slice(0, 24)}" (${rounded(r)}) cut by its panel (${rounded(s)})`);
        break;
      }
    }
  }
  const small = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!n.textContent.trim() || !el || !el.getClientRects().length || el.closest('[hidden], .turned-away, option')) continue;
    const cs = getComputedStyle(el);
    if (cs.visibility === 'hidden' || cs.display === 'none') continue;
    const size = parseFloat(cs.fontSize);
    if (size < min - 0.05) small.push(`${size.toFixed(1)} px "${n.textContent.trim().slice(0, 20)}" (${el.tagName.toLowerCase()}.${el.className})`);
  }
  // A style value at the map's zoom: a number, a zoom curve's value, or the least of a product.
  const zoom = map.getZoom();
  const at = (v) => {
    if (typeof v === 'number') return v;
    if (!Array.isArray(v)) return Infinity;
    if (v[0] === 'interpolate') {
      const stops = v.slice(3);
      if (zoom <= stops[0]) return at(stops[1]);
      for (let i = 2; i < stops.length; i += 2) {
        if (zoom <= stops[i]) return at(stops[i - 1]) + ((zoom - stops[i - 2]) / (stops[i] - stops[i - 2])) * (at(stops[i + 1]) - at(stops[i - 1]));
      }
      return at(stops[stops.length - 1]);
    }
    if (v[0] === 'step') {
      let out = at(v[2]);
      for (let i = 3; i < v.length; i += 2) if (zoom >= v[i]) out = at(v[i + 1]);
      return out;
    }
    if (v[0] === '*') return v.slice(1).reduce((a, x) => a * (at(x) === Infinity ? 1 : at(x)), 1);
    return Infinity;
  };
  const drawn = new Set(map.queryRenderedFeatures().map((f) => f.layer.id));
  const labels = map.getStyle().layers.filter((l) => l.type === 'symbol' && l.layout?.['text-field'] !== undefined && drawn.has(l.id));
  const labelSizes = labels.map((l) => [l.id, at(map.getLayoutProperty(l.id, 'text-size'))]);
  const smallLabels = labelSizes.filter(([, px]) => px < min - 0.05).map(([id, px]) => `${id} ${px.toFixed(1)} px`);
  const controls = ['.maplibregl-ctrl-scale', '.maplibregl-ctrl-attrib-button', '.maplibregl-ctrl-zoom-in'].map((s) => {
    const el = document.querySelector(s);
    return el ? [s, Math.round(el.getBoundingClientRect().height), parseFloat(getComputedStyle(el).fontSize)] : [s, 0, 0];
  });
  const headline = Math.min(...[...document.querySelectorAll('.kpi .big b')].map((b) => parseFloat(getComputedStyle(b).fontSize)));
  return { min, rem: wall.layout.scale.rem, mapScale: wall.layout.scale.map, problems, small, smallLabels, labels: labelSizes.length, panels, controls, headline };
}

/** Every run of Chinese the English wall writes that is not a data value (a place name, a
 * category, a subsystem's name as the city's systems wrote them): texts, titles, placeholders,
 * labels. Data values are every string the engine's data answers hold. Runs in the page. */
async function englishAudit() {
  const api = async (p) => (await fetch(`/api/v1/${p}`)).json();
  const strings = [];
  const collect = (v) => {
    if (typeof v === 'string') strings.push(v);
    else if (Array.isArray(v)) v.forEach(collect);
    else if (v && typeof v === 'object') Object.values(v).forEach(collect);
  };
  for (const l of await api('layers')) collect((await api(`features?layer=${encodeURIComponent(l.id)}&bbox=-180,-85,180,85&zoom=18`)).features?.map((f) => f.properties));
  collect((await api('sources')).map((s) => s.title));
  // The basemap's attribution credits its maker verbatim.
  collect((await api('meta')).basemap?.attribution);
  for (const p of ['summary', 'cases', 'video/onwall']) collect(await api(p).catch(() => null));
  const data = strings.join('\n');
  const found = [];
  let texts = 0;
  const read = (text, where) => {
    texts++;
    for (const run of text.match(/[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]+/g) ?? []) {
      const bare = run.replace(/[\u3000-\u303f\uff00-\uffef]/g, '');
      if (bare && !data.includes(bare)) found.push(`"${run}" in ${where}: "${text.trim().slice(0, 40)}"`);
    }
  };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    // The language switch names the other language in its own words (中文).
    if (!n.textContent.trim() || !el || el.closest('[data-testid=lang], script, style')) continue;
    read(n.textContent, `<${el.tagName.toLowerCase()} class="${el.className}">`);
  }
  for (const el of document.querySelectorAll('[title], [placeholder], [aria-label], [alt]')) {
    if (el.closest('[data-testid=lang]')) continue;
    for (const a of ['title', 'placeholder', 'aria-label', 'alt']) if (el.getAttribute(a)) read(el.getAttribute(a), `${a} of <${el.tagName.toLowerCase()}>`);
  }
  return { found, texts, data: strings.length };
}

await suite(async (browser) => {
  const port = await freePort();
  const demo = start(['serve', '--demo', '--port', String(port)]);
  children.push(demo);
  const base = `http://127.0.0.1:${port}`;
  await waitForApi(base, demo);

  for (const [width, height] of [[1920, 1080], [3840, 2160], [7680, 2160]]) {
    await check(`${width}×${height}: every panel whole on its screen, every text and map label ≥ 16′ at 3 m`, async () => {
      const page = await browser.newPage({ viewport: { width, height }, deviceScaleFactor: 1 });
      try {
        await page.goto(base);
        await page.waitForSelector('body[data-ready="true"]', { timeout: 90_000 });
        // The panels fill (charts drawn, warnings listed) and lay themselves out again.
        await page.waitForFunction(() => document.querySelectorAll('.kpi .big b').length > 0 && document.querySelectorAll('.wlist li').length > 0, null, { timeout: 30_000 });
        await page.waitForTimeout(3_000);
        const seen = await page.evaluate(audit);
        await page.screenshot({ path: path.join(out, `layout-${width}x${height}.png`) });
        console.log(`     ${width}×${height}: least text ${seen.min.toFixed(1)} px (16′ at 3 m on an 86″ panel), rem ${seen.rem.toFixed(1)} px, map ×${seen.mapScale.toFixed(2)}, headline ${seen.headline} px, ${seen.labels} label layers drawn; panels ${seen.panels.join(', ')}; controls ${JSON.stringify(seen.controls)}`);
        assert(seen.problems.length === 0, seen.problems.join('; '));
        assert(seen.small.length === 0, `text under ${seen.min.toFixed(1)} px: ${seen.small.slice(0, 8).join('; ')} (${seen.small.length} in all)`);
        assert(seen.labels > 0 && seen.smallLabels.length === 0, `map labels under ${seen.min.toFixed(1)} px: ${seen.smallLabels.join('; ')}`);
        assert(seen.headline >= (seen.min * 20) / 16, `headline numbers ${seen.headline} px: under 20′`);
        assert(seen.controls.every(([, h]) => h >= seen.min), `map controls ${JSON.stringify(seen.controls)}`);
      } finally {
        await page.close();
      }
    });
  }

  await check('the city\'s wall at 4K: 下级中心 lists its three districts; a click steps into one and back', async () => {
    const page = await browser.newPage({ viewport: { width: 3840, height: 2160 }, deviceScaleFactor: 1 });
    try {
      await page.goto(base);
      await page.waitForSelector('body[data-ready="true"]', { timeout: 90_000 });
      await page.waitForFunction(() => document.querySelectorAll('[data-testid=centres] li[data-centre]').length === 3, null, { timeout: 15_000 });
      // The panel may stand in the rotating pane: its turn is chosen, then the row clicked.
      const turn = page.locator('[data-turn="centres"]');
      if (await turn.count()) await turn.click();
      await page.waitForTimeout(500);
      await page.screenshot({ path: path.join(out, 'layout-centres-3840x2160.png') });
      const names = await page.locator('[data-testid=centres] li[data-centre] .go .name').allTextContents();
      console.log(`     下级中心: ${names.map((n) => n.trim()).join(' · ')}`);
      assert(names.every((n) => n.includes('分中心')), `rows: ${names.join(', ')}`);
      // The pane may rotate between two clicks: the row is clicked where it stands, in one step.
      await page.evaluate(() => {
        document.querySelector('[data-turn="centres"]')?.click();
        document.querySelector('[data-testid=centres] li[data-centre] .go')?.click();
      });
      await page.waitForSelector('[data-testid=centres-back]', { timeout: 5_000 });
      await page.waitForTimeout(2_000);
      await page.screenshot({ path: path.join(out, 'layout-centres-stepped-in.png') });
      await page.click('[data-testid=centres-back]');
      await page.waitForSelector('[data-testid=centres-back]', { state: 'detached', timeout: 5_000 });
    } finally {
      await page.close();
    }
  });

  await check("the demo's login card lists each centre's officer; signed in as a district's, the wall is that district's", async () => {
    const page = await browser.newPage({ viewport: { width: 3840, height: 2160 }, deviceScaleFactor: 1 });
    try {
      await page.goto(base);
      await page.waitForSelector('body[data-ready="true"]', { timeout: 90_000 });
      await page.click('[data-testid=sign-in-as]');
      await page.waitForSelector('[data-testid=demo-accounts]', { timeout: 5_000 });
      const accounts = await page.locator('[data-testid=demo-accounts] [data-account]').evaluateAll((bs) => bs.map((b) => b.getAttribute('data-account')));
      await page.screenshot({ path: path.join(out, 'layout-demo-accounts.png') });
      console.log(`     demo accounts: ${accounts.join(' · ')}`);
      assert(accounts.length === 5, `accounts: ${accounts.join(', ')}`);
      const district = accounts.find((a) => a && !a.startsWith('city-'));
      await page.click(`[data-account="${district}"]`);
      await Promise.all([page.waitForEvent('load', { timeout: 30_000 }), page.click('[data-testid=login] button[type=submit]')]);
      // Not `data-ready`: that waits for every core layer drawn in view, and a district's view
      // may hold none of some layer (no weigh station in its area).
      await page.waitForFunction(() => document.querySelector('h1 .name')?.textContent?.includes('分中心') && document.querySelectorAll('.wlist li').length > 0, null, { timeout: 60_000 });
      await page.waitForTimeout(3_000);
      await page.screenshot({ path: path.join(out, 'layout-district-3840x2160.png') });
      const access = await page.locator('[data-testid=access]').textContent();
      assert(access?.includes(district ?? '?'), `header: ${access}`);
    } finally {
      await page.close();
    }
  });

  await check('English at 1920×1080: the header on one line, no Chinese in any of the wall\'s own words', async () => {
    const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
    try {
      await page.goto(base);
      await page.waitForSelector('body[data-ready="true"]', { timeout: 90_000 });
      await page.click('[data-testid=lang]');
      await page.waitForFunction(() => document.querySelector('h1 .name')?.textContent?.includes('Demo City Operations Centre'), null, { timeout: 5_000 });
      await page.waitForFunction(() => document.querySelectorAll('.wlist li .wt').length > 0, null, { timeout: 30_000 });
      // A procedure open under its warning: its department and steps are config's, in English.
      // A locator, not a handle: the list re-renders as warnings arrive, and a handle taken
      // before that points at a row no longer in the page.
      const procedure = page.locator('[data-testid=show-procedure]').first();
      if (await procedure.count()) {
        await procedure.click({ timeout: 10_000 });
        await page.waitForSelector('[data-testid=procedure]', { timeout: 5_000 });
      }
      const header = await page.evaluate(() => {
        const h1 = document.querySelector('header h1').getBoundingClientRect();
        const name = document.querySelector('header h1 .name').getBoundingClientRect();
        const sub = document.querySelector('header h1 .sub').getBoundingClientRect();
        return { h1: [h1.top, h1.bottom, h1.right], name: [name.top, name.bottom, name.right], subShown: sub.top < h1.bottom - 1, sub: [sub.top, sub.bottom, sub.right] };
      });
      const chinese = await page.evaluate(englishAudit);
      await page.screenshot({ path: path.join(out, 'layout-english-1920.png') });
      console.log(`     English: ${chinese.texts} texts read, ${chinese.data} data values known; procedure ${procedure ? 'open' : 'none open'}`);
      assert(header.name[0] >= header.h1[0] - 1 && header.name[1] <= header.h1[1] + 1 && header.name[2] <= header.h1[2] + 1, `the name is cut: ${JSON.stringify(header)}`);
      assert(!header.subShown || (header.sub[1] <= header.h1[1] + 1 && header.sub[2] <= header.h1[2] + 1), `the subtitle is cut: ${JSON.stringify(header)}`);
      assert(chinese.found.length === 0, `Chinese in the English wall's own words: ${chinese.found.slice(0, 10).join(' | ')} (${chinese.found.length} in all)`);
    } finally {
      await page.close();
    }
  });

  // A city of one subsystem in Helsinki: its GeoJSON from a server this test stops and starts.
  let up = true;
  const city = http.createServer((req, res) => {
    if (!up) return res.writeHead(503).end('maintenance');
    res.writeHead(200, { 'content-type': 'application/geo+json' });
    res.end(JSON.stringify({ type: 'FeatureCollection', features: [1, 2, 3].map((i) => ({ type: 'Feature', id: `aq-${i}`, geometry: { type: 'Point', coordinates: [24.93 + i * 0.01, 60.17] }, properties: { name: `Station ${i}`, pm25: 10 * i } })) }));
  });
  await new Promise((r) => city.listen(0, '127.0.0.1', r));
  const dir = mkdtempSync(path.join(tmpdir(), 'citywall-helsinki-'));
  const config = path.join(dir, 'helsinki.toml');
  const POLL_S = 1;
  writeFileSync(config, `[store]
path = "helsinki.db"

[centre]
name_zh = "赫尔辛基城市运行中心"
name_en = "Helsinki City Operations"
time_zone = "Europe/Helsinki"

[map]
extent = [24.85, 60.13, 25.05, 60.22]

[[layer]]
id = "air"
title_zh = "空气质量"
title_en = "Air quality"

[[source]]
id = "air-stations"
layer = "air"
kind = "geojson"
url = "http://127.0.0.1:${city.address().port}/air"
interval_s = ${POLL_S}
timeout_s = 1

[warnings.procedures.source-down]
department = "IT on duty"
contact = "+358 9 310 1234"
steps = ["Check the station feed", "Call the operator"]
`);
  const { base: helsinki } = await serveConfig(config);
  const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
  await page.goto(helsinki);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });

  await check('a wall configured for Europe/Helsinki writes Helsinki time in its header', async () => {
    const meta = await (await fetch(`${helsinki}/api/v1/meta`)).json();
    assert(meta.centre.time_zone === 'Europe/Helsinki', `meta says ${meta.centre.time_zone}`);
    const hhmm = (zone) => new Date().toLocaleTimeString('zh-CN', { timeZone: zone, hour12: false, hour: '2-digit', minute: '2-digit' });
    await page.waitForFunction((t) => document.querySelector('.clock')?.textContent.includes(t), hhmm('Europe/Helsinki'), { timeout: 5_000 }).catch(() => {});
    const clock = await page.textContent('.clock');
    assert(clock.includes(hhmm('Europe/Helsinki')), `header clock "${clock}", Helsinki is ${hhmm('Europe/Helsinki')}`);
    if (hhmm('Asia/Shanghai') !== hhmm('Europe/Helsinki')) assert(!clock.includes(hhmm('Asia/Shanghai')), `header shows China time: ${clock}`);
  });

  await check('every source stopped: a red 数据中断 on the wall within two polls, never 运行平稳', async () => {
    assert(!(await page.textContent('[data-testid=ticker]')).includes('数据中断'), 'an outage before the outage');
    up = false;
    const stopped = Date.now();
    await page.waitForSelector('.wlist li.w-red[data-kind="source-down"]', { timeout: 10_000 });
    const took = Date.now() - stopped;
    console.log(`     subsystem stopped → red 数据中断 on the wall after ${took} ms (polls every ${POLL_S} s)`);
    assert(took <= (2 * POLL_S + 1.5) * 1000, `the outage showed after ${took} ms: more than two polls`);
    const ticker = await page.textContent('[data-testid=ticker]');
    assert(!ticker.includes('运行平稳'), `the ticker says ${ticker}`);
    const row = await page.textContent('.wlist li[data-kind="source-down"]');
    const raised = new Date().toLocaleTimeString('zh-CN', { timeZone: 'Europe/Helsinki', hour12: false, hour: '2-digit', minute: '2-digit' });
    assert(row.includes('数据中断') && row.includes('空气质量'), `warning row: ${row}`);
    assert(row.includes(raised) || row.includes(new Date(Date.now() - 60_000).toLocaleTimeString('zh-CN', { timeZone: 'Europe/Helsinki', hour12: false, hour: '2-digit', minute: '2-digit' })), `warning raised at ${raised} Helsinki: ${row}`);
    await page.screenshot({ path: path.join(out, 'outage-helsinki.png') });
  });

  await check('the outage\'s procedure: 预案 lists its steps, a step taken is recorded', async () => {
    await page.click('.wlist li[data-kind="source-down"] [data-testid=show-procedure]');
    await page.waitForSelector('[data-testid=procedure] [data-step="0"]', { timeout: 5_000 });
    const card = await page.textContent('[data-testid=procedure]');
    assert(card.includes('IT on duty') && card.includes('+358 9 310 1234') && card.includes('Call the operator'), `procedure: ${card}`);
    await page.click('[data-testid=procedure] [data-step="0"]');
    await page.waitForSelector('[data-testid=procedure] li.done [data-step="0"]', { timeout: 5_000 });
    await page.screenshot({ path: path.join(out, 'outage-procedure.png') });
  });

  await check('the outage acknowledged is exported in Helsinki time with its offset', async () => {
    await page.click('.wlist li[data-kind="source-down"] [data-testid=ack]');
    let rows = [];
    for (const t = Date.now(); Date.now() - t < 5_000; await new Promise((r) => setTimeout(r, 200))) {
      // The centre's records, as its IT staff export them: the CLI on the wall's own config.
      rows = execFileSync(binary, ['audit', 'export', '--config', config, '--format', 'jsonl'], { encoding: 'utf8' }).trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
      if (rows.some((r) => r.action === 'warning.acknowledge')) break;
    }
    const ack = rows.find((r) => r.action === 'warning.acknowledge');
    assert(ack, `no acknowledgement exported: ${JSON.stringify(rows)}`);
    assert(rows.some((r) => r.action === 'warning.step' && r.target === ack.target && r.detail.includes('Check the station feed')), `the procedure's step is not in the log: ${JSON.stringify(rows)}`);
    const offset = new Intl.DateTimeFormat('en', { timeZone: 'Europe/Helsinki', timeZoneName: 'longOffset' }).formatToParts(new Date(ack.at_ms)).find((p) => p.type === 'timeZoneName').value.replace('GMT', '');
    assert(ack.at.endsWith(offset) && Date.parse(ack.at) === ack.at_ms, `exported at ${ack.at} (${ack.at_ms}), Helsinki is ${offset}`);
  });

  await check('the subsystem back: the outage clears by itself', async () => {
    up = true;
    await page.waitForFunction(() => !document.querySelector('.wlist li[data-kind="source-down"]'), null, { timeout: 10_000 });
  });
  await page.close();
  city.close();
});
