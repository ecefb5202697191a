//! Query parameters read as the handlers need them, each refusal a 400 naming the parameter.

use std::collections::HashMap;

use crate::api::ApiError;

/// A query parameter parsed as `T`, or a 400 naming it.
pub(crate) fn param<T: std::str::FromStr>(
    params: &HashMap<String, String>,
    name: &str,
) -> Result<Option<T>, ApiError> {
    match params.get(name) {
        None => Ok(None),
        Some(v) => v
            .trim()
            .parse::<T>()
            .map(Some)
            .map_err(|_| ApiError::BadRequest(format!("`{name}` `{v}` is not a valid value"))),
    }
}

pub(crate) fn required<T: std::str::FromStr>(
    params: &HashMap<String, String>,
    name: &str,
) -> Result<T, ApiError> {
    param(params, name)?.ok_or_else(|| ApiError::BadRequest(format!("`{name}` is required")))
}

/// `since` as Unix ms or an RFC 3339 time.
pub(crate) fn since(params: &HashMap<String, String>) -> Result<Option<i64>, ApiError> {
    let Some(v) = params.get("since") else {
        return Ok(None);
    };
    if let Ok(ms) = v.trim().parse::<i64>() {
        return Ok(Some(ms));
    }
    chrono::DateTime::parse_from_rfc3339(v.trim())
        .map(|d| Some(d.timestamp_millis()))
        .map_err(|_| {
            ApiError::BadRequest(format!(
                "`since` `{v}` is neither Unix milliseconds nor an RFC 3339 time"
            ))
        })
}
