// 治超站点: weigh-in-motion stations sized by the last hour's passes, ringed in red while they saw
// overloads; the popup lists the latest passes and charts passes and 超限率 over time.

import type { LayerTemplate } from '../catalogue';
import { FONT_STACK, HALO, stale } from '../symbols';
import { text, time } from '../../detail/model';
import { tr } from '../../settings/language.svelte';
import { t, type Lang, type Word } from '../../settings/i18n';
import type { ExpressionSpecification } from 'maplibre-gl';

/** A station's map label in one language: its name, then the last hour's trucks and overloads. */
function label(lang: Lang): ExpressionSpecification {
  const w = (word: Word) => t(lang, word);
  return ['concat', ['get', 'name'], '\n', `${w('hourLabel')} `, ['to-string', ['get', 'passes_1h']], ` ${w('trucks')} · ${w('overloaded')} `, ['to-string', ['get', 'violations_1h']]];
}

export const overweight: LayerTemplate = {
  template: 'overweight',
  core: true,
  history: 'station',
  styles: (id) => [
    {
      id: `${id}-ring`, type: 'circle', source: id,
      filter: ['>', ['get', 'violations_1h'], 0],
      paint: {
        'circle-radius': ['+', 8, ['*', 0.8, ['sqrt', ['get', 'passes_1h']]]],
        'circle-color': 'rgba(0,0,0,0)',
        'circle-stroke-color': stale('#ff2e4d'),
        'circle-stroke-width': 2.5,
      },
    },
    {
      id: `${id}-dot`, type: 'circle', source: id,
      paint: {
        'circle-color': stale('#f0a030'),
        'circle-radius': ['+', 3, ['*', 0.8, ['sqrt', ['get', 'passes_1h']]]],
        'circle-opacity': 0.85,
        'circle-stroke-color': '#050d1a',
        'circle-stroke-width': 1,
      },
    },
    {
      id: `${id}-label`, type: 'symbol', source: id, minzoom: 11.5,
      layout: {
        'text-field': ['case', ['==', ['global-state', 'lang'], 'en'], label('en'), label('zh')],
        'text-font': FONT_STACK, 'text-size': 12, 'text-offset': [0, 1.6], 'text-anchor': 'top',
      },
      paint: { 'text-color': '#f3c27a', ...HALO },
    },
  ],
  detail: (f) => {
    const p = f.properties;
    const recent = Array.isArray(p.recent_passes) ? (p.recent_passes as Record<string, unknown>[]) : [];
    return {
      title: text(p.name),
      rows: [
        { label: tr('roadDirection'), value: `${text(p.road)} · ${text(p.direction)}` },
        { label: tr('lastHour'), value: `${text(p.passes_1h)} ${tr('trucks')} · ${tr('overloaded')} ${text(p.violations_1h)}`, bad: Number(p.violations_1h) > 0 },
        { label: tr('today'), value: `${text(p.passes_today)} ${tr('trucks')} · ${tr('overloaded')} ${text(p.violations_today)} · ${tr('overloadRateOf')} ${text(p.overload_rate_today_pct)}%`, strong: true },
        { label: tr('updatedAt'), value: time(p.observed_at) },
      ],
      table: {
        head: tr('passHead').split(','),
        rows: recent.slice(0, 6).map((r) => ({
          flagged: Number(r.overload_pct) > 0,
          cells: [time(r.at).slice(-8), text(r.plate), `${text(r.axles)}${tr('axles')}`, `${text(r.gross_t)}/${text(r.limit_t)} t`, Number(r.overload_pct) > 0 ? `${tr('overBy')}${text(r.overload_pct)}%` : '—'],
        })),
      },
    };
  },
  legend: {
    title: 'stations',
    entries: [
      { word: 'sizePasses', swatch: 'dot', color: '#f0a030' },
      { word: 'ringViolations', swatch: 'ring' },
    ],
  },
};
