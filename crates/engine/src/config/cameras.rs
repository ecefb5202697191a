//! The `[cameras]` section: which layer holds the cameras, and the fields that say where each
//! looks (heading, field of view, range) and whether it is online.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CameraConfig {
    pub layer: String,
    #[serde(default = "default_heading_field")]
    pub heading_field: String,
    #[serde(default = "default_fov_field")]
    pub fov_field: String,
    #[serde(default = "default_range_field")]
    pub range_field: String,
    #[serde(default = "default_online_field")]
    pub online_field: String,
}

fn default_heading_field() -> String {
    "heading_deg".into()
}
fn default_fov_field() -> String {
    "fov_deg".into()
}
fn default_range_field() -> String {
    "range_m".into()
}
fn default_online_field() -> String {
    "online".into()
}
