//! GeoJSON written straight from the index: borrowed views of features that serialise in the
//! map's datum without building a `serde_json::Value` tree first. A full-city viewport of a big
//! line layer is tens of thousands of features; building, copying and dropping a tree for each
//! cost more than writing the bytes.

use geo::{Coord, Geometry, LineString, Polygon};
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};

use crate::display::MapDatum;
use crate::geometry::Shape;
use crate::model::Feature;

/// The properties the engine adds to every feature; a subsystem's property of the same name is
/// not written twice.
const ENGINE_PROPERTIES: [&str; 4] = ["_id", "_source", "_updated_at", "_stale"];

/// One feature as the wall draws it, shifted to the map's datum: its geometry (and a line's or
/// polygon's anchor, where a popup or a camera search points), its properties and the engine's
/// own (`_id`, `_source`, `_updated_at`, `_stale`).
pub struct FeatureView<'a> {
    /// Borrowed from the index (a line or polygon) or made for this answer (a point).
    pub feature: std::borrow::Cow<'a, Feature>,
    pub stale: bool,
    /// Degrees a line or polygon is simplified to; 0 keeps every position.
    pub tolerance: f64,
    pub datum: MapDatum,
}

impl Serialize for FeatureView<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let f = &*self.feature;
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("type", "Feature")?;
        map.serialize_entry("id", &f.id)?;
        match &f.shape {
            Some(shape) => {
                let simplified = if self.tolerance > 0.0 {
                    shape.simplified(self.tolerance)
                } else {
                    std::borrow::Cow::Borrowed(shape.geometry())
                };
                map.serialize_entry("geometry", &GeometryView(&simplified, self.datum))?;
                let (lon, lat) = self.datum.out(f.lon, f.lat);
                map.serialize_entry("anchor", &[lon, lat])?;
            }
            None => {
                let point = Geometry::Point(geo::Point::new(f.lon, f.lat));
                map.serialize_entry("geometry", &GeometryView(&point, self.datum))?;
            }
        }
        map.serialize_entry("properties", &Properties(self))?;
        map.end()
    }
}

struct Properties<'a, 'f>(&'a FeatureView<'f>);

impl Serialize for Properties<'_, '_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let f = &*self.0.feature;
        let mut map = serializer.serialize_map(None)?;
        for (k, v) in f
            .properties
            .iter()
            .filter(|(k, _)| !ENGINE_PROPERTIES.contains(&k.as_str()))
        {
            map.serialize_entry(k, v)?;
        }
        map.serialize_entry("_id", &f.id)?;
        map.serialize_entry("_source", &f.source)?;
        map.serialize_entry("_updated_at", &f.updated_at)?;
        map.serialize_entry("_stale", &self.0.stale)?;
        map.end()
    }
}

impl Feature {
    /// The GeoJSON Feature the UI draws (the viewport's form, [`FeatureView`],
    /// unsimplified and in WGS84). `stale` marks data whose source is failing or silent.
    pub fn to_geojson(&self, stale: bool) -> serde_json::Value {
        serde_json::to_value(FeatureView {
            feature: std::borrow::Cow::Borrowed(self),
            stale,
            tolerance: 0.0,
            datum: MapDatum::default(),
        })
        .unwrap_or_default()
    }
}

impl Shape {
    pub fn to_geojson(&self) -> serde_json::Value {
        geometry(self.geometry())
    }

    /// The GeoJSON text stored for this shape.
    pub fn to_text(&self) -> String {
        self.to_geojson().to_string()
    }
}

/// A geometry's GeoJSON object in WGS84, as stored and as the wall reads it.
pub fn geometry(g: &Geometry<f64>) -> serde_json::Value {
    serde_json::to_value(GeometryView(g, MapDatum::default())).unwrap_or_default()
}

/// A geometry's GeoJSON object, every position through the datum.
struct GeometryView<'a>(&'a Geometry<f64>, MapDatum);

impl Serialize for GeometryView<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let d = self.1;
        let mut map = serializer.serialize_map(Some(2))?;
        match self.0 {
            Geometry::Point(p) => {
                map.serialize_entry("type", "Point")?;
                map.serialize_entry("coordinates", &Position(p.0, d))?;
            }
            Geometry::MultiPoint(m) => {
                map.serialize_entry("type", "MultiPoint")?;
                let positions: Vec<Coord<f64>> = m.0.iter().map(|p| p.0).collect();
                map.serialize_entry("coordinates", &Positions(&positions, d))?;
            }
            Geometry::LineString(l) => {
                map.serialize_entry("type", "LineString")?;
                map.serialize_entry("coordinates", &Positions(&l.0, d))?;
            }
            Geometry::MultiLineString(m) => {
                map.serialize_entry("type", "MultiLineString")?;
                map.serialize_entry("coordinates", &Lines(&m.0, d))?;
            }
            Geometry::Polygon(p) => {
                map.serialize_entry("type", "Polygon")?;
                map.serialize_entry("coordinates", &Rings(p, d))?;
            }
            Geometry::MultiPolygon(m) => {
                map.serialize_entry("type", "MultiPolygon")?;
                map.serialize_entry("coordinates", &Polygons(&m.0, d))?;
            }
            _ => {
                map.serialize_entry("type", "GeometryCollection")?;
                map.serialize_entry("coordinates", &[0u8; 0])?;
            }
        }
        map.end()
    }
}

struct Position(Coord<f64>, MapDatum);

impl Serialize for Position {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let (x, y) = self.1.out(self.0.x, self.0.y);
        [x, y].serialize(serializer)
    }
}

struct Positions<'a>(&'a [Coord<f64>], MapDatum);

impl Serialize for Positions<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.0.len()))?;
        for c in self.0 {
            seq.serialize_element(&Position(*c, self.1))?;
        }
        seq.end()
    }
}

struct Lines<'a>(&'a [LineString<f64>], MapDatum);

impl Serialize for Lines<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.0.len()))?;
        for l in self.0 {
            seq.serialize_element(&Positions(&l.0, self.1))?;
        }
        seq.end()
    }
}

struct Rings<'a>(&'a Polygon<f64>, MapDatum);

impl Serialize for Rings<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let p = self.0;
        let mut seq = serializer.serialize_seq(Some(1 + p.interiors().len()))?;
        for ring in std::iter::once(p.exterior()).chain(p.interiors()) {
            seq.serialize_element(&Positions(&ring.0, self.1))?;
        }
        seq.end()
    }
}

struct Polygons<'a>(&'a [Polygon<f64>], MapDatum);

impl Serialize for Polygons<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.0.len()))?;
        for p in self.0 {
            seq.serialize_element(&Rings(p, self.1))?;
        }
        seq.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn feature(shape: Option<Geometry<f64>>) -> Feature {
        let mut properties = serde_json::Map::new();
        properties.insert("name".into(), "东关路 <b>".into());
        properties.insert("_id".into(), "forged".into());
        properties.insert("level".into(), 3.into());
        Feature {
            layer: "roads".into(),
            id: "r1".into(),
            source: "traffic".into(),
            lon: 118.3,
            lat: 33.95,
            shape: shape.and_then(crate::geometry::Shape::new).map(Arc::new),
            properties,
            updated_at: 1_700_000_000_000,
        }
    }

    #[test]
    fn a_feature_is_written_as_the_wall_reads_it() {
        let line = Geometry::LineString(LineString::from(vec![
            (118.30, 33.95),
            (118.31, 33.9500001),
            (118.32, 33.95),
        ]));
        let f = feature(Some(line));
        let view = |stale, tolerance| {
            serde_json::to_value(FeatureView {
                feature: std::borrow::Cow::Borrowed(&f),
                stale,
                tolerance,
                datum: MapDatum::default(),
            })
            .unwrap()
        };
        assert_eq!(
            view(true, 0.0),
            serde_json::json!({
                "type": "Feature",
                "id": "r1",
                "geometry": {"type": "LineString", "coordinates": [[118.30, 33.95], [118.31, 33.9500001], [118.32, 33.95]]},
                "anchor": [118.3, 33.95],
                "properties": {
                    "name": "东关路 <b>", "level": 3,
                    // The engine's own `_id` wins over a subsystem's property of that name.
                    "_id": "r1", "_source": "traffic", "_updated_at": 1_700_000_000_000i64, "_stale": true,
                },
            })
        );
        // Simplified to the zoom, positions a screen cannot show go (a line of more than five).
        let long = feature(Some(Geometry::LineString(LineString::from(
            (0..7)
                .map(|i| {
                    (
                        118.30 + f64::from(i) * 0.01,
                        33.95 + f64::from(i % 2) * 1e-7,
                    )
                })
                .collect::<Vec<_>>(),
        ))));
        let simplified = serde_json::to_value(FeatureView {
            feature: std::borrow::Cow::Borrowed(&long),
            stale: false,
            tolerance: 0.001,
            datum: MapDatum::default(),
        })
        .unwrap();
        assert_eq!(
            simplified["geometry"]["coordinates"]
                .as_array()
                .map(Vec::len),
            Some(2)
        );
        // A point has no anchor: it is its own.
        let point = serde_json::to_value(FeatureView {
            feature: std::borrow::Cow::Borrowed(&feature(None)),
            stale: false,
            tolerance: 0.0,
            datum: MapDatum::default(),
        })
        .unwrap();
        assert_eq!(
            point["geometry"],
            serde_json::json!({"type": "Point", "coordinates": [118.3, 33.95]})
        );
        assert!(point.get("anchor").is_none());
    }

    #[test]
    fn a_gcj02_map_gets_every_position_shifted() {
        let f = feature(Some(Geometry::LineString(LineString::from(vec![
            (118.30, 33.95),
            (118.31, 33.951),
        ]))));
        let datum = MapDatum::of(crate::crs::Crs::Gcj02);
        let view = FeatureView {
            feature: std::borrow::Cow::Borrowed(&f),
            stale: false,
            tolerance: 0.0,
            datum,
        };
        let written = serde_json::to_value(&view).unwrap();
        let mut expected = f.to_geojson(false);
        datum.geojson_out(&mut expected);
        assert_eq!(written, expected);
        assert_ne!(written["geometry"], f.to_geojson(false)["geometry"]);
    }
}
