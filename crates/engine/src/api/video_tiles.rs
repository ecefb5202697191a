//! A wall's video tiles through the façade, for both transports (the browser's WebSocket, the
//! desktop's IPC channel): which camera each tile shows (every push audited), each tile's newest
//! frame not yet sent, and each tile's state. Only the newest frame of a tile is ever handed
//! out: a slow client skips frames, it never falls behind. A stream with no frame for 3 s shows
//! as offline, never as a live stale frame. A client that asks for a mosaic gets its tiles
//! composited into one picture instead ([`crate::video::Mosaic`]), at most [`MOSAIC_FPS`] a
//! second.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Deserialize;
use serde_json::json;
use tokio::sync::watch;

use super::Api;
use crate::access::Principal;
use crate::video::{Frame, Live, Mosaic, Rect, StreamState};

/// At most this many tiles on one connection (a 36-split and a few spare).
const MAX_TILES: usize = 64;
/// Mosaics a second at most: above the cameras' rate, so every tile keeps its frames.
pub const MOSAIC_FPS: u32 = 15;
/// The binary message's tile byte that marks a mosaic.
pub const MOSAIC_TILE: u8 = 255;

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
}

/// One wall's tiles.
pub struct TileSession {
    /// This connection's number among the walls' (for the cameras on the walls).
    session: u64,
    tiles: Vec<Tile>,
    /// The client's mosaic (taken out while it is painted).
    mosaic: Option<Box<Mosaic>>,
    wants_mosaic: bool,
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
            }) if tiles.len() <= MAX_TILES => (tiles, reason, mosaic),
            Ok(_) => return Err(format!("at most {MAX_TILES} tiles")),
            Err(e) => return Err(format!("not a tiles message: {e}")),
        };
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
            return Ok(());
        }
        if !wanted.is_empty() {
            let pushed: Vec<(u8, String, bool)> = wanted
                .iter()
                .map(|w| (w.tile, w.camera.clone(), w.main))
                .collect();
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
                }
            })
            .collect();
        let cameras: Vec<String> = self.tiles.iter().map(|t| t.camera.clone()).collect();
        api.show_on_wall(self.session, &cameras);
        Ok(())
    }

    /// Each tile's newest frame not handed out yet, as the binary message: tile (1 byte),
    /// frame seq (4 bytes), frame time (8 bytes, Unix ms), then the JPEG (encoded here, off
    /// the async threads, where the reader only decoded it).
    pub async fn frames(&mut self) -> Vec<Vec<u8>> {
        let mut fresh = Vec::new();
        for t in &mut self.tiles {
            let Some(rx) = &t.live else { continue };
            let frame = rx.borrow().frame.clone();
            if let Some(frame) = frame.filter(|f| f.seq != t.sent) {
                t.sent = frame.seq;
                fresh.push((t.tile, frame));
            }
        }
        if fresh.is_empty() {
            return Vec::new();
        }
        tokio::task::spawn_blocking(move || {
            fresh
                .iter()
                .filter(|(_, frame)| !frame.jpeg().is_empty())
                .map(|(tile, frame)| frame_message(*tile, frame))
                .collect()
        })
        .await
        .unwrap_or_default()
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
