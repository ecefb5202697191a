//! CityWall's video layer: reading a camera's RTSP (H.264) or MJPEG stream once however many
//! tiles watch it, keeping its last group of pictures for a tile that joins late, decoding and
//! composing mosaics. It knows the model's values and nothing of the engine, the store or a window.

pub mod video;

// The model under the path the video code names it by.
use citywall_model::model;
