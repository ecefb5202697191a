//! Sources: fetching a subsystem's payload over HTTP and parsing it into records. Each format has
//! its own file; the poller (`poller.rs`) runs one task per source with interval, timeout and
//! backoff.

pub mod geojson;
pub mod poller;

use serde_json::{Map, Value};

/// One record a source delivered, already in WGS84.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    pub id: String,
    pub lon: f64,
    pub lat: f64,
    pub properties: Map<String, Value>,
}

/// A record the parser refused, with why and a short excerpt of what it was.
#[derive(Debug, Clone, PartialEq)]
pub struct Rejected {
    /// Position in the payload (0-based), for finding it in the raw data.
    pub index: usize,
    pub reason: String,
    pub excerpt: String,
}

/// What one poll produced: the good records and the rejected ones. One bad record never stops
/// its batch.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Batch {
    pub records: Vec<Record>,
    pub rejected: Vec<Rejected>,
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
    #[error("reading the answer from {url} failed: {reason}")]
    Body { url: String, reason: String },
    #[error("the payload is not valid JSON: {0}")]
    InvalidJson(String),
    #[error("the payload has the wrong shape: {0}")]
    WrongShape(String),
}

/// Caps an excerpt of raw input so quarantined records stay small.
pub(crate) fn excerpt(value: &Value) -> String {
    const MAX: usize = 512;
    let text = value.to_string();
    if text.len() <= MAX {
        return text;
    }
    let mut end = MAX;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &text[..end])
}
