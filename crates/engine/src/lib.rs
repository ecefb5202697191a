//! CityWall engine: everything that needs no window. Sources are polled, parsed and ingested into
//! the SQLite store and the per-layer spatial index; every change goes out on the change feed; the
//! [`api::Api`] façade is the one entry point both transports (Tauri IPC and `serve`) call.

pub mod access;
pub mod api;
pub mod basemap;
pub mod bbox;
pub mod cases;
pub mod config;
pub mod crs;
pub mod display;
pub mod engine;
pub mod feed;
pub mod geojson;
pub mod geometry;
pub mod health;
pub mod kpi;
pub mod memory;
pub mod model;
pub mod mvt;
pub mod regions;
pub mod rules;
pub mod search;
pub mod secrets;
pub mod serve;
pub mod sources;
pub mod spatial;
pub mod store;
pub mod video;
pub mod wall;

pub use api::Api;
pub use config::Config;
pub use engine::Engine;
