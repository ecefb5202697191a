// 易涝点: water-level gauges coloured by their level against their own four thresholds; the
// popup charts the level over time with the thresholds drawn in.

import type { ExpressionSpecification } from 'maplibre-gl';
import type { LayerTemplate } from '../catalogue';
import { FONT_STACK, HALO, LEVEL_COLORS, stale } from '../symbols';
import { text, time, ownId } from '../../detail/model';
import { tr } from '../../settings/language.svelte';

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

export function floodLevel(p: Record<string, unknown>): keyof typeof LEVEL_COLORS {
  const v = Number(p.level_m);
  if (v >= Number(p.threshold_red_m)) return 'red';
  if (v >= Number(p.threshold_orange_m)) return 'orange';
  if (v >= Number(p.threshold_yellow_m)) return 'yellow';
  if (v >= Number(p.threshold_blue_m)) return 'blue';
  return 'normal';
}

const cm = (m: unknown) => text(Math.round(Number(m) * 100));

export const flood: LayerTemplate = {
  template: 'flood',
  core: true,
  history: 'level',
  styles: (id) => [
    {
      id: `${id}-halo`, type: 'circle', source: id,
      filter: ['match', level, ['orange', 'red'], true, false],
      paint: { 'circle-color': stale(levelColor), 'circle-radius': 20, 'circle-opacity': 0.25, 'circle-blur': 0.6 },
    },
    {
      id: `${id}-dot`, type: 'circle', source: id,
      paint: {
        'circle-color': stale(levelColor),
        'circle-radius': ['interpolate', ['linear'], ['zoom'], 10, 6, 14, 10],
        'circle-stroke-color': '#e8f1ff',
        'circle-stroke-width': 1.5,
      },
    },
    {
      id: `${id}-label`, type: 'symbol', source: id, minzoom: 11,
      layout: {
        'text-field': ['concat', ['to-string', ['round', ['*', 100, ['get', 'level_m']]]], ' cm'],
        'text-font': FONT_STACK, 'text-size': 13, 'text-offset': [0, -1.5], 'text-anchor': 'bottom',
      },
      paint: {
        // Zoomed out, only gauges over a threshold carry a label; zoomed in, all do.
        'text-opacity': ['step', ['zoom'], ['match', level, 'normal', 0, 1], 13, 1],
        'text-color': stale(levelColor), ...HALO, 'text-halo-width': 1.8,
      },
    },
  ],
  detail: (f) => {
    const p = f.properties;
    const lvl = floodLevel(p);
    const rise = Number(p.rise_m_per_h);
    const [b, y, o, r] = tr('levelLetters').split(',');
    return {
      title: text(p.name),
      pill: { text: tr(lvl), tone: `lvl-${lvl}` },
      rows: [
        { label: tr('waterDepth'), value: `${cm(p.level_m)} cm`, strong: true },
        { label: tr('rising'), value: `${rise >= 0 ? '↑' : '↓'} ${text(Math.abs(Math.round(rise * 100)))} cm/h` },
        { label: tr('thresholds'), value: `${b} ${cm(p.threshold_blue_m)} · ${y} ${cm(p.threshold_yellow_m)} · ${o} ${cm(p.threshold_orange_m)} · ${r} ${cm(p.threshold_red_m)} cm` },
        { label: tr('rain'), value: `${text(p.rain_mm_h)} mm/h` },
        { label: tr('kindOf'), value: text(p.kind) },
        { label: tr('districtOf'), value: text(p.district) },
        { label: tr('observedAt'), value: time(p.observed_at) },
        { label: tr('numberOf'), value: text(ownId(f)) },
      ],
    };
  },
  legend: {
    title: 'floodLevels',
    entries: (['normal', 'blue', 'yellow', 'orange', 'red'] as const).map((k) => ({ word: k, swatch: 'dot', color: LEVEL_COLORS[k] })),
  },
};
