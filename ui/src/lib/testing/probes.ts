// Test support: what the browser and app e2e tests read off the running wall — when it is ready,
// how many features each layer drew, and the latency from the poll that saw a change to the frame
// that drew it. Installed only when a WebDriver / DevTools automation drives the page
// (`navigator.webdriver`); otherwise every hook is a no-op and nothing is kept or exposed.

import type { Map as MapLibreMap } from 'maplibre-gl';

export interface Probe {
  /** A change of `layer` arrived: polled at `polledAt`, published by the engine at `publishedAt`. */
  notePoll(layer: string, polledAt: number, publishedAt: number): void;
  /** The layer's new data was handed to the map this frame. */
  handedToMap(layer: string): void;
  /** The wall's map exists (absent on the panels and video screens). */
  attachMap(map: MapLibreMap, drawnLayers: () => Record<string, string[]>, core: () => string[]): void;
  /** A screen without a map is ready once its data is in. */
  ready(): void;
  /** The instant a replay load showed, or null when back to live. */
  replayShown(at: number | null): void;
  expose(extra: Record<string, unknown>): void;
}

const NO_PROBE: Probe = {
  notePoll() {},
  handedToMap() {},
  attachMap() {},
  ready() {},
  replayShown() {},
  expose() {},
};

class LatencyProbe implements Probe {
  /** Poll → drawn per change (ms), and where the time went: poll → published, published →
   * received, received → drawn, with the layer. */
  readonly latencies: number[] = [];
  readonly latencyParts: [number, number, number, string][] = [];
  private pendingPoll: Record<string, number> = {};
  private stamps: Record<string, { at: number; received: number }> = {};
  private awaitingDraw: Record<string, number> = {};
  private map: MapLibreMap | null = null;
  private exposed: Record<string, unknown> = {};

  notePoll(layer: string, polledAt: number, publishedAt: number) {
    if (this.pendingPoll[layer] === undefined) this.stamps[layer] = { at: publishedAt, received: Date.now() };
    this.pendingPoll[layer] = Math.min(this.pendingPoll[layer] ?? Infinity, polledAt);
  }

  handedToMap(layer: string) {
    const polled = this.pendingPoll[layer];
    if (polled === undefined) return;
    delete this.pendingPoll[layer];
    this.awaitingDraw[layer] = Math.min(this.awaitingDraw[layer] ?? Infinity, polled);
  }

  /** On every rendered frame: a source whose new data is loaded has now been drawn. */
  private noteDrawn = () => {
    const map = this.map;
    if (!map) return;
    for (const [layer, polled] of Object.entries(this.awaitingDraw)) {
      if (!map.isSourceLoaded(layer)) continue;
      delete this.awaitingDraw[layer];
      const now = Date.now();
      this.latencies.push(now - polled);
      const st = this.stamps[layer];
      if (st) this.latencyParts.push([st.at - polled, st.received - st.at, now - st.received, layer]);
      if (this.latencies.length > 1000) {
        this.latencies.shift();
        this.latencyParts.shift();
      }
    }
  };

  attachMap(map: MapLibreMap, drawnLayers: () => Record<string, string[]>, core: () => string[]) {
    this.map = map;
    const report = () => {
      const drawn: Record<string, number> = {};
      for (const [layer, ids] of Object.entries(drawnLayers())) drawn[layer] = map.queryRenderedFeatures({ layers: ids }).length;
      this.publish({ map, drawn });
      if (core().every((l) => (drawn[l] ?? 0) > 0)) document.body.dataset.ready = 'true';
    };
    map.on('render', this.noteDrawn);
    map.on('idle', report);
    // A wall whose data never stops changing may never be idle: report what is drawn anyway,
    // often until the wall is ready, then seldom — counting what a wall of dozens of layers
    // drew is main-thread work the latency it measures would otherwise pay for.
    let timer = setInterval(() => {
      report();
      if (document.body.dataset.ready !== 'true') return;
      clearInterval(timer);
      timer = setInterval(report, 10_000);
    }, 2000);
    map.once('remove', () => clearInterval(timer));
  }

  ready() {
    document.body.dataset.ready = 'true';
  }

  replayShown(at: number | null) {
    if (at === null) delete document.body.dataset.replayAt;
    else document.body.dataset.replayAt = String(at);
  }

  expose(extra: Record<string, unknown>) {
    this.publish(extra);
  }

  private publish(extra: Record<string, unknown>) {
    this.exposed = { ...this.exposed, ...extra, latencies: this.latencies, latencyParts: this.latencyParts };
    (window as unknown as { __citywall: Record<string, unknown> }).__citywall = this.exposed;
  }
}

/** The probe for this page: a real one only under automation. */
export function installProbe(): Probe {
  const automated = typeof navigator !== 'undefined' && navigator.webdriver === true;
  return automated ? new LatencyProbe() : NO_PROBE;
}
