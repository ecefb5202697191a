//! Warnings and the audit log over HTTP: the open warnings, acknowledging one, its procedure's
//! steps taken and taking one, and reading and exporting the audit log — each answer the
//! façade's.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};

use super::{json_body, param};
use crate::access::Principal;
use crate::api::{Api, ApiError};
use crate::HttpError;

pub(super) async fn warnings(
    State(api): State<Api>,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Response, HttpError> {
    let all = match params.get("state").map(String::as_str) {
        None | Some("open") => false,
        Some("all") => true,
        Some(other) => {
            return Err(HttpError(ApiError::BadRequest(format!(
                "`state` `{other}`: use open or all"
            ))))
        }
    };
    let limit: u32 = param(&params, "limit")?.unwrap_or(500);
    Ok(Json(api.warnings(all, limit).await?).into_response())
}

#[derive(serde::Deserialize)]
pub(super) struct Ack {
    by: String,
}

pub(super) async fn acknowledge(
    State(api): State<Api>,
    Extension(principal): Extension<Principal>,
    Path(id): Path<String>,
    body: Result<Json<Ack>, axum::extract::rejection::JsonRejection>,
) -> Result<Response, HttpError> {
    let ack = json_body(body, "{\"by\": \"…\"}")?;
    Ok(Json(api.acknowledge(&principal, &id, &ack.by).await?).into_response())
}

pub(super) async fn warning_steps(
    State(api): State<Api>,
    Path(id): Path<String>,
) -> Result<Response, HttpError> {
    Ok(Json(api.warning_steps(&id).await?).into_response())
}

#[derive(serde::Deserialize)]
pub(super) struct Step {
    step: usize,
    #[serde(default)]
    by: String,
}

pub(super) async fn take_step(
    State(api): State<Api>,
    Extension(principal): Extension<Principal>,
    Path(id): Path<String>,
    body: Result<Json<Step>, axum::extract::rejection::JsonRejection>,
) -> Result<Response, HttpError> {
    let step = json_body(body, "{\"step\": 0, \"by\": \"…\"}")?;
    Ok(Json(api.take_step(&principal, &id, step.step, &step.by).await?).into_response())
}

/// `?after=<seq>&limit=<n>`: the audit log after row `after`, oldest first.
pub(super) async fn audit(
    State(api): State<Api>,
    Extension(principal): Extension<Principal>,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Response, HttpError> {
    let number = |name: &str, default: i64| -> Result<i64, ApiError> {
        params.get(name).map_or(Ok(default), |v| {
            v.parse::<i64>().ok().filter(|n| *n >= 0).ok_or_else(|| {
                ApiError::BadRequest(format!("`{name}` `{v}` is not a whole number"))
            })
        })
    };
    let limit = u32::try_from(number("limit", 1_000)?).unwrap_or(u32::MAX);
    if let Some(latest) = params.get("latest") {
        let n = latest.parse::<u32>().map_err(|_| {
            ApiError::BadRequest(format!("`latest` `{latest}` is not a whole number"))
        })?;
        return Ok(Json(api.audit_latest(&principal, n).await?).into_response());
    }
    let after = number("after", 0)?;
    Ok(Json(api.audit(&principal, after, limit).await?).into_response())
}

/// `?format=csv|jsonl`: the whole audit log as a download.
pub(super) async fn audit_export(
    State(api): State<Api>,
    Extension(principal): Extension<Principal>,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Response, HttpError> {
    let csv = match params.get("format").map(String::as_str) {
        None | Some("csv") => true,
        Some("jsonl") => false,
        Some(other) => {
            return Err(HttpError(ApiError::BadRequest(format!(
                "`format` `{other}`: use csv or jsonl"
            ))))
        }
    };
    let body = api.audit_export(&principal, csv).await?;
    let (kind, name) = if csv {
        ("text/csv; charset=utf-8", "citywall-audit.csv")
    } else {
        ("application/x-ndjson", "citywall-audit.jsonl")
    };
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, kind.to_string()),
            (
                axum::http::header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        body,
    )
        .into_response())
}
