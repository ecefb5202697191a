//! The video wall's WebSocket (`/api/v1/video`): every tile of a wall over one connection, past
//! the browser's six connections per host — the wall's tiles messages in, each tile's newest
//! frame (binary) and each second every tile's state (JSON) out, all from the façade's
//! [`TileSession`]; the same tiles for a desktop app's windows on loopback ([`LoopbackVideo`]).

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Router};
use serde_json::json;

use crate::access::Principal;
use crate::api::{Api, TileSession};

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
