import { describe, expect, it } from 'vitest';
import { genericDetail, ownId, text, timelineSteps } from './model';
import { TEMPLATES } from '../layers/catalogue';
import { genericDef } from '../layers/generic';
import { feature, layerInfo, popupField } from '../testing/fakes';

const HOSTILE = '<img src=x onerror="window.__pwned=1">';

describe('detail templates', () => {
  it('an incident timeline lists each status once, when it first appeared, and a removal', () => {
    const steps = timelineSteps([
      { at: 1, properties: { status: '待受理' } },
      { at: 2, properties: { status: '待受理' } },
      { at: 3, properties: { status: '处置中' } },
      { at: 4, properties: {} },
      { at: 5, properties: null },
    ]);
    expect(steps).toEqual([{ at: 1, status: '待受理' }, { at: 3, status: '处置中' }, { at: 5, status: '已移除' }]);
  });

  it('every layer template passes what a subsystem sent through as plain text, never dropping it', () => {
    const props = { name: HOSTILE, category: HOSTILE, status: HOSTILE, channel: HOSTILE, severity: HOSTILE, district: HOSTILE, road: HOSTILE, kind: HOSTILE, recent_passes: [{ plate: HOSTILE, at: HOSTILE }] };
    const configured = genericDef(layerInfo({ id: 'hydrants', title_zh: '消防栓', title_en: 'Hydrants', label: 'name', popup: [popupField({ field: 'status' }), popupField({ field: 'kind', unit: HOSTILE })] }));
    for (const def of [...Object.values(TEMPLATES).map((t) => ({ ...t, id: t.template })), configured]) {
      const model = (def.detail ?? genericDetail)(feature(HOSTILE, 1, 2, props));
      const strings = [model.title, model.pill?.text ?? '', ...model.rows.flatMap((r) => [r.label, r.value]), ...(model.table?.rows.flatMap((r) => r.cells) ?? [])];
      expect(strings.join(' '), def.id).toContain(HOSTILE);
      // The pill's tone picks a CSS class: it comes from a fixed set, never from the data.
      expect(model.pill?.tone ?? 'none', def.id).toMatch(/^(lvl|sev)-[a-z]+$|^none$/);
    }
  });

  it('shows the id the feature\'s own system gave it, not the wall\'s source-scoped key', () => {
    expect(ownId(feature('sim-incidents:SJ1', 0, 0, { _source: 'sim-incidents' }))).toBe('SJ1');
    expect(ownId(feature('SJ1', 0, 0, { _source: 'sim-incidents' }))).toBe('SJ1');
    expect(ownId(feature('other:SJ1', 0, 0, { _source: 'sim-incidents' }))).toBe('other:SJ1');
  });

  it('writes missing values as a dash', () => {
    expect([text(undefined), text(null), text(''), text(0), text({ a: 1 })]).toEqual(['—', '—', '—', '0', '{"a":1}']);
  });
});
