//! The one façade both transports call: Tauri IPC commands in `src-tauri` and the HTTP/WebSocket
//! server in [`crate::serve`]. Argument checking lives here so both answer the same way.

mod access;
mod cameras;
mod cases;
mod features;
mod history;

pub use access::{AccessMode, WhoAmI};
pub use cases::{NewCase, StepInput};

use std::sync::Arc;

use serde::Serialize;
use serde_json::{json, Value};
use tokio::sync::broadcast;

use crate::engine::Engine;
use crate::feed::Delta;
use crate::health::SourceStatus;
use crate::model::Bbox;
use crate::store::audit::{AuditEntry, AuditRecord};
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
}

#[derive(Debug, Clone, Serialize)]
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
}

#[derive(Debug, Clone, Serialize)]
pub struct IncidentsMeta {
    pub categories: Vec<String>,
    pub departments: Vec<String>,
}

/// A wall whose data sits on one spot still opens on a street, not on a single pixel (~2 km).
const DATA_EXTENT_MIN_DEG: f64 = 0.02;

#[derive(Debug, Clone, Serialize)]
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
}

impl Api {
    /// A façade for a wall that runs open (every caller is its local operator): the desktop
    /// app on its own machine. A server sets how it admits people with [`Api::with_access`].
    pub fn new(engine: Arc<Engine>) -> Self {
        Api {
            engine,
            access: Arc::new(crate::access::Access::shipped()),
            cases: Arc::new(crate::cases::Loop::shipped()),
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
            extent: self.extent().map(|b| self.engine.display.bbox_out(b)),
            panels: self.engine.config.panels.clone(),
            centre: self.engine.config.centre.clone(),
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
        }
    }

    fn extent(&self) -> Option<crate::model::Bbox> {
        let config = &self.engine.config;
        config
            .map
            .extent()
            .or_else(|| self.engine.regions.extent())
            .or_else(|| {
                self.engine
                    .index()
                    .extent()
                    .map(|b| b.at_least(DATA_EXTENT_MIN_DEG))
            })
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

    /// The polygons of one region level, as GeoJSON, for choropleths.
    pub fn regions(&self, level: &str) -> Result<Value, ApiError> {
        let mut polygons = self.known_level(level)?.geojson();
        self.engine.display.geojson_out(&mut polygons);
        Ok(polygons)
    }

    /// Features of `layer` counted per polygon of `level` (since `since`, Unix ms on the data
    /// clock, when given), with severities where the layer ranks them.
    pub fn aggregate(
        &self,
        layer: &str,
        level: &str,
        since: Option<i64>,
    ) -> Result<Value, ApiError> {
        let config = self.known_layer(layer)?;
        let regions = self.known_level(level)?;
        let mut counts = vec![0u64; regions.regions.len()];
        let ranks = config.severity.as_ref().map(|s| s.order.len()).unwrap_or(0);
        let mut severities = vec![vec![0u64; ranks]; regions.regions.len()];
        let (mut total, mut outside) = (0u64, 0u64);
        let index = self.engine.index();
        for f in index.layer(layer).into_iter().flat_map(|l| l.iter()) {
            if let Some(since) = since {
                let at = config
                    .time_field
                    .as_deref()
                    .and_then(|k| crate::rules::time_ms(&f.properties, k))
                    .unwrap_or(f.updated_at);
                if at < since {
                    continue;
                }
            }
            total += 1;
            match regions.locate(f.lon, f.lat) {
                Some(i) => {
                    counts[i] += 1;
                    if let Some(r) = config.severity.as_ref().and_then(|s| s.rank(&f.properties)) {
                        severities[i][r as usize] += 1;
                    }
                }
                None => outside += 1,
            }
        }
        let names = config
            .severity
            .as_ref()
            .map(|s| s.order.clone())
            .unwrap_or_default();
        let mut rows: Vec<Value> = regions
            .regions
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let by: serde_json::Map<String, Value> = names
                    .iter()
                    .zip(&severities[i])
                    .filter(|(_, n)| **n > 0)
                    .map(|(k, n)| (k.clone(), json!(n)))
                    .collect();
                json!({"id": r.id, "name": r.name, "count": counts[i], "by_severity": by})
            })
            .collect();
        rows.sort_by(|a, b| b["count"].as_u64().cmp(&a["count"].as_u64()));
        Ok(json!({
            "layer": layer,
            "level": level,
            "since": since,
            "total": total,
            "outside": outside,
            "max": counts.iter().max().copied().unwrap_or(0),
            "regions": rows,
        }))
    }

    /// Warnings: the open ones from memory, or every one (cleared too) from the store, newest
    /// change first.
    pub async fn warnings(
        &self,
        all: bool,
        limit: u32,
    ) -> Result<Vec<crate::rules::Warning>, ApiError> {
        let limit = limit.clamp(1, 5000);
        if all {
            let all = self.engine.store.warnings(false, limit).await?;
            return Ok(all
                .into_iter()
                .map(|w| self.engine.warning_out(w))
                .collect());
        }
        let state = self.engine.rules.lock().await;
        let mut open: Vec<crate::rules::Warning> = state.warnings.open().cloned().collect();
        open.sort_by(|a, b| {
            b.what
                .level
                .cmp(&a.what.level)
                .then((a.state as u8).cmp(&(b.state as u8)))
                .then(b.updated_at.cmp(&a.updated_at))
        });
        open.truncate(limit as usize);
        Ok(open
            .into_iter()
            .map(|w| self.engine.warning_out(w))
            .collect())
    }

    /// Acknowledges an open warning. The audit names the principal; on an open wall, which has
    /// no accounts, it names `by`, the operator's name as the console gives it.
    pub async fn acknowledge(
        &self,
        principal: &crate::access::Principal,
        id: &str,
        by: &str,
    ) -> Result<crate::rules::Warning, ApiError> {
        self.access.check(principal, "warning.acknowledge")?;
        let by = if principal.via == "open" {
            by.trim()
        } else {
            principal.name.as_str()
        };
        if by.is_empty() || by.chars().count() > 64 {
            return Err(ApiError::BadRequest(
                "`by` must name who acknowledges (1 to 64 characters)".into(),
            ));
        }
        let now = self.engine.data_now();
        let warning = {
            let mut state = self.engine.rules.lock().await;
            state.warnings.acknowledge(id, by, now)
        }
        .ok_or_else(|| ApiError::NotFound(format!("no open warning `{id}`")))?;
        let action = AuditEntry {
            actor: by.to_string(),
            action: "warning.acknowledge".into(),
            target: warning.id.clone(),
            detail: serde_json::json!({ "level": warning.what.level.as_str(), "title": warning.what.title, "via": principal.via }),
        };
        self.engine
            .publish_warnings_audited(vec![warning.clone()], &action)
            .await?;
        Ok(self.engine.warning_out(warning))
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

    /// The audit log after row `after_seq`, oldest first.
    pub async fn audit(
        &self,
        principal: &crate::access::Principal,
        after_seq: i64,
        limit: u32,
    ) -> Result<Vec<AuditRecord>, ApiError> {
        self.access.check(principal, "audit.read")?;
        Ok(self
            .engine
            .store
            .audit(after_seq, limit.min(10_000))
            .await?)
    }

    /// Features whose name, category, place, id or a recently seen plate holds `query`.
    pub fn search(&self, query: &str) -> Result<Vec<crate::search::Hit>, ApiError> {
        if query.chars().count() > 64 {
            return Err(ApiError::BadRequest(
                "`q` is longer than 64 characters".into(),
            ));
        }
        let layers: Vec<String> = self
            .engine
            .config
            .layers
            .iter()
            .map(|l| l.id.clone())
            .collect();
        let mut hits = crate::search::search(&self.engine.index(), &layers, query);
        for hit in &mut hits {
            (hit.lon, hit.lat) = self.engine.display.out(hit.lon, hit.lat);
        }
        Ok(hits)
    }

    /// The headline numbers' trend since the engine started, oldest first; with `since` (data
    /// clock ms), only the samples after it — what a wall that already holds the trend needs.
    pub fn summary_series(&self, since: Option<i64>) -> Vec<crate::kpi::Sample> {
        let series = self
            .engine
            .kpi_series
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        let after = since.unwrap_or(i64::MIN);
        // Samples are in time order: skip from the back to the first newer one.
        let newer = series.iter().rev().take_while(|s| s.at > after).count();
        series.iter().skip(series.len() - newer).cloned().collect()
    }

    /// The wall's headline numbers over the whole city.
    pub fn summary(&self) -> crate::kpi::Summary {
        crate::kpi::summarize(
            &self.engine.index(),
            &crate::kpi::KpiLayers::of(&self.engine.config),
        )
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
        Ok(self
            .engine
            .store
            .rejected(source, limit.unwrap_or(100).min(1000))
            .await?)
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Delta>> {
        self.engine.feed.subscribe()
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
