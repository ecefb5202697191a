//! The desktop wall's commands: each one calls the engine's façade, after the same access
//! check the HTTP server makes for its route. The heavier ones are async so they run on the
//! runtime's threads, not the window's.

use citywall_engine::access::Principal;
use citywall_engine::api::{ApiError, FeatureQuery, LayerInfo, Meta, WireError};
use citywall_engine::health::SourceStatus;
use citywall_engine::kpi::Summary;
use citywall_engine::Api;
use serde_json::Value;
use tauri::State;

/// Who works the desktop wall. The app runs on the centre's own console, open to its operator
/// in the windows where the operator works; a screen that only shows (the map or the video of a
/// multi-screen wall) works as the `wall` role, as a kiosk does. Every command is checked against
/// the access matrix through the same façade as over HTTP, so a refusal holds for both
/// transports; each window's Tauri capability grants the same commands (src-tauri/capabilities).
pub struct Operator {
    console: Principal,
    screen: Principal,
}

impl Operator {
    pub fn new() -> Self {
        Operator {
            console: Principal::open(),
            screen: Principal {
                name: "大屏".into(),
                role: citywall_engine::access::Role::Wall,
                via: "window",
            },
        }
    }

    /// Who works the window labelled `label`.
    pub fn of(&self, label: &str) -> &Principal {
        if citywall_engine::wall::window_operates(label) {
            &self.console
        } else {
            &self.screen
        }
    }
}

/// A refusal as the window reads it: the `{status, error}` the HTTP server sends too.
pub(super) fn refused(e: impl Into<ApiError>) -> WireError {
    e.into().wire()
}

/// The window's principal, if the matrix lets it run `command`.
pub(super) fn permit(
    api: &Api,
    operator: &Operator,
    window: &tauri::WebviewWindow,
    command: &str,
) -> Result<Principal, WireError> {
    let who = operator.of(window.label());
    api.authorize_command(who, command).map_err(refused)?;
    Ok(who.clone())
}

/// Who works this window, and whether it runs open: the header says so. A screen that only
/// shows is the wall's display, not an open console.
/// The layers each window draws, by window label (`None`: every layer). The stream carries a
/// feature delta when any window draws its layer: every window hears the same stream.
#[derive(Clone, Default)]
pub(super) struct StreamLayers(
    std::sync::Arc<std::sync::Mutex<std::collections::HashMap<String, Option<Vec<String>>>>>,
);

impl StreamLayers {
    pub(super) fn wanted(&self) -> Option<Vec<String>> {
        let windows = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if windows.is_empty() || windows.values().any(Option::is_none) {
            return None;
        }
        let mut all: Vec<String> = windows.values().flatten().flatten().cloned().collect();
        all.sort();
        all.dedup();
        Some(all)
    }
}

#[tauri::command]
pub fn whoami(
    api: State<'_, Api>,
    operator: State<'_, Operator>,
    window: tauri::WebviewWindow,
) -> Result<citywall_engine::api::WhoAmI, WireError> {
    let who = permit(&api, &operator, &window, "whoami")?;
    let mut answer = api.whoami_of(Some(who));
    answer.open &= citywall_engine::wall::window_operates(window.label());
    Ok(answer)
}

#[tauri::command]
pub fn meta(
    api: State<'_, Api>,
    operator: State<'_, Operator>,
    window: tauri::WebviewWindow,
) -> Result<Meta, WireError> {
    permit(&api, &operator, &window, "meta")?;
    Ok(api.meta())
}

#[tauri::command]
pub fn layers(
    api: State<'_, Api>,
    operator: State<'_, Operator>,
    window: tauri::WebviewWindow,
) -> Result<Vec<LayerInfo>, WireError> {
    permit(&api, &operator, &window, "layers")?;
    Ok(api.layers())
}

#[tauri::command]
pub async fn features(
    api: State<'_, Api>,
    operator: State<'_, Operator>,
    window: tauri::WebviewWindow,
    layer: String,
    bbox: Option<[f64; 4]>,
    zoom: Option<f64>,
) -> Result<Box<serde_json::value::RawValue>, WireError> {
    permit(&api, &operator, &window, "features")?;
    let query = FeatureQuery::new(&layer, bbox, zoom).map_err(refused)?;
    // Handed over as the engine wrote it, not parsed into a tree and written again.
    let text = String::from_utf8(api.features_json(&query).map_err(refused)?)
        .map_err(WireError::internal)?;
    serde_json::value::RawValue::from_string(text).map_err(WireError::internal)
}

#[tauri::command]
pub fn sources(
    api: State<'_, Api>,
    operator: State<'_, Operator>,
    window: tauri::WebviewWindow,
) -> Result<Vec<SourceStatus>, WireError> {
    permit(&api, &operator, &window, "sources")?;
    Ok(api.sources())
}

#[tauri::command]
pub async fn summary(
    api: State<'_, Api>,
    operator: State<'_, Operator>,
    window: tauri::WebviewWindow,
) -> Result<Summary, WireError> {
    permit(&api, &operator, &window, "summary")?;
    Ok(api.summary().await)
}

#[tauri::command]
pub fn search(
    api: State<'_, Api>,
    operator: State<'_, Operator>,
    window: tauri::WebviewWindow,
    q: String,
) -> Result<Vec<citywall_engine::search::Hit>, WireError> {
    permit(&api, &operator, &window, "search")?;
    api.search(&q).map_err(refused)
}

/// One vector tile, as raw bytes (an ArrayBuffer on the JS side, no JSON in between).
#[tauri::command]
pub async fn tile(
    api: State<'_, Api>,
    operator: State<'_, Operator>,
    window: tauri::WebviewWindow,
    layer: String,
    z: u8,
    x: u32,
    y: u32,
) -> Result<tauri::ipc::Response, WireError> {
    permit(&api, &operator, &window, "tile")?;
    api.tile(&layer, z, x, y)
        .map(tauri::ipc::Response::new)
        .map_err(refused)
}

#[tauri::command]
pub async fn warnings(
    api: State<'_, Api>,
    operator: State<'_, Operator>,
    window: tauri::WebviewWindow,
    all: Option<bool>,
    limit: Option<u32>,
) -> Result<Vec<citywall_engine::rules::Warning>, WireError> {
    permit(&api, &operator, &window, "warnings")?;
    api.warnings(all.unwrap_or(false), limit.unwrap_or(500))
        .await
        .map_err(refused)
}

#[tauri::command]
pub async fn acknowledge(
    api: State<'_, Api>,
    operator: State<'_, Operator>,
    window: tauri::WebviewWindow,
    id: String,
    by: String,
) -> Result<citywall_engine::rules::Warning, WireError> {
    let who = permit(&api, &operator, &window, "acknowledge")?;
    api.acknowledge(&who, &id, &by).await.map_err(refused)
}

#[tauri::command]
pub async fn warning_steps(
    api: State<'_, Api>,
    operator: State<'_, Operator>,
    window: tauri::WebviewWindow,
    id: String,
) -> Result<Vec<citywall_engine::api::StepTaken>, WireError> {
    permit(&api, &operator, &window, "warning_steps")?;
    api.warning_steps(&id).await.map_err(refused)
}

#[tauri::command]
pub async fn take_step(
    api: State<'_, Api>,
    operator: State<'_, Operator>,
    window: tauri::WebviewWindow,
    id: String,
    step: usize,
    by: String,
) -> Result<Vec<citywall_engine::api::StepTaken>, WireError> {
    let who = permit(&api, &operator, &window, "take_step")?;
    api.take_step(&who, &id, step, &by).await.map_err(refused)
}

#[tauri::command]
pub async fn aggregate(
    api: State<'_, Api>,
    operator: State<'_, Operator>,
    window: tauri::WebviewWindow,
    layer: String,
    level: String,
    since: Option<i64>,
) -> Result<Value, WireError> {
    permit(&api, &operator, &window, "aggregate")?;
    api.aggregate(&layer, &level, since).map_err(refused)
}

#[tauri::command]
pub fn regions(
    api: State<'_, Api>,
    operator: State<'_, Operator>,
    window: tauri::WebviewWindow,
    level: String,
) -> Result<Value, WireError> {
    permit(&api, &operator, &window, "regions")?;
    api.regions(&level).map_err(refused)
}

/// Which layers this window draws, so the stream leaves out the others' feature deltas.
#[tauri::command]
pub fn stream_layers(
    api: State<'_, Api>,
    operator: State<'_, Operator>,
    window: tauri::WebviewWindow,
    streamed: State<'_, StreamLayers>,
    layers: Option<Vec<String>>,
) -> Result<(), WireError> {
    permit(&api, &operator, &window, "stream_layers")?;
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
    window: tauri::WebviewWindow,
    lon: f64,
    lat: f64,
    k: usize,
) -> Result<Vec<Value>, WireError> {
    permit(&api, &operator, &window, "cameras_nearest")?;
    api.cameras_nearest(lon, lat, k).map_err(refused)
}

#[tauri::command]
pub fn cameras_near_feature(
    api: State<'_, Api>,
    operator: State<'_, Operator>,
    window: tauri::WebviewWindow,
    layer: String,
    id: String,
    k: usize,
) -> Result<Vec<Value>, WireError> {
    permit(&api, &operator, &window, "cameras_near_feature")?;
    api.cameras_near_feature(&layer, &id, k).map_err(refused)
}

#[tauri::command]
pub fn summary_series(
    api: State<'_, Api>,
    operator: State<'_, Operator>,
    window: tauri::WebviewWindow,
    since: Option<i64>,
) -> Result<Vec<citywall_engine::kpi::Sample>, WireError> {
    permit(&api, &operator, &window, "summary_series")?;
    Ok(api.summary_series(since))
}

#[tauri::command]
pub async fn replay(
    api: State<'_, Api>,
    operator: State<'_, Operator>,
    window: tauri::WebviewWindow,
    layer: String,
    at: i64,
    bbox: Option<[f64; 4]>,
) -> Result<Value, WireError> {
    permit(&api, &operator, &window, "replay")?;
    let query = FeatureQuery::new(&layer, bbox, None).map_err(refused)?;
    api.replay(&query.layer, at, query.bbox)
        .await
        .map_err(refused)
}

#[tauri::command]
pub async fn replay_span(
    api: State<'_, Api>,
    operator: State<'_, Operator>,
    window: tauri::WebviewWindow,
) -> Result<Value, WireError> {
    permit(&api, &operator, &window, "replay_span")?;
    api.replay_span().await.map_err(refused)
}

#[tauri::command]
pub async fn replay_warnings(
    api: State<'_, Api>,
    operator: State<'_, Operator>,
    window: tauri::WebviewWindow,
    at: i64,
) -> Result<Vec<citywall_engine::rules::Warning>, WireError> {
    permit(&api, &operator, &window, "replay_warnings")?;
    api.replay_warnings(at).await.map_err(refused)
}

#[tauri::command]
pub async fn replay_summary(
    api: State<'_, Api>,
    operator: State<'_, Operator>,
    window: tauri::WebviewWindow,
    at: i64,
) -> Result<Summary, WireError> {
    permit(&api, &operator, &window, "replay_summary")?;
    api.replay_summary(at).await.map_err(refused)
}

/// A tile of the configured basemap, fetched by the engine: the window's CSP allows no other
/// host, and needs none.
#[tauri::command]
pub async fn basemap_tile(
    api: State<'_, Api>,
    operator: State<'_, Operator>,
    window: tauri::WebviewWindow,
    z: u8,
    x: u32,
    y: u32,
) -> Result<tauri::ipc::Response, WireError> {
    permit(&api, &operator, &window, "basemap_tile")?;
    api.basemap_tile(z, x, y)
        .await
        .map(|t| tauri::ipc::Response::new(t.map(|t| t.bytes.to_vec()).unwrap_or_default()))
        .map_err(refused)
}

/// The configured basemap's style document, as over HTTP.
#[tauri::command]
pub async fn basemap_style(
    api: State<'_, Api>,
    operator: State<'_, Operator>,
    window: tauri::WebviewWindow,
) -> Result<serde_json::Value, WireError> {
    permit(&api, &operator, &window, "basemap_style")?;
    api.basemap_style().await.map_err(refused)
}

/// The audit log after row `after`, oldest first: the façade's `audit`, as over HTTP.
#[tauri::command]
pub async fn audit(
    api: State<'_, Api>,
    operator: State<'_, Operator>,
    window: tauri::WebviewWindow,
    after: Option<i64>,
    limit: Option<u32>,
) -> Result<Vec<citywall_engine::store::audit::AuditRecord>, WireError> {
    let who = permit(&api, &operator, &window, "audit")?;
    api.audit(&who, after.unwrap_or(0), limit.unwrap_or(1000))
        .await
        .map_err(refused)
}

#[tauri::command]
pub async fn history(
    api: State<'_, Api>,
    operator: State<'_, Operator>,
    window: tauri::WebviewWindow,
    layer: String,
    id: String,
    since: i64,
    limit: Option<u32>,
) -> Result<Vec<Value>, WireError> {
    permit(&api, &operator, &window, "history")?;
    api.history(&layer, &id, since, limit.unwrap_or(1000))
        .await
        .map_err(refused)
}

/// The latest rows of the audit log, newest first, for the console's view.
#[tauri::command]
pub async fn audit_latest(
    api: State<'_, Api>,
    operator: State<'_, Operator>,
    window: tauri::WebviewWindow,
    limit: Option<u32>,
) -> Result<Vec<citywall_engine::store::audit::AuditRecord>, WireError> {
    let who = permit(&api, &operator, &window, "audit_latest")?;
    api.audit_latest(&who, limit.unwrap_or(50))
        .await
        .map_err(refused)
}
