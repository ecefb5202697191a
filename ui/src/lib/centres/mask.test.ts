import { describe, expect, it } from 'vitest';
import { maskOf } from './mask';

describe('maskOf', () => {
  it('veils the world but the area: each polygon\'s outer ring a hole, its own holes ignored', () => {
    const ring = [[1, 1], [2, 1], [2, 2], [1, 2], [1, 1]];
    const inner = [[1.2, 1.2], [1.4, 1.2], [1.4, 1.4], [1.2, 1.2]];
    const mask = maskOf({ type: 'MultiPolygon', coordinates: [[ring, inner], [[[5, 5], [6, 5], [6, 6], [5, 5]]]] });
    const geometry = mask.features[0].geometry as GeoJSON.Polygon;
    expect(geometry.coordinates).toHaveLength(3);
    expect(geometry.coordinates[1]).toEqual(ring);
    expect(geometry.coordinates[0][0]).toEqual([-180, -85]);
  });
});
