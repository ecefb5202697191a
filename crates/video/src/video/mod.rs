//! Live video: the camera streams behind the wall's video tiles. [`hub`] reads each stream once
//! — MJPEG over HTTP ([`mjpeg`]) or RTSP in H.264 or MJPEG ([`rtsp`]) — and keeps its latest
//! frame (a JPEG, or a decoded picture) and an H.264 stream's units since its last key frame
//! ([`gop`]); a wall receives the frames of all its tiles over one WebSocket
//! (`serve/video.rs`), each tagged with its tile.

pub mod gop;
pub mod hub;
pub mod mjpeg;
pub mod mosaic;
pub mod picture;
mod rtsp;

pub use gop::{AccessUnit, Gop, GopCursor};
pub use hub::{Credentials, Frame, Hub, Live, StreamState, UnitWatcher, UnitWatchers, STALL};
pub use mosaic::Mosaic;
pub use picture::{Picture, Rect};
