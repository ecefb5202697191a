import { describe, expect, it } from 'vitest';
import { arrangement, maxSpans, SPLITS, tilesWith, toggleSpan, withLocks } from './splits';

const cam = (id: string) => ({ id });

describe('splits', () => {
  it('lays every split out in a square grid that holds exactly its tiles', () => {
    for (const split of SPLITS) {
      const { columns, first } = arrangement(split);
      const big = first ? first.split('/').map((s) => Number(s.trim())) : null;
      const bigCells = big ? (big[2] - big[0]) * (big[3] - big[1]) : 1;
      expect(columns * columns - bigCells + 1, `split ${split}`).toBe(split);
    }
  });

  it('spans a tile over 2×2 cells on square splits, each span taking three tiles\' place', () => {
    expect([4, 6, 8, 9, 13, 16, 25, 36].map(maxSpans)).toEqual([0, 0, 0, 1, 0, 4, 4, 9]);
    let spans = toggleSpan(9, [], 4);
    expect(spans).toEqual([4]);
    expect(tilesWith(9, spans)).toBe(6);
    // A 9-split takes one span: a second is refused; the same tile again undoes it.
    expect(toggleSpan(9, spans, 0)).toEqual([4]);
    expect(toggleSpan(9, spans, 4)).toEqual([]);
    // A span on a tile the split no longer holds is dropped.
    spans = toggleSpan(16, toggleSpan(16, toggleSpan(16, [], 9), 1), 2);
    expect(spans).toEqual([1, 2]);
    expect(tilesWith(16, spans)).toBe(10);
    expect(toggleSpan(25, [], 30)).toEqual([]);
  });

  it('gives 13 a big tile in the middle', () => {
    expect(arrangement(13).first).toBe('2 / 2 / 4 / 4');
  });
});

describe('locked tiles', () => {
  it('keep their camera while the others follow the linkage', () => {
    const locks = new Map([[1, cam('L')]]);
    expect(withLocks([cam('a'), cam('b'), cam('c')], locks, 3).map((c) => c.id)).toEqual(['a', 'L', 'b']);
  });

  it('never show a locked camera twice', () => {
    const locks = new Map([[0, cam('b')]]);
    expect(withLocks([cam('a'), cam('b'), cam('c')], locks, 3).map((c) => c.id)).toEqual(['b', 'a', 'c']);
  });

  it('ignore locks on tiles the split does not have', () => {
    const locks = new Map([[5, cam('x')]]);
    expect(withLocks([cam('a'), cam('b')], locks, 2).map((c) => c.id)).toEqual(['a', 'b']);
  });
});
