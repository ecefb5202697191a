// The replay clock: where on the data clock the wall shows, whether it plays and how fast. Pure
// state, advanced by the wall's animation frames; the wall fetches what this says.

export const SPEEDS = [1, 10, 60, 300, 900, 3600];

export class ReplayClock {
  /** `null` while live. */
  at: number | null = null;
  playing = false;
  speed = 60;

  get live() {
    return this.at === null;
  }

  /** Jumps to an instant (entering replay), clamped to what history holds. */
  seek(at: number, from: number, to: number) {
    this.at = Math.min(Math.max(at, from), to);
  }

  /** Moves on by `wallMs` of real time while playing; reaching `to` stops at the present. */
  advance(wallMs: number, to: number): boolean {
    if (this.at === null || !this.playing) return false;
    this.at = Math.min(this.at + wallMs * this.speed, to);
    if (this.at >= to) this.playing = false;
    return true;
  }

  goLive() {
    this.at = null;
    this.playing = false;
  }
}
