//! The simulated city 示范市: generated geometry, a deterministic scenario (flood gauges through
//! a rain event, weigh-in-motion truck passes, incidents from five channels) and the HTTP
//! services that stand in for the city's subsystems on loopback. The engine never depends on
//! this crate; only the app wires the two together for `--demo`.

pub mod basemap;
pub mod city;
pub mod geo;
pub mod inventory;
pub mod names;
pub mod rng;
pub mod scenario;
pub mod services;
pub mod video;
pub mod wider;

pub use city::City;
pub use scenario::{Scenario, SimClock};
pub use services::{SimCity, Subsystem};
