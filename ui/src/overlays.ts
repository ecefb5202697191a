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

export function overlayLayers(): Record<string, LayerSpecification[]> {
  return {
    incidents: [
      {
        id: 'incidents-dot', type: 'circle', source: 'incidents',
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
        filter: ['!=', ['get', 'status'], '已办结'],
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

/** The MapLibre layer ids of each overlay, for toggles, clicks and tests. */
export function layerIds(layer: string): string[] {
  return (overlayLayers()[layer] ?? []).map((l) => l.id);
}
