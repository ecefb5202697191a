// The wall as one object: it creates the state modules, wires them to each other, to the map (a
// MapPort the map view attaches) and to the engine's stream, and holds what crosses them —
// fetching by view, replay loads, the panels' refresh and the per-frame map update. Components
// read the modules and call the actions here.

import { AuditState } from './audit/audit.svelte';
import { CasesState } from './cases/cases.svelte';
import { CentresState } from './centres/centres.svelte';
import { Session } from './session/session.svelte';
import type { Transport } from '../transport';
import type { Bbox, Meta, OnWallCamera, SearchHit, SourceStatus, VideoFocusTarget, Warning } from '../types';
import { WallClock } from './clock.svelte';
import { setTimeZone } from './format';
import { WallLayout } from './layout/layout.svelte';
import { Notices } from './notices.svelte';
import { Settings } from './settings/settings.svelte';
import { LayerState } from './layers/layers.svelte';
import { pad } from './layers/viewport';
import { WarningsState, placed } from './warnings/warnings.svelte';
import { ProcedureState } from './warnings/procedure.svelte';
import { ReplayState } from './replay/replay.svelte';
import { HealthState } from './health/health.svelte';
import { KpiState } from './kpi/kpi.svelte';
import { VideoFocus } from './video/video.svelte';
import { SearchState } from './search/search.svelte';
import { DetailState } from './detail/detail.svelte';
import { ViewModes } from './map/modes.svelte';
import { FrameBatcher } from './map/frame';
import { onWallCollection } from './map/overlays';
import type { MapPort } from './map/port';
import { StreamDispatcher, type DeltaSink, type FeaturesDelta, type ReloadDelta } from './stream/dispatch';
import type { Probe } from './testing/probes';
import { tr } from './settings/language.svelte';

/** What an empty wall with no configured extent shows: the world a web map shows. */
const WORLD: Bbox = [-180, -70, 180, 75];
/** Panels follow the data at most once a second while deltas arrive, and every 5 s regardless. */
const PANEL_DELAY_MS = 1000;
export const PANEL_REFRESH_MS = 5000;
/** The least time between two data-driven map frames in the desktop window. */
const DESKTOP_FRAME_GAP_MS = 1000;

export interface WallOptions {
  store: Pick<Storage, 'getItem' | 'setItem'>;
  search: string;
  probe: Probe;
  nextFrame?: (cb: (t: number) => void) => void;
}

export class Wall implements DeltaSink {
  readonly settings: Settings;
  readonly clock = new WallClock();
  readonly notices = new Notices();
  readonly session: Session;
  readonly cases: CasesState;
  readonly audit: AuditState;
  readonly layers: LayerState;
  readonly warnings: WarningsState;
  readonly procedure: ProcedureState;
  readonly replay: ReplayState;
  readonly health: HealthState;
  readonly centres = new CentresState({ centreStatus: () => this.transport.centreStatus() }, { tree: () => this.meta?.centres, mine: () => this.session.who?.principal?.centre, lang: () => this.settings.lang, fit: (b) => this.map?.fitBounds(b ?? this.cityBounds), paint: (fc) => this.map?.setData('centre-states', fc) });
  readonly kpi: KpiState;
  /** The legibility scale and panel plan for the screen this wall is on. */
  readonly layout = new WallLayout();
  readonly video: VideoFocus;
  readonly search: SearchState;
  readonly detail = new DetailState();
  readonly modes: ViewModes;
  readonly probe: Probe;
  meta: Meta | null = $state(null);
  streamUp = $state(false);
  /** The map's zoom when it last settled (the catalogue says which layers draw at it). */
  zoom = $state(0);
  private map: MapPort | null = null;
  private frame: FrameBatcher;
  private nextFrame: (cb: (t: number) => void) => void;
  private stream: StreamDispatcher;
  private panelTimer: ReturnType<typeof setTimeout> | null = null;
  private warningsDrawn = '';
  private onWallDrawn = '';

  constructor(
    readonly transport: Transport,
    opts: WallOptions,
  ) {
    const nextFrame = opts.nextFrame ?? ((cb) => requestAnimationFrame(cb));
    this.nextFrame = nextFrame;
    const mapPort = () => this.map;
    this.probe = opts.probe;
    this.settings = new Settings(opts.store, opts.search);
    this.session = new Session(transport);
    this.cases = new CasesState(transport, () => this.frame.mark('cases'));
    this.audit = new AuditState(transport);
    // The desktop window (WebKitGTK, its map on software GL here) draws data changes at most
    // once a second: a demo city changing every poll had it redrawing ~5 times a second, 1.6 of
    // this machine's 2 cores; batched, ≈ 0.9. A browser wall keeps drawing every frame.
    const gap = transport.name === 'tauri' ? DESKTOP_FRAME_GAP_MS : 0;
    this.frame = new FrameBatcher((dirty) => this.updateMap(dirty), (cb) => nextFrame(() => cb()), gap);
    this.layers = new LayerState(transport, mapPort, (l) => this.frame.mark(l));
    this.warnings = new WarningsState(transport, () => this.frame.mark('warnings'));
    this.procedure = new ProcedureState(transport, (what, e) => this.notices.fail(what, e));
    this.replay = new ReplayState(transport, (at) => this.loadReplayAt(at), () => this.clock.dataNow, nextFrame);
    this.health = new HealthState(transport);
    this.kpi = new KpiState(transport);
    this.video = new VideoFocus(transport);
    this.search = new SearchState(transport, (e) => this.notices.fail(tr('searchFailed'), e));
    this.modes = new ViewModes(transport, mapPort, () => this.layers.byTemplate('incidents'), (what, e) => this.notices.fail(what, e));
    this.stream = new StreamDispatcher(this);
  }

  get live() { return this.replay.live; }

  /** Whether 视频 can show anything: the engine has cameras, and this operator may move video. */
  get canShowVideo(): boolean { return this.meta?.cameras !== false && this.session.can('video.operate'); }

  /** Loads what the wall shows before the map or the stream is there. */
  async start() {
    this.clock.start();
    const meta = await this.transport.meta();
    this.meta = meta;
    setTimeZone(meta.centre?.time_zone ?? undefined);
    this.settings.configured(meta.centre?.language ?? undefined);
    this.layout.configure(meta.display);
    this.warnings.configure(meta.warnings?.order, meta.warnings?.group_from);
    this.procedure.configure(meta.warnings?.procedures);
    this.clock.demo = meta.demo_clock;
    this.video.policy = meta.video_follow ?? 'all';
    this.stream.startAt(meta.seq);
    await this.refreshPanels();
    // The panels' per-layer charts need to know the layers: fill them now, not in 5 s.
    void this.refreshPanels();
    await this.warnings.load();
    // The cameras already on a wall's tiles (an older transport may not say).
    void this.transport.videoOnWall?.().then((c) => this.onWall(c), () => {});
  }

  /** Starts taking the engine's deltas; returns the unsubscribe. */
  subscribe(onUp?: () => void): () => void {
    return this.transport.subscribe(
      (d) => this.stream.dispatch(d),
      (up) => {
        this.streamUp = up;
        if (up) onUp?.();
      },
    );
  }

  attachMap(map: MapPort | null) {
    this.map = map;
    this.warningsDrawn = '';
    this.onWallDrawn = '';
    this.frame.mark('warnings');
    this.frame.mark('onwall');
  }

  // --- the per-frame map update ---------------------------------------------------------------

  private updateMap(dirty: Set<string>) {
    // Warnings that arrived since the last frame are folded in first; the warning layer they
    // mark is drawn in this same pass.
    this.warnings.flushQueued(this.live);
    const map = this.map;
    for (const what of dirty) {
      if (what === 'warnings') this.drawWarnings(map);
      else if (what === 'cases') map?.setData('cases', this.cases.collection(this.clock.dataNow));
      else if (what === 'onwall') this.drawOnWall(map);
      else if (this.layers.views[what]) map?.setData(what, this.layers.views[what].collection());
      this.probe.handedToMap(what);
    }
  }

  private drawOnWall(map: MapPort | null) {
    const key = this.video.onWall.map((c) => `${c.id}@${c.lon},${c.lat}`).join(';');
    if (!map || key === this.onWallDrawn) return;
    this.onWallDrawn = key;
    map.setData('onwall', onWallCollection(this.video.onWall));
  }

  private drawWarnings(map: MapPort | null) {
    const key = this.warnings.drawnKey();
    if (!map || key === this.warningsDrawn) return;
    this.warningsDrawn = key;
    map.setData('warnings', this.warnings.collection());
  }

  // --- fetching by view -------------------------------------------------------------------------

  async fetchLayer(layer: string, force = false) {
    if (!this.live) return void this.replay.load();
    try {
      await this.layers.fetch(layer, force, () => this.live);
      this.notices.clear();
    } catch (e) {
      this.notices.fail(tr('layerFailed').replace('{}', layer), e);
    }
  }

  refetchAll(force = false) {
    for (const l of this.layers.ids) void this.fetchLayer(l, force);
  }

  // --- the stream (DeltaSink) -------------------------------------------------------------------

  resync() {
    this.refetchAll(true);
  }

  touched() {
    this.schedulePanels();
  }

  warning(w: Warning) {
    this.warnings.queue(w);
  }

  focus(f: VideoFocusTarget) {
    if (f.camera && f.placed) this.video.placedElsewhere(f.camera);
    else if (f.camera) this.video.hold(f);
    else void this.video.pick(f);
  }

  onWall(cameras: OnWallCamera[]) {
    this.video.onWall = Array.isArray(cameras) ? cameras : [];
    this.frame.mark('onwall');
  }

  caseMoved() { void this.cases.refresh().catch(() => {}); }

  features(d: FeaturesDelta) {
    const outcome = this.layers.apply(d);
    if (outcome === 'drawn' || outcome === 'refetch') this.probe.notePoll(d.layer, d.polled_at, d.at);
    if (outcome === 'refetch') void this.layers.refetch(d.layer, () => this.fetchLayer(d.layer, true));
  }

  reload(d: ReloadDelta) {
    this.probe.notePoll(d.layer, d.polled_at, d.at);
    void this.fetchLayer(d.layer, true);
  }

  source(s: SourceStatus) {
    this.health.update(s);
    // Staleness changes how features are drawn: refetch that layer's view.
    void this.fetchLayer(s.layer, true);
  }

  // --- panels -----------------------------------------------------------------------------------

  async refreshPanels() {
    try {
      const stations = this.layers.byTemplate('overweight');
      const [, changed] = await Promise.all([this.layers.refreshInfo(), this.health.refresh(), this.kpi.refresh(this.live, stations, this.centres.focus)]);
      // A state change the stream has not told us about yet still changes how features draw.
      for (const layer of changed) void this.fetchLayer(layer, true);
    } catch (e) {
      this.notices.fail(tr('engineFailed'), e);
    }
  }

  schedulePanels() {
    if (this.panelTimer) return;
    this.panelTimer = setTimeout(() => {
      this.panelTimer = null;
      void this.refreshPanels();
    }, PANEL_DELAY_MS);
  }

  // --- replay -----------------------------------------------------------------------------------

  /** Every live layer, the warnings and the KPIs as they stood at `at`. */
  private async loadReplayAt(at: number) {
    const view = this.map?.bbox();
    try {
      if (view) {
        const box = pad(view, 0.25);
        const zoom = this.map?.zoom() ?? 0;
        const answers = await Promise.all(this.layers.fetched.map(async (l) => [l, await this.transport.replay(l, at, box)] as const));
        if (this.live) return;
        for (const [l, fc] of answers) {
          this.layers.views[l].replace(fc, box, zoom);
          this.frame.mark(l);
        }
        const [w] = await Promise.all([this.transport.replayWarnings(at), this.kpi.loadAt(at)]);
        if (this.live) return;
        this.warnings.replace(w);
        // Shown once the frame that hands it all to the map has run.
        await new Promise<void>((done) => this.nextFrame(() => done()));
      }
      this.probe.replayShown(at);
    } catch (e) {
      this.notices.fail(tr('replayFailed'), e);
    }
  }

  async seek(at: number) {
    this.warnings.clearTicker();
    await this.replay.seek(at);
  }

  /** ▶ from live starts replay three hours back. */
  play() {
    if (this.live) void this.seek(this.clock.dataNow - 3 * 3600_000).then(() => this.replay.togglePlay());
    else this.replay.togglePlay();
  }

  async goLive() {
    this.replay.stop();
    this.probe.replayShown(null);
    this.layers.forgetViews();
    this.refetchAll(true);
    try {
      await this.warnings.load();
      await this.refreshPanels();
    } catch (e) {
      this.notices.fail(tr('engineFailed'), e);
    }
  }

  // --- operator actions -------------------------------------------------------------------------

  /** Asks every video screen to show the cameras best placed to see a warning, an incident or
   * a feature picked on the wall; a refusal or a failure is said where the operator looks. */
  async showOnVideo(target: VideoFocusTarget) {
    try {
      await this.transport.focusVideo(target);
    } catch (e) {
      this.notices.fail(tr('videoFailed'), e);
    }
  }

  async acknowledge(w: Warning) {
    // A replayed warning is history: it is acknowledged (or not) as it was then.
    if (!this.live) return;
    try {
      await this.warnings.acknowledge(w, this.settings.operator);
    } catch (e) {
      this.notices.fail(tr('ackFailed'), e);
    }
  }

  flyToWarning(w: Warning) {
    // An outage is the whole layer's: the whole city is where it shows (greyed, stale).
    if (!placed(w)) return this.home();
    void this.map?.flyTo(w.lon, w.lat, 15);
  }

  async flyToHit(hit: SearchHit) {
    this.search.choose(hit);
    if (!this.map) return;
    await this.map.flyTo(hit.lon, hit.lat, 15);
    if (this.layers.isTiled(hit.layer)) return this.showTiledDetail(hit);
    await this.fetchLayer(hit.layer, true);
    this.showDetail(hit.layer, hit.id);
  }

  /** A layer drawn as tiles has no copy on the wall: the hit's feature is asked for where it
   * stands (a box of a few metres, at a zoom where nothing is clustered). */
  private async showTiledDetail(hit: SearchHit) {
    const near = 0.0005;
    try {
      const fc = await this.transport.features(hit.layer, [hit.lon - near, hit.lat - near, hit.lon + near, hit.lat + near], 22);
      const feature = fc.features.find((f) => String(f.id) === hit.id);
      if (feature) this.detail.open(hit.layer, feature, [hit.lon, hit.lat]);
    } catch (e) {
      this.notices.fail(tr('layerFailed').replace('{}', hit.layer), e);
    }
  }

  /** Opens the detail of a feature the wall holds; false when it holds no such feature. */
  showDetail(layer: string, id: string): boolean {
    const f = this.layers.views[layer]?.get(id);
    if (!f) return false;
    this.detail.open(layer, f);
    return true;
  }

  /** The whole city, for the first view and `H`: from the engine (config, regions or data). */
  get cityBounds(): Bbox {
    const e = this.meta?.extent;
    return this.centres.ownExtent ?? (e ? [e.west, e.south, e.east, e.north] : WORLD);
  }

  home() { this.map?.fitBounds(this.cityBounds); }

  toggleLayer(layer: string) {
    this.layers.toggle(layer);
    this.followHeat([layer]);
  }

  toggleGroup(name: string) {
    this.followHeat(this.layers.toggleGroup(name));
  }

  private followHeat(changed: string[]) {
    const events = this.layers.byTemplate('incidents');
    if (events && changed.includes(events) && this.modes.heat) this.modes.setHeat(true, this.layers.visible[events]);
  }
}
