import { describe, expect, it } from 'vitest';
import { CasesState, handoverLabel, hoursLeft } from './cases.svelte';
import { fakeTransport } from '../testing/fakes';
import type { Case } from '../../types';

const c = (id: string, state: Case['state'], pending: Case['pending'] = null): Case => ({
  id, origin: 'operator', category: '市容环境', urgent: false, title: '垃圾满溢', description: '', address: '', lon: 118, lat: 33,
  reporter: '', media: [], state, department: null, limit_h: null, deadline_at: null, pending, created_at: 0, updated_at: 0, closed_at: null, on_time: null,
  reported_by: '', remaining_ms: null, centre: 'city',
});

const steps = { register: ['received' as const], dispatch: ['registered' as const], extend: ['dispatched' as const, 'handling' as const], approve: [], deny: [] };

describe('CasesState', () => {
  it('offers the steps that leave from the case state, and approval first where one waits', () => {
    const s = new CasesState(fakeTransport());
    expect(s.offered(c('A', 'received'), steps)).toEqual(['register']);
    const waiting = c('B', 'handling', { action: 'extend', by: '张伟', note: '协调', hours: 2, at: 0 });
    expect(s.offered(waiting, steps)).toEqual(['approve', 'deny']);
    expect(s.offered(c('C', 'handling'), { extend: ['handling'] })).toEqual(['extend']);
  });

  it('replaces a stepped case with the engine answer and drops one that closed', async () => {
    // The refresh after a step stays in flight: what is checked is the step's own answer.
    const transport = fakeTransport({ caseStep: (id: string) => c(id, id === 'A' ? 'registered' : 'closed'), cases: () => new Promise(() => {}), caseSummary: null });
    const s = new CasesState(transport);
    s.list = [c('A', 'received'), c('B', 'verified')];
    expect(await s.step('A', 'register')).toBe(true);
    expect(s.list.map((x) => x.state)).toEqual(['registered', 'verified']);
    await s.step('B', 'close');
    expect(s.list.map((x) => x.id)).toEqual(['A']);
  });

  it('keeps the engine refusal to show', async () => {
    const s = new CasesState(fakeTransport({ caseStep: new Error('a case that is received (受理) cannot take the step `close`') }));
    s.list = [c('A', 'received')];
    expect(await s.step('A', 'close')).toBe(false);
    expect(s.error).toContain('cannot take the step');
  });

  it('draws the open cases on the map, overdue ones marked, and asks for a redraw when they move', async () => {
    let redraws = 0;
    const s = new CasesState(fakeTransport({ cases: [{ ...c('A', 'handling'), deadline_at: 100 }, c('B', 'received')], caseSummary: null }), () => redraws++);
    await s.refresh();
    expect(redraws).toBe(1);
    const fc = s.collection(200);
    expect(fc.features.map((f) => [f.properties?.id, f.properties?.overdue])).toEqual([['A', true], ['B', false]]);
  });

  it('counts hours left to a deadline, negative once overdue', () => {
    expect(hoursLeft(null, 0)).toBeNull();
    expect(hoursLeft(5_400_000, 0)).toBe(1.5);
    expect(hoursLeft(0, 3_600_000)).toBe(-1);
    expect(hoursLeft(0, 60_000)).toBe(-0.1);
  });

  it('says how long a hand-over has left to be taken up, or how late it lies', () => {
    const handed = { ...c('A1', 'registered'), handover: { act: 'hand_down', from: 'city', to: 'west', at: 0, due_at: 3_600_000 } };
    expect(handoverLabel(c('A2', 'registered'), 0, true)).toBeNull();
    expect(handoverLabel(handed, 1_800_000, true)).toEqual({ text: '待接收 剩 30 分钟', late: false });
    expect(handoverLabel(handed, -1_000, true)?.text).toBe('待接收 剩 60 分钟');
    expect(handoverLabel(handed, 3_690_000, false)).toEqual({ text: 'not taken up, 2 min late', late: true });
  });

  it('uploads a step\'s photos first and sends their references with the step', async () => {
    let n = 0;
    const transport = fakeTransport({
      uploadMedia: () => ({ id: `h${++n}`, url: `/api/v1/media/h${n}`, content_type: 'image/jpeg', size: 3 }),
      caseStep: (id: string) => c(id, 'reported'),
      cases: () => new Promise(() => {}),
    });
    const s = new CasesState(transport);
    s.list = [c('A', 'handling')];
    expect(await s.step('A', 'report', { note: '已清运' }, [new Blob(['a']), new Blob(['b'])])).toBe(true);
    const sent = transport.calls.find(([name]) => name === 'caseStep')?.[1];
    expect(sent).toEqual(['A', 'report', { note: '已清运', media: ['/api/v1/media/h1', '/api/v1/media/h2'] }]);
  });

  it('takes no step when a photo is refused, and says why', async () => {
    const transport = fakeTransport({ uploadMedia: new Error('the upload is not a JPEG, PNG or WebP picture') });
    const s = new CasesState(transport);
    expect(await s.step('A', 'report', {}, [new Blob(['<svg>'])])).toBe(false);
    expect(s.error).toContain('not a JPEG');
    expect(transport.calls.some(([name]) => name === 'caseStep')).toBe(false);
  });

  it('opens and closes a case timeline, and refreshes it after a step on that case', async () => {
    let stepped = false;
    const transport = fakeTransport({
      caseDetail: (id: string) => ({ case: c(id, stepped ? 'registered' : 'received'), steps: [] }),
      caseStep: (id: string) => { stepped = true; return c(id, 'registered'); },
      cases: () => new Promise(() => {}),
    });
    const s = new CasesState(transport);
    await s.toggleDetail('A');
    expect(s.detail?.case.state).toBe('received');
    await s.step('A', 'register');
    expect(s.detail?.case.state).toBe('registered');
    await s.toggleDetail('A');
    expect(s.detail).toBeNull();
  });
});
