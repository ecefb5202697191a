// Browser mode: the engine's HTTP API, its delta stream and video over WebSockets, the session
// in an HttpOnly cookie.

import type { Delta, MediaRef, WhoAmI } from '../types';
import { ENDPOINTS, endpointCalls, type EndpointName, type EndpointSpec, type Endpoints } from './endpoints.gen';
import { EngineError, type Transport } from './api';
import { BROWSER_MOSAIC, videoSocket, type OnVideoFrame, type OnVideoUnit, type TileStatus, type VideoLink } from './video';

export interface HttpTransport extends Endpoints {}

export class HttpTransport implements Transport {
  readonly name = 'http' as const;
  constructor(private base: string) {
    Object.assign(this, endpointCalls((name, args) => this.send(name, args)));
  }

  /** Throws the engine's refusal, `{status, error}`, as an [`EngineError`]. */
  private async refusal(response: Response, label: string): Promise<never> {
    let message = `${response.status} ${response.statusText}`;
    try {
      message = (await response.json()).error ?? message;
    } catch {
      /* the status line is the best we have */
    }
    throw new EngineError(`${label}: ${message}`, response.status);
  }

  /** One endpoint of the table: its `{params}` from the arguments of the same name, the rest in
   * the query (GET, DELETE) or the JSON body (POST). */
  private async send(name: EndpointName, args: Record<string, unknown>): Promise<unknown> {
    const spec: EndpointSpec = ENDPOINTS[name];
    const rest = new Map(Object.entries(args).filter(([, v]) => v !== undefined && v !== null));
    const path = spec.path.replace(/\{(\w+)\}/g, (_, key: string) => {
      const value = rest.get(key);
      rest.delete(key);
      return encodeURIComponent(String(value ?? ''));
    });
    let url = `${this.base}${path}`;
    const init: RequestInit = { method: spec.method };
    if (spec.method === 'POST') {
      const body = spec.body === null ? Object.fromEntries(rest) : rest.get(spec.body) ?? {};
      init.headers = { 'content-type': 'application/json' };
      init.body = JSON.stringify(body);
    } else {
      const query = new URLSearchParams();
      for (const [key, value] of rest) {
        if (Array.isArray(value) && value.length === 0) continue;
        query.set(key, Array.isArray(value) ? value.join(',') : String(value));
      }
      if ([...query.keys()].length > 0) url += `?${query}`;
    }
    const response = await fetch(url, init);
    if (!response.ok) return this.refusal(response, name);
    return response.json();
  }

  private async post<T>(path: string, body: unknown): Promise<T> {
    const response = await fetch(`${this.base}/api/v1/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (!response.ok) return this.refusal(response, path);
    return response.json() as Promise<T>;
  }

  async whoami() {
    const response = await fetch(`${this.base}/api/v1/whoami`);
    if (!response.ok) return this.refusal(response, 'whoami');
    return response.json() as Promise<WhoAmI>;
  }
  async login(credentials: { name: string; password: string } | { token: string }) {
    // The engine answers with a session cookie (HttpOnly): every fetch, tile and the stream
    // carry it from here on; the page never holds the secret.
    await this.post('login', credentials);
    return this.whoami();
  }
  async logout() { await this.post('logout', {}); }
  async uploadMedia(photo: Blob) {
    const response = await fetch(`${this.base}/api/v1/media`, { method: 'POST', headers: { 'content-type': photo.type || 'application/octet-stream' }, body: photo });
    if (!response.ok) return this.refusal(response, 'media');
    return response.json() as Promise<MediaRef>;
  }
  /** The session cookie goes with the image request: the reference itself is the address. */
  async mediaSrc(reference: string) { return reference; }
  auditExportUrl(format: 'csv' | 'jsonl') { return `${this.base}/api/v1/audit/export?format=${format}`; }
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
