//! Viewport answers: a layer's features or clusters in a box (lines and polygons simplified to
//! the zoom), its cluster pyramid kept current off the index lock, and its vector tiles.

use serde_json::{json, Value};

use super::{Api, ApiError, FeatureQuery, MAX_FEATURES_PER_ANSWER};

impl Api {
    /// A GeoJSON FeatureCollection of the layer's features in the box (all of them without one),
    /// the box and the answer in the map's datum.
    pub fn features(&self, query: &FeatureQuery) -> Result<Value, ApiError> {
        let display = self.engine.display;
        let mut answer = if display.is_shifted() {
            let mut query = query.clone();
            query.bbox = query.bbox.map(|b| display.bbox_back(b));
            self.features_wgs84(&query)?
        } else {
            self.features_wgs84(query)?
        };
        display.geojson_out(&mut answer);
        Ok(answer)
    }

    fn features_wgs84(&self, query: &FeatureQuery) -> Result<Value, ApiError> {
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
                features
                    .push(f.to_geojson_simplified(stale_sources.contains(&f.source), tolerance));
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
        let pyramid = self.pyramid_of(layer, features);
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
        let zoom = if f64::from(z) >= points_from {
            99.0
        } else {
            f64::from(z)
        };
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
        // Lines and polygons lose what a quarter of a screen pixel cannot show.
        let tolerance = crate::model::pixel_degrees(f64::from(z)) / 4.0;
        let feature_geometry = |f: &crate::model::Feature| match &f.shape {
            Some(shape) => crate::mvt::Geometry::from_geo(&shape.simplified(tolerance), project),
            None => crate::mvt::Geometry::Points(vec![project(f.lon, f.lat)]),
        };
        let add = |out: &mut crate::mvt::Layer, f: &crate::model::Feature| {
            let mut props: Vec<(&str, crate::mvt::Value)> =
                Vec::with_capacity(f.properties.len() + 1);
            props.push(("_id", crate::mvt::Value::String(f.id.clone())));
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
            out.add(None, &props, &feature_geometry(f));
        };
        if zoom > 24.0 {
            // Features: every one whose point, line or polygon crosses the tile.
            let [west, south, east, north] = bbox;
            let within = crate::model::Bbox {
                west,
                south,
                east,
                north,
            };
            for f in features.in_bbox(&within) {
                add(&mut out, f);
            }
            return Ok(crate::mvt::encode_tile(&[out]));
        }
        for node in pyramid.pyramid.query(bbox, zoom) {
            let [lon, lat] = node.lon_lat();
            if node.count > 1 {
                let mut props = vec![("point_count", crate::mvt::Value::Int(node.count as i64))];
                if let Some(name) = node
                    .top_severity()
                    .and_then(|r| severity.as_ref().and_then(|s| s.order.get(r as usize)))
                {
                    props.push(("severity", crate::mvt::Value::String(name.clone())));
                }
                out.add(
                    None,
                    &props,
                    &crate::mvt::Geometry::Points(vec![project(lon, lat)]),
                );
                continue;
            }
            if let Some(f) = pyramid
                .ids
                .get(node.point as usize)
                .and_then(|id| features.get(id))
            {
                add(&mut out, f);
            }
        }
        Ok(crate::mvt::encode_tile(&[out]))
    }
}
