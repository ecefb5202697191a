import { describe, expect, it } from 'vitest';
import { language } from '../settings/language.svelte';
import { LayerState, TILE_RELOAD_MS } from './layers.svelte';
import { collection, fakeMap, fakeTransport, feature, layerInfo, settle } from '../testing/fakes';
import type { LayerInfo } from '../../types';
import { TEMPLATES, drawOrder, layerDef, styleIds } from './catalogue';

// As the demo's config declares them: the shipped templates by name, the census hidden at first.
const info = (...ids: string[]): LayerInfo[] =>
  ids.map((id) => layerInfo({ id, title_zh: `${id}-zh`, title_en: `${id}-en`, count: 3, visible: id !== 'components', template: id in TEMPLATES ? id : null }));

function setup(answers = {}, now = () => 0) {
  const map = fakeMap();
  const drawn: string[] = [];
  const t = fakeTransport(answers);
  const s = new LayerState(t, () => map, (l) => drawn.push(l), now);
  s.setInfo(info('flood', 'incidents', 'cameras', 'components', 'hydrants'));
  return { s, map, drawn, t };
}

describe('LayerState', () => {
  it('knows a layer counted but not drawn below its min_zoom', () => {
    const { s } = setup();
    s.setInfo([{ ...info('hydrants')[0], min_zoom: 12 }]);
    expect(s.belowZoom('hydrants', 11.5)).toBe(true);
    expect(s.belowZoom('hydrants', 12)).toBe(false);
    expect(s.belowZoom('flood', 3)).toBe(false);
  });

  it('draws every configured layer in the config order, with the visibility it gives', () => {
    const { s } = setup();
    expect(s.ids).toEqual(['flood', 'incidents', 'cameras', 'components', 'hydrants']);
    expect(s.visible).toEqual({ flood: true, incidents: true, cameras: true, components: false, hydrants: true });
    expect(s.fetched).toEqual(['flood', 'incidents', 'hydrants']);
    // A template binds to the layer's id; a layer with none is drawn from its config style.
    expect(styleIds('flood')).toContain('flood-dot');
    expect(styleIds('hydrants')).toEqual(['hydrants-cluster', 'hydrants-cluster-count', 'hydrants-fill', 'hydrants-outline', 'hydrants-line', 'hydrants-dot']);
    expect(layerDef('hydrants')?.styles()[5]).toMatchObject({ source: 'hydrants', type: 'circle' });
    // Tiled inventories under the live layers; the catalogue's first layer on top.
    expect(drawOrder(s.ids)).toEqual(['components', 'cameras', 'hydrants', 'incidents', 'flood']);
    expect(s.title('flood', 'en')).toBe('flood-en');
    expect(s.count('flood')).toBe(3);
  });

  it('tells the engine which layers it draws, again whenever one is switched', () => {
    const { s, t } = setup();
    const announced = () => t.calls.filter(([name]) => name === 'streamLayers').map(([, args]) => args[0]);
    expect(announced()).toEqual([['flood', 'incidents', 'cameras', 'hydrants']]);
    s.toggle('incidents');
    s.setVisible('components', true);
    s.setVisible('components', true);
    expect(announced().slice(1)).toEqual([['flood', 'cameras', 'hydrants'], ['flood', 'cameras', 'components', 'hydrants']]);
  });

  it('lists layers by catalogue group, in order of first appearance, ungrouped last', () => {
    const s = new LayerState(fakeTransport({}), () => null, () => {});
    const l = (id: string, group: string | null = null, group_en: string | null = null): LayerInfo => layerInfo({ id, count: 1, group, group_en });
    s.setInfo([l('a', '防汛', 'Flood'), l('b', '交通'), l('c'), l('d', '防汛')]);
    expect(s.ids).toEqual(['a', 'd', 'b', 'c']);
    expect(s.groups).toEqual([{ name: '防汛', label: '防汛', ids: ['a', 'd'] }, { name: '交通', label: '交通', ids: ['b'] }, { name: '', label: '', ids: ['c'] }]);
    language.lang = 'en';
    // An English wall names a group as config does in English, or as it is where config gives none.
    expect(s.groups.map((g) => g.label)).toEqual(['Flood', '交通', '']);
    language.lang = 'zh';
    s.toggleGroup('防汛');
    expect(s.visible).toMatchObject({ a: false, d: false, b: true });
    s.visible.a = true;
    s.toggleGroup('防汛');
    expect(s.visible).toMatchObject({ a: true, d: true });
  });

  it('fetches a view only when what it holds does not cover it, or the cluster zoom changed', async () => {
    const { s, map, drawn, t } = setup({ features: (layer: string) => collection(layer, [feature('a', 118.25, 33.95)], 5) });
    expect(s.decide('cameras', map.view, 14, false)).toBe('skip');
    expect(s.decide('cameras', map.view, 14, true)).toBe('tiles');
    expect(s.decide('flood', map.view, 14, false)).toBe('fetch');
    await s.fetch('flood', false, () => true);
    expect(drawn).toEqual(['flood']);
    expect(s.views.flood.get('a')).toBeDefined();
    // A small pan inside the padded box needs nothing.
    expect(s.decide('flood', [118.21, 33.91, 118.31, 34.01], 14, false)).toBe('skip');
    expect(s.decide('flood', [118.21, 33.91, 118.31, 34.01], 14, true)).toBe('fetch');
    expect(s.decide('flood', [117, 33, 119, 35], 14, false)).toBe('fetch');
    s.views.incidents.replace(collection('incidents', [], 1, 'clusters'), [117, 33, 119, 35], 12.2);
    expect(s.decide('incidents', map.view, 12.9, false)).toBe('skip');
    expect(s.decide('incidents', map.view, 13.1, false)).toBe('fetch');
    expect(t.calls.filter(([c]) => c === 'features')).toHaveLength(1);
  });

  it('drops an answer that lands after replay began', async () => {
    const { s, drawn } = setup({ features: collection('flood', [feature('a', 118.25, 33.95)]) });
    await s.fetch('flood', true, () => false);
    expect(drawn).toEqual([]);
    expect(s.views.flood.size).toBe(0);
  });

  it('reloads a tiled layer at most every 30 s', () => {
    let now = 1_000_000;
    const { s, map } = setup({}, () => now);
    const delta = { type: 'features' as const, seq: 2, at: 0, polled_at: 0, layer: 'cameras', upserted: [], removed: [] };
    expect(s.apply(delta)).toBe('tiles');
    expect(map.tiles.get('cameras')).toEqual(['cw://cameras/{z}/{x}/{y}?v=1']);
    now += TILE_RELOAD_MS - 1;
    expect(s.apply(delta)).toBe('none');
    now += 1;
    expect(s.apply(delta)).toBe('tiles');
    expect(map.tiles.get('cameras')).toEqual(['cw://cameras/{z}/{x}/{y}?v=2']);
  });

  it('applies deltas to a features view and asks a clustered view to refetch', () => {
    const { s, drawn } = setup();
    s.views.flood.replace(collection('flood', [feature('a', 118.25, 33.95)], 5), [118, 33, 119, 34]);
    const d = (seq: number, upserted = [feature('b', 118.5, 33.5)], removed: string[] = []) => ({ type: 'features' as const, seq, at: 0, polled_at: 0, layer: 'flood', upserted, removed });
    expect(s.apply(d(4))).toBe('none');
    expect(s.apply(d(6))).toBe('drawn');
    expect(s.views.flood.get('b')).toBeDefined();
    expect(s.apply(d(7, [feature('c', 100, 10)]))).toBe('none');
    expect(drawn).toEqual(['flood']);
    s.views.incidents.replace(collection('incidents', [], 5, 'clusters'), [118, 33, 119, 34]);
    expect(s.apply({ ...d(8), layer: 'incidents' })).toBe('refetch');
  });

  it('coalesces refetches: changes during one cost one more, not one each', async () => {
    const { s } = setup();
    let runs = 0;
    let release: () => void = () => {};
    const run = () => new Promise<void>((r) => { runs++; release = r; });
    void s.refetch('incidents', run);
    void s.refetch('incidents', run);
    void s.refetch('incidents', run);
    expect(runs).toBe(1);
    release();
    await settle();
    expect(runs).toBe(2);
    release();
    await settle();
    expect(runs).toBe(2);
  });

  it('switches a layer off and on by its style ids', () => {
    const { s, map } = setup();
    s.toggle('flood');
    expect(s.visible.flood).toBe(false);
    expect([...map.hidden]).toEqual(['flood-halo', 'flood-dot', 'flood-label']);
    s.toggle('flood');
    expect(map.hidden.size).toBe(0);
  });
});
