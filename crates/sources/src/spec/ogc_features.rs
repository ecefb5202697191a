//! `kind = "ogc-features"`: which collection of an OGC API – Features service, its page size
//! (`limit`) and filters (`bbox`, `datetime`).

use std::ops::Range;

use serde::Serialize;
use toml::Spanned;

use super::raw::RawSource;

/// Which items an `ogc-features` source reads.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct OgcOptions {
    pub collection: String,
    /// Page size asked for.
    pub limit: u32,
    pub bbox: Option<[f64; 4]>,
    pub datetime: Option<String>,
}

pub(super) fn read(
    source: &Spanned<RawSource>,
    limit: u32,
    problem: &mut dyn FnMut(Range<usize>, &str, String),
) -> OgcOptions {
    let s = source.get_ref();
    let ogc = OgcOptions {
        collection: s
            .collection
            .as_ref()
            .map(|c| c.get_ref().clone())
            .unwrap_or_default(),
        limit,
        bbox: s.bbox,
        datetime: s.datetime.clone(),
    };
    if ogc.collection.is_empty() {
        problem(
            s.kind.span(),
            "source.collection",
            "an ogc-features source needs `collection`, the id from /collections".into(),
        );
    }
    ogc
}
