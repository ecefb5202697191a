// Per-frame batching of map work: everything the map has to redraw (live layers, the warning
// layer) is handed over together in the next animation frame. With software GL each map frame is
// costly, and one frame for a burst of changes keeps the wall's latency down.

export class FrameBatcher {
  private dirty = new Set<string>();
  private scheduled = false;
  private last = -Infinity;

  /** `flush` sees every mark made before and while it runs; `minGapMs` apart at the most. */
  constructor(
    private flush: (dirty: Set<string>) => void,
    private nextFrame: (cb: () => void) => void = (cb) => requestAnimationFrame(cb),
    private minGapMs = 0,
    private now: () => number = () => performance.now(),
    private later: (cb: () => void, ms: number) => void = (cb, ms) => setTimeout(cb, ms),
  ) {}

  mark(what: string) {
    this.dirty.add(what);
    if (this.scheduled) return;
    this.scheduled = true;
    const wait = this.last + this.minGapMs - this.now();
    if (wait > 0) this.later(() => this.nextFrame(() => this.run()), wait);
    else this.nextFrame(() => this.run());
  }

  private run() {
    this.last = this.now();
    try {
      this.flush(this.dirty);
    } finally {
      this.dirty.clear();
      this.scheduled = false;
    }
  }
}
