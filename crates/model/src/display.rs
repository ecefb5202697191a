//! The datum the wall's map is drawn in. Inside, the engine is WGS84. When the basemap is GCJ-02
//! (a dump of a Chinese web map, drawn in the datum it was made in), everything handed to the map
//! — features, clusters, vector tiles, regions, warnings, search hits, the city's extent, the
//! stream — is shifted to GCJ-02 on its way out, and every box or point the map sends back is
//! shifted to WGS84 on its way in. Features then sit on the basemap's streets, hundreds of metres
//! from where an unshifted WGS84 point would land.

use serde_json::Value;

use crate::bbox::Bbox;
use crate::crs::Crs;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MapDatum {
    gcj02: bool,
}

impl MapDatum {
    /// The datum of a basemap in `crs` (WGS84 and CGCS2000 draw as they are).
    pub fn of(crs: Crs) -> MapDatum {
        MapDatum {
            gcj02: crs == Crs::Gcj02,
        }
    }

    pub fn is_shifted(self) -> bool {
        self.gcj02
    }

    /// A WGS84 position as the map draws it.
    pub fn out(self, lon: f64, lat: f64) -> (f64, f64) {
        if self.gcj02 {
            coordtransform::wgs84_to_gcj02(lon, lat)
        } else {
            (lon, lat)
        }
    }

    /// A position the map sent back, in WGS84.
    pub fn back(self, lon: f64, lat: f64) -> (f64, f64) {
        if self.gcj02 {
            Crs::Gcj02.to_wgs84(lon, lat)
        } else {
            (lon, lat)
        }
    }

    /// A box the map sent back, as the WGS84 box that holds it (the shift varies smoothly, so
    /// the corners bound it within centimetres).
    pub fn bbox_back(self, b: Bbox) -> Bbox {
        self.bbox_with(b, |lon, lat| self.back(lon, lat))
    }

    /// A WGS84 box as the map draws it.
    pub fn bbox_out(self, b: Bbox) -> Bbox {
        self.bbox_with(b, |lon, lat| self.out(lon, lat))
    }

    fn bbox_with(self, b: Bbox, f: impl Fn(f64, f64) -> (f64, f64)) -> Bbox {
        if !self.gcj02 {
            return b;
        }
        let corners = [
            f(b.west, b.south),
            f(b.east, b.south),
            f(b.east, b.north),
            f(b.west, b.north),
        ];
        let fold = |pick: fn(&(f64, f64)) -> f64, min: bool| {
            corners.iter().map(pick).fold(
                if min {
                    f64::INFINITY
                } else {
                    f64::NEG_INFINITY
                },
                |a, v| if min { a.min(v) } else { a.max(v) },
            )
        };
        Bbox {
            west: fold(|c| c.0, true),
            south: fold(|c| c.1, true),
            east: fold(|c| c.0, false),
            north: fold(|c| c.1, false),
        }
    }

    /// Shifts every position of a GeoJSON value for the map: a FeatureCollection, a Feature (its
    /// geometry, its `anchor`, a cluster's `extent`), a geometry, or a list of any of these.
    pub fn geojson_out(self, value: &mut Value) {
        if self.gcj02 {
            self.walk(value);
        }
    }

    fn walk(self, value: &mut Value) {
        match value {
            Value::Array(items) => items.iter_mut().for_each(|v| self.walk(v)),
            Value::Object(object) => {
                match object.get("type").and_then(Value::as_str) {
                    Some("FeatureCollection") => {
                        if let Some(features) = object.get_mut("features") {
                            self.walk(features);
                        }
                    }
                    Some("Feature") => {
                        if let Some(geometry) = object.get_mut("geometry") {
                            self.walk(geometry);
                        }
                        if let Some(anchor) = object.get_mut("anchor") {
                            self.positions(anchor);
                        }
                        // A cluster's extent: [west, south, east, north].
                        if let Some(Value::Array(e)) = object
                            .get_mut("properties")
                            .and_then(|p| p.get_mut("extent"))
                        {
                            if e.len() == 4 {
                                let (w, s) = (e[0].as_f64(), e[1].as_f64());
                                let (east, n) = (e[2].as_f64(), e[3].as_f64());
                                if let (Some(w), Some(s), Some(east), Some(n)) = (w, s, east, n) {
                                    let b = self.bbox_out(Bbox {
                                        west: w,
                                        south: s,
                                        east,
                                        north: n,
                                    });
                                    *e = vec![
                                        b.west.into(),
                                        b.south.into(),
                                        b.east.into(),
                                        b.north.into(),
                                    ];
                                }
                            }
                        }
                    }
                    Some(_) => {
                        if let Some(c) = object.get_mut("coordinates") {
                            self.positions(c);
                        }
                    }
                    None => {}
                }
            }
            _ => {}
        }
    }

    /// Every position in nested coordinate arrays.
    fn positions(self, value: &mut Value) {
        let Value::Array(items) = value else {
            return;
        };
        if let [Value::Number(lon), Value::Number(lat), ..] = items.as_slice() {
            if let (Some(lon), Some(lat)) = (lon.as_f64(), lat.as_f64()) {
                let (x, y) = self.out(lon, lat);
                items[0] = x.into();
                items[1] = y.into();
            }
            return;
        }
        items.iter_mut().for_each(|v| self.positions(v));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_gcj02_map_gets_every_position_shifted_and_sends_boxes_back() {
        let wgs = (116.404, 39.915);
        let gcj = (116.41024449916938, 39.91640428150164);
        let datum = MapDatum::of(Crs::Gcj02);
        let mut fc = json!({"type": "FeatureCollection", "features": [
            {"type": "Feature", "geometry": {"type": "Point", "coordinates": [wgs.0, wgs.1]}, "properties": {}},
            {"type": "Feature", "anchor": [wgs.0, wgs.1],
             "geometry": {"type": "Polygon", "coordinates": [[[wgs.0, wgs.1], [wgs.0, wgs.1], [wgs.0, wgs.1], [wgs.0, wgs.1]]]},
             "properties": {"name": "天安门", "extent": [wgs.0, wgs.1, wgs.0, wgs.1]}}
        ]});
        datum.geojson_out(&mut fc);
        let near = |v: &Value| {
            let (x, y) = (v[0].as_f64().unwrap(), v[1].as_f64().unwrap());
            (x - gcj.0).abs() < 1e-6 && (y - gcj.1).abs() < 1e-6
        };
        assert!(near(&fc["features"][0]["geometry"]["coordinates"]));
        assert!(near(&fc["features"][1]["anchor"]));
        assert!(near(&fc["features"][1]["geometry"]["coordinates"][0][3]));
        assert!(near(&fc["features"][1]["properties"]["extent"]));
        assert_eq!(fc["features"][1]["properties"]["name"], "天安门");
        let back = datum.back(gcj.0, gcj.1);
        assert!(crate::crs::distance_m(back, wgs) < 1.0, "{back:?}");
        let b = datum.bbox_back(Bbox {
            west: gcj.0 - 0.01,
            south: gcj.1 - 0.01,
            east: gcj.0 + 0.01,
            north: gcj.1 + 0.01,
        });
        assert!(b.contains(wgs.0, wgs.1) && (b.east - b.west - 0.02).abs() < 1e-4);
        // A WGS84 map leaves everything as it is.
        let mut same = json!({"type": "Point", "coordinates": [wgs.0, wgs.1]});
        MapDatum::default().geojson_out(&mut same);
        assert_eq!(same["coordinates"][0], wgs.0);
    }
}
