// The desktop app: Tauri IPC to the engine in the same process; video on the app's loopback
// WebSocket.

import type { AuditRow, Bbox, Case, CaseDetail, CaseSummary, MediaRef, VideoLayout, VideoFocusTarget, OnWallCamera, Delta, FeatureCollection, GeoFeature, KpiSample, LayerInfo, Meta, NewCase, SearchHit, SourceStatus, StepInput, StepTaken, Summary, Warning, WhoAmI } from '../types';
import type { HistoryPoint } from '../lib/detail/model';
import { EngineError, type Transport } from './api';
import { DESKTOP_MOSAIC, videoSocket, type OnVideoFrame, type OnVideoUnit, type TileStatus, type VideoLink } from './video';

export class TauriTransport implements Transport {
  readonly name = 'tauri' as const;
  private async call<T>(cmd: string, args?: Record<string, unknown> | Uint8Array): Promise<T> {
    const { invoke } = await import('@tauri-apps/api/core');
    try {
      return await invoke<T>(cmd, args);
    } catch (e) {
      // The engine refuses with the HTTP server's shape, `{status, error}`.
      const refusal = e as { status?: unknown; error?: unknown } | null;
      if (refusal && typeof refusal === 'object' && typeof refusal.status === 'number') {
        throw new EngineError(`${cmd}: ${String(refusal.error)}`, refusal.status);
      }
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
  warningSteps(id: string) { return this.call<StepTaken[]>('warning_steps', { id }); }
  takeStep(id: string, step: number, by: string) { return this.call<StepTaken[]>('take_step', { id, step, by }); }
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
