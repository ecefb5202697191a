// What the wall holds of one layer: the features inside the (padded) viewport, kept current by
// deltas. A fetch replaces it when the view moves; deltas only add, change or drop single
// features, so no update ever rebuilds a whole layer on the backend's side.

import { crosses } from '../map/geometry';
import type { Bbox, FeatureCollection, GeoFeature } from '../../types';

export class ViewportLayer {
  private features = new Map<string, GeoFeature>();
  bbox: Bbox | null = null;
  /** Seq of the fetch this content came from; older deltas are ignored. */
  seq = 0;
  version = 0;
  /** Clusters are the backend's summary of what is in view: a delta cannot be applied to them,
   * only refetched (see `needsRefetch`). */
  mode: 'features' | 'clusters' | 'replay' = 'features';
  zoom = 0;

  replace(fc: FeatureCollection, bbox: Bbox, zoom = 0) {
    this.features = new Map(fc.features.map((f) => [f.id, f]));
    this.bbox = bbox;
    this.seq = fc.seq;
    this.mode = fc.mode ?? 'features';
    this.zoom = zoom;
    this.version++;
  }

  /** Whether a delta touching this layer must be answered by refetching the view. */
  needsRefetch(seq: number): boolean {
    return this.mode === 'clusters' && seq > this.seq;
  }

  /** Applies one delta; returns whether anything in view changed. */
  apply(seq: number, upserted: GeoFeature[], removed: string[]): boolean {
    if (seq <= this.seq || !this.bbox || this.mode !== 'features') return false;
    let changed = false;
    for (const id of removed) changed = this.features.delete(id) || changed;
    for (const f of upserted) {
      if (inside(f, this.bbox)) {
        this.features.set(f.id, f);
        changed = true;
      } else {
        changed = this.features.delete(f.id) || changed;
      }
    }
    if (changed) this.version++;
    return changed;
  }

  get size() {
    return this.features.size;
  }

  get(id: string) {
    return this.features.get(id);
  }

  collection(): { type: 'FeatureCollection'; features: GeoFeature[] } {
    return { type: 'FeatureCollection', features: [...this.features.values()] };
  }
}

/** True when the feature belongs in a view of the box: its point inside, its shape crossing. */
export function inside(f: GeoFeature, box: Bbox): boolean {
  return crosses(f, box);
}

/** Grows a bbox by `fraction` of its size on every side, so small pans need no fetch. */
export function pad([w, s, e, n]: Bbox, fraction: number): Bbox {
  const dx = (e - w) * fraction;
  const dy = (n - s) * fraction;
  return [Math.max(-180, w - dx), Math.max(-90, s - dy), Math.min(180, e + dx), Math.min(90, n + dy)];
}

export function contains([w, s, e, n]: Bbox, [w2, s2, e2, n2]: Bbox): boolean {
  return w <= w2 && s <= s2 && e >= e2 && n >= n2;
}
