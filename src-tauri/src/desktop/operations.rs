//! The desktop's operations commands: the incident loop (cases, steps, the timeline), photos,
//! and the video wall's saved layouts — each checked, as every command is, by [`permit`]
//! against the access matrix through the same façade as over HTTP.

use citywall_engine::api::WireError;
use citywall_engine::Api;
use tauri::State;

use super::commands::{permit, refused, Operator};

/// The incident loop's cases, newest first (`states`: only those).
#[tauri::command]
pub async fn cases(
    api: State<'_, Api>,
    operator: State<'_, Operator>,
    window: tauri::WebviewWindow,
    states: Option<Vec<String>>,
) -> Result<Vec<citywall_engine::cases::Case>, WireError> {
    let who = permit(&api, &operator, &window, "cases")?;
    let states: Vec<_> = states
        .unwrap_or_default()
        .iter()
        .filter_map(|s| citywall_engine::cases::CaseState::parse(s))
        .collect();
    api.cases(&who, &states, 500).await.map_err(refused)
}

#[tauri::command]
pub async fn case_summary(
    api: State<'_, Api>,
    operator: State<'_, Operator>,
    window: tauri::WebviewWindow,
) -> Result<citywall_engine::cases::CaseSummary, WireError> {
    permit(&api, &operator, &window, "case_summary")?;
    api.case_summary().await.map_err(refused)
}

/// Opens a case taken on the wall (a 12345 call), as `POST /api/v1/cases`.
#[tauri::command]
pub async fn create_case(
    api: State<'_, Api>,
    operator: State<'_, Operator>,
    window: tauri::WebviewWindow,
    case: citywall_engine::api::NewCase,
) -> Result<citywall_engine::cases::Case, WireError> {
    let who = permit(&api, &operator, &window, "create_case")?;
    api.create_case(&who, case, "operator")
        .await
        .map_err(refused)
}

/// A step on a case, as `POST /api/v1/cases/{id}/{action}`.
#[tauri::command]
pub async fn case_step(
    api: State<'_, Api>,
    operator: State<'_, Operator>,
    window: tauri::WebviewWindow,
    id: String,
    action: String,
    input: citywall_engine::api::StepInput,
) -> Result<citywall_engine::cases::Case, WireError> {
    let who = permit(&api, &operator, &window, "case_step")?;
    api.case_step(&who, &id, &action, input)
        .await
        .map_err(refused)
}

/// One case and its timeline, as `GET /api/v1/cases/{id}`.
#[tauri::command]
pub async fn case(
    api: State<'_, Api>,
    operator: State<'_, Operator>,
    window: tauri::WebviewWindow,
    id: String,
) -> Result<serde_json::Value, WireError> {
    let who = permit(&api, &operator, &window, "case")?;
    let (case, steps) = api.case(&who, &id).await.map_err(refused)?;
    Ok(serde_json::json!({ "case": case, "steps": steps }))
}

/// Keeps a photo for a case or step, as `POST /api/v1/media`; the photo's bytes are the raw
/// request body.
#[tauri::command]
pub async fn upload_media(
    api: State<'_, Api>,
    operator: State<'_, Operator>,
    window: tauri::WebviewWindow,
    request: tauri::ipc::Request<'_>,
) -> Result<citywall_engine::api::MediaRef, WireError> {
    let who = permit(&api, &operator, &window, "upload_media")?;
    let tauri::ipc::InvokeBody::Raw(bytes) = request.body() else {
        return Err(refused(citywall_engine::api::ApiError::BadRequest(
            "send the photo's bytes as the body".into(),
        )));
    };
    api.upload_media(&who, bytes).await.map_err(refused)
}

/// Where this window's video tiles come from: the engine's loopback socket, with a token that
/// carries the window's principal.
#[tauri::command]
pub async fn video_endpoint(
    api: State<'_, Api>,
    operator: State<'_, Operator>,
    video: State<'_, citywall_server::LoopbackVideo>,
    window: tauri::WebviewWindow,
) -> Result<String, WireError> {
    let who = permit(&api, &operator, &window, "video_endpoint")?;
    Ok(video.endpoint(&who))
}

/// Asks every video screen to show the cameras best placed to see a place.
#[tauri::command]
pub async fn video_focus(
    api: State<'_, Api>,
    operator: State<'_, Operator>,
    window: tauri::WebviewWindow,
    focus: citywall_engine::feed::Focus,
) -> Result<(), WireError> {
    let who = permit(&api, &operator, &window, "video_focus")?;
    api.focus_video(&who, focus).await.map_err(refused)
}

/// The cameras the walls' video tiles show now.
#[tauri::command]
pub async fn video_on_wall(
    api: State<'_, Api>,
    operator: State<'_, Operator>,
    window: tauri::WebviewWindow,
) -> Result<Vec<citywall_engine::feed::OnWallCamera>, WireError> {
    permit(&api, &operator, &window, "video_on_wall")?;
    Ok(api.cameras_on_wall())
}

/// The video wall's saved layouts and tours.
#[tauri::command]
pub async fn video_layouts(
    api: State<'_, Api>,
    operator: State<'_, Operator>,
    window: tauri::WebviewWindow,
) -> Result<Vec<citywall_engine::api::VideoLayout>, WireError> {
    permit(&api, &operator, &window, "video_layouts")?;
    api.video_layouts().await.map_err(refused)
}

/// Saves a video layout or tour.
#[tauri::command]
pub async fn save_video_layout(
    api: State<'_, Api>,
    operator: State<'_, Operator>,
    window: tauri::WebviewWindow,
    layout: citywall_engine::api::VideoLayout,
) -> Result<citywall_engine::api::VideoLayout, WireError> {
    let who = permit(&api, &operator, &window, "save_video_layout")?;
    api.save_video_layout(&who, layout).await.map_err(refused)
}

/// Deletes a video layout or tour.
#[tauri::command]
pub async fn delete_video_layout(
    api: State<'_, Api>,
    operator: State<'_, Operator>,
    window: tauri::WebviewWindow,
    name: String,
) -> Result<(), WireError> {
    let who = permit(&api, &operator, &window, "delete_video_layout")?;
    api.delete_video_layout(&who, &name).await.map_err(refused)
}

/// A stored photo's bytes, as `GET /api/v1/media/{id}`.
#[tauri::command]
pub async fn media(
    api: State<'_, Api>,
    operator: State<'_, Operator>,
    window: tauri::WebviewWindow,
    id: String,
) -> Result<tauri::ipc::Response, WireError> {
    permit(&api, &operator, &window, "media")?;
    api.media(&id)
        .await
        .map(|photo| tauri::ipc::Response::new(photo.bytes))
        .map_err(refused)
}
