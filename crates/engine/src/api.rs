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
    /// The city's own basemap (`[basemap]`), its tiles through [`Api::basemap_tile`]; `None`:
    /// the shipped demo archive.
    pub basemap: Option<crate::config::BasemapConfig>,
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
            extent: self.extent(),
            panels: self.engine.config.panels.clone(),
            basemap: self.engine.config.basemap.clone().map(|mut b| {
                // Where the tiles come from is the engine's business, not the wall's.
                b.raster = String::new();
                b
            }),
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

    /// A GeoJSON FeatureCollection of the layer's features in the box (all of them without one).
    pub fn features(&self, query: &FeatureQuery) -> Result<Value, ApiError> {
        self.known_layer(&query.layer)?;
        let stale_sources: Vec<String> = self
            .engine
            .health
            .all()
            .into_iter()
            .filter(|s| s.state.is_stale())
            .map(|s| s.id)
            .collect();
        let index = self.engine.index();
        let layer_config = self.engine.config.layer(&query.layer);
        let cluster_below = layer_config.and_then(|l| l.cluster_below_zoom);
        if let (Some(below), Some(zoom), Some(layer)) =
            (cluster_below, query.zoom, index.layer(&query.layer))
        {
            if zoom < below {
                let severity = layer_config.and_then(|l| l.severity.clone());
                let pyramid = self.pyramid_of(&query.layer, layer);
                let bbox = query
                    .bbox
                    .map(|b| [b.west, b.south, b.east, b.north])
                    .unwrap_or([-180.0, -85.0, 180.0, 85.0]);
                let nodes = pyramid.pyramid.query(bbox, zoom);
                let truncated = nodes.len() > MAX_FEATURES_PER_ANSWER;
                let items: Vec<Value> = nodes
                    .iter()
                    .take(MAX_FEATURES_PER_ANSWER)
                    .enumerate()
                    .filter_map(|(i, n)| {
                        if n.count == 1 {
                            let id = pyramid.ids.get(n.point as usize)?;
                            let f = layer.get(id)?;
                            return Some(f.to_geojson(stale_sources.contains(&f.source)));
                        }
                        let [lon, lat] = n.lon_lat();
                        let names = severity
                            .as_ref()
                            .map(|s| s.order.clone())
                            .unwrap_or_default();
                        let by_severity: serde_json::Map<String, Value> = names
                            .iter()
                            .zip(n.severities.iter())
                            .filter(|(_, c)| **c > 0)
                            .map(|(name, c)| (name.clone(), json!(c)))
                            .collect();
                        Some(json!({
                            "type": "Feature",
                            // Ids of clusters hold for one answer only: a client replaces them
                            // all on the next fetch.
                            "id": format!("cluster:{}:{i}", zoom.floor()),
                            "geometry": {"type": "Point", "coordinates": [lon, lat]},
                            "properties": {
                                "_cluster": true,
                                "count": n.count,
                                "severity": n.top_severity().and_then(|r| names.get(r as usize)),
                                "by_severity": by_severity,
                                "extent": n.extent,
                            },
                        }))
                    })
                    .collect();
                return Ok(json!({
                    "type": "FeatureCollection",
                    "layer": query.layer,
                    "mode": "clusters",
                    "truncated": truncated,
                    "seq": self.engine.feed.last_seq(),
                    "features": items,
                }));
            }
        }
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
            "mode": "features",
            "truncated": truncated,
            "seq": self.engine.feed.last_seq(),
            "features": features,
        }))
    }

    /// The layer's cluster pyramid. A small layer's is rebuilt on the spot when out of date; a
    /// big layer answers from its last pyramid (one rebuild behind at most) while a new one is
    /// built off the index lock, so a viewport never waits for a million-point rebuild.
    fn pyramid_of(
        &self,
        id: &str,
        layer: &crate::spatial::LayerIndex,
    ) -> std::sync::Arc<crate::spatial::LayerPyramid> {
        const REBUILD_INLINE_BELOW: usize = 50_000;
        let severity = self
            .engine
            .config
            .layer(id)
            .and_then(|l| l.severity.clone());
        let rank =
            move |f: &crate::model::Feature| severity.as_ref().and_then(|s| s.rank(&f.properties));
        match layer.cached_pyramid() {
            Some((pyramid, true)) => pyramid,
            Some((pyramid, false)) if layer.len() >= REBUILD_INLINE_BELOW => {
                self.rebuild_in_background(id);
                pyramid
            }
            _ => layer.pyramid(rank),
        }
    }

    fn rebuild_in_background(&self, id: &str) {
        if !self.engine.begin_rebuild(id) {
            return;
        }
        let engine = self.engine.clone();
        let id = id.to_string();
        // A plain thread: callers need not be inside the async runtime (Tauri's sync commands
        // are not).
        std::thread::spawn(move || {
            let severity = engine.config.layer(&id).and_then(|l| l.severity.clone());
            let inputs = engine.index().layer(&id).map(|l| {
                l.pyramid_inputs(|f| severity.as_ref().and_then(|s| s.rank(&f.properties)))
            });
            if let Some((generation, ids, points)) = inputs {
                let pyramid = crate::spatial::cluster::ClusterPyramid::build(
                    &points,
                    crate::spatial::cluster::ClusterOptions::default(),
                );
                let built = std::sync::Arc::new(crate::spatial::LayerPyramid { pyramid, ids });
                if let Some(l) = engine.index().layer(&id) {
                    l.install_pyramid(generation, built);
                }
            }
            engine.end_rebuild(&id);
        });
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
        Ok(self.known_level(level)?.geojson())
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

    /// One Mapbox Vector Tile of `layer`: clusters (`point_count`) below the layer's cluster
    /// zoom, points with their plain properties from it on.
    pub fn tile(&self, layer: &str, z: u8, x: u32, y: u32) -> Result<Vec<u8>, ApiError> {
        let config = self.known_layer(layer)?;
        if z > 24 || x >= (1u32 << z.min(31)) || y >= (1u32 << z.min(31)) {
            return Err(ApiError::BadRequest(format!("no tile {z}/{x}/{y}")));
        }
        let index = self.engine.index();
        let Some(features) = index.layer(layer) else {
            return Ok(crate::mvt::encode_tile(&[]));
        };
        let severity = config.severity.clone();
        let pyramid = self.pyramid_of(layer, features);
        let n = f64::from(1u32 << z);
        let lon_of = |tx: f64| tx / n * 360.0 - 180.0;
        let lat_of = |ty: f64| {
            let y = std::f64::consts::PI * (1.0 - 2.0 * ty / n);
            y.sinh().atan().to_degrees()
        };
        // A buffer of 1/16 tile, so symbols at tile edges are not cut.
        let (b, (fx, fy)) = (1.0 / 16.0, (f64::from(x), f64::from(y)));
        let bbox = [
            lon_of(fx - b),
            lat_of(fy + 1.0 + b),
            lon_of(fx + 1.0 + b),
            lat_of(fy - b),
        ];
        let points_from = config.cluster_below_zoom.unwrap_or(0.0);
        let zoom = if f64::from(z) >= points_from {
            99.0
        } else {
            f64::from(z)
        };
        let mut out = crate::mvt::Layer::new(layer);
        let extent = f64::from(crate::mvt::EXTENT);
        for node in pyramid.pyramid.query(bbox, zoom) {
            let [lon, lat] = node.lon_lat();
            let px = ((lon + 180.0) / 360.0 * n - fx) * extent;
            let s = lat.to_radians().sin();
            let my = (0.5 - 0.25 * ((1.0 + s) / (1.0 - s)).ln() / std::f64::consts::PI) * n;
            let py = (my - fy) * extent;
            let geometry =
                crate::mvt::Geometry::Points(vec![[px.round() as i32, py.round() as i32]]);
            if node.count > 1 {
                let mut props = vec![("point_count", crate::mvt::Value::Int(node.count as i64))];
                if let Some(name) = node
                    .top_severity()
                    .and_then(|r| severity.as_ref().and_then(|s| s.order.get(r as usize)))
                {
                    props.push(("severity", crate::mvt::Value::String(name.clone())));
                }
                out.add(None, &props, &geometry);
                continue;
            }
            let Some(f) = pyramid
                .ids
                .get(node.point as usize)
                .and_then(|id| features.get(id))
            else {
                continue;
            };
            let mut props: Vec<(&str, crate::mvt::Value)> =
                vec![("_id", crate::mvt::Value::String(f.id.clone()))];
            for (k, v) in &f.properties {
                let v = match v {
                    Value::String(s) => crate::mvt::Value::String(s.clone()),
                    Value::Bool(b) => crate::mvt::Value::Bool(*b),
                    Value::Number(num) => match num.as_i64() {
                        Some(i) => crate::mvt::Value::Int(i),
                        None => crate::mvt::Value::Double(num.as_f64().unwrap_or(0.0)),
                    },
                    _ => continue,
                };
                props.push((k.as_str(), v));
            }
            out.add(None, &props, &geometry);
        }
        Ok(crate::mvt::encode_tile(&[out]))
    }

    /// The `k` cameras best placed to see (lon, lat): cameras online whose field of view covers
    /// the point first, nearest first; then the others that are merely near.
    pub fn cameras_nearest(&self, lon: f64, lat: f64, k: usize) -> Result<Vec<Value>, ApiError> {
        let cameras = self.engine.config.cameras.as_ref().ok_or_else(|| {
            ApiError::NotFound("no camera layer configured ([cameras] layer = …)".into())
        })?;
        if !(lon.is_finite()
            && lat.is_finite()
            && (-180.0..=180.0).contains(&lon)
            && (-90.0..=90.0).contains(&lat))
        {
            return Err(ApiError::BadRequest(format!(
                "`lon`,`lat` {lon},{lat} is outside WGS84 range"
            )));
        }
        if !(1..=100).contains(&k) {
            return Err(ApiError::BadRequest(format!("`k` {k} is outside 1..100")));
        }
        let index = self.engine.index();
        let Some(layer) = index.layer(&cameras.layer) else {
            return Ok(Vec::new());
        };
        // Candidates: the nearest cameras by degrees, enough that the ones covering the point
        // (ranges of a few hundred metres) are among them.
        let mut ranked: Vec<(bool, f64, f64, &crate::model::Feature)> = layer
            .nearest(lon, lat)
            .take(k.max(8) * 25)
            .map(|f| {
                let p = &f.properties;
                let distance = crate::rules::metres([f.lon, f.lat], [lon, lat]);
                let bearing = bearing_deg([f.lon, f.lat], [lon, lat]);
                let online = p
                    .get(&cameras.online_field)
                    .and_then(Value::as_bool)
                    .unwrap_or(true);
                let range = crate::rules::num(p, &cameras.range_field).unwrap_or(0.0);
                let fov = crate::rules::num(p, &cameras.fov_field).unwrap_or(0.0);
                let heading = crate::rules::num(p, &cameras.heading_field).unwrap_or(0.0);
                let off_axis = ((bearing - heading + 540.0) % 360.0 - 180.0).abs();
                let covers = online && distance <= range && (fov >= 360.0 || off_axis <= fov / 2.0);
                (covers, if online { 0.0 } else { 1.0 }, distance, f)
            })
            .collect();
        ranked.sort_by(|a, b| {
            b.0.cmp(&a.0)
                .then(a.1.total_cmp(&b.1))
                .then(a.2.total_cmp(&b.2))
        });
        Ok(ranked
            .into_iter()
            .take(k)
            .map(|(covers, _, distance, f)| {
                let mut g = f.to_geojson(false);
                g["properties"]["_covers"] = json!(covers);
                g["properties"]["_distance_m"] = json!((distance * 10.0).round() / 10.0);
                g["properties"]["_bearing_deg"] =
                    json!(bearing_deg([f.lon, f.lat], [lon, lat]).round());
                g
            })
            .collect())
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
            return Ok(self.engine.store.warnings(false, limit).await?);
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
        Ok(open)
    }

    /// Acknowledges an open warning on behalf of `by` (the operator's name or console).
    pub async fn acknowledge(&self, id: &str, by: &str) -> Result<crate::rules::Warning, ApiError> {
        let by = by.trim();
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
            detail: serde_json::json!({ "level": warning.what.level.as_str(), "title": warning.what.title }),
        };
        self.engine
            .publish_warnings_audited(vec![warning.clone()], &action)
            .await?;
        Ok(warning)
    }

    /// One tile of the configured basemap, fetched by the engine (cached).
    pub async fn basemap_tile(
        &self,
        z: u8,
        x: u32,
        y: u32,
    ) -> Result<crate::basemap::Tile, ApiError> {
        let proxy = self
            .engine
            .basemap
            .as_ref()
            .ok_or(crate::basemap::BasemapError::NotConfigured)?;
        Ok(proxy.tile(z, x, y).await?)
    }

    /// The audit log after row `after_seq`, oldest first.
    pub async fn audit(&self, after_seq: i64, limit: u32) -> Result<Vec<AuditRecord>, ApiError> {
        Ok(self
            .engine
            .store
            .audit(after_seq, limit.min(10_000))
            .await?)
    }

    /// Replay: the layer as it stood at `at` (Unix ms on the data clock), from the stored
    /// history, inside `bbox`. The same instant always gives the same answer.
    pub async fn replay(
        &self,
        layer: &str,
        at: i64,
        bbox: Option<Bbox>,
    ) -> Result<Value, ApiError> {
        self.known_layer(layer)?;
        let wall = self.engine.data_to_wall(at);
        let features = self
            .engine
            .store
            .features_at(
                layer,
                wall,
                bbox.map(|b| [b.west, b.south, b.east, b.north]),
            )
            .await?;
        let mut items: Vec<Value> = features.iter().map(|f| f.to_geojson(false)).collect();
        // A stable order, so two replays of one instant are byte for byte the same.
        items.sort_by(|a, b| a["id"].as_str().cmp(&b["id"].as_str()));
        Ok(json!({
            "type": "FeatureCollection",
            "layer": layer,
            "mode": "replay",
            "at": at,
            "truncated": false,
            "seq": 0,
            "features": items,
        }))
    }

    /// The span replay can show: from the first stored change to now, on the data clock.
    pub async fn replay_span(&self) -> Result<Value, ApiError> {
        let span = self.engine.store.history_span().await?;
        Ok(json!({
            "from": span.map(|(first, _)| self.engine.wall_to_data(first)),
            "to": self.engine.data_now(),
        }))
    }

    /// The warnings open at `at` (data clock), as they stood then.
    pub async fn replay_warnings(&self, at: i64) -> Result<Vec<crate::rules::Warning>, ApiError> {
        Ok(self.engine.store.warnings_at(at).await?)
    }

    /// The wall's headline numbers as they stood at `at` (data clock).
    pub async fn replay_summary(&self, at: i64) -> Result<crate::kpi::Summary, ApiError> {
        let wall = self.engine.data_to_wall(at);
        let layers = crate::kpi::KpiLayers::of(&self.engine.config);
        let mut features = Vec::new();
        for layer in layers.ids() {
            features.extend(self.engine.store.features_at(layer, wall, None).await?);
        }
        Ok(crate::kpi::summarize(
            &crate::spatial::SpatialIndex::load(features),
            &layers,
        ))
    }

    /// One feature's recorded states since `since` (data clock), oldest first: what the detail
    /// panel's charts draw.
    pub async fn history(
        &self,
        layer: &str,
        id: &str,
        since: i64,
        limit: u32,
    ) -> Result<Vec<Value>, ApiError> {
        self.known_layer(layer)?;
        let wall = self.engine.data_to_wall(since);
        let rows = self
            .engine
            .store
            .feature_history(layer, id, wall, limit.clamp(1, 5000))
            .await?;
        Ok(rows
            .into_iter()
            .map(|(at, p)| json!({"at": self.engine.wall_to_data(at), "properties": p}))
            .collect())
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

/// Compass bearing from `a` to `b`, degrees clockwise from north.
fn bearing_deg(a: [f64; 2], b: [f64; 2]) -> f64 {
    let lat = ((a[1] + b[1]) / 2.0).to_radians();
    let dx = (b[0] - a[0]) * lat.cos();
    let dy = b[1] - a[1];
    (dx.atan2(dy).to_degrees() + 360.0) % 360.0
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
