//! Live video: the camera streams behind the wall's video tiles. [`hub`] reads each stream once
//! (MJPEG over HTTP, [`mjpeg`]) and keeps its latest frame; the browser wall receives the
//! frames of all its tiles over one WebSocket (`serve/video.rs`), each tagged with its tile.

pub mod hub;
pub mod mjpeg;

pub use hub::{Frame, Hub, Live, StreamState, STALL};
