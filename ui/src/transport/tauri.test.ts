import { describe, expect, it, vi } from 'vitest';

// The desktop's IPC: a refusal arrives as the HTTP server's `{status, error}`.
const { invoke } = vi.hoisted(() => ({ invoke: vi.fn() }));
vi.mock('@tauri-apps/api/core', () => ({ invoke }));

import { EngineError } from './api';
import { TauriTransport } from './tauri';

describe('TauriTransport', () => {
  it('reads a refusal as an EngineError with its status, as over HTTP', async () => {
    invoke.mockRejectedValueOnce({ status: 403, error: 'this role may not acknowledge warnings' });
    const err = await new TauriTransport().whoami().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EngineError);
    expect((err as EngineError).status).toBe(403);
    expect((err as EngineError).message).toBe('whoami: this role may not acknowledge warnings');
  });

  it('keeps any other failure as an error naming the command', async () => {
    invoke.mockRejectedValueOnce('the window is closing');
    const err = await new TauriTransport().whoami().catch((e: unknown) => e);
    expect(err).not.toBeInstanceOf(EngineError);
    expect((err as Error).message).toBe('whoami: the window is closing');
  });

  it('sends each table endpoint through the command its entry names, refusals naming it', async () => {
    invoke.mockResolvedValueOnce({ product: 'CityWall' });
    invoke.mockRejectedValueOnce({ status: 403, error: 'a screen that only shows may not' });
    const tauri = new TauriTransport();
    await tauri.meta();
    const err = await tauri.acknowledge('W1', '张三').catch((e: unknown) => e);
    expect(invoke.mock.calls.slice(-2)).toEqual([
      ['query', { endpoint: 'meta', args: {} }],
      ['operate', { endpoint: 'acknowledge', args: { id: 'W1', by: '张三' } }],
    ]);
    expect((err as EngineError).message).toBe('acknowledge: a screen that only shows may not');
  });
});
