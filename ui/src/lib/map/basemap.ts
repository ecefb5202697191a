// The basemap under the wall's layers, as `[basemap]` configures it and the engine serves it: an
// OpenMapTiles archive drawn with the calm dark style below (roads by class, water, parks,
// district lines, 3D buildings when zoomed in, Chinese labels from local fonts), a raster
// service dimmed for the dark wall, or the city's own style document. Tiles come through the
// transport, so the wall reaches nothing but the engine.

import * as maplibregl from 'maplibre-gl';
import type { StyleSpecification } from 'maplibre-gl';
import type { BasemapInfo } from '../../types';
// MapLibre 6 loads its worker from a file beside the library; ship it as an asset of ours.
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url';
import { tr } from '../settings/language.svelte';

maplibregl.setWorkerUrl(workerUrl);

export const FONT_STACK = ['Noto Sans Regular'];
export const LOCAL_FONTS = '"WenQuanYi Micro Hei", "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", sans-serif';

/** OpenMapTiles POI classes labelled from the city view on. */
const LANDMARK_CLASSES = ['attraction', 'town_hall', 'hospital', 'police', 'fire_station', 'college', 'school', 'railway', 'stadium', 'museum', 'place_of_worship', 'monument'];

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

/** The dark big-screen style for any archive in the OpenMapTiles schema: the sim city's and a real
 * city's from tilemaker or planetiler. Names: `name:zh`, else `name`, else `name:latin` (all tilemaker writes). */
export function style(b: BasemapInfo): StyleSpecification {
  const src = 'city';
  const name = ['coalesce', ['get', 'name:zh'], ['get', 'name'], ['get', 'name:latin']];
  const road = (id: string, classes: string[], color: string, widths: [number, number, number, number], minzoom = 0) => ({
    id: `road-${id}`,
    type: 'line' as const,
    source: src,
    'source-layer': 'transportation',
    minzoom,
    filter: ['match', ['get', 'class'], classes, true, false],
    layout: { 'line-cap': 'round' as const, 'line-join': 'round' as const },
    paint: {
      'line-color': color,
      'line-width': ['interpolate', ['exponential', 1.6], ['zoom'], 9, widths[0], 12, widths[1], 15, widths[2], 18, widths[3]],
    },
  });
  const halo = { 'text-halo-color': C.halo, 'text-halo-width': 1.5 };
  return {
    version: 8,
    name: 'CityWall dark',
    sources: { [src]: { type: 'vector', tiles: [`${BASEMAP_SCHEME}://{z}/{x}/{y}`], minzoom: b.min_zoom, maxzoom: b.max_zoom, ...(b.attribution ? { attribution: b.attribution } : {}) } },
    layers: [
      { id: 'background', type: 'background', paint: { 'background-color': C.bg } },
      {
        id: 'landcover-green', type: 'fill', source: src, 'source-layer': 'landcover',
        filter: ['match', ['get', 'class'], ['grass', 'wood', 'farmland'], true, false],
        paint: { 'fill-color': C.park, 'fill-opacity': 0.6 },
      },
      { id: 'park', type: 'fill', source: src, 'source-layer': 'park', filter: ['==', ['geometry-type'], 'Polygon'], paint: { 'fill-color': C.park, 'fill-opacity': 0.9 } },
      { id: 'water', type: 'fill', source: src, 'source-layer': 'water', paint: { 'fill-color': C.water } },
      { id: 'water-edge', type: 'line', source: src, 'source-layer': 'water', paint: { 'line-color': C.waterLine, 'line-width': 1, 'line-opacity': 0.6 } },
      { id: 'waterway', type: 'line', source: src, 'source-layer': 'waterway', paint: { 'line-color': C.waterLine, 'line-width': ['interpolate', ['linear'], ['zoom'], 10, 1, 16, 3] } },
      {
        id: 'boundary-street', type: 'line', source: src, 'source-layer': 'boundary', minzoom: 12,
        filter: ['>=', ['get', 'admin_level'], 7],
        paint: { 'line-color': C.district, 'line-opacity': 0.35, 'line-width': 1, 'line-dasharray': [2, 3] },
      },
      {
        id: 'boundary-district', type: 'line', source: src, 'source-layer': 'boundary',
        filter: ['<=', ['get', 'admin_level'], 6],
        paint: { 'line-color': C.district, 'line-opacity': 0.7, 'line-width': ['interpolate', ['linear'], ['zoom'], 9, 1, 14, 2.5], 'line-dasharray': [4, 2] },
      },
      road('minor', ['minor', 'service', 'tertiary', 'track', 'raceway', 'busway'], C.minor, [0.2, 0.6, 3, 10], 12),
      road('path', ['path', 'pedestrian'], C.minor, [0.1, 0.3, 1, 3], 14),
      road('secondary', ['secondary'], C.secondary, [0.3, 1, 5, 16], 11),
      road('primary', ['primary'], C.primary, [0.6, 1.8, 8, 24]),
      road('trunk', ['trunk'], C.trunk, [0.8, 2.2, 9, 26]),
      road('motorway', ['motorway'], C.motorway, [1, 2.6, 10, 28]),
      {
        id: 'rail', type: 'line', source: src, 'source-layer': 'transportation', minzoom: 12,
        filter: ['match', ['get', 'class'], ['rail', 'transit'], true, false],
        paint: { 'line-color': '#2a4466', 'line-width': 1.2, 'line-dasharray': [3, 3] },
      },
      {
        id: 'buildings-flat', type: 'fill', source: src, 'source-layer': 'building', maxzoom: 15,
        paint: { 'fill-color': C.building, 'fill-outline-color': '#1a3354' },
      },
      {
        id: 'buildings-3d', type: 'fill-extrusion', source: src, 'source-layer': 'building', minzoom: 14.5,
        paint: {
          'fill-extrusion-color': ['interpolate', ['linear'], ['coalesce', ['get', 'render_height'], 10], 10, C.building, 60, C.buildingTop, 160, '#2f6aa8'],
          'fill-extrusion-height': ['interpolate', ['linear'], ['zoom'], 14.5, 0, 15.2, ['coalesce', ['get', 'render_height'], 10]],
          'fill-extrusion-base': ['coalesce', ['get', 'render_min_height'], 0],
          'fill-extrusion-opacity': 0.85,
        },
      },
      {
        id: 'label-waterway', type: 'symbol', source: src, 'source-layer': 'waterway', minzoom: 11,
        layout: { 'symbol-placement': 'line', 'text-field': name, 'text-font': FONT_STACK, 'text-size': 14, 'symbol-spacing': 500, 'text-letter-spacing': 0.4 },
        paint: { 'text-color': '#5fa4dc', ...halo },
      },
      {
        id: 'label-road', type: 'symbol', source: src, 'source-layer': 'transportation_name', minzoom: 12,
        filter: ['!=', ['get', 'class'], 'rail'],
        layout: { 'symbol-placement': 'line', 'text-field': name, 'text-font': FONT_STACK, 'text-size': ['interpolate', ['linear'], ['zoom'], 12, 11, 16, 15], 'symbol-spacing': 400 },
        paint: { 'text-color': C.label, ...halo, 'text-opacity': 0.85 },
      },
      {
        id: 'label-water', type: 'symbol', source: src, 'source-layer': 'water_name', minzoom: 12,
        layout: { 'text-field': name, 'text-font': FONT_STACK, 'text-size': 12 },
        paint: { 'text-color': '#5fa4dc', ...halo },
      },
      {
        id: 'label-park', type: 'symbol', source: src, 'source-layer': 'park', minzoom: 13,
        filter: ['==', ['geometry-type'], 'Point'],
        layout: { 'text-field': name, 'text-font': FONT_STACK, 'text-size': 12 },
        paint: { 'text-color': '#5fae8c', ...halo },
      },
      {
        id: 'label-place', type: 'symbol', source: src, 'source-layer': 'place', minzoom: 12,
        filter: ['match', ['get', 'class'], ['quarter', 'neighbourhood', 'village', 'hamlet'], true, false],
        layout: { 'text-field': name, 'text-font': FONT_STACK, 'text-size': 13 },
        paint: { 'text-color': '#7f9cc0', ...halo },
      },
      // Landmarks and public services a duty officer steers by; shops and cafés only close up,
      // and quieter, so a real city's thousands of POIs do not bury the wall's own layers.
      {
        id: 'label-poi', type: 'symbol', source: src, 'source-layer': 'poi', minzoom: 12,
        filter: ['match', ['get', 'class'], LANDMARK_CLASSES, true, false],
        layout: { 'text-field': name, 'text-font': FONT_STACK, 'text-size': 13 },
        paint: { 'text-color': '#c7d6ea', ...halo },
      },
      {
        id: 'label-poi-minor', type: 'symbol', source: src, 'source-layer': 'poi', minzoom: 17,
        filter: ['match', ['get', 'class'], LANDMARK_CLASSES, false, true],
        layout: { 'text-field': name, 'text-font': FONT_STACK, 'text-size': 11 },
        paint: { 'text-color': '#7f93ad', ...halo },
      },
      {
        id: 'label-district', type: 'symbol', source: src, 'source-layer': 'place', maxzoom: 13.5,
        filter: ['match', ['get', 'class'], ['suburb', 'town', 'city'], true, false],
        layout: { 'text-field': name, 'text-font': FONT_STACK, 'text-size': ['interpolate', ['linear'], ['zoom'], 10, 16, 13, 24], 'text-letter-spacing': 0.3 },
        paint: { 'text-color': '#6f9fd8', 'text-halo-color': C.halo, 'text-halo-width': 2, 'text-opacity': 0.9 },
      },
    ],
  } as StyleSpecification;
}

/** The URL scheme the wall's map asks the engine for basemap tiles by. */
export const BASEMAP_SCHEME = 'cwbase';

/** A city's raster basemap under the wall's overlays: tiles through the engine, dimmed and
 * desaturated (unless the config says not) so the live layers stay what the eye finds first. */
export function rasterStyle(b: BasemapInfo): StyleSpecification {
  const dim = b.dim ? { 'raster-brightness-max': 0.36, 'raster-saturation': -0.5, 'raster-contrast': 0.2 } : {};
  return {
    version: 8,
    name: 'CityWall raster',
    sources: {
      basemap: { type: 'raster', tiles: [`${BASEMAP_SCHEME}://{z}/{x}/{y}`], tileSize: b.tile_size, minzoom: b.min_zoom, maxzoom: b.max_zoom, ...(b.attribution ? { attribution: b.attribution } : {}) },
    },
    layers: [
      { id: 'background', type: 'background', paint: { 'background-color': C.bg } },
      { id: 'basemap', type: 'raster', source: 'basemap', paint: { 'raster-fade-duration': 0, ...dim } },
    ],
  };
}

/** The wall's background alone: no basemap is configured, or it cannot be drawn. */
export function bareStyle(): StyleSpecification {
  return { version: 8, name: 'CityWall bare', sources: {}, layers: [{ id: 'background', type: 'background', paint: { 'background-color': C.bg } }] };
}

/** The style for the configured basemap, and why there is none when there is none. */
export async function basemapStyle(b: BasemapInfo | null | undefined, cityStyle: () => Promise<unknown>): Promise<{ style: StyleSpecification; problem: string | null }> {
  if (!b) return { style: bareStyle(), problem: tr('noBasemap') };
  if (b.error) return { style: bareStyle(), problem: `${tr('basemapDown')}: ${b.error}` };
  const mismatch = b.mismatch ? `${tr('basemapElsewhere')}: ${b.mismatch}` : null;
  if (b.kind === 'vector') return { style: style(b), problem: mismatch };
  if (b.kind === 'raster') return { style: rasterStyle(b), problem: mismatch };
  try {
    return { style: (await cityStyle()) as StyleSpecification, problem: null };
  } catch (e) {
    return { style: bareStyle(), problem: `${tr('basemapStyleFailed')}: ${e instanceof Error ? e.message : String(e)}` };
  }
}
