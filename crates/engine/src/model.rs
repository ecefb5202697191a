//! The data model shared by every module: features as the engine holds them, bounding boxes, and
//! their GeoJSON form.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

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

    /// The GeoJSON Feature the UI draws (the viewport's form, [`crate::geojson::FeatureView`],
    /// unsimplified and in WGS84). `stale` marks data whose source is failing or silent.
    pub fn to_geojson(&self, stale: bool) -> Value {
        serde_json::to_value(crate::geojson::FeatureView {
            feature: std::borrow::Cow::Borrowed(self),
            stale,
            tolerance: 0.0,
            datum: crate::display::MapDatum::default(),
        })
        .unwrap_or_default()
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

/// A WGS84 bounding box: west, south, east, north.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Bbox {
    pub west: f64,
    pub south: f64,
    pub east: f64,
    pub north: f64,
}

impl Bbox {
    pub fn contains(&self, lon: f64, lat: f64) -> bool {
        lon >= self.west && lon <= self.east && lat >= self.south && lat <= self.north
    }

    /// True when the boxes share any point (edges included).
    pub fn intersects(&self, other: &Bbox) -> bool {
        self.west <= other.east
            && other.west <= self.east
            && self.south <= other.north
            && other.south <= self.north
    }

    /// The box of two corners, whichever way round they come.
    pub fn from_corners([x1, y1]: [f64; 2], [x2, y2]: [f64; 2]) -> Bbox {
        Bbox {
            west: x1.min(x2),
            south: y1.min(y2),
            east: x1.max(x2),
            north: y1.max(y2),
        }
    }

    /// The box grown about its centre to at least `size` degrees each way.
    pub fn at_least(self, size: f64) -> Bbox {
        let grow = |lo: f64, hi: f64| {
            let half = ((hi - lo).max(size)) / 2.0;
            let mid = (lo + hi) / 2.0;
            (mid - half, mid + half)
        };
        let (west, east) = grow(self.west, self.east);
        let (south, north) = grow(self.south, self.north);
        Bbox {
            west,
            south,
            east,
            north,
        }
    }

    /// The box grown by `margin` degrees on every side.
    pub fn grown(self, margin: f64) -> Bbox {
        Bbox {
            west: self.west - margin,
            south: self.south - margin,
            east: self.east + margin,
            north: self.north + margin,
        }
    }

    /// The smallest box holding both.
    pub fn union(self, other: Bbox) -> Bbox {
        Bbox {
            west: self.west.min(other.west),
            south: self.south.min(other.south),
            east: self.east.max(other.east),
            north: self.north.max(other.north),
        }
    }
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
