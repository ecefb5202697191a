// Replay: the wall shows a past instant of the stored history instead of the live city. Owns the
// instant, play / pause and speed, and loads what the instant shows through a loader the wall
// gives it; a load in flight is not cancelled, the next starts when it ends, for the latest
// instant.

import type { Transport } from '../../transport';
import { ReplayClock } from './clock';

export class ReplayState {
  at: number | null = $state(null);
  playing = $state(false);
  speed = $state(60);
  /** Where stored history begins. */
  spanFrom = $state(0);
  private clock = new ReplayClock();
  private busy = false;
  private again = false;
  private lastFrame = 0;
  private lastLoad = 0;

  constructor(
    private transport: Transport,
    /** Loads every layer, the warnings and the KPIs as they stood at `at`. */
    private loader: (at: number) => Promise<void>,
    private dataNow: () => number,
    private nextFrame: (cb: (t: number) => void) => void = (cb) => requestAnimationFrame(cb),
  ) {}

  get live() {
    return this.at === null;
  }

  async load(): Promise<void> {
    if (this.at === null) return;
    if (this.busy) {
      this.again = true;
      return;
    }
    this.busy = true;
    try {
      await this.loader(this.at);
    } finally {
      this.busy = false;
      if (this.again) {
        this.again = false;
        void this.load();
      }
    }
  }

  async seek(at: number) {
    if (this.at === null) {
      const span = await this.transport.replaySpan();
      this.spanFrom = span.from ?? this.dataNow();
    }
    this.clock.seek(at, this.spanFrom, this.dataNow());
    this.at = this.clock.at;
    await this.load();
  }

  setSpeed(speed: number) {
    this.speed = speed;
    this.clock.speed = speed;
  }

  togglePlay() {
    if (this.at === null) return;
    this.clock.playing = !this.clock.playing;
    this.playing = this.clock.playing;
    this.clock.speed = this.speed;
    this.lastFrame = 0;
    if (this.clock.playing) this.nextFrame(this.frame);
  }

  private frame = (t: number) => {
    if (!this.clock.playing) {
      this.playing = false;
      return;
    }
    if (this.lastFrame) this.clock.advance(t - this.lastFrame, this.dataNow());
    this.lastFrame = t;
    this.at = this.clock.at;
    // Loads follow the clock at most four times a second.
    if (t - this.lastLoad > 250) {
      this.lastLoad = t;
      void this.load();
    }
    this.nextFrame(this.frame);
  };

  /** Leaves replay; the wall reloads the live state. */
  stop() {
    this.clock.goLive();
    this.at = null;
    this.playing = false;
  }
}
