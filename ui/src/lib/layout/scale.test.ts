import { describe, expect, it } from 'vitest';
import { heightMm, scaled, scaleLayer, wallScale } from './scale';

describe('the wall scale', () => {
  it('puts the smallest text at 16 arc-minutes for an 86-inch 4K panel read from 3 m', () => {
    // 16′ at 3 m ≈ 14 mm; an 86″ 4K panel has ≈ 2 px per mm.
    expect(heightMm(16, 3)).toBeCloseTo(13.96, 1);
    const s = wallScale(3840, 2160, 3840, 2160, { diagonal_in: 86, distance_m: 3 });
    expect(s.minTextPx).toBeCloseTo(28.2, 0);
    expect(s.rem * 0.75).toBeGreaterThanOrEqual(s.minTextPx!);
    expect(11 * s.map).toBeGreaterThanOrEqual(s.minTextPx!);
    // The same panel at 1920×1080 has half the pixels per mm: half the pixels for the same text.
    const hd = wallScale(1920, 1080, 1920, 1080, { diagonal_in: 86, distance_m: 3 });
    expect(hd.minTextPx! * 2).toBeCloseTo(s.minTextPx!, 5);
  });

  it('scales with the window alone without a display, and a plain factor multiplies', () => {
    const plain = wallScale(1920, 1080, 1920, 1080, null);
    expect(plain.minTextPx).toBeNull();
    expect(plain.rem).toBeCloseTo(16.2, 1);
    expect(wallScale(3840, 2160, 3840, 2160, null).rem).toBeCloseTo(32.4, 1);
    expect(wallScale(1920, 1080, 1920, 1080, { scale: 1.5 }).rem).toBeCloseTo(24.3, 1);
  });

  it('scales zoom curves by their outputs and wraps data expressions', () => {
    expect(scaled(12, 2)).toBe(24);
    expect(scaled(['interpolate', ['linear'], ['zoom'], 10, 11, 16, 14], 2)).toEqual(['interpolate', ['linear'], ['zoom'], 10, 22, 16, 28]);
    expect(scaled(['step', ['zoom'], 10, 14, 12], 2)).toEqual(['step', ['zoom'], 20, 14, 24]);
    expect(scaled(['get', 'size'], 2)).toEqual(['*', 2, ['get', 'size']]);
    const label = scaleLayer({ id: 'l', type: 'symbol', source: 's', layout: { 'text-field': 'x' } }, 2);
    expect(label.layout).toEqual({ 'text-field': 'x', 'text-size': 32, 'icon-size': 2 });
    const dot = scaleLayer({ id: 'd', type: 'circle', source: 's', paint: { 'circle-radius': 4 } }, 2);
    expect(dot.paint).toEqual({ 'circle-radius': 8 });
  });
});

describe('a panel of a spanning window', () => {
  it('is a 16:9 share of a wide window unless config names the panels', async () => {
    const { panelSize } = await import('./scale');
    expect(panelSize(7680, 2160, null)).toEqual([3840, 2160]);
    expect(panelSize(1920, 1080, null)).toEqual([1920, 1080]);
    expect(panelSize(5760, 3240, { panels: [3, 3] })).toEqual([1920, 1080]);
  });
});
