//! The desktop wall's commands: each one calls the engine's façade, after the same access
//! check the HTTP server makes for its route. The heavier ones are async so they run on the
//! runtime's threads, not the window's.

use citywall_engine::access::Principal;
use citywall_engine::api::{ApiError, WireError};
use citywall_engine::endpoints::{OPERATE_COMMAND, QUERY_COMMAND};
use citywall_engine::Api;
use serde_json::value::RawValue;
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
                centre: None,
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

/// An endpoint of the table (`citywall_engine::endpoints`) a window may ask as a screen
/// that only shows: its capability grants this to every window.
#[tauri::command]
pub async fn query(
    api: State<'_, Api>,
    operator: State<'_, Operator>,
    window: tauri::WebviewWindow,
    endpoint: String,
    args: Option<Value>,
) -> Result<Box<RawValue>, WireError> {
    carry(&api, &operator, &window, QUERY_COMMAND, &endpoint, args).await
}

/// An endpoint of the table that changes something or asks more than the `wall` role may: only
/// the operator's windows are granted it.
#[tauri::command]
pub async fn operate(
    api: State<'_, Api>,
    operator: State<'_, Operator>,
    window: tauri::WebviewWindow,
    endpoint: String,
    args: Option<Value>,
) -> Result<Box<RawValue>, WireError> {
    carry(&api, &operator, &window, OPERATE_COMMAND, &endpoint, args).await
}

/// The window's principal runs `endpoint` through the façade, which checks the endpoint's own
/// action and that `command` is the one that carries it.
async fn carry(
    api: &Api,
    operator: &Operator,
    window: &tauri::WebviewWindow,
    command: &str,
    endpoint: &str,
    args: Option<Value>,
) -> Result<Box<RawValue>, WireError> {
    let who = permit(api, operator, window, command)?;
    api.call(&who, endpoint, args.unwrap_or(Value::Null), Some(command))
        .await
        .map_err(refused)
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
