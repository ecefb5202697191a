//! The data model shared by every module: features as the engine holds them, bounding boxes, and
//! their GeoJSON form.

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

/// One point feature of a layer, in WGS84, as the latest poll of its source saw it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Feature {
    pub layer: String,
    pub id: String,
    pub source: String,
    pub lon: f64,
    pub lat: f64,
    pub properties: Map<String, Value>,
    /// Unix milliseconds of the ingest that last changed this feature.
    pub updated_at: i64,
}

impl Feature {
    /// True when position and properties match; `updated_at` is bookkeeping, not content.
    pub fn same_content(&self, other: &Feature) -> bool {
        self.lon == other.lon && self.lat == other.lat && self.properties == other.properties
    }

    /// The GeoJSON Feature the UI draws. `stale` marks data whose source is failing or silent.
    pub fn to_geojson(&self, stale: bool) -> Value {
        let mut properties = self.properties.clone();
        properties.insert("_id".into(), Value::String(self.id.clone()));
        properties.insert("_source".into(), Value::String(self.source.clone()));
        properties.insert("_updated_at".into(), json!(self.updated_at));
        properties.insert("_stale".into(), Value::Bool(stale));
        json!({
            "type": "Feature",
            "id": self.id,
            "geometry": {"type": "Point", "coordinates": [self.lon, self.lat]},
            "properties": properties,
        })
    }
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

/// Unix time in milliseconds now.
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}
