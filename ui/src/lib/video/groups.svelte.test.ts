import { describe, expect, it } from 'vitest';
import { pagesKey, TileTours, withGroups } from './groups.svelte';

describe('tile group tours', () => {
  const c = (id: string) => ({ id });
  const ids = (l: { id: string }[]) => l.map((x) => x.id);
  const group = { tiles: [1, 2], cameras: ['g1', 'g2', 'g3', 'g4', 'g5'].map(c), dwell_s: 10 };

  it('pages a group\'s tiles through its sequence, a dwell each, the other tiles staying', () => {
    const shown = ['a', 'b', 'c', 'd'].map(c);
    expect(ids(withGroups(shown, [group], 0))).toEqual(['a', 'g1', 'g2', 'd']);
    expect(ids(withGroups(shown, [group], 9))).toEqual(['a', 'g1', 'g2', 'd']);
    expect(ids(withGroups(shown, [group], 10))).toEqual(['a', 'g3', 'g4', 'd']);
    // The sequence wraps around, never putting a camera on two tiles.
    expect(ids(withGroups(shown, [group], 20))).toEqual(['a', 'g5', 'g1', 'd']);
    expect(pagesKey([group], 19)).not.toBe(pagesKey([group], 20));
    expect(withGroups(shown, [{ ...group, cameras: [] }], 20)).toEqual(shown);
    expect(ids(withGroups(shown, [{ ...group, cameras: [c('g1')] }], 0))).toEqual(['a', 'g1', 'c', 'd']);
    expect(ids(withGroups(shown, [{ ...group, cameras: [c('a'), c('d')] }], 0))).toEqual(['a', 'b', 'c', 'd']);
  });

  it('an operator makes a group tile by tile; a smaller split drops the tiles it lost', () => {
    const tours = new TileTours();
    tours.toggle(5, 9);
    tours.toggle(2, 9);
    expect(tours.tiles).toEqual([2, 5]);
    tours.toggle(5, 9);
    expect(tours.tiles).toEqual([2]);
    tours.toggle(6, 4);
    expect(tours.tiles).toEqual([2]);
  });
});
