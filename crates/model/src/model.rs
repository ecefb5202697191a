//! The data model shared by every module: features as the engine holds them, bounding boxes, and
//! their GeoJSON form.

use std::sync::Arc;

use serde_json::{Map, Value};

pub use crate::bbox::Bbox;
use crate::geometry::Shape;

/// One feature of a layer, in WGS84, as the latest poll of its source saw it. A point is its
/// `lon`/`lat`; a line or polygon also has its `shape`, and `lon`/`lat` is then its anchor (a
/// point on it or inside it).
#[derive(Debug, Clone, PartialEq)]
pub struct Feature {
    pub layer: String,
    pub id: String,
    pub source: String,
    pub lon: f64,
    pub lat: f64,
    pub shape: Option<Arc<Shape>>,
    pub properties: Map<String, Value>,
    /// Unix milliseconds of the ingest that last changed this feature.
    pub updated_at: i64,
}

impl Feature {
    /// True when geometry and properties match; `updated_at` is bookkeeping, not content.
    pub fn same_content(&self, other: &Feature) -> bool {
        self.lon == other.lon
            && self.lat == other.lat
            && self.shape == other.shape
            && self.properties == other.properties
    }

    /// The box the feature covers: its point, or its shape's box.
    pub fn bbox(&self) -> Bbox {
        match &self.shape {
            Some(s) => s.bbox(),
            None => Bbox::from_corners([self.lon, self.lat], [self.lon, self.lat]),
        }
    }

    /// Distance in degrees from (lon, lat) to the nearest part of the feature.
    pub fn distance_to(&self, lon: f64, lat: f64) -> f64 {
        match &self.shape {
            Some(s) => s.distance_to(lon, lat),
            None => ((self.lon - lon).powi(2) + (self.lat - lat).powi(2)).sqrt(),
        }
    }
}

/// The same properties in a map of exactly their size. A parsed map grows by doubling, and a
/// layer of lines or polygons keeps its features' maps for days (a map of one property held
/// room for four).
pub fn fitted(properties: Map<String, Value>) -> Map<String, Value> {
    let mut fitted = Map::with_capacity(properties.len());
    fitted.extend(properties);
    fitted
}

/// The smallest box holding every box given; `None` for none.
pub fn union_all(boxes: impl IntoIterator<Item = Bbox>) -> Option<Bbox> {
    boxes.into_iter().reduce(Bbox::union)
}

/// Degrees of longitude one screen pixel spans at a web-map zoom (256-pixel tiles).
pub fn pixel_degrees(zoom: f64) -> f64 {
    360.0 / (256.0 * 2f64.powf(zoom.clamp(0.0, 24.0)))
}

/// Unix time in milliseconds now.
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// A record the parser refused, with why and a short excerpt of what it was.
#[derive(Debug, Clone, PartialEq)]
pub struct Rejected {
    /// Position in the payload (0-based), for finding it in the raw data.
    pub index: usize,
    pub reason: String,
    pub excerpt: String,
}

/// A Unix-ms instant as ISO 8601 in `zone`, with its offset; the raw number when it is past the
/// calendar's range (a forged row).
pub fn iso_in(zone: &jiff::tz::TimeZone, ms: i64) -> String {
    match jiff::Timestamp::from_millisecond(ms) {
        Ok(t) => t
            .to_zoned(zone.clone())
            .strftime("%Y-%m-%dT%H:%M:%S%.3f%:z")
            .to_string(),
        Err(_) => ms.to_string(),
    }
}

/// An instant's wall-clock time in `zone`, with the zone's offset: `09:57 (UTC+02:00)`. What a
/// lockout or a checkpoint message says, read by someone at the centre.
pub fn clock_in(zone: &jiff::tz::TimeZone, ms: i64) -> String {
    match jiff::Timestamp::from_millisecond(ms) {
        Ok(t) => t
            .to_zoned(zone.clone())
            .strftime("%H:%M (UTC%:z)")
            .to_string(),
        Err(_) => ms.to_string(),
    }
}
