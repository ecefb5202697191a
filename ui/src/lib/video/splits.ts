// The video screen's splits and locked tiles. A split is a square grid; the 6-, 8- and 13-splits
// give the first tile (the camera best placed to see the warning) a larger area, as video-wall
// controllers do: 6 = one 2×2 and five small in a 3×3, 8 = one 3×3 and seven small in a 4×4,
// 13 = one 2×2 in the middle of a 4×4 and twelve around it. A locked tile keeps its camera
// whatever the linkage or a recalled layout does to the others.

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
