//! Where a request may come from. Every request names a `Host` the server answers to — an IP
//! address, a loopback name or one of `[serve] names` — so a page on another name (DNS
//! rebinding: `attacker.example` resolving to 127.0.0.1) reads nothing. Every request that
//! changes state and every WebSocket upgrade that carries an `Origin` must come from the wall's
//! own origin, the desktop window's, or one of `[serve] origins`: a page the operator happens to
//! open elsewhere can neither post a form (CSRF, cookie or open mode alike, whatever SameSite
//! covers) nor hijack the change feed or the video socket. A request without `Origin` is no
//! browser's cross-site request (browsers send it on every POST and upgrade), so it passes —
//! unless it carries the session cookie, which only a browser sends on its own.

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;

use crate::api::Api;

/// A refusal the client can read, as every API error is answered.
fn refuse(status: StatusCode, why: String) -> Response {
    (status, Json(serde_json::json!({ "error": why }))).into_response()
}

/// The desktop window's own origins (Tauri on Linux, Windows and macOS).
const DESKTOP: [&str; 3] = [
    "tauri://localhost",
    "http://tauri.localhost",
    "https://tauri.localhost",
];

/// The host name of a `Host` header or an origin's authority, without its port, lowercased.
fn host_name(authority: &str) -> String {
    let authority = authority.trim();
    let name = if let Some(rest) = authority.strip_prefix('[') {
        rest.split(']').next().unwrap_or_default()
    } else {
        authority.rsplit_once(':').map_or(authority, |(h, port)| {
            if port.chars().all(|c| c.is_ascii_digit()) {
                h
            } else {
                authority
            }
        })
    };
    name.trim_end_matches('.').to_ascii_lowercase()
}

/// Whether the server answers to `host`: an IP address (no page on another name can send it),
/// a loopback name, or a configured name.
fn host_allowed(host: &str, names: &[String]) -> bool {
    let name = host_name(host);
    name.parse::<std::net::IpAddr>().is_ok()
        || name == "localhost"
        || name.ends_with(".localhost")
        || names.iter().any(|n| n.eq_ignore_ascii_case(&name))
}

/// Whether `origin` may change state here, for a request to `host`: the same origin (scheme
/// aside: TLS ends at this server), the desktop window, or a configured one.
fn origin_allowed(origin: &str, host: &str, origins: &[String]) -> bool {
    let origin = origin.trim().trim_end_matches('/');
    if DESKTOP.contains(&origin) || origins.iter().any(|o| o.trim_end_matches('/') == origin) {
        return true;
    }
    let authority = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"));
    authority.is_some_and(|a| a.eq_ignore_ascii_case(host.trim()))
}

fn changes_state(method: &Method, headers: &HeaderMap) -> bool {
    let upgrade = headers
        .get(header::UPGRADE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("websocket"));
    upgrade || !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// The middleware: a foreign `Host` is 421, a foreign `Origin` on a write or an upgrade 403,
/// each saying why.
pub(super) async fn guard(State(api): State<Api>, request: Request, next: Next) -> Response {
    let serve = &api.engine().config().serve;
    let headers = request.headers();
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .or_else(|| request.uri().authority().map(|a| a.as_str()))
        .unwrap_or_default()
        .to_string();
    if !host_allowed(&host, &serve.names) {
        return refuse(
            StatusCode::MISDIRECTED_REQUEST,
            format!(
                "this server does not answer to host `{}`: use its address, localhost or a \
                 name in [serve] names",
                host_name(&host)
            ),
        );
    }
    if changes_state(request.method(), headers) {
        if let Some(origin) = headers.get(header::ORIGIN) {
            let origin = origin.to_str().unwrap_or("(not text)");
            if !origin_allowed(origin, &host, &serve.origins) {
                return refuse(
                    StatusCode::FORBIDDEN,
                    format!(
                        "a request from `{origin}` may not change anything here: only the \
                         wall's own pages, the desktop window and [serve] origins may"
                    ),
                );
            }
        } else if super::auth::by_cookie(headers) {
            // Every browser names the Origin of a POST and an upgrade; a cookie-borne write
            // without one comes from something that is not the wall's page.
            return refuse(
                StatusCode::FORBIDDEN,
                "a write that carries the session cookie must carry its Origin too (the wall's \
                 pages always do); an API client sends its token as a bearer"
                    .into(),
            );
        }
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_by_address_loopback_or_configured_name_only() {
        let names = vec!["wall.city.lan".to_string()];
        for ok in [
            "127.0.0.1:8765",
            "[::1]:8765",
            "10.1.2.3",
            "localhost:8765",
            "WALL.city.lan:443",
        ] {
            assert!(host_allowed(ok, &names), "{ok}");
        }
        for bad in [
            "attacker.example",
            "attacker.example:8765",
            "127.0.0.1.evil.example",
            "",
        ] {
            assert!(!host_allowed(bad, &names), "{bad}");
        }
    }

    #[test]
    fn origins_the_same_the_desktop_or_configured() {
        let configured = vec!["https://portal.city.lan".to_string()];
        assert!(origin_allowed(
            "http://127.0.0.1:8765",
            "127.0.0.1:8765",
            &[]
        ));
        assert!(origin_allowed("tauri://localhost", "127.0.0.1:8765", &[]));
        assert!(origin_allowed(
            "https://portal.city.lan/",
            "10.1.2.3",
            &configured
        ));
        for bad in [
            "https://evil.example",
            "http://127.0.0.1:9999",
            "null",
            "http://127.0.0.1:8765.evil.example",
        ] {
            assert!(!origin_allowed(bad, "127.0.0.1:8765", &configured), "{bad}");
        }
    }
}
