//! How a refusal or failure of the façade reads on either transport: one status (HTTP's codes,
//! which the desktop's IPC carries too) and one wire shape, `{status, error}`, with no configured
//! secret in the words.

use serde::Serialize;

use super::ApiError;

/// An [`ApiError`] as both transports send it.
#[derive(Debug, Clone, Serialize)]
pub struct WireError {
    pub status: u16,
    pub error: String,
}

impl WireError {
    /// A failure of the engine's own making (an answer it could not write): 500.
    pub fn internal(why: impl std::fmt::Display) -> WireError {
        WireError {
            status: 500,
            error: crate::secrets::redact(&why.to_string()),
        }
    }
}

impl ApiError {
    /// The HTTP status this answer carries (the desktop's IPC carries the same number).
    pub fn status(&self) -> u16 {
        match self {
            ApiError::BadRequest(_) => 400,
            ApiError::NotFound(_) => 404,
            ApiError::Store(_) | ApiError::Internal(_) => 500,
            ApiError::Upstream(
                crate::basemap::BasemapError::NotConfigured
                | crate::basemap::BasemapError::OutOfRange { .. }
                | crate::basemap::BasemapError::WrongKind(..),
            ) => 404,
            ApiError::Upstream(crate::basemap::BasemapError::Unavailable(_)) => 503,
            ApiError::Access(
                crate::access::AccessError::Unauthenticated
                | crate::access::AccessError::TokenExpired(_),
            ) => 401,
            ApiError::Access(_) => 403,
            ApiError::Login(crate::store::accounts::LoginError::Wrong) => 401,
            ApiError::Login(
                crate::store::accounts::LoginError::Locked(_)
                | crate::store::accounts::LoginError::AddressLocked(_),
            ) => 429,
            ApiError::Login(crate::store::accounts::LoginError::Busy) => 503,
            ApiError::Login(_) => 500,
            ApiError::Conflict(_) => 409,
            ApiError::TooLarge(_) => 413,
            ApiError::Unsupported(_) => 415,
            ApiError::Upstream(_) => 502,
        }
    }

    /// The answer's body: its status and its words. An upstream's error quotes its URL: no
    /// configured key or password leaves with it.
    pub fn wire(&self) -> WireError {
        WireError {
            status: self.status(),
            error: crate::secrets::redact(&self.to_string()),
        }
    }
}
