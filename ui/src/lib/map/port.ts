// What the state modules may ask of the map, and nothing more: they never see MapLibre, so they
// run in unit tests against a fake and the map view stays the one place that knows the library.

import type { Bbox } from '../../types';

export interface MapPort {
  /** The visible area, or null before the map has a size. */
  bbox(): Bbox | null;
  zoom(): number;
  setData(source: string, data: GeoJSON.FeatureCollection | { type: 'FeatureCollection'; features: unknown[] }): void;
  setTiles(source: string, urls: string[]): void;
  setVisible(styleIds: string[], on: boolean): void;
  /** Resolves when the map has arrived. */
  flyTo(lon: number, lat: number, minZoom: number): Promise<void>;
  fitBounds(bbox: Bbox): void;
  isSourceLoaded(source: string): boolean;
}
