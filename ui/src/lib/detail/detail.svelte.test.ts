import { describe, expect, it } from 'vitest';
import { DetailState } from './detail.svelte';
import { feature } from '../testing/fakes';

describe('DetailState', () => {
  it('tells the map of every open and close; opening again replaces the detail', () => {
    const d = new DetailState();
    const seen: (string | null)[] = [];
    const stop = d.listen((o) => seen.push(o ? `${o.layer}/${o.feature.id}@${o.at.join(',')}` : null));
    d.open('flood', feature('a', 1, 2));
    d.open('flood', feature('a', 1, 2));
    d.open('cameras', feature('c', 1, 2), [3, 4]);
    d.close();
    d.close();
    stop();
    d.open('flood', feature('b', 1, 2));
    expect(seen).toEqual(['flood/a@1,2', 'flood/a@1,2', 'cameras/c@3,4', null]);
    expect(d.current?.feature.id).toBe('b');
  });
});
