import { describe, expect, it, vi } from 'vitest';
import { VideoFocus, FOCUS_CAMERAS, HAND_MS, HOLD_MS, PICK_MS } from './video.svelte';
import { fakeTransport, feature, warning } from '../testing/fakes';

describe('VideoFocus', () => {
  it('holds a handed camera until it is placed, let go, or HAND_MS pass; the tiles do not move for it', async () => {
    vi.useFakeTimers();
    try {
      const t = fakeTransport({ camerasNearest: [feature('c1', 0, 0)] });
      const v = new VideoFocus(t);
      v.hold({ lon: 1, lat: 2, title: '黄河路球机591', camera: 'SXJ1', by: '值班员' });
      expect(v.hand?.camera).toBe('SXJ1');
      expect(t.calls.filter(([name]) => name === 'camerasNearest')).toEqual([]);
      v.letGo();
      expect(v.hand).toBeNull();
      v.hold({ lon: 1, lat: 2, title: 'x', by: '', camera: 'SXJ2' });
      vi.advanceTimersByTime(HAND_MS - 1);
      expect(v.hand?.camera).toBe('SXJ2');
      vi.advanceTimersByTime(1);
      expect(v.hand).toBeNull();
      // Another screen placed it: this one lets it go, but not a different camera.
      v.hold({ lon: 1, lat: 2, title: 'y', by: '', camera: 'SXJ3' });
      v.placedElsewhere('SXJ2');
      expect(v.hand?.camera).toBe('SXJ3');
      v.placedElsewhere('SXJ3');
      expect(v.hand).toBeNull();
    } finally {
      vi.useRealTimers();
    }
  });

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

  it('follows only the warnings the config says, but an operator\'s pick always', async () => {
    const t = fakeTransport({ camerasNearest: [feature('c1', 0, 0)] });
    const v = new VideoFocus(t);
    v.policy = 'red';
    await v.follow(warning('o', 'orange'));
    expect(v.cameras).toEqual([]);
    await v.follow(warning('r', 'red'));
    expect(v.cameras.map((c) => c.id)).toEqual(['c1']);
    v.policy = 'off';
    await v.follow(warning('r', 'red'));
    expect(v.cameras).toEqual([]);
    await v.pick({ lon: 1, lat: 2, title: '井盖缺失', by: '' });
    expect(v.cameras.map((c) => c.id)).toEqual(['c1']);
  });

  it('shows no cameras rather than stale ones when the engine fails', async () => {
    const v = new VideoFocus(fakeTransport({ camerasNearest: [feature('c1', 0, 0)] }));
    await v.follow(warning('w', 'red'));
    const failing = new VideoFocus(fakeTransport({ camerasNearest: new Error('down') }));
    failing.cameras = v.cameras;
    await failing.follow(warning('w', 'red'));
    expect(failing.cameras).toEqual([]);
  });

  it('moves at once to a more severe warning, but a storm of equal ones only once per hold', async () => {
    let now = 0;
    const v = new VideoFocus(fakeTransport({ camerasNearest: (lon: number) => [feature(`c${lon}`, 0, 0)] }), () => now);
    await v.follow(warning('o1', 'orange'));
    await v.follow(warning('r1', 'red'));
    expect(v.warning?.id).toBe('r1');
    // Fifty red warnings in ten seconds: the focus stays.
    for (let i = 0; i < 50; i++) {
      now += 200;
      await v.follow(warning(`r${i + 2}`, 'red'));
    }
    expect(v.warning?.id).toBe('r1');
    expect(v.moves).toBe(2);
    now += HOLD_MS;
    await v.follow(warning('r99', 'red'));
    expect(v.warning?.id).toBe('r99');
  });

  it('keeps the same camera list when a refresh finds the same cameras', async () => {
    const v = new VideoFocus(fakeTransport({ camerasNearest: () => [feature('c1', 0, 0), feature('c2', 0, 0)] }));
    await v.follow(warning('w', 'red'));
    const first = v.cameras;
    await v.follow(warning('w', 'red'));
    expect(v.cameras).toBe(first);
  });

  it('shows the place an operator picks at once, holds it against the warnings, then follows them again', async () => {
    let now = 0;
    const t = fakeTransport({ camerasNearest: [feature('c1', 0, 0)] });
    const v = new VideoFocus(t, () => now);
    await v.follow(warning('w', 'orange'));
    await v.pick({ lon: 118.3, lat: 34.0, title: '人民路积水', by: '值班员' });
    expect(v.title).toBe('人民路积水');
    expect(t.calls).toContainEqual(['camerasNearest', [118.3, 34.0, FOCUS_CAMERAS]]);
    now = 60_000;
    await v.follow(warning('r', 'red'));
    expect(v.title).toBe('人民路积水');
    now = PICK_MS + 1;
    await v.follow(warning('r', 'red'));
    expect(v.picked).toBeNull();
    expect(v.title).toBe(warning('r', 'red').title);
    await v.pick({ lon: 1, lat: 2, title: 'x', by: '' });
    v.release();
    expect(v.picked).toBeNull();
  });
});

