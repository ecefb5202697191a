// 城市部件: the components census (manholes, lamps, hydrants …) as backend-cut vector tiles: a
// quiet density when zoomed out, the things themselves close up, damaged ones ringed in red.

import type { LayerTemplate } from '../catalogue';
import { matchColor } from '../symbols';

export const COMPONENT_COLORS: Record<string, string> = { 井盖: '#8d9db6', 路灯: '#f5d76e', 垃圾箱: '#7dc383', 消防栓: '#ff6b6b', 交通标志牌: '#6fb1ff' };

export const components: LayerTemplate = {
  template: 'components',
  tiled: true,
  styles: (id) => [
    {
      id: `${id}-heat`, type: 'heatmap', source: id, 'source-layer': id, maxzoom: 17,
      paint: {
        'heatmap-weight': ['interpolate', ['linear'], ['coalesce', ['get', 'point_count'], 1], 1, 0.02, 500, 1],
        'heatmap-radius': ['interpolate', ['linear'], ['zoom'], 10, 6, 16, 18],
        'heatmap-intensity': 0.6,
        'heatmap-opacity': 0.45,
        'heatmap-color': ['interpolate', ['linear'], ['heatmap-density'], 0, 'rgba(0,0,0,0)', 0.3, 'rgba(60,110,170,0.5)', 0.7, 'rgba(120,170,220,0.7)', 1, 'rgba(200,225,255,0.85)'],
      },
    },
    {
      id: `${id}-dot`, type: 'circle', source: id, 'source-layer': id, minzoom: 16,
      filter: ['!', ['has', 'point_count']],
      paint: {
        'circle-color': matchColor('type', COMPONENT_COLORS, '#8d9db6'),
        'circle-radius': ['interpolate', ['linear'], ['zoom'], 16, 2, 19, 5],
        'circle-stroke-color': ['match', ['get', 'status'], '破损', '#ff2e4d', '丢失', '#ff2e4d', 'rgba(4,10,20,0.8)'],
        'circle-stroke-width': ['match', ['get', 'status'], '完好', 0.5, 2],
      },
    },
  ],
};
