//! A wall's video tiles through the façade, for both transports (the browser's WebSocket, the
//! desktop's IPC channel): which camera each tile shows (every push audited), each tile's newest
//! frame not yet sent, and each tile's state. Only the newest frame of a tile is ever handed
//! out: a slow client skips frames, it never falls behind. A stream with no frame for 3 s shows
//! as offline, never as a live stale frame. A client that asks for a mosaic gets its tiles
//! composited into one picture instead ([`crate::video::Mosaic`]), at most [`MOSAIC_FPS`] a
//! second. A client that decodes H.264 itself gets an H.264 camera's access units as they came
//! instead of JPEGs: every one, in order, from a key frame ([`GopCursor`]).

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Deserialize;
use serde_json::json;
use tokio::sync::watch;

use super::Api;
use crate::access::Principal;
use crate::video::{AccessUnit, Frame, GopCursor, Live, Mosaic, Rect, StreamState, UnitWatcher};

/// At most this many tiles on one connection (a 36-split and a few spare).
const MAX_TILES: usize = 64;
/// The longest camera id a tiles message may name.
const MAX_CAMERA_ID_BYTES: usize = 256;

/// Mosaics a second at most: above the cameras' rate, so every tile keeps its frames.
pub const MOSAIC_FPS: u32 = 15;
/// The binary message's tile byte that marks a mosaic.
pub const MOSAIC_TILE: u8 = 255;
/// The bit of the binary message's tile byte that marks an H.264 access unit.
pub const H264_UNIT: u8 = 0x80;

#[derive(Deserialize)]
struct TileWanted {
    tile: u8,
    camera: String,
    #[serde(default)]
    main: bool,
}

/// The client's grid, for a mosaic: its size in pixels and each tile's rectangle (`[x, y, w,
/// h]`), in the order of the tiles.
#[derive(Deserialize)]
struct MosaicWanted {
    width: usize,
    height: usize,
    rects: Vec<[usize; 4]>,
}

#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
enum ClientMessage {
    Tiles {
        tiles: Vec<TileWanted>,
        /// Why the wall shows these (`linkage`, `operator`, `maximise`), for the audit log.
        #[serde(default)]
        reason: String,
        /// Composite the tiles into one picture for this grid.
        #[serde(default)]
        mosaic: Option<MosaicWanted>,
        /// The client decodes H.264: send an H.264 camera's access units, not JPEGs.
        #[serde(default)]
        h264: bool,
    },
}

struct Tile {
    tile: u8,
    camera: String,
    main: bool,
    live: Option<watch::Receiver<Live>>,
    /// Why the tile shows nothing (unknown camera, no stream configured).
    problem: Option<String>,
    sent: u64,
    /// Where the tile stands in its stream's H.264 units (a client that decodes H.264).
    units: GopCursor,
    /// Held while the tile takes its stream's units and no pictures.
    units_only: Option<UnitWatcher>,
}

/// One wall's tiles.
pub struct TileSession {
    /// This connection's number among the walls' (for the cameras on the walls).
    session: u64,
    tiles: Vec<Tile>,
    /// The client's mosaic (taken out while it is painted).
    mosaic: Option<Box<Mosaic>>,
    wants_mosaic: bool,
    /// The client decodes H.264 itself.
    h264: bool,
    mosaic_seq: u32,
    last_mosaic: Option<Instant>,
}

impl TileSession {
    pub fn new(api: &Api) -> TileSession {
        TileSession {
            session: api.on_wall.session(),
            tiles: Vec::new(),
            mosaic: None,
            wants_mosaic: false,
            h264: false,
            mosaic_seq: 0,
            last_mosaic: None,
        }
    }

    /// The connection closed: its cameras are no longer on a wall.
    pub fn leave(&self, api: &Api) {
        api.show_on_wall(self.session, &[]);
    }

    /// Takes a tiles message (`{"type":"tiles","tiles":[…],"reason":…}`): watches each tile's
    /// camera and audits the push. Answers why not, for the client.
    pub async fn set(&mut self, api: &Api, who: &Principal, text: &str) -> Result<(), String> {
        let (wanted, reason, mosaic) = match serde_json::from_str::<ClientMessage>(text) {
            Ok(ClientMessage::Tiles {
                tiles,
                reason,
                mosaic,
                h264,
            }) if tiles.len() <= MAX_TILES => {
                self.h264 = h264;
                (tiles, reason, mosaic)
            }
            Ok(_) => return Err(format!("at most {MAX_TILES} tiles")),
            Err(e) => return Err(format!("not a tiles message: {e}")),
        };
        // Tile numbers share their byte with the mosaic's and the H.264 unit's marks.
        if let Some(w) = wanted.iter().find(|w| usize::from(w.tile) >= MAX_TILES) {
            return Err(format!(
                "tile {}: tiles are numbered 0 to {}",
                w.tile,
                MAX_TILES - 1
            ));
        }
        if let Some(w) = wanted.iter().find(|w| w.camera.len() > MAX_CAMERA_ID_BYTES) {
            return Err(format!(
                "tile {}: a camera id is at most {MAX_CAMERA_ID_BYTES} bytes",
                w.tile
            ));
        }
        let mosaic = match mosaic {
            None => None,
            Some(m) if m.rects.len() != wanted.len() => {
                return Err(format!(
                    "{} tiles but {} mosaic rectangles",
                    wanted.len(),
                    m.rects.len()
                ))
            }
            Some(m) => {
                let rects = m.rects.iter().map(|&[x, y, w, h]| Rect { x, y, w, h });
                Some(Box::new(Mosaic::new(m.width, m.height, rects.collect())?))
            }
        };
        // Every push to the wall is in the audit log (an empty wall is no push, and the same
        // cameras again — a resized grid — are no new push).
        let same = wanted.len() == self.tiles.len()
            && wanted
                .iter()
                .zip(&self.tiles)
                .all(|(w, t)| w.tile == t.tile && w.camera == t.camera && w.main == t.main);
        self.wants_mosaic = mosaic.is_some();
        self.mosaic = mosaic;
        if same {
            self.count_unit_watchers();
            return Ok(());
        }
        // Only cameras the wall has are a push (a tile naming another shows "unavailable"): a
        // client naming made-up cameras fills no audit log.
        let pushed: Vec<(u8, String, bool)> = wanted
            .iter()
            .filter(|w| api.camera(&w.camera).is_ok())
            .map(|w| (w.tile, w.camera.clone(), w.main))
            .collect();
        if !pushed.is_empty() {
            if let Err(e) = api.record_video_push(who, &pushed, &reason).await {
                tracing::warn!("the video push was not audited: {e}");
            }
        }
        self.tiles = wanted
            .into_iter()
            .map(|w| {
                let (live, problem) = match api.watch_camera(&w.camera, w.main) {
                    Ok(rx) => (Some(rx), None),
                    Err(e) => (None, Some(e.to_string())),
                };
                Tile {
                    tile: w.tile,
                    camera: w.camera,
                    main: w.main,
                    live,
                    problem,
                    sent: 0,
                    units: GopCursor::default(),
                    units_only: None,
                }
            })
            .collect();
        self.count_unit_watchers();
        let cameras: Vec<String> = self.tiles.iter().map(|t| t.camera.clone()).collect();
        api.show_on_wall(self.session, &cameras);
        Ok(())
    }

    /// Tells each tile's stream whether the tile takes its units only (a client that decodes
    /// H.264, no mosaic): a stream that only such tiles watch is not decoded.
    fn count_unit_watchers(&mut self) {
        let units_only = self.h264 && self.mosaic.is_none();
        for t in &mut self.tiles {
            t.units_only = match (&t.live, units_only) {
                (Some(rx), true) => Some(
                    t.units_only
                        .take()
                        .unwrap_or_else(|| rx.borrow().unit_watchers.join()),
                ),
                _ => None,
            };
        }
    }

    /// Each tile's newest frame not handed out yet, as the binary message: tile (1 byte),
    /// frame seq (4 bytes), frame time (8 bytes, Unix ms), then the JPEG (encoded here, off
    /// the async threads, where the reader only decoded it). For a client that decodes H.264,
    /// an H.264 tile's access units not handed out yet instead ([`unit_message`]).
    pub async fn frames(&mut self) -> Vec<Vec<u8>> {
        let mut fresh = Vec::new();
        let mut units = Vec::new();
        let h264 = self.h264;
        for t in &mut self.tiles {
            let Some(rx) = &t.live else { continue };
            let (frame, gop) = {
                let live = rx.borrow();
                (live.frame.clone(), live.gop.clone().filter(|_| h264))
            };
            if let Some(gop) = gop {
                let tile = t.tile;
                units.extend(
                    t.units
                        .next(&gop)
                        .iter()
                        .map(|u| unit_message(tile, &gop.codec, u)),
                );
                continue;
            }
            if let Some(frame) = frame.filter(|f| f.seq != t.sent) {
                t.sent = frame.seq;
                fresh.push((t.tile, frame));
            }
        }
        if fresh.is_empty() {
            return units;
        }
        let jpegs: Vec<Vec<u8>> = tokio::task::spawn_blocking(move || {
            fresh
                .iter()
                .filter(|(_, frame)| !frame.jpeg().is_empty())
                .map(|(tile, frame)| frame_message(*tile, frame))
                .collect()
        })
        .await
        .unwrap_or_default();
        units.extend(jpegs);
        units
    }

    /// Whether the client takes its tiles as a mosaic.
    pub fn is_mosaic(&self) -> bool {
        self.wants_mosaic
    }

    /// The mosaic, painted with each tile's newest frame, as the binary message: 255 (1 byte),
    /// mosaic seq (4 bytes), time (8 bytes, Unix ms), the tiles painted anew (8 bytes, bit `i`
    /// for the `i`-th tile), then the JPEG. `None` when no tile has a new frame, or the last
    /// mosaic is younger than a [`MOSAIC_FPS`] period.
    pub async fn mosaic_frame(&mut self) -> Option<Vec<u8>> {
        let period = Duration::from_secs(1) / MOSAIC_FPS;
        if self.last_mosaic.is_some_and(|at| at.elapsed() < period) {
            return None;
        }
        // The period runs from the start of one mosaic to the next: painting takes part of it.
        let started = Instant::now();
        let now = crate::model::now_ms();
        let frames: Vec<Option<Arc<Frame>>> = self
            .tiles
            .iter()
            .map(|t| t.live.as_ref().and_then(|rx| live_frame(&rx.borrow(), now)))
            .collect();
        // Nothing new on any tile: no painting, and no trip to the blocking pool 50 times a second.
        if self.mosaic.as_ref()?.is_current(&frames) {
            return None;
        }
        let mut mosaic = self.mosaic.take()?;
        let (mosaic, painted) = tokio::task::spawn_blocking(move || {
            let changed = mosaic.update(&frames);
            let jpeg = (changed != 0).then(|| mosaic.jpeg());
            (mosaic, jpeg.map(|j| (changed, j)))
        })
        .await
        .ok()?;
        self.mosaic = Some(mosaic);
        let (changed, jpeg) = painted?;
        let jpeg = match jpeg {
            Ok(jpeg) => jpeg,
            Err(e) => {
                tracing::warn!("the video mosaic was not encoded: {e}");
                return None;
            }
        };
        self.last_mosaic = Some(started);
        self.mosaic_seq = self.mosaic_seq.wrapping_add(1);
        let mut out = Vec::with_capacity(21 + jpeg.len());
        out.push(MOSAIC_TILE);
        out.extend_from_slice(&self.mosaic_seq.to_be_bytes());
        out.extend_from_slice(&now.to_be_bytes());
        out.extend_from_slice(&changed.to_be_bytes());
        out.extend_from_slice(&jpeg);
        Some(out)
    }

    /// Each tile's state, fps and frame time, as the JSON status message.
    pub fn status(&self) -> String {
        status(&self.tiles)
    }
}

/// The binary message of one frame.
fn frame_message(tile: u8, frame: &crate::video::Frame) -> Vec<u8> {
    let jpeg = frame.jpeg();
    let mut out = Vec::with_capacity(13 + jpeg.len());
    out.push(tile);
    out.extend_from_slice(&(frame.seq as u32).to_be_bytes());
    out.extend_from_slice(&frame.at.to_be_bytes());
    out.extend_from_slice(jpeg);
    out
}

/// The binary message of one H.264 access unit: tile with [`H264_UNIT`] set (1 byte), time
/// (8 bytes, Unix ms), 1 for a key frame or 0 (1 byte), the codec's length (1 byte), the codec
/// (`avc1.…`), then the unit (Annex B).
fn unit_message(tile: u8, codec: &str, unit: &AccessUnit) -> Vec<u8> {
    let codec = &codec.as_bytes()[..codec.len().min(255)];
    let mut out = Vec::with_capacity(11 + codec.len() + unit.data.len());
    out.push(H264_UNIT | tile);
    out.extend_from_slice(&unit.at.to_be_bytes());
    out.push(u8::from(unit.key));
    out.push(codec.len() as u8);
    out.extend_from_slice(codec);
    out.extend_from_slice(&unit.data);
    out
}

/// A stream's newest frame while it is live: a frame older than the stall limit is not live,
/// whatever the reader last said.
fn live_frame(live: &Live, now: i64) -> Option<Arc<Frame>> {
    let frame = live.frame.as_ref()?;
    (live.state == StreamState::Live && now - frame.at <= crate::video::STALL.as_millis() as i64)
        .then(|| frame.clone())
}

fn status(tiles: &[Tile]) -> String {
    let now = crate::model::now_ms();
    let list: Vec<serde_json::Value> = tiles
        .iter()
        .map(|t| {
            let live = t.live.as_ref().map(|rx| rx.borrow().clone());
            let at = live.as_ref().and_then(|l| l.frame.as_ref().map(|f| f.at));
            let state = match &live {
                None => "unavailable",
                Some(l) => match l.state {
                    StreamState::Connecting => "connecting",
                    StreamState::Live if live_frame(l, now).is_some() => "live",
                    StreamState::Live | StreamState::Offline => "offline",
                },
            };
            json!({
                "tile": t.tile,
                "camera": t.camera,
                "state": state,
                "fps": live.as_ref().map(|l| l.fps).unwrap_or(0.0),
                "at": at,
                "error": t.problem.clone().or_else(|| live.and_then(|l| l.error)),
            })
        })
        .collect();
    json!({ "type": "status", "tiles": list }).to_string()
}
