//! Photos through the façade: an upload is taken only when its bytes are the picture they claim
//! to be (JPEG, PNG or WebP, read from their first bytes, never from what the sender says), kept
//! in the store with its audit row, and referred to from cases and steps as
//! `/api/v1/media/<sha256>`.

use serde::Serialize;

use super::{Api, ApiError};
use crate::access::Principal;
use crate::store::audit::AuditEntry;
use crate::store::media::Photo;

/// The largest photo taken: a phone's full-size JPEG fits; a video does not.
pub const MAX_PHOTO_BYTES: usize = 8 * 1024 * 1024;

/// Where a stored photo is read back; a case or step refers to it by this path.
pub const MEDIA_PATH: &str = "/api/v1/media/";

/// What an upload answers.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct MediaRef {
    pub id: String,
    pub url: String,
    pub content_type: String,
    pub size: usize,
}

/// The picture type of `bytes`, read from their signature.
pub fn sniff(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some("image/webp")
    } else {
        None
    }
}

/// The stored photo's id a reference names, if it names one.
pub fn stored_id(reference: &str) -> Option<&str> {
    let id = reference.strip_prefix(MEDIA_PATH)?;
    (id.len() == 64
        && id
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()))
    .then_some(id)
}

impl Api {
    /// Keeps a photo `who` sends; refuses what is not a JPEG, PNG or WebP, or is too large.
    pub async fn upload_media(&self, who: &Principal, bytes: &[u8]) -> Result<MediaRef, ApiError> {
        self.access.check(who, "media.upload")?;
        if bytes.is_empty() {
            return Err(ApiError::BadRequest("the photo is empty".into()));
        }
        if bytes.len() > MAX_PHOTO_BYTES {
            return Err(ApiError::TooLarge(format!(
                "the photo is {} KB: at most {} MB",
                bytes.len() / 1024,
                MAX_PHOTO_BYTES / 1024 / 1024
            )));
        }
        let content_type = sniff(bytes).ok_or_else(|| {
            ApiError::Unsupported("the upload is not a JPEG, PNG or WebP picture".into())
        })?;
        let audit = AuditEntry {
            actor: who.name.clone(),
            action: "media.upload".into(),
            target: String::new(),
            detail: serde_json::json!({ "content_type": content_type, "size": bytes.len(), "via": who.via }),
        };
        let id = self.engine.keep_photo(bytes, content_type, &audit).await?;
        Ok(MediaRef {
            url: format!("{MEDIA_PATH}{id}"),
            id,
            content_type: content_type.into(),
            size: bytes.len(),
        })
    }

    /// A stored photo by its id.
    pub async fn media(&self, id: &str) -> Result<Photo, ApiError> {
        let valid = stored_id(&format!("{MEDIA_PATH}{id}")).is_some();
        if !valid {
            return Err(ApiError::BadRequest(format!(
                "`{}` is not a photo id (64 hex digits)",
                id.chars().take(70).collect::<String>()
            )));
        }
        self.engine
            .store
            .media(id)
            .await?
            .ok_or_else(|| ApiError::NotFound(format!("no photo `{id}`")))
    }

    /// Checks that every stored photo `references` names is in the store.
    pub(super) async fn check_media(&self, references: &[String]) -> Result<(), ApiError> {
        for reference in references {
            if let Some(id) = stored_id(reference) {
                if !self.engine.store.has_media(id).await? {
                    return Err(ApiError::BadRequest(format!(
                        "photo `{reference}` was never uploaded"
                    )));
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_picture_is_known_by_its_bytes_not_its_name() {
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0]), Some("image/jpeg"));
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n...."), Some("image/png"));
        assert_eq!(sniff(b"RIFF\x10\0\0\0WEBPVP8 "), Some("image/webp"));
        assert_eq!(sniff(b"<svg onload=alert(1)>"), None);
        assert_eq!(sniff(b"<html><script>"), None);
        assert_eq!(sniff(b""), None);
    }

    #[test]
    fn only_a_stored_id_is_a_stored_reference() {
        let id = "a".repeat(64);
        assert_eq!(stored_id(&format!("/api/v1/media/{id}")), Some(id.as_str()));
        assert_eq!(stored_id("/api/v1/media/../../etc/passwd"), None);
        assert_eq!(
            stored_id(&format!("/api/v1/media/{}", "A".repeat(64))),
            None
        );
        assert_eq!(stored_id("https://example.org/x.jpg"), None);
    }
}
