//! The video wall's WebSocket (`/api/v1/video`): every tile of a wall over one connection, past
//! the browser's six connections per host — the wall's tiles messages in, each tile's newest
//! frame (binary) and each second every tile's state (JSON) out, all from the façade's
//! [`TileSession`]; the same tiles for a desktop app's windows on loopback ([`LoopbackVideo`]);
//! and the saved layouts and tours.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Json, Router};
use serde_json::json;

use crate::access::Principal;
use crate::api::{Api, TileSession, VideoLayout};
use crate::HttpError;

pub async fn video(
    State(api): State<Api>,
    Extension(who): Extension<Principal>,
    ws: WebSocketUpgrade,
) -> Response {
    super::policy::capped(ws).on_upgrade(move |socket| serve_tiles(api, who, socket))
}

/// The video tiles of a desktop app's windows: a wall's frames are too many for the webview's
/// IPC, so the app serves them on a loopback WebSocket (`ws://127.0.0.1:…/video?token=…`),
/// each window signed in with a token it gets over IPC, which carries that window's principal
/// (the console's operator, or a screen's `wall` role). Nothing else is served there.
#[derive(Clone)]
pub struct LoopbackVideo {
    pub addr: SocketAddr,
    tokens: Arc<Mutex<HashMap<String, Principal>>>,
}

#[derive(serde::Deserialize)]
struct Token {
    token: String,
}

impl LoopbackVideo {
    /// Listens on a free loopback port.
    pub async fn start(api: Api) -> std::io::Result<LoopbackVideo> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let tokens: Arc<Mutex<HashMap<String, Principal>>> = Arc::default();
        let known = tokens.clone();
        let app = Router::new().route(
            "/video",
            get(move |Query(q): Query<Token>, ws: WebSocketUpgrade| {
                let who = known
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .get(&q.token)
                    .cloned();
                let api = api.clone();
                async move {
                    match who {
                        Some(who) => super::policy::capped(ws)
                            .on_upgrade(move |socket| serve_tiles(api, who, socket)),
                        None => (StatusCode::UNAUTHORIZED, "unknown token").into_response(),
                    }
                }
            }),
        );
        tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, app).await {
                tracing::warn!("the desktop's video socket stopped: {e}");
            }
        });
        Ok(LoopbackVideo { addr, tokens })
    }

    /// The URL a window working as `who` opens for its tiles (the same URL each time).
    pub fn endpoint(&self, who: &Principal) -> String {
        let mut tokens = self.tokens.lock().unwrap_or_else(|p| p.into_inner());
        let token = match tokens.iter().find(|(_, p)| *p == who) {
            Some((token, _)) => token.clone(),
            None => {
                let token = crate::store::accounts::new_token();
                tokens.insert(token.clone(), who.clone());
                token
            }
        };
        format!("ws://{}/video?token={token}", self.addr)
    }
}

async fn serve_tiles(api: Api, who: Principal, socket: WebSocket) {
    let mut session = TileSession::new(&api);
    play_tiles(&api, &who, socket, &mut session).await;
    session.leave(&api);
}

async fn play_tiles(api: &Api, who: &Principal, mut socket: WebSocket, session: &mut TileSession) {
    // Frames are picked up at 50 Hz: above any camera's rate, and only the newest is sent.
    let mut pick = tokio::time::interval(Duration::from_millis(20));
    pick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut report = tokio::time::interval(Duration::from_secs(1));
    loop {
        tokio::select! {
            incoming = socket.recv() => match incoming {
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return,
                Some(Ok(Message::Text(text))) => {
                    let answer = match session.set(api, who, &text).await {
                        Ok(()) => session.status(),
                        Err(error) => json!({"type": "error", "error": error}).to_string(),
                    };
                    if socket.send(Message::Text(answer.into())).await.is_err() {
                        return;
                    }
                }
                Some(Ok(_)) => {}
            },
            _ = pick.tick() => {
                if session.is_mosaic() {
                    if let Some(mosaic) = session.mosaic_frame().await {
                        if socket.send(Message::Binary(mosaic.into())).await.is_err() {
                            return;
                        }
                    }
                    continue;
                }
                for message in session.frames().await {
                    if socket.send(Message::Binary(message.into())).await.is_err() {
                        return;
                    }
                }
            }
            _ = report.tick() => {
                if socket.send(Message::Text(session.status().into())).await.is_err() {
                    return;
                }
            }
        }
    }
}

/// `GET /api/v1/video/onwall`: the cameras the walls' video tiles show now.
pub async fn on_wall(State(api): State<Api>) -> Response {
    Json(api.cameras_on_wall()).into_response()
}

/// `GET /api/v1/video/layouts`: the saved layouts and tours.
pub async fn layouts(State(api): State<Api>) -> Result<Response, HttpError> {
    Ok(Json(api.video_layouts().await?).into_response())
}

/// `POST /api/v1/video/layouts` `{"name", "split", "cameras", "tour", "dwell_s"}`: saves one.
pub async fn save_layout(
    State(api): State<Api>,
    Extension(who): Extension<Principal>,
    body: Result<Json<VideoLayout>, axum::extract::rejection::JsonRejection>,
) -> Result<Response, HttpError> {
    let layout = super::json_body(body, "{\"name\", \"split\", \"cameras\": […]}")?;
    Ok(Json(api.save_video_layout(&who, layout).await?).into_response())
}

/// `POST /api/v1/video/focus` `{"lon", "lat", "title"}`: every video screen shows the cameras
/// best placed to see that place.
pub async fn focus(
    State(api): State<Api>,
    Extension(who): Extension<Principal>,
    body: Result<Json<crate::feed::Focus>, axum::extract::rejection::JsonRejection>,
) -> Result<Response, HttpError> {
    let focus = super::json_body(body, "{\"lon\", \"lat\", \"title\"}")?;
    api.focus_video(&who, focus).await?;
    Ok(Json(json!({ "ok": true })).into_response())
}

/// `DELETE /api/v1/video/layouts/{name}`
pub async fn delete_layout(
    State(api): State<Api>,
    Extension(who): Extension<Principal>,
    Path(name): Path<String>,
) -> Result<Response, HttpError> {
    api.delete_video_layout(&who, &name).await?;
    Ok(Json(json!({ "ok": true })).into_response())
}
