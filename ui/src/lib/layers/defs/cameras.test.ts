import { describe, expect, it } from 'vitest';
import { cameras } from './cameras';
import type { GeoFeature } from '../../../types';

const camera = (properties: Record<string, unknown>): GeoFeature =>
  ({ type: 'Feature', id: 'SXJ006592', geometry: { type: 'Point', coordinates: [118.28, 33.96] }, properties }) as GeoFeature;

describe('the cameras template', () => {
  it('tells a camera in the centre\'s words: online or not, kind, where it looks, its number', () => {
    const d = cameras.detail?.(camera({ name: '黄河路球机591', type: '球机', heading_deg: 233, fov_deg: 360, range_m: 220, online: true, codec: 'mjpeg' }));
    expect(d?.title).toBe('黄河路球机591');
    expect(d?.pill?.text).toBe('在线');
    expect(d?.rows.map((r) => `${r.label} ${r.value}`)).toEqual(['类型 球机', '朝向 233°', '视场角 360°', '可视距离 220 m', '编码 MJPEG', '编号 SXJ006592']);
  });

  it('says offline, and a dash for what the camera system did not send', () => {
    const d = cameras.detail?.(camera({ name: 'x', online: false }));
    expect(d?.pill?.text).toBe('离线');
    expect(d?.rows.find((r) => r.label === '朝向')?.value).toBe('—');
    expect(d?.rows.find((r) => r.label === '可视距离')?.value).toBe('—');
  });
});
