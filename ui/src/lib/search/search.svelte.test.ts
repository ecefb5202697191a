import { afterEach, describe, expect, it, vi } from 'vitest';
import { SearchState, SEARCH_DELAY_MS } from './search.svelte';
import { fakeTransport } from '../testing/fakes';

const hit = { layer: 'flood', id: 'f1', label: '解放路下穿通道', matched: 'name', lon: 1, lat: 2, count: 1 };

describe('SearchState', () => {
  afterEach(() => vi.useRealTimers());

  it('asks once, after typing pauses', async () => {
    vi.useFakeTimers();
    const t = fakeTransport({ search: [hit] });
    const s = new SearchState(t, () => {});
    for (const q of ['下', '下穿', '下穿通道']) {
      s.query = q;
      s.input();
      vi.advanceTimersByTime(SEARCH_DELAY_MS / 2);
    }
    expect(t.calls).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(SEARCH_DELAY_MS);
    expect(t.calls).toEqual([['search', ['下穿通道']]]);
    expect(s.hits).toEqual([hit]);
  });

  it('an empty query clears the hits without asking; a failure is reported', async () => {
    const errors: unknown[] = [];
    const t = fakeTransport({ search: new Error('engine down') });
    const s = new SearchState(t, (e) => errors.push(e));
    s.hits = [hit];
    s.query = '  ';
    await s.run();
    expect(s.hits).toEqual([]);
    expect(t.calls).toHaveLength(0);
    s.query = 'x';
    await s.run();
    expect(errors).toHaveLength(1);
  });

  it('choosing a hit shows it in the box and closes the list', () => {
    const s = new SearchState(fakeTransport(), () => {});
    s.hits = [hit];
    s.choose(hit);
    expect(s.query).toBe('解放路下穿通道');
    expect(s.hits).toEqual([]);
  });
});
