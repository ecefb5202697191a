import { describe, expect, it } from 'vitest';
import { genericDef } from './generic';
import { colorBy, layerInfo, pointStyle } from '../testing/fakes';
import type { LayerInfo } from '../../types';
import { inside } from './viewport';
import { anchorOf, boxOf } from '../map/geometry';

const congestion: LayerInfo = layerInfo({
  id: 'congestion', title_zh: '道路拥堵', title_en: 'Congestion', count: 1, geometry: 'line', label: 'road',
  style: pointStyle({ color_by: colorBy({ field: 'level', values: { '畅通': '#2fbf71', '拥堵': '#e03c3c' } }), width: 4, dash: [2, 1] }),
});
const floodExtent: LayerInfo = layerInfo({ id: 'extent', title_zh: '积水范围', title_en: 'Flood extent', count: 1, geometry: 'polygon', style: pointStyle({ color: '#2f8cff', opacity: 0.25 }) });

describe('a config-drawn layer of lines or polygons', () => {
  it('draws lines by width, dash and colour by field, labelled along the line', () => {
    const styles = genericDef(congestion).styles();
    const line = styles.find((s) => s.id === 'congestion-line');
    expect(line).toMatchObject({ type: 'line', paint: { 'line-width': 4, 'line-dasharray': [2, 1] } });
    expect(JSON.stringify(line)).toContain('LineString');
    expect(JSON.stringify(line && 'paint' in line ? line.paint : {})).toContain('拥堵');
    expect(styles.find((s) => s.id === 'congestion-label')).toMatchObject({ layout: { 'symbol-placement': 'line' } });
    expect(genericDef(congestion).legend?.entries.map((e) => e.swatch)).toEqual(['line', 'line']);
  });

  it('fills polygons at the configured opacity under an outline, and keeps points off them', () => {
    const styles = genericDef(floodExtent).styles();
    expect(styles.find((s) => s.id === 'extent-fill')).toMatchObject({ type: 'fill', paint: { 'fill-opacity': 0.25 } });
    expect(styles.find((s) => s.id === 'extent-outline')).toMatchObject({ type: 'line' });
    expect(JSON.stringify(styles.find((s) => s.id === 'extent-dot'))).toContain('"Point"');
    expect(genericDef(floodExtent).legend?.entries[0]).toMatchObject({ swatch: 'fill', color: '#2f8cff' });
  });

  it('keeps a delta whose line crosses the view though none of its vertices is in it', () => {
    const road = { type: 'Feature' as const, id: 'r', geometry: { type: 'LineString' as const, coordinates: [[118.0, 33.9], [118.4, 33.9]] as [number, number][] }, properties: { _id: 'r', _source: 's', _stale: false } };
    expect(inside(road, [118.1, 33.8, 118.2, 34.0])).toBe(true);
    expect(inside(road, [118.1, 34.0, 118.2, 34.1])).toBe(false);
    expect(boxOf(road)).toEqual([118.0, 33.9, 118.4, 33.9]);
    expect(anchorOf({ ...road, anchor: [118.2, 33.9] })).toEqual([118.2, 33.9]);
  });
});
