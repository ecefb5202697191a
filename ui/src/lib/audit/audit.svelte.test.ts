import { describe, expect, it } from 'vitest';
import { AuditState, actionName } from './audit.svelte';
import { fakeTransport } from '../testing/fakes';

describe('AuditState', () => {
  it('shows the latest rows and keeps a refusal to show instead', async () => {
    const row = { seq: 3, at: 1, actor: '张伟', action: 'warning.acknowledge', target: 'W1', detail: '{}', prev_hash: '', hash: '' };
    const ok = new AuditState(fakeTransport({ audit: [row] }));
    await ok.refresh();
    expect(ok.rows[0].actor).toBe('张伟');
    const refused = new AuditState(fakeTransport({ audit: new Error('大屏 (wall) may not audit.read') }));
    await refused.refresh();
    expect(refused.error).toContain('may not audit.read');
  });

  it('names actions for the console, case steps by their step', () => {
    expect(actionName('warning.acknowledge', true)).toBe('确认预警');
    expect(actionName('incident.dispatch', true)).toBe('案件派遣');
    expect(actionName('incident.request.extend', true)).toBe('案件申请延期');
    expect(actionName('incident.approve.reopen', false)).toBe('Case: approved Reopen');
    expect(actionName('something.new', false)).toBe('something.new');
  });
});
