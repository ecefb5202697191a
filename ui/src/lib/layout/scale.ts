// The wall's legibility scale: how large its type and its map's labels, symbols and controls are
// drawn on the screen it is on. Without `[display]` the wall scales with its window (a 2160-px
// wall gets twice a 1080-px console); with the panel's diagonal and the viewing distance, its
// smallest text is at least 16 arc-minutes high where the duty officers sit (ISO 9241-303), and
// `scale` is a plain factor over either.

export interface DisplaySpec {
  diagonal_in?: number | null;
  distance_m?: number | null;
  scale?: number | null;
  /** Panels one window spans (columns, rows); default: 16:9 panels side by side. */
  panels?: [number, number] | null;
}

export interface WallScale {
  /** The root font size, CSS px: every panel size is in rem. */
  rem: number;
  /** The factor over the map's own sizes (labels 11–14 px, controls 29 px at 1). */
  map: number;
  /** The least text height the viewing distance asks for, CSS px; null without `[display]`. */
  minTextPx: number | null;
}

/** The smallest text the panels write, in rem (`small`, captions). */
export const SMALLEST_TEXT_REM = 0.75;
/** The smallest label the map's styles write at scale 1, in px. */
export const SMALLEST_MAP_TEXT_PX = 11;
/** The arc-minutes the smallest text must subtend (headline numbers get 20 and more). */
export const MIN_ARCMIN = 16;

/** The text height, in mm, that subtends `arcmin` at `distanceM` metres. */
export function heightMm(arcmin: number, distanceM: number): number {
  return 2 * distanceM * 1000 * Math.tan(((arcmin / 60) * Math.PI) / 180 / 2);
}

/** CSS px per physical mm on a panel `diagonalIn` inches across that shows `panelW`×`panelH` CSS px. */
export function pxPerMm(diagonalIn: number, panelW: number, panelH: number): number {
  return Math.hypot(panelW, panelH) / (diagonalIn * 25.4);
}

/** The window-relative root size: 0.85 % of the width or 1.5 % of the height, 13–44 px. */
export function baseRem(viewW: number, viewH: number): number {
  return Math.min(44, Math.max(13, Math.min(0.0085 * viewW, 0.015 * viewH)));
}

/** One physical panel's size in CSS px, for a window of `viewW`×`viewH` filling the wall. */
export function panelSize(viewW: number, viewH: number, d: DisplaySpec | null | undefined): [number, number] {
  const [columns, rows] = d?.panels ?? [Math.max(1, Math.round(viewW / ((viewH * 16) / 9))), 1];
  return [viewW / columns, viewH / rows];
}

/** The scale for a `viewW`×`viewH` window on a panel of `panelW`×`panelH` CSS px. */
export function wallScale(viewW: number, viewH: number, panelW: number, panelH: number, d: DisplaySpec | null | undefined): WallScale {
  const factor = d?.scale && d.scale > 0 ? d.scale : 1;
  let rem = baseRem(viewW, viewH) * factor;
  let minTextPx: number | null = null;
  if (d?.diagonal_in && d.distance_m && panelW > 0 && panelH > 0) {
    minTextPx = heightMm(MIN_ARCMIN, d.distance_m) * pxPerMm(d.diagonal_in, panelW, panelH);
    rem = Math.max(rem, (minTextPx / SMALLEST_TEXT_REM) * factor);
  }
  const map = Math.max(1, rem / 16, minTextPx ? (minTextPx * factor) / SMALLEST_MAP_TEXT_PX : 0);
  return { rem, map, minTextPx };
}

/** A style value times `k`: numbers, the outputs of zoom curves (`interpolate`, `step`), and any
 * other expression wrapped in a product (MapLibre allows `zoom` only at a curve's top). */
export function scaled(v: unknown, k: number): unknown {
  if (typeof v === 'number') return v * k;
  if (!Array.isArray(v)) return v;
  if (v[0] === 'interpolate' || v[0] === 'interpolate-hcl' || v[0] === 'interpolate-lab') {
    return v.map((x, i) => (i >= 3 && i % 2 === 0 ? scaled(x, k) : x));
  }
  if (v[0] === 'step') return v.map((x, i) => (i === 2 || (i > 2 && i % 2 === 0) ? scaled(x, k) : x));
  return ['*', k, v];
}

/** Sizes a style layer draws in pixels: what scales with the wall. Default 16 where unset. */
const LAYOUT_SIZES: Record<string, number | undefined> = { 'text-size': 16, 'icon-size': 1 };
const PAINT_SIZES: Record<string, number | undefined> = { 'circle-radius': 5, 'circle-stroke-width': undefined, 'text-halo-width': undefined };

/** A style layer with its labels, icons and circles `k` times their size. */
export function scaleLayer<L extends { type: string; layout?: object; paint?: object }>(layer: L, k: number): L {
  if (k === 1) return layer;
  const out = { ...layer } as L & { layout?: Record<string, unknown>; paint?: Record<string, unknown> };
  if (layer.type === 'symbol') {
    const layout: Record<string, unknown> = { ...(layer.layout ?? {}) };
    for (const [key, fallback] of Object.entries(LAYOUT_SIZES)) {
      const v = layout[key] ?? fallback;
      if (v !== undefined) layout[key] = scaled(v, k);
    }
    out.layout = layout;
  }
  if (layer.type === 'circle' || layer.type === 'symbol') {
    const paint: Record<string, unknown> = { ...(layer.paint ?? {}) };
    for (const [key, fallback] of Object.entries(PAINT_SIZES)) {
      if (layer.type === 'symbol' && key.startsWith('circle')) continue;
      if (layer.type === 'circle' && key.startsWith('text')) continue;
      const v = paint[key] ?? fallback;
      if (v !== undefined) paint[key] = scaled(v, k);
    }
    out.paint = paint;
  }
  return out;
}
