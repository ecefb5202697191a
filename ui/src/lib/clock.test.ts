import { describe, expect, it } from 'vitest';
import { WallClock } from './clock.svelte';
import { ago } from './format';

describe('WallClock', () => {
  it('reads the simulated city\'s time in the demo, real time otherwise', () => {
    const c = new WallClock();
    c.now = 10_000;
    expect(c.dataNow).toBe(10_000);
    c.demo = { wall_origin_ms: 9_000, sim_origin_ms: 1_000_000, scale: 60 };
    expect(c.dataNow).toBe(1_060_000);
  });

  it('says how long ago in the wall\'s words', () => {
    const t = (w: string) => w;
    expect(ago(t as never, 100_000, null)).toBe('never');
    expect(ago(t as never, 100_000, 88_000)).toBe('10 secondsAgo');
    expect(ago(t as never, 100_000, 93_000)).toBe('justNow');
    expect(ago(t as never, 1_000_000, 700_000)).toBe('5 minutesAgo');
  });
});
