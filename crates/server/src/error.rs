//! The façade's refusals as HTTP answers.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;

use citywall_engine::api::ApiError;

/// An [`ApiError`] as the HTTP answer: its status and `{status, error}`, the same shape the
/// desktop's IPC gives ([`ApiError::status`] decides the status for both).
#[derive(Debug)]
pub struct HttpError(pub ApiError);

impl<E> From<E> for HttpError
where
    ApiError: From<E>,
{
    fn from(e: E) -> HttpError {
        HttpError(ApiError::from(e))
    }
}

impl IntoResponse for HttpError {
    fn into_response(self) -> Response {
        let status =
            StatusCode::from_u16(self.0.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        (status, Json(self.0.wire())).into_response()
    }
}
