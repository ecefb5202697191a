//! The end-to-end tests, one module per concern, in one binary: the engine against the
//! simulated city and real peers on loopback, the browser face over HTTP, the CLI as a centre
//! runs it. The real app's window is `app_window.rs`, in a binary of its own.

mod access;
mod attacks;
mod audit_forgery;
mod bounds;
mod case_race;
mod cases;
mod centres;
mod flood;
mod leaks;
mod outage;
mod peers;
mod photos;
mod replay;
mod revocation;
mod rtsp;
mod rules;
mod sim_ingest;
mod spatial_api;
mod tls;
mod video;
mod warnings;
