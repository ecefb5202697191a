//! The one façade both transports call: Tauri IPC commands in `src-tauri` and the HTTP/WebSocket
//! server in [`crate::serve`]. Argument checking lives here so both answer the same way.

mod access;
mod cameras;
mod cases;
mod centres;
mod demo_accounts;
mod features;
mod history;
mod media;
mod on_wall;
mod overview;
mod procedures;
mod regions;
mod scope;
mod video;
mod video_tiles;
mod warnings;
mod wire;

pub use centres::{CentreStatus, Heartbeats, ONLINE_WITHIN_MS};
pub use history::{HistoryPoint, ReplaySpan};
pub use procedures::StepTaken;
pub use regions::{RegionCount, RegionCounts};

pub use access::{AccessMode, WhoAmI};
pub use cases::{NewCase, StepInput};
pub use demo_accounts::DemoAccount;
pub use media::{sniff, stored_id, MediaRef, MAX_PHOTO_BYTES, MEDIA_PATH};
pub use video::{TileGroup, VideoLayout};
pub use video_tiles::TileSession;
pub use wire::WireError;

use std::sync::Arc;

use serde::Serialize;

use tokio::sync::broadcast;

use crate::engine::Engine;
use crate::feed::Delta;
use crate::health::SourceStatus;
use crate::model::Bbox;
use crate::store::{RejectedRow, StoreError};

/// Most features one viewport answer carries; past it the answer says `truncated`.
pub const MAX_FEATURES_PER_ANSWER: usize = 20_000;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    NotFound(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A service the engine fetches for the wall (the basemap) failed.
    #[error(transparent)]
    Upstream(#[from] crate::basemap::BasemapError),
    /// No credential, or one that does not allow this.
    #[error(transparent)]
    Access(crate::access::AccessError),
    #[error(transparent)]
    Login(crate::store::accounts::LoginError),
    /// The request is understood but the thing is not in a state to take it.
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    TooLarge(String),
    /// A body of a kind this endpoint does not take (a photo that is not a picture).
    #[error("{0}")]
    Unsupported(String),
    /// A failure of the engine's own making (an answer it could not write).
    #[error("{0}")]
    Internal(String),
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Meta {
    pub product: &'static str,
    pub version: &'static str,
    pub demo: bool,
    /// The simulated clock in demo mode; the wall shows it instead of the wall time.
    pub demo_clock: Option<crate::config::DemoClock>,
    /// Seq of the last delta published; a client that fetched state then subscribes from here.
    pub seq: u64,
    /// The "whole city" view: `[map] extent` from the config, else the regions' extent, else
    /// the data's; `None` for an empty wall with neither.
    pub extent: Option<crate::model::Bbox>,
    /// Which side panels the wall shows, in order (`[panels]`).
    pub panels: crate::config::PanelsConfig,
    /// Whose wall this is: the header's name (`[centre]`).
    pub centre: crate::config::CentreConfig,
    /// The incident loop's categories and departments (`[incidents]`), for the wall's forms.
    pub incidents: IncidentsMeta,
    /// The city's basemap (`[basemap]`), its tiles through [`Api::basemap_tile`]; `None`: none is
    /// configured.
    pub basemap: Option<crate::basemap::BasemapInfo>,
    /// Which warnings the video screens follow by themselves (`[cameras] follow_warnings`;
    /// `off` without cameras).
    pub video_follow: crate::config::FollowWarnings,
    /// The screen the wall is read on (`[display]`), for its legibility scale.
    pub display: crate::config::DisplayConfig,
    /// How the wall orders and folds its warnings (`[warnings]`).
    pub warnings: crate::config::TriageConfig,
    /// Whether `[cameras]` is configured: without it the wall offers no 视频 (nothing to show).
    pub cameras: bool,
    /// The centres of the city (`[[centres]]`), the city's first, each with its children.
    pub centres: crate::centres::CentreNode,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct IncidentsMeta {
    pub categories: Vec<String>,
    pub departments: Vec<String>,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct LayerInfo {
    pub id: String,
    pub title_zh: String,
    pub title_en: String,
    pub count: usize,
    /// How the wall draws and lists the layer (group, style, popup …), from its config.
    #[serde(flatten)]
    pub presentation: crate::config::Presentation,
}

/// A checked request for the features of one layer in a viewport.
#[derive(Debug, Clone, PartialEq)]
pub struct FeatureQuery {
    pub layer: String,
    pub bbox: Option<Bbox>,
    pub zoom: Option<f64>,
}

impl FeatureQuery {
    /// Checks the raw query parameters, as the HTTP server receives them.
    pub fn from_params(
        layer: Option<&str>,
        bbox: Option<&str>,
        zoom: Option<&str>,
    ) -> Result<Self, ApiError> {
        let layer = layer
            .filter(|l| !l.is_empty())
            .ok_or_else(|| ApiError::BadRequest("`layer` is required, e.g. layer=flood".into()))?;
        let bbox = match bbox {
            None => None,
            Some(text) => {
                let parts: Vec<&str> = text.split(',').collect();
                if parts.len() != 4 {
                    return Err(ApiError::BadRequest(format!(
                        "`bbox` must be four numbers west,south,east,north; got `{text}`"
                    )));
                }
                let mut n = [0.0; 4];
                for (slot, part) in n.iter_mut().zip(&parts) {
                    *slot = part.trim().parse::<f64>().map_err(|_| {
                        ApiError::BadRequest(format!("`bbox` part `{part}` is not a number"))
                    })?;
                }
                Some(n)
            }
        };
        let zoom = match zoom {
            None => None,
            Some(z) => Some(
                z.trim()
                    .parse::<f64>()
                    .map_err(|_| ApiError::BadRequest(format!("`zoom` `{z}` is not a number")))?,
            ),
        };
        FeatureQuery::new(layer, bbox, zoom)
    }

    pub fn new(layer: &str, bbox: Option<[f64; 4]>, zoom: Option<f64>) -> Result<Self, ApiError> {
        let bbox = match bbox {
            None => None,
            Some([west, south, east, north]) => {
                let ok = [west, south, east, north].iter().all(|v| v.is_finite())
                    && (-180.0..=180.0).contains(&west)
                    && (-180.0..=180.0).contains(&east)
                    && (-90.0..=90.0).contains(&south)
                    && (-90.0..=90.0).contains(&north);
                if !ok {
                    return Err(ApiError::BadRequest(format!(
                        "`bbox` {west},{south},{east},{north} is outside WGS84 range (lon -180..180, lat -90..90)"
                    )));
                }
                if west > east || south > north {
                    return Err(ApiError::BadRequest(format!(
                        "`bbox` {west},{south},{east},{north} is inverted: west must not exceed east, nor south north"
                    )));
                }
                Some(Bbox {
                    west,
                    south,
                    east,
                    north,
                })
            }
        };
        if let Some(z) = zoom {
            if !z.is_finite() || !(0.0..=24.0).contains(&z) {
                return Err(ApiError::BadRequest(format!("`zoom` {z} is outside 0..24")));
            }
        }
        Ok(FeatureQuery {
            layer: layer.to_string(),
            bbox,
            zoom,
        })
    }
}

#[derive(Clone)]
pub struct Api {
    engine: Arc<Engine>,
    access: Arc<crate::access::Access>,
    access_mode: Arc<AccessMode>,
    cases: Arc<crate::cases::Loop>,
    video: Arc<crate::video::Hub>,
    on_wall: Arc<on_wall::OnWall>,
    /// Failed logins per client address ([`Api::login`]).
    login_addresses: Arc<std::sync::Mutex<crate::store::accounts::Failures>>,
    /// When each centre's walls were last heard from (the parent's panel says who is there).
    heartbeats: Arc<Heartbeats>,
}

impl Api {
    /// A façade for a wall that runs open (every caller is its local operator): the desktop
    /// app on its own machine. A server sets how it admits people with [`Api::with_access`].
    pub fn new(engine: Arc<Engine>) -> Self {
        Api {
            engine,
            access: Arc::new(crate::access::Access::shipped()),
            cases: Arc::new(crate::cases::Loop::shipped()),
            video: Arc::new(crate::video::Hub::new()),
            on_wall: Arc::default(),
            heartbeats: Arc::default(),
            login_addresses: Arc::new(std::sync::Mutex::new(
                crate::store::accounts::Failures::locking_at(
                    crate::store::accounts::MAX_ADDRESS_FAILURES,
                ),
            )),
            access_mode: Arc::new(AccessMode {
                open: true,
                ..Default::default()
            }),
        }
    }

    /// The same façade admitting people as `mode` says.
    pub fn with_access(mut self, mode: AccessMode) -> Self {
        self.access_mode = Arc::new(mode);
        self
    }

    /// How this wall admits people.
    pub fn access_mode(&self) -> &AccessMode {
        &self.access_mode
    }

    pub fn engine(&self) -> &Arc<Engine> {
        &self.engine
    }

    pub fn meta(&self) -> Meta {
        Meta {
            product: "CityWall",
            version: env!("CARGO_PKG_VERSION"),
            demo: self.engine.config.demo,
            demo_clock: self.engine.config.demo_clock,
            seq: self.engine.feed.last_seq(),
            extent: self
                .engine
                .whole_city()
                .map(|b| self.engine.display.bbox_out(b)),
            panels: self.engine.config.panels.clone(),
            // The zone resolved, so the wall writes times as the exports do.
            centre: crate::config::CentreConfig {
                time_zone: Some(self.engine.config.centre.zone_name()),
                language: Some(self.engine.config.centre.language().into()),
                ..self.engine.config.centre.clone()
            },
            incidents: IncidentsMeta {
                categories: self
                    .engine
                    .config
                    .incidents
                    .categories
                    .keys()
                    .cloned()
                    .collect(),
                departments: self.engine.config.incidents.departments.clone(),
            },
            basemap: self.engine.basemap.as_ref().map(|b| b.info().clone()),
            video_follow: self
                .engine
                .config
                .cameras
                .as_ref()
                .map_or(crate::config::FollowWarnings::Off, |c| c.follow_warnings),
            cameras: self.engine.config.cameras.is_some(),
            display: self.engine.config.display.clone(),
            warnings: self.engine.config.warnings.clone(),
            centres: self.centres_out(self.engine.centres.tree()),
        }
    }

    pub fn layers(&self) -> Vec<LayerInfo> {
        let index = self.engine.index();
        self.engine
            .config
            .layers
            .iter()
            .map(|l| LayerInfo {
                id: l.id.clone(),
                title_zh: l.title_zh.clone(),
                title_en: l.title_en.clone(),
                count: index.layer(&l.id).map(|x| x.len()).unwrap_or(0),
                presentation: l.presentation.clone(),
            })
            .collect()
    }

    fn known_layer(&self, layer: &str) -> Result<&crate::config::LayerConfig, ApiError> {
        self.engine.config.layer(layer).ok_or_else(|| {
            let known: Vec<&str> = self
                .engine
                .config
                .layers
                .iter()
                .map(|l| l.id.as_str())
                .collect();
            ApiError::NotFound(format!("no layer `{layer}`; layers: {}", known.join(", ")))
        })
    }

    fn known_level(&self, level: &str) -> Result<&crate::regions::Level, ApiError> {
        self.engine.regions.level(level).ok_or_else(|| {
            ApiError::NotFound(format!(
                "no region level `{level}`; configured: {}",
                self.engine.regions.names().join(", ")
            ))
        })
    }

    /// One tile of the configured basemap: from its archive, or fetched from its service
    /// (cached); `None` where the archive has no tile.
    pub async fn basemap_tile(
        &self,
        z: u8,
        x: u32,
        y: u32,
    ) -> Result<Option<crate::basemap::Tile>, ApiError> {
        Ok(self.basemap()?.tile(z, x, y).await?)
    }

    /// The configured basemap's style document (a `style` basemap only).
    pub async fn basemap_style(&self) -> Result<serde_json::Value, ApiError> {
        Ok(self.basemap()?.style().await?)
    }

    fn basemap(&self) -> Result<&crate::basemap::Basemap, crate::basemap::BasemapError> {
        self.engine
            .basemap
            .as_ref()
            .ok_or(crate::basemap::BasemapError::NotConfigured)
    }

    pub fn sources(&self) -> Vec<SourceStatus> {
        self.engine.health.all()
    }

    pub async fn rejected(
        &self,
        source: &str,
        limit: Option<u32>,
    ) -> Result<Vec<RejectedRow>, ApiError> {
        if !self.engine.config.sources.iter().any(|s| s.id == source) {
            return Err(ApiError::NotFound(format!("no source `{source}`")));
        }
        let mut rows = self
            .engine
            .store
            .rejected(source, limit.unwrap_or(100).min(1000))
            .await?;
        // An excerpt quotes what the subsystem sent, which may quote our credentials.
        for row in &mut rows {
            row.reason = crate::secrets::redact(&row.reason);
            row.excerpt = crate::secrets::redact(&row.excerpt);
        }
        Ok(rows)
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Delta>> {
        self.engine.feed.subscribe()
    }
}

/// A longitude and latitude a caller sent: refused unless both are numbers in range.
pub(crate) fn lonlat_in_range(lon: f64, lat: f64) -> Result<(), ApiError> {
    if lon.is_finite()
        && lat.is_finite()
        && (-180.0..=180.0).contains(&lon)
        && (-90.0..=90.0).contains(&lat)
    {
        Ok(())
    } else {
        Err(ApiError::BadRequest(format!(
            "`lon`,`lat` {lon},{lat} is outside WGS84 range"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn malformed_parameters_are_refused_with_a_message() {
        let e = FeatureQuery::from_params(None, None, None).unwrap_err();
        assert!(e.to_string().contains("`layer` is required"));
        let e = FeatureQuery::from_params(Some("flood"), Some("1,2,3"), None).unwrap_err();
        assert!(e.to_string().contains("four numbers"));
        let e = FeatureQuery::from_params(Some("flood"), Some("1,2,x,4"), None).unwrap_err();
        assert!(e.to_string().contains("`x` is not a number"));
        let e = FeatureQuery::from_params(Some("flood"), Some("10,2,3,4"), None).unwrap_err();
        assert!(e.to_string().contains("inverted"));
        let e = FeatureQuery::from_params(Some("flood"), Some("1,2,3,400"), None).unwrap_err();
        assert!(e.to_string().contains("outside WGS84"));
        let e = FeatureQuery::from_params(Some("flood"), None, Some("NaN")).unwrap_err();
        assert!(e.to_string().contains("outside 0..24"));
        let q =
            FeatureQuery::from_params(Some("flood"), Some("118,33,119,34"), Some("12")).unwrap();
        assert_eq!(q.bbox.map(|b| b.east), Some(119.0));
    }
}
