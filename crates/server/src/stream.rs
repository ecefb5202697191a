//! The WebSocket stream: every delta to a browser wall as it happens, filtered to the layers
//! the wall says it draws and to the warnings its centre's scope holds.

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::response::Response;
use axum::Extension;
use serde_json::json;
use tokio::sync::broadcast::error::RecvError;

use crate::access::Principal;
use crate::api::Api;
use crate::feed::{Change, Delta};

pub async fn stream(
    State(api): State<Api>,
    Extension(who): Extension<Principal>,
    ws: WebSocketUpgrade,
) -> Response {
    super::policy::capped(ws).on_upgrade(move |socket| forward_deltas(api, who, socket))
}

/// Whether `who` may hear of `delta`: a warning another centre owns is not theirs to see.
fn theirs(api: &Api, who: &Principal, delta: &Delta) -> bool {
    match &delta.change {
        Change::Warning { warning } => api.sees(who, &warning.centre),
        Change::Case { case } => api.sees(who, &case.centre),
        _ => true,
    }
}

/// Sends every delta as one JSON text message, each with the seq of the one sent before it
/// (`prev`). A client that says which layers it draws (`{"type":"layers","layers":[…]}`) gets
/// only their feature deltas. A client too slow to keep up gets `resync` and refetches what is
/// in view, rather than the server buffering without bound.
async fn forward_deltas(api: Api, who: Principal, mut socket: WebSocket) {
    let mut deltas = api.subscribe();
    let seq = api.meta().seq;
    let mut filter = crate::feed::StreamFilter::new(seq);
    let hello = json!({"type": "hello", "seq": seq}).to_string();
    if socket.send(Message::Text(hello.into())).await.is_err() {
        return;
    }
    loop {
        tokio::select! {
            delta = deltas.recv() => {
                let text = match delta {
                    Ok(d) if !theirs(&api, &who, &d) => continue,
                    Ok(d) => match filter.pass(&d).and_then(|prev| crate::feed::StreamFilter::text(&d, prev)) {
                        Some(t) => t,
                        None => continue,
                    },
                    Err(RecvError::Lagged(missed)) => json!({"type": "resync", "missed": missed}).to_string(),
                    Err(RecvError::Closed) => return,
                };
                if socket.send(Message::Text(text.into())).await.is_err() {
                    return;
                }
            }
            incoming = socket.recv() => match incoming {
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return,
                Some(Ok(Message::Text(text))) => {
                    filter.accept_message(&text);
                }
                Some(Ok(_)) => {}
            }
        }
    }
}
