// MapLibre set-up for the wall: the basemap, a source and the catalogue's styles for each drawn
// layer (bottom to top), the view-mode and warning overlays, clicks that open details or
// clusters, and the MapPort the state modules reach the map through.

import * as maplibregl from 'maplibre-gl';
import type { GeoJSONSource, MapGeoJSONFeature, VectorTileSource } from 'maplibre-gl';
import type { GeoFeature } from '../../types';
import type { Wall } from '../wall.svelte';
import { drawOrder, layerDef, styleIds } from '../layers/catalogue';
import { BASEMAP_SCHEME, basemapStyle, LOCAL_FONTS } from './basemap';
import { AREA_LAYERS, caseLayers, fovImages, heatLayer, ON_WALL_LAYERS, warningLayers } from './overlays';
import type { MapPort } from './port';
import { SourceMirror } from './diff';
import { scaleLayer } from '../layout/scale';
import { maskOf } from '../centres/mask';

const EMPTY = { type: 'FeatureCollection' as const, features: [] };
let protocolAdded = false;

/** Vector tiles of the big layers, and a raster basemap's tiles, come through the transport (HTTP
 * or Tauri IPC): the wall reaches nothing but the engine. */
function addTileProtocol(wall: Wall) {
  if (protocolAdded) return;
  protocolAdded = true;
  maplibregl.addProtocol('cw', async (params) => {
    const m = /^cw:\/\/([a-z0-9_-]+)\/(\d+)\/(\d+)\/(\d+)/.exec(params.url);
    if (!m) throw new Error(`bad tile url ${params.url}`);
    return { data: await wall.transport.tile(m[1], Number(m[2]), Number(m[3]), Number(m[4])) };
  });
  maplibregl.addProtocol(BASEMAP_SCHEME, async (params) => {
    const m = /^cwbase:\/\/(\d+)\/(\d+)\/(\d+)/.exec(params.url);
    if (!m) throw new Error(`bad basemap tile url ${params.url}`);
    return { data: await wall.transport.basemapTile(Number(m[1]), Number(m[2]), Number(m[3])) };
  });
}

export async function createMap(container: HTMLElement, wall: Wall): Promise<maplibregl.Map> {
  addTileProtocol(wall);
  const basemap = await basemapStyle(wall.meta?.basemap, () => wall.transport.basemapStyle());
  wall.notices.basemap = basemap.problem;
  // Labels, icons and circles at the wall's scale: the basemap's here, every layer added later
  // through addLayer (MapLibre sizes them in CSS px, which a 4K wall read from 3 m shrinks).
  const k = wall.layout.scale.map;
  basemap.style = { ...basemap.style, layers: basemap.style.layers.map((l) => scaleLayer(l, k)) };
  const map = new maplibregl.Map({
    container,
    style: basemap.style,
    bounds: wall.cityBounds,
    fitBoundsOptions: { padding: 20 },
    pitch: 0,
    maxPitch: 70,
    // Labels appear without a fade: every fade is a run of extra frames, and a wall drawing with
    // software GL cannot spare them.
    fadeDuration: 0,
    localIdeographFontFamily: LOCAL_FONTS,
    attributionControl: { compact: true },
    pixelRatio: Math.min(window.devicePixelRatio || 1, 2),
  });
  const addLayer = map.addLayer.bind(map);
  map.addLayer = (layer, before) => addLayer(layer.type === 'custom' ? layer : scaleLayer(layer, k), before);
  map.addControl(new maplibregl.NavigationControl({ visualizePitch: true }), 'top-right');
  map.addControl(new maplibregl.ScaleControl({ unit: 'metric', maxWidth: 100 * k }), 'bottom-right');
  await map.once('load');
  addOverlays(map, wall);
  return map;
}

function addOverlays(map: maplibregl.Map, wall: Wall) {
  const drawn = drawOrder(wall.layers.ids);
  for (const [name, image] of Object.entries(fovImages())) map.addImage(name, image);
  for (const l of drawn) {
    if (layerDef(l)?.tiled) map.addSource(l, { type: 'vector', tiles: [`cw://${l}/{z}/{x}/{y}`], minzoom: 0, maxzoom: 18 });
    else map.addSource(l, { type: 'geojson', data: EMPTY });
    for (const spec of layerDef(l)?.styles() ?? []) {
      map.addLayer(spec);
      if (!wall.layers.visible[l]) map.setLayoutProperty(spec.id, 'visibility', 'none');
    }
  }
  // A district's map veils what lies outside its area (its lists hold only its own).
  const area = wall.centres.ownArea;
  if (area) {
    map.addSource('centre-mask', { type: 'geojson', data: maskOf(area) });
    map.addLayer({ id: 'centre-mask', type: 'fill', source: 'centre-mask', paint: { 'fill-color': '#02060d', 'fill-opacity': 0.55 } });
  }
  // A parent's map colours each child's area by its state when 下级中心 asks (地图着色).
  map.addSource('centre-states', { type: 'geojson', data: EMPTY });
  map.addLayer({ id: 'centre-states', type: 'fill', source: 'centre-states', paint: { 'fill-color': ['get', 'colour'], 'fill-opacity': 0.28 } });
  map.addLayer({ id: 'centre-states-edge', type: 'line', source: 'centre-states', paint: { 'line-color': ['get', 'colour'], 'line-width': 2 } });
  const events = wall.layers.byTemplate('incidents');
  if (events) map.addLayer(heatLayer(events), styleIds(events)[0]);
  map.addSource('areas', { type: 'geojson', data: EMPTY });
  const firstOverlay = drawn.flatMap((l) => styleIds(l))[0];
  for (const spec of AREA_LAYERS) map.addLayer(spec, spec.type === 'symbol' ? undefined : firstOverlay);
  map.addSource('cases', { type: 'geojson', data: EMPTY });
  for (const spec of caseLayers()) map.addLayer(spec);
  map.addSource('warnings', { type: 'geojson', data: EMPTY });
  for (const spec of warningLayers()) map.addLayer(spec);
  map.addSource('onwall', { type: 'geojson', data: EMPTY });
  for (const spec of ON_WALL_LAYERS) map.addLayer(spec);
  for (const l of drawn) for (const id of styleIds(l)) listen(map, wall, l, id);
}

function listen(map: maplibregl.Map, wall: Wall, layer: string, styleId: string) {
  map.on('click', styleId, (e) => {
    const f = e.features?.[0] as MapGeoJSONFeature | undefined;
    if (!f) return;
    const p = f.properties;
    // A cluster opens onto its extent; a tiled cluster onto the next zooms.
    if (p._cluster) {
      const extent = typeof p.extent === 'string' ? JSON.parse(p.extent) : p.extent;
      map.fitBounds(extent, { padding: 80, maxZoom: 17, duration: 900 });
    } else if (p.point_count) {
      map.flyTo({ center: e.lngLat, zoom: map.getZoom() + 2, duration: 900 });
    } else if (layerDef(layer)?.tiled) {
      // A tile carries the feature's properties but not the wall's copy: open it as drawn.
      const at: [number, number] = [e.lngLat.lng, e.lngLat.lat];
      const feature: GeoFeature = { type: 'Feature', id: String(p._id), geometry: { type: 'Point', coordinates: at }, properties: { ...p, _id: String(p._id), _source: layer, _stale: false } };
      wall.detail.open(layer, feature, at);
    } else wall.showDetail(layer, String(p._id));
  });
  map.on('mouseenter', styleId, () => (map.getCanvas().style.cursor = 'pointer'));
  map.on('mouseleave', styleId, () => (map.getCanvas().style.cursor = ''));
}

export function mapPort(map: maplibregl.Map): MapPort {
  const mirrors = new Map<string, SourceMirror>();
  return {
    bbox() {
      const b = map.getBounds();
      return [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()];
    },
    zoom: () => map.getZoom(),
    setData(source, data) {
      const src = map.getSource(source) as GeoJSONSource | undefined;
      if (!src) return;
      const fc = data as GeoJSON.FeatureCollection;
      let mirror = mirrors.get(source);
      if (!mirror) mirrors.set(source, (mirror = new SourceMirror()));
      const update = mirror.update(fc.features);
      if (update.kind === 'full') void src.setData(fc);
      else if (update.kind === 'diff') void src.updateData(update.diff);
    },
    setTiles(source, urls) {
      (map.getSource(source) as VectorTileSource | undefined)?.setTiles(urls);
    },
    setVisible(ids, on) {
      for (const id of ids) if (map.getLayer(id)) map.setLayoutProperty(id, 'visibility', on ? 'visible' : 'none');
    },
    flyTo(lon, lat, minZoom) {
      const moved = map.once('moveend');
      map.flyTo({ center: [lon, lat], zoom: Math.max(map.getZoom(), minZoom), duration: 1200 });
      return moved.then(() => undefined);
    },
    fitBounds(bbox) {
      map.fitBounds(bbox, { padding: 20, pitch: 0, bearing: 0, duration: 1000 });
    },
    isSourceLoaded: (source) => map.isSourceLoaded(source),
  };
}
