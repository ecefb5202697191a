// The layers the wall knows how to draw, as data: each entry brings its MapLibre styles, its
// detail template, the history chart its popup opens and its legend. Adding a layer means adding
// an entry here (one file under defs/), not a branch in the map code.

import type { LayerSpecification } from 'maplibre-gl';
import type { GeoFeature } from '../../types';
import type { Word } from '../settings/i18n';
import type { DetailModel } from '../detail/model';
import { flood } from './defs/flood';
import { overweight } from './defs/overweight';
import { incidents } from './defs/incidents';
import { rain } from './defs/rain';
import { cameras } from './defs/cameras';
import { components } from './defs/components';

export interface LegendEntry {
  /** The wall's own word, or a value as the data writes it (a channel name). */
  word?: Word;
  text?: string;
  swatch: 'dot' | 'small' | 'ring' | 'sev';
  color?: string;
}

export interface LayerDef {
  id: string;
  /** The wall's core layers: it reports ready once each configured one has drawn. */
  core?: boolean;
  /** Big static layers come as vector tiles cut by the backend, not as viewport fetches. */
  tiled?: boolean;
  /** Shown when the wall opens. */
  visible: boolean;
  styles(): LayerSpecification[];
  detail?(f: GeoFeature): DetailModel;
  /** What the detail popup charts from the feature's stored history. */
  history?: 'level' | 'station' | 'timeline';
  legend?: { title: Word; entries: LegendEntry[] };
}

/** In the layer panel's order (and keys 1–6). */
export const LAYER_DEFS: LayerDef[] = [flood, overweight, incidents, rain, cameras, components];

/** Bottom to top on the map: dense inventories under the live layers. */
export const DRAW_ORDER = ['components', 'cameras', 'rain', 'incidents', 'overweight', 'flood'];

const byId = new Map(LAYER_DEFS.map((d) => [d.id, d]));

export function layerDef(id: string): LayerDef | undefined {
  return byId.get(id);
}

/** The MapLibre layer ids of a layer, for toggles, clicks and tests. */
export function styleIds(layer: string): string[] {
  let ids = idCache.get(layer);
  if (!ids) idCache.set(layer, (ids = (byId.get(layer)?.styles() ?? []).map((s) => s.id)));
  return ids;
}
const idCache = new Map<string, string[]>();
