import { describe, expect, it } from 'vitest';
import { VideoTiles } from './tiles.svelte';
import { MOSAIC_TILE, type TileStatus, type Transport } from '../../transport';

/** A transport whose video link records the tiles asked for and lets the test push frames. */
function videoTransport() {
  const sent: unknown[] = [];
  let frame: (tile: number, at: number, jpeg: Uint8Array, painted?: number[]) => void = () => {};
  let status: (t: TileStatus[]) => void = () => {};
  const transport = {
    video(onFrame: typeof frame, onStatus: typeof status) {
      frame = onFrame;
      status = onStatus;
      return { tiles: (t: unknown, reason: string, mosaic?: unknown) => sent.push(mosaic ? [t, reason, mosaic] : [t, reason]), close() {} };
    },
  } as unknown as Transport;
  return { transport, sent, push: (tile: number, byte: number) => frame(tile, 0, new Uint8Array([byte])),
    mosaic: (byte: number, painted: number[]) => frame(MOSAIC_TILE, 0, new Uint8Array([byte]), painted), report: (t: TileStatus[]) => status(t) };
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

  it('plays a large grid as one mosaic, each tile counted when a drawn mosaic painted it anew', async () => {
    const v = videoTransport();
    const d = manualDecoder();
    const tiles = new VideoTiles(v.transport, d.decode);
    const grid = { width: 30, height: 10, rects: [[0, 0, 10, 10], [10, 0, 10, 10], [20, 0, 10, 10]] as [number, number, number, number][] };
    tiles.show(['a', 'b', 'c'], false, 'linkage', grid);
    // A grid that does not match the tiles (laid out for the previous cameras) is not sent.
    tiles.show(['a', 'b'], false, 'linkage', grid);
    expect(v.sent.map((m) => (m as unknown[]).length)).toEqual([3, 2]);
    tiles.show(['a', 'b', 'c'], false, 'linkage', grid);
    const drawn: number[] = [];
    tiles.attach(MOSAIC_TILE, { draw: () => drawn.push(1) });
    v.mosaic(1, [0, 1]);
    v.mosaic(2, [2]);
    v.mosaic(3, [0]);
    expect(await d.finish()).toBe(1);
    // Mosaic 2 was overtaken by 3, but tile 2 changed on screen all the same when 3 is drawn.
    expect(await d.finish()).toBe(3);
    v.report(['a', 'b', 'c'].map((camera, tile) => ({ tile, camera, state: 'live' as const, fps: 12, at: 5, error: null })));
    expect(drawn.length).toBe(2);
    expect(tiles.drawn).toEqual({ 0: 2, 1: 1, 2: 1 });
  });

  /** One tile on a clock the test sets, reported live once at 0 ms; `draw(n)` decodes n frames. */
  function clockedTile() {
    const v = videoTransport();
    const d = manualDecoder();
    const clock = { ms: 0 };
    const tiles = new VideoTiles(v.transport, d.decode, () => clock.ms);
    tiles.attach(0, { draw: () => {} });
    const report = () => v.report([{ tile: 0, camera: 'c1', state: 'live' as const, fps: 12, at: 5, error: null }]);
    report();
    const draw = async (n: number) => {
      for (let i = 0; i < n; i++) {
        v.push(0, i);
        await d.finish();
      }
    };
    return { tiles, clock, report, draw };
  }

  it('reports the frames a tile really drew a second, below the stream rate on a slow screen', async () => {
    const { tiles, clock, report, draw } = clockedTile();
    await draw(4);
    clock.ms = 2000;
    report();
    expect(tiles.shownFps[0]).toBe(2);
  });

  it('counts a tile\'s rate from its camera\'s change, the stream\'s rate until then', async () => {
    const { tiles, clock, report, draw } = clockedTile();
    clock.ms = 1000;
    tiles.show(['c2'], false, 'operator');
    clock.ms = 1500;
    report();
    expect(tiles.shownFps[0]).toBeUndefined();
    await draw(6);
    clock.ms = 2500;
    report();
    expect(tiles.shownFps[0]).toBe(6);
  });

  it('says a tile whose camera changed is connecting until the engine reports the new camera there', () => {
    const v = videoTransport();
    const tiles = new VideoTiles(v.transport, manualDecoder().decode);
    tiles.show(['c1'], false, 'linkage');
    v.report([{ tile: 0, camera: 'c1', state: 'live', fps: 12, at: 5, error: null }]);
    expect(tiles.statusOf(0, 'c1')?.state).toBe('live');
    tiles.show(['c2'], false, 'operator');
    // The engine has not taken c2 on yet: c1's "live" is not c2's.
    expect(tiles.statusOf(0, 'c2')).toBeUndefined();
    v.report([{ tile: 0, camera: 'c2', state: 'offline', fps: 0, at: null, error: 'refused' }]);
    expect(tiles.statusOf(0, 'c2')?.state).toBe('offline');
  });

  it('says when the transport carries no video', () => {
    const none = { video: () => null } as unknown as Transport;
    expect(new VideoTiles(none).available).toBe(false);
  });
});
