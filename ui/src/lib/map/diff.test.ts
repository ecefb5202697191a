import { describe, expect, it } from 'vitest';
import { SourceMirror } from './diff';

const pt = (id: string | undefined, x = 0): GeoJSON.Feature => ({ type: 'Feature', id, geometry: { type: 'Point', coordinates: [x, 0] }, properties: {} });

describe('SourceMirror', () => {
  it('replaces a source whole the first time, then hands over only what changed', () => {
    const m = new SourceMirror();
    const fs = Array.from({ length: 10 }, (_, i) => pt(`f${i}`, i));
    expect(m.update(fs)).toEqual({ kind: 'full' });
    expect(m.update(fs)).toEqual({ kind: 'unchanged' });
    // A refetch brings new objects with the same content: nothing to redraw.
    expect(m.update(fs.map((f) => structuredClone(f)))).toEqual({ kind: 'unchanged' });
    const moved = pt('f3', 33);
    const next = [...fs.slice(0, 3), moved, ...fs.slice(4, 9), pt('new')];
    expect(m.update(next)).toEqual({ kind: 'diff', diff: { add: [moved, next[9]], remove: ['f9'] } });
  });

  it('reads a feature it was handed before only when its object changed', () => {
    const reads = new Set<string>();
    const watched = (id: string, x: number): GeoJSON.Feature => {
      const f = pt(id, x);
      const props = f.properties;
      Object.defineProperty(f, 'properties', { get: () => (reads.add(id), props) });
      return f;
    };
    const m = new SourceMirror();
    const fs = Array.from({ length: 100 }, (_, i) => watched(`f${i}`, i));
    m.update(fs);
    reads.clear();
    const moved = watched('f7', 70);
    const next = fs.map((f) => (f.id === 'f7' ? moved : f));
    expect(m.update(next)).toEqual({ kind: 'diff', diff: { add: [moved], remove: [] } });
    // Only the replaced feature and its predecessor were read; the 99 others not at all.
    expect([...reads.keys()].sort()).toEqual(['f7']);
    reads.clear();
    expect(m.update(next)).toEqual({ kind: 'unchanged' });
    expect(reads.size).toBe(0);
  });

  it('replaces whole when most features changed, ids are missing or repeated, or after forget', () => {
    const m = new SourceMirror();
    m.update([pt('a'), pt('b')]);
    expect(m.update([pt('a', 1), pt('b', 1)])).toEqual({ kind: 'full' });
    expect(m.update([pt(undefined)])).toEqual({ kind: 'full' });
    expect(m.update([pt('a')])).toEqual({ kind: 'full' });
    const same = [pt('x'), pt('y'), pt('z')];
    m.update(same);
    expect(m.update([pt('x'), same[1], same[2], same[2]])).toEqual({ kind: 'full' });
    expect(m.update([pt('x', 1), pt('y', 1), pt('z')])).toEqual({ kind: 'full' });
    m.update(same);
    m.forget();
    expect(m.update(same)).toEqual({ kind: 'full' });
  });
});
