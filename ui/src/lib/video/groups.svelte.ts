// Tours per tile group: a group of tiles steps through a camera sequence, a dwell each, while
// the other tiles stay. An operator marks the tiles (轮巡) and they page through the cameras
// ranked next around the focus; a saved layout keeps each group's tiles, sequence and dwell, and
// plays them again when recalled. The tour's clock runs only while a group exists.

export interface Group<C> {
  tiles: number[];
  cameras: C[];
  dwell_s: number;
}

/** The dwells an operator picks from (seconds). */
export const DWELLS = [5, 10, 30, 60] as const;

/** `shown` (one camera a tile) with each group's tiles on the page of its sequence it has
 * reached `seconds` into the tour. A camera is never on two tiles: a sequence shorter than its
 * group skips the cameras already shown, and a tile with none left keeps its own. */
export function withGroups<C extends { id: string | number }>(shown: C[], groups: Group<C>[], seconds: number): C[] {
  const out = [...shown];
  for (const g of groups) {
    if (g.cameras.length === 0) continue;
    const page = Math.floor(seconds / Math.max(1, g.dwell_s));
    g.tiles.forEach((tile, j) => {
      if (tile > out.length) return;
      const used = new Set(out.filter((_, i) => i !== tile).map((c) => String(c.id)));
      for (let k = 0; k < g.cameras.length; k++) {
        const next = g.cameras[(page * g.tiles.length + j + k) % g.cameras.length];
        if (!used.has(String(next.id))) {
          out[tile] = next;
          return;
        }
      }
    });
  }
  return out.filter((c) => c !== undefined);
}

/** Which page every group is on: when it changes, the push is the tour's. */
export const pagesKey = (groups: Group<unknown>[], seconds: number) => groups.map((g) => Math.floor(seconds / Math.max(1, g.dwell_s))).join(',');

export class TileTours {
  /** The tiles of the group an operator is making on this screen. */
  tiles: number[] = $state([]);
  dwell: number = $state(10);
  /** Seconds since the tour started. */
  seconds = $state(0);
  private timer: ReturnType<typeof setInterval> | null = null;

  /** Puts a tile in the group, or takes it out (tiles past `tileCount` fall out). */
  toggle(tile: number, tileCount: number) {
    const next = this.tiles.includes(tile) ? this.tiles.filter((t) => t !== tile) : [...this.tiles, tile].sort((a, b) => a - b);
    this.tiles = next.filter((t) => t < tileCount);
  }

  clear() {
    this.tiles = [];
  }

  /** Runs the tour's clock while `on`. */
  run(on: boolean) {
    if (on && !this.timer) {
      this.seconds = 0;
      this.timer = setInterval(() => this.seconds++, 1000);
    } else if (!on && this.timer) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }
}
