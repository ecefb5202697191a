import { describe, expect, it } from 'vitest';
import { ViewportLayer, contains, pad } from './viewport';
import type { GeoFeature } from '../../types';

const f = (id: string, x: number, y: number, level = 0): GeoFeature => ({
  type: 'Feature',
  id,
  geometry: { type: 'Point', coordinates: [x, y] },
  properties: { _id: id, _source: 's', _stale: false, level },
});

describe('ViewportLayer', () => {
  it('keeps only what is in view as deltas arrive', () => {
    const layer = new ViewportLayer();
    layer.replace({ type: 'FeatureCollection', layer: 'flood', mode: 'features', truncated: false, seq: 5, features: [f('a', 1, 1), f('b', 2, 2)] }, [0, 0, 3, 3]);
    expect(layer.size).toBe(2);
    // A delta older than the fetch is ignored.
    expect(layer.apply(5, [f('c', 1, 1)], [])).toBe(false);
    // New inside: added; moved outside: dropped; removed: gone.
    expect(layer.apply(6, [f('c', 1, 1), f('a', 9, 9)], ['b'])).toBe(true);
    expect(layer.collection().features.map((x) => x.id)).toEqual(['c']);
    // Outside and unknown: nothing changes.
    expect(layer.apply(7, [f('z', 9, 9)], [])).toBe(false);
  });

  it('refetches clusters instead of patching them', () => {
    const layer = new ViewportLayer();
    layer.replace({ type: 'FeatureCollection', layer: 'incidents', mode: 'clusters', truncated: false, seq: 9, features: [f('cluster:10:0', 1, 1)] }, [0, 0, 3, 3], 10);
    expect(layer.apply(10, [f('x', 1, 1)], [])).toBe(false);
    expect(layer.needsRefetch(9)).toBe(false);
    expect(layer.needsRefetch(10)).toBe(true);
    expect(layer.size).toBe(1);
  });

  it('pads and compares boxes', () => {
    expect(pad([0, 0, 10, 10], 0.1)).toEqual([-1, -1, 11, 11]);
    expect(contains([0, 0, 10, 10], [1, 1, 9, 9])).toBe(true);
    expect(contains([0, 0, 10, 10], [1, 1, 11, 9])).toBe(false);
  });
});
