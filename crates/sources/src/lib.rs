//! Sources: what a `[[source]]` says (`spec.rs`, with the checks that give each bad line its
//! message), fetching a subsystem's payload over HTTP or MQTT, and parsing it into records. Each
//! format has its own file; the poller (`poller.rs`) runs one task per source with interval,
//! timeout and backoff, and hands every batch to a [`Sink`] — this crate knows the model and
//! nothing of the engine or the store.

pub mod geojson;
pub mod http;
pub mod json_records;
pub mod mqtt;
pub mod ogc_features;
pub mod paging;
pub mod poller;
pub mod sensorthings;
pub mod sink;
pub mod spec;

pub use sink::{Attempt, IngestMode, IngestReport, Sink};

use serde_json::{Map, Value};

// The model's modules under the paths the source code names them by.
use citywall_model::{crs, geometry, secrets};

use crate::geometry::{Located, Shape};

/// One record a source delivered, already in WGS84: a point, or a line or polygon whose `lon` /
/// `lat` is its anchor (see `geometry`).
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    pub id: String,
    pub lon: f64,
    pub lat: f64,
    pub shape: Option<Shape>,
    pub properties: Map<String, Value>,
}

impl Record {
    /// A record located by a parsed GeoJSON geometry.
    pub fn located(id: String, at: Located, properties: Map<String, Value>) -> Record {
        Record {
            id,
            lon: at.lon,
            lat: at.lat,
            shape: at.shape,
            properties,
        }
    }
}

pub use citywall_model::model::Rejected;

/// What one poll produced: the good records and the rejected ones. One bad record never stops
/// its batch.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Batch {
    pub records: Vec<Record>,
    pub rejected: Vec<Rejected>,
}

impl Batch {
    /// Converts every record from the source's declared coordinate system to WGS84.
    pub fn into_wgs84(mut self, crs: crate::crs::Crs) -> Batch {
        if crs != crate::crs::Crs::Wgs84 {
            for r in &mut self.records {
                (r.lon, r.lat) = crs.to_wgs84(r.lon, r.lat);
                // Every vertex is converted; the anchor above moved with them.
                if let Some(shape) = &r.shape {
                    r.shape = shape.map_positions(|x, y| crs.to_wgs84(x, y));
                }
            }
        }
        self
    }
}

/// Why a whole payload could not be read. Per-record problems are [`Rejected`] instead.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error("cannot connect to {url}: {reason}")]
    Connect { url: String, reason: String },
    #[error("no answer from {url} within {seconds:.1} s")]
    Timeout { url: String, seconds: f64 },
    #[error("{url} answered HTTP {status}")]
    Status { url: String, status: String },
    #[error("{url} redirects in a loop or too often: {reason}")]
    Redirect { url: String, reason: String },
    #[error("the credential variable `{variable}` named in the config is not set (or not a valid header value)")]
    Credentials { variable: String },
    #[error("the answer from {url} exceeds the {cap} byte cap (max_body_mb)")]
    TooLarge { url: String, cap: u64 },
    #[error("reading the answer from {url} failed: {reason}")]
    Body { url: String, reason: String },
    #[error("the payload is not valid JSON: {0}")]
    InvalidJson(String),
    #[error("the payload has the wrong shape: {0}")]
    WrongShape(String),
}

/// Prepares a raw payload for a JSON parser that must not fail as a whole on one bad record:
/// bytes that are not UTF-8 become U+FFFD (the records holding them are then rejected one by
/// one), and the bare `NaN` / `Infinity` tokens some systems emit become `null` (the record then
/// fails its own number check).
/// The answer without a UTF-8 byte-order mark before it: many government systems send one, and
/// JSON parsers refuse it.
pub(crate) fn strip_bom(body: &[u8]) -> &[u8] {
    body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body)
}

pub(crate) fn sanitize_json(body: &[u8]) -> (std::borrow::Cow<'_, str>, bool) {
    let body = strip_bom(body);
    let (text, lossy) = match std::str::from_utf8(body) {
        Ok(t) => (std::borrow::Cow::Borrowed(t), false),
        Err(_) => (String::from_utf8_lossy(body), true),
    };
    if !(text.contains("NaN") || text.contains("Infinity")) {
        return (text, lossy);
    }
    let mut out = String::with_capacity(text.len());
    let (mut in_string, mut escaped) = (false, false);
    let mut rest = text.as_ref();
    while let Some(c) = rest.chars().next() {
        if in_string {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
        } else if c == '"' {
            in_string = true;
        } else {
            let token = ["-Infinity", "Infinity", "NaN"]
                .into_iter()
                .find(|t| rest.starts_with(t));
            if let Some(token) = token {
                out.push_str("null");
                rest = &rest[token.len()..];
                continue;
            }
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    (std::borrow::Cow::Owned(out), lossy)
}

/// Caps raw text to a short excerpt, on a character boundary.
pub fn excerpt_text(text: &str) -> String {
    const MAX: usize = 512;
    if text.len() <= MAX {
        return text.to_string();
    }
    let mut end = MAX;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &text[..end])
}

/// Caps an excerpt of raw input so quarantined records stay small.
pub(crate) fn excerpt(value: &Value) -> String {
    excerpt_text(&value.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nan_tokens_outside_strings_become_null() {
        let (text, lossy) =
            sanitize_json(br#"{"a": NaN, "b": "NaN \" Infinity", "c": [-Infinity, Infinity]}"#);
        assert_eq!(
            text,
            r#"{"a": null, "b": "NaN \" Infinity", "c": [null, null]}"#
        );
        assert!(!lossy);
        let (text, lossy) = sanitize_json(b"{\"a\": \"\xff\"}");
        assert!(lossy);
        assert!(text.contains('\u{FFFD}'));
    }
}
