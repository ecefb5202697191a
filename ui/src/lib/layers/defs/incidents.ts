// 安全事件: incidents from every intake channel, coloured by channel with severity as the
// outline; clustered when zoomed out; the popup shows the case's timeline of statuses.

import type { ExpressionSpecification } from 'maplibre-gl';
import type { LayerTemplate } from '../catalogue';
import { FONT_STACK, HALO, isCluster, stale } from '../symbols';
import { text, time, ownId } from '../../detail/model';
import { tr } from '../../settings/language.svelte';

export const CHANNEL_COLORS: Record<string, string> = {
  '12345热线': '#4fc3f7',
  '数字城管': '#9ccc65',
  '110非警务': '#ba68c8',
  '视频AI': '#ffb74d',
  '网格员上报': '#f06292',
};

const channelColor: ExpressionSpecification = ['match', ['get', 'channel'], ...Object.entries(CHANNEL_COLORS).flat(), '#90a4ae'] as unknown as ExpressionSpecification;

/** The severities the pill has a colour for; any other shows in the neutral tone. */
const SEVERITY_TONES: Record<string, string> = { 严重: 'sev-severe', 较重: 'sev-major', 一般: 'sev-minor' };

export const incidents: LayerTemplate = {
  template: 'incidents',
  core: true,
  history: 'timeline',
  styles: (id) => [
    {
      id: `${id}-cluster`, type: 'circle', source: id,
      filter: isCluster,
      paint: {
        'circle-color': ['match', ['get', 'severity'], '严重', 'rgba(255,46,77,0.28)', '较重', 'rgba(255,210,63,0.22)', 'rgba(79,195,247,0.2)'],
        'circle-stroke-color': ['match', ['get', 'severity'], '严重', '#ff2e4d', '较重', '#ffd23f', '#4fc3f7'],
        'circle-stroke-width': 1.5,
        'circle-radius': ['interpolate', ['linear'], ['get', 'count'], 2, 10, 20, 16, 200, 28],
      },
    },
    {
      id: `${id}-cluster-count`, type: 'symbol', source: id,
      filter: isCluster,
      layout: { 'text-field': ['to-string', ['get', 'count']], 'text-font': FONT_STACK, 'text-size': 13, 'text-allow-overlap': true },
      paint: { 'text-color': '#eaf4ff', 'text-halo-color': '#040a14', 'text-halo-width': 1 },
    },
    {
      id: `${id}-dot`, type: 'circle', source: id,
      filter: ['!', isCluster],
      paint: {
        'circle-color': stale(channelColor),
        'circle-radius': ['interpolate', ['linear'], ['zoom'], 10, 3, 13, 5, 16, 8],
        'circle-opacity': ['case', ['==', ['get', 'status'], '已办结'], 0.35, 0.9],
        'circle-stroke-color': ['match', ['get', 'severity'], '严重', '#ff2e4d', '较重', '#ffd23f', 'rgba(5,13,26,0.8)'],
        'circle-stroke-width': ['match', ['get', 'severity'], '严重', 2.5, '较重', 1.5, 1],
      },
    },
    {
      id: `${id}-label`, type: 'symbol', source: id, minzoom: 14,
      filter: ['all', ['!', isCluster], ['!=', ['get', 'status'], '已办结']],
      layout: { 'text-field': ['get', 'category'], 'text-font': FONT_STACK, 'text-size': 12, 'text-offset': [0, 1.2], 'text-anchor': 'top' },
      paint: { 'text-color': '#d6e2f0', ...HALO },
    },
  ],
  detail: (f) => {
    const p = f.properties;
    return {
      title: text(p.category),
      pill: { text: text(p.severity), tone: SEVERITY_TONES[String(p.severity)] ?? 'sev-other' },
      rows: [
        { label: tr('stateOf'), value: text(p.status), strong: true },
        { label: tr('channel'), value: text(p.channel) },
        { label: tr('place'), value: `${text(p.district)} ${text(p.street)} ${text(p.grid)}` },
        { label: tr('reportedAt'), value: time(p.reported_at) },
        { label: tr('incidentNo'), value: text(ownId(f)) },
      ],
    };
  },
  legend: {
    title: 'incidentChannels',
    entries: [
      ...Object.entries(CHANNEL_COLORS).map(([name, color]) => ({ text: name, swatch: 'small' as const, color })),
      { word: 'severityNote', swatch: 'sev' },
    ],
  },
};
