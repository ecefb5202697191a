// The video wall's live tiles: which camera each tile shows, the engine's word on each (live,
// offline, fps, frame time), and the frames drawn into each tile's canvas. A tile decodes one
// frame at a time; frames that come while it decodes are skipped, only the newest kept, so a
// slow screen shows fewer frames, never older ones. A large grid on a weak client takes the
// engine's mosaic instead: one picture for all tiles, drawn into one canvas behind them, each
// tile counted as drawn when the mosaic drawn had painted it anew. A client that decodes H.264
// (`h264.ts`) takes an H.264 camera's units as they came instead of JPEGs.

import { MOSAIC_TILE, type MosaicGrid, type TileStatus, type Transport, type VideoLink } from '../../transport';
import { H264Tiles, webCodecs, type UnitDecoders } from './h264';

/** A picture a tile draws: a decoded JPEG, or a frame its H.264 decoder put out. */
export type TilePicture = ImageBitmap | VideoFrame;

/** How a tile's pictures come: JPEGs (or the mosaic's), or H.264 decoded here. */
export type TilePath = 'jpeg' | 'h264';

/** A canvas-like target (a real canvas on the wall, a stub in tests). */
export interface TileCanvas {
  draw(image: TilePicture): void;
  /** Blanks the picture (a mosaic whose grid changed: its old pictures are in the wrong places). */
  clear?(): void;
}

/** A canvas element as a tile's (or the mosaic's) target: sized to each picture, drawn in
 * software — on a wall machine without a GPU, two dozen GPU canvases redrawn 12 times a second
 * cost the compositor more than the pictures themselves. */
export function canvasTarget(canvas: HTMLCanvasElement): TileCanvas {
  const ctx = canvas.getContext('2d', { willReadFrequently: true, alpha: false });
  return {
    draw(image) {
      const [width, height] = 'displayWidth' in image ? [image.displayWidth, image.displayHeight] : [image.width, image.height];
      if (canvas.width !== width) canvas.width = width;
      if (canvas.height !== height) canvas.height = height;
      ctx?.drawImage(image, 0, 0);
    },
    clear() {
      ctx?.clearRect(0, 0, canvas.width, canvas.height);
    },
  };
}

export class VideoTiles {
  /** The engine's latest word on each tile, by tile number. */
  status: Record<number, TileStatus> = $state({});
  /** Frames drawn per tile position since the screen opened, whichever camera it showed (the
   * e2e reads the rate from it). */
  drawn: Record<number, number> = $state({});
  /** Frames a second each tile drew since the last report: what the screen really shows, which
   * a slow screen keeps below the stream's rate. */
  shownFps: Record<number, number> = $state({});
  /** How each tile's pictures come (the e2e and the README's table read it). */
  path: Record<number, TilePath> = $state({});
  /** False where the transport carries no video. */
  readonly available: boolean;
  /** Whether this client decodes H.264 (known once the decoder answered the probe). */
  private decodesH264 = false;
  private h264: H264Tiles;

  private link: VideoLink | null;
  private canvases = new Map<number, TileCanvas>();
  private decoding = new Set<number>();
  private pending = new Map<number, Uint8Array>();
  private counts = new Map<number, number>();
  /** The last few reports' times and counts: the drawn rate is taken over up to 3 s, so one
   * late report does not show a tile above its stream's rate. */
  private reports: { at: number; counts: Map<number, number> }[] = [];
  private wanted: { tiles: { tile: number; camera: string; main: boolean }[]; reason: string } = { tiles: [], reason: 'linkage' };
  /** The mosaic grid last asked for (its pictures are in the wrong places once it changes). */
  private geometry = 'null';
  /** The frames that came with each mosaic frame still waiting to be drawn. */
  private paintedWith = new Map<Uint8Array, number[]>();
  private grid: MosaicGrid | undefined;
  /** When each tile's camera last changed. */
  private changedAt = new Map<number, number>();

  constructor(
    transport: Transport,
    private decode: (jpeg: Uint8Array) => Promise<ImageBitmap> = (b) => createImageBitmap(new Blob([b as BlobPart], { type: 'image/jpeg' })),
    private now: () => number = () => performance.now(),
    decoders: UnitDecoders = webCodecs,
  ) {
    this.h264 = new H264Tiles(decoders, (tile, picture) => this.drawPicture(tile, picture), (why) => {
      // A stream this client's decoder refuses (a profile it lacks): JPEGs from the engine.
      console.warn(`the video wall decodes no H.264 here: ${why}`);
      this.decodesH264 = false;
      this.h264.close();
      this.send();
    });
    this.link = transport.video((tile, _at, jpeg, painted) => {
      if (painted) this.paintedWith.set(jpeg, painted);
      this.frame(tile, jpeg);
    }, (tiles) => this.report(tiles), (tile, at, key, codec, data) => {
      this.setPath(tile, 'h264');
      this.h264.unit(tile, codec, { key, at, data });
    });
    this.available = this.link !== null;
    if (this.available) {
      void decoders.supported().then((yes) => {
        this.decodesH264 = yes;
        if (yes && this.wanted.tiles.length > 0) this.send();
      });
    }
  }

  /** Shows `cameras` on tiles 0, 1, … (`main`: the main streams, for a single big tile);
   * `reason` goes to the audit log with the push. */
  show(cameras: string[], main = false, reason: 'linkage' | 'operator' | 'maximise' | 'tour' = 'operator', mosaic?: MosaicGrid) {
    this.pending.clear();
    this.paintedWith.clear();
    const before = this.wanted.tiles;
    this.wanted = { tiles: cameras.map((camera, tile) => ({ tile, camera, main })), reason };
    // A tile whose stream changed starts its new one at a key frame, in a new decoder, and its
    // drawn rate counts from now.
    for (let tile = 0; tile < Math.max(before.length, cameras.length); tile++) {
      const was = before[tile];
      const now = this.wanted.tiles[tile];
      if (was?.camera === now?.camera && was?.main === now?.main) continue;
      this.h264.drop(tile);
      if (now) this.changedAt.set(tile, this.now());
    }
    const grid = mosaic?.rects.length === cameras.length ? mosaic : undefined;
    const geometry = JSON.stringify(grid ?? null);
    if (geometry !== this.geometry) this.canvases.get(MOSAIC_TILE)?.clear?.();
    this.geometry = geometry;
    this.grid = grid;
    this.send();
  }

  /** Asks the engine for the tiles wanted: H.264 units where this client decodes them (a
   * mosaic is one JPEG whatever the cameras send). */
  private send() {
    this.link?.tiles(this.wanted.tiles, this.wanted.reason, this.grid, this.decodesH264 && !this.grid ? true : undefined);
  }

  attach(tile: number, canvas: TileCanvas) {
    this.canvases.set(tile, canvas);
    return () => { if (this.canvases.get(tile) === canvas) this.canvases.delete(tile); };
  }

  close() {
    this.link?.close();
    this.h264.close();
  }

  private setPath(tile: number, path: TilePath) {
    if (this.path[tile] !== path) this.path = { ...this.path, [tile]: path };
  }

  /** A tile's H.264 decoder put out a picture. */
  private drawPicture(tile: number, picture: VideoFrame) {
    const canvas = this.canvases.get(tile);
    if (canvas) {
      canvas.draw(picture);
      this.counts.set(tile, (this.counts.get(tile) ?? 0) + 1);
    }
    picture.close();
  }

  /** What the engine last reported of `tile`, once it plays `camera` there: until the engine
   * has taken a new camera on, its tile says "connecting", never the state of the camera before. */
  statusOf(tile: number, camera: string): TileStatus | undefined {
    const status = this.status[tile];
    return status?.camera === camera ? status : undefined;
  }

  private report(tiles: TileStatus[]) {
    this.status = Object.fromEntries(tiles.map((t) => [t.tile, t]));
    this.drawn = Object.fromEntries(this.counts);
    const at = this.now();
    // Each tile's rate since its camera last changed (the seconds it spent connecting are not
    // the screen's rate); until two reports fall after the change, the label says the stream's.
    this.shownFps = Object.fromEntries(tiles.flatMap((t) => {
      const first = this.reports.find((r) => r.at >= (this.changedAt.get(t.tile) ?? -Infinity));
      if (!first || at <= first.at) return [];
      return [[t.tile, ((this.counts.get(t.tile) ?? 0) - (first.counts.get(t.tile) ?? 0)) / ((at - first.at) / 1000)]];
    }));
    this.reports.push({ at, counts: new Map(this.counts) });
    if (this.reports.length > 3) this.reports.shift();
  }

  private frame(tile: number, jpeg: Uint8Array) {
    if (tile !== MOSAIC_TILE) this.setPath(tile, 'jpeg');
    if (this.decoding.has(tile)) {
      // A mosaic overtaken before it was drawn still painted its tiles anew: the next one
      // carries them forward, so a tile's count is the pictures it really changed on screen.
      const skipped = this.pending.get(tile);
      if (skipped && tile === MOSAIC_TILE) {
        const union = new Set([...(this.paintedWith.get(skipped) ?? []), ...(this.paintedWith.get(jpeg) ?? [])]);
        this.paintedWith.delete(skipped);
        this.paintedWith.set(jpeg, [...union]);
      }
      this.pending.set(tile, jpeg);
      return;
    }
    this.decoding.add(tile);
    void this.decode(jpeg)
      .then((image) => {
        const canvas = this.canvases.get(tile);
        if (canvas) {
          canvas.draw(image);
          const painted = tile === MOSAIC_TILE ? (this.paintedWith.get(jpeg) ?? []).map((i) => this.wanted.tiles[i]?.tile ?? i) : [tile];
          for (const t of painted) this.counts.set(t, (this.counts.get(t) ?? 0) + 1);
        }
        image.close?.();
      })
      .catch(() => { /* a frame that does not decode is skipped */ })
      .finally(() => {
        this.decoding.delete(tile);
        this.paintedWith.delete(jpeg);
        const next = this.pending.get(tile);
        if (next) {
          this.pending.delete(tile);
          this.frame(tile, next);
        }
      });
  }
}
