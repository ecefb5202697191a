// The map's own overlays beside the data layers: open warnings as level-coloured rings with their
// shape, the incidents heatmap and per-area counts (the 视图 modes), the field-of-view wedges
// the camera layer draws, and a mark on each camera a video wall shows now.

import type { ExpressionSpecification, LayerSpecification } from 'maplibre-gl';
import { FONT_STACK, LEVEL_COLORS, LEVEL_SHAPES } from '../layers/symbols';
import type { OnWallCamera } from '../../types';

/** Cameras on a video wall's tiles: a bright double ring around the camera's own symbol. */
export const ON_WALL_LAYERS: LayerSpecification[] = [
  {
    id: 'onwall-halo', type: 'circle', source: 'onwall',
    paint: { 'circle-radius': ['interpolate', ['linear'], ['zoom'], 10, 7, 16, 13], 'circle-color': 'rgba(56,189,248,0.18)', 'circle-stroke-color': '#38bdf8', 'circle-stroke-width': 2, 'circle-stroke-opacity': 0.95 },
  },
  {
    id: 'onwall-outer', type: 'circle', source: 'onwall',
    paint: { 'circle-radius': ['interpolate', ['linear'], ['zoom'], 10, 10, 16, 17], 'circle-color': 'rgba(0,0,0,0)', 'circle-stroke-color': '#38bdf8', 'circle-stroke-width': 1, 'circle-stroke-opacity': 0.6 },
  },
];

/** The cameras on the walls, as the `onwall` source's features. */
export function onWallCollection(cameras: OnWallCamera[]): GeoJSON.FeatureCollection {
  return {
    type: 'FeatureCollection',
    features: cameras.map((c) => ({ type: 'Feature', id: c.id, geometry: { type: 'Point', coordinates: [c.lon, c.lat] }, properties: { id: c.id, name: c.name } })),
  };
}

/** Raised (not yet acknowledged) warnings drawn larger, so what needs a duty officer stands out. */
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

/** The events layer's heatmap, hidden until the 视图 switch turns it on. */
export const heatLayer = (events: string): LayerSpecification => ({
  id: `${events}-heat`, type: 'heatmap', source: events, layout: { visibility: 'none' },
  paint: {
    'heatmap-weight': ['coalesce', ['get', 'count'], 1],
    'heatmap-radius': ['interpolate', ['linear'], ['zoom'], 10, 18, 15, 40],
    'heatmap-intensity': ['interpolate', ['linear'], ['zoom'], 10, 0.5, 15, 1.2],
    'heatmap-opacity': 0.8,
    'heatmap-color': ['interpolate', ['linear'], ['heatmap-density'], 0, 'rgba(0,0,0,0)', 0.2, 'rgba(44,123,182,0.6)', 0.45, 'rgba(171,217,233,0.7)', 0.65, 'rgba(255,255,191,0.8)', 0.85, 'rgba(253,174,97,0.9)', 1, 'rgba(215,25,28,0.95)'],
  },
});

/** Counts per district / street / grid: a choropleth by share of the busiest area, with labels. */
export const AREA_LAYERS: LayerSpecification[] = [
  { id: 'areas-fill', type: 'fill', source: 'areas', layout: { visibility: 'none' }, paint: { 'fill-color': ['interpolate', ['linear'], ['get', 'share'], 0, 'rgba(30,60,110,0.05)', 0.25, 'rgba(44,123,182,0.35)', 0.6, 'rgba(253,174,97,0.45)', 1, 'rgba(215,25,28,0.55)'] } },
  { id: 'areas-line', type: 'line', source: 'areas', layout: { visibility: 'none' }, paint: { 'line-color': 'rgba(150,190,240,0.45)', 'line-width': 1 } },
  { id: 'areas-label', type: 'symbol', source: 'areas', layout: { visibility: 'none', 'text-field': ['concat', ['get', 'name'], '\n', ['to-string', ['get', 'count']]], 'text-font': FONT_STACK, 'text-size': 12 }, paint: { 'text-color': '#e6f0ff', 'text-halo-color': '#040a14', 'text-halo-width': 1.5 } },
];

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

/** Open cases of the incident loop on the map (where the cases panel is shown): a ring by
 * state, red once overdue, with the case number at street zoom. */
export function caseLayers(): LayerSpecification[] {
  return [
    {
      id: 'cases-ring', type: 'circle', source: 'cases',
      paint: {
        'circle-radius': ['interpolate', ['linear'], ['zoom'], 10, 4, 16, 9],
        'circle-color': 'rgba(0,0,0,0)',
        'circle-stroke-width': 2.5,
        'circle-stroke-color': ['case', ['get', 'overdue'], '#ff2e4d', ['match', ['get', 'state'], 'received', '#9db7d8', 'registered', '#5fa4dc', 'reported', '#2ec27e', 'verified', '#2ec27e', 'suspended', '#7f93ad', '#f5a623']] as unknown as ExpressionSpecification,
      },
    },
    {
      id: 'cases-label', type: 'symbol', source: 'cases', minzoom: 13,
      layout: { 'text-field': ['get', 'id'], 'text-font': FONT_STACK, 'text-size': 11, 'text-offset': [0, 1.4], 'text-anchor': 'top' },
      paint: { 'text-color': '#f5d7a1', 'text-halo-color': '#040a14', 'text-halo-width': 1.5 },
    },
  ];
}
