//! The incident loop over HTTP: list and open cases, one case with its timeline, a step on a
//! case (`POST /api/v1/cases/{id}/{action}`), and the loop's numbers. Each answer comes from the
//! façade, which checks the step against the loop's table and the caller's role.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};

use crate::access::Principal;
use crate::api::{Api, ApiError, NewCase, StepInput};
use crate::HttpError;
use citywall_engine::cases::CaseState;

/// `GET /api/v1/cases?state=handling,dispatched&limit=N`
pub async fn list(
    State(api): State<Api>,
    Extension(who): Extension<Principal>,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Response, HttpError> {
    let states = match params.get("state") {
        None => Vec::new(),
        Some(list) => list
            .split(',')
            .map(|s| {
                CaseState::parse(s.trim()).ok_or_else(|| {
                    ApiError::BadRequest(format!("`state` `{s}` is not a state of the loop"))
                })
            })
            .collect::<Result<Vec<_>, _>>()?,
    };
    let limit = match params.get("limit") {
        None => 500,
        Some(l) => l
            .parse()
            .map_err(|_| ApiError::BadRequest(format!("`limit` `{l}` is not a whole number")))?,
    };
    Ok(Json(api.cases(&who, &states, limit).await?).into_response())
}

/// `POST /api/v1/cases`: an operator opens a case (a 12345 call, placed on the map).
pub async fn create(
    State(api): State<Api>,
    Extension(who): Extension<Principal>,
    new: Result<Json<NewCase>, axum::extract::rejection::JsonRejection>,
) -> Result<Response, HttpError> {
    let new = super::json_body(new, "{\"category\", \"title\", \"lon\", \"lat\", …}")?;
    Ok(Json(api.create_case(&who, new, "operator").await?).into_response())
}

/// `GET /api/v1/cases/{id}`: the case and its timeline.
pub async fn one(
    State(api): State<Api>,
    Extension(who): Extension<Principal>,
    Path(id): Path<String>,
) -> Result<Response, HttpError> {
    let (case, steps) = api.case(&who, &id).await?;
    Ok(Json(serde_json::json!({ "case": case, "steps": steps })).into_response())
}

/// `POST /api/v1/cases/{id}/{action}` `{"note", "department", "hours", "media"}`.
pub async fn step(
    State(api): State<Api>,
    Extension(who): Extension<Principal>,
    Path((id, action)): Path<(String, String)>,
    input: Result<Json<StepInput>, axum::extract::rejection::JsonRejection>,
) -> Result<Response, HttpError> {
    let input = super::json_body(input, "{\"note\": \"…\"}")?;
    Ok(Json(api.case_step(&who, &id, &action, input).await?).into_response())
}

/// `GET /api/v1/cases/summary`: 办结率, 按期结案率, time to close, from the store.
pub async fn summary(State(api): State<Api>) -> Result<Response, HttpError> {
    Ok(Json(api.case_summary().await?).into_response())
}

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
