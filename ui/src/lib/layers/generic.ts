// A layer the config describes and no shipped template draws: its circles, lines and polygons,
// label, popup and legend built from the `[[layer]]` style — one colour, colour by category or
// by thresholds, a point's radius, a line's width and dash, a polygon's fill and outline — so a
// city adds a layer with a config line, not a code change. Each feature is drawn by its own
// geometry, so one layer may mix them.

import type { ExpressionSpecification, LayerSpecification } from 'maplibre-gl';
import type { GeoFeature, LayerInfo, PopupField } from '../../types';
import type { DetailModel } from '../detail/model';
import { genericDetail, ownId, text, time } from '../detail/model';
import type { LayerDef, LegendEntry } from './catalogue';
import { FONT_STACK, HALO, isCluster, stale } from './symbols';
import { pick } from '../settings/language.svelte';

const DEFAULT_COLOR = '#4fb3ff';

function colour(info: LayerInfo): ExpressionSpecification | string {
  const style = info.style;
  const by = style?.color_by;
  const fallback = by?.default ?? style?.color ?? DEFAULT_COLOR;
  if (by && by.values && Object.keys(by.values).length) {
    return ['match', ['to-string', ['get', by.field]], ...Object.entries(by.values).flat(), fallback] as unknown as ExpressionSpecification;
  }
  if (by && by.stops && by.stops.length) {
    // Below the first threshold a value takes the default colour.
    return ['step', ['to-number', ['get', by.field], -Infinity], fallback, ...by.stops.flat()] as unknown as ExpressionSpecification;
  }
  return fallback;
}

const POINTS: ExpressionSpecification = ['in', ['geometry-type'], ['literal', ['Point', 'MultiPoint']]];
const LINES: ExpressionSpecification = ['in', ['geometry-type'], ['literal', ['LineString', 'MultiLineString']]];
const POLYGONS: ExpressionSpecification = ['in', ['geometry-type'], ['literal', ['Polygon', 'MultiPolygon']]];

function legend(info: LayerInfo): LegendEntry[] {
  const by = info.style?.color_by;
  const swatch = info.geometry === 'line' ? 'line' : info.geometry === 'polygon' ? 'fill' : 'dot';
  if (by?.values && Object.keys(by.values).length) return Object.entries(by.values).map(([v, c]) => ({ text: v, en: by.values_en?.[v], swatch, color: c }));
  if (by?.stops?.length) return by.stops.map(([v, c]) => ({ text: `≥ ${v}`, swatch, color: c }));
  return [{ text: info.title_zh, en: info.title_en, swatch, color: info.style?.color ?? DEFAULT_COLOR }];
}

/** One popup row's value as the config formats it. */
export function formatValue(v: unknown, field: PopupField): string {
  if (v === null || v === undefined || v === '') return '—';
  const unit = field.unit ? ` ${field.unit}` : '';
  switch (field.format) {
    case 'time':
      return time(v);
    case 'number':
    case 'percent': {
      const n = typeof v === 'number' ? v : Number(v);
      if (!Number.isFinite(n)) return text(v);
      const digits = field.digits ?? (field.format === 'percent' ? 1 : 2);
      return `${n.toFixed(digits)}${field.format === 'percent' ? '%' : ''}${unit}`;
    }
    default:
      return `${text(v)}${unit}`;
  }
}

function detail(info: LayerInfo): (f: GeoFeature) => DetailModel {
  const fields = info.popup ?? [];
  if (!fields.length) return genericDetail;
  return (f) => {
    const p = f.properties;
    const title = info.label ? p[info.label] : (p.name ?? p.title ?? ownId(f));
    return { title: text(title), rows: fields.map((field) => ({ label: pick(field.title ?? field.field, field.title_en), value: formatValue(p[field.field], field) })) };
  };
}

/** The layer's definition from its config alone. */
export function genericDef(info: LayerInfo): LayerDef {
  const zoom = { ...(info.min_zoom != null ? { minzoom: info.min_zoom } : {}), ...(info.max_zoom != null ? { maxzoom: info.max_zoom } : {}) };
  const style = info.style;
  return {
    id: info.id,
    styles: () => {
      const specs: LayerSpecification[] = [
        // Below the layer's cluster zoom the engine answers with clusters: a ring sized by how
        // many it holds, in the layer's colour, with the count (a click opens onto its extent).
        {
          id: `${info.id}-cluster`, type: 'circle', source: info.id, ...zoom,
          filter: isCluster,
          paint: {
            'circle-color': 'rgba(79,179,255,0.16)',
            'circle-stroke-color': style?.color ?? style?.color_by?.default ?? DEFAULT_COLOR,
            'circle-stroke-width': 1.5,
            'circle-radius': ['interpolate', ['linear'], ['get', 'count'], 2, 10, 20, 16, 200, 28],
          },
        },
        {
          id: `${info.id}-cluster-count`, type: 'symbol', source: info.id, ...zoom,
          filter: isCluster,
          layout: { 'text-field': ['to-string', ['get', 'count']], 'text-font': FONT_STACK, 'text-size': 13, 'text-allow-overlap': true },
          paint: { 'text-color': '#eaf4ff', 'text-halo-color': '#040a14', 'text-halo-width': 1 },
        },
        // Polygons: a translucent fill under their outline.
        {
          id: `${info.id}-fill`, type: 'fill', source: info.id, ...zoom,
          filter: POLYGONS,
          paint: { 'fill-color': stale(colour(info)), 'fill-opacity': style?.opacity ?? 0.3 },
        },
        {
          id: `${info.id}-outline`, type: 'line', source: info.id, ...zoom,
          filter: POLYGONS,
          paint: { 'line-color': style?.outline ?? stale(colour(info)), 'line-width': style?.width ?? 1.5, 'line-opacity': 0.9 },
        },
        {
          id: `${info.id}-line`, type: 'line', source: info.id, ...zoom,
          filter: LINES,
          layout: { 'line-cap': 'round', 'line-join': 'round' },
          paint: {
            'line-color': stale(colour(info)),
            'line-width': style?.width ?? 3,
            'line-opacity': style?.opacity ?? 0.9,
            ...(style?.dash ? { 'line-dasharray': style.dash } : {}),
          },
        },
        {
          id: `${info.id}-dot`, type: 'circle', source: info.id, ...zoom,
          filter: ['all', ['!', isCluster], POINTS],
          paint: {
            'circle-color': stale(colour(info)),
            'circle-radius': style?.radius ?? 6,
            'circle-opacity': style?.opacity ?? 0.9,
            'circle-stroke-color': style?.outline ?? '#dce9ff',
            'circle-stroke-width': 1,
          },
        },
      ];
      if (info.label) {
        specs.push({
          id: `${info.id}-label`, type: 'symbol', source: info.id, minzoom: Math.max(info.min_zoom ?? 0, 13), ...(info.max_zoom != null ? { maxzoom: info.max_zoom } : {}),
          filter: ['!', isCluster],
          layout: info.geometry === 'line'
            ? { 'text-field': ['to-string', ['get', info.label]], 'text-font': FONT_STACK, 'text-size': 12, 'symbol-placement': 'line', 'text-max-angle': 30 }
            : { 'text-field': ['to-string', ['get', info.label]], 'text-font': FONT_STACK, 'text-size': 12, 'text-offset': [0, 1.2], 'text-anchor': 'top' },
          paint: { 'text-color': '#cfe0f5', ...HALO },
        });
      }
      return specs;
    },
    detail: detail(info),
    legend: { layer: info.id, entries: legend(info) },
  };
}
