//! The `[basemap]` section: the city's own basemap, one of three kinds, each with its CRS.
//! - `archive`: a PMTiles or MBTiles file of vector tiles in the OpenMapTiles schema (what
//!   tilemaker and planetiler write), drawn with the wall's own dark style;
//! - `style`: any MapLibre style JSON, a file or a URL on the LAN;
//! - `raster`: an XYZ/WMTS tile template on the LAN (天地图 on an intranet, an ArcGIS cache).
//!
//! The engine reads the archive and fetches raster tiles and the style itself, so the wall reaches
//! nothing but the engine. A GCJ-02 basemap makes the engine hand the map everything in GCJ-02.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::crs::Crs;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BasemapConfig {
    /// A PMTiles or MBTiles archive in the OpenMapTiles schema; relative to the config file.
    pub archive: Option<PathBuf>,
    /// A MapLibre style JSON: a file (relative to the config file) or an http(s) URL.
    pub style: Option<String>,
    /// `http(s)://…/{z}/{x}/{y}.png`: a raster tile template.
    pub raster: Option<String>,
    /// The basemap's coordinate system: `wgs84` (also CGCS2000) or `gcj02` (default wgs84).
    pub crs: Option<String>,
    /// Raster tiles: 256 or 512 (default 256).
    #[serde(default = "default_tile_size")]
    pub tile_size: u32,
    /// Raster tiles: the deepest zoom the service has (default 18); the wall enlarges beyond.
    #[serde(default = "default_max_zoom")]
    pub max_zoom: u8,
    /// Shown in the map's corner, e.g. "© 某市测绘地理信息局"; an archive's own metadata
    /// supplies it when this is absent.
    pub attribution: Option<String>,
    /// Raster tiles: darken and desaturate them for a dark wall (default yes).
    #[serde(default = "yes")]
    pub dim: bool,
}

/// Which kind of basemap a valid config names.
#[derive(Debug, Clone, PartialEq)]
pub enum BasemapKind<'a> {
    Archive(&'a Path),
    Style(&'a str),
    Raster(&'a str),
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

fn is_url(s: &str) -> bool {
    s.starts_with("http://") || s.starts_with("https://")
}

impl BasemapConfig {
    /// The archive of the shipped demo city's style, for the sim and tests.
    pub fn archive(path: PathBuf) -> BasemapConfig {
        BasemapConfig {
            archive: Some(path),
            style: None,
            raster: None,
            crs: None,
            tile_size: default_tile_size(),
            max_zoom: default_max_zoom(),
            attribution: None,
            dim: true,
        }
    }

    /// The kind, once [`BasemapConfig::problems`] found none.
    pub fn kind(&self) -> Option<BasemapKind<'_>> {
        match (&self.archive, &self.style, &self.raster) {
            (Some(a), None, None) => Some(BasemapKind::Archive(a)),
            (None, Some(s), None) => Some(BasemapKind::Style(s)),
            (None, None, Some(r)) => Some(BasemapKind::Raster(r)),
            _ => None,
        }
    }

    /// The basemap's CRS (WGS84 unless the config says GCJ-02).
    pub fn crs(&self) -> Crs {
        self.crs.as_deref().and_then(Crs::parse).unwrap_or_default()
    }

    /// Relative file paths made relative to the config file's folder.
    pub(crate) fn resolve(&mut self, base: &Path) {
        if let Some(a) = &self.archive {
            if a.is_relative() {
                self.archive = Some(base.join(a));
            }
        }
        if let Some(s) = &self.style {
            if !is_url(s) && Path::new(s).is_relative() {
                self.style = Some(base.join(s).display().to_string());
            }
        }
    }

    /// Each problem as (field, message).
    pub fn problems(&self) -> Vec<(&'static str, String)> {
        let mut problems = Vec::new();
        let named = [
            self.archive.is_some(),
            self.style.is_some(),
            self.raster.is_some(),
        ];
        if named.iter().filter(|n| **n).count() != 1 {
            problems.push((
                "basemap",
                "name exactly one of `archive` (a PMTiles or MBTiles file), `style` (a MapLibre style JSON file or URL) or `raster` (a tile URL template)".into(),
            ));
        }
        if let Some(a) = &self.archive {
            let ext = a.extension().and_then(|e| e.to_str()).unwrap_or("");
            if !["pmtiles", "mbtiles"].contains(&ext) {
                problems.push((
                    "basemap.archive",
                    format!("`{}`: give a .pmtiles or .mbtiles file", a.display()),
                ));
            }
        }
        if let Some(s) = &self.style {
            if s.trim().is_empty() {
                problems.push((
                    "basemap.style",
                    "is empty: give a style JSON file or URL".into(),
                ));
            }
        }
        if let Some(t) = &self.raster {
            if !is_url(t) {
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
        }
        match self.crs.as_deref().map(|c| (c, Crs::parse(c))) {
            None | Some((_, Some(Crs::Wgs84 | Crs::Cgcs2000 | Crs::Gcj02))) => {}
            Some((c, Some(Crs::Bd09))) => problems.push((
                "basemap.crs",
                format!("`{c}`: Baidu's BD-09 maps use their own projection, not Web Mercator; the wall draws wgs84, cgcs2000 or gcj02 basemaps"),
            )),
            Some((c, None)) => problems.push((
                "basemap.crs",
                format!("`{c}` is not a CRS the wall draws: use wgs84, cgcs2000 or gcj02"),
            )),
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

    /// The URL of one raster tile.
    pub fn tile_url(&self, z: u8, x: u32, y: u32) -> String {
        self.raster
            .as_deref()
            .unwrap_or_default()
            .replace("{z}", &z.to_string())
            .replace("{x}", &x.to_string())
            .replace("{y}", &y.to_string())
    }
}
