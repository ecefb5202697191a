import { describe, expect, it } from 'vitest';
import { WarningsState, sortWarnings } from './warnings.svelte';
import { fakeTransport, warning } from '../testing/fakes';

describe('WarningsState', () => {
  it('orders the most severe first, then those still to acknowledge, then the latest', () => {
    const list = sortWarnings([warning('a', 'yellow'), warning('b', 'red', 'acknowledged', 5), warning('c', 'red', 'raised', 1), warning('d', 'red', 'raised', 9)]);
    expect(list.map((w) => w.id)).toEqual(['d', 'c', 'b', 'a']);
  });

  it('folds changes: a cleared warning leaves, the ticker tells of raises and escalations only', () => {
    let draws = 0;
    const s = new WarningsState(fakeTransport(), () => draws++);
    s.fold([warning('a', 'yellow'), warning('b', 'blue')]);
    expect(s.list.map((w) => w.id)).toEqual(['a', 'b']);
    expect(s.ticker.map((w) => w.id)).toEqual(['b', 'a']);
    s.fold([warning('b', 'red')]);
    expect(s.list[0].id).toBe('b');
    expect(s.ticker.map((w) => w.id)).toEqual(['b', 'a']);
    // An acknowledgement or a de-escalation is no news.
    s.fold([warning('a', 'yellow', 'acknowledged'), warning('b', 'orange')]);
    expect(s.ticker.map((w) => w.id)).toEqual(['b', 'a']);
    s.fold([warning('a', 'yellow', 'cleared')]);
    expect(s.list.map((w) => w.id)).toEqual(['b']);
    expect(s.unacked).toBe(1);
    expect(s.count('orange')).toBe(1);
    expect(draws).toBe(4);
  });

  it("counts a stepped-in child's warnings only, when asked to", () => {
    const s = new WarningsState(fakeTransport(), () => {});
    s.fold([{ ...warning('a', 'red'), centre: 'west' }, { ...warning('b', 'red'), centre: 'east' }, { ...warning('c', 'orange', 'acknowledged'), centre: 'west' }]);
    const west = (w: { centre?: string | null }) => w.centre === 'west';
    expect([s.unacked, s.unackedWhere(west)]).toEqual([2, 1]);
    expect([s.count('red'), s.count('red', west), s.count('orange', west)]).toEqual([2, 1, 1]);
  });

  it('keeps the ticker to the twelve latest', () => {
    const s = new WarningsState(fakeTransport(), () => {});
    s.fold(Array.from({ length: 20 }, (_, i) => warning(`w${i}`, 'blue')));
    expect(s.ticker).toHaveLength(12);
    expect(s.ticker[0].id).toBe('w19');
  });

  it('queues deltas until the frame folds them once, and drops them while replaying', () => {
    let draws = 0;
    const s = new WarningsState(fakeTransport(), () => draws++);
    s.queue(warning('a', 'red'));
    s.queue(warning('a', 'orange'));
    s.queue(warning('b', 'blue'));
    expect(s.list).toHaveLength(0);
    s.flushQueued(true);
    expect(s.list.map((w) => [w.id, w.level])).toEqual([['a', 'orange'], ['b', 'blue']]);
    s.queue(warning('c', 'red'));
    s.flushQueued(false);
    expect(s.list.map((w) => w.id)).toEqual(['a', 'b']);
    s.flushQueued(true);
    expect(s.list.map((w) => w.id)).toEqual(['a', 'b']);
    expect(draws).toBe(5);
  });

  it('acknowledges through the transport and keeps the warning open as acknowledged', async () => {
    const t = fakeTransport({ acknowledge: (id: string, by: string) => ({ ...warning(id, 'red', 'acknowledged'), acknowledged_by: by }) });
    const s = new WarningsState(t, () => {});
    s.fold([warning('a', 'red')]);
    expect(s.firstRaised?.id).toBe('a');
    await s.acknowledge(s.list[0], '值班员');
    expect(t.calls).toContainEqual(['acknowledge', ['a', '值班员']]);
    expect(s.list[0].state).toBe('acknowledged');
    expect(s.list[0].acknowledged_by).toBe('值班员');
    expect(s.firstRaised).toBeUndefined();
  });

  it('draws each open warning as a point of its level and state', () => {
    const s = new WarningsState(fakeTransport(), () => {});
    s.fold([warning('a', 'red')]);
    expect(s.collection().features[0]).toMatchObject({ id: 'a', geometry: { coordinates: [118.2, 33.9] }, properties: { level: 'red', state: 'raised' } });
    // A new reading in the title is not a new drawing; a new level is.
    const key = s.drawnKey();
    s.fold([{ ...warning('a', 'red'), title: '积水 0.52 m' }]);
    expect(s.drawnKey()).toBe(key);
    s.fold([warning('a', 'orange')]);
    expect(s.drawnKey()).not.toBe(key);
  });
});
