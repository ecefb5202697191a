import { describe, expect, it } from 'vitest';
import { CentresState, stateColour } from './centres.svelte';
import type { Bbox, Case, CentreNode, CentreStatus } from '../../types';

const node = (id: string, children: CentreNode[] = [], west = 0): CentreNode => ({
  id, name_zh: `${id}中心`, name_en: `${id} centre`, ack_limit_min: 5, children,
  extent: id === 'county' ? null : { west, south: 60, east: west + 1, north: 61 },
  area: id === 'county' ? null : { type: 'MultiPolygon', coordinates: [[[[west, 60], [west + 1, 60], [west + 1, 61], [west, 61], [west, 60]]]] },
});
const TREE = node('county', [node('north', [node('n1', [], 24), node('n2', [], 25)], 24), node('south', [], 26)]);

function centres(mine: string | null, lang = 'zh', answer: CentreStatus[] | Error = []) {
  const fitted: (Bbox | null)[] = [];
  const painted: GeoJSON.FeatureCollection[] = [];
  const transport = { centreStatus: async () => { if (answer instanceof Error) throw answer; return answer; } };
  const state = new CentresState(transport, { tree: () => TREE, mine: () => mine, lang: () => lang, fit: (b) => fitted.push(b), paint: (fc) => painted.push(fc) });
  return { state, fitted, painted };
}

describe('CentresState', () => {
  it('names another centre\'s warning on a parent\'s wall, and none of its own', () => {
    const { state } = centres(null);
    expect(state.own?.id).toBe('county');
    expect(state.isChild).toBe(false);
    expect(state.ownExtent).toBeNull();
    expect(state.ownArea).toBeNull();
    expect(state.ownerTag('n2')).toBe('n2中心');
    expect(state.ownerTag('county')).toBeNull();
    expect(state.ownerTag('')).toBeNull();
  });

  it('a district\'s wall names its own centre and opens on its area', () => {
    const { state } = centres('north', 'en');
    expect(state.isChild).toBe(true);
    expect(state.name(state.own!.id)).toBe('north centre');
    expect(state.ownExtent).toEqual([24, 60, 25, 61]);
    expect(state.ownArea?.coordinates[0][0][0]).toEqual([24, 60]);
    expect(state.ownerTag('north')).toBeNull();
    expect(state.ownerTag('n1')).toBe('n1 centre');
    expect(state.name('gone')).toBe('gone');
  });

  it('a city of one centre names no owner anywhere', () => {
    const one = new CentresState({ centreStatus: async () => [] }, { tree: () => node('city'), mine: () => null, lang: () => 'zh', fit: () => {}, paint: () => {} });
    expect(one.ownerTag('city')).toBeNull();
  });

  it('steps into a child: its area on the map, its rows and those under it; and back', () => {
    const { state, fitted } = centres(null);
    expect(state.inFocus('south')).toBe(true);
    state.stepInto('north');
    expect(fitted).toEqual([[24, 60, 25, 61]]);
    expect(state.inFocus('n2')).toBe(true);
    expect(state.inFocus('north')).toBe(true);
    expect(state.inFocus('south')).toBe(false);
    state.back();
    expect(fitted[1]).toBeNull();
    expect(state.inFocus('south')).toBe(true);
  });

  it('offers a hand-over only on a case its centre holds: down where centres stand below, up where one stands above', () => {
    const can = () => true;
    expect(centres(null).state.handOvers('county', can)).toEqual(['hand_down']);
    expect(centres(null).state.handOvers('', can)).toEqual(['hand_down']);
    expect(centres('north').state.handOvers('north', can)).toEqual(['hand_down', 'report_up']);
    expect(centres('n1').state.handOvers('n1', can)).toEqual(['report_up']);
    expect(centres('north').state.handOvers('n1', can)).toEqual([]);
    expect(centres('north').state.handOvers('north', (a) => a === 'incident.report_up')).toEqual(['report_up']);
  });

  it('urges (督办) only a case a centre below holds once it is overdue, and once', () => {
    const can = () => true;
    const c = (centre: string, deadline_at: number | null, urged = false) =>
      ({ centre, state: 'dispatched', deadline_at, urged: urged ? { by: 'x', centre: 'county', note: '', at: 0 } : undefined }) as unknown as Case;
    const city = centres(null).state;
    expect(city.offers(c('n1', 100), 200, can)).toEqual(['urge']);
    expect(city.offers(c('n1', 300), 200, can)).toEqual([]);
    expect(city.offers(c('n1', 100, true), 200, can)).toEqual([]);
    expect(city.offers(c('county', 100), 200, can)).toEqual(['hand_down']);
    expect(centres('n1').state.offers(c('n1', 100), 200, can)).toEqual(['report_up']);
  });

  it('colours each child\'s area on the map by its state, on request, and keeps it current', async () => {
    const row = (id: string, red: number, overdue = 0, online = true) =>
      ({ id, red, unacknowledged: red, urged: 0, online, cases: { overdue } }) as unknown as CentreStatus;
    expect(stateColour(row('a', 1))).toBe('#ff4d64');
    expect(stateColour(row('a', 0, 2))).toBe('#ffb020');
    expect(stateColour(row('a', 0))).toBe('#35d07f');
    expect(stateColour(row('a', 0, 0, false))).toBe('#6b7c93');
    const { state, painted } = centres(null, 'zh', [row('north', 1), row('south', 0)]);
    await state.refresh();
    expect(painted).toEqual([]);
    state.toggleColouring();
    expect(painted[0].features.map((f) => [f.properties?.id, f.properties?.colour])).toEqual([['north', '#ff4d64'], ['south', '#35d07f']]);
    await state.refresh();
    expect(painted).toHaveLength(2);
    state.toggleColouring();
    expect(painted[2].features).toEqual([]);
  });

  it('holds its children\'s state, or says why it could not ask', async () => {
    const row = { id: 'north' } as CentreStatus;
    const ok = centres(null, 'zh', [row]);
    await ok.state.refresh();
    expect(ok.state.status).toEqual([row]);
    const down = centres(null, 'zh', new Error('engine down'));
    await down.state.refresh();
    expect(down.state.error).toBe('engine down');
  });
});
