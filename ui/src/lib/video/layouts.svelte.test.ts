import { afterEach, describe, expect, it, vi } from 'vitest';
import { VideoLayouts } from './layouts.svelte';
import { fakeTransport } from '../testing/fakes';
import type { VideoLayout } from '../../types';

const layout = (name: string, cameras: string[], tour: string[] = [], dwell_s: number | null = null): VideoLayout => ({ name, split: 4, cameras, tour, dwell_s, spans: [], groups: [] });

describe('VideoLayouts', () => {
  afterEach(() => vi.useRealTimers());

  it('pins a recalled layout, and goes back to the warnings on stop', async () => {
    const l = new VideoLayouts(fakeTransport({ videoLayouts: [layout('A', ['c1'])] }));
    await l.refresh();
    l.recall('A');
    expect(l.pinned?.cameras).toEqual(['c1']);
    l.stop();
    expect(l.pinned).toBeNull();
  });

  it('plays a tour: each layout for its dwell, in turn, round again', async () => {
    vi.useFakeTimers();
    const l = new VideoLayouts(fakeTransport({ videoLayouts: [layout('A', ['c1']), layout('B', ['c2']), layout('T', [], ['A', 'B'], 10)] }));
    await l.refresh();
    l.recall('T');
    expect(l.pinned?.name).toBe('A');
    vi.advanceTimersByTime(10_000);
    expect(l.pinned?.name).toBe('B');
    vi.advanceTimersByTime(10_000);
    expect(l.pinned?.name).toBe('A');
    l.stop();
    vi.advanceTimersByTime(30_000);
    expect(l.pinned).toBeNull();
  });

  it('saves the screen as it stands and pins it; a refusal is shown', async () => {
    const t = fakeTransport({ saveVideoLayout: (x: VideoLayout) => x, videoLayouts: [] });
    const l = new VideoLayouts(t);
    expect(await l.save('黄河路', 9, ['c1', 'c2'])).toBe(true);
    expect(l.pinned?.name).toBe('黄河路');
    const refused = new VideoLayouts(fakeTransport({ saveVideoLayout: new Error('video.operate is not allowed') }));
    expect(await refused.save('x', 9, [])).toBe(false);
    expect(refused.error).toContain('not allowed');
  });
});
