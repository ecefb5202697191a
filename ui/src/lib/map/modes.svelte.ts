// The map's view modes for incidents: dots (with clusters), a heatmap, or counts per district,
// street or grid drawn as a choropleth.

import type { Transport } from '../../transport';
import type { MapPort } from './port';
import { styleIds } from '../layers/catalogue';
import { AREA_LAYERS } from './overlays';
import { tr } from '../settings/language.svelte';

export type AreaLevel = '' | 'district' | 'street' | 'grid';
const AREA_IDS = AREA_LAYERS.map((l) => l.id);

export class ViewModes {
  heat = $state(false);
  areaLevel: AreaLevel = $state('');

  constructor(
    private transport: Transport,
    private map: () => MapPort | null,
    /** The layer of events whose heat and counts by area these modes show. */
    private events: () => string | undefined,
    private onError: (what: string, e: unknown) => void,
  ) {}

  setHeat(on: boolean, incidentsVisible: boolean) {
    this.heat = on;
    const map = this.map();
    const events = this.events();
    if (!events) return;
    map?.setVisible([`${events}-heat`], on && incidentsVisible);
    map?.setVisible(styleIds(events), !on && incidentsVisible);
  }

  async showAreas(level: AreaLevel) {
    this.areaLevel = level;
    const map = this.map();
    const events = this.events();
    if (!map || !events) return;
    if (!level) {
      map.setVisible(AREA_IDS, false);
      return;
    }
    try {
      const [polygons, agg] = await Promise.all([this.transport.regions(level), this.transport.aggregate(events, level)]);
      const counts = new Map(agg.regions.map((r) => [r.id, r.count]));
      for (const f of polygons.features) {
        const count = counts.get(String(f.id)) ?? 0;
        f.properties = { ...f.properties, count, share: agg.max ? count / agg.max : 0 };
      }
      map.setData('areas', polygons);
      map.setVisible(AREA_IDS, true);
    } catch (e) {
      this.onError(tr('areasFailed'), e);
    }
  }
}
