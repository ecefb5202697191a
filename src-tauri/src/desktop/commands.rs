//! The desktop wall's commands: each one calls the engine's façade, after the same access
//! check the HTTP server makes for its route. The heavier ones are async so they run on the
//! runtime's threads, not the window's.

use citywall_engine::api::{FeatureQuery, LayerInfo, Meta};
use citywall_engine::health::SourceStatus;
use citywall_engine::kpi::Summary;
use citywall_engine::Api;
use serde_json::Value;
use tauri::State;

use super::StreamLayers;

/// Who works the desktop wall. The app runs on the centre's own console, open to its operator;
/// every command is still checked against the access matrix through the same façade as over
/// HTTP, so a refusal holds for both transports.
pub struct Operator(pub citywall_engine::access::Principal);

fn permit(api: &Api, operator: &Operator, command: &str) -> Result<(), String> {
    api.authorize_command(&operator.0, command)
        .map_err(|e| e.to_string())
}

/// The incident loop's cases, newest first (`states`: only those).
#[tauri::command]
pub async fn cases(
    api: State<'_, Api>,
    operator: State<'_, Operator>,
    states: Option<Vec<String>>,
) -> Result<Vec<citywall_engine::cases::Case>, String> {
    permit(&api, &operator, "cases")?;
    let states: Vec<_> = states
        .unwrap_or_default()
        .iter()
        .filter_map(|s| citywall_engine::cases::CaseState::parse(s))
        .collect();
    api.cases(&states, 500).await.map_err(|e| e.to_string())
}

#[tauri::command]
pub async fn case_summary(
    api: State<'_, Api>,
    operator: State<'_, Operator>,
) -> Result<citywall_engine::cases::CaseSummary, String> {
    permit(&api, &operator, "case_summary")?;
    api.case_summary().await.map_err(|e| e.to_string())
}

/// Opens a case taken on the wall (a 12345 call), as `POST /api/v1/cases`.
#[tauri::command]
pub async fn create_case(
    api: State<'_, Api>,
    operator: State<'_, Operator>,
    case: citywall_engine::api::NewCase,
) -> Result<citywall_engine::cases::Case, String> {
    permit(&api, &operator, "create_case")?;
    api.create_case(&operator.0, case, "operator")
        .await
        .map_err(|e| e.to_string())
}

/// A step on a case, as `POST /api/v1/cases/{id}/{action}`.
#[tauri::command]
pub async fn case_step(
    api: State<'_, Api>,
    operator: State<'_, Operator>,
    id: String,
    action: String,
    input: citywall_engine::api::StepInput,
) -> Result<citywall_engine::cases::Case, String> {
    permit(&api, &operator, "case_step")?;
    api.case_step(&operator.0, &id, &action, input)
        .await
        .map_err(|e| e.to_string())
}

/// One case and its timeline, as `GET /api/v1/cases/{id}`.
#[tauri::command]
pub async fn case(
    api: State<'_, Api>,
    operator: State<'_, Operator>,
    id: String,
) -> Result<serde_json::Value, String> {
    permit(&api, &operator, "case")?;
    let (case, steps) = api.case(&id).await.map_err(|e| e.to_string())?;
    Ok(serde_json::json!({ "case": case, "steps": steps }))
}

/// Keeps a photo for a case or step, as `POST /api/v1/media`; the photo's bytes are the raw
/// request body.
#[tauri::command]
pub async fn upload_media(
    api: State<'_, Api>,
    operator: State<'_, Operator>,
    request: tauri::ipc::Request<'_>,
) -> Result<citywall_engine::api::MediaRef, String> {
    permit(&api, &operator, "upload_media")?;
    let tauri::ipc::InvokeBody::Raw(bytes) = request.body() else {
        return Err("send the photo's bytes as the body".into());
    };
    api.upload_media(&operator.0, bytes)
        .await
        .map_err(|e| e.to_string())
}

/// A stored photo's bytes, as `GET /api/v1/media/{id}`.
#[tauri::command]
pub async fn media(
    api: State<'_, Api>,
    operator: State<'_, Operator>,
    id: String,
) -> Result<tauri::ipc::Response, String> {
    permit(&api, &operator, "media")?;
    api.media(&id)
        .await
        .map(|photo| tauri::ipc::Response::new(photo.bytes))
        .map_err(|e| e.to_string())
}

/// Who works this wall, and that it runs open: the header says so.
#[tauri::command]
pub fn whoami(
    api: State<'_, Api>,
    operator: State<'_, Operator>,
) -> Result<citywall_engine::api::WhoAmI, String> {
    permit(&api, &operator, "whoami")?;
    Ok(api.whoami_of(Some(operator.0.clone())))
}

#[tauri::command]
pub fn meta(api: State<'_, Api>, operator: State<'_, Operator>) -> Result<Meta, String> {
    permit(&api, &operator, "meta")?;
    Ok(api.meta())
}

#[tauri::command]
pub fn layers(
    api: State<'_, Api>,
    operator: State<'_, Operator>,
) -> Result<Vec<LayerInfo>, String> {
    permit(&api, &operator, "layers")?;
    Ok(api.layers())
}

#[tauri::command]
pub async fn features(
    api: State<'_, Api>,
    operator: State<'_, Operator>,
    layer: String,
    bbox: Option<[f64; 4]>,
    zoom: Option<f64>,
) -> Result<Value, String> {
    permit(&api, &operator, "features")?;
    let query = FeatureQuery::new(&layer, bbox, zoom).map_err(|e| e.to_string())?;
    api.features(&query).map_err(|e| e.to_string())
}

#[tauri::command]
pub fn sources(
    api: State<'_, Api>,
    operator: State<'_, Operator>,
) -> Result<Vec<SourceStatus>, String> {
    permit(&api, &operator, "sources")?;
    Ok(api.sources())
}

#[tauri::command]
pub async fn summary(
    api: State<'_, Api>,
    operator: State<'_, Operator>,
) -> Result<Summary, String> {
    permit(&api, &operator, "summary")?;
    Ok(api.summary().await)
}

#[tauri::command]
pub fn search(
    api: State<'_, Api>,
    operator: State<'_, Operator>,
    q: String,
) -> Result<Vec<citywall_engine::search::Hit>, String> {
    permit(&api, &operator, "search")?;
    api.search(&q).map_err(|e| e.to_string())
}

/// One vector tile, as raw bytes (an ArrayBuffer on the JS side, no JSON in between).
#[tauri::command]
pub async fn tile(
    api: State<'_, Api>,
    operator: State<'_, Operator>,
    layer: String,
    z: u8,
    x: u32,
    y: u32,
) -> Result<tauri::ipc::Response, String> {
    permit(&api, &operator, "tile")?;
    api.tile(&layer, z, x, y)
        .map(tauri::ipc::Response::new)
        .map_err(|e| e.to_string())
}

#[tauri::command]
pub async fn warnings(
    api: State<'_, Api>,
    operator: State<'_, Operator>,
    all: Option<bool>,
    limit: Option<u32>,
) -> Result<Vec<citywall_engine::rules::Warning>, String> {
    permit(&api, &operator, "warnings")?;
    api.warnings(all.unwrap_or(false), limit.unwrap_or(500))
        .await
        .map_err(|e| e.to_string())
}

#[tauri::command]
pub async fn acknowledge(
    api: State<'_, Api>,
    operator: State<'_, Operator>,
    id: String,
    by: String,
) -> Result<citywall_engine::rules::Warning, String> {
    permit(&api, &operator, "acknowledge")?;
    api.acknowledge(&operator.0, &id, &by)
        .await
        .map_err(|e| e.to_string())
}

#[tauri::command]
pub async fn aggregate(
    api: State<'_, Api>,
    operator: State<'_, Operator>,
    layer: String,
    level: String,
    since: Option<i64>,
) -> Result<Value, String> {
    permit(&api, &operator, "aggregate")?;
    api.aggregate(&layer, &level, since)
        .map_err(|e| e.to_string())
}

#[tauri::command]
pub fn regions(
    api: State<'_, Api>,
    operator: State<'_, Operator>,
    level: String,
) -> Result<Value, String> {
    permit(&api, &operator, "regions")?;
    api.regions(&level).map_err(|e| e.to_string())
}

/// Which layers this window draws, so the stream leaves out the others' feature deltas.
#[tauri::command]
pub fn stream_layers(
    api: State<'_, Api>,
    operator: State<'_, Operator>,
    window: tauri::Window,
    streamed: State<'_, StreamLayers>,
    layers: Option<Vec<String>>,
) -> Result<(), String> {
    permit(&api, &operator, "stream_layers")?;
    streamed
        .0
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert(window.label().to_string(), layers);
    Ok(())
}

#[tauri::command]
pub fn cameras_nearest(
    api: State<'_, Api>,
    operator: State<'_, Operator>,
    lon: f64,
    lat: f64,
    k: usize,
) -> Result<Vec<Value>, String> {
    permit(&api, &operator, "cameras_nearest")?;
    api.cameras_nearest(lon, lat, k).map_err(|e| e.to_string())
}

#[tauri::command]
pub fn cameras_near_feature(
    api: State<'_, Api>,
    operator: State<'_, Operator>,
    layer: String,
    id: String,
    k: usize,
) -> Result<Vec<Value>, String> {
    permit(&api, &operator, "cameras_near_feature")?;
    api.cameras_near_feature(&layer, &id, k)
        .map_err(|e| e.to_string())
}

#[tauri::command]
pub fn summary_series(
    api: State<'_, Api>,
    operator: State<'_, Operator>,
    since: Option<i64>,
) -> Result<Vec<citywall_engine::kpi::Sample>, String> {
    permit(&api, &operator, "summary_series")?;
    Ok(api.summary_series(since))
}

#[tauri::command]
pub async fn replay(
    api: State<'_, Api>,
    operator: State<'_, Operator>,
    layer: String,
    at: i64,
    bbox: Option<[f64; 4]>,
) -> Result<Value, String> {
    permit(&api, &operator, "replay")?;
    let query = FeatureQuery::new(&layer, bbox, None).map_err(|e| e.to_string())?;
    api.replay(&query.layer, at, query.bbox)
        .await
        .map_err(|e| e.to_string())
}

#[tauri::command]
pub async fn replay_span(
    api: State<'_, Api>,
    operator: State<'_, Operator>,
) -> Result<Value, String> {
    permit(&api, &operator, "replay_span")?;
    api.replay_span().await.map_err(|e| e.to_string())
}

#[tauri::command]
pub async fn replay_warnings(
    api: State<'_, Api>,
    operator: State<'_, Operator>,
    at: i64,
) -> Result<Vec<citywall_engine::rules::Warning>, String> {
    permit(&api, &operator, "replay_warnings")?;
    api.replay_warnings(at).await.map_err(|e| e.to_string())
}

#[tauri::command]
pub async fn replay_summary(
    api: State<'_, Api>,
    operator: State<'_, Operator>,
    at: i64,
) -> Result<Summary, String> {
    permit(&api, &operator, "replay_summary")?;
    api.replay_summary(at).await.map_err(|e| e.to_string())
}

/// A tile of the configured basemap, fetched by the engine: the window's CSP allows no other
/// host, and needs none.
#[tauri::command]
pub async fn basemap_tile(
    api: State<'_, Api>,
    operator: State<'_, Operator>,
    z: u8,
    x: u32,
    y: u32,
) -> Result<tauri::ipc::Response, String> {
    permit(&api, &operator, "basemap_tile")?;
    api.basemap_tile(z, x, y)
        .await
        .map(|t| tauri::ipc::Response::new(t.map(|t| t.bytes.to_vec()).unwrap_or_default()))
        .map_err(|e| e.to_string())
}

/// The configured basemap's style document, as over HTTP.
#[tauri::command]
pub async fn basemap_style(
    api: State<'_, Api>,
    operator: State<'_, Operator>,
) -> Result<serde_json::Value, String> {
    permit(&api, &operator, "basemap_style")?;
    api.basemap_style().await.map_err(|e| e.to_string())
}

/// The audit log after row `after`, oldest first: the façade's `audit`, as over HTTP.
#[tauri::command]
pub async fn audit(
    api: State<'_, Api>,
    operator: State<'_, Operator>,
    after: Option<i64>,
    limit: Option<u32>,
) -> Result<Vec<citywall_engine::store::audit::AuditRecord>, String> {
    permit(&api, &operator, "audit")?;
    api.audit(&operator.0, after.unwrap_or(0), limit.unwrap_or(1000))
        .await
        .map_err(|e| e.to_string())
}

#[tauri::command]
pub async fn history(
    api: State<'_, Api>,
    operator: State<'_, Operator>,
    layer: String,
    id: String,
    since: i64,
    limit: Option<u32>,
) -> Result<Vec<Value>, String> {
    permit(&api, &operator, "history")?;
    api.history(&layer, &id, since, limit.unwrap_or(1000))
        .await
        .map_err(|e| e.to_string())
}

/// The latest rows of the audit log, newest first, for the console's view.
#[tauri::command]
pub async fn audit_latest(
    api: State<'_, Api>,
    operator: State<'_, Operator>,
    limit: Option<u32>,
) -> Result<Vec<citywall_engine::store::audit::AuditRecord>, String> {
    permit(&api, &operator, "audit_latest")?;
    api.audit_latest(&operator.0, limit.unwrap_or(50))
        .await
        .map_err(|e| e.to_string())
}
