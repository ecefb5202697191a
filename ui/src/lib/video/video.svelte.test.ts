import { describe, expect, it } from 'vitest';
import { VideoFocus, FOCUS_CAMERAS } from './video.svelte';
import { fakeTransport, feature, warning } from '../testing/fakes';

describe('VideoFocus', () => {
  it('asks for the cameras best placed to see the warning, and shows none without one', async () => {
    const t = fakeTransport({ camerasNearest: [feature('c1', 0, 0)] });
    const v = new VideoFocus(t);
    await v.follow(warning('w', 'red'));
    expect(v.cameras.map((c) => c.id)).toEqual(['c1']);
    expect(t.calls).toContainEqual(['camerasNearest', [118.2, 33.9, FOCUS_CAMERAS]]);
    await v.follow(null);
    expect(v.cameras).toEqual([]);
    expect(v.warning).toBeNull();
  });

  it('shows no cameras rather than stale ones when the engine fails', async () => {
    const v = new VideoFocus(fakeTransport({ camerasNearest: [feature('c1', 0, 0)] }));
    await v.follow(warning('w', 'red'));
    const failing = new VideoFocus(fakeTransport({ camerasNearest: new Error('down') }));
    failing.cameras = v.cameras;
    await failing.follow(warning('w', 'red'));
    expect(failing.cameras).toEqual([]);
  });
});
