import { describe, expect, it } from 'vitest';
import { StreamDispatcher, type DeltaSink } from './dispatch';
import { source, warning } from '../testing/fakes';

function sink(live = true) {
  const log: string[] = [];
  const s: DeltaSink & { log: string[]; live: boolean } = {
    live, log,
    resync: () => log.push('resync'),
    touched: () => log.push('touched'),
    warning: (w) => log.push(`warning ${w.id}`),
    features: (d) => log.push(`features ${d.layer}`),
    reload: (d) => log.push(`reload ${d.layer}`),
    source: (x) => log.push(`source ${x.id}`),
    focus: (f) => log.push(`focus ${f.title}`),
    onWall: (c) => log.push(`onwall ${c.map((x) => x.id).join(',')}`),
    caseMoved: (c) => log.push(`case ${c.id} ${c.centre}`),
  };
  return s;
}
const features = (seq: number) => ({ type: 'features' as const, seq, at: 0, polled_at: 0, layer: 'flood', upserted: [], removed: [] });

describe('StreamDispatcher', () => {
  it('routes each delta to its owner and resyncs on a gap in the sequence', () => {
    const s = sink();
    const d = new StreamDispatcher(s);
    d.startAt(10);
    d.dispatch(features(11));
    d.dispatch({ type: 'warning', seq: 12, at: 0, warning: warning('w', 'red') });
    d.dispatch({ type: 'reload', seq: 14, at: 0, layer: 'rain', polled_at: 0 });
    d.dispatch({ type: 'source', seq: 15, at: 0, source: source('s', 'flood', 'ok') });
    d.dispatch({ type: 'focus', seq: 16, at: 0, focus: { lon: 1, lat: 2, title: 'f', by: '' } });
    d.dispatch({ type: 'onwall', seq: 17, at: 0, cameras: [{ id: 'c1', name: '枪机1', lon: 1, lat: 2 }] });
    d.dispatch({ type: 'case', seq: 18, at: 0, case: { id: 'AJ1', state: 'registered', centre: 'east' } });
    expect(s.log).toEqual(['touched', 'features flood', 'touched', 'warning w', 'resync', 'touched', 'reload rain', 'touched', 'source s', 'touched', 'focus f', 'touched', 'onwall c1', 'touched', 'case AJ1 east']);
  });

  it('a delta naming the one sent before it is no gap, though layers this wall does not draw were left out', () => {
    const s = sink();
    const d = new StreamDispatcher(s);
    d.startAt(10);
    d.dispatch({ ...features(14), prev: 10 });
    d.dispatch({ ...features(20), prev: 14 });
    expect(s.log).not.toContain('resync');
    d.dispatch({ ...features(25), prev: 21 });
    expect(s.log.filter((l) => l === 'resync')).toHaveLength(1);
  });

  it('hello sets the sequence; resync asks for everything again', () => {
    const s = sink();
    const d = new StreamDispatcher(s);
    d.dispatch({ type: 'hello', seq: 40 });
    d.dispatch(features(41));
    d.dispatch({ type: 'resync', missed: 3 });
    expect(s.log).toEqual(['touched', 'features flood', 'resync']);
  });

  it('while replaying takes only source states', () => {
    const s = sink(false);
    const d = new StreamDispatcher(s);
    d.startAt(1);
    d.dispatch(features(2));
    d.dispatch({ type: 'warning', seq: 3, at: 0, warning: warning('w', 'red') });
    d.dispatch({ type: 'source', seq: 4, at: 0, source: source('s', 'flood', 'failing') });
    expect(s.log).toEqual(['touched', 'touched', 'touched', 'source s']);
  });
});
