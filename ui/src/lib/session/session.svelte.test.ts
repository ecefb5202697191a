import { describe, expect, it } from 'vitest';
import { Session } from './session.svelte';
import { fakeTransport } from '../testing/fakes';
import { EngineError } from '../../transport';

describe('Session', () => {
  it('admits an open wall without a login', async () => {
    const s = new Session(fakeTransport({ whoami: { principal: { name: '本机值班', role: 'duty', via: 'open' }, open: true, can: ['view', 'warning.acknowledge'] } }));
    await s.load();
    expect(s.admitted).toBe(true);
    expect(s.can('warning.acknowledge')).toBe(true);
    expect(s.can('user.manage')).toBe(false);
  });

  it('asks for a login when the engine knows no one, and keeps the refusal to show', async () => {
    const transport = fakeTransport({
      whoami: { principal: null, open: false },
      login: () => Promise.reject(new EngineError('the name or the password is wrong', 401)),
    });
    const s = new Session(transport);
    await s.load();
    expect(s.admitted).toBe(false);
    expect(await s.login({ name: 'zhang', password: 'x' })).toBe(false);
    expect(s.error).toBe('the name or the password is wrong');
    expect(s.admitted).toBe(false);
  });

  it('logs a kiosk in with the token in the address and never asks again', async () => {
    const transport = fakeTransport({
      login: { principal: { name: 'token', role: 'wall', via: 'token' }, open: false },
      whoami: { principal: null, open: false },
    });
    const s = new Session(transport);
    await s.load('#token=abc123');
    expect(s.admitted).toBe(true);
    expect(transport.calls.map((c) => c[0])).toEqual(['login']);
    expect(transport.calls[0][1]).toEqual([{ token: 'abc123' }]);
  });
});
