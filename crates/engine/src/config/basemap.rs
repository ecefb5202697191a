//! The `[basemap]` section: a city's own basemap instead of the demo city's archive. Today a
//! raster XYZ tile service on the LAN (天地图 on an intranet, an ArcGIS tile cache, a tile server
//! in the machine room): the engine fetches its tiles and hands them to the wall, so the wall
//! itself reaches nothing but the engine, and a light map can be dimmed for the big screen.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BasemapConfig {
    /// `http(s)://…/{z}/{x}/{y}.png`: the tile template.
    pub raster: String,
    /// 256 or 512 (default 256).
    #[serde(default = "default_tile_size")]
    pub tile_size: u32,
    /// The deepest zoom the service has (default 18); the wall zooms further by enlarging.
    #[serde(default = "default_max_zoom")]
    pub max_zoom: u8,
    /// Shown in the map's corner, e.g. "© 某市测绘地理信息局".
    pub attribution: Option<String>,
    /// Darken and desaturate the tiles for a dark wall (default yes).
    #[serde(default = "yes")]
    pub dim: bool,
}

fn default_tile_size() -> u32 {
    256
}

fn default_max_zoom() -> u8 {
    18
}

fn yes() -> bool {
    true
}

impl BasemapConfig {
    /// Each problem as (field, message).
    pub fn problems(&self) -> Vec<(&'static str, String)> {
        let mut problems = Vec::new();
        let t = &self.raster;
        if !(t.starts_with("http://") || t.starts_with("https://")) {
            problems.push(("basemap.raster", format!("`{t}` is not an http(s) URL")));
        }
        for part in ["{z}", "{x}", "{y}"] {
            if !t.contains(part) {
                problems.push((
                    "basemap.raster",
                    format!("`{t}` has no {part}: write the tile template, e.g. http://host/tiles/{{z}}/{{x}}/{{y}}.png"),
                ));
            }
        }
        if ![256, 512].contains(&self.tile_size) {
            problems.push((
                "basemap.tile_size",
                format!("{} px: use 256 or 512", self.tile_size),
            ));
        }
        if self.max_zoom > 24 {
            problems.push((
                "basemap.max_zoom",
                format!("{} is outside 0..24", self.max_zoom),
            ));
        }
        problems
    }

    /// The URL of one tile.
    pub fn tile_url(&self, z: u8, x: u32, y: u32) -> String {
        self.raster
            .replace("{z}", &z.to_string())
            .replace("{x}", &x.to_string())
            .replace("{y}", &y.to_string())
    }
}
