// The layers on the wall: which configured layers it draws, which are switched on, their counts,
// and what it holds of each (the features in the padded viewport). Owns the viewport fetches and
// decides, per view change or delta, whether to fetch, apply, refetch or reload tiles.

import type { Transport } from '../../transport';
import type { Delta, LayerInfo } from '../../types';
import type { Lang } from '../settings/i18n';
import type { MapPort } from '../map/port';
import { defineLayers, layerDef, styleIds } from './catalogue';
import { ViewportLayer, contains, pad } from './viewport';
import { pick } from '../settings/language.svelte';

/** Vector tiles of a changed big layer are refetched at most this often. */
export const TILE_RELOAD_MS = 30_000;

export type FetchDecision = 'skip' | 'tiles' | 'fetch';
type FeaturesDelta = Extract<Delta, { type: 'features' }>;

export class LayerState {
  info: LayerInfo[] = $state.raw([]);
  /** Every configured layer, in the layer panel's order. */
  ids: string[] = $state([]);
  visible: Record<string, boolean> = $state({});
  /** Not reactive: the map, not Svelte, draws these. */
  readonly views: Record<string, ViewportLayer> = {};
  private tileVersion: Record<string, number> = {};
  private tileReloadAt: Record<string, number> = {};
  private refetching: Record<string, 'busy' | 'again' | undefined> = {};

  constructor(
    private transport: Transport,
    private map: () => MapPort | null,
    /** Hands a layer's new content to the next frame's map update. */
    private draw: (layer: string) => void,
    private now: () => number = Date.now,
  ) {}

  /** Takes the engine's layer list; the first call also fixes which layers the wall draws. */
  setInfo(info: LayerInfo[]) {
    this.info = info;
    if (this.ids.length) return;
    defineLayers(info);
    // The panel's order: by group (in order of first appearance), then as configured; keys 1–9
    // and the draw order follow it.
    const groups: string[] = [];
    for (const l of info) if (!groups.includes(l.group ?? '')) groups.push(l.group ?? '');
    const rank = (l: LayerInfo) => (l.group ? groups.indexOf(l.group) : groups.length);
    this.ids = [...info].sort((a, b) => rank(a) - rank(b)).map((l) => l.id);
    for (const l of info) {
      this.views[l.id] = new ViewportLayer();
      this.visible[l.id] = l.visible ?? true;
    }
    this.announce();
  }

  /** Tells the engine which layers this wall draws: its stream then leaves out the feature
   * deltas of the others (a wall of dozens of layers, most switched off, parses only its own). */
  private announce() {
    this.transport.streamLayers(this.ids.filter((id) => this.visible[id]));
  }

  async refreshInfo() {
    this.setInfo(await this.transport.layers());
  }

  /** The layer drawn with the shipped template `name` (its panels and view modes follow it). */
  byTemplate(name: string): string | undefined {
    return this.info.find((l) => l.template === name && this.ids.includes(l.id))?.id;
  }

  isCore(layer: string) {
    return layerDef(layer)?.core === true;
  }

  isTiled(layer: string) {
    return layerDef(layer)?.tiled === true;
  }

  /** The layers fetched per viewport (everything not cut into tiles). */
  get fetched(): string[] {
    return this.ids.filter((l) => !this.isTiled(l));
  }

  count(id: string): number {
    return this.info.find((l) => l.id === id)?.count ?? 0;
  }

  /** Whether `zoom` is under the layer's `min_zoom`: it is counted but not drawn there, and the
   * catalogue says to zoom in. */
  belowZoom(id: string, zoom: number): boolean {
    const min = this.info.find((x) => x.id === id)?.min_zoom;
    return min != null && zoom < min;
  }

  title(id: string, lang: Lang): string {
    const l = this.info.find((x) => x.id === id);
    return (lang === 'zh' ? l?.title_zh : l?.title_en) ?? id;
  }

  /** Whether the view (at this zoom) needs a fetch: not when what is held already covers it. */
  decide(layer: string, view: [number, number, number, number], zoom: number, force: boolean): FetchDecision {
    if (this.isTiled(layer)) return force ? 'tiles' : 'skip';
    const held = this.views[layer];
    if (!held) return 'skip';
    // Clusters belong to a zoom: a new zoom level needs a new answer.
    if (held.mode === 'clusters' && Math.floor(zoom) !== Math.floor(held.zoom)) return 'fetch';
    if (!force && held.bbox && contains(held.bbox, view)) return 'skip';
    return 'fetch';
  }

  /** Fetches the layer's view if it needs one. `live()` is asked after the answer arrives: an
   * answer that lands after replay began is dropped. */
  async fetch(layer: string, force: boolean, live: () => boolean): Promise<void> {
    const map = this.map();
    const view = map?.bbox();
    if (!map || !view || !this.ids.includes(layer)) return;
    const decision = this.decide(layer, view, map.zoom(), force);
    if (decision === 'tiles') this.reloadTiles(layer);
    if (decision !== 'fetch') return;
    const box = pad(view, 0.25);
    const zoom = map.zoom();
    const fc = await this.transport.features(layer, box, zoom);
    if (!live()) return;
    this.views[layer].replace(fc, box, zoom);
    this.draw(layer);
  }

  /** Points the map at a new version of a tiled layer's tiles, at most every TILE_RELOAD_MS. */
  reloadTiles(layer: string): boolean {
    if (this.now() - (this.tileReloadAt[layer] ?? -Infinity) < TILE_RELOAD_MS) return false;
    this.tileReloadAt[layer] = this.now();
    this.tileVersion[layer] = (this.tileVersion[layer] ?? 0) + 1;
    this.map()?.setTiles(layer, [`cw://${layer}/{z}/{x}/{y}?v=${this.tileVersion[layer]}`]);
    return true;
  }

  /** A clustered view cannot take deltas: it is refetched at once, and changes that arrive while
   * a refetch is under way cost one more refetch after it, not one each. */
  async refetch(layer: string, run: () => Promise<void>): Promise<void> {
    if (this.refetching[layer]) {
      this.refetching[layer] = 'again';
      return;
    }
    this.refetching[layer] = 'busy';
    try {
      await run();
    } finally {
      const again = (this.refetching[layer] as string | undefined) === 'again';
      this.refetching[layer] = undefined;
      if (again) void this.refetch(layer, run);
    }
  }

  /** Folds a features delta into what the wall holds: 'drawn' when the map has new content to
   * draw, 'refetch' when the view must be asked again, 'tiles' or 'none' otherwise. */
  apply(d: FeaturesDelta): 'drawn' | 'refetch' | 'tiles' | 'none' {
    if (this.isTiled(d.layer)) return this.reloadTiles(d.layer) ? 'tiles' : 'none';
    const view = this.views[d.layer];
    if (!view) return 'none';
    if (view.needsRefetch(d.seq)) return 'refetch';
    if (!view.apply(d.seq, d.upserted, d.removed)) return 'none';
    this.draw(d.layer);
    return 'drawn';
  }

  toggle(layer: string) {
    this.setVisible(layer, !this.visible[layer]);
  }

  setVisible(layer: string, on: boolean) {
    if (this.visible[layer] === on) return;
    this.visible[layer] = on;
    this.map()?.setVisible(styleIds(layer), on);
    this.announce();
  }

  /** The catalogue: layers by their configured group, groups in order of first appearance;
   * layers with no group last, under an empty name. */
  get groups(): { name: string; label: string; ids: string[] }[] {
    const groups = new Map<string, { label: string; ids: string[] }>();
    for (const l of this.info) {
      if (!this.ids.includes(l.id)) continue;
      const name = l.group ?? '';
      const group = groups.get(name) ?? { label: pick(name, l.group_en), ids: [] };
      group.ids.push(l.id);
      groups.set(name, group);
    }
    return [...groups].map(([name, g]) => ({ name, ...g })).sort((a, b) => Number(a.name === '') - Number(b.name === ''));
  }

  /** Switches a whole group on, or off when all of it is on; returns the layers it changed. */
  toggleGroup(name: string): string[] {
    const ids = this.groups.find((g) => g.name === name)?.ids ?? [];
    const on = !ids.every((id) => this.visible[id]);
    const changed = ids.filter((id) => this.visible[id] !== on);
    for (const id of changed) this.setVisible(id, on);
    return changed;
  }

  /** Forgets every held view, so the next fetch asks the engine whatever the bbox. */
  forgetViews() {
    for (const v of Object.values(this.views)) v.bbox = null;
  }
}
