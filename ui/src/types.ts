// The shapes the engine's API answers with, shared by both transports. They are written from
// the engine's Rust types into types.gen.ts (by `make ui`, not committed); here is only what the
// wall itself adds to them.

import type { FeedDelta } from './types.gen';

export type * from './types.gen';

/** A viewport: west, south, east, north. */
export type Bbox = [number, number, number, number];

/** What the change feed hands a wall: a delta with the seq of the one it was sent before
 * (`prev`: it leaves out feature deltas of layers the wall does not draw), or the stream's own
 * greeting and its word that the wall fell behind. */
export type Delta =
  | (FeedDelta & { prev?: number })
  | { type: 'hello'; seq: number }
  | { type: 'resync'; missed: number };
