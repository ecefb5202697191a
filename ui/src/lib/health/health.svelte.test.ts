import { describe, expect, it } from 'vitest';
import { HealthState } from './health.svelte';
import { fakeTransport, source } from '../testing/fakes';

describe('HealthState', () => {
  it('reports the layers whose sources changed state since the last refresh', async () => {
    let answer = [source('a', 'flood', 'ok'), source('b', 'incidents', 'ok')];
    const s = new HealthState(fakeTransport({ sources: () => answer }));
    expect(await s.refresh()).toEqual([]);
    answer = [source('a', 'flood', 'failing'), source('b', 'incidents', 'ok')];
    expect(await s.refresh()).toEqual(['flood']);
    expect(s.failing.map((x) => x.id)).toEqual(['a']);
    expect(s.down.map((x) => x.id)).toEqual(['a']);
  });

  it('takes one source status from the stream, leaving the others', async () => {
    const s = new HealthState(fakeTransport({ sources: [source('a', 'flood', 'ok'), source('b', 'rain', 'ok')] }));
    await s.refresh();
    s.update(source('b', 'rain', 'stale'));
    expect(s.sources.map((x) => x.state)).toEqual(['ok', 'stale']);
    expect(s.failing).toHaveLength(1);
  });

  it('counts the sources per state for a centre with many of them', async () => {
    const many = Array.from({ length: 345 }, (_, i) => source(`s${i}`, 'x', i < 3 ? 'failing' : i < 5 ? 'stale' : 'ok'));
    const s = new HealthState(fakeTransport({ sources: many }));
    await s.refresh();
    expect(s.byState).toEqual([['ok', 340], ['stale', 2], ['failing', 3]]);
    expect(s.failing).toHaveLength(5);
  });

  it('lists a source still connecting for attention, but does not count it as down', async () => {
    const s = new HealthState(fakeTransport({ sources: [source('census', 'components', 'pending'), source('g', 'flood', 'failing'), source('r', 'rain', 'ok')] }));
    await s.refresh();
    expect(s.failing.map((x) => x.id)).toEqual(['census', 'g']);
    expect(s.down.map((x) => x.id)).toEqual(['g']);
  });
});
