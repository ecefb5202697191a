import { describe, expect, it } from 'vitest';
import { Wall } from './wall.svelte';
import { collection, fakeMap, fakeTransport, feature, manualFrames, settle, source, warning } from './testing/fakes';
import type { Probe } from './testing/probes';
import type { Delta } from '../types';

const store = { getItem: () => null, setItem: () => {} };

function probe() {
  const log: string[] = [];
  const p: Probe & { log: string[] } = {
    log,
    notePoll: (l) => log.push(`poll ${l}`),
    handedToMap: (l) => log.push(`map ${l}`),
    attachMap() {}, ready() {}, expose() {},
    replayShown: (at) => log.push(`replay ${at}`),
  };
  return p;
}

async function started() {
  const frames = manualFrames();
  let onDelta: (d: Delta) => void = () => {};
  const t = fakeTransport({
    meta: { product: 'CityWall', version: '0', demo: true, demo_clock: null, seq: 10, extent: { west: 118.1, south: 33.8, east: 118.4, north: 34.1 } },
    layers: [{ id: 'flood', title_zh: '易涝点', title_en: 'Flood', count: 1, template: 'flood' }, { id: 'cameras', title_zh: '视频', title_en: 'Cameras', count: 1, template: 'cameras' }],
    sources: [source('g', 'flood', 'ok')],
    summary: null, summarySeries: [],
    warnings: [warning('w1', 'yellow')],
    features: collection('flood', [feature('a', 118.25, 33.95)], 10),
    replay: collection('flood', [feature('old', 118.25, 33.95)], 0, 'replay'),
    replaySpan: { from: 0, to: 1e13 },
    replayWarnings: [warning('past', 'red')],
    replaySummary: null,
  });
  const subscribe = t.subscribe;
  t.subscribe = (d: (x: Delta) => void, s: (up: boolean) => void) => { onDelta = d; s(true); return subscribe(d, s); };
  const p = probe();
  const wall = new Wall(t, { store, search: '', probe: p, nextFrame: frames.next });
  await wall.start();
  const map = fakeMap();
  wall.attachMap(map);
  wall.subscribe();
  wall.refetchAll(true);
  await settle();
  frames.step();
  return { wall, map, frames, t, probe: p, send: (d: Delta) => onDelta(d) };
}

describe('Wall', () => {
  it('loads the layers, warnings and view, and draws them in one frame', async () => {
    const { wall, map } = await started();
    expect(wall.layers.ids).toEqual(['flood', 'cameras']);
    expect(wall.streamUp).toBe(true);
    expect(map.data.get('flood')?.features).toHaveLength(1);
    expect(map.data.get('warnings')?.features).toHaveLength(1);
    expect(map.tiles.get('cameras')?.[0]).toMatch(/^cw:\/\/cameras\//);
  });

  it('the whole-city view is the extent the engine gives, not a constant', async () => {
    const { wall, map } = await started();
    wall.home();
    expect(map.fitted).toEqual([[118.1, 33.8, 118.4, 34.1]]);
    wall.meta = { ...wall.meta!, extent: null };
    wall.home();
    expect(map.fitted[1]).toEqual([-180, -70, 180, 75]);
  });

  it('a burst of deltas costs one map update: features and warnings together, the latency probe told', async () => {
    const { wall, map, frames, send, probe: p } = await started();
    p.log.length = 0;
    send({ type: 'features', seq: 11, at: 5, polled_at: 1, layer: 'flood', upserted: [feature('b', 118.26, 33.96)], removed: ['a'] });
    for (let i = 0; i < 20; i++) send({ type: 'warning', seq: 12 + i, at: 0, warning: warning(`n${i}`, 'orange') });
    expect(frames.pending).toBe(1);
    frames.step();
    expect(map.data.get('flood')?.features.map((f) => (f as { id: string }).id)).toEqual(['b']);
    expect(wall.warnings.list).toHaveLength(21);
    expect(map.data.get('warnings')?.features).toHaveLength(21);
    expect(p.log).toEqual(['poll flood', 'map flood', 'map warnings']);
  });

  it('a warning delta that changes nothing the map draws costs no map update', async () => {
    const { wall, map, frames, send } = await started();
    const sent: number[] = [];
    const setData = map.setData;
    map.setData = (source, data) => { if (source === 'warnings') sent.push(data.features.length); setData(source, data); };
    send({ type: 'warning', seq: 11, at: 0, warning: { ...warning('w1', 'yellow'), value: 5, detail: 'rose 5 cm', updated_at: 9 } });
    frames.step();
    expect(sent).toEqual([]);
    expect(wall.warnings.list[0].detail).toBe('rose 5 cm');
    send({ type: 'warning', seq: 12, at: 0, warning: warning('w1', 'orange') });
    frames.step();
    expect(sent).toEqual([1]);
  });

  it('marks on the map the cameras the video walls show, as they change', async () => {
    const { wall, map, frames, send } = await started();
    send({ type: 'onwall', seq: 11, at: 0, cameras: [{ id: 'c1', name: '枪机1', lon: 118.2, lat: 33.9 }, { id: 'c2', name: '球机2', lon: 118.3, lat: 33.8 }] });
    frames.step();
    expect(map.data.get('onwall')?.features.map((f) => (f as { id: string }).id)).toEqual(['c1', 'c2']);
    expect(wall.video.onWall).toHaveLength(2);
    send({ type: 'onwall', seq: 12, at: 0, cameras: [] });
    frames.step();
    expect(map.data.get('onwall')?.features).toEqual([]);
  });

  it('replay shows the past and holds live changes back until it returns to live', async () => {
    const { wall, map, frames, send, t, probe: p } = await started();
    const seeking = wall.seek(1_000);
    await settle();
    frames.step();
    await seeking;
    expect(map.data.get('flood')?.features.map((f) => (f as { id: string }).id)).toEqual(['old']);
    expect(wall.warnings.list.map((w) => w.id)).toEqual(['past']);
    expect(p.log).toContain('replay 1000');
    send({ type: 'features', seq: 11, at: 5, polled_at: 1, layer: 'flood', upserted: [feature('b', 118.26, 33.96)], removed: [] });
    send({ type: 'warning', seq: 12, at: 0, warning: warning('live', 'red') });
    frames.step();
    expect(map.data.get('flood')?.features.map((f) => (f as { id: string }).id)).toEqual(['old']);
    expect(wall.warnings.list.map((w) => w.id)).toEqual(['past']);
    const fetched = t.calls.filter(([c]) => c === 'features').length;
    await wall.goLive();
    await settle();
    frames.step();
    expect(t.calls.filter(([c]) => c === 'features').length).toBe(fetched + 1);
    expect(map.data.get('flood')?.features.map((f) => (f as { id: string }).id)).toEqual(['a']);
    expect(wall.warnings.list.map((w) => w.id)).toEqual(['w1']);
  });

  it('a failing fetch shows where and why; the next success clears it', async () => {
    const { wall, t } = await started();
    const features = t.features;
    t.features = () => Promise.reject(new Error('features: 502 Bad Gateway'));
    await wall.fetchLayer('flood', true);
    expect(wall.notices.error).toBe("图层 flood 读取失败：features: 502 Bad Gateway");
    t.features = features;
    await wall.fetchLayer('flood', true);
    expect(wall.notices.error).toBeNull();
  });
});
