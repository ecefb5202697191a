//! A MapLibre style document named by the config: read from a file or fetched from the LAN each
//! time a wall loads (so an edited style shows on the next reload), bounded in size, and checked
//! to be a style before the wall is handed it.

use super::BasemapError;

/// No style document is this big; a wrong URL serving a video is refused.
const MAX_STYLE_BYTES: usize = 8 << 20;

pub(super) enum StyleSource {
    File(String),
    Url(String, reqwest::Client),
}

impl StyleSource {
    pub(super) fn new(place: &str) -> Result<StyleSource, BasemapError> {
        if place.starts_with("http://") || place.starts_with("https://") {
            let client = super::lan_client().map_err(|reason| BasemapError::Style {
                place: place.into(),
                reason,
            })?;
            Ok(StyleSource::Url(place.into(), client))
        } else {
            Ok(StyleSource::File(place.into()))
        }
    }

    pub(super) async fn load(&self) -> Result<serde_json::Value, BasemapError> {
        let (place, bytes) = match self {
            StyleSource::File(path) => {
                let bytes = tokio::fs::read(path)
                    .await
                    .map_err(|e| BasemapError::Style {
                        place: path.clone(),
                        reason: format!("cannot be read: {e}"),
                    })?;
                (path, bytes)
            }
            StyleSource::Url(url, client) => {
                let fail = |reason: String| BasemapError::Style {
                    place: url.clone(),
                    reason,
                };
                let response = client
                    .get(url)
                    .send()
                    .await
                    .map_err(|e| fail(e.to_string()))?;
                if !response.status().is_success() {
                    return Err(fail(format!("HTTP {}", response.status())));
                }
                if response
                    .content_length()
                    .is_some_and(|n| n as usize > MAX_STYLE_BYTES)
                {
                    return Err(fail(format!("is over {} MB", MAX_STYLE_BYTES >> 20)));
                }
                let bytes = response.bytes().await.map_err(|e| fail(e.to_string()))?;
                (url, bytes.to_vec())
            }
        };
        parse(place, &bytes)
    }
}

/// The style document in `bytes`, or what is wrong with it.
pub(super) fn parse(place: &str, bytes: &[u8]) -> Result<serde_json::Value, BasemapError> {
    let fail = |reason: String| BasemapError::Style {
        place: place.into(),
        reason,
    };
    if bytes.len() > MAX_STYLE_BYTES {
        return Err(fail(format!(
            "is over {} MB; no style is that big",
            MAX_STYLE_BYTES >> 20
        )));
    }
    let text = std::str::from_utf8(bytes).map_err(|e| fail(format!("is not UTF-8: {e}")))?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let style: serde_json::Value =
        serde_json::from_str(text).map_err(|e| fail(format!("is not JSON: {e}")))?;
    if style.get("version").and_then(|v| v.as_u64()) != Some(8) {
        return Err(fail("is not a MapLibre style: `version` must be 8".into()));
    }
    if !style.get("layers").is_some_and(|l| l.is_array()) {
        return Err(fail(
            "is not a MapLibre style: it has no `layers` list".into(),
        ));
    }
    if !style.get("sources").is_some_and(|s| s.is_object()) {
        return Err(fail(
            "is not a MapLibre style: it has no `sources` object".into(),
        ));
    }
    Ok(style)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_style_is_checked_before_the_wall_gets_it() {
        let good = br#"{"version":8,"sources":{},"layers":[]}"#;
        assert!(parse("s.json", good).is_ok());
        let with_bom = "\u{feff}{\"version\":8,\"sources\":{},\"layers\":[]}";
        assert!(parse("s.json", with_bom.as_bytes()).is_ok());
        let e = parse("s.json", br#"{"version":7,"layers":[]}"#).unwrap_err();
        assert!(e.to_string().contains("s.json") && e.to_string().contains("`version` must be 8"));
        let e = parse("s.json", b"<html>").unwrap_err();
        assert!(e.to_string().contains("is not JSON"), "{e}");
        let e = parse("s.json", br#"{"version":8,"sources":{}}"#).unwrap_err();
        assert!(e.to_string().contains("no `layers`"), "{e}");
    }
}
