//! What every browser request is held to: the body limits (256 KB, a photo route 8 MB), how a
//! body that does not fit is answered, and the browser wall's Content-Security-Policy.

use axum::http::StatusCode;
use axum::Json;

use crate::api::{Api, ApiError};

/// A JSON body the handler could not take: too big (413), else not the shape `shape` (400).
pub(crate) fn json_body<T>(
    body: Result<Json<T>, axum::extract::rejection::JsonRejection>,
    shape: &str,
) -> Result<T, ApiError> {
    body.map(|Json(b)| b).map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::TooLarge(format!("the body is over {} KB", MAX_BODY_BYTES / 1024))
        } else {
            ApiError::BadRequest(format!("the body must be JSON {shape}: {e}"))
        }
    })
}

/// The routes that take a photo take one of up to [`crate::api::MAX_PHOTO_BYTES`] (with room
/// for an Open311 report's other fields around it).
pub(super) fn photo_limit() -> axum::extract::DefaultBodyLimit {
    axum::extract::DefaultBodyLimit::max(crate::api::MAX_PHOTO_BYTES + 64 * 1024)
}

/// The most a client sends in one WebSocket message (or frame) on either socket: the change
/// feed's layer list and the video socket's tile commands are a few KB. Bigger is a closed
/// socket, not memory held (the default was 64 MB a message).
pub(super) const MAX_SOCKET_MESSAGE_BYTES: usize = 256 * 1024;

/// A WebSocket upgrade held to [`MAX_SOCKET_MESSAGE_BYTES`].
pub(super) fn capped(
    ws: axum::extract::ws::WebSocketUpgrade,
) -> axum::extract::ws::WebSocketUpgrade {
    ws.max_message_size(MAX_SOCKET_MESSAGE_BYTES)
        .max_frame_size(MAX_SOCKET_MESSAGE_BYTES)
}

/// No request the wall or an intake app makes is bigger: a larger body is refused (413) before
/// it is read.
pub const MAX_BODY_BYTES: usize = 256 * 1024;

/// The browser wall's Content-Security-Policy, as strict as the desktop window's: its own
/// scripts only, no inline script, data only from the engine — except a `[basemap] style`,
/// whose sources, sprites and glyphs live on the city's LAN.
pub(super) fn content_security_policy(api: &Api) -> String {
    let lan = if api.meta().basemap.is_some_and(|b| b.kind == "style") {
        " http: https:"
    } else {
        ""
    };
    format!(
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
         img-src 'self' data: blob:{lan}; font-src 'self' data:; worker-src 'self' blob:; \
         child-src 'self' blob:; connect-src 'self' blob: data:{lan}; frame-ancestors 'none'; \
         base-uri 'none'; form-action 'self'"
    )
}

/// A request that sends a body has `[serve] body_timeout_s` to send it and be answered: a
/// client dripping a photo a byte at a time is answered 408 and its connection let go. Reads
/// (GET) carry no body and may take as long as a replay needs. (tower-http's body timeout
/// resets on every byte, which is the drip this stops.)
pub(super) async fn write_deadline(
    axum::extract::State(api): axum::extract::State<Api>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    if matches!(
        *request.method(),
        axum::http::Method::GET | axum::http::Method::HEAD | axum::http::Method::OPTIONS
    ) {
        return next.run(request).await;
    }
    let seconds = api.engine().config().serve.body_timeout_s;
    match tokio::time::timeout(std::time::Duration::from_secs(seconds), next.run(request)).await {
        Ok(response) => response,
        Err(_) => (
            StatusCode::REQUEST_TIMEOUT,
            Json(serde_json::json!({
                "error": format!("the request was not sent within {seconds} s")
            })),
        )
            .into_response(),
    }
}
