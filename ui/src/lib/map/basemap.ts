// The dark big-screen basemap: the sim city's PMTiles archive read from the app's own files (no
// network), and a calm style — roads by class, water, parks, district lines, 3D buildings when
// zoomed in, Chinese labels drawn from local fonts. A city's own raster tile service
// (`[basemap]`) comes through the engine instead, dimmed for the dark wall.

import { PMTiles, Protocol, type RangeResponse, type Source } from 'pmtiles';
import * as maplibregl from 'maplibre-gl';
import type { StyleSpecification } from 'maplibre-gl';
import type { RasterBasemap } from '../../types';
// MapLibre 6 loads its worker from a file beside the library; ship it as an asset of ours.
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url';

maplibregl.setWorkerUrl(workerUrl);

/** Serves byte ranges from an archive already in memory: no range requests needed. */
class BufferSource implements Source {
  constructor(private key: string, private data: ArrayBuffer) {}
  getKey() { return this.key; }
  async getBytes(offset: number, length: number): Promise<RangeResponse> {
    return { data: this.data.slice(offset, offset + length) };
  }
}

export const FONT_STACK = ['Noto Sans Regular'];
export const LOCAL_FONTS = '"WenQuanYi Micro Hei", "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", sans-serif';

let registered = false;

/** The shipped archive, registered for MapLibre: its URL and the attribution its metadata
 * carries (whoever made the archive says whose data it is, not this code). */
export async function loadBasemap(url = 'basemap/city.pmtiles'): Promise<{ url: string; attribution: string }> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`底图文件读取失败 basemap ${url}: HTTP ${response.status}`);
  const data = await response.arrayBuffer();
  const key = 'city';
  const archive = new PMTiles(new BufferSource(key, data));
  if (!registered) {
    const protocol = new Protocol();
    maplibregl.addProtocol('pmtiles', protocol.tile);
    protocol.add(archive);
    registered = true;
  }
  const metadata = (await archive.getMetadata().catch(() => ({}))) as { attribution?: unknown };
  return { url: `pmtiles://${key}`, attribution: typeof metadata.attribution === 'string' ? metadata.attribution : '' };
}

const C = {
  bg: '#050d1a',
  land: '#07142a',
  water: '#0a2f52',
  waterLine: '#145a8c',
  park: '#0a2a26',
  building: '#10223a',
  buildingTop: '#1d3f66',
  motorway: '#b7862f',
  trunk: '#8f6d3a',
  primary: '#355f8a',
  secondary: '#23466b',
  minor: '#183352',
  label: '#9db7d8',
  halo: '#040a14',
  district: '#3e7cc2',
};

export function style(basemapUrl: string, attribution: string): StyleSpecification {
  const src = 'city';
  const road = (cls: string, color: string, widths: [number, number, number, number], minzoom = 0) => ({
    id: `road-${cls}`,
    type: 'line' as const,
    source: src,
    'source-layer': 'roads',
    minzoom,
    filter: ['==', ['get', 'class'], cls],
    layout: { 'line-cap': 'round' as const, 'line-join': 'round' as const },
    paint: {
      'line-color': color,
      'line-width': ['interpolate', ['exponential', 1.6], ['zoom'], 9, widths[0], 12, widths[1], 15, widths[2], 18, widths[3]],
    },
  });
  return {
    version: 8,
    name: 'CityWall dark',
    sources: { [src]: { type: 'vector', url: basemapUrl, ...(attribution ? { attribution } : {}) } },
    layers: [
      { id: 'background', type: 'background', paint: { 'background-color': C.bg } },
      { id: 'landuse-park', type: 'fill', source: src, 'source-layer': 'landuse', paint: { 'fill-color': C.park, 'fill-opacity': 0.9 } },
      { id: 'water', type: 'fill', source: src, 'source-layer': 'water', paint: { 'fill-color': C.water } },
      { id: 'water-edge', type: 'line', source: src, 'source-layer': 'water', paint: { 'line-color': C.waterLine, 'line-width': 1, 'line-opacity': 0.6 } },
      {
        id: 'boundary-street', type: 'line', source: src, 'source-layer': 'boundary', minzoom: 12,
        filter: ['==', ['get', 'level'], 'street'],
        paint: { 'line-color': C.district, 'line-opacity': 0.35, 'line-width': 1, 'line-dasharray': [2, 3] },
      },
      {
        id: 'boundary-district', type: 'line', source: src, 'source-layer': 'boundary',
        filter: ['==', ['get', 'level'], 'district'],
        paint: { 'line-color': C.district, 'line-opacity': 0.7, 'line-width': ['interpolate', ['linear'], ['zoom'], 9, 1, 14, 2.5], 'line-dasharray': [4, 2] },
      },
      road('minor', C.minor, [0.2, 0.6, 3, 10], 12),
      road('secondary', C.secondary, [0.3, 1, 5, 16], 11),
      road('primary', C.primary, [0.6, 1.8, 8, 24]),
      road('trunk', C.trunk, [0.8, 2.2, 9, 26]),
      road('motorway', C.motorway, [1, 2.6, 10, 28]),
      {
        id: 'buildings-flat', type: 'fill', source: src, 'source-layer': 'buildings', maxzoom: 15,
        paint: { 'fill-color': C.building, 'fill-outline-color': '#1a3354' },
      },
      {
        id: 'buildings-3d', type: 'fill-extrusion', source: src, 'source-layer': 'buildings', minzoom: 14.5,
        paint: {
          'fill-extrusion-color': ['interpolate', ['linear'], ['get', 'height'], 10, C.building, 60, C.buildingTop, 160, '#2f6aa8'],
          'fill-extrusion-height': ['interpolate', ['linear'], ['zoom'], 14.5, 0, 15.2, ['get', 'height']],
          'fill-extrusion-opacity': 0.85,
        },
      },
      {
        id: 'label-waterway', type: 'symbol', source: src, 'source-layer': 'waterway', minzoom: 11,
        layout: { 'symbol-placement': 'line', 'text-field': ['get', 'name'], 'text-font': FONT_STACK, 'text-size': 14, 'symbol-spacing': 500, 'text-letter-spacing': 0.4 },
        paint: { 'text-color': '#5fa4dc', 'text-halo-color': C.halo, 'text-halo-width': 1.5 },
      },
      {
        id: 'label-road', type: 'symbol', source: src, 'source-layer': 'roads', minzoom: 12,
        filter: ['all', ['!=', ['get', 'name'], ''], ['match', ['get', 'class'], ['motorway', 'trunk', 'primary', 'secondary'], true, false]],
        layout: { 'symbol-placement': 'line', 'text-field': ['get', 'name'], 'text-font': FONT_STACK, 'text-size': ['interpolate', ['linear'], ['zoom'], 12, 11, 16, 15], 'symbol-spacing': 400 },
        paint: { 'text-color': C.label, 'text-halo-color': C.halo, 'text-halo-width': 1.5, 'text-opacity': 0.85 },
      },
      {
        id: 'label-place', type: 'symbol', source: src, 'source-layer': 'place',
        filter: ['!=', ['get', 'kind'], 'district'],
        layout: { 'text-field': ['get', 'name'], 'text-font': FONT_STACK, 'text-size': ['match', ['get', 'kind'], 'street', 13, 12] },
        paint: { 'text-color': ['match', ['get', 'kind'], 'park', '#5fae8c', 'water', '#5fa4dc', '#7f9cc0'], 'text-halo-color': C.halo, 'text-halo-width': 1.5 },
      },
      {
        id: 'label-poi', type: 'symbol', source: src, 'source-layer': 'poi', minzoom: 12,
        layout: { 'text-field': ['get', 'name'], 'text-font': FONT_STACK, 'text-size': 13 },
        paint: { 'text-color': '#c7d6ea', 'text-halo-color': C.halo, 'text-halo-width': 1.5 },
      },
      {
        id: 'label-district', type: 'symbol', source: src, 'source-layer': 'place', maxzoom: 13.5,
        filter: ['==', ['get', 'kind'], 'district'],
        layout: { 'text-field': ['get', 'name'], 'text-font': FONT_STACK, 'text-size': ['interpolate', ['linear'], ['zoom'], 10, 16, 13, 24], 'text-letter-spacing': 0.3 },
        paint: { 'text-color': '#6f9fd8', 'text-halo-color': C.halo, 'text-halo-width': 2, 'text-opacity': 0.9 },
      },
    ],
  } as StyleSpecification;
}

/** The URL scheme the wall's map asks the engine for basemap tiles by. */
export const BASEMAP_SCHEME = 'cwbase';

/** A city's raster basemap under the wall's overlays: tiles through the engine, dimmed and
 * desaturated (unless the config says not) so the live layers stay what the eye finds first. */
export function rasterStyle(b: RasterBasemap): StyleSpecification {
  const dim = b.dim ? { 'raster-brightness-max': 0.36, 'raster-saturation': -0.5, 'raster-contrast': 0.2 } : {};
  return {
    version: 8,
    name: 'CityWall raster',
    sources: {
      basemap: { type: 'raster', tiles: [`${BASEMAP_SCHEME}://{z}/{x}/{y}`], tileSize: b.tile_size, maxzoom: b.max_zoom, ...(b.attribution ? { attribution: b.attribution } : {}) },
    },
    layers: [
      { id: 'background', type: 'background', paint: { 'background-color': C.bg } },
      { id: 'basemap', type: 'raster', source: 'basemap', paint: { 'raster-fade-duration': 0, ...dim } },
    ],
  };
}
