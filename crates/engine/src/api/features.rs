//! Viewport answers: a layer's features or clusters in a box (lines and polygons simplified to
//! the zoom), its cluster pyramid kept current off the index lock, and its vector tiles.

use serde_json::{json, Value};

use super::{Api, ApiError, FeatureQuery, MAX_FEATURES_PER_ANSWER};

/// A viewport's features, written as the FeatureCollection the wall reads.
#[derive(serde::Serialize)]
struct Collection<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    layer: &'a str,
    mode: &'static str,
    truncated: bool,
    seq: u64,
    features: Vec<crate::geojson::FeatureView<'a>>,
}

/// An answer as the JSON text the wall receives.
fn written(answer: &impl serde::Serialize) -> Result<Vec<u8>, ApiError> {
    serde_json::to_vec(answer)
        .map_err(|e| ApiError::BadRequest(format!("the answer could not be written: {e}")))
}

/// A quarter of a screen pixel in tile units: a 256-pixel tile spans the tile's extent.
const QUARTER_PIXEL_UNITS: f64 = crate::mvt::EXTENT as f64 / 256.0 / 4.0;

impl Api {
    /// A GeoJSON FeatureCollection of the layer's features in the box (all of them without one),
    /// the box and the answer in the map's datum.
    pub fn features(&self, query: &FeatureQuery) -> Result<Value, ApiError> {
        serde_json::from_slice(&self.features_json(query)?)
            .map_err(|e| ApiError::BadRequest(format!("the answer did not read back: {e}")))
    }

    /// [`Api::features`] as the JSON text the wall receives, written straight from the index.
    pub fn features_json(&self, query: &FeatureQuery) -> Result<Vec<u8>, ApiError> {
        let display = self.engine.display;
        if display.is_shifted() {
            let mut query = query.clone();
            query.bbox = query.bbox.map(|b| display.bbox_back(b));
            self.features_wgs84(&query)
        } else {
            self.features_wgs84(query)
        }
    }

    /// The answer to a query whose box is in WGS84, written in the map's datum.
    fn features_wgs84(&self, query: &FeatureQuery) -> Result<Vec<u8>, ApiError> {
        self.known_layer(&query.layer)?;
        let display = self.engine.display;
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
                let mut answer = json!({
                    "type": "FeatureCollection",
                    "layer": query.layer,
                    "mode": "clusters",
                    "truncated": truncated,
                    "seq": self.engine.feed.last_seq(),
                });
                // Moved in, not copied: `json!` would serialise the whole list into a new one.
                answer["features"] = Value::Array(items);
                display.geojson_out(&mut answer);
                return written(&answer);
            }
        }
        let mut features = Vec::new();
        let mut truncated = false;
        // Lines and polygons are simplified to about half a pixel at the asked zoom.
        let tolerance = query
            .zoom
            .map(|z| crate::model::pixel_degrees(z) / 2.0)
            .unwrap_or(0.0);
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
                features.push(crate::geojson::FeatureView {
                    stale: stale_sources.contains(&f.source),
                    feature: f,
                    tolerance,
                    datum: display,
                });
            }
        }
        written(&Collection {
            kind: "FeatureCollection",
            layer: &query.layer,
            mode: "features",
            truncated,
            seq: self.engine.feed.last_seq(),
            features,
        })
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
        let rank = |p: &serde_json::Map<String, Value>| severity.as_ref().and_then(|s| s.rank(p));
        match layer.cached_pyramid() {
            Some((pyramid, true)) => pyramid,
            Some((pyramid, false)) if layer.len() >= REBUILD_INLINE_BELOW => {
                self.rebuild_in_background(id);
                pyramid
            }
            _ => layer.pyramid(severity.is_some().then_some(&rank as _)),
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
                let rank =
                    |p: &serde_json::Map<String, Value>| severity.as_ref().and_then(|s| s.rank(p));
                l.pyramid_inputs(severity.is_some().then_some(&rank as _))
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

    /// One Mapbox Vector Tile of `layer`: clusters (`point_count`) below the layer's cluster
    /// zoom; from it on, every point, line and polygon crossing the tile with its plain
    /// properties.
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
        let n = f64::from(1u32 << z);
        let lon_of = |tx: f64| tx / n * 360.0 - 180.0;
        let lat_of = |ty: f64| {
            let y = std::f64::consts::PI * (1.0 - 2.0 * ty / n);
            y.sinh().atan().to_degrees()
        };
        // A buffer of 1/16 tile, so symbols at tile edges are not cut. The tile is in the map's
        // datum; the index is asked for the WGS84 box that holds it.
        let (b, (fx, fy)) = (1.0 / 16.0, (f64::from(x), f64::from(y)));
        let display = self.engine.display;
        let shown = display.bbox_back(crate::model::Bbox {
            west: lon_of(fx - b),
            south: lat_of(fy + 1.0 + b),
            east: lon_of(fx + 1.0 + b),
            north: lat_of(fy - b),
        });
        let bbox = [shown.west, shown.south, shown.east, shown.north];
        let points_from = config.cluster_below_zoom.unwrap_or(0.0);
        let mut out = crate::mvt::Layer::new(layer);
        let extent = f64::from(crate::mvt::EXTENT);
        let project = |lon: f64, lat: f64| {
            let (lon, lat) = display.out(lon, lat);
            let px = ((lon + 180.0) / 360.0 * n - fx) * extent;
            let s = lat.clamp(-85.06, 85.06).to_radians().sin();
            let my = (0.5 - 0.25 * ((1.0 + s) / (1.0 - s)).ln() / std::f64::consts::PI) * n;
            let py = (my - fy) * extent;
            [px.round() as i32, py.round() as i32]
        };
        let add = |out: &mut crate::mvt::Layer, f: &crate::model::Feature| {
            use crate::mvt::Value as V;
            use std::borrow::Cow::Borrowed;
            let plain = f.properties.iter().filter_map(|(k, v)| {
                let v = match v {
                    Value::String(s) => V::String(Borrowed(s)),
                    Value::Bool(b) => V::Bool(*b),
                    Value::Number(num) => match num.as_i64() {
                        Some(i) => V::Int(i),
                        None => V::Double(num.as_f64().unwrap_or(0.0)),
                    },
                    _ => return None,
                };
                Some((k.as_str(), v))
            });
            let properties = std::iter::once(("_id", V::String(Borrowed(&f.id)))).chain(plain);
            match &f.shape {
                // Lines and polygons lose what a quarter of a screen pixel cannot show.
                Some(shape) => {
                    out.add_geo(properties, shape.geometry(), project, QUARTER_PIXEL_UNITS)
                }
                None => {
                    let point = geo::Geometry::Point(geo::Point::new(f.lon, f.lat));
                    out.add_geo(properties, &point, project, 0.0)
                }
            };
        };
        if f64::from(z) >= points_from {
            // Features: every one whose point, line or polygon crosses the tile.
            let [west, south, east, north] = bbox;
            let within = crate::model::Bbox {
                west,
                south,
                east,
                north,
            };
            for f in features.in_bbox(&within) {
                add(&mut out, &f);
            }
            return Ok(crate::mvt::encode_tile(&[out]));
        }
        let zoom = f64::from(z);
        let pyramid = self.pyramid_of(layer, features);
        for node in pyramid.pyramid.query(bbox, zoom) {
            let [lon, lat] = node.lon_lat();
            if node.count > 1 {
                let mut props = vec![("point_count", crate::mvt::Value::Int(node.count as i64))];
                if let Some(name) = node
                    .top_severity()
                    .and_then(|r| severity.as_ref().and_then(|s| s.order.get(r as usize)))
                {
                    props.push(("severity", crate::mvt::Value::String(name.into())));
                }
                let point = geo::Geometry::Point(geo::Point::new(lon, lat));
                out.add_geo(props, &point, project, 0.0);
                continue;
            }
            if let Some(f) = pyramid
                .ids
                .get(node.point as usize)
                .and_then(|id| features.get(id))
            {
                add(&mut out, &f);
            }
        }
        Ok(crate::mvt::encode_tile(&[out]))
    }
}
