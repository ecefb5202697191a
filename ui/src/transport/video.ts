// The video wall's wire: what a tile and a mosaic are, which path each client takes, and the
// one WebSocket that carries a wall's tiles (both transports open it: the browser at the engine,
// the desktop on a loopback port the app serves).

/** A tile of the video wall as the engine reports it. */
export interface TileStatus {
  tile: number;
  camera: string;
  state: 'live' | 'offline' | 'connecting' | 'unavailable';
  fps: number;
  /** When its newest frame arrived (Unix ms). */
  at: number | null;
  error: string | null;
}

/** What a video wall shows: the camera of each tile (`main`: its main stream, for a big tile). */
/** A client's grid for an engine-composited mosaic: its size in pixels and each tile's picture
 * rectangle `[x, y, w, h]`, in the order of the tiles. */
export interface MosaicGrid {
  width: number;
  height: number;
  rects: [number, number, number, number][];
}

/** When a client takes the mosaic (from `from` tiles) and how large (`max`, CSS px of its grid
 * scaled down to fit). */
export interface VideoMosaicPolicy {
  from: number;
  max: { width: number; height: number };
}

/** Chromium decodes ≈ 750 small JPEG frames a second here: a 25-split's 300 frames/s of its own
 * tiles cost it about one core, less than one full-HD mosaic's decode plus the engine's
 * painting and encoding; the mosaic only when asked for (`?video=mosaic`). */
export const BROWSER_MOSAIC: VideoMosaicPolicy = { from: Infinity, max: { width: 1600, height: 900 } };

/** WebKitGTK decodes only ≈ 15–19 million JPEG pixels a second here, beside the desktop's map
 * window and its software GL: a mosaic from four tiles on, no larger than 1280×720 (a 25-split's
 * tiles at 256×144, about a sub-stream), which it can draw at the cameras' rate. */
export const DESKTOP_MOSAIC: VideoMosaicPolicy = { from: 4, max: { width: 1280, height: 720 } };

/** The tile number of a mosaic frame. */
export const MOSAIC_TILE = 255;

/** A frame of a tile, or of the mosaic (`tile` = MOSAIC_TILE, `painted`: the indexes of the
 * tiles it painted anew, in the order they were asked for). */
export type OnVideoFrame = (tile: number, at: number, jpeg: Uint8Array, painted?: number[]) => void;

/** The bit of a binary message's first byte that marks an H.264 access unit. */
export const H264_UNIT = 0x80;

/** An H.264 access unit of a tile (for a client that asked for them): Annex B, with the
 * parameter sets in front of a key frame; `codec` as WebCodecs names it (`avc1.…`). */
export type OnVideoUnit = (tile: number, at: number, key: boolean, codec: string, data: Uint8Array) => void;

export interface VideoLink {
  /** `reason`: why (linkage, operator, maximise), for the audit log; `mosaic`: composite the
   * tiles into one picture for this grid; `h264`: this client decodes H.264, so send an H.264
   * camera's access units instead of JPEGs. */
  tiles(tiles: { tile: number; camera: string; main?: boolean }[], reason: string, mosaic?: MosaicGrid, h264?: boolean): void;
  close(): void;
}

/** The video wall's one WebSocket (`url` says where, asked again on each reconnect): the tiles
 * wanted go out, each tile's newest frame (tile u8, seq u32, time i64, JPEG) — or the mosaic
 * (255, seq u32, time i64, tiles painted u64, JPEG), or an H.264 unit (0x80 | tile, time i64,
 * key u8, codec length u8, codec, Annex B) — and every tile's state once a second come in. It
 * reconnects by itself and asks for the tiles again. */
export function videoSocket(url: () => Promise<string>, onFrame: OnVideoFrame, onStatus: (tiles: TileStatus[]) => void, onUnit?: OnVideoUnit): VideoLink {
  let wanted = '{"type":"tiles","tiles":[]}';
  let socket: WebSocket | null = null;
  let closed = false;
  let retry = 500;
  const again = () => { if (!closed) setTimeout(open, (retry = Math.min(retry * 2, 10_000))); };
  const open = async () => {
    let where: string;
    try { where = await url(); } catch { again(); return; }
    if (closed) return;
    socket = new WebSocket(where);
    socket.binaryType = 'arraybuffer';
    socket.onopen = () => { retry = 500; socket?.send(wanted); };
    socket.onmessage = (e) => {
      if (e.data instanceof ArrayBuffer) {
        const bytes = new Uint8Array(e.data);
        const view = new DataView(e.data);
        if (bytes[0] === MOSAIC_TILE && bytes.length > 21) {
          const high = view.getUint32(13);
          const low = view.getUint32(17);
          const painted: number[] = [];
          for (let i = 0; i < 64; i++) if ((i < 32 ? low >>> i : high >>> (i - 32)) & 1) painted.push(i);
          onFrame(MOSAIC_TILE, Number(view.getBigInt64(5)), bytes.subarray(21), painted);
        } else if (bytes[0] & H264_UNIT && bytes[0] !== MOSAIC_TILE) {
          const start = 11 + (bytes[10] ?? 0);
          if (bytes.length > start) onUnit?.(bytes[0] & ~H264_UNIT, Number(view.getBigInt64(1)), bytes[9] === 1, String.fromCharCode(...bytes.subarray(11, start)), bytes.subarray(start));
        } else if (bytes.length > 13) onFrame(bytes[0], Number(view.getBigInt64(5)), bytes.subarray(13));
        return;
      }
      try {
        const m = JSON.parse(e.data as string);
        if (m.type === 'status') onStatus(m.tiles as TileStatus[]);
      } catch { /* a malformed message is skipped */ }
    };
    socket.onclose = again;
  };
  void open();
  return {
    tiles(tiles, reason, mosaic, h264) {
      wanted = JSON.stringify({ type: 'tiles', tiles, reason, mosaic, h264 });
      if (socket?.readyState === WebSocket.OPEN) socket.send(wanted);
    },
    close() { closed = true; socket?.close(); },
  };
}
