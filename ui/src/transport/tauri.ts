// The desktop app: Tauri IPC to the engine in the same process; video on the app's loopback
// WebSocket.

import type { Delta, MediaRef, WhoAmI } from '../types';
import { ENDPOINTS, endpointCalls, type Endpoints } from './endpoints.gen';
import { EngineError, type Transport } from './api';
import { DESKTOP_MOSAIC, videoSocket, type OnVideoFrame, type OnVideoUnit, type TileStatus, type VideoLink } from './video';

export interface TauriTransport extends Endpoints {}

export class TauriTransport implements Transport {
  readonly name = 'tauri' as const;
  constructor() {
    // Each endpoint of the table goes through the command its entry names: `query` (what a
    // screen that only shows may ask) or `operate`.
    Object.assign(this, endpointCalls((endpoint, args) => this.call(ENDPOINTS[endpoint].command, { endpoint, args }, endpoint)));
  }
  private async call<T>(cmd: string, args?: Record<string, unknown> | Uint8Array, label = cmd): Promise<T> {
    const { invoke } = await import('@tauri-apps/api/core');
    try {
      return await invoke<T>(cmd, args);
    } catch (e) {
      // The engine refuses with the HTTP server's shape, `{status, error}`.
      const refusal = e as { status?: unknown; error?: unknown } | null;
      if (refusal && typeof refusal === 'object' && typeof refusal.status === 'number') {
        throw new EngineError(`${label}: ${String(refusal.error)}`, refusal.status);
      }
      throw new Error(`${label}: ${String(e)}`);
    }
  }
  whoami() { return this.call<WhoAmI>('whoami'); }
  /** The desktop wall is its console's: there is no one else to log in as. */
  login(): Promise<WhoAmI> { return this.whoami(); }
  async logout() {}
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
  auditExportUrl() { return null; }
  tile(layer: string, z: number, x: number, y: number) { return this.call<ArrayBuffer>('tile', { layer, z, x, y }); }
  basemapTile(z: number, x: number, y: number) { return this.call<ArrayBuffer>('basemap_tile', { z, x, y }); }
  /** Frames are too many for IPC: the engine serves the window's tiles on a loopback WebSocket,
   * signed in with a token this window gets over IPC. */
  readonly videoMosaic = DESKTOP_MOSAIC;

  video(onFrame: OnVideoFrame, onStatus: (tiles: TileStatus[]) => void, onUnit?: OnVideoUnit): VideoLink {
    return videoSocket(() => this.call<string>('video_endpoint'), onFrame, onStatus, onUnit);
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
