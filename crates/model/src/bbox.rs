//! The WGS84 bounding box every layer, query and extent is measured in.

use serde::{Deserialize, Serialize};

/// A WGS84 bounding box: west, south, east, north.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[schemars(rename = "Extent")]
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
