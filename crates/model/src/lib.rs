//! CityWall's bottom layer: the values everything else passes around — a feature and its
//! geometry, a bounding box, the CRS a subsystem speaks and the datum the map is drawn in, the
//! GeoJSON and vector-tile forms the wall reads, a warning's values, the roles and the role ×
//! action matrix, the incident loop's states and steps — and the redaction of configured secrets
//! from any text that leaves the process. It knows no store, no source, no server and no window.

pub mod access;
pub mod bbox;
pub mod cases;
pub mod crs;
pub mod display;
pub mod geojson;
pub mod geojson_schema;
pub mod geometry;
pub mod memory;
pub mod model;
pub mod mvt;
pub mod secrets;
pub mod warning;
