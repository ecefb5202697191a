// Browser mode: the engine's HTTP API, its delta stream and video over WebSockets, the session
// in an HttpOnly cookie.

import type { AuditRow, Bbox, Case, CaseDetail, CaseSummary, MediaRef, VideoLayout, VideoFocusTarget, OnWallCamera, Delta, FeatureCollection, GeoFeature, KpiSample, LayerInfo, Meta, NewCase, SearchHit, SourceStatus, StepInput, StepTaken, Summary, Warning, WhoAmI } from '../types';
import type { HistoryPoint } from '../lib/detail/model';
import { EngineError, type Transport } from './api';
import { BROWSER_MOSAIC, videoSocket, type OnVideoFrame, type OnVideoUnit, type TileStatus, type VideoLink } from './video';

export class HttpTransport implements Transport {
  readonly name = 'http' as const;
  constructor(private base: string) {}

  private async get<T>(path: string): Promise<T> {
    const response = await fetch(`${this.base}/api/v1/${path}`);
    if (!response.ok) {
      let message = `${response.status} ${response.statusText}`;
      try {
        message = (await response.json()).error ?? message;
      } catch {
        /* the status line is the best we have */
      }
      throw new EngineError(`${path}: ${message}`, response.status);
    }
    return response.json() as Promise<T>;
  }

  private async post<T>(path: string, body: unknown): Promise<T> {
    const response = await fetch(`${this.base}/api/v1/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const answer = await response.json().catch(() => ({}));
    if (!response.ok) throw new EngineError(answer.error ?? `${response.status} ${response.statusText}`, response.status);
    return answer as T;
  }

  whoami() { return this.get<WhoAmI>('whoami'); }
  async login(credentials: { name: string; password: string } | { token: string }) {
    // The engine answers with a session cookie (HttpOnly): every fetch, tile and the stream
    // carry it from here on; the page never holds the secret.
    await this.post('login', credentials);
    return this.whoami();
  }
  async logout() { await this.post('logout', {}); }
  cases(states: string[] = []) { return this.get<Case[]>(`cases${states.length ? `?state=${states.join(',')}` : ''}`); }
  caseSummary() { return this.get<CaseSummary>('cases/summary'); }
  createCase(c: NewCase) { return this.post<Case>('cases', c); }
  caseStep(id: string, action: string, input: StepInput) { return this.post<Case>(`cases/${encodeURIComponent(id)}/${encodeURIComponent(action)}`, input); }
  caseDetail(id: string) { return this.get<CaseDetail>(`cases/${encodeURIComponent(id)}`); }
  videoLayouts() { return this.get<VideoLayout[]>('video/layouts'); }
  saveVideoLayout(layout: VideoLayout) { return this.post<VideoLayout>('video/layouts', layout); }
  async focusVideo(focus: VideoFocusTarget) { await this.post('video/focus', focus); }
  videoOnWall() { return this.get<OnWallCamera[]>('video/onwall'); }
  async deleteVideoLayout(name: string) {
    const response = await fetch(`${this.base}/api/v1/video/layouts/${encodeURIComponent(name)}`, { method: 'DELETE' });
    if (!response.ok) throw new EngineError((await response.json().catch(() => ({}))).error ?? `${response.status}`, response.status);
  }
  async uploadMedia(photo: Blob) {
    const response = await fetch(`${this.base}/api/v1/media`, { method: 'POST', headers: { 'content-type': photo.type || 'application/octet-stream' }, body: photo });
    const answer = await response.json().catch(() => ({}));
    if (!response.ok) throw new EngineError(answer.error ?? `${response.status} ${response.statusText}`, response.status);
    return answer as MediaRef;
  }
  /** The session cookie goes with the image request: the reference itself is the address. */
  async mediaSrc(reference: string) { return reference; }
  auditLatest(limit: number) { return this.get<AuditRow[]>(`audit?latest=${limit}`); }
  auditExportUrl(format: 'csv' | 'jsonl') { return `${this.base}/api/v1/audit/export?format=${format}`; }

  meta() { return this.get<Meta>('meta'); }
  layers() { return this.get<LayerInfo[]>('layers'); }
  sources() { return this.get<SourceStatus[]>('sources'); }
  summary() { return this.get<Summary>('summary'); }
  search(q: string) { return this.get<SearchHit[]>(`search?q=${encodeURIComponent(q)}`); }
  features(layer: string, bbox: Bbox, zoom: number) {
    const b = bbox.map((v) => v.toFixed(6)).join(',');
    return this.get<FeatureCollection>(`features?layer=${encodeURIComponent(layer)}&bbox=${b}&zoom=${zoom.toFixed(2)}`);
  }
  warnings(all = false) { return this.get<Warning[]>(`warnings?state=${all ? 'all' : 'open'}`); }
  warningSteps(id: string) { return this.get<StepTaken[]>(`warnings/${encodeURIComponent(id)}/steps`); }
  takeStep(id: string, step: number, by: string) { return this.post<StepTaken[]>(`warnings/${encodeURIComponent(id)}/steps`, { step, by }); }
  async acknowledge(id: string, by: string) {
    const response = await fetch(`${this.base}/api/v1/warnings/${encodeURIComponent(id)}/ack`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ by }),
    });
    const body = await response.json();
    if (!response.ok) throw new Error(body.error ?? `${response.status}`);
    return body as Warning;
  }
  replay(layer: string, at: number, bbox: Bbox) {
    const b = bbox.map((v) => v.toFixed(6)).join(',');
    return this.get<FeatureCollection>(`replay?layer=${encodeURIComponent(layer)}&at=${Math.round(at)}&bbox=${b}`);
  }
  replaySpan() { return this.get<{ from: number | null; to: number }>('replay/span'); }
  replayWarnings(at: number) { return this.get<Warning[]>(`replay/warnings?at=${Math.round(at)}`); }
  replaySummary(at: number) { return this.get<Summary>(`replay/summary?at=${Math.round(at)}`); }
  history(layer: string, id: string, since: number) {
    return this.get<HistoryPoint[]>(`history?layer=${encodeURIComponent(layer)}&id=${encodeURIComponent(id)}&since=${Math.round(since)}`);
  }
  summarySeries(since?: number) { return this.get<KpiSample[]>(`summary/series${since === undefined ? '' : `?since=${Math.round(since)}`}`); }
  camerasNearest(lon: number, lat: number, k: number) { return this.get<GeoFeature[]>(`cameras/nearest?lon=${lon}&lat=${lat}&k=${k}`); }
  regions(level: string) { return this.get<GeoJSON.FeatureCollection>(`regions?level=${level}`); }
  aggregate(layer: string, level: string, since?: number) {
    return this.get<{ max: number; regions: { id: string; name: string; count: number }[] }>(`aggregate?layer=${layer}&level=${level}${since ? `&since=${Math.round(since)}` : ''}`);
  }
  async tile(layer: string, z: number, x: number, y: number) {
    const response = await fetch(`${this.base}/tiles/${encodeURIComponent(layer)}/${z}/${x}/${y}.mvt`);
    if (!response.ok) throw new Error(`tile ${layer}/${z}/${x}/${y}: ${response.status}`);
    return response.arrayBuffer();
  }
  async basemapTile(z: number, x: number, y: number) {
    const response = await fetch(`${this.base}/basemap/${z}/${x}/${y}`);
    if (!response.ok) throw new Error(`basemap ${z}/${x}/${y}: ${response.status}`);
    return response.arrayBuffer();
  }
  basemapStyle() { return this.get<unknown>('basemap/style'); }

  readonly videoMosaic = BROWSER_MOSAIC;

  video(onFrame: OnVideoFrame, onStatus: (tiles: TileStatus[]) => void, onUnit?: OnVideoUnit): VideoLink {
    return videoSocket(async () => `${this.base.replace(/^http/, 'ws')}/api/v1/video`, onFrame, onStatus, onUnit);
  }

  private socket: WebSocket | null = null;
  private streamed: string[] | null = null;

  streamLayers(layers: string[] | null) {
    this.streamed = layers;
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify({ type: 'layers', layers }));
  }

  subscribe(onDelta: (d: Delta) => void, onState: (connected: boolean) => void) {
    let socket: WebSocket | null = null;
    let closed = false;
    let retry = 500;
    const open = () => {
      const url = `${this.base.replace(/^http/, 'ws')}/api/v1/stream`;
      socket = this.socket = new WebSocket(url);
      socket.onopen = () => {
        retry = 500;
        // A new connection starts with every layer: say again which ones this wall draws.
        if (this.streamed) socket?.send(JSON.stringify({ type: 'layers', layers: this.streamed }));
        onState(true);
      };
      socket.onmessage = (e) => {
        try { onDelta(JSON.parse(e.data as string) as Delta); } catch { /* a malformed frame is skipped */ }
      };
      socket.onclose = () => {
        onState(false);
        if (!closed) setTimeout(open, (retry = Math.min(retry * 2, 10_000)));
      };
    };
    open();
    return () => { closed = true; socket?.close(); };
  }
}
