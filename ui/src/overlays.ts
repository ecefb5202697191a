// Symbology of the live layers, drawn over the basemap: flood points coloured by level against
// their own thresholds, stations sized by passes with violations ringed in red, incidents by
// channel with severity as the outline. Stale data (its source failing) turns grey.

import type { LayerSpecification, ExpressionSpecification } from 'maplibre-gl';
import { FONT_STACK } from './basemap';

export const LEVEL_COLORS = { normal: '#27c2a0', blue: '#3a8bff', yellow: '#ffd23f', orange: '#ff8c1a', red: '#ff2e4d' };
export const STALE = '#5c6778';

const level: ExpressionSpecification = [
  'case',
  ['>=', ['get', 'level_m'], ['get', 'threshold_red_m']], 'red',
  ['>=', ['get', 'level_m'], ['get', 'threshold_orange_m']], 'orange',
  ['>=', ['get', 'level_m'], ['get', 'threshold_yellow_m']], 'yellow',
  ['>=', ['get', 'level_m'], ['get', 'threshold_blue_m']], 'blue',
  'normal',
];

const levelColor: ExpressionSpecification = [
  'match', level,
  'red', LEVEL_COLORS.red, 'orange', LEVEL_COLORS.orange, 'yellow', LEVEL_COLORS.yellow, 'blue', LEVEL_COLORS.blue,
  LEVEL_COLORS.normal,
];

export const CHANNEL_COLORS: Record<string, string> = {
  '12345热线': '#4fc3f7',
  '数字城管': '#9ccc65',
  '110非警务': '#ba68c8',
  '视频AI': '#ffb74d',
  '网格员上报': '#f06292',
};

const channelColor: ExpressionSpecification = [
  'match', ['get', 'channel'],
  ...Object.entries(CHANNEL_COLORS).flat(),
  '#90a4ae',
] as unknown as ExpressionSpecification;

const stale = (color: ExpressionSpecification | string): ExpressionSpecification =>
  ['case', ['==', ['get', '_stale'], true], STALE, color] as ExpressionSpecification;

const isCluster: ExpressionSpecification = ['==', ['get', '_cluster'], true];

/** Warning levels: colour plus a shape, so no one has to tell orange from red by hue alone. */
export const LEVEL_SHAPES: Record<string, string> = { red: '▲', orange: '◆', yellow: '●', blue: '■' };

export const CAMERA_COLORS: Record<string, string> = { 枪机: '#5ad1e6', 球机: '#7fa8ff', 执法记录仪: '#c39bff', 无人机: '#ffd166' };
export const COMPONENT_COLORS: Record<string, string> = { 井盖: '#8d9db6', 路灯: '#f5d76e', 垃圾箱: '#7dc383', 消防栓: '#ff6b6b', 交通标志牌: '#6fb1ff' };

const matchColor = (field: string, colors: Record<string, string>, fallback: string): ExpressionSpecification =>
  ['match', ['get', field], ...Object.entries(colors).flat(), fallback] as unknown as ExpressionSpecification;

export function overlayLayers(): Record<string, LayerSpecification[]> {
  return {
    components: [
      {
        // Half a million components: a quiet density when zoomed out, the things themselves close up.
        id: 'components-heat', type: 'heatmap', source: 'components', 'source-layer': 'components', maxzoom: 17,
        paint: {
          'heatmap-weight': ['interpolate', ['linear'], ['coalesce', ['get', 'point_count'], 1], 1, 0.02, 500, 1],
          'heatmap-radius': ['interpolate', ['linear'], ['zoom'], 10, 6, 16, 18],
          'heatmap-intensity': 0.6,
          'heatmap-opacity': 0.45,
          'heatmap-color': ['interpolate', ['linear'], ['heatmap-density'], 0, 'rgba(0,0,0,0)', 0.3, 'rgba(60,110,170,0.5)', 0.7, 'rgba(120,170,220,0.7)', 1, 'rgba(200,225,255,0.85)'],
        },
      },
      {
        id: 'components-dot', type: 'circle', source: 'components', 'source-layer': 'components', minzoom: 16,
        filter: ['!', ['has', 'point_count']],
        paint: {
          'circle-color': matchColor('type', COMPONENT_COLORS, '#8d9db6'),
          'circle-radius': ['interpolate', ['linear'], ['zoom'], 16, 2, 19, 5],
          'circle-stroke-color': ['match', ['get', 'status'], '破损', '#ff2e4d', '丢失', '#ff2e4d', 'rgba(4,10,20,0.8)'],
          'circle-stroke-width': ['match', ['get', 'status'], '完好', 0.5, 2],
        },
      },
    ],
    cameras: [
      {
        id: 'cameras-cluster', type: 'circle', source: 'cameras', 'source-layer': 'cameras', minzoom: 13, maxzoom: 15,
        filter: ['has', 'point_count'],
        paint: {
          'circle-color': 'rgba(90,209,230,0.18)',
          'circle-stroke-color': 'rgba(90,209,230,0.6)',
          'circle-stroke-width': 1,
          'circle-radius': ['interpolate', ['linear'], ['get', 'point_count'], 2, 7, 100, 14, 1000, 24],
        },
      },
      {
        id: 'cameras-cluster-count', type: 'symbol', source: 'cameras', 'source-layer': 'cameras', minzoom: 13, maxzoom: 15,
        filter: ['has', 'point_count'],
        layout: { 'text-field': ['to-string', ['get', 'point_count']], 'text-font': FONT_STACK, 'text-size': 11 },
        paint: { 'text-color': '#bfefff' },
      },
      {
        // Field of view: a wedge of the camera's angle, turned to its heading, sized by zoom.
        id: 'cameras-fov', type: 'symbol', source: 'cameras', 'source-layer': 'cameras', minzoom: 16,
        filter: ['all', ['!', ['has', 'point_count']], ['==', ['get', 'online'], true]],
        layout: {
          'icon-image': ['match', ['get', 'type'], '球机', 'fov-360', '执法记录仪', 'fov-120', '无人机', 'fov-90', 'fov-70'],
          'icon-rotate': ['get', 'heading_deg'],
          'icon-rotation-alignment': 'map',
          'icon-pitch-alignment': 'map',
          'icon-allow-overlap': true,
          'icon-ignore-placement': true,
          'icon-size': ['interpolate', ['exponential', 2], ['zoom'], 16, 0.25, 19, 2],
        },
        paint: { 'icon-opacity': 0.55 },
      },
      {
        id: 'cameras-dot', type: 'circle', source: 'cameras', 'source-layer': 'cameras',
        filter: ['!', ['has', 'point_count']],
        paint: {
          'circle-color': ['case', ['==', ['get', 'online'], true], matchColor('type', CAMERA_COLORS, '#5ad1e6'), STALE],
          'circle-radius': ['interpolate', ['linear'], ['zoom'], 15, 2.5, 18, 5],
          'circle-stroke-color': '#040a14',
          'circle-stroke-width': 1,
        },
      },
    ],
    incidents: [
      {
        id: 'incidents-cluster', type: 'circle', source: 'incidents',
        filter: isCluster,
        paint: {
          'circle-color': ['match', ['get', 'severity'], '严重', 'rgba(255,46,77,0.28)', '较重', 'rgba(255,210,63,0.22)', 'rgba(79,195,247,0.2)'],
          'circle-stroke-color': ['match', ['get', 'severity'], '严重', '#ff2e4d', '较重', '#ffd23f', '#4fc3f7'],
          'circle-stroke-width': 1.5,
          'circle-radius': ['interpolate', ['linear'], ['get', 'count'], 2, 10, 20, 16, 200, 28],
        },
      },
      {
        id: 'incidents-cluster-count', type: 'symbol', source: 'incidents',
        filter: isCluster,
        layout: { 'text-field': ['to-string', ['get', 'count']], 'text-font': FONT_STACK, 'text-size': 13, 'text-allow-overlap': true },
        paint: { 'text-color': '#eaf4ff', 'text-halo-color': '#040a14', 'text-halo-width': 1 },
      },
      {
        id: 'incidents-dot', type: 'circle', source: 'incidents',
        filter: ['!', isCluster],
        paint: {
          'circle-color': stale(channelColor),
          'circle-radius': ['interpolate', ['linear'], ['zoom'], 10, 3, 13, 5, 16, 8],
          'circle-opacity': ['case', ['==', ['get', 'status'], '已办结'], 0.35, 0.9],
          'circle-stroke-color': ['match', ['get', 'severity'], '严重', '#ff2e4d', '较重', '#ffd23f', 'rgba(5,13,26,0.8)'],
          'circle-stroke-width': ['match', ['get', 'severity'], '严重', 2.5, '较重', 1.5, 1],
        },
      },
      {
        id: 'incidents-label', type: 'symbol', source: 'incidents', minzoom: 14,
        filter: ['all', ['!', isCluster], ['!=', ['get', 'status'], '已办结']],
        layout: { 'text-field': ['get', 'category'], 'text-font': FONT_STACK, 'text-size': 12, 'text-offset': [0, 1.2], 'text-anchor': 'top' },
        paint: { 'text-color': '#d6e2f0', 'text-halo-color': '#040a14', 'text-halo-width': 1.5 },
      },
    ],
    overweight: [
      {
        id: 'overweight-ring', type: 'circle', source: 'overweight',
        filter: ['>', ['get', 'violations_1h'], 0],
        paint: {
          'circle-radius': ['+', 8, ['*', 0.8, ['sqrt', ['get', 'passes_1h']]]],
          'circle-color': 'rgba(0,0,0,0)',
          'circle-stroke-color': stale('#ff2e4d'),
          'circle-stroke-width': 2.5,
        },
      },
      {
        id: 'overweight-dot', type: 'circle', source: 'overweight',
        paint: {
          'circle-color': stale('#f0a030'),
          'circle-radius': ['+', 3, ['*', 0.8, ['sqrt', ['get', 'passes_1h']]]],
          'circle-opacity': 0.85,
          'circle-stroke-color': '#050d1a',
          'circle-stroke-width': 1,
        },
      },
      {
        id: 'overweight-label', type: 'symbol', source: 'overweight', minzoom: 11.5,
        layout: {
          'text-field': ['concat', ['get', 'name'], '\n', '1小时 ', ['to-string', ['get', 'passes_1h']], ' 车 · 超限 ', ['to-string', ['get', 'violations_1h']]],
          'text-font': FONT_STACK, 'text-size': 12, 'text-offset': [0, 1.6], 'text-anchor': 'top',
        },
        paint: { 'text-color': '#f3c27a', 'text-halo-color': '#040a14', 'text-halo-width': 1.5 },
      },
    ],
    rain: [
      {
        id: 'rain-dot', type: 'circle', source: 'rain',
        paint: {
          'circle-color': stale(['interpolate', ['linear'], ['get', 'rain_mm_h'], 0, '#9fb8d0', 10, '#5aa0e6', 25, '#2f6fdc', 50, '#7b3fd6'] as ExpressionSpecification),
          'circle-radius': ['interpolate', ['linear'], ['get', 'rain_mm_h'], 0, 5, 50, 11],
          'circle-opacity': 0.85,
          'circle-stroke-color': '#dce9ff',
          'circle-stroke-width': 1,
        },
      },
      {
        id: 'rain-label', type: 'symbol', source: 'rain', minzoom: 10.5,
        layout: { 'text-field': ['concat', ['to-string', ['get', 'rain_mm_h']], ' mm/h'], 'text-font': FONT_STACK, 'text-size': 12, 'text-offset': [0, 1.3], 'text-anchor': 'top' },
        paint: { 'text-color': '#8fc1ff', 'text-halo-color': '#040a14', 'text-halo-width': 1.5 },
      },
    ],
    flood: [
      {
        id: 'flood-halo', type: 'circle', source: 'flood',
        filter: ['match', level, ['orange', 'red'], true, false],
        paint: { 'circle-color': stale(levelColor), 'circle-radius': 20, 'circle-opacity': 0.25, 'circle-blur': 0.6 },
      },
      {
        id: 'flood-dot', type: 'circle', source: 'flood',
        paint: {
          'circle-color': stale(levelColor),
          'circle-radius': ['interpolate', ['linear'], ['zoom'], 10, 6, 14, 10],
          'circle-stroke-color': '#e8f1ff',
          'circle-stroke-width': 1.5,
        },
      },
      {
        id: 'flood-label', type: 'symbol', source: 'flood', minzoom: 11,
        layout: {
          'text-field': ['concat', ['to-string', ['round', ['*', 100, ['get', 'level_m']]]], ' cm'],
          'text-font': FONT_STACK, 'text-size': 13, 'text-offset': [0, -1.5], 'text-anchor': 'bottom',
        },
        paint: {
          // Zoomed out, only gauges over a threshold carry a label; zoomed in, all do.
          'text-opacity': ['step', ['zoom'], ['match', level, 'normal', 0, 1], 13, 1],
          'text-color': stale(levelColor), 'text-halo-color': '#040a14', 'text-halo-width': 1.8 },
      },
    ],
  };
}

/** Open warnings on the map: a ring in the level's colour with its shape; raised (not yet
 * acknowledged) ones larger, so what needs a duty officer stands out. */
export function warningLayers(): LayerSpecification[] {
  const color = ['match', ['get', 'level'], 'red', LEVEL_COLORS.red, 'orange', LEVEL_COLORS.orange, 'yellow', LEVEL_COLORS.yellow, LEVEL_COLORS.blue] as unknown as ExpressionSpecification;
  return [
    {
      id: 'warnings-ring', type: 'circle', source: 'warnings',
      paint: {
        'circle-color': 'rgba(0,0,0,0)',
        'circle-stroke-color': color,
        'circle-stroke-width': ['case', ['==', ['get', 'state'], 'raised'], 3, 1.5],
        'circle-radius': ['case', ['==', ['get', 'state'], 'raised'], 17, 13],
        'circle-stroke-opacity': 0.9,
      },
    },
    {
      id: 'warnings-shape', type: 'symbol', source: 'warnings',
      layout: {
        'text-field': ['match', ['get', 'level'], 'red', LEVEL_SHAPES.red, 'orange', LEVEL_SHAPES.orange, 'yellow', LEVEL_SHAPES.yellow, LEVEL_SHAPES.blue],
        'text-font': FONT_STACK, 'text-size': 12, 'text-offset': [1.3, -1.3], 'text-allow-overlap': true,
      },
      paint: { 'text-color': color, 'text-halo-color': '#040a14', 'text-halo-width': 1.5 },
    },
  ];
}

/** Wedge images for camera fields of view (70°, 90°, 120°, and a full circle for PTZ). */
export function fovImages(): Record<string, ImageData> {
  const out: Record<string, ImageData> = {};
  for (const [name, deg] of [['fov-70', 70], ['fov-90', 90], ['fov-120', 120], ['fov-360', 360]] as const) {
    const size = 128;
    const canvas = document.createElement('canvas');
    canvas.width = canvas.height = size;
    const g = canvas.getContext('2d');
    if (!g) continue;
    const c = size / 2;
    const grad = g.createRadialGradient(c, c, 0, c, c, c);
    grad.addColorStop(0, 'rgba(90,209,230,0.75)');
    grad.addColorStop(1, 'rgba(90,209,230,0.05)');
    g.fillStyle = grad;
    g.beginPath();
    g.moveTo(c, c);
    // Pointing up (north) before rotation by the heading.
    const half = (deg / 2) * (Math.PI / 180);
    g.arc(c, c, c, -Math.PI / 2 - half, -Math.PI / 2 + half);
    g.closePath();
    g.fill();
    out[name] = g.getImageData(0, 0, size, size);
  }
  return out;
}

/** The MapLibre layer ids of each overlay, for toggles, clicks and tests. */
export function layerIds(layer: string): string[] {
  return (overlayLayers()[layer] ?? []).map((l) => l.id);
}
