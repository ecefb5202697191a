// The one module that knows how the wall reaches the engine: Tauri IPC inside the desktop app,
// HTTP + WebSocket in browser mode. Everything else talks to the `Transport` interface.

import type { AuditRow, Bbox, Case, CaseDetail, CaseSummary, MediaRef, VideoLayout, VideoFocusTarget, OnWallCamera, Delta, FeatureCollection, GeoFeature, KpiSample, LayerInfo, Meta, NewCase, SearchHit, SourceStatus, StepInput, Summary, Warning, WhoAmI } from './types';
import type { HistoryPoint } from './lib/detail/model';

/** The engine refused: `status` 401 (log in first), 403 (not allowed), 429 (locked) … */
/** A tile of the video wall as the engine reports it. */
export interface TileStatus {
  tile: number;
  camera: string;
  state: 'live' | 'offline' | 'connecting' | 'unavailable';
  fps: number;
  /** When its newest frame arrived (Unix ms). */
  at: number | null;
  error: string | null;
}

/** What a video wall shows: the camera of each tile (`main`: its main stream, for a big tile). */
/** A client's grid for an engine-composited mosaic: its size in pixels and each tile's picture
 * rectangle `[x, y, w, h]`, in the order of the tiles. */
export interface MosaicGrid {
  width: number;
  height: number;
  rects: [number, number, number, number][];
}

/** When a client takes the mosaic (from `from` tiles) and how large (`max`, CSS px of its grid
 * scaled down to fit). */
export interface VideoMosaicPolicy {
  from: number;
  max: { width: number; height: number };
}

/** Chromium decodes ≈ 750 small JPEG frames a second here: a 25-split's 300 frames/s of its own
 * tiles cost it about one core, less than one full-HD mosaic's decode plus the engine's
 * painting and encoding; the mosaic only when asked for (`?video=mosaic`). */
const BROWSER_MOSAIC: VideoMosaicPolicy = { from: Infinity, max: { width: 1600, height: 900 } };

/** WebKitGTK decodes only ≈ 15–19 million JPEG pixels a second here, beside the desktop's map
 * window and its software GL: a mosaic from four tiles on, no larger than 1280×720 (a 25-split's
 * tiles at 256×144, about a sub-stream), which it can draw at the cameras' rate. */
const DESKTOP_MOSAIC: VideoMosaicPolicy = { from: 4, max: { width: 1280, height: 720 } };

/** The tile number of a mosaic frame. */
export const MOSAIC_TILE = 255;

/** A frame of a tile, or of the mosaic (`tile` = MOSAIC_TILE, `painted`: the indexes of the
 * tiles it painted anew, in the order they were asked for). */
export type OnVideoFrame = (tile: number, at: number, jpeg: Uint8Array, painted?: number[]) => void;

export interface VideoLink {
  /** `reason`: why (linkage, operator, maximise), for the audit log; `mosaic`: composite the
   * tiles into one picture for this grid. */
  tiles(tiles: { tile: number; camera: string; main?: boolean }[], reason: string, mosaic?: MosaicGrid): void;
  close(): void;
}

export class EngineError extends Error {
  constructor(message: string, readonly status: number) {
    super(message);
  }
}

export interface Transport {
  readonly name: 'tauri' | 'http';
  /** Who the engine takes this wall for, and whether it runs open. */
  whoami(): Promise<WhoAmI>;
  /** Logs in with a name and password, or a kiosk's token (browser mode). */
  login(credentials: { name: string; password: string } | { token: string }): Promise<WhoAmI>;
  logout(): Promise<void>;
  /** The incident loop: open cases newest first, its numbers, a new case, a step on one. */
  cases(states?: string[]): Promise<Case[]>;
  caseSummary(): Promise<CaseSummary>;
  createCase(c: NewCase): Promise<Case>;
  caseStep(id: string, action: string, input: StepInput): Promise<Case>;
  /** One case with every step it took (its timeline). */
  caseDetail(id: string): Promise<CaseDetail>;
  /** Keeps a photo (JPEG, PNG or WebP) for a case or step; answers the reference to send. */
  uploadMedia(photo: Blob): Promise<MediaRef>;
  /** An address an <img> can show a photo reference from (`/api/v1/media/…` or http(s)). */
  mediaSrc(reference: string): Promise<string>;
  /** The latest rows of the audit log, newest first. */
  auditLatest(limit: number): Promise<AuditRow[]>;
  /** Where the whole log downloads as CSV or JSON lines; null where the console cannot
   * download (the desktop app: `citywall audit export`). */
  auditExportUrl(format: 'csv' | 'jsonl'): string | null;
  meta(): Promise<Meta>;
  layers(): Promise<LayerInfo[]>;
  features(layer: string, bbox: Bbox, zoom: number): Promise<FeatureCollection>;
  sources(): Promise<SourceStatus[]>;
  summary(): Promise<Summary>;
  search(q: string): Promise<SearchHit[]>;
  /** Open warnings (all = cleared ones too), most severe first. */
  warnings(all?: boolean): Promise<Warning[]>;
  acknowledge(id: string, by: string): Promise<Warning>;
  /** One Mapbox Vector Tile of a big layer. */
  tile(layer: string, z: number, x: number, y: number): Promise<ArrayBuffer>;
  /** A tile of the city's own basemap (`[basemap]`), fetched by the engine. */
  basemapTile(z: number, x: number, y: number): Promise<ArrayBuffer>;
  /** The city's own MapLibre style (`[basemap] style`), read or fetched by the engine. */
  basemapStyle(): Promise<unknown>;
  /** Replay: a layer as it stood at `at` (data clock ms), from the stored history. */
  replay(layer: string, at: number, bbox: Bbox): Promise<FeatureCollection>;
  replaySpan(): Promise<{ from: number | null; to: number }>;
  replayWarnings(at: number): Promise<Warning[]>;
  replaySummary(at: number): Promise<Summary>;
  /** One feature's recorded states since `since` (data clock ms). */
  history(layer: string, id: string, since: number): Promise<HistoryPoint[]>;
  /** The headline numbers' trend; with `since` (data clock ms) only what came after it. */
  summarySeries(since?: number): Promise<KpiSample[]>;
  /** Cameras best placed to see a point: those whose field of view covers it first. */
  camerasNearest(lon: number, lat: number, k: number): Promise<GeoFeature[]>;
  regions(level: string): Promise<GeoJSON.FeatureCollection>;
  aggregate(layer: string, level: string, since?: number): Promise<{ max: number; regions: { id: string; name: string; count: number }[] }>;
  /** Live video for a wall's tiles: each frame as it comes (tile, frame time, JPEG bytes) and
   * every tile's state once a second; null where this transport carries no video yet. */
  video(onFrame: OnVideoFrame, onStatus: (tiles: TileStatus[]) => void): VideoLink | null;
  /** From how many tiles this client takes its video wall as one engine-composited mosaic, and
   * the mosaic's largest size (README: which path each client gets, and why). */
  readonly videoMosaic: VideoMosaicPolicy;
  /** The video wall's saved layouts (预案) and tours; save one (replacing its namesake); delete one. */
  videoLayouts(): Promise<VideoLayout[]>;
  saveVideoLayout(layout: VideoLayout): Promise<VideoLayout>;
  /** Asks every video screen to show the cameras best placed to see a place. */
  focusVideo(focus: VideoFocusTarget): Promise<void>;
  /** The cameras the walls' video tiles show now (the map marks them). */
  videoOnWall(): Promise<OnWallCamera[]>;
  deleteVideoLayout(name: string): Promise<void>;
  /** Calls `onDelta` for every delta; `onState` when the stream connects or drops. */
  subscribe(onDelta: (d: Delta) => void, onState: (connected: boolean) => void): () => void;
  /** The layers this wall draws (`null`: all): the stream carries feature deltas for those only. */
  streamLayers(layers: string[] | null): void;
}

class HttpTransport implements Transport {
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

  video(onFrame: OnVideoFrame, onStatus: (tiles: TileStatus[]) => void): VideoLink {
    return videoSocket(async () => `${this.base.replace(/^http/, 'ws')}/api/v1/video`, onFrame, onStatus);
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

class TauriTransport implements Transport {
  readonly name = 'tauri' as const;
  private async call<T>(cmd: string, args?: Record<string, unknown> | Uint8Array): Promise<T> {
    const { invoke } = await import('@tauri-apps/api/core');
    try {
      return await invoke<T>(cmd, args);
    } catch (e) {
      throw new Error(`${cmd}: ${String(e)}`);
    }
  }
  whoami() { return this.call<WhoAmI>('whoami'); }
  /** The desktop wall is its console's: there is no one else to log in as. */
  login(): Promise<WhoAmI> { return this.whoami(); }
  async logout() {}
  cases(states: string[] = []) { return this.call<Case[]>('cases', { states }); }
  caseSummary() { return this.call<CaseSummary>('case_summary'); }
  createCase(c: NewCase) { return this.call<Case>('create_case', { case: c }); }
  caseStep(id: string, action: string, input: StepInput) { return this.call<Case>('case_step', { id, action, input }); }
  caseDetail(id: string) { return this.call<CaseDetail>('case', { id }); }
  videoLayouts() { return this.call<VideoLayout[]>('video_layouts'); }
  saveVideoLayout(layout: VideoLayout) { return this.call<VideoLayout>('save_video_layout', { layout }); }
  async focusVideo(focus: VideoFocusTarget) { await this.call('video_focus', { focus }); }
  videoOnWall() { return this.call<OnWallCamera[]>('video_on_wall'); }
  async deleteVideoLayout(name: string) { await this.call('delete_video_layout', { name }); }
  async uploadMedia(photo: Blob) {
    return this.call<MediaRef>('upload_media', new Uint8Array(await photo.arrayBuffer()));
  }
  /** The desktop window has no HTTP server: a stored photo comes over IPC into an object URL. */
  private photos = new Map<string, string>();
  async mediaSrc(reference: string) {
    const id = reference.startsWith('/api/v1/media/') ? reference.slice('/api/v1/media/'.length) : null;
    if (id === null) return reference;
    let src = this.photos.get(id);
    if (!src) {
      const bytes = await this.call<ArrayBuffer>('media', { id });
      src = URL.createObjectURL(new Blob([bytes]));
      this.photos.set(id, src);
    }
    return src;
  }
  auditLatest(limit: number) { return this.call<AuditRow[]>('audit_latest', { limit }); }
  auditExportUrl() { return null; }
  meta() { return this.call<Meta>('meta'); }
  layers() { return this.call<LayerInfo[]>('layers'); }
  sources() { return this.call<SourceStatus[]>('sources'); }
  summary() { return this.call<Summary>('summary'); }
  search(q: string) { return this.call<SearchHit[]>('search', { q }); }
  features(layer: string, bbox: Bbox, zoom: number) {
    return this.call<FeatureCollection>('features', { layer, bbox, zoom });
  }
  warnings(all = false) { return this.call<Warning[]>('warnings', { all }); }
  acknowledge(id: string, by: string) { return this.call<Warning>('acknowledge', { id, by }); }
  tile(layer: string, z: number, x: number, y: number) { return this.call<ArrayBuffer>('tile', { layer, z, x, y }); }
  basemapTile(z: number, x: number, y: number) { return this.call<ArrayBuffer>('basemap_tile', { z, x, y }); }
  basemapStyle() { return this.call<unknown>('basemap_style'); }
  replay(layer: string, at: number, bbox: Bbox) { return this.call<FeatureCollection>('replay', { layer, at: Math.round(at), bbox }); }
  replaySpan() { return this.call<{ from: number | null; to: number }>('replay_span'); }
  replayWarnings(at: number) { return this.call<Warning[]>('replay_warnings', { at: Math.round(at) }); }
  replaySummary(at: number) { return this.call<Summary>('replay_summary', { at: Math.round(at) }); }
  history(layer: string, id: string, since: number) { return this.call<HistoryPoint[]>('history', { layer, id, since: Math.round(since) }); }
  summarySeries(since?: number) { return this.call<KpiSample[]>('summary_series', { since: since === undefined ? null : Math.round(since) }); }
  camerasNearest(lon: number, lat: number, k: number) { return this.call<GeoFeature[]>('cameras_nearest', { lon, lat, k }); }
  regions(level: string) { return this.call<GeoJSON.FeatureCollection>('regions', { level }); }
  aggregate(layer: string, level: string, since?: number) {
    return this.call<{ max: number; regions: { id: string; name: string; count: number }[] }>('aggregate', { layer, level, since: since ? Math.round(since) : null });
  }
  /** Frames are too many for IPC: the engine serves the window's tiles on a loopback WebSocket,
   * signed in with a token this window gets over IPC. */
  readonly videoMosaic = DESKTOP_MOSAIC;

  video(onFrame: OnVideoFrame, onStatus: (tiles: TileStatus[]) => void): VideoLink {
    return videoSocket(() => this.call<string>('video_endpoint'), onFrame, onStatus);
  }
  streamLayers(layers: string[] | null) {
    this.call('stream_layers', { layers }).catch(() => { /* an older engine streams every layer */ });
  }
  subscribe(onDelta: (d: Delta) => void, onState: (connected: boolean) => void) {
    let unlisten: (() => void) | null = null;
    let stopped = false;
    import('@tauri-apps/api/event').then(async ({ listen }) => {
      const un = await listen<Delta>('citywall://delta', (e) => onDelta(e.payload));
      if (stopped) un(); else { unlisten = un; onState(true); }
    });
    return () => { stopped = true; unlisten?.(); };
  }
}

/** The video wall's one WebSocket (`url` says where, asked again on each reconnect): the tiles
 * wanted go out, each tile's newest frame (tile u8, seq u32, time i64, JPEG) — or the mosaic
 * (255, seq u32, time i64, tiles painted u64, JPEG) — and every tile's state once a second come
 * in. It reconnects by itself and asks for the tiles again. */
function videoSocket(url: () => Promise<string>, onFrame: OnVideoFrame, onStatus: (tiles: TileStatus[]) => void): VideoLink {
  let wanted = '{"type":"tiles","tiles":[]}';
  let socket: WebSocket | null = null;
  let closed = false;
  let retry = 500;
  const again = () => { if (!closed) setTimeout(open, (retry = Math.min(retry * 2, 10_000))); };
  const open = async () => {
    let where: string;
    try { where = await url(); } catch { again(); return; }
    if (closed) return;
    socket = new WebSocket(where);
    socket.binaryType = 'arraybuffer';
    socket.onopen = () => { retry = 500; socket?.send(wanted); };
    socket.onmessage = (e) => {
      if (e.data instanceof ArrayBuffer) {
        const bytes = new Uint8Array(e.data);
        const view = new DataView(e.data);
        if (bytes[0] === MOSAIC_TILE && bytes.length > 21) {
          const high = view.getUint32(13);
          const low = view.getUint32(17);
          const painted: number[] = [];
          for (let i = 0; i < 64; i++) if ((i < 32 ? low >>> i : high >>> (i - 32)) & 1) painted.push(i);
          onFrame(MOSAIC_TILE, Number(view.getBigInt64(5)), bytes.subarray(21), painted);
        } else if (bytes.length > 13) onFrame(bytes[0], Number(view.getBigInt64(5)), bytes.subarray(13));
        return;
      }
      try {
        const m = JSON.parse(e.data as string);
        if (m.type === 'status') onStatus(m.tiles as TileStatus[]);
      } catch { /* a malformed message is skipped */ }
    };
    socket.onclose = again;
  };
  void open();
  return {
    tiles(tiles, reason, mosaic) {
      wanted = JSON.stringify({ type: 'tiles', tiles, reason, mosaic });
      if (socket?.readyState === WebSocket.OPEN) socket.send(wanted);
    },
    close() { closed = true; socket?.close(); },
  };
}

export function pickTransport(): Transport {
  if ('__TAURI_INTERNALS__' in window) return new TauriTransport();
  return new HttpTransport(window.location.origin);
}
