//! The video wall's WebSocket (`/api/v1/video`): every tile of a wall over one connection, past
//! the browser's six connections per host. The wall says which camera each tile shows
//! (`{"type":"tiles","tiles":[{"tile":0,"camera":"…","main":false}, …]}`); the server sends
//! each tile's newest frame as a binary message — tile (1 byte), frame seq (4 bytes), frame time
//! (8 bytes, Unix ms), then the JPEG — and once a second each tile's state, fps and frame time as
//! JSON. Only the newest frame of a tile is ever sent: a slow client skips frames, it never
//! falls behind. A stream with no frame for 3 s shows as offline, never as a live stale frame.

use std::time::Duration;

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde::Deserialize;
use serde_json::json;
use tokio::sync::watch;

use crate::access::Principal;
use crate::api::{Api, ApiError, VideoLayout};
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

pub async fn video(
    State(api): State<Api>,
    Extension(who): Extension<Principal>,
    ws: WebSocketUpgrade,
) -> Response {
    ws.on_upgrade(move |socket| serve_tiles(api, who, socket))
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

async fn serve_tiles(api: Api, who: Principal, mut socket: WebSocket) {
    let mut tiles: Vec<Tile> = Vec::new();
    // Frames are picked up at 50 Hz: above any camera's rate, and only the newest is sent.
    let mut pick = tokio::time::interval(Duration::from_millis(20));
    pick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut report = tokio::time::interval(Duration::from_secs(1));
    loop {
        tokio::select! {
            incoming = socket.recv() => match incoming {
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return,
                Some(Ok(Message::Text(text))) => {
                    let (wanted, reason) = match serde_json::from_str::<ClientMessage>(&text) {
                        Ok(ClientMessage::Tiles { tiles, reason }) if tiles.len() <= MAX_TILES => (tiles, reason),
                        Ok(_) => {
                            let error = json!({"type": "error", "error": format!("at most {MAX_TILES} tiles")});
                            let _ = socket.send(Message::Text(error.to_string().into())).await;
                            continue;
                        }
                        Err(e) => {
                            let error = json!({"type": "error", "error": format!("not a tiles message: {e}")});
                            let _ = socket.send(Message::Text(error.to_string().into())).await;
                            continue;
                        }
                    };
                    // Every push to the wall is in the audit log (an empty wall is no push).
                    if !wanted.is_empty() {
                        let pushed: Vec<(u8, String, bool)> = wanted.iter().map(|w| (w.tile, w.camera.clone(), w.main)).collect();
                        if let Err(e) = api.record_video_push(&who, &pushed, &reason).await {
                            tracing::warn!("the video push was not audited: {e}");
                        }
                    }
                    tiles = wanted
                        .into_iter()
                        .map(|w| {
                            let (live, problem) = match api.watch_camera(&w.camera, w.main) {
                                Ok(rx) => (Some(rx), None),
                                Err(e) => (None, Some(e.to_string())),
                            };
                            Tile { tile: w.tile, camera: w.camera, live, problem, sent: 0 }
                        })
                        .collect();
                    if socket.send(Message::Text(status(&tiles).into())).await.is_err() {
                        return;
                    }
                }
                Some(Ok(_)) => {}
            },
            _ = pick.tick() => {
                for t in &mut tiles {
                    let Some(rx) = &t.live else { continue };
                    let frame = rx.borrow().frame.clone();
                    if let Some(frame) = frame.filter(|f| f.seq != t.sent) {
                        t.sent = frame.seq;
                        let message = frame_message(t.tile, &frame);
                        if socket.send(Message::Binary(message.into())).await.is_err() {
                            return;
                        }
                    }
                }
            }
            _ = report.tick() => {
                if socket.send(Message::Text(status(&tiles).into())).await.is_err() {
                    return;
                }
            }
        }
    }
}

/// `GET /api/v1/video/layouts`: the saved layouts and tours.
pub async fn layouts(State(api): State<Api>) -> Result<Response, ApiError> {
    Ok(Json(api.video_layouts().await?).into_response())
}

/// `POST /api/v1/video/layouts` `{"name", "split", "cameras", "tour", "dwell_s"}`: saves one.
pub async fn save_layout(
    State(api): State<Api>,
    Extension(who): Extension<Principal>,
    body: Result<Json<VideoLayout>, axum::extract::rejection::JsonRejection>,
) -> Result<Response, ApiError> {
    let layout = super::json_body(body, "{\"name\", \"split\", \"cameras\": […]}")?;
    Ok(Json(api.save_video_layout(&who, layout).await?).into_response())
}

/// `DELETE /api/v1/video/layouts/{name}`
pub async fn delete_layout(
    State(api): State<Api>,
    Extension(who): Extension<Principal>,
    Path(name): Path<String>,
) -> Result<Response, ApiError> {
    api.delete_video_layout(&who, &name).await?;
    Ok(Json(json!({ "ok": true })).into_response())
}
