//! A feature met by a scan of a whole layer, as the layer holds it: big scans (clusters,
//! search, aggregates) read positions and ids without making each point whole.

use std::borrow::Cow;

use super::points;
use crate::model::Feature;

/// A feature met by a scan of its layer: a point as its table holds it, or a whole line or
/// polygon. A scan reads positions and ids for nothing and parses a point's properties only
/// when asked.
#[derive(Clone, Copy)]
pub enum Scanned<'a> {
    Point(points::PointRow<'a>),
    Whole(&'a Feature),
}

impl<'a> Scanned<'a> {
    pub fn id(&self) -> &'a str {
        match self {
            Scanned::Point(p) => p.id(),
            Scanned::Whole(f) => &f.id,
        }
    }

    /// The point, or the anchor of a line or polygon.
    pub fn lon_lat(&self) -> (f64, f64) {
        match self {
            Scanned::Point(p) => p.lon_lat(),
            Scanned::Whole(f) => (f.lon, f.lat),
        }
    }

    pub fn updated_at(&self) -> i64 {
        match self {
            Scanned::Point(p) => p.updated_at(),
            Scanned::Whole(f) => f.updated_at,
        }
    }

    /// Whether `needle` (already lowercase) may occur in the id or a property: false only where
    /// it certainly does not, so a search makes whole only the features that may match. `·`,
    /// which plates are matched without, is dropped from both sides.
    pub fn may_contain(&self, needle: &str) -> bool {
        match self {
            Scanned::Point(p) => {
                let text = p.properties_text();
                // JSON escapes would hide a match: such a point is looked at whole.
                text.contains('\\')
                    || p.id().to_lowercase().contains(needle)
                    || text
                        .to_lowercase()
                        .replace('·', "")
                        .contains(&needle.replace('·', ""))
            }
            Scanned::Whole(_) => true,
        }
    }

    pub fn properties(&self) -> Cow<'a, serde_json::Map<String, serde_json::Value>> {
        match self {
            Scanned::Point(p) => Cow::Owned(p.properties()),
            Scanned::Whole(f) => Cow::Borrowed(&f.properties),
        }
    }

    pub fn feature(&self) -> Cow<'a, Feature> {
        match self {
            Scanned::Point(p) => Cow::Owned(p.feature()),
            Scanned::Whole(f) => Cow::Borrowed(f),
        }
    }
}
