//! The one façade both transports call: Tauri IPC commands in `src-tauri` and the HTTP/WebSocket
//! server in [`crate::serve`]. Argument checking lives here so both answer the same way.

use std::sync::Arc;

use serde::Serialize;
use serde_json::{json, Value};
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
}

#[derive(Debug, Clone, Serialize)]
pub struct LayerInfo {
    pub id: String,
    pub title_zh: String,
    pub title_en: String,
    pub count: usize,
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
}

impl Api {
    pub fn new(engine: Arc<Engine>) -> Self {
        Api { engine }
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
            })
            .collect()
    }

    /// A GeoJSON FeatureCollection of the layer's features in the box (all of them without one).
    pub fn features(&self, query: &FeatureQuery) -> Result<Value, ApiError> {
        if self.engine.config.layer(&query.layer).is_none() {
            let known: Vec<&str> = self
                .engine
                .config
                .layers
                .iter()
                .map(|l| l.id.as_str())
                .collect();
            return Err(ApiError::NotFound(format!(
                "no layer `{}`; layers: {}",
                query.layer,
                known.join(", ")
            )));
        }
        let stale_sources: Vec<String> = self
            .engine
            .health
            .all()
            .into_iter()
            .filter(|s| s.state.is_stale())
            .map(|s| s.id)
            .collect();
        let index = self.engine.index();
        let mut features = Vec::new();
        let mut truncated = false;
        if let Some(layer) = index.layer(&query.layer) {
            let iter: Box<dyn Iterator<Item = _>> = match &query.bbox {
                Some(b) => Box::new(layer.in_bbox(b)),
                None => Box::new(layer.iter()),
            };
            for f in iter {
                if features.len() == MAX_FEATURES_PER_ANSWER {
                    truncated = true;
                    break;
                }
                features.push(f.to_geojson(stale_sources.contains(&f.source)));
            }
        }
        Ok(json!({
            "type": "FeatureCollection",
            "layer": query.layer,
            "truncated": truncated,
            "seq": self.engine.feed.last_seq(),
            "features": features,
        }))
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
        Ok(crate::search::search(&self.engine.index(), &layers, query))
    }

    /// The wall's headline numbers over the whole city.
    pub fn summary(&self) -> crate::kpi::Summary {
        crate::kpi::summarize(&self.engine.index())
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
