//! Browser mode: the [`Api`] over HTTP and WebSocket (axum), on loopback only, with the wall's
//! static files from `ui_dir`. A thin adapter: every answer comes from the façade.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;
use tokio::net::TcpListener;
use tokio::sync::broadcast::error::RecvError;
use tower_http::services::{ServeDir, ServeFile};

use crate::api::{Api, ApiError, FeatureQuery};

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("the HTTP server stopped: {0}")]
    Serve(std::io::Error),
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = match &self {
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Store(_) => StatusCode::INTERNAL_SERVER_ERROR,
        };
        (status, Json(json!({ "error": self.to_string() }))).into_response()
    }
}

/// The router: `/api/v1/*` and, when given, the UI's files.
pub fn router(api: Api, ui_dir: Option<PathBuf>) -> Router {
    let routes = Router::new()
        .route(
            "/api/v1/meta",
            get(|State(api): State<Api>| async move { Json(api.meta()) }),
        )
        .route(
            "/api/v1/layers",
            get(|State(api): State<Api>| async move { Json(api.layers()) }),
        )
        .route("/api/v1/features", get(features))
        .route("/api/v1/search", get(search))
        .route(
            "/api/v1/summary",
            get(|State(api): State<Api>| async move { Json(api.summary()) }),
        )
        .route(
            "/api/v1/sources",
            get(|State(api): State<Api>| async move { Json(api.sources()) }),
        )
        .route("/api/v1/sources/{id}/rejected", get(rejected))
        .route("/api/v1/stream", get(stream))
        .with_state(api);
    match ui_dir {
        Some(dir) => {
            let index = dir.join("index.html");
            routes.fallback_service(ServeDir::new(dir).fallback(ServeFile::new(index)))
        }
        None => routes,
    }
}

/// Binds 127.0.0.1:`port` (0 picks one) and returns the bound address and the serving future.
pub async fn bind(
    api: Api,
    port: u16,
    ui_dir: Option<PathBuf>,
) -> Result<
    (
        SocketAddr,
        impl std::future::Future<Output = Result<(), ServeError>>,
    ),
    ServeError,
> {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|source| ServeError::Bind { addr, source })?;
    let bound = listener
        .local_addr()
        .map_err(|source| ServeError::Bind { addr, source })?;
    let app = router(api, ui_dir);
    Ok((bound, async move {
        axum::serve(listener, app).await.map_err(ServeError::Serve)
    }))
}

async fn features(
    State(api): State<Api>,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let query = FeatureQuery::from_params(
        params.get("layer").map(String::as_str),
        params.get("bbox").map(String::as_str),
        params.get("zoom").map(String::as_str),
    )?;
    Ok(Json(api.features(&query)?).into_response())
}

async fn search(
    State(api): State<Api>,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let q = params.get("q").map(String::as_str).unwrap_or("");
    Ok(Json(api.search(q)?).into_response())
}

async fn rejected(
    State(api): State<Api>,
    Path(id): Path<String>,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let limit =
        match params.get("limit") {
            None => None,
            Some(l) => Some(l.parse::<u32>().map_err(|_| {
                ApiError::BadRequest(format!("`limit` `{l}` is not a whole number"))
            })?),
        };
    Ok(Json(api.rejected(&id, limit).await?).into_response())
}

async fn stream(State(api): State<Api>, ws: WebSocketUpgrade) -> Response {
    ws.on_upgrade(move |socket| forward_deltas(api, socket))
}

/// Sends every delta as one JSON text message. A client too slow to keep up gets `resync` and
/// refetches what is in view, rather than the server buffering without bound.
async fn forward_deltas(api: Api, mut socket: WebSocket) {
    let mut deltas = api.subscribe();
    let hello = json!({"type": "hello", "seq": api.meta().seq}).to_string();
    if socket.send(Message::Text(hello.into())).await.is_err() {
        return;
    }
    loop {
        tokio::select! {
            delta = deltas.recv() => {
                let text = match delta {
                    Ok(d) => match serde_json::to_string(&*d) {
                        Ok(t) => t,
                        Err(_) => continue,
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
                Some(Ok(_)) => {}
            }
        }
    }
}
