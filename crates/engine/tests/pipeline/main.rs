//! The engine's own path, end to end without a server: sources fetched over loopback HTTP with
//! their credentials and faults, coordinate systems, lines and polygons, paged and split
//! payloads — each through ingest, the index and the façade. One binary; the helpers are the
//! e2e crate's (a scratch directory, waiting, a loopback server).

mod connectors;
mod crs;
mod faults;
mod geometries;
mod split;
