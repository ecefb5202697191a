import { describe, expect, it } from 'vitest';
import { KpiState, STATIONS_EVERY_MS, stationRates, topCategories } from './kpi.svelte';
import { collection, fakeTransport, feature } from '../testing/fakes';
import type { Summary } from '../../types';

const summary = (open: number): Summary => ({
  flood: { total: 1, by_level: {}, max_level_m: 0, rain_mm_h: 0 },
  overweight: { stations: 1, passes_today: 0, violations_today: 0, overload_rate_pct: 0, violations_1h: 0 },
  incidents: { total: 9, open, closed: 0, closure_rate_pct: 0, by_channel: {}, by_category: { a: 1, b: 5, c: 3, d: 2, e: 1, f: 7, g: 4 }, severe_open: 0 },
});

describe('KPIs', () => {
  it('ranks stations by their overload rate over the last hour, with short names', () => {
    const fc = collection('overweight', [
      feature('s1', 0, 0, { name: '东环治超站', passes_1h: 50, violations_1h: 5 }),
      feature('s2', 0, 0, { name: '北口治超点', passes_1h: 0, violations_1h: 0 }),
      feature('s3', 0, 0, { name: '西站', passes_1h: 20, violations_1h: 4 }),
    ]);
    expect(stationRates(fc)).toEqual([{ name: '西站', value: 20 }, { name: '东环', value: 10 }, { name: '北口', value: 0 }]);
    expect(stationRates(fc, 1)).toHaveLength(1);
  });

  it('lists the six largest categories', () => {
    expect(topCategories(summary(1)).map((c) => c.name)).toEqual(['f', 'b', 'g', 'c', 'd', 'a']);
  });

  it('fetches only the trend samples it does not hold yet', async () => {
    const sample = (at: number) => ({ at, flood_over: 0, max_level_m: 0, overload_rate_pct: 0, violations_1h: 0, incidents_open: 0, closure_rate_pct: 0, warnings: [0, 0, 0, 0] as [number, number, number, number] });
    const engine = [sample(1), sample(2)];
    const t = fakeTransport({ summary: summary(1), summarySeries: (since?: number) => engine.filter((s) => since === undefined || s.at > since) });
    const k = new KpiState(t);
    await k.refresh(true);
    const held = k.series;
    await k.refresh(true);
    expect(k.series).toBe(held);
    engine.push(sample(3));
    await k.refresh(true);
    expect(k.series.map((s) => s.at)).toEqual([1, 2, 3]);
    expect(t.calls.filter(([c]) => c === 'summarySeries').map(([, a]) => a)).toEqual([[undefined, null], [2, null], [2, null]]);
  });

  it("stepped into a child centre, reads that centre's numbers and starts its trend afresh", async () => {
    const sample = (at: number) => ({ at, flood_over: 0, max_level_m: 0, overload_rate_pct: 0, violations_1h: 0, incidents_open: 0, closure_rate_pct: 0, warnings: [0, 0, 0, 0] as [number, number, number, number] });
    const t = fakeTransport({ summary: summary(1), summarySeries: (since?: number, centre?: string | null) => (centre ? [sample(7)] : [sample(1), sample(2)]).filter((s) => since == null || s.at > since) });
    const k = new KpiState(t);
    await k.refresh(true);
    expect(k.series.map((s) => s.at)).toEqual([1, 2]);
    await k.refresh(true, undefined, 'west');
    expect(k.series.map((s) => s.at)).toEqual([7]);
    expect(t.calls.filter(([c]) => c === 'summary').at(-1)?.[1]).toEqual(['west']);
    expect(t.calls.filter(([c]) => c === 'summarySeries').at(-1)?.[1]).toEqual([undefined, 'west']);
    await k.refresh(true);
    expect(k.series.map((s) => s.at)).toEqual([1, 2]);
  });

  it('keeps the replayed summary while replaying; refreshes it live', async () => {
    let open = 1;
    const t = fakeTransport({ summary: () => summary(open), summarySeries: [], replaySummary: summary(42), features: collection('overweight', []) });
    let now = 0;
    const k = new KpiState(t, () => now);
    await k.refresh(true);
    expect(k.summary?.incidents.open).toBe(1);
    await k.loadAt(5);
    open = 2;
    await k.refresh(false, 'overweight');
    expect(k.summary?.incidents.open).toBe(42);
    expect(t.calls.filter(([c]) => c === 'summary')).toHaveLength(1);
    expect(t.calls.filter(([c]) => c === 'features')).toHaveLength(1);
    // The stations' ranking is reread every 10 s, not with every refresh.
    await k.refresh(false, 'overweight');
    expect(t.calls.filter(([c]) => c === 'features')).toHaveLength(1);
    now += STATIONS_EVERY_MS;
    await k.refresh(false, 'overweight');
    expect(t.calls.filter(([c]) => c === 'features')).toHaveLength(2);
    await k.refresh(true);
    expect(k.summary?.incidents.open).toBe(2);
  });
});
