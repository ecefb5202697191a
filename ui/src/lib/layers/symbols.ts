// The visual vocabulary every layer's symbology shares: warning-level colours and shapes, the grey
// of stale data, and small MapLibre expression helpers.

import type { ExpressionSpecification } from 'maplibre-gl';

export { FONT_STACK } from '../map/basemap';

export const LEVEL_COLORS = { normal: '#27c2a0', blue: '#3a8bff', yellow: '#ffd23f', orange: '#ff8c1a', red: '#ff2e4d' };
/** What a feature turns to while its source is failing: its last good state, greyed. */
export const STALE = '#5c6778';

/** Warning levels: colour plus a shape, so no one has to tell orange from red by hue alone. */
export const LEVEL_SHAPES: Record<string, string> = { red: '▲', orange: '◆', yellow: '●', blue: '■' };

export const stale = (color: ExpressionSpecification | string): ExpressionSpecification =>
  ['case', ['==', ['get', '_stale'], true], STALE, color] as ExpressionSpecification;

export const matchColor = (field: string, colors: Record<string, string>, fallback: string): ExpressionSpecification =>
  ['match', ['get', field], ...Object.entries(colors).flat(), fallback] as unknown as ExpressionSpecification;

export const isCluster: ExpressionSpecification = ['==', ['get', '_cluster'], true];

/** Label halo of every overlay: dark, so text reads over any basemap colour. */
export const HALO = { 'text-halo-color': '#040a14', 'text-halo-width': 1.5 } as const;
