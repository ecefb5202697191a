// Per-frame batching of map work: everything the map has to redraw (live layers, the warning
// layer) is handed over together in the next animation frame. With software GL each map frame is
// costly, and one frame for a burst of changes keeps the wall's latency down.

export class FrameBatcher {
  private dirty = new Set<string>();
  private scheduled = false;

  /** `flush` sees every mark made before and while it runs. */
  constructor(
    private flush: (dirty: Set<string>) => void,
    private nextFrame: (cb: () => void) => void = (cb) => requestAnimationFrame(cb),
  ) {}

  mark(what: string) {
    this.dirty.add(what);
    if (this.scheduled) return;
    this.scheduled = true;
    this.nextFrame(() => this.run());
  }

  private run() {
    try {
      this.flush(this.dirty);
    } finally {
      this.dirty.clear();
      this.scheduled = false;
    }
  }
}
