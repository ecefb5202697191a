// Browser e2e: the video wall plays. `citywall serve --demo`: the video screen (?role=video)
// follows the most severe warning with the cameras best placed to see it, each tile playing its
// camera's MJPEG stream from the sim's video platform through the engine's one WebSocket. A
// 16-split and a 25-split play for VIDEO_SECONDS (default 60; `make test` runs 20). The goal is
// ≥ 10 frames drawn a second on every tile; the check fails below VIDEO_MIN_FPS (default 5: a
// tile that stutters or freezes), so a loaded 2-core CI machine does not fail it on the goal
// alone — the figures (fps per tile against the goal, the page's JS heap, the RSS and CPU of the
// engine and of Chromium) are printed and saved to test-output/video.json to be read.
// Screenshots of both splits and of a maximised tile. The video screen has no map, so Chromium
// runs without SwiftShader's emulated GL (support.mjs). VIDEO_SPLITS picks the splits and
// VIDEO_PATH=mosaic|tiles|jpeg forces a path (Chromium plays its own tiles unless told, H.264
// cameras decoded by itself through WebCodecs; `jpeg`: every tile in JPEGs).
import { readFileSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { assert, check, children, freePort, out, start, suite, waitForApi } from './support.mjs';

const SECONDS = Number(process.env.VIDEO_SECONDS ?? 60);
const GOAL_FPS = 10;
const MIN_FPS = Number(process.env.VIDEO_MIN_FPS ?? 5);

/** Resident memory (MB) and CPU seconds used so far, of a process and its children. */
function usage(pid) {
  const tree = execFileSync('ps', ['-e', '-o', 'pid=,ppid=,rss=,times=']).toString().trim().split('\n').map((l) => l.trim().split(/\s+/).map(Number));
  const ids = new Set([pid]);
  for (let grew = true; grew;) {
    grew = false;
    for (const [p, pp] of tree) if (ids.has(pp) && !ids.has(p)) { ids.add(p); grew = true; }
  }
  const mine = tree.filter(([p]) => ids.has(p));
  return { rssMb: Math.round(mine.reduce((a, r) => a + r[2], 0) / 1024), cpuS: mine.reduce((a, r) => a + r[3], 0) };
}

await suite(async (browser) => {
  const port = await freePort();
  const server = start(['serve', '--demo', '--port', String(port)]);
  children.push(server);
  const base = `http://127.0.0.1:${port}`;
  await waitForApi(base, server);
  const browserPid = browser.process?.()?.pid ?? Number(readFileSync('/proc/self/stat', 'utf8').split(' ')[0]);
  const report = {};

  const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
  // VIDEO_PATH=mosaic|tiles|jpeg forces a path (the wall picks by grid size otherwise).
  await page.goto(`${base}/?role=video${process.env.VIDEO_PATH ? `&video=${process.env.VIDEO_PATH}` : ''}`);
  await page.waitForSelector('body[data-ready="true"] .wall[data-role="video"]', { timeout: 60_000 });
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const heapMb = async () => Math.round((await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'JSHeapUsedSize').value / 1048576);

  const splits = (process.env.VIDEO_SPLITS ?? '16,25').split(',').map(Number);
  for (const split of splits) {
    await check(`a ${split}-tile video wall plays every tile for ${SECONDS} s (goal ≥ ${GOAL_FPS} fps each)`, async () => {
      await page.click(`[data-split="${split}"]`);
      await page.waitForFunction((n) => {
        const tiles = [...document.querySelectorAll('[data-testid=video-wall] .tile')];
        return tiles.length === n && tiles.every((t) => t.dataset.state === 'live' && Number(t.dataset.drawn) > 0);
      }, split, { timeout: 60_000 });
      const drawn = () => page.evaluate(() => [...document.querySelectorAll('[data-testid=video-wall] .tile')].map((t) => Number(t.dataset.drawn)));
      const engine0 = usage(server.pid);
      const chrome0 = usage(browserPid);
      const heap0 = await heapMb();
      await page.waitForTimeout(1500); // the counts the page shows are a second old
      const before = await drawn();
      const t0 = Date.now();
      await page.waitForTimeout(SECONDS * 1000);
      const after = await drawn();
      const elapsed = (Date.now() - t0) / 1000;
      const fps = after.map((n, i) => (n - before[i]) / elapsed).sort((a, b) => a - b);
      const engine1 = usage(server.pid);
      const chrome1 = usage(browserPid);
      const heap1 = await heapMb();
      // How the tiles' pictures came: H.264 decoded by Chromium (WebCodecs), or JPEGs.
      const paths = await page.evaluate(() => [...document.querySelectorAll('[data-testid=video-wall] .tile')].reduce((n, t) => ({ ...n, [t.dataset.path || 'none']: (n[t.dataset.path || 'none'] ?? 0) + 1 }), {}));
      const figures = {
        tiles: split,
        seconds: Math.round(elapsed),
        fps_min: +fps[0].toFixed(1),
        fps_median: +fps[Math.floor(fps.length / 2)].toFixed(1),
        goal_met: fps[0] >= GOAL_FPS,
        paths,
        engine_and_sim: { rss_mb: [engine0.rssMb, engine1.rssMb], cpu_cores: +((engine1.cpuS - engine0.cpuS) / elapsed).toFixed(2) },
        chromium: { rss_mb: [chrome0.rssMb, chrome1.rssMb], cpu_cores: +((chrome1.cpuS - chrome0.cpuS) / elapsed).toFixed(2) },
        js_heap_mb: [heap0, heap1],
      };
      report[split] = figures;
      console.log(`     ${JSON.stringify(figures)}`);
      assert(fps[0] >= MIN_FPS, `the slowest of ${split} tiles drew ${fps[0].toFixed(1)} fps`);
      // The screen follows the most severe warning: when it changes, new cameras connect first.
      await page.waitForFunction(() => [...document.querySelectorAll('[data-testid=video-wall] .tile')].every((t) => t.dataset.state === 'live'), null, { timeout: 10_000 })
        .catch(async () => assert(false, `tiles not live: ${await page.evaluate(() => [...document.querySelectorAll('[data-testid=video-wall] .tile')].map((t) => t.dataset.state))}`));
      await page.waitForTimeout(2500); // two seconds of frames, so each tile's fps reads true
      await page.screenshot({ path: path.join(out, `browser-video-${split}.png`) });
    });
  }

  await check('double-click maximises a tile on its main stream, and back', async () => {
    await page.dblclick('[data-testid=video-wall] .tile[data-tile="3"]');
    await page.waitForFunction(() => {
      const tiles = [...document.querySelectorAll('[data-testid=video-wall] .tile')];
      const canvas = tiles[0]?.querySelector('canvas');
      return tiles.length === 1 && tiles[0].dataset.state === 'live' && canvas?.width === 960;
    }, null, { timeout: 15_000 });
    await page.waitForTimeout(1000);
    await page.screenshot({ path: path.join(out, 'browser-video-maximised.png') });
    await page.dblclick('[data-testid=video-wall] .tile');
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid=video-wall] .tile').length === n, splits[splits.length - 1], { timeout: 15_000 });
  });
  await check('the screen saved as a layout (预案) comes back after a reload, pinned until the wall follows the warnings again', async () => {
    await page.click('[data-split="4"]');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=video-wall] .tile').length === 4, null, { timeout: 15_000 });
    const cameras = await page.evaluate(() => [...document.querySelectorAll('[data-testid=video-wall] .tile b')].map((b) => b.textContent));
    await page.click('[data-testid=save-layout]');
    await page.fill('input[name=layout-name]', '黄河路预案');
    await page.click('[data-testid=video-wall] form button[type=submit]');
    await page.waitForFunction(() => document.querySelector('[data-testid=video-wall] h2')?.textContent?.includes('预案 · 黄河路预案'), null, { timeout: 10_000 });
    await page.reload();
    await page.waitForSelector('[data-testid=video-layouts]', { timeout: 60_000 });
    await page.selectOption('[data-testid=video-layouts]', '黄河路预案');
    await page.waitForFunction(() => [...document.querySelectorAll('[data-testid=video-wall] .tile')].filter((t) => t.dataset.state === 'live').length === 4, null, { timeout: 20_000 });
    const recalled = await page.evaluate(() => [...document.querySelectorAll('[data-testid=video-wall] .tile')].map((t) => t.dataset.state));
    assert(recalled.length === 4, `recalled ${recalled}`);
    await page.screenshot({ path: path.join(out, 'browser-video-layout.png') });
    await page.click('[data-testid=video-follow]');
    await page.waitForFunction(() => document.querySelector('[data-testid=video-wall] h2')?.textContent?.includes('视频联动'), null, { timeout: 10_000 });
    const audit = await (await fetch(`${base}/api/v1/audit?latest=50`)).json();
    assert(audit.some((r) => r.action === 'video.layout.save' && r.target === '黄河路预案'), 'the save is not in the audit log');
    assert(audit.some((r) => r.action === 'video.push'), 'no push in the audit log');
    console.log(`     saved ${cameras.length} cameras as 黄河路预案, recalled after a reload, audited`);
  });
  await check('a camera found by search drags onto a tile, which keeps it (locked); the push is the operator\'s, audited', async () => {
    await page.fill('[data-testid=search]', '球机');
    const hit = page.locator('[data-testid=search-hits] button[draggable=true]').first();
    await hit.waitFor({ timeout: 15_000 });
    const id = await hit.getAttribute('data-hit');
    const onTile2 = await page.evaluate(() => document.querySelector('[data-testid=video-wall] .tile[data-tile="2"]')?.dataset.camera);
    assert(id && onTile2 !== id, `the camera ${id} is already on tile 2`);
    await hit.dragTo(page.locator('[data-testid=video-wall] .tile[data-tile="2"]'));
    await page.waitForFunction((id) => {
      const tile = document.querySelector('[data-testid=video-wall] .tile[data-tile="2"]');
      return tile?.dataset.camera === id && tile.dataset.state === 'live' && tile.querySelector('.lock.on');
    }, id, { timeout: 20_000 });
    const audit = await (await fetch(`${base}/api/v1/audit?latest=500`)).json();
    const push = audit.find((r) => r.action === 'video.push' && r.target.includes(id) && r.detail.includes('operator'));
    assert(push && push.detail.includes('operator'), `no operator push of ${id}: ${JSON.stringify(push)} in ${JSON.stringify(audit.filter((r) => r.action === 'video.push').slice(0, 3))}`);
    await page.screenshot({ path: path.join(out, 'browser-video-dropped.png') });
    console.log(`     dragged ${id} from the search hits onto tile 2: playing, locked, audited as the operator's`);
  });
  await check('a tile spanned over 2×2 cells of a 9-split: six tiles, the spanned one twice as wide, kept in a saved layout', async () => {
    await page.fill('[data-testid=search]', '');
    // Once in three full runs the 9-split click was not taken (the tiles stayed as they were for
    // 15 s; the cause is not yet known): an operator clicks again, and the report says so.
    const nine = () => page.waitForFunction(() => document.querySelectorAll('[data-testid=video-wall] .tile').length === 9, null, { timeout: 7_500 });
    await page.click('[data-split="9"]');
    if (!(await nine().then(() => true, () => false))) {
      console.log('     the 9-split click was not taken at first: clicked again');
      await page.click('[data-split="9"]');
      await nine();
    }
    await page.click('[data-testid=video-wall] .tile[data-tile="4"] [data-testid=span-tile]');
    await page.waitForFunction(() => [...document.querySelectorAll('[data-testid=video-wall] .tile')].filter((t) => t.dataset.state === 'live').length === 6, null, { timeout: 20_000 });
    const widths = await page.evaluate(() => [...document.querySelectorAll('[data-testid=video-wall] .tile')].map((t) => t.getBoundingClientRect().width));
    assert(widths[4] > 1.9 * widths[0], `spanned ${widths[4]} against ${widths[0]}`);
    await page.screenshot({ path: path.join(out, 'browser-video-span.png') });
    await page.click('[data-testid=save-layout]');
    await page.fill('input[name=layout-name]', '合并预案');
    await page.click('[data-testid=video-wall] form button[type=submit]');
    await page.waitForFunction(() => document.querySelector('[data-testid=video-wall] h2')?.textContent?.includes('预案 · 合并预案'), null, { timeout: 10_000 });
    const saved = (await (await fetch(`${base}/api/v1/video/layouts`)).json()).find((l) => l.name === '合并预案');
    assert(saved && saved.split === 9 && JSON.stringify(saved.spans) === '[4]' && saved.cameras.length === 6, JSON.stringify(saved));
    await page.click('[data-testid=video-follow]');
    console.log(`     tile 4 spanned: ${Math.round(widths[4])} px wide against ${Math.round(widths[0])}; saved as 合并预案 with spans [4]`);
  });
  await check('two tiles tour the cameras ranked next (a group, 5 s a step) while the others stay; the tour is kept in a saved layout', async () => {
    await page.click('[data-split="9"]');
    await page.waitForFunction(() => [...document.querySelectorAll('[data-testid=video-wall] .tile')].filter((t) => t.dataset.state === 'live').length === 9, null, { timeout: 20_000 });
    await page.click('[data-testid=video-wall] .tile[data-tile="7"] [data-testid=tour-tile]');
    await page.click('[data-testid=video-wall] .tile[data-tile="8"] [data-testid=tour-tile]');
    await page.selectOption('[data-testid=tour-dwell]', '5');
    const cameras = () => page.evaluate(() => [...document.querySelectorAll('[data-testid=video-wall] .tile')].map((t) => t.dataset.camera));
    // The wall follows the warnings meanwhile, so the live city may re-rank the other tiles
    // between two looks; a step that moved them too is the city's, and the next step is taken.
    let first = [];
    let next = [];
    const moves = [];
    for (let step = 0; step < 4; step++) {
      first = await cameras();
      await page.waitForFunction((was) => document.querySelector('[data-testid=video-wall] .tile[data-tile="7"]')?.dataset.camera !== was, first[7], { timeout: 15_000 });
      next = await cameras();
      if (JSON.stringify(next.slice(0, 7)) === JSON.stringify(first.slice(0, 7))) break;
      moves.push(`${first} → ${next}`);
    }
    assert(JSON.stringify(next.slice(0, 7)) === JSON.stringify(first.slice(0, 7)), `the other tiles moved at every step: ${moves.join('; ')}`);
    await page.click('[data-testid=save-layout]');
    await page.fill('input[name=layout-name]', '轮巡预案');
    await page.click('[data-testid=video-wall] form button[type=submit]');
    await page.waitForFunction(() => document.querySelector('[data-testid=video-wall] h2')?.textContent?.includes('预案 · 轮巡预案'), null, { timeout: 10_000 });
    const saved = (await (await fetch(`${base}/api/v1/video/layouts`)).json()).find((l) => l.name === '轮巡预案');
    const group = saved?.groups?.[0];
    assert(group && JSON.stringify(group.tiles) === '[7,8]' && group.dwell_s === 5 && group.cameras.length >= 2, JSON.stringify(saved));
    const audit = await (await fetch(`${base}/api/v1/audit?latest=500`)).json();
    assert(audit.some((r) => r.action === 'video.push' && r.detail.includes('"reason":"tour"')), 'no tour push in the audit log');
    await page.click('[data-testid=video-follow]');
    console.log(`     tiles 7–8 toured ${group.cameras.length} cameras, 5 s a step: ${first[7]} → ${next[7]}; saved with the layout, audited as the tour's`);
  });
  writeFileSync(path.join(out, 'video.json'), JSON.stringify(report, null, 2));
  await page.close();
}, { gpu: false });
