// Browser e2e: a wall that needs a login. `citywall serve` with a token set: the page shows only
// the login card until a duty officer logs in (a wrong password is refused with the engine's
// reason), then the wall with who is working it in the header; a kiosk screen opened with
// `#token=…` needs no form, drops the token from its address and may only view; the duty officer
// takes a call into the incident loop on the cases panel and works it, reporting the fix with a
// photo that the case's timeline shows. Screenshots go to test-output/.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { assert, binary, check, children, freePort, out, start, suite } from './support.mjs';

const TOKEN = 'kiosk-token-5f2a9c1e7b3d4a60';
let browser;

await suite(async (launched) => {
  browser = launched;
  const dir = mkdtempSync(path.join(tmpdir(), 'citywall-access-'));
  const config = path.join(dir, 'wall.toml');
  writeFileSync(config, `[store]
path = "wall.db"

[centre]
name_zh = "测试市城市运行管理中心"
name_en = "Test City Operations Centre"

[map]
extent = [118.2, 33.9, 118.35, 34.0]

[panels]
right = ["warnings", "cases", "audit"]

[incidents]
categories = { "市容环境" = 24, "街面秩序" = 12 }
departments = ["城管一中队", "环卫所"]

[[layer]]
id = "points"
title_zh = "点位"
title_en = "Points"
`);
  for (const [name, role] of [['张伟', 'duty'], ['大屏一', 'wall']]) {
    const made = spawnSync(binary, ['--config', config, 'user', 'add', name, '--role', role], { encoding: 'utf8', env: { ...process.env, CITYWALL_PASSWORD: 'duty-shift-2026' } });
    assert(made.status === 0, `user add: ${made.stdout}${made.stderr}`);
  }
  const port = await freePort();
  const server = start(['--config', config, 'serve', '--port', String(port)], { CITYWALL_TOKEN: TOKEN });
  children.push(server);
  const base = `http://127.0.0.1:${port}`;
  // The API answers 401 until someone logs in: wait for the public whoami instead.
  for (let t = Date.now(); !(await fetch(`${base}/api/v1/whoami`).then((r) => r.ok).catch(() => false));) {
    assert(Date.now() - t < 30_000, `server did not start:\n${server.log}`);
    await new Promise((r) => setTimeout(r, 200));
  }

  await check('a wall with a token set shows only the login card; a wrong password is refused with the reason', async () => {
    assert(server.log.includes('a token or a login is required'), `serve said: ${server.log}`);
    assert(!server.log.includes(TOKEN), 'the token was printed');
    const meta = await fetch(`${base}/api/v1/meta`);
    assert(meta.status === 401, `meta without a login: ${meta.status}`);
    const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
    await page.goto(base);
    await page.waitForSelector('[data-testid=login]', { timeout: 20_000 });
    assert(!(await page.$('.maplibregl-map')), 'the map loaded behind the login card');
    await page.fill('input[name=name]', '张伟');
    await page.fill('input[name=password]', 'not-the-password');
    await page.click('[data-testid=login] button');
    await page.waitForSelector('.login-error', { timeout: 10_000 });
    const refusal = await page.textContent('.login-error');
    assert(refusal.includes('wrong'), `refusal: ${refusal}`);
    await page.screenshot({ path: path.join(out, 'browser-login.png') });

    await page.fill('input[name=password]', 'duty-shift-2026');
    await page.click('[data-testid=login] button');
    await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
    const header = await page.textContent('[data-testid=access]');
    assert(header.includes('张伟') && header.includes('值班员'), `header: ${header}`);
    assert((await page.textContent('h1')).includes('测试市城市运行管理中心'), 'the centre name from config');
    const cookie = (await page.context().cookies()).find((c) => c.name === 'cw_session');
    assert(cookie?.httpOnly && cookie.sameSite === 'Strict', `cookie: ${JSON.stringify(cookie)}`);
    await page.screenshot({ path: path.join(out, 'browser-logged-in.png') });

    // A 12345 call taken on the wall, its words hostile: it opens a case that stays text.
    const hostile = '<img src=x onerror="window.__pwned=1">垃圾满溢';
    await page.click('[data-testid=new-case]');
    await page.fill('[data-testid=case-form] input[name=title]', hostile);
    await page.fill('[data-testid=case-form] input[name=address]', '人民路12号');
    await page.click('[data-testid=case-form] button[type=submit]');
    await page.waitForSelector('[data-case] [data-step=register]', { timeout: 10_000 });
    await page.click('[data-case] [data-step=register]');
    await page.waitForSelector('[data-case] [data-step=dispatch]', { timeout: 10_000 });
    await page.click('[data-case] [data-step=dispatch]');
    await page.selectOption('[data-case] .step-form select', '环卫所');
    await page.click('[data-case] .step-form button[type=submit]');
    await page.waitForFunction(() => (document.querySelector('[data-case]')?.textContent ?? '').includes('已派遣'), null, { timeout: 10_000 });
    const row = await page.textContent('[data-case]');
    assert(row.includes('环卫所') && row.includes('剩 24 小时') && row.includes(hostile), `case row: ${row}`);
    const inert = await page.evaluate(() => ({ pwned: window.__pwned === 1, imgs: document.querySelectorAll('[data-testid=cases] img').length }));
    assert(!inert.pwned && inert.imgs === 0, `markup from the call ran: ${JSON.stringify(inert)}`);
    // Out of order is refused by the engine, and the wall says why.
    const refused = await page.evaluate(async () => {
      const id = document.querySelector('[data-case]').getAttribute('data-case');
      const r = await fetch(`/api/v1/cases/${id}/close`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      return [r.status, (await r.json()).error];
    });
    assert(refused[0] === 409 && refused[1].includes('cannot take the step'), `close out of order: ${refused}`);
    // The case sits on the map where it was taken: the map's centre.
    await page.waitForFunction(() => window.__citywall.map.queryRenderedFeatures({ layers: ['cases-ring'] }).length > 0, null, { timeout: 15_000 });
    // The crew accepts it and reports the fix with a photo; the case's timeline shows every step,
    // the note as text and the photo as a picture served by the engine.
    await page.click('[data-case] [data-step=accept]');
    await page.waitForSelector('[data-case] [data-step=report]', { timeout: 10_000 });
    await page.click('[data-case] [data-step=report]');
    const png = await page.evaluate(() => {
      const canvas = document.createElement('canvas');
      canvas.width = 64; canvas.height = 48;
      const g = canvas.getContext('2d');
      g.fillStyle = '#3a7'; g.fillRect(0, 0, 64, 48); g.fillStyle = '#fff'; g.fillRect(20, 14, 24, 20);
      return canvas.toDataURL('image/png').split(',')[1];
    });
    await page.setInputFiles('[data-case] .step-form input[type=file]', { name: 'fixed.png', mimeType: 'image/png', buffer: Buffer.from(png, 'base64') });
    await page.fill('[data-case] .step-form input[name=note]', '<b onmouseover="window.__pwned=1">已清运</b>');
    await page.click('[data-case] .step-form button[type=submit]');
    await page.waitForFunction(() => (document.querySelector('[data-case]')?.textContent ?? '').includes('已反馈'), null, { timeout: 10_000 });
    await page.click('[data-case] [data-testid=case-title]');
    await page.waitForFunction(() => [...document.querySelectorAll('[data-testid=case-timeline] img')].some((i) => i.complete && i.naturalWidth === 64), null, { timeout: 10_000 });
    const timeline = await page.evaluate(() => {
      const t = document.querySelector('[data-testid=case-timeline]');
      return { text: t.textContent, bold: t.querySelectorAll('b').length, steps: t.querySelectorAll('li').length, pwned: window.__pwned === 1 };
    });
    assert(timeline.steps === 5 && timeline.text.includes('<b onmouseover') && timeline.bold === 0 && !timeline.pwned, `timeline: ${JSON.stringify(timeline)}`);
    assert(['案件派遣', '案件反馈', '张伟'].every((w) => timeline.text.includes(w)), `timeline: ${timeline.text}`);
    await page.screenshot({ path: path.join(out, 'browser-case-timeline.png') });
    // The console's audit view lists the logins and the steps just taken, by who took them.
    await page.waitForFunction(() => (document.querySelector('[data-testid=audit]')?.textContent ?? '').includes('案件派遣'), null, { timeout: 15_000 });
    const log = await page.textContent('[data-testid=audit]');
    assert(log.includes('张伟') && log.includes('登录失败') && log.includes('登记案件') && log.includes('上传照片'), `audit view: ${log}`);
    // A duty officer may read the log but not export it.
    const exportStatus = await page.evaluate(async () => (await fetch('/api/v1/audit/export?format=csv')).status);
    assert(exportStatus === 403, `a duty officer exported the audit log: ${exportStatus}`);
    await page.screenshot({ path: path.join(out, 'browser-cases.png') });
    console.log(`     case taken, registered and dispatched on the wall: ${row.replace(/\s+/g, ' ').slice(0, 80)}`);
    await page.close();
  });

  await check('a kiosk screen opened with #token= needs no form, drops the token from its address and may only view', async () => {
    const context = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
    const page = await context.newPage();
    await page.goto(`${base}/#token=${TOKEN}`);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
    assert(!page.url().includes(TOKEN), `the token stayed in the address: ${page.url()}`);
    const header = await page.textContent('[data-testid=access]');
    assert(header.includes('大屏'), `header: ${header}`);
    const audit = await page.evaluate(async () => (await fetch('/api/v1/audit')).status);
    assert(audit === 403, `the kiosk read the audit log: ${audit}`);
    assert(!(await page.$('[data-testid=ack]')), 'a view-only screen offers to acknowledge');
    await context.close();
  });
});
