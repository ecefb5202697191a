//! The city's big static inventories, at deployment scale: the video platform's camera directory
//! (about 40,000 cameras — fixed, PTZ, drone, body-worn — each with heading, field of view, range
//! and online state) and the 城市部件 census (about 500,000 components: manholes, lamps,
//! hydrants, bins, signs). Placed along the city's roads and in its grids, deterministic by seed,
//! and rendered straight to GeoJSON text because at this size a `serde_json::Value` tree would
//! cost more than the data.

use std::fmt::Write;

use crate::city::{City, RoadClass};
use crate::geo::{dist, to_lonlat, P};
use crate::rng::{keyed, Rng};

pub const CAMERAS: usize = 40_000;
pub const COMPONENTS: usize = 500_000;

/// Camera types as the video platform names them, with their share, field of view and range.
const CAMERA_TYPES: [(&str, f64, f64, (f64, f64)); 4] = [
    ("枪机", 0.60, 70.0, (80.0, 200.0)),
    ("球机", 0.25, 360.0, (150.0, 300.0)),
    ("执法记录仪", 0.12, 120.0, (20.0, 40.0)),
    ("无人机", 0.03, 90.0, (400.0, 800.0)),
];

const COMPONENT_TYPES: [(&str, &str, f64); 5] = [
    ("井盖", "0101", 0.45),
    ("路灯", "0201", 0.30),
    ("垃圾箱", "0401", 0.10),
    ("消防栓", "0301", 0.08),
    ("交通标志牌", "0501", 0.07),
];

pub struct Camera {
    pub id: String,
    pub name: String,
    pub kind: &'static str,
    pub p: P,
    pub heading: f64,
    pub fov: f64,
    pub range: f64,
}

pub struct Inventory {
    pub cameras: Vec<Camera>,
    components: Vec<(P, u8, u8)>,
    seed: u64,
}

/// `n` points along the roads (weighted by class and length) with a sideways offset, each with
/// the heading of its road segment.
fn along_roads(city: &City, n: usize, rng: &mut Rng, offset: f64) -> Vec<(P, f64, String)> {
    let segments: Vec<(P, P, f64, &str)> = city
        .roads
        .iter()
        .flat_map(|r| {
            let weight = match r.class {
                RoadClass::Motorway => 0.6,
                RoadClass::Trunk => 1.6,
                RoadClass::Primary => 1.4,
                RoadClass::Secondary => 1.0,
                RoadClass::Minor => 0.7,
            };
            r.line
                .windows(2)
                .map(move |w| (w[0], w[1], dist(w[0], w[1]) * weight, r.name.as_str()))
        })
        .filter(|s| s.2 > 0.0)
        .collect();
    let total: f64 = segments.iter().map(|s| s.2).sum();
    let mut cumulative = Vec::with_capacity(segments.len());
    let mut acc = 0.0;
    for s in &segments {
        acc += s.2;
        cumulative.push(acc);
    }
    (0..n)
        .map(|_| {
            let pick = rng.f64() * total;
            let i = cumulative
                .partition_point(|&c| c < pick)
                .min(segments.len() - 1);
            let (a, b, _, name) = segments[i];
            let t = rng.f64();
            let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
            let len = (dx * dx + dy * dy).sqrt().max(1e-9);
            let side = rng.range(-offset, offset);
            let p = [
                a[0] + dx * t - dy / len * side,
                a[1] + dy * t + dx / len * side,
            ];
            // Compass heading of the road, then either direction along it.
            let heading = (dx.atan2(dy).to_degrees() + if rng.chance(0.5) { 180.0 } else { 0.0 })
                .rem_euclid(360.0);
            (p, heading, name.to_string())
        })
        .collect()
}

impl Inventory {
    pub fn generate(city: &City, seed: u64, cameras: usize, components: usize) -> Inventory {
        let mut rng = keyed(&[seed, 0x0CA3_E7A5]);
        // Most cameras watch roads; a fifth sit in the grids (residential compounds, squares).
        let on_roads = cameras * 4 / 5;
        let mut placed = along_roads(city, on_roads, &mut rng, 12.0);
        for i in 0..cameras - on_roads {
            let g = &city.grids[i % city.grids.len()];
            let p = [
                g.centre[0] + rng.range(-180.0, 180.0),
                g.centre[1] + rng.range(-180.0, 180.0),
            ];
            placed.push((p, rng.range(0.0, 360.0), g.name.clone()));
        }
        // Minor roads have no names: such cameras are named after their grid.
        for (p, _, place) in placed.iter_mut().filter(|x| x.2.is_empty()) {
            if let Some(g) = city.grid_of(*p) {
                place.clone_from(&city.grids[g].name);
            }
        }
        let cameras = placed
            .into_iter()
            .enumerate()
            .map(|(i, (p, heading, place))| {
                let mut c = rng.f64();
                let (kind, _, fov, (r0, r1)) = *CAMERA_TYPES
                    .iter()
                    .find(|t| {
                        c -= t.1;
                        c < 0.0
                    })
                    .unwrap_or(&CAMERA_TYPES[0]);
                Camera {
                    id: format!("SXJ{:06}", i + 1),
                    name: format!("{place}{kind}{:03}", i % 1000),
                    kind,
                    p,
                    heading: heading.round(),
                    fov,
                    range: rng.range(r0, r1).round(),
                }
            })
            .collect();
        let mut crng = keyed(&[seed, 0x000B_07E5]);
        let components = along_roads(city, components, &mut crng, 18.0)
            .into_iter()
            .map(|(p, _, _)| {
                let mut c = crng.f64();
                let kind = COMPONENT_TYPES
                    .iter()
                    .position(|t| {
                        c -= t.2;
                        c < 0.0
                    })
                    .unwrap_or(0) as u8;
                let s = crng.f64();
                let status = if s < 0.985 {
                    0
                } else if s < 0.997 {
                    1
                } else {
                    2
                };
                (p, kind, status)
            })
            .collect();
        Inventory {
            cameras,
            components,
            seed,
        }
    }

    /// Whether a camera is online in a given sim hour: about 4% are down at any time.
    pub fn online(&self, camera: usize, hour: i64) -> bool {
        !keyed(&[self.seed, 0x0FF, camera as u64, hour as u64]).chance(0.04)
    }

    /// The camera directory as GeoJSON, with each camera's online state in sim hour `hour`.
    pub fn cameras_geojson(&self, hour: i64) -> Vec<u8> {
        let mut out = String::with_capacity(self.cameras.len() * 260);
        out.push_str(r#"{"type":"FeatureCollection","features":["#);
        for (i, c) in self.cameras.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            let [lon, lat] = to_lonlat(c.p);
            let _ = write!(
                out,
                r#"{{"type":"Feature","id":"{}","geometry":{{"type":"Point","coordinates":[{lon:.6},{lat:.6}]}},"properties":{{"name":"{}","type":"{}","heading_deg":{},"fov_deg":{},"range_m":{},"online":{},"stream":"{}","codec":"{}"}}}}"#,
                c.id,
                c.name,
                c.kind,
                c.heading,
                c.fov,
                c.range,
                self.online(i, hour),
                c.id,
                // Most cameras send H.264; older ones MJPEG.
                if i % 4 == 3 { "mjpeg" } else { "h264" }
            );
        }
        out.push_str("]}");
        out.into_bytes()
    }

    pub fn components_geojson(&self) -> Vec<u8> {
        let mut out = String::with_capacity(self.components.len() * 170);
        out.push_str(r#"{"type":"FeatureCollection","features":["#);
        for (i, (p, kind, status)) in self.components.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            let [lon, lat] = to_lonlat(*p);
            let (name, code, _) = COMPONENT_TYPES[*kind as usize];
            let status = ["完好", "破损", "丢失"][*status as usize];
            let _ = write!(
                out,
                r#"{{"type":"Feature","id":"{code}-{:06}","geometry":{{"type":"Point","coordinates":[{lon:.6},{lat:.6}]}},"properties":{{"type":"{name}","status":"{status}"}}}}"#,
                i + 1
            );
        }
        out.push_str("]}");
        out.into_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inventories_are_deterministic_and_plausible() {
        let city = City::generate(42);
        let inv = Inventory::generate(&city, 42, 2_000, 5_000);
        assert_eq!(inv.cameras.len(), 2_000);
        let again = Inventory::generate(&city, 42, 2_000, 5_000);
        assert_eq!(inv.cameras[777].p, again.cameras[777].p);
        let ptz = inv.cameras.iter().filter(|c| c.kind == "球机").count();
        assert!((350..650).contains(&ptz), "{ptz} PTZ of 2000");
        let doc: serde_json::Value =
            serde_json::from_slice(&inv.components_geojson()).expect("valid GeoJSON");
        assert_eq!(doc["features"].as_array().map(|f| f.len()), Some(5_000));
        let cams: serde_json::Value =
            serde_json::from_slice(&inv.cameras_geojson(1)).expect("valid GeoJSON");
        let online = cams["features"]
            .as_array()
            .map(|f| {
                f.iter()
                    .filter(|c| c["properties"]["online"] == true)
                    .count()
            })
            .unwrap_or(0);
        assert!((1_880..1_990).contains(&online), "{online} online");
    }
}
