import { describe, expect, it } from 'vitest';
import { arrangement, SPLITS, withLocks } from './splits';

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
