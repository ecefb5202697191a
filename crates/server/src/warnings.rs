//! The audit log as a download over HTTP (CSV or JSON lines): the façade writes it; this sets
//! the headers a browser saves it by. Reading warnings and the log are table endpoints.

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::Extension;

use crate::access::Principal;
use crate::api::{Api, ApiError};
use crate::HttpError;

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
