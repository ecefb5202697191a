//! Administrative polygons (district → street → community grid) for aggregates: loaded from
//! GeoJSON files the config names, indexed by their bounding boxes, and found for a point by
//! point-in-polygon.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use rstar::primitives::{GeomWithData, Rectangle};
use rstar::RTree;
use serde_json::{json, Value};

/// One level of administrative polygons for aggregates: a GeoJSON file of Polygons or
/// MultiPolygons.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct RegionConfig {
    pub level: String,
    pub path: PathBuf,
    pub name_field: String,
}

#[derive(Debug, thiserror::Error)]
#[error("regions file {path}: {reason}")]
pub struct RegionError {
    pub path: String,
    pub reason: String,
}

/// One polygon area; `rings` are all rings of all its polygons, outer and holes alike (the
/// even-odd rule needs no distinction).
#[derive(Debug, Clone)]
pub struct Region {
    pub id: String,
    pub name: String,
    rings: Vec<Vec<[f64; 2]>>,
    geometry: Value,
}

impl Region {
    /// Its GeoJSON geometry (a Polygon or MultiPolygon), as the file gave it.
    pub fn geometry(&self) -> &Value {
        &self.geometry
    }

    pub fn contains(&self, lon: f64, lat: f64) -> bool {
        let mut inside = false;
        for ring in &self.rings {
            let n = ring.len();
            if n < 3 {
                continue;
            }
            let mut j = n - 1;
            for i in 0..n {
                let ([xi, yi], [xj, yj]) = (ring[i], ring[j]);
                if (yi > lat) != (yj > lat) && lon < (xj - xi) * (lat - yi) / (yj - yi) + xi {
                    inside = !inside;
                }
                j = i;
            }
        }
        inside
    }
}

type BoxEntry = GeomWithData<Rectangle<[f64; 2]>, usize>;

pub struct Level {
    pub regions: Vec<Region>,
    tree: RTree<BoxEntry>,
}

impl Level {
    /// The index of the region holding the point, if any.
    pub fn locate(&self, lon: f64, lat: f64) -> Option<usize> {
        self.tree
            .locate_all_at_point(&[lon, lat])
            .map(|e| e.data)
            .find(|&i| self.regions[i].contains(lon, lat))
    }

    pub fn geojson(&self) -> Value {
        let features: Vec<Value> = self
            .regions
            .iter()
            .map(|r| {
                json!({"type": "Feature", "id": r.id, "properties": {"name": r.name}, "geometry": r.geometry})
            })
            .collect();
        json!({"type": "FeatureCollection", "features": features})
    }
}

#[derive(Default)]
pub struct Regions {
    levels: HashMap<String, Level>,
}

impl Regions {
    pub fn load(configs: &[RegionConfig]) -> Result<Regions, RegionError> {
        let mut levels = HashMap::new();
        for c in configs {
            levels.insert(c.level.clone(), load_level(&c.path, &c.name_field)?);
        }
        Ok(Regions { levels })
    }

    pub fn level(&self, name: &str) -> Option<&Level> {
        self.levels.get(name)
    }

    /// The box of every configured region: the city's own outline, where regions are given.
    pub fn extent(&self) -> Option<crate::model::Bbox> {
        crate::model::union_all(
            self.levels
                .values()
                .filter(|l| !l.regions.is_empty())
                .map(|l| {
                    let e = l.tree.root().envelope();
                    crate::model::Bbox::from_corners(e.lower(), e.upper())
                }),
        )
    }

    pub fn names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self.levels.keys().map(String::as_str).collect();
        names.sort();
        names
    }
}

fn load_level(path: &Path, name_field: &str) -> Result<Level, RegionError> {
    let err = |reason: String| RegionError {
        path: path.display().to_string(),
        reason,
    };
    let text = std::fs::read_to_string(path).map_err(|e| err(e.to_string()))?;
    let doc: Value = serde_json::from_str(&text).map_err(|e| err(format!("not JSON: {e}")))?;
    let features = doc
        .get("features")
        .and_then(Value::as_array)
        .ok_or_else(|| err("not a GeoJSON FeatureCollection (no `features` array)".into()))?;
    let mut regions = Vec::new();
    for (i, f) in features.iter().enumerate() {
        let geometry = f.get("geometry").cloned().unwrap_or(Value::Null);
        let polygons: Vec<&Value> = match geometry.get("type").and_then(Value::as_str) {
            Some("Polygon") => geometry.get("coordinates").into_iter().collect(),
            Some("MultiPolygon") => geometry
                .get("coordinates")
                .and_then(Value::as_array)
                .map(|a| a.iter().collect())
                .unwrap_or_default(),
            other => {
                return Err(err(format!(
                    "feature {i}: geometry is {}, not a Polygon or MultiPolygon",
                    other.unwrap_or("missing")
                )))
            }
        };
        let mut rings = Vec::new();
        for polygon in polygons {
            for ring in polygon.as_array().into_iter().flatten() {
                let points: Option<Vec<[f64; 2]>> = ring
                    .as_array()
                    .map(|r| {
                        r.iter()
                            .map(|p| Some([p.get(0)?.as_f64()?, p.get(1)?.as_f64()?]))
                            .collect()
                    })
                    .unwrap_or(None);
                let points =
                    points.ok_or_else(|| err(format!("feature {i}: a ring has a bad position")))?;
                rings.push(points);
            }
        }
        if rings.is_empty() {
            return Err(err(format!("feature {i}: the polygon has no rings")));
        }
        let props = f.get("properties");
        let name = props
            .and_then(|p| p.get(name_field))
            .and_then(Value::as_str)
            .ok_or_else(|| err(format!("feature {i}: no `{name_field}` property")))?
            .to_string();
        let id = match f.get("id") {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Number(n)) => n.to_string(),
            _ => name.clone(),
        };
        regions.push(Region {
            id,
            name,
            rings,
            geometry,
        });
    }
    let boxes = regions
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let (mut min, mut max) = ([f64::MAX; 2], [f64::MIN; 2]);
            for p in r.rings.iter().flatten() {
                min = [min[0].min(p[0]), min[1].min(p[1])];
                max = [max[0].max(p[0]), max[1].max(p[1])];
            }
            BoxEntry::new(Rectangle::from_corners(min, max), i)
        })
        .collect();
    Ok(Level {
        regions,
        tree: RTree::bulk_load(boxes),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_land_in_their_polygon_and_holes_are_outside() {
        let dir = std::env::temp_dir().join(format!("citywall-regions-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("grid.geojson");
        std::fs::write(
            &path,
            r#"{"type":"FeatureCollection","features":[
              {"type":"Feature","id":"a","properties":{"name":"东网格"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[2,0],[2,2],[0,2],[0,0]],[[0.5,0.5],[1,0.5],[1,1],[0.5,1],[0.5,0.5]]]}},
              {"type":"Feature","id":"b","properties":{"name":"西网格"},"geometry":{"type":"MultiPolygon","coordinates":[[[[3,0],[4,0],[4,1],[3,1],[3,0]]]]}}]}"#,
        )
        .unwrap();
        let regions = Regions::load(&[RegionConfig {
            level: "grid".into(),
            path: path.clone(),
            name_field: "name".into(),
        }])
        .unwrap();
        let grid = regions.level("grid").unwrap();
        assert_eq!(grid.locate(1.5, 1.5), Some(0));
        assert_eq!(grid.locate(0.75, 0.75), None, "inside the hole");
        assert_eq!(grid.locate(3.5, 0.5), Some(1));
        assert_eq!(grid.locate(5.0, 5.0), None);
        std::fs::write(&path, r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"x"},"geometry":{"type":"Point","coordinates":[1,2]}}]}"#).unwrap();
        let e = Regions::load(&[RegionConfig {
            level: "grid".into(),
            path,
            name_field: "name".into(),
        }])
        .err()
        .unwrap();
        assert!(
            e.to_string().contains("feature 0: geometry is Point"),
            "{e}"
        );
    }
}
