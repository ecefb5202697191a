import { afterEach, describe, expect, it, vi } from 'vitest';
import { HttpTransport } from './http';
import { EngineError } from './api';
import type { NewCase } from '../types';

/** Every request the transport makes, answered with `answer`. */
function recording(answer: () => Response) {
  const seen: { url: string; method: string; body: unknown }[] = [];
  vi.stubGlobal('fetch', async (url: string, init: RequestInit = {}) => {
    seen.push({ url, method: init.method ?? 'GET', body: init.body === undefined ? undefined : JSON.parse(String(init.body)) });
    return answer();
  });
  return seen;
}

const ok = () => new Response('[]', { status: 200, headers: { 'content-type': 'application/json' } });

describe('the table endpoints over HTTP', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('fills the path, puts the rest in the query, lists joined by commas', async () => {
    const seen = recording(ok);
    const http = new HttpTransport('http://wall');
    await http.features('flood', [118.1, 33.9, 118.4, 34.1], 12.5);
    await http.cases(['received', 'registered']);
    await http.cases([]);
    await http.history('trucks', 'A 1/2', 1733.6);
    await http.replaySpan();
    expect(seen.map((s) => s.url)).toEqual([
      'http://wall/api/v1/features?layer=flood&bbox=118.1%2C33.9%2C118.4%2C34.1&zoom=12.5',
      'http://wall/api/v1/cases?state=received%2Cregistered',
      'http://wall/api/v1/cases',
      'http://wall/api/v1/history?layer=trucks&id=A+1%2F2&since=1734',
      'http://wall/api/v1/replay/span',
    ]);
  });

  it('posts the fields the path does not hold, or the whole body argument', async () => {
    const seen = recording(ok);
    const http = new HttpTransport('http://wall');
    await http.acknowledge('W 1', '张三');
    const report = { category: '路灯', title: '灯不亮', lon: 118.2, lat: 33.9 } as NewCase;
    await http.createCase(report);
    await http.deleteVideoLayout('夜班');
    expect(seen).toEqual([
      { url: 'http://wall/api/v1/warnings/W%201/ack', method: 'POST', body: { by: '张三' } },
      { url: 'http://wall/api/v1/cases', method: 'POST', body: report },
      { url: `http://wall/api/v1/video/layouts/${encodeURIComponent('夜班')}`, method: 'DELETE', body: undefined },
    ]);
  });

  it("throws the engine's refusal with its status", async () => {
    recording(() => new Response(JSON.stringify({ status: 403, error: '大屏 (wall) may not audit.read' }), { status: 403 }));
    const refused = await new HttpTransport('http://wall').audit(20).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(EngineError);
    expect((refused as EngineError).status).toBe(403);
    expect((refused as EngineError).message).toContain('may not audit.read');
  });
});
