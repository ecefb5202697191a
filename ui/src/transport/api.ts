// What the wall asks of the engine, whichever way it reaches it (`http.ts`, `tauri.ts`): every
// endpoint of the engine's table as a typed call (`endpoints.gen.ts`, generated from it), and the
// few that carry bytes, a socket or a session.

import type { Delta, MediaRef, WhoAmI } from '../types';
import type { Endpoints } from './endpoints.gen';
import type { OnVideoFrame, OnVideoUnit, TileStatus, VideoLink, VideoMosaicPolicy } from './video';

/** The engine refused: `status` 401 (log in first), 403 (not allowed), 429 (locked) … */
export class EngineError extends Error {
  constructor(message: string, readonly status: number) {
    super(message);
  }
}

export interface Transport extends Endpoints {
  readonly name: 'tauri' | 'http';
  /** Who the engine takes this wall for, and whether it runs open. */
  whoami(): Promise<WhoAmI>;
  /** Logs in with a name and password, or a kiosk's token (browser mode). */
  login(credentials: { name: string; password: string } | { token: string }): Promise<WhoAmI>;
  logout(): Promise<void>;
  /** Keeps a photo (JPEG, PNG or WebP) for a case or step; answers the reference to send. */
  uploadMedia(photo: Blob): Promise<MediaRef>;
  /** An address an <img> can show a photo reference from (`/api/v1/media/…` or http(s)). */
  mediaSrc(reference: string): Promise<string>;
  /** Where the whole log downloads as CSV or JSON lines; null where the console cannot
   * download (the desktop app: `citywall audit export`). */
  auditExportUrl(format: 'csv' | 'jsonl'): string | null;
  /** One Mapbox Vector Tile of a big layer. */
  tile(layer: string, z: number, x: number, y: number): Promise<ArrayBuffer>;
  /** A tile of the city's own basemap (`[basemap]`), fetched by the engine. */
  basemapTile(z: number, x: number, y: number): Promise<ArrayBuffer>;
  /** Live video for a wall's tiles: each frame as it comes (tile, frame time, JPEG bytes), each
   * H.264 unit where the wall asked for them, and every tile's state once a second; null where
   * this transport carries no video yet. */
  video(onFrame: OnVideoFrame, onStatus: (tiles: TileStatus[]) => void, onUnit?: OnVideoUnit): VideoLink | null;
  /** From how many tiles this client takes its video wall as one engine-composited mosaic, and
   * the mosaic's largest size (README: which path each client gets, and why). */
  readonly videoMosaic: VideoMosaicPolicy;
  /** Calls `onDelta` for every delta; `onState` when the stream connects or drops. */
  subscribe(onDelta: (d: Delta) => void, onState: (connected: boolean) => void): () => void;
  /** The layers this wall draws (`null`: all): the stream carries feature deltas for those only. */
  streamLayers(layers: string[] | null): void;
}
