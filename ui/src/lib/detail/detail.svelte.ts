// Which feature's detail is open on the map. The map view shows it as a popup; a search hit, a
// click or the keyboard opens and closes it here.

import type { GeoFeature } from '../../types';
import { anchorOf } from '../map/geometry';

export interface OpenDetail {
  layer: string;
  feature: GeoFeature;
  /** Where the popup points: the feature, or the click on a tiled one. */
  at: [number, number];
}

export class DetailState {
  current: OpenDetail | null = $state.raw(null);
  private listeners = new Set<(open: OpenDetail | null) => void>();

  open(layer: string, feature: GeoFeature, at?: [number, number]) {
    this.set({ layer, feature, at: at ?? anchorOf(feature) });
  }

  close() {
    if (this.current) this.set(null);
  }

  /** Called on every open and close (the map's popup follows this); returns the unsubscribe. */
  listen(fn: (open: OpenDetail | null) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private set(open: OpenDetail | null) {
    this.current = open;
    for (const fn of this.listeners) fn(open);
  }
}
