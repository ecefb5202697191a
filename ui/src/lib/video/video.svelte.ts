// The video screen's focus: the cameras best placed to see the most severe open warning (those
// whose field of view covers it first). The focus moves at once to a more severe warning — a red
// one puts its cameras on the wall within the second — but a storm of warnings no more severe
// than the one shown cannot move it more than once every HOLD_MS: the tiles do not thrash.

import type { Transport } from '../../transport';
import type { GeoFeature, Warning, WarningLevel } from '../../types';

export const FOCUS_CAMERAS = 9;
/** How long the focus stays on a warning before one no more severe may take it. */
export const HOLD_MS = 15_000;

const RANK: Record<WarningLevel, number> = { blue: 0, yellow: 1, orange: 2, red: 3 };

export class VideoFocus {
  cameras: GeoFeature[] = $state([]);
  warning: Warning | null = $state(null);
  /** How many times the focus moved to another warning (the e2e reads storms from it). */
  moves = 0;
  private since = -Infinity;

  constructor(private transport: Transport, private now: () => number = () => Date.now()) {}

  /** Follows `w` (the most severe open warning), with `k` cameras. */
  async follow(w: Warning | null, k = FOCUS_CAMERAS) {
    if (!w) {
      this.warning = null;
      this.cameras = [];
      return;
    }
    const current = this.warning;
    if (current && current.id !== w.id) {
      const held = this.now() - this.since < HOLD_MS;
      if (held && RANK[w.level] <= RANK[current.level]) return;
    }
    if (!current || current.id !== w.id) {
      this.moves++;
      this.since = this.now();
    }
    this.warning = w;
    try {
      const cameras = await this.transport.camerasNearest(w.lon, w.lat, k);
      // The same cameras in the same order: leave the tiles as they are.
      const same = cameras.length === this.cameras.length && cameras.every((c, i) => c.id === this.cameras[i]?.id);
      if (!same) this.cameras = cameras;
    } catch {
      this.cameras = [];
    }
  }
}
