// 视频监控: tens of thousands of cameras as backend-cut vector tiles: clusters at city zoom, dots
// by type, and each online camera's field of view as a wedge at street zoom.

import type { LayerTemplate } from '../catalogue';
import { text, ownId } from '../../detail/model';
import { FONT_STACK, STALE, matchColor } from '../symbols';
import { tr } from '../../settings/language.svelte';

export const CAMERA_COLORS: Record<string, string> = { 枪机: '#5ad1e6', 球机: '#7fa8ff', 执法记录仪: '#c39bff', 无人机: '#ffd166' };

export const cameras: LayerTemplate = {
  template: 'cameras',
  tiled: true,
  styles: (id) => [
    {
      id: `${id}-cluster`, type: 'circle', source: id, 'source-layer': id, minzoom: 13, maxzoom: 15,
      filter: ['has', 'point_count'],
      paint: {
        'circle-color': 'rgba(90,209,230,0.18)',
        'circle-stroke-color': 'rgba(90,209,230,0.6)',
        'circle-stroke-width': 1,
        'circle-radius': ['interpolate', ['linear'], ['get', 'point_count'], 2, 7, 100, 14, 1000, 24],
      },
    },
    {
      id: `${id}-cluster-count`, type: 'symbol', source: id, 'source-layer': id, minzoom: 13, maxzoom: 15,
      filter: ['has', 'point_count'],
      layout: { 'text-field': ['to-string', ['get', 'point_count']], 'text-font': FONT_STACK, 'text-size': 11 },
      paint: { 'text-color': '#bfefff' },
    },
    {
      // Field of view: a wedge of the camera's angle, turned to its heading, sized by zoom.
      id: `${id}-fov`, type: 'symbol', source: id, 'source-layer': id, minzoom: 16,
      filter: ['all', ['!', ['has', 'point_count']], ['==', ['get', 'online'], true]],
      layout: {
        'icon-image': ['match', ['get', 'type'], '球机', 'fov-360', '执法记录仪', 'fov-120', '无人机', 'fov-90', 'fov-70'],
        'icon-rotate': ['get', 'heading_deg'],
        'icon-rotation-alignment': 'map',
        'icon-pitch-alignment': 'map',
        'icon-allow-overlap': true,
        'icon-ignore-placement': true,
        'icon-size': ['interpolate', ['exponential', 2], ['zoom'], 16, 0.25, 19, 2],
      },
      paint: { 'icon-opacity': 0.55 },
    },
    {
      id: `${id}-dot`, type: 'circle', source: id, 'source-layer': id,
      filter: ['!', ['has', 'point_count']],
      paint: {
        'circle-color': ['case', ['==', ['get', 'online'], true], matchColor('type', CAMERA_COLORS, '#5ad1e6'), STALE],
        'circle-radius': ['interpolate', ['linear'], ['zoom'], 15, 2.5, 18, 5],
        'circle-stroke-color': '#040a14',
        'circle-stroke-width': 1,
      },
    },
  ],
  detail: (f) => {
    const p = f.properties;
    const online = p.online === true || p.online === 'true';
    const degrees = (v: unknown) => (v === undefined || v === null || v === '' ? '—' : `${text(v)}°`);
    return {
      title: text(p.name),
      pill: online ? { text: tr('online'), tone: 'lvl-normal' } : { text: tr('cameraOff'), tone: 'lvl-red' },
      rows: [
        { label: tr('kindOf'), value: text(p.type), strong: true },
        { label: tr('heading'), value: degrees(p.heading_deg) },
        { label: tr('fieldOfView'), value: degrees(p.fov_deg) },
        { label: tr('range'), value: p.range_m === undefined ? '—' : `${text(p.range_m)} m` },
        { label: tr('codec'), value: text(typeof p.codec === 'string' ? p.codec.toUpperCase() : p.codec) },
        { label: tr('numberOf'), value: text(ownId(f)) },
      ],
    };
  },
};
