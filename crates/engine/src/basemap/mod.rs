//! The city's basemap as the engine serves it to the wall: tiles of an archive on disk or of a
//! raster service on the LAN, or a MapLibre style document, each behind the same façade as the
//! city's data. A basemap that cannot be opened (a missing file, a broken style) never stops the
//! engine: the wall shows why and draws the city's layers on its plain background.

mod archive;
mod raster;
mod style;

use serde::Serialize;

use crate::config::{BasemapConfig, BasemapKind};
use crate::crs::Crs;
use crate::model::Bbox;

pub use archive::Archive;
use raster::BasemapProxy;

#[derive(Debug, thiserror::Error)]
pub enum BasemapError {
    #[error("no [basemap] is configured")]
    NotConfigured,
    #[error("tile {z}/{x}/{y} is outside the map")]
    OutOfRange { z: u8, x: u32, y: u32 },
    #[error("the basemap service {url}: {reason}")]
    Upstream { url: String, reason: String },
    #[error("the basemap archive {path}: {reason}")]
    Archive { path: String, reason: String },
    #[error("the basemap style {place}: {reason}")]
    Style { place: String, reason: String },
    #[error("the basemap cannot be drawn: {0}")]
    Unavailable(String),
    #[error("this basemap is {0}, it has no {1}")]
    WrongKind(&'static str, &'static str),
}

/// The HTTP client the engine reaches a basemap service on the LAN with: bounded waits, no
/// system proxy (the LAN is reached directly), named as CityWall in the service's logs.
fn lan_client() -> Result<reqwest::Client, String> {
    // A redirect is followed only within the service's own origin (http → the same host's
    // path): a tile or style server answering 302 to another address is an error, not a
    // fetch of whatever that address holds on the engine's behalf.
    let same_origin = reqwest::redirect::Policy::custom(|attempt| {
        let first = attempt.previous().first();
        let same = first.is_some_and(|f| {
            f.scheme() == attempt.url().scheme()
                && f.host_str() == attempt.url().host_str()
                && f.port_or_known_default() == attempt.url().port_or_known_default()
        });
        if same && attempt.previous().len() < 5 {
            attempt.follow()
        } else {
            attempt.stop()
        }
    });
    reqwest::Client::builder()
        .redirect(same_origin)
        .timeout(std::time::Duration::from_secs(10))
        .connect_timeout(std::time::Duration::from_secs(5))
        .no_proxy()
        .user_agent(concat!("CityWall/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| format!("cannot create an HTTP client: {e}"))
}

/// A tile: its bytes and content type.
#[derive(Debug, Clone)]
pub struct Tile {
    pub bytes: bytes::Bytes,
    pub content_type: String,
}

/// What the wall needs to draw the basemap. No path or URL: where tiles come from is the
/// engine's business.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct BasemapInfo {
    /// `vector` (an archive in the OpenMapTiles schema, drawn with the wall's style), `raster`
    /// (tiles from a service or a raster archive) or `style` (the config's own style document).
    pub kind: &'static str,
    /// The basemap's coordinate system; with `gcj02` the engine hands the map GCJ-02.
    pub crs: Crs,
    pub attribution: Option<String>,
    pub tile_size: u32,
    pub min_zoom: u8,
    pub max_zoom: u8,
    /// Darken raster tiles for the dark wall.
    pub dim: bool,
    /// Why the basemap cannot be drawn; the wall shows it and draws its layers regardless.
    pub error: Option<String>,
    /// Where an archive says its tiles are.
    pub bounds: Option<Bbox>,
    /// Why the basemap may be the wrong one (its tiles miss the city); drawn all the same, and
    /// the wall shows this.
    pub mismatch: Option<String>,
}

impl BasemapInfo {
    /// Whether the archive's tiles miss the wall's extent: a basemap of another city, or an
    /// extent with longitude and latitude swapped.
    pub fn misses(&self, extent: &Bbox) -> Option<String> {
        let b = self.bounds?;
        (!b.intersects(extent)).then(|| {
            format!(
                "its tiles cover [{:.3}, {:.3}, {:.3}, {:.3}], which misses the wall's extent \
                 [{:.3}, {:.3}, {:.3}, {:.3}]: a basemap of another place, or an extent in the wrong order",
                b.west, b.south, b.east, b.north, extent.west, extent.south, extent.east, extent.north
            )
        })
    }
}

enum Source {
    Raster(BasemapProxy),
    Archive(Archive),
    Style(style::StyleSource),
    Broken,
}

pub struct Basemap {
    info: BasemapInfo,
    source: Source,
}

impl Basemap {
    /// Opens what `config` names. A failure is kept in [`BasemapInfo::error`], not returned.
    /// Notes (for the wall and check-config) when its tiles miss the wall's `extent`.
    pub fn check_extent(&mut self, extent: Option<Bbox>) {
        self.info.mismatch = extent.and_then(|e| self.info.misses(&e));
    }

    pub async fn open(config: &BasemapConfig) -> Basemap {
        let mut info = BasemapInfo {
            kind: "raster",
            crs: config.crs(),
            attribution: config.attribution.clone(),
            tile_size: config.tile_size,
            min_zoom: 0,
            max_zoom: config.max_zoom,
            dim: config.dim,
            error: None,
            bounds: None,
            mismatch: None,
        };
        let source = match config.kind() {
            Some(BasemapKind::Raster(_)) => match BasemapProxy::new(config.clone()) {
                Ok(proxy) => Source::Raster(proxy),
                Err(e) => {
                    info.error = Some(e.to_string());
                    Source::Broken
                }
            },
            Some(BasemapKind::Archive(path)) => match Archive::open(path).await {
                Ok(archive) => {
                    let meta = archive.meta();
                    info.kind = if meta.vector { "vector" } else { "raster" };
                    info.min_zoom = meta.min_zoom;
                    info.max_zoom = meta.max_zoom;
                    info.tile_size = 256;
                    info.bounds = meta.bounds;
                    if info.attribution.is_none() {
                        info.attribution = meta.attribution.clone();
                    }
                    Source::Archive(archive)
                }
                Err(e) => {
                    info.kind = "vector";
                    info.error = Some(e.to_string());
                    Source::Broken
                }
            },
            Some(BasemapKind::Style(place)) => {
                info.kind = "style";
                match style::StyleSource::new(place) {
                    Ok(s) => Source::Style(s),
                    Err(e) => {
                        info.error = Some(e.to_string());
                        Source::Broken
                    }
                }
            }
            None => {
                info.error = Some("[basemap] names no archive, style or raster".into());
                Source::Broken
            }
        };
        if let Some(e) = &mut info.error {
            *e = crate::secrets::redact(e);
            tracing::warn!("basemap: {e}");
        }
        Basemap { info, source }
    }

    pub fn info(&self) -> &BasemapInfo {
        &self.info
    }

    /// One tile; `Ok(None)`: the archive has no tile there (the map draws nothing).
    pub async fn tile(&self, z: u8, x: u32, y: u32) -> Result<Option<Tile>, BasemapError> {
        if z > 24 || u64::from(x) >= 1u64 << z || u64::from(y) >= 1u64 << z {
            return Err(BasemapError::OutOfRange { z, x, y });
        }
        match &self.source {
            Source::Raster(proxy) => proxy.tile(z, x, y).await.map(Some),
            Source::Archive(archive) => archive.tile(z, x, y).await,
            Source::Style(_) => Err(BasemapError::WrongKind("a style document", "tiles")),
            Source::Broken => Err(self.broken()),
        }
    }

    /// The configured style document.
    pub async fn style(&self) -> Result<serde_json::Value, BasemapError> {
        match &self.source {
            Source::Style(s) => s.load().await,
            Source::Broken => Err(self.broken()),
            _ => Err(BasemapError::WrongKind("tiles", "style document")),
        }
    }

    fn broken(&self) -> BasemapError {
        BasemapError::Unavailable(self.info.error.clone().unwrap_or_default())
    }
}
