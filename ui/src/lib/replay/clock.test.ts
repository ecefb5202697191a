import { describe, expect, it } from 'vitest';
import { ReplayClock } from "./clock";

describe('ReplayClock', () => {
  it('seeks within history, plays at its speed and stops at the present', () => {
    const c = new ReplayClock();
    expect(c.live).toBe(true);
    c.seek(50, 100, 10_000);
    expect(c.at).toBe(100);
    c.speed = 60;
    expect(c.advance(1000, 10_000)).toBe(false);
    c.playing = true;
    c.advance(100, 10_000);
    expect(c.at).toBe(6_100);
    c.advance(1000, 10_000);
    expect(c.at).toBe(10_000);
    expect(c.playing).toBe(false);
    c.goLive();
    expect(c.live).toBe(true);
  });
});
