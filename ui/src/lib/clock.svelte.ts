// The wall's clocks: real time, ticking once a second, and the data clock. In the demo the data
// speaks of the simulated city's time, so the header and every "ago" read that clock.

import type { Meta } from '../types';

export class WallClock {
  now = $state(Date.now());
  demo: Meta['demo_clock'] = $state(null);
  private timer: ReturnType<typeof setInterval> | null = null;

  /** The data clock: the simulated city's time in the demo, real time otherwise. */
  get dataNow(): number {
    const d = this.demo;
    return d ? d.sim_origin_ms + (this.now - d.wall_origin_ms) * d.scale : this.now;
  }

  start() {
    this.timer ??= setInterval(() => (this.now = Date.now()), 1000);
  }

  stop() {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
