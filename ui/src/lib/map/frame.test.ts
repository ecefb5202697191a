import { describe, expect, it } from 'vitest';
import { FrameBatcher } from './frame';
import { manualFrames } from '../testing/fakes';

describe('FrameBatcher', () => {
  it('hands a burst of marks to one frame', () => {
    const frames = manualFrames();
    const flushed: string[][] = [];
    const b = new FrameBatcher((d) => flushed.push([...d]), frames.next);
    b.mark('flood');
    b.mark('incidents');
    b.mark('flood');
    expect(frames.pending).toBe(1);
    frames.step();
    expect(flushed).toEqual([['flood', 'incidents']]);
    b.mark('rain');
    frames.step();
    expect(flushed).toEqual([['flood', 'incidents'], ['rain']]);
  });

  it('draws what the flush itself marks in the same pass', () => {
    const frames = manualFrames();
    const seen: string[] = [];
    const b: FrameBatcher = new FrameBatcher((d) => {
      b.mark('warnings');
      for (const w of d) seen.push(w);
    }, frames.next);
    b.mark('flood');
    frames.step();
    expect(seen).toEqual(['flood', 'warnings']);
    expect(frames.pending).toBe(0);
  });

  it('a failing flush does not stop later frames', () => {
    const frames = manualFrames();
    let calls = 0;
    const b = new FrameBatcher(() => {
      calls++;
      if (calls === 1) throw new Error('map gone');
    }, frames.next);
    b.mark('a');
    expect(() => frames.step()).toThrow();
    b.mark('b');
    frames.step();
    expect(calls).toBe(2);
  });
});

describe('FrameBatcher with a least gap', () => {
  it('draws marks that come sooner than the gap once, when the gap has passed', () => {
    const frames = manualFrames();
    let clock = 0;
    const timers: [() => void, number][] = [];
    const flushed: string[][] = [];
    const b = new FrameBatcher((d) => flushed.push([...d]), frames.next, 1000, () => clock, (cb, ms) => timers.push([cb, ms]));
    b.mark('flood');
    frames.step();
    expect(flushed).toEqual([['flood']]);
    clock = 300;
    b.mark('rain');
    b.mark('warnings');
    expect(frames.pending).toBe(0);
    expect(timers.map(([, ms]) => ms)).toEqual([700]);
    clock = 1000;
    timers[0][0]();
    frames.step();
    expect(flushed).toEqual([['flood'], ['rain', 'warnings']]);
    // Past the gap, a mark draws at the next frame again.
    clock = 2500;
    b.mark('flood');
    expect(frames.pending).toBe(1);
  });
});
