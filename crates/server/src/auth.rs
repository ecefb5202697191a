//! Who may use the HTTP API: every matched route passes [`guard`], which reads the caller's
//! credential (`Authorization: Bearer …`, or the `cw_session` cookie a browser login sets — the
//! WebSocket and MapLibre's tile fetches carry it too), asks the façade who that is and whether
//! the access matrix lets them use this route, and refuses with 401 or 403 otherwise. Login,
//! logout and whoami are the public routes that manage the cookie.

use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;

use crate::api::{Api, ApiError};
use crate::HttpError;

/// The cookie a browser login sets.
pub const SESSION_COOKIE: &str = "cw_session";

/// The credential a request carries: a bearer token first, else the session cookie.
pub fn credential(headers: &HeaderMap) -> Option<String> {
    if let Some(bearer) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
    {
        return Some(bearer.trim().to_string());
    }
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value.to_string())
}

/// Whether the request's credential is the session cookie (a browser's), not a bearer token.
pub(super) fn by_cookie(headers: &HeaderMap) -> bool {
    !headers.contains_key(header::AUTHORIZATION)
        && headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .any(|v| v.contains(&format!("{SESSION_COOKIE}=")))
}

/// Admits the request to its route, or answers 401 / 403.
pub async fn guard(
    State(api): State<Api>,
    matched: Option<MatchedPath>,
    mut request: Request,
    next: Next,
) -> Result<Response, HttpError> {
    let path = matched
        .as_ref()
        .map(|m| m.as_str().to_string())
        .unwrap_or_else(|| request.uri().path().to_string());
    let route = format!("{} {path}", request.method());
    if api.is_public_route(&route) {
        return Ok(next.run(request).await);
    }
    let principal = api
        .principal(credential(request.headers()).as_deref())
        .await?;
    api.authorize_route(&principal, &route)?;
    request.extensions_mut().insert(principal);
    Ok(next.run(request).await)
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginBody {
    name: Option<String>,
    password: Option<String>,
    /// A kiosk screen logs in with the configured token instead.
    token: Option<String>,
}

/// The session cookie; `Secure` when the wall is served over HTTPS, so a browser never sends it
/// in clear.
fn session_cookie(value: &str, max_age_s: i64, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age_s}{secure}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("cw_session=; Path=/; Max-Age=0"))
}

/// `POST /api/v1/login` `{"name", "password"}` or `{"token"}`: sets the session cookie and
/// answers who is now logged in (and the token, for API clients that send it as a bearer).
pub async fn login(
    State(api): State<Api>,
    client: Option<axum::Extension<axum::extract::ConnectInfo<std::net::SocketAddr>>>,
    body: Result<Json<LoginBody>, axum::extract::rejection::JsonRejection>,
) -> Result<Response, HttpError> {
    let body = super::json_body(
        body,
        "{\"name\": \"…\", \"password\": \"…\"} or {\"token\": \"…\"}",
    )?;
    let (token, principal, expires_at) = match (body.token, body.name, body.password) {
        (Some(token), None, None) => {
            let principal = api.login_with_token(&token).await?;
            (token, principal, None)
        }
        (None, Some(name), Some(password)) => {
            let session = api
                .login(&name, &password, client.map(|c| c.0 .0.ip()))
                .await?;
            let principal = crate::access::Principal {
                name: session.name,
                role: session.role,
                via: "session",
                centre: session.centre,
            };
            (session.token, principal, Some(session.expires_at))
        }
        _ => {
            return Err(HttpError(ApiError::BadRequest(
                "give `name` and `password`, or `token`".into(),
            )))
        }
    };
    let max_age = expires_at
        .map(|t| (t - crate::model::now_ms()) / 1000)
        .unwrap_or(12 * 3600);
    let mut response = Json(serde_json::json!({
        "principal": principal,
        "expires_at": expires_at,
        "token": token,
    }))
    .into_response();
    response.headers_mut().insert(
        header::SET_COOKIE,
        session_cookie(&token, max_age, api.access_mode().secure_cookie),
    );
    Ok(response)
}

/// `POST /api/v1/logout`: ends the session and clears the cookie.
pub async fn logout(State(api): State<Api>, headers: HeaderMap) -> Result<Response, HttpError> {
    if let Some(token) = credential(&headers) {
        api.logout(&token).await?;
    }
    let mut response = Json(serde_json::json!({ "ok": true })).into_response();
    response.headers_mut().insert(
        header::SET_COOKIE,
        session_cookie("", 0, api.access_mode().secure_cookie),
    );
    Ok(response)
}

/// `GET /api/v1/whoami`: who the credential names, and whether the wall runs open.
pub async fn whoami(State(api): State<Api>, headers: HeaderMap) -> Response {
    Json(api.whoami(credential(&headers).as_deref()).await).into_response()
}
