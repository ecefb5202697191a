// Test doubles for the state modules' unit tests: a transport that answers from tables and
// records its calls, a map port that records what it was handed, and a frame clock stepped by
// hand. Never imported by the wall itself.

import type { Transport } from '../../transport';
import type { Bbox, ColorBy, FeatureCollection, GeoFeature, LayerInfo, PointStyle, PopupField, SourceStatus, Warning } from '../../types';
import type { MapPort } from '../map/port';

export const feature = (id: string, x: number, y: number, props: Record<string, unknown> = {}): GeoFeature => ({
  type: 'Feature',
  id,
  geometry: { type: 'Point', coordinates: [x, y] },
  properties: { _id: id, _source: 's', _stale: false, ...props },
});

export const collection = (layer: string, features: GeoFeature[], seq = 1, mode: FeatureCollection['mode'] = 'features'): FeatureCollection => ({
  type: 'FeatureCollection', layer, mode, truncated: false, seq, features,
});

export const warning = (id: string, level: Warning['level'], state: Warning['state'] = 'raised', updated_at = 0): Warning => ({
  id, key: id, kind: 'flood-level', level, state, layer: 'flood', subject: id, title: `t-${id}`, detail: '', lon: 118.2, lat: 33.9,
  value: 1, threshold: 1, related: [], raised_at: 0, updated_at, acknowledged_at: null, acknowledged_by: null, cleared_at: null, peak_level: level,
  title_en: '', detail_en: '', centre: 'city',
});

export const source = (id: string, layer: string, state: SourceStatus['state']): SourceStatus => ({
  id, layer, title: id, kind: 'geojson', state, last_success: null, last_attempt: null, last_error: null, latency_ms: null, count: 0, received_last: 0, rejected_last: 0, rejected_total: 0, consecutive_failures: 0,
});

/** A layer as the engine lists it: what `info` says, the engine's defaults for the rest. */
export const layerInfo = (info: Pick<LayerInfo, 'id'> & Partial<LayerInfo>): LayerInfo => ({
  title_zh: info.id, title_en: info.id, count: 0, group: null, group_en: null, visible: true, min_zoom: null, max_zoom: null,
  template: null, geometry: null, label: null, style: null, popup: [], ...info,
});

export const pointStyle = (style: Partial<PointStyle>): PointStyle => ({
  color: null, color_by: null, radius: null, width: null, dash: null, outline: null, opacity: null, ...style,
});

export const colorBy = (by: Pick<ColorBy, 'field'> & Partial<ColorBy>): ColorBy => ({ values: {}, values_en: {}, stops: [], default: null, ...by });

export const popupField = (row: Pick<PopupField, 'field'> & Partial<PopupField>): PopupField => ({
  title: null, title_en: null, unit: null, format: null, digits: null, ...row,
});

/** A transport whose answers tests set; `calls` lists what was asked. */
export function fakeTransport(answers: Partial<Record<keyof Transport, unknown>> = {}): Transport & { calls: [string, unknown[]][] } {
  const calls: [string, unknown[]][] = [];
  return new Proxy({ name: 'http', calls } as unknown as Transport & { calls: [string, unknown[]][] }, {
    get(target, prop: string) {
      if (prop === 'then') return undefined;
      // What a test set on the transport itself wins over the table.
      if (Object.hasOwn(target, prop)) return (target as unknown as Record<string, unknown>)[prop];
      return (...args: unknown[]) => {
        calls.push([prop, args]);
        const a = answers[prop as keyof Transport];
        if (a instanceof Error) return Promise.reject(a);
        if (prop === 'subscribe') return () => {};
        return Promise.resolve(typeof a === 'function' ? a(...args) : a);
      };
    },
  });
}

/** A map port over a fixed view; records data, tiles and visibility it was handed. */
export function fakeMap(view: Bbox = [118.2, 33.9, 118.3, 34.0], zoom = 14) {
  const port = {
    view, currentZoom: zoom,
    data: new Map<string, { features: unknown[] }>(),
    tiles: new Map<string, string[]>(),
    hidden: new Set<string>(),
    fitted: [] as Bbox[],
    bbox: () => port.view,
    zoom: () => port.currentZoom,
    setData(source: string, d: { features: unknown[] }) { port.data.set(source, d); },
    setTiles(source: string, urls: string[]) { port.tiles.set(source, urls); },
    setVisible(ids: string[], on: boolean) { for (const id of ids) if (on) port.hidden.delete(id); else port.hidden.add(id); },
    flyTo: async () => {},
    fitBounds(b: Bbox) { port.fitted.push(b); },
    isSourceLoaded: () => true,
  };
  return port satisfies MapPort;
}

/** Animation frames run when the test says so. */
export function manualFrames() {
  let queue: ((t: number) => void)[] = [];
  // Frame times start past zero, as a page's do.
  let t = 1000;
  return {
    next: (cb: (t: number) => void) => void queue.push(cb),
    get pending() { return queue.length; },
    step(ms = 16) {
      t += ms;
      const run = queue;
      queue = [];
      for (const cb of run) cb(t);
    },
  };
}

export const settle = () => new Promise((r) => setTimeout(r, 0));
