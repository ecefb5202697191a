// The one place the engine's change stream is taken apart: each delta goes to the state module
// that owns its kind. A gap in the sequence numbers (a dropped message, a reconnect) or the
// engine's own resync makes the wall refetch what it shows.

import type { CaseMoved, Delta, OnWallCamera, SourceStatus, VideoFocusTarget, Warning } from '../../types';

export type FeaturesDelta = Extract<Delta, { type: 'features' }>;
export type ReloadDelta = Extract<Delta, { type: 'reload' }>;

export interface DeltaSink {
  /** Whether the wall shows the live city (in replay, only source states are taken). */
  readonly live: boolean;
  resync(): void;
  /** Some data arrived: panels and freshness follow. */
  touched(): void;
  warning(w: Warning): void;
  features(d: FeaturesDelta): void;
  reload(d: ReloadDelta): void;
  source(s: SourceStatus): void;
  /** An operator asked the video screens to show a place. */
  focus(f: VideoFocusTarget): void;
  /** The cameras on the walls' video tiles changed (all of them now). */
  onWall(cameras: OnWallCamera[]): void;
  /** A case this wall's centre sees was opened, stepped or handed over. */
  caseMoved(c: CaseMoved): void;
}

export class StreamDispatcher {
  private lastSeq = 0;

  constructor(private sink: DeltaSink) {}

  /** The engine's sequence number when the wall loaded its state. */
  startAt(seq: number) {
    this.lastSeq = seq;
  }

  dispatch(d: Delta) {
    if (d.type === 'hello') {
      this.lastSeq = d.seq;
      return;
    }
    if (d.type === 'resync') {
      this.sink.resync();
      return;
    }
    // Each delta names the one sent before it (`prev`): a delta of a layer this wall does not
    // draw was never meant for it, one it lost was.
    const prev = d.prev ?? d.seq - 1;
    if (this.lastSeq && prev !== this.lastSeq) this.sink.resync();
    this.lastSeq = d.seq;
    this.sink.touched();
    if (!this.sink.live && d.type !== 'source') return;
    switch (d.type) {
      case 'warning': return this.sink.warning(d.warning);
      case 'features': return this.sink.features(d);
      case 'reload': return this.sink.reload(d);
      case 'source': return this.sink.source(d.source);
      case 'focus': return this.sink.focus(d.focus);
      case 'onwall': return this.sink.onWall(d.cameras);
      case 'case': return this.sink.caseMoved(d.case);
    }
  }
}
