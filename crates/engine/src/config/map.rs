//! The `[map]` section: what the wall's map shows before anyone moves it — the extent of the
//! "whole city" view (the first view, and `H` on the wall). Without it the engine offers the
//! extent of the configured regions, else of the data.

use serde::{Deserialize, Serialize};

use crate::model::Bbox;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MapConfig {
    /// `[west, south, east, north]` in WGS84 degrees.
    pub extent: Option<[f64; 4]>,
}

impl MapConfig {
    /// The configured extent, once [`MapConfig::problems`] found none.
    pub fn extent(&self) -> Option<Bbox> {
        self.extent.map(|[west, south, east, north]| Bbox {
            west,
            south,
            east,
            north,
        })
    }

    /// Each problem as (field, message).
    pub fn problems(&self) -> Vec<(&'static str, String)> {
        let Some([w, s, e, n]) = self.extent else {
            return Vec::new();
        };
        let mut problems = Vec::new();
        if ![w, s, e, n].iter().all(|v| v.is_finite()) {
            problems.push(("map.extent", "holds a value that is not a number".into()));
        } else if !(-180.0..=180.0).contains(&w) || !(-180.0..=180.0).contains(&e) {
            problems.push((
                "map.extent",
                format!("west {w} / east {e} are not longitudes (−180 … 180)"),
            ));
        } else if !(-90.0..=90.0).contains(&s) || !(-90.0..=90.0).contains(&n) {
            // [south, west, north, east] — latitude first, as many GIS exports write it.
            let swapped = (-90.0..=90.0).contains(&w) && (-90.0..=90.0).contains(&e);
            problems.push((
                "map.extent",
                if swapped {
                    format!("south {s} / north {n} are not latitudes: latitude and longitude swapped? give [west, south, east, north] = [{s}, {w}, {n}, {e}]")
                } else {
                    format!("south {s} / north {n} are not latitudes (−90 … 90)")
                },
            ));
        } else if w >= e || s >= n {
            problems.push((
                "map.extent",
                format!(
                    "[{w}, {s}, {e}, {n}] is empty: give [west, south, east, north], west < east and south < north"
                ),
            ));
        }
        problems
    }
}
