import { describe, expect, it } from 'vitest';
import { H264Tiles, MAX_QUEUE, type Unit, type UnitDecoders } from './h264';
import { VideoTiles } from './tiles.svelte';
import type { OnVideoUnit, Transport } from '../../transport';

/** Decoders that record what they were given; `queue` is set by the test. */
function recordingDecoders(supported = true) {
  const made: { codec: string; units: number[]; closed: boolean; queue: number; output: (f: VideoFrame) => void; failed: (why: string) => void }[] = [];
  const decoders: UnitDecoders = {
    supported: async () => supported,
    create(codec, output, failed) {
      const d = { codec, units: [] as number[], closed: false, queue: 0, output, failed };
      made.push(d);
      return {
        decode: (u: Unit) => { d.units.push(u.data[0]); },
        get queue() { return d.queue; },
        close: () => { d.closed = true; },
      };
    },
  };
  return { decoders, made };
}

const unit = (n: number, key = false): Unit => ({ key, at: 0, data: new Uint8Array([n]) });

describe('H264Tiles', () => {
  it('starts a tile at a key frame and feeds it every unit in order', () => {
    const { decoders, made } = recordingDecoders();
    const tiles = new H264Tiles(decoders, () => {}, () => {});
    tiles.unit(0, 'avc1.42001f', unit(1));
    expect(made).toEqual([]);
    tiles.unit(0, 'avc1.42001f', unit(2, true));
    tiles.unit(0, 'avc1.42001f', unit(3));
    tiles.unit(0, 'avc1.42001f', unit(4));
    expect(made.map((d) => [d.codec, d.units])).toEqual([['avc1.42001f', [2, 3, 4]]]);
  });

  it('drops the units of a tile that falls behind up to the next key frame', () => {
    const { decoders, made } = recordingDecoders();
    const tiles = new H264Tiles(decoders, () => {}, () => {});
    tiles.unit(0, 'c', unit(1, true));
    made[0].queue = MAX_QUEUE + 1;
    tiles.unit(0, 'c', unit(2));
    made[0].queue = 0;
    // Caught up, but unit 2 is gone: the pictures built on it would be wrong until a key frame.
    tiles.unit(0, 'c', unit(3));
    tiles.unit(0, 'c', unit(4, true));
    tiles.unit(0, 'c', unit(5));
    expect(made[0].units).toEqual([1, 4, 5]);
  });

  it('shows only the current pictures of a burst (a tile catching up from its key frame)', () => {
    const { decoders, made } = recordingDecoders();
    const shown: number[] = [];
    const tiles = new H264Tiles(decoders, (_t, p) => shown.push(p.timestamp / 1000), () => {});
    // The GOP from its key frame two seconds ago, then the units as they come.
    for (let at = 0; at <= 2000; at += 500) tiles.unit(0, 'c', { key: at === 0, at, data: new Uint8Array([0]) });
    let closed = 0;
    const picture = (ms: number) => ({ timestamp: ms * 1000, close: () => closed++ }) as unknown as VideoFrame;
    for (let at = 0; at <= 2000; at += 500) made[0].output(picture(at));
    expect([shown, closed]).toEqual([[2000], 4]);
    tiles.unit(0, 'c', unit(9));
    made[0].output(picture(2000));
    expect(shown).toEqual([2000, 2000]);
  });

  it('a decoder that fails is dropped and said', () => {
    const { decoders, made } = recordingDecoders();
    const said: string[] = [];
    const tiles = new H264Tiles(decoders, () => {}, (why) => said.push(why));
    tiles.unit(3, 'avc1.640033', unit(1, true));
    made[0].failed('unsupported profile');
    expect(said).toEqual(['unsupported profile']);
    expect(made[0].closed).toBe(true);
    tiles.unit(3, 'avc1.640033', unit(2));
    expect(made[0].units).toEqual([1]);
  });
});

/** A transport whose video link records what was asked and lets the test push H.264 units. */
function unitTransport() {
  const sent: { cameras: string[]; mosaic: unknown; h264: unknown }[] = [];
  let push: OnVideoUnit = () => {};
  const transport = {
    video(_f: unknown, _s: unknown, onUnit: OnVideoUnit) {
      push = onUnit;
      return { tiles: (t: { camera: string }[], _r: string, mosaic?: unknown, h264?: unknown) => sent.push({ cameras: t.map((x) => x.camera), mosaic, h264 }), close() {} };
    },
  } as unknown as Transport;
  return { transport, sent, push: (tile: number, n: number, key = false) => push(tile, 0, key, 'avc1.42001f', new Uint8Array([n])) };
}

const settle = () => new Promise((r) => setTimeout(r, 0));

describe('VideoTiles with H.264', () => {
  it('asks for H.264 units once the client says it decodes them, never for a mosaic', async () => {
    const v = unitTransport();
    const tiles = new VideoTiles(v.transport, undefined, undefined, recordingDecoders().decoders);
    tiles.show(['a', 'b'], false, 'linkage');
    await settle();
    tiles.show(['a', 'b', 'c'], false, 'linkage', { width: 3, height: 1, rects: [[0, 0, 1, 1], [1, 0, 1, 1], [2, 0, 1, 1]] });
    expect(v.sent.map((m) => m.h264)).toEqual([undefined, true, undefined]);

    const none = unitTransport();
    const plain = new VideoTiles(none.transport, undefined, undefined, recordingDecoders(false).decoders);
    plain.show(['a'], false, 'linkage');
    await settle();
    expect(none.sent.map((m) => m.h264)).toEqual([undefined]);
  });

  it('draws and counts each decoded picture; a tile whose camera changed gets a new decoder', async () => {
    const v = unitTransport();
    const { decoders, made } = recordingDecoders();
    const tiles = new VideoTiles(v.transport, undefined, undefined, decoders);
    await settle();
    tiles.show(['a', 'b'], false, 'linkage');
    const drawn: number[] = [];
    tiles.attach(0, { draw: () => drawn.push(0) });
    v.push(0, 1, true);
    v.push(1, 1, true);
    let closed = 0;
    made[0].output({ timestamp: 0, close: () => closed++ } as unknown as VideoFrame);
    expect([drawn.length, closed]).toEqual([1, 1]);
    expect(tiles.path).toEqual({ 0: 'h264', 1: 'h264' });
    tiles.show(['a', 'c'], false, 'operator');
    expect(made.map((d) => d.closed)).toEqual([false, true]);
  });

  it('goes back to JPEGs when the decoder refuses a stream', async () => {
    const v = unitTransport();
    const { decoders, made } = recordingDecoders();
    const tiles = new VideoTiles(v.transport, undefined, undefined, decoders);
    await settle();
    tiles.show(['a'], false, 'linkage');
    v.push(0, 1, true);
    const warn = console.warn;
    console.warn = () => {};
    made[0].failed('no such profile');
    console.warn = warn;
    expect(v.sent.map((m) => m.h264)).toEqual([true, undefined]);
  });
});
