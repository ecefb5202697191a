// The geometry of an engine-composited mosaic: the grid's tiles, as laid out in CSS pixels,
// scaled to a mosaic no larger than the engine paints, on even pixels (a chroma sample is never
// shared by two tiles).

import type { MosaicGrid } from '../../transport';

/** The largest mosaic the engine paints (video/mosaic.rs). */
export const MAX_MOSAIC = { width: 1920, height: 1080 };

const even = (n: number) => Math.max(0, 2 * Math.floor(n / 2));

/** The mosaic for a `width × height` grid whose tiles' picture areas are `boxes`. */
export function mosaicGrid(width: number, height: number, boxes: { x: number; y: number; w: number; h: number }[], max = MAX_MOSAIC): MosaicGrid | undefined {
  if (width < 16 || height < 16 || boxes.length === 0) return undefined;
  const scale = Math.min(1, max.width / width, max.height / height);
  const W = even(width * scale);
  const H = even(height * scale);
  const rects = boxes.map((b): [number, number, number, number] => {
    const x = Math.min(even(b.x * scale), W);
    const y = Math.min(even(b.y * scale), H);
    return [x, y, Math.max(2, Math.min(even(b.w * scale), W - x)), Math.max(2, Math.min(even(b.h * scale), H - y))];
  });
  if (rects.some(([x, y, w, h]) => x + w > W || y + h > H)) return undefined;
  return { width: W, height: H, rects };
}
