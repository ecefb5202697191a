//! Cameras best placed to see a point or a feature: field of view first, then distance (to the
//! nearest part of a line or polygon).

use serde_json::{json, Value};
use std::borrow::Cow;

use super::{Api, ApiError};

impl Api {
    /// Near a feature (`layer` and `id`: a line or polygon is measured to its nearest part),
    /// or near a point (`lon`, `lat`): the cameras best placed to see it.
    pub fn cameras_near(
        &self,
        lon: Option<f64>,
        lat: Option<f64>,
        layer: Option<&str>,
        id: Option<&str>,
        k: usize,
    ) -> Result<Vec<Value>, ApiError> {
        if let Some(layer) = layer {
            let id =
                id.ok_or_else(|| ApiError::BadRequest("`id` is required with `layer`".into()))?;
            return self.cameras_near_feature(layer, id, k);
        }
        match (lon, lat) {
            (Some(lon), Some(lat)) => self.cameras_nearest(lon, lat, k),
            _ => Err(ApiError::BadRequest(
                "say where: `lon` and `lat`, or `layer` and `id`".into(),
            )),
        }
    }

    /// The `k` cameras best placed to see (lon, lat), a point on the map (in the map's datum):
    /// cameras online whose field of view covers the point first, nearest first; then the
    /// others that are merely near.
    pub fn cameras_nearest(&self, lon: f64, lat: f64, k: usize) -> Result<Vec<Value>, ApiError> {
        super::lonlat_in_range(lon, lat)?;
        let (lon, lat) = self.engine.display.back(lon, lat);
        let target = crate::model::Feature {
            layer: String::new(),
            id: String::new(),
            source: String::new(),
            lon,
            lat,
            shape: None,
            properties: Default::default(),
            updated_at: 0,
        };
        self.cameras_seeing(&target, k)
    }

    /// The `k` cameras best placed to see a feature: for a line or polygon, each camera is
    /// measured to the nearest part of it (a camera beside a long road segment is near it even
    /// when far from its middle).
    pub fn cameras_near_feature(
        &self,
        layer: &str,
        id: &str,
        k: usize,
    ) -> Result<Vec<Value>, ApiError> {
        self.known_layer(layer)?;
        let target = self
            .engine
            .index()
            .layer(layer)
            .and_then(|l| l.get(id))
            .map(std::borrow::Cow::into_owned)
            .ok_or_else(|| ApiError::NotFound(format!("no feature `{id}` in layer `{layer}`")))?;
        self.cameras_seeing(&target, k)
    }

    /// The camera config and camera `id`, or why there is none.
    pub(super) fn camera(
        &self,
        id: &str,
    ) -> Result<(&crate::config::CameraConfig, crate::model::Feature), ApiError> {
        let cameras = self.engine.config.cameras.as_ref().ok_or_else(|| {
            ApiError::NotFound("no camera layer configured ([cameras] layer = …)".into())
        })?;
        let camera = self
            .engine
            .index()
            .layer(&cameras.layer)
            .and_then(|l| l.get(id).map(std::borrow::Cow::into_owned))
            .ok_or_else(|| ApiError::NotFound(format!("no camera `{id}`")))?;
        Ok((cameras, camera))
    }

    /// Watches camera `id`'s live stream (`main`: the main stream, for a maximised tile). The
    /// stream's URL stays in the engine: it may carry credentials.
    pub fn watch_camera(
        &self,
        id: &str,
        main: bool,
    ) -> Result<tokio::sync::watch::Receiver<crate::video::Live>, ApiError> {
        let (cameras, camera) = self.camera(id)?;
        let url = cameras
            .stream_url(main, &camera.id, &camera.properties)
            .ok_or_else(|| {
                ApiError::NotFound(format!(
                    "camera `{id}` has no stream ([cameras] stream, or a field it names, is missing)"
                ))
            })?;
        let credentials = cameras
            .credentials(&camera.properties)
            .map_err(ApiError::Conflict)?
            .map(|(username, password)| crate::video::Credentials { username, password });
        Ok(self.video.watch(&url, credentials))
    }

    /// Records what a wall put on its video tiles — who, which camera on which tile, and why
    /// (`linkage`: following a warning; `operator`: chosen by hand; `maximise`) — in the audit
    /// log.
    pub async fn record_video_push(
        &self,
        who: &crate::access::Principal,
        tiles: &[(u8, String, bool)],
        reason: &str,
    ) -> Result<(), ApiError> {
        let reason = match reason {
            "linkage" | "maximise" | "tour" => reason,
            _ => "operator",
        };
        let entry = crate::store::audit::AuditEntry {
            actor: who.name.clone(),
            action: "video.push".into(),
            target: tiles
                .iter()
                .map(|(_, camera, _)| camera.as_str())
                .collect::<Vec<_>>()
                .join(","),
            detail: serde_json::json!({
                "tiles": tiles.iter().map(|(tile, camera, main)| serde_json::json!({"tile": tile, "camera": camera, "main": main})).collect::<Vec<_>>(),
                "reason": reason,
                "via": who.via,
            }),
        };
        self.engine.record(&entry, None).await?;
        Ok(())
    }

    /// How many camera streams the engine reads now.
    pub fn video_streams(&self) -> usize {
        self.video.streams()
    }

    fn cameras_seeing(
        &self,
        target: &crate::model::Feature,
        k: usize,
    ) -> Result<Vec<Value>, ApiError> {
        let cameras = self.engine.config.cameras.as_ref().ok_or_else(|| {
            ApiError::NotFound("no camera layer configured ([cameras] layer = …)".into())
        })?;
        if !(1..=100).contains(&k) {
            return Err(ApiError::BadRequest(format!("`k` {k} is outside 1..100")));
        }
        let index = self.engine.index();
        let Some(layer) = index.layer(&cameras.layer) else {
            return Ok(Vec::new());
        };
        // Candidates: the nearest cameras by degrees, enough that the ones covering the point
        // (ranges of a few hundred metres) are among them; for a shape, also every camera
        // within about a kilometre of its box.
        let mut candidates = layer.nearest(target.lon, target.lat, k.max(8) * 25);
        if target.shape.is_some() {
            let near = target.bbox().grown(0.01);
            let mut seen: std::collections::HashSet<String> =
                candidates.iter().map(|f| f.id.clone()).collect();
            candidates.extend(layer.in_bbox(&near).filter(|f| seen.insert(f.id.clone())));
        }
        let mut ranked: Vec<(bool, f64, f64, f64, Cow<'_, crate::model::Feature>)> = candidates
            .into_iter()
            .map(|f| {
                let p = &f.properties;
                let seen_at = match &target.shape {
                    Some(shape) => shape.closest_to(f.lon, f.lat),
                    None => (target.lon, target.lat),
                };
                let distance = crate::rules::metres([f.lon, f.lat], [seen_at.0, seen_at.1]);
                let bearing = bearing_deg([f.lon, f.lat], [seen_at.0, seen_at.1]);
                let online = p
                    .get(&cameras.online_field)
                    .and_then(Value::as_bool)
                    .unwrap_or(true);
                let range = crate::rules::num(p, &cameras.range_field).unwrap_or(0.0);
                let fov = crate::rules::num(p, &cameras.fov_field).unwrap_or(0.0);
                let heading = crate::rules::num(p, &cameras.heading_field).unwrap_or(0.0);
                let off_axis = ((bearing - heading + 540.0) % 360.0 - 180.0).abs();
                let covers = online && distance <= range && (fov >= 360.0 || off_axis <= fov / 2.0);
                (covers, if online { 0.0 } else { 1.0 }, distance, bearing, f)
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
            .map(|(covers, _, distance, bearing, f)| {
                let mut g = f.to_geojson(false);
                g["properties"]["_covers"] = json!(covers);
                g["properties"]["_distance_m"] = json!((distance * 10.0).round() / 10.0);
                g["properties"]["_bearing_deg"] = json!(bearing.round());
                self.engine.display.geojson_out(&mut g);
                g
            })
            .collect())
    }
}

/// Compass bearing from `a` to `b`, degrees clockwise from north.
fn bearing_deg(a: [f64; 2], b: [f64; 2]) -> f64 {
    let lat = ((a[1] + b[1]) / 2.0).to_radians();
    let dx = (b[0] - a[0]) * lat.cos();
    let dy = b[1] - a[1];
    (dx.atan2(dy).to_degrees() + 360.0) % 360.0
}
