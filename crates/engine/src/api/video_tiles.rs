//! A wall's video tiles through the façade, for both transports (the browser's WebSocket, the
//! desktop's IPC channel): which camera each tile shows (every push audited), each tile's newest
//! frame not yet sent, and each tile's state. Only the newest frame of a tile is ever handed
//! out: a slow client skips frames, it never falls behind. A stream with no frame for 3 s shows
//! as offline, never as a live stale frame.

use serde::Deserialize;
use serde_json::json;
use tokio::sync::watch;

use super::Api;
use crate::access::Principal;
use crate::video::{Live, StreamState};

/// At most this many tiles on one connection (a 36-split and a few spare).
const MAX_TILES: usize = 64;

#[derive(Deserialize)]
struct TileWanted {
    tile: u8,
    camera: String,
    #[serde(default)]
    main: bool,
}

#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
enum ClientMessage {
    Tiles {
        tiles: Vec<TileWanted>,
        /// Why the wall shows these (`linkage`, `operator`, `maximise`), for the audit log.
        #[serde(default)]
        reason: String,
    },
}

struct Tile {
    tile: u8,
    camera: String,
    live: Option<watch::Receiver<Live>>,
    /// Why the tile shows nothing (unknown camera, no stream configured).
    problem: Option<String>,
    sent: u64,
}

/// One wall's tiles.
#[derive(Default)]
pub struct TileSession {
    tiles: Vec<Tile>,
}

impl TileSession {
    /// Takes a tiles message (`{"type":"tiles","tiles":[…],"reason":…}`): watches each tile's
    /// camera and audits the push. Answers why not, for the client.
    pub async fn set(&mut self, api: &Api, who: &Principal, text: &str) -> Result<(), String> {
        let (wanted, reason) = match serde_json::from_str::<ClientMessage>(text) {
            Ok(ClientMessage::Tiles { tiles, reason }) if tiles.len() <= MAX_TILES => {
                (tiles, reason)
            }
            Ok(_) => return Err(format!("at most {MAX_TILES} tiles")),
            Err(e) => return Err(format!("not a tiles message: {e}")),
        };
        // Every push to the wall is in the audit log (an empty wall is no push).
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
                    live,
                    problem,
                    sent: 0,
                }
            })
            .collect();
        Ok(())
    }

    /// Each tile's newest frame not handed out yet, as the binary message: tile (1 byte),
    /// frame seq (4 bytes), frame time (8 bytes, Unix ms), then the JPEG.
    pub fn frames(&mut self) -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        for t in &mut self.tiles {
            let Some(rx) = &t.live else { continue };
            let frame = rx.borrow().frame.clone();
            if let Some(frame) = frame.filter(|f| f.seq != t.sent) {
                t.sent = frame.seq;
                out.push(frame_message(t.tile, &frame));
            }
        }
        out
    }

    /// Each tile's state, fps and frame time, as the JSON status message.
    pub fn status(&self) -> String {
        status(&self.tiles)
    }
}

/// The binary message of one frame.
fn frame_message(tile: u8, frame: &crate::video::Frame) -> Vec<u8> {
    let mut out = Vec::with_capacity(13 + frame.jpeg.len());
    out.push(tile);
    out.extend_from_slice(&(frame.seq as u32).to_be_bytes());
    out.extend_from_slice(&frame.at.to_be_bytes());
    out.extend_from_slice(&frame.jpeg);
    out
}

fn status(tiles: &[Tile]) -> String {
    let now = crate::model::now_ms();
    let list: Vec<serde_json::Value> = tiles
        .iter()
        .map(|t| {
            let live = t.live.as_ref().map(|rx| rx.borrow().clone());
            let at = live.as_ref().and_then(|l| l.frame.as_ref().map(|f| f.at));
            // A frame older than the stall limit is not live, whatever the reader last said.
            let state = match &live {
                None => "unavailable",
                Some(l)
                    if l.state == StreamState::Live
                        && at.is_some_and(|a| now - a > crate::video::STALL.as_millis() as i64) =>
                {
                    "offline"
                }
                Some(l) => match l.state {
                    StreamState::Connecting => "connecting",
                    StreamState::Live => "live",
                    StreamState::Offline => "offline",
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
