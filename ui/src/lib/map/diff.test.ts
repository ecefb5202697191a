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
