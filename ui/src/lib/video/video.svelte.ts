// The video screen's focus: the cameras best placed to see the most severe open warning (those
// whose field of view covers it first). The focus moves at once to a more severe warning — a red
// one puts its cameras on the wall within the second — but a storm of warnings no more severe
// than the one shown cannot move it more than once every HOLD_MS: the tiles do not thrash. A
// place an operator picks (a warning or an incident chosen on any screen, sent through the
// engine) holds the screen for PICK_MS, or until the wall follows the warnings again. Which
// warnings it follows by itself is the config's (`[cameras] follow_warnings`): all, orange and
// red, red only, or none. A camera handed over from a map on another screen waits (HAND_MS) for
// the operator to click the tile it goes on.

import type { Transport } from '../../transport';
import type { GeoFeature, OnWallCamera, VideoFocusTarget, Warning, WarningLevel } from '../../types';
import { titleOf } from '../warnings/triage';

export const FOCUS_CAMERAS = 9;
/** How long the focus stays on a warning before one no more severe may take it. */
export const HOLD_MS = 15_000;
/** How long an operator's pick holds the screen. */
export const PICK_MS = 5 * 60_000;
/** How long a handed camera waits to be placed. */
export const HAND_MS = 60_000;

const RANK: Record<WarningLevel, number> = { blue: 0, yellow: 1, orange: 2, red: 3 };

/** Which warnings the video screens follow by themselves (`[cameras] follow_warnings`). */
export type FollowPolicy = 'all' | 'orange' | 'red' | 'off';
const FLOOR: Record<FollowPolicy, number> = { all: 0, orange: 2, red: 3, off: Infinity };

/** Whether a warning of `level` puts its cameras on the screens by itself under `policy`. */
export const followed = (level: WarningLevel, policy: FollowPolicy) => RANK[level] >= FLOOR[policy];

export class VideoFocus {
  cameras: GeoFeature[] = $state([]);
  warning: Warning | null = $state(null);
  /** The place an operator picked, while it holds the screen. */
  picked: VideoFocusTarget | null = $state(null);
  private pickedUntil = 0;
  private k = FOCUS_CAMERAS;
  /** Which warnings the screen follows by itself (from the engine's meta). */
  policy: FollowPolicy = $state('all');
  /** A camera handed to the screen (`camera` set), waiting for a click on the tile it goes on. */
  hand: VideoFocusTarget | null = $state(null);
  private handTimer: ReturnType<typeof setTimeout> | undefined;
  /** The cameras on the walls' video tiles now (any screen's), which the map marks. */
  onWall: OnWallCamera[] = $state([]);
  /** How many times the focus moved to another warning (the e2e reads storms from it). */
  moves = 0;
  private since = -Infinity;

  constructor(private transport: Transport, private now: () => number = () => Date.now()) {}

  /** What the screen shows, for its title. */
  get title(): string | null {
    return this.picked?.title ?? (this.warning ? titleOf(this.warning) : null);
  }

  /** Shows the cameras best placed to see `target`, at once, for PICK_MS. */
  async pick(target: VideoFocusTarget) {
    this.picked = target;
    this.pickedUntil = this.now() + PICK_MS;
    this.moves++;
    await this.load(target.lon, target.lat, this.k);
  }

  /** Holds a handed camera until it is placed, cancelled or HAND_MS pass. */
  hold(target: VideoFocusTarget) {
    this.hand = target;
    clearTimeout(this.handTimer);
    this.handTimer = setTimeout(() => (this.hand = null), HAND_MS);
  }

  /** The handed camera was placed, or the operator let it go. */
  letGo() {
    clearTimeout(this.handTimer);
    this.hand = null;
  }

  /** Another screen placed the handed `camera`: this one no longer offers it. */
  placedElsewhere(camera: string) {
    if (this.hand?.camera === camera) this.letGo();
  }

  /** Lets the warnings drive the screen again. */
  release() {
    this.picked = null;
  }

  /** Follows `w` (the most severe open warning), with `k` cameras. */
  async follow(w: Warning | null, k = FOCUS_CAMERAS) {
    this.k = k;
    if (this.picked) {
      if (this.now() < this.pickedUntil) return this.load(this.picked.lon, this.picked.lat, k);
      this.picked = null;
    }
    if (!w || !followed(w.level, this.policy)) {
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
    await this.load(w.lon, w.lat, k);
  }

  private async load(lon: number, lat: number, k: number) {
    try {
      const cameras = await this.transport.camerasNearest(lon, lat, k);
      // The same cameras in the same order: leave the tiles as they are.
      const same = cameras.length === this.cameras.length && cameras.every((c, i) => c.id === this.cameras[i]?.id);
      if (!same) this.cameras = cameras;
    } catch {
      this.cameras = [];
    }
  }
}
