// What the wall asks of the engine, whichever way it reaches it (`http.ts`, `tauri.ts`).

import type { AuditRow, Bbox, Case, CaseDetail, CaseSummary, MediaRef, VideoLayout, VideoFocusTarget, OnWallCamera, Delta, FeatureCollection, GeoFeature, KpiSample, LayerInfo, Meta, NewCase, SearchHit, SourceStatus, StepInput, StepTaken, Summary, Warning, WhoAmI } from '../types';
import type { HistoryPoint } from '../lib/detail/model';
import type { OnVideoFrame, OnVideoUnit, TileStatus, VideoLink, VideoMosaicPolicy } from './video';

/** The engine refused: `status` 401 (log in first), 403 (not allowed), 429 (locked) … */
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
  /** The steps of its procedure taken on a warning; taking one records it (audited). */
  warningSteps(id: string): Promise<StepTaken[]>;
  takeStep(id: string, step: number, by: string): Promise<StepTaken[]>;
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
  /** Live video for a wall's tiles: each frame as it comes (tile, frame time, JPEG bytes), each
   * H.264 unit where the wall asked for them, and every tile's state once a second; null where
   * this transport carries no video yet. */
  video(onFrame: OnVideoFrame, onStatus: (tiles: TileStatus[]) => void, onUnit?: OnVideoUnit): VideoLink | null;
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
