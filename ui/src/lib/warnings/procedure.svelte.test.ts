import { describe, expect, it } from 'vitest';
import { ProcedureState } from './procedure.svelte';
import { fakeTransport } from '../testing/fakes';

const FLOOD = { department: '市排水管理处', contact: '0527-84300000', steps: ['调阅视频核实积水', '通知泵车出动'], department_en: '', steps_en: [] };

describe('ProcedureState', () => {
  it('shows a warning\'s procedure with its steps taken, and records a step', async () => {
    const taken = [{ step: 0, text: '调阅视频核实积水', by: '值班员', at: 1 }];
    const t = fakeTransport({ warningSteps: () => taken, takeStep: () => [...taken, { step: 1, text: '通知泵车出动', by: '值班员', at: 2 }] });
    const p = new ProcedureState(t, () => {});
    p.configure({ 'flood-level': FLOOD });
    expect(p.of('flood-level')?.department).toBe('市排水管理处');
    expect(p.of('hotspot')).toBeUndefined();
    await p.toggle('W1');
    expect(p.open).toBe('W1');
    expect(p.takenAt(0)?.by).toBe('值班员');
    expect(p.takenAt(1)).toBeUndefined();
    await p.take('W1', 1, '值班员');
    expect(t.calls).toContainEqual(['takeStep', ['W1', 1, '值班员']]);
    expect(p.takenAt(1)?.at).toBe(2);
    await p.toggle('W1');
    expect(p.open).toBeNull();
  });

  it('says where the operator looks when a step cannot be recorded', async () => {
    const failures: string[] = [];
    const t = fakeTransport({ takeStep: () => { throw new Error('403'); } });
    const p = new ProcedureState(t, (what) => failures.push(what));
    await p.take('W1', 0, 'x');
    expect(failures).toEqual(['预案步骤记录失败']);
  });
});
