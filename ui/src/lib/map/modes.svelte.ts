// The map's view modes for incidents: dots (with clusters), a heatmap, or counts per district,
// street or grid drawn as a choropleth.

import type { Transport } from '../../transport';
import type { MapPort } from './port';
import { styleIds } from '../layers/catalogue';
import { AREA_LAYERS, HEAT_LAYER } from './overlays';

export type AreaLevel = '' | 'district' | 'street' | 'grid';
const AREA_IDS = AREA_LAYERS.map((l) => l.id);

export class ViewModes {
  heat = $state(false);
  areaLevel: AreaLevel = $state('');

  constructor(
    private transport: Transport,
    private map: () => MapPort | null,
    private onError: (what: string, e: unknown) => void,
  ) {}

  setHeat(on: boolean, incidentsVisible: boolean) {
    this.heat = on;
    const map = this.map();
    map?.setVisible([HEAT_LAYER.id], on && incidentsVisible);
    map?.setVisible(styleIds('incidents'), !on && incidentsVisible);
  }

  async showAreas(level: AreaLevel) {
    this.areaLevel = level;
    const map = this.map();
    if (!map) return;
    if (!level) {
      map.setVisible(AREA_IDS, false);
      return;
    }
    try {
      const [polygons, agg] = await Promise.all([this.transport.regions(level), this.transport.aggregate('incidents', level)]);
      const counts = new Map(agg.regions.map((r) => [r.id, r.count]));
      for (const f of polygons.features) {
        const count = counts.get(String(f.id)) ?? 0;
        f.properties = { ...f.properties, count, share: agg.max ? count / agg.max : 0 };
      }
      map.setData('areas', polygons);
      map.setVisible(AREA_IDS, true);
    } catch (e) {
      this.onError('区域统计读取失败', e);
    }
  }
}
