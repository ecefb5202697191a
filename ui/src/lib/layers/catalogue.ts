// The layers the wall draws, as data. Every configured layer gets a definition: its MapLibre
// styles, its detail template, the history chart its popup opens and its legend. A layer that
// names a shipped template (`template = "flood"`, one file under defs/) takes that template's
// symbology, bound to its own id; any other is drawn from its config style (generic.ts). No
// branch anywhere names a layer id.

import type { LayerSpecification } from 'maplibre-gl';
import type { GeoFeature, LayerInfo } from '../../types';
import type { Word } from '../settings/i18n';
import type { DetailModel } from '../detail/model';
import { flood } from './defs/flood';
import { overweight } from './defs/overweight';
import { incidents } from './defs/incidents';
import { rain } from './defs/rain';
import { cameras } from './defs/cameras';
import { components } from './defs/components';
import { genericDef } from './generic';

export interface LegendEntry {
  /** The wall's own word, or a value as the data writes it (a channel name). */
  word?: Word;
  text?: string;
  /** What config names it on an English wall (a layer's English title, a category's). */
  en?: string;
  swatch: 'dot' | 'small' | 'ring' | 'sev' | 'line' | 'fill';
  color?: string;
}

/** A legend section: titled by one of the wall's words, or by its layer's configured title. */
export interface LegendSection {
  title?: Word;
  layer?: string;
  entries: LegendEntry[];
}

interface Symbology {
  /** The wall's core layers: it reports ready once each configured one has drawn. */
  core?: boolean;
  /** Big static layers come as vector tiles cut by the backend, not as viewport fetches. */
  tiled?: boolean;
  detail?(f: GeoFeature): DetailModel;
  /** What the detail popup charts from the feature's stored history. */
  history?: 'level' | 'station' | 'timeline';
  legend?: LegendSection;
}

/** A shipped template: symbology for whichever layer id names it. */
export interface LayerTemplate extends Symbology {
  template: string;
  styles(id: string): LayerSpecification[];
}

/** One drawn layer's definition. */
export interface LayerDef extends Symbology {
  id: string;
  styles(): LayerSpecification[];
}

export const TEMPLATES: Record<string, LayerTemplate> = Object.fromEntries(
  [flood, overweight, incidents, rain, cameras, components].map((t) => [t.template, t]),
);

const byId = new Map<string, LayerDef>();
const idCache = new Map<string, string[]>();

/** Builds the definition of every configured layer (once the engine has listed them). */
export function defineLayers(info: LayerInfo[]) {
  byId.clear();
  idCache.clear();
  for (const l of info) {
    const template = l.template ? TEMPLATES[l.template] : undefined;
    byId.set(l.id, template ? { ...template, id: l.id, styles: () => template.styles(l.id) } : genericDef(l));
  }
}

export function layerDef(id: string): LayerDef | undefined {
  return byId.get(id);
}

/** Bottom to top on the map: tiled inventories under the live layers, and the first layer of
 * the catalogue on top. */
export function drawOrder(ids: string[]): string[] {
  const tiled = ids.filter((id) => byId.get(id)?.tiled);
  const live = ids.filter((id) => !byId.get(id)?.tiled);
  return [...tiled.reverse(), ...live.reverse()];
}

/** The MapLibre layer ids of a layer, for toggles, clicks and tests. */
export function styleIds(layer: string): string[] {
  let ids = idCache.get(layer);
  if (!ids) idCache.set(layer, (ids = (byId.get(layer)?.styles() ?? []).map((s) => s.id)));
  return ids;
}
