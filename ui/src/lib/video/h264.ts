// H.264 tiles the client decodes itself (WebCodecs), where it can: the engine then sends an
// H.264 camera's access units as they came, instead of re-encoding each picture as a JPEG for
// the client to decode again. Each tile has its own decoder, started at a key frame; a tile
// whose decoder falls behind drops the units up to the next key frame, so a slow screen shows
// fewer frames, never older ones.

/** One access unit (Annex B, parameter sets in front of a key frame). */
export interface Unit {
  key: boolean;
  /** When it arrived at the engine (Unix ms). */
  at: number;
  data: Uint8Array;
}

/** One tile's decoder. */
export interface UnitDecoder {
  decode(unit: Unit): void;
  /** Units waiting to be decoded. */
  readonly queue: number;
  close(): void;
}

/** Makes tile decoders; `supported` says whether this client decodes H.264 at all. */
export interface UnitDecoders {
  supported(): Promise<boolean>;
  create(codec: string, output: (picture: VideoFrame) => void, failed: (why: string) => void): UnitDecoder;
}

/** Units waiting past this: the decoder cannot keep up, and the tile waits for a key frame. */
export const MAX_QUEUE = 8;

/** A decoded picture this much older than the tile's newest unit is not shown: it belongs to
 * the GOP a starting tile is sent to catch up from its key frame. */
export const BEHIND_MS = 250;

/** The baseline profile the probe asks about (what sub-streams and the demo's cameras send). */
const PROBE_CODEC = 'avc1.42001f';

/** WebCodecs' decoder, in software where the machine has no video hardware. */
export const webCodecs: UnitDecoders = {
  async supported() {
    if (typeof VideoDecoder === 'undefined' || typeof EncodedVideoChunk === 'undefined') return false;
    try {
      return (await VideoDecoder.isConfigSupported({ codec: PROBE_CODEC, optimizeForLatency: true })).supported === true;
    } catch {
      return false;
    }
  },
  create(codec, output, failed) {
    const decoder = new VideoDecoder({ output, error: (e) => failed(e.message) });
    decoder.configure({ codec, optimizeForLatency: true });
    return {
      decode(unit) {
        decoder.decode(new EncodedVideoChunk({ type: unit.key ? 'key' : 'delta', timestamp: unit.at * 1000, data: unit.data }));
      },
      get queue() { return decoder.decodeQueueSize; },
      close() { if (decoder.state !== 'closed') decoder.close(); },
    };
  },
};

/** A client that decodes no H.264 (`?video=jpeg`): every tile in JPEGs. */
export const JPEG_ONLY: UnitDecoders = {
  supported: async () => false,
  create() { throw new Error('this wall decodes no H.264'); },
};

/** The H.264 tiles of one wall: a decoder per tile, fed in order. */
export class H264Tiles {
  private tiles = new Map<number, { decoder: UnitDecoder; codec: string; waiting: boolean; newest: number }>();

  constructor(
    private decoders: UnitDecoders,
    /** A tile decoded a picture (the callee draws it and closes it). */
    private decoded: (tile: number, picture: VideoFrame) => void,
    /** A decoder refused the stream: the wall goes back to JPEGs. */
    private failed: (why: string) => void,
  ) {}

  /** One unit of `tile`'s stream. */
  unit(tile: number, codec: string, unit: Unit) {
    let t = this.tiles.get(tile);
    if (unit.key && (!t || t.codec !== codec)) {
      this.drop(tile);
      const decoder = this.decoders.create(codec, (p) => this.output(tile, p), (why) => this.fail(tile, why));
      t = { decoder, codec, waiting: false, newest: unit.at };
      this.tiles.set(tile, t);
    }
    // No decoder yet: the units of a stream the tile no longer shows, still on their way.
    if (!t) return;
    t.newest = Math.max(t.newest, unit.at);
    if (unit.key) t.waiting = false;
    else if (t.waiting || t.decoder.queue > MAX_QUEUE) {
      t.waiting = true;
      return;
    }
    try {
      t.decoder.decode(unit);
    } catch (e) {
      this.fail(tile, e instanceof Error ? e.message : String(e));
    }
  }

  /** Forgets a tile's decoder: its camera changed, and the next stream starts at a key frame. */
  drop(tile: number) {
    this.tiles.get(tile)?.decoder.close();
    this.tiles.delete(tile);
  }

  close() {
    for (const tile of [...this.tiles.keys()]) this.drop(tile);
  }

  /** A picture out of a tile's decoder: drawn unless it is older than the tile's newest unit by
   * BEHIND_MS. A tile that starts is sent its GOP from the key frame and decodes a burst of old
   * pictures in a moment: only the current ones are shown (and counted), the rate stays honest. */
  private output(tile: number, picture: VideoFrame) {
    const t = this.tiles.get(tile);
    if (t && picture.timestamp / 1000 >= t.newest - BEHIND_MS) this.decoded(tile, picture);
    else picture.close();
  }

  private fail(tile: number, why: string) {
    this.drop(tile);
    this.failed(why);
  }
}
