//! Replay and history over HTTP: a layer, the warnings and the headline numbers as they stood
//! at an instant, one feature's recorded states, and the numbers' trend.

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::Json;

use super::{param, required, since};
use crate::api::{Api, FeatureQuery};
use crate::HttpError;

pub async fn replay(
    State(api): State<Api>,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Response, HttpError> {
    let query = FeatureQuery::from_params(
        params.get("layer").map(String::as_str),
        params.get("bbox").map(String::as_str),
        None,
    )?;
    let at: i64 = required(&params, "at")?;
    Ok(Json(api.replay(&query.layer, at, query.bbox).await?).into_response())
}

pub async fn replay_span(State(api): State<Api>) -> Result<Response, HttpError> {
    Ok(Json(api.replay_span().await?).into_response())
}

pub async fn replay_warnings(
    State(api): State<Api>,
    Query(p): Query<HashMap<String, String>>,
) -> Result<Response, HttpError> {
    Ok(Json(api.replay_warnings(required(&p, "at")?).await?).into_response())
}

pub async fn replay_summary(
    State(api): State<Api>,
    Query(p): Query<HashMap<String, String>>,
) -> Result<Response, HttpError> {
    Ok(Json(api.replay_summary(required(&p, "at")?).await?).into_response())
}

pub async fn history(
    State(api): State<Api>,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Response, HttpError> {
    let layer: String = required(&params, "layer")?;
    let id: String = required(&params, "id")?;
    let since = since(&params)?.unwrap_or(0);
    let limit: u32 = param(&params, "limit")?.unwrap_or(1000);
    Ok(Json(api.history(&layer, &id, since, limit).await?).into_response())
}
