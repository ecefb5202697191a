// 雨量站: rain gauges (pushed over MQTT in the demo), coloured and sized by intensity.

import type { ExpressionSpecification } from 'maplibre-gl';
import type { LayerTemplate } from '../catalogue';
import { FONT_STACK, HALO, stale } from '../symbols';
import { text, time, ownId } from '../../detail/model';
import { tr } from '../../settings/language.svelte';

export const rain: LayerTemplate = {
  template: 'rain',
  styles: (id) => [
    {
      id: `${id}-dot`, type: 'circle', source: id,
      paint: {
        'circle-color': stale(['interpolate', ['linear'], ['get', 'rain_mm_h'], 0, '#9fb8d0', 10, '#5aa0e6', 25, '#2f6fdc', 50, '#7b3fd6'] as ExpressionSpecification),
        'circle-radius': ['interpolate', ['linear'], ['get', 'rain_mm_h'], 0, 5, 50, 11],
        'circle-opacity': 0.85,
        'circle-stroke-color': '#dce9ff',
        'circle-stroke-width': 1,
      },
    },
    {
      id: `${id}-label`, type: 'symbol', source: id, minzoom: 10.5,
      layout: { 'text-field': ['concat', ['to-string', ['get', 'rain_mm_h']], ' mm/h'], 'text-font': FONT_STACK, 'text-size': 12, 'text-offset': [0, 1.3], 'text-anchor': 'top' },
      paint: { 'text-color': '#8fc1ff', ...HALO },
    },
  ],
  detail: (f) => {
    const p = f.properties;
    return {
      title: text(p.name),
      rows: [
        { label: tr('rain'), value: `${text(p.rain_mm_h)} mm/h`, strong: true },
        { label: tr('rain1h'), value: `${text(p.rain_1h_mm)} mm` },
        { label: tr('districtOf'), value: text(p.district) },
        { label: tr('observedAt'), value: time(p.observed_at) },
        { label: tr('numberOf'), value: text(ownId(f)) },
      ],
    };
  },
  legend: {
    title: 'rainLegend',
    entries: [
      { word: 'lightRain', swatch: 'dot', color: '#9fb8d0' },
      { word: 'heavyRain', swatch: 'dot', color: '#2f6fdc' },
      { word: 'stormRain', swatch: 'dot', color: '#7b3fd6' },
    ],
  },
};
