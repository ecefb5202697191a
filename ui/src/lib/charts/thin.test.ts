import { describe, expect, it } from 'vitest';
import { pointsFor, thin } from './thin';

const series = (n: number, value: (i: number) => number): [number, number][] => Array.from({ length: n }, (_, i) => [1000 * i, value(i)]);

describe('thin', () => {
  it('draws a short series whole', () => {
    const s = series(100, (i) => i);
    expect(thin(s, 180)).toBe(s);
  });

  it('draws at most max points of a long series, in time order, first and latest as they are', () => {
    const s = series(2000, (i) => Math.sin(i / 40));
    const t = thin(s, 180);
    expect(t.length).toBeLessThanOrEqual(180);
    expect(t.length).toBeGreaterThan(90);
    expect(t[0]).toBe(s[0]);
    expect(t.at(-1)).toBe(s.at(-1));
    for (let i = 1; i < t.length; i++) expect(t[i][0]).toBeGreaterThan(t[i - 1][0]);
  });

  it('keeps a one-sample peak and a one-sample dip of a long series', () => {
    const s = series(2000, (i) => (i === 777 ? 95 : i === 1500 ? -3 : 10));
    const t = thin(s, 120);
    expect(t).toContain(s[777]);
    expect(t).toContain(s[1500]);
  });

  it('draws about a point per two pixels, never fewer than 60', () => {
    expect(pointsFor(360)).toBe(180);
    expect(pointsFor(0)).toBe(60);
  });
});
