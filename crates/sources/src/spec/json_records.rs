//! `kind = "json-records"`: where a JSON answer's records are (`records_path`) and which field
//! holds what (`fields`, which must map `id`, `lon` and `lat`). MQTT messages are mapped the
//! same way.

use std::ops::Range;

use serde::Serialize;
use toml::Spanned;

use super::raw::RawSource;

/// How plain JSON records map onto features: where the array is, and which field holds what.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct RecordMapping {
    /// Dot path to the array (`data.rows`); empty when the answer is the array itself.
    pub path: Vec<String>,
    /// Feature property (or `id`, `lon`, `lat`) → the record's field, as a dot path.
    pub fields: std::collections::BTreeMap<String, String>,
}

/// The mapping as given, without its checks (an MQTT source's messages may map fewer).
pub(super) fn mapping(s: &RawSource) -> RecordMapping {
    RecordMapping {
        path: s
            .records_path
            .as_deref()
            .unwrap_or("")
            .split('.')
            .filter(|p| !p.is_empty())
            .map(str::to_string)
            .collect(),
        fields: s
            .fields
            .as_ref()
            .map(|f| f.get_ref().clone())
            .unwrap_or_default(),
    }
}

/// A json-records source's mapping: it must say where `id`, `lon` and `lat` are.
pub(super) fn read(
    source: &Spanned<RawSource>,
    problem: &mut dyn FnMut(Range<usize>, &str, String),
) -> RecordMapping {
    let s = source.get_ref();
    let records = mapping(s);
    let missing: Vec<&str> = ["id", "lon", "lat"]
        .into_iter()
        .filter(|k| !records.fields.contains_key(*k))
        .collect();
    if !missing.is_empty() {
        let span = s.fields.as_ref().map(|f| f.span()).unwrap_or(source.span());
        problem(
            span,
            "source.fields",
            format!(
                "a json-records source must map {}: e.g. fields = {{ id = \"caseNo\", lon = \"x\", lat = \"y\" }}",
                missing.join(", ")
            ),
        );
    }
    records
}
