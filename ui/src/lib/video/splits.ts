// The video screen's splits and locked tiles. A split is a square grid; the 6-, 8- and 13-splits
// give the first tile (the camera best placed to see the warning) a larger area, as video-wall
// controllers do: 6 = one 2×2 and five small in a 3×3, 8 = one 3×3 and seven small in a 4×4,
// 13 = one 2×2 in the middle of a 4×4 and twelve around it. A locked tile keeps its camera
// whatever the linkage or a recalled layout does to the others. On the square splits of 3
// columns or more, an operator spans any tile over 2×2 cells (custom spans): it takes the place
// of three tiles, and the others flow around it.

export const SPLITS = [1, 4, 6, 8, 9, 13, 16, 25, 36] as const;

interface Arrangement {
  /** Columns (and rows) of the grid. */
  columns: number;
  /** Where the first tile goes when it is larger than the rest (CSS grid-area). */
  first?: string;
}

const ARRANGEMENTS: Record<number, Arrangement> = {
  1: { columns: 1 },
  4: { columns: 2 },
  6: { columns: 3, first: '1 / 1 / 3 / 3' },
  8: { columns: 4, first: '1 / 1 / 4 / 4' },
  9: { columns: 3 },
  13: { columns: 4, first: '2 / 2 / 4 / 4' },
  16: { columns: 4 },
  25: { columns: 5 },
  36: { columns: 6 },
};

/** How `split` tiles are laid out; a number not among the splits gets the smallest square
 * grid that holds it. */
export function arrangement(split: number): Arrangement {
  return ARRANGEMENTS[split] ?? { columns: Math.max(1, Math.ceil(Math.sqrt(split))) };
}

/** How many custom spans a split takes: none where it has a preset big tile or fewer than three
 * columns; else as many 2×2 blocks as its grid holds. */
export function maxSpans(split: number): number {
  const a = arrangement(split);
  return a.first || a.columns < 3 ? 0 : Math.floor(a.columns / 2) ** 2;
}

/** How many tiles a split holds with `spans` of them over 2×2 cells. */
export const tilesWith = (split: number, spans: readonly number[]) => Math.max(1, split - 3 * spans.length);

/** `spans` with `tile` spanned or not (a tile past the split's tiles, or one more span than it
 * takes, is left out). */
export function toggleSpan(split: number, spans: readonly number[], tile: number): number[] {
  const next = spans.includes(tile) ? spans.filter((t) => t !== tile) : spans.length < maxSpans(split) ? [...spans, tile] : [...spans];
  return next.filter((t) => t < tilesWith(split, next));
}

/** The cameras on `n` tiles: each locked tile keeps its camera, the others take `cameras` in
 * order, skipping those already on a locked tile. */
export function withLocks<C extends { id: string | number }>(cameras: C[], locks: Map<number, C>, n: number): C[] {
  const locked = new Set([...locks.entries()].filter(([tile]) => tile < n).map(([, c]) => String(c.id)));
  const free = cameras.filter((c) => !locked.has(String(c.id)));
  const out: C[] = [];
  for (let tile = 0; tile < n; tile++) {
    const keep = locks.get(tile);
    if (keep) out.push(keep);
    else {
      const next = free.shift();
      if (!next) break;
      out.push(next);
    }
  }
  return out;
}
