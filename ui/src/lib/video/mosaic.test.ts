import { describe, expect, it } from 'vitest';
import { mosaicGrid } from './mosaic';

describe('mosaicGrid', () => {
  it('keeps a grid that fits, on even pixels', () => {
    expect(mosaicGrid(801, 451, [{ x: 0, y: 0, w: 399, h: 201 }, { x: 401, y: 0, w: 399, h: 201 }])).toEqual({
      width: 800,
      height: 450,
      rects: [[0, 0, 398, 200], [400, 0, 398, 200]],
    });
  });

  it('scales a large grid down to what the engine paints', () => {
    const grid = mosaicGrid(3840, 2160, [{ x: 1920, y: 1080, w: 1920, h: 1080 }]);
    expect(grid).toEqual({ width: 1920, height: 1080, rects: [[960, 540, 960, 540]] });
  });

  it('gives no mosaic for a grid not laid out yet, and cuts a tile that overflows it', () => {
    expect(mosaicGrid(0, 0, [{ x: 0, y: 0, w: 0, h: 0 }])).toBeUndefined();
    expect(mosaicGrid(100, 100, [])).toBeUndefined();
    expect(mosaicGrid(100, 100, [{ x: 90, y: 0, w: 50, h: 50 }])?.rects).toEqual([[90, 0, 10, 50]]);
  });
});
