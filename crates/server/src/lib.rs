//! Browser mode: the [`Api`] over HTTP(S) and WebSocket (axum), with the wall's static files
//! from `ui_dir`; on loopback unless `[serve]` names another address ([`listen`]). A thin
//! adapter: every answer comes from the façade, and every route passes the access guard
//! ([`auth`]). The engine knows nothing of HTTP: this crate sits above it.

pub mod auth;
mod cases;
mod conn;
mod error;
mod gate;
mod history;
pub mod listen;
mod open311;
mod origin;
mod params;
mod policy;
mod stream;
mod video;
mod warnings;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use tokio::net::TcpListener;
use tower_http::services::{ServeDir, ServeFile};

// The engine's modules under the paths the handlers name them by.
use citywall_engine::{access, api, feed, model, store};

use crate::api::{Api, ApiError, FeatureQuery};
pub use error::HttpError;
pub(crate) use params::{param, required, since};
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
            get(|State(api): State<Api>| async move { Json(api.summary().await) }),
        )
        .route(
            "/api/v1/sources",
            get(|State(api): State<Api>| async move { Json(api.sources()) }),
        )
        .route("/api/v1/sources/{id}/rejected", get(rejected))
        .route("/api/v1/aggregate", get(aggregate))
        .route("/api/v1/regions", get(regions))
        .route("/api/v1/cameras/nearest", get(cameras_nearest))
        .route("/api/v1/warnings", get(warnings::warnings))
        .route("/api/v1/warnings/{id}/ack", post(warnings::acknowledge))
        .route(
            "/api/v1/warnings/{id}/steps",
            get(warnings::warning_steps).post(warnings::take_step),
        )
        .route("/api/v1/audit", get(warnings::audit))
        .route("/api/v1/audit/export", get(warnings::audit_export))
        .route("/api/v1/basemap/style", get(basemap_style))
        .route("/basemap/{z}/{x}/{tail}", get(basemap_tile))
        .route("/tiles/{layer}/{z}/{x}/{tail}", get(tile))
        .route("/api/v1/replay", get(history::replay))
        .route("/api/v1/replay/span", get(history::replay_span))
        .route("/api/v1/replay/warnings", get(history::replay_warnings))
        .route("/api/v1/replay/summary", get(history::replay_summary))
        .route("/api/v1/history", get(history::history))
        .route("/api/v1/summary/series", get(summary_series))
        .route("/api/v1/stream", get(stream::stream))
        .route("/api/v1/video", get(video::video))
        .route(
            "/api/v1/video/layouts",
            get(video::layouts).post(video::save_layout),
        )
        .route(
            "/api/v1/video/layouts/{id}",
            axum::routing::delete(video::delete_layout),
        )
        .route("/api/v1/video/focus", post(video::focus))
        .route("/api/v1/video/onwall", get(video::on_wall))
        .route("/api/v1/cases", get(cases::list).post(cases::create))
        .route("/api/v1/cases/summary", get(cases::summary))
        .route("/api/v1/cases/{id}", get(cases::one))
        .route("/api/v1/cases/{id}/{action}", post(cases::step))
        .route("/api/v1/media", post(cases::upload).layer(photo_limit()))
        .route("/api/v1/media/{id}", get(cases::photo))
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

async fn features(
    State(api): State<Api>,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Response, HttpError> {
    let query = FeatureQuery::from_params(
        params.get("layer").map(String::as_str),
        params.get("bbox").map(String::as_str),
        params.get("zoom").map(String::as_str),
    )?;
    let body = api.features_json(&query)?;
    Ok((
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        body,
    )
        .into_response())
}

async fn aggregate(
    State(api): State<Api>,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Response, HttpError> {
    let layer: String = required(&params, "layer")?;
    let level: String = param(&params, "level")?.unwrap_or_else(|| "grid".into());
    Ok(Json(api.aggregate(&layer, &level, since(&params)?)?).into_response())
}

async fn regions(
    State(api): State<Api>,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Response, HttpError> {
    let level: String = required(&params, "level")?;
    Ok(Json(api.regions(&level)?).into_response())
}

async fn cameras_nearest(
    State(api): State<Api>,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Response, HttpError> {
    let k: usize = param(&params, "k")?.unwrap_or(6);
    // Near a feature (`layer` and `id`: a line or polygon is measured to its nearest part), or
    // near a point (`lon`, `lat`).
    if let Some(layer) = params.get("layer") {
        let id: String = required(&params, "id")?;
        return Ok(Json(api.cameras_near_feature(layer, &id, k)?).into_response());
    }
    let lon: f64 = required(&params, "lon")?;
    let lat: f64 = required(&params, "lat")?;
    Ok(Json(api.cameras_nearest(lon, lat, k)?).into_response())
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

async fn search(
    State(api): State<Api>,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Response, HttpError> {
    let q = params.get("q").map(String::as_str).unwrap_or("");
    Ok(Json(api.search(q)?).into_response())
}

/// `/api/v1/basemap/style`: the configured basemap's style document.
async fn basemap_style(State(api): State<Api>) -> Result<Response, HttpError> {
    Ok(Json(api.basemap_style().await?).into_response())
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

/// `?since=<data clock ms>`: the trend's samples after it (all of them without).
async fn summary_series(
    State(api): State<Api>,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Response, HttpError> {
    let since = match params.get("since") {
        None => None,
        Some(v) => Some(v.parse::<i64>().map_err(|_| {
            ApiError::BadRequest(format!("`since` `{v}` is not a time in Unix ms"))
        })?),
    };
    Ok(Json(api.summary_series(since)).into_response())
}

async fn rejected(
    State(api): State<Api>,
    Path(id): Path<String>,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Response, HttpError> {
    let limit =
        match params.get("limit") {
            None => None,
            Some(l) => Some(l.parse::<u32>().map_err(|_| {
                ApiError::BadRequest(format!("`limit` `{l}` is not a whole number"))
            })?),
        };
    Ok(Json(api.rejected(&id, limit).await?).into_response())
}
