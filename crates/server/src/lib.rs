//! Browser mode: the [`Api`] over HTTP(S) and WebSocket (axum), with the wall's static files
//! from `ui_dir`; on loopback unless `[serve]` names another address ([`listen`]). A thin
//! adapter: every answer comes from the façade, and every route passes the access guard
//! ([`auth`]). The engine knows nothing of HTTP: this crate sits above it.

pub mod auth;
mod conn;
mod endpoints;
mod error;
mod gate;
pub mod listen;
mod media;
mod open311;
mod origin;
mod policy;
mod stream;
mod video;
mod warnings;

use std::net::SocketAddr;
use std::path::PathBuf;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use tokio::net::TcpListener;
use tower_http::services::{ServeDir, ServeFile};

// The engine's modules under the paths the handlers name them by.
use citywall_engine::{access, api, feed, model, store};

use crate::api::{Api, ApiError};
pub use error::HttpError;
pub(crate) use policy::json_body;
pub use policy::MAX_BODY_BYTES;
use policy::{content_security_policy, photo_limit};
pub use video::LoopbackVideo;

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

/// The router: `/api/v1/*` and, when given, the UI's files.
pub fn router(api: Api, ui_dir: Option<PathBuf>) -> Router {
    let routes = Router::new()
        .route("/api/v1/login", post(auth::login))
        .route("/api/v1/logout", post(auth::logout))
        .route("/api/v1/whoami", get(auth::whoami))
        .merge(endpoints::routes())
        .route("/api/v1/audit/export", get(warnings::audit_export))
        .route("/basemap/{z}/{x}/{tail}", get(basemap_tile))
        .route("/tiles/{layer}/{z}/{x}/{tail}", get(tile))
        .route("/api/v1/stream", get(stream::stream))
        .route("/api/v1/video", get(video::video))
        .route("/api/v1/media", post(media::upload).layer(photo_limit()))
        .route("/api/v1/media/{id}", get(media::photo))
        .route("/open311/v2/services.json", get(open311::services))
        .route(
            "/open311/v2/requests.json",
            get(open311::list_requests)
                .post(open311::post_request)
                .layer(photo_limit()),
        )
        .route("/open311/v2/requests/{id}", get(open311::one_request))
        // An API path that does not exist is an error a client can read, not the wall's page.
        .route("/api/v1/{*rest}", axum::routing::any(unknown_endpoint))
        .route_layer(axum::middleware::from_fn_with_state(
            api.clone(),
            auth::guard,
        ))
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(api.clone());
    let routes = match ui_dir {
        Some(dir) => {
            let index = dir.join("index.html");
            routes.fallback_service(ServeDir::new(dir).fallback(ServeFile::new(index)))
        }
        None => routes,
    };
    let policy = content_security_policy(&api);
    let routes = routes
        .layer(axum::middleware::from_fn_with_state(
            api.clone(),
            policy::write_deadline,
        ))
        .layer(axum::middleware::from_fn_with_state(
            api.clone(),
            origin::guard,
        ));
    routes.layer(axum::middleware::map_response(
        move |mut response: Response| {
            let policy = policy.clone();
            async move {
                let headers = response.headers_mut();
                for (name, value) in [
                    ("content-security-policy", policy.as_str()),
                    ("x-content-type-options", "nosniff"),
                    ("x-frame-options", "DENY"),
                    ("referrer-policy", "no-referrer"),
                ] {
                    // A route that set its own (a photo's sandbox) keeps it.
                    if let Ok(value) = axum::http::HeaderValue::from_str(value) {
                        headers.entry(name).or_insert(value);
                    }
                }
                response
            }
        },
    ))
}

async fn unknown_endpoint(uri: axum::http::Uri) -> HttpError {
    HttpError(ApiError::NotFound(format!(
        "no such endpoint: {}",
        uri.path()
    )))
}

/// Binds 127.0.0.1:`port` (0 picks one) and returns the bound address and the serving future.
pub async fn bind(
    api: Api,
    port: u16,
    ui_dir: Option<PathBuf>,
) -> Result<(SocketAddr, Server), ServeError> {
    bind_at(api, SocketAddr::from(([127, 0, 0, 1], port)), None, ui_dir).await
}

/// The running server, to await.
pub type Server =
    std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), ServeError>> + Send>>;

/// Listens on `addr`, over HTTPS when given a TLS set-up ([`listen::tls_acceptor`]). Which
/// address may go without TLS or credentials is [`listen::admission`]'s to say, before this.
pub async fn bind_at(
    api: Api,
    addr: SocketAddr,
    tls: Option<tokio_rustls::TlsAcceptor>,
    ui_dir: Option<PathBuf>,
) -> Result<(SocketAddr, Server), ServeError> {
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|source| ServeError::Bind { addr, source })?;
    let bound = listener
        .local_addr()
        .map_err(|source| ServeError::Bind { addr, source })?;
    let serve = &api.engine().config().serve;
    let limits = conn::Limits {
        gate: gate::Gate::new(
            gate::connection_room(serve.max_connections),
            serve.max_connections_per_address,
        ),
        header_timeout: std::time::Duration::from_secs(serve.header_timeout_s),
    };
    let app = router(api, ui_dir);
    let server: Server = Box::pin(async move {
        conn::accept_loop(listener, tls, app, limits)
            .await
            .map_err(ServeError::Serve)
    });
    Ok((bound, server))
}

async fn tile(
    State(api): State<Api>,
    Path((layer, z, x, tail)): Path<(String, String, String, String)>,
) -> Result<Response, HttpError> {
    let bad = || {
        ApiError::BadRequest(format!(
            "no tile {z}/{x}/{tail}: use /tiles/LAYER/Z/X/Y.mvt"
        ))
    };
    let y = tail.strip_suffix(".mvt").ok_or_else(bad)?;
    let (z, x, y) = (
        z.parse::<u8>().map_err(|_| bad())?,
        x.parse::<u32>().map_err(|_| bad())?,
        y.parse::<u32>().map_err(|_| bad())?,
    );
    let bytes = api.tile(&layer, z, x, y)?;
    Ok((
        [(
            axum::http::header::CONTENT_TYPE,
            "application/vnd.mapbox-vector-tile",
        )],
        bytes,
    )
        .into_response())
}

/// `/basemap/{z}/{x}/{y}` (any extension): a tile of the configured basemap.
async fn basemap_tile(
    State(api): State<Api>,
    Path((z, x, tail)): Path<(u8, u32, String)>,
) -> Result<Response, HttpError> {
    let y: u32 = tail
        .split('.')
        .next()
        .and_then(|y| y.parse().ok())
        .ok_or_else(|| ApiError::BadRequest(format!("`{tail}` is not a tile row")))?;
    let Some(tile) = api.basemap_tile(z, x, y).await? else {
        // No tile there: the map draws nothing, as MapLibre reads a 204.
        return Ok(StatusCode::NO_CONTENT.into_response());
    };
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, tile.content_type),
            (
                axum::http::header::CACHE_CONTROL,
                "max-age=3600".to_string(),
            ),
        ],
        tile.bytes,
    )
        .into_response())
}
