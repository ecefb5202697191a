//! Photos over HTTP: a case's or step's photo sent as the body, and served back with a sandbox.
//! The incident loop itself (cases, steps, the timeline) is made of table endpoints.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};

use crate::access::Principal;
use crate::api::{Api, ApiError};
use crate::HttpError;

/// `POST /api/v1/media` with the photo as the body: keeps a JPEG, PNG or WebP (read from its
/// bytes) and answers `{"id", "url", …}` for a case or step to refer to.
pub async fn upload(
    State(api): State<Api>,
    Extension(who): Extension<Principal>,
    body: Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<Response, HttpError> {
    let bytes = body.map_err(|e| {
        if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::TooLarge(format!(
                "the photo is over {} MB",
                crate::api::MAX_PHOTO_BYTES / 1024 / 1024
            ))
        } else {
            ApiError::BadRequest(format!("the photo could not be read: {e}"))
        }
    })?;
    Ok(Json(api.upload_media(&who, &bytes).await?).into_response())
}

/// `GET /api/v1/media/{id}`: a stored photo, as the picture its bytes are and nothing else (no
/// script may run in it even opened on its own).
pub async fn photo(State(api): State<Api>, Path(id): Path<String>) -> Result<Response, HttpError> {
    let photo = api.media(&id).await?;
    let mut response = photo.bytes.into_response();
    let headers = response.headers_mut();
    if let Ok(kind) = axum::http::HeaderValue::from_str(&photo.content_type) {
        headers.insert(axum::http::header::CONTENT_TYPE, kind);
    }
    headers.insert(
        axum::http::header::CONTENT_SECURITY_POLICY,
        axum::http::HeaderValue::from_static("default-src 'none'; sandbox"),
    );
    // The id is the bytes' hash: the photo behind it never changes.
    headers.insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("private, max-age=31536000, immutable"),
    );
    Ok(response)
}
