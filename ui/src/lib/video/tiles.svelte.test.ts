import { describe, expect, it } from 'vitest';
import { VideoTiles } from './tiles.svelte';
import type { TileStatus, Transport } from '../../transport';

/** A transport whose video link records the tiles asked for and lets the test push frames. */
function videoTransport() {
  const sent: unknown[] = [];
  let frame: (tile: number, at: number, jpeg: Uint8Array) => void = () => {};
  let status: (t: TileStatus[]) => void = () => {};
  const transport = {
    video(onFrame: typeof frame, onStatus: typeof status) {
      frame = onFrame;
      status = onStatus;
      return { tiles: (t: unknown, reason: string) => sent.push([t, reason]), close() {} };
    },
  } as unknown as Transport;
  return { transport, sent, push: (tile: number, byte: number) => frame(tile, 0, new Uint8Array([byte])), report: (t: TileStatus[]) => status(t) };
}

/** A decoder the test completes by hand, in order. */
function manualDecoder() {
  const waiting: { byte: number; done: (b: ImageBitmap) => void }[] = [];
  const decode = (jpeg: Uint8Array) => new Promise<ImageBitmap>((done) => waiting.push({ byte: jpeg[0], done }));
  const finish = async () => {
    const next = waiting.shift();
    next?.done({ width: 1, height: 1, close() {} } as unknown as ImageBitmap);
    await new Promise((r) => setTimeout(r, 0));
    return next?.byte;
  };
  return { decode, finish, waiting };
}

describe('VideoTiles', () => {
  it('asks for each camera on its own tile, the main streams when maximised', () => {
    const v = videoTransport();
    const tiles = new VideoTiles(v.transport, manualDecoder().decode);
    tiles.show(['c1', 'c2'], false, 'linkage');
    tiles.show(['c2'], true, 'maximise');
    expect(v.sent).toEqual([
      [[{ tile: 0, camera: 'c1', main: false }, { tile: 1, camera: 'c2', main: false }], 'linkage'],
      [[{ tile: 0, camera: 'c2', main: true }], 'maximise'],
    ]);
  });

  it('decodes one frame at a time per tile and skips to the newest', async () => {
    const v = videoTransport();
    const d = manualDecoder();
    const tiles = new VideoTiles(v.transport, d.decode);
    const drawn: number[] = [];
    tiles.attach(0, { draw: () => drawn.push(1) });
    v.push(0, 1);
    v.push(0, 2);
    v.push(0, 3);
    expect(d.waiting.map((w) => w.byte)).toEqual([1]);
    expect(await d.finish()).toBe(1);
    // Frame 2 was overtaken by 3 while 1 decoded: 3 is next, 2 never is.
    expect(await d.finish()).toBe(3);
    expect(d.waiting).toEqual([]);
    v.report([{ tile: 0, camera: 'c1', state: 'live', fps: 12, at: 5, error: null }]);
    expect(tiles.drawn[0]).toBe(2);
    expect(tiles.status[0].state).toBe('live');
  });

  it('reports the frames a tile really drew a second, below the stream rate on a slow screen', async () => {
    const v = videoTransport();
    const d = manualDecoder();
    let clock = 0;
    const tiles = new VideoTiles(v.transport, d.decode, () => clock);
    tiles.attach(0, { draw: () => {} });
    const live = [{ tile: 0, camera: 'c1', state: 'live' as const, fps: 12, at: 5, error: null }];
    v.report(live);
    for (let i = 0; i < 4; i++) {
      v.push(0, i);
      await d.finish();
    }
    clock = 2000;
    v.report(live);
    expect(tiles.shownFps[0]).toBe(2);
  });

  it('says when the transport carries no video', () => {
    const none = { video: () => null } as unknown as Transport;
    expect(new VideoTiles(none).available).toBe(false);
  });
});
