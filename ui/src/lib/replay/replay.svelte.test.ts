import { describe, expect, it } from 'vitest';
import { ReplayState } from './replay.svelte';
import { fakeTransport, manualFrames, settle } from '../testing/fakes';

function setup(from: number | null = 1_000, now = 100_000) {
  const loads: number[] = [];
  let release: () => void = () => {};
  const frames = manualFrames();
  const s = new ReplayState(
    fakeTransport({ replaySpan: { from, to: now } }),
    (at) => new Promise<void>((r) => { loads.push(at); release = r; }),
    () => now,
    frames.next,
  );
  return { s, loads, frames, release: () => release() };
}

describe('ReplayState', () => {
  it('seeks within stored history: clamped to where it begins and to the present', async () => {
    const { s, loads, release } = setup();
    expect(s.live).toBe(true);
    const seeking = s.seek(10);
    await settle();
    release();
    await seeking;
    expect(s.at).toBe(1_000);
    expect(s.spanFrom).toBe(1_000);
    const later = s.seek(500_000);
    release();
    await later;
    expect(s.at).toBe(100_000);
    expect(loads).toEqual([1_000, 100_000]);
  });

  it('a load in flight is not cancelled: one more follows it, for the latest instant', async () => {
    const { s, loads, release } = setup();
    void s.seek(5_000);
    await settle();
    void s.seek(6_000);
    void s.seek(7_000);
    await settle();
    expect(loads).toEqual([5_000]);
    release();
    await settle();
    expect(loads).toEqual([5_000, 7_000]);
  });

  it('plays at its speed on animation frames, loading at most four times a second', async () => {
    const { s, loads, frames, release } = setup();
    void s.seek(10_000);
    await settle();
    release();
    s.setSpeed(10);
    s.togglePlay();
    expect(s.playing).toBe(true);
    frames.step(0); // the first frame only starts the count
    frames.step(100);
    expect(s.at).toBe(11_000);
    frames.step(100);
    expect(s.at).toBe(12_000);
    await settle();
    expect(loads.length).toBeLessThanOrEqual(2);
    s.togglePlay();
    frames.step(100);
    expect(s.playing).toBe(false);
    expect(s.at).toBe(12_000);
  });

  it('back to live forgets the instant and stops playing', async () => {
    const { s, release } = setup();
    void s.seek(10_000);
    await settle();
    release();
    s.togglePlay();
    s.stop();
    expect(s.live).toBe(true);
    expect(s.playing).toBe(false);
    s.togglePlay();
    expect(s.playing).toBe(false);
  });
});
