// Where a feature is, whatever its geometry: the point a popup points at (a line's or polygon's
// anchor, which the engine sends) and the box it covers (to keep a delta that crosses the view).

import type { GeoFeature, Position } from '../../types';

export type Box = [number, number, number, number];

/** The point a popup or a fly-to aims at. */
export function anchorOf(f: GeoFeature): Position {
  if (f.anchor) return f.anchor;
  const g = f.geometry;
  if (g.type === 'Point') return g.coordinates;
  const [w, s, e, n] = boxOf(f);
  return [(w + e) / 2, (s + n) / 2];
}

function positions(f: GeoFeature): Position[] {
  const g = f.geometry;
  switch (g.type) {
    case 'Point': return [g.coordinates];
    case 'MultiPoint':
    case 'LineString': return g.coordinates;
    case 'MultiLineString':
    case 'Polygon': return g.coordinates.flat();
    case 'MultiPolygon': return g.coordinates.flat(2);
  }
}

/** The feature's bounding box: west, south, east, north. */
export function boxOf(f: GeoFeature): Box {
  const g = f.geometry;
  if (g.type === 'Point') return [g.coordinates[0], g.coordinates[1], g.coordinates[0], g.coordinates[1]];
  let [w, s, e, n] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const [x, y] of positions(f)) {
    if (x < w) w = x;
    if (x > e) e = x;
    if (y < s) s = y;
    if (y > n) n = y;
  }
  return [w, s, e, n];
}

/** True when the feature's point lies in the box, or its line or polygon's box crosses it. */
export function crosses(f: GeoFeature, [w, s, e, n]: Box): boolean {
  const [fw, fs, fe, fn] = boxOf(f);
  return fw <= e && fe >= w && fs <= n && fn >= s;
}
