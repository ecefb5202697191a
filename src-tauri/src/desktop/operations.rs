//! The desktop's commands that carry bytes or a socket rather than JSON: a photo sent and one
//! shown, and the address of the window's video socket — each checked, as every command is, by
//! [`permit`] against the access matrix through the same façade as over HTTP.

use citywall_engine::api::WireError;
use citywall_engine::Api;
use tauri::State;

use super::commands::{permit, refused, Operator};

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
