//! CityWall engine: everything that needs no window. Sources are polled, parsed and ingested into
//! the SQLite store and the per-layer spatial index; every change goes out on the change feed; the
//! [`api::Api`] façade is the one entry point both transports (Tauri IPC and `serve`) call.

pub mod api;
pub mod basemap;
pub mod centres;
pub mod config;
pub mod endpoints;
pub mod engine;
pub mod feed;
pub mod health;
pub mod kpi;
pub mod regions;
pub mod rules;
pub mod search;
pub mod spatial;
pub mod wall;

// The value types live in their own crate; their paths stay what they were.
pub use citywall_model::{
    access, bbox, cases, crs, display, geojson, geojson_schema, geometry, memory, model, mvt,
    secrets,
};
pub use citywall_sources as sources;
pub use citywall_store as store;
pub use citywall_video::video;

pub use api::Api;
pub use config::Config;
pub use engine::Engine;
