//! Geometries beyond one point: lines and polygons (and multi-points) as GeoJSON brings them,
//! checked position by position, converted between coordinate systems, simplified for a zoom,
//! measured against a point and written back as GeoJSON. A point feature carries no shape: its
//! longitude and latitude are all it has. A shaped feature's longitude and latitude are its
//! anchor — a point on the line or inside the polygon (geo's interior point) — which is what
//! clusters, aggregates by region and hot-spot rules count it by.

use geo::{
    BoundingRect, Closest, ClosestPoint, Coord, Distance, Euclidean, Geometry, InteriorPoint,
    LineString, MapCoords, MultiLineString, MultiPoint, MultiPolygon, Point, Polygon, Simplify,
};
use serde_json::Value;

use crate::bbox::Bbox;

/// More positions than this in one feature are refused: a hostile or broken record must not
/// cost the engine a gigabyte.
pub const MAX_POSITIONS: usize = 250_000;

/// A line, polygon or multi-point in WGS84 with its bounding box.
#[derive(Debug, Clone, PartialEq)]
pub struct Shape {
    geometry: Geometry<f64>,
    bbox: Bbox,
}

/// What a GeoJSON geometry gave: its anchor and, for anything but a Point, its shape.
#[derive(Debug, Clone, PartialEq)]
pub struct Located {
    pub lon: f64,
    pub lat: f64,
    pub shape: Option<Shape>,
}

impl Shape {
    /// `None` for a geometry with no coordinates.
    pub fn new(geometry: Geometry<f64>) -> Option<Shape> {
        let rect = geometry.bounding_rect()?;
        let bbox = Bbox::from_corners([rect.min().x, rect.min().y], [rect.max().x, rect.max().y]);
        Some(Shape { geometry, bbox })
    }

    pub fn geometry(&self) -> &Geometry<f64> {
        &self.geometry
    }

    pub fn bbox(&self) -> Bbox {
        self.bbox
    }

    /// "line", "polygon" or "point" (a multi-point).
    pub fn kind(&self) -> &'static str {
        match self.geometry {
            Geometry::LineString(_) | Geometry::MultiLineString(_) | Geometry::Line(_) => "line",
            Geometry::Polygon(_)
            | Geometry::MultiPolygon(_)
            | Geometry::Rect(_)
            | Geometry::Triangle(_) => "polygon",
            _ => "point",
        }
    }

    /// A point on the line or inside the polygon; the box's centre if geo finds none.
    pub fn anchor(&self) -> (f64, f64) {
        match self.geometry.interior_point() {
            Some(p) => (p.x(), p.y()),
            None => (
                (self.bbox.west + self.bbox.east) / 2.0,
                (self.bbox.south + self.bbox.north) / 2.0,
            ),
        }
    }

    /// The shape with every position passed through `f` (a change of coordinate system).
    pub fn map_positions(&self, f: impl Fn(f64, f64) -> (f64, f64) + Copy) -> Option<Shape> {
        Shape::new(self.geometry.map_coords(|c| {
            let (x, y) = f(c.x, c.y);
            Coord { x, y }
        }))
    }

    /// The geometry simplified (Ramer–Douglas–Peucker) to `tolerance` degrees; a part that would
    /// collapse keeps its full detail instead of vanishing.
    pub fn simplified(&self, tolerance: f64) -> std::borrow::Cow<'_, Geometry<f64>> {
        use std::borrow::Cow;
        // Five positions or fewer (a triangle, a box): nothing worth dropping.
        if tolerance <= 0.0 || self.positions() <= 5 {
            return Cow::Borrowed(&self.geometry);
        }
        let simple = match &self.geometry {
            Geometry::LineString(l) => Geometry::LineString(l.simplify(tolerance)),
            Geometry::MultiLineString(l) => Geometry::MultiLineString(l.simplify(tolerance)),
            Geometry::Polygon(p) => Geometry::Polygon(p.simplify(tolerance)),
            Geometry::MultiPolygon(p) => Geometry::MultiPolygon(p.simplify(tolerance)),
            other => other.clone(),
        };
        if positions(&simple) == 0 || !still_whole(&simple) {
            return Cow::Borrowed(&self.geometry);
        }
        Cow::Owned(simple)
    }

    /// Euclidean distance in degrees from (lon, lat) to the nearest part of the shape (0 inside
    /// a polygon).
    pub fn distance_to(&self, lon: f64, lat: f64) -> f64 {
        Euclidean.distance(&Point::new(lon, lat), &self.geometry)
    }

    /// The point of the shape nearest (lon, lat) (itself when inside a polygon).
    pub fn closest_to(&self, lon: f64, lat: f64) -> (f64, f64) {
        match self.geometry.closest_point(&Point::new(lon, lat)) {
            Closest::Intersection(p) | Closest::SinglePoint(p) => (p.x(), p.y()),
            Closest::Indeterminate => self.anchor(),
        }
    }

    /// No part of the shape is further than this (degrees) from (lon, lat).
    pub fn reach_from(&self, lon: f64, lat: f64) -> f64 {
        let b = self.bbox;
        [
            (b.west, b.south),
            (b.west, b.north),
            (b.east, b.south),
            (b.east, b.north),
        ]
        .into_iter()
        .map(|(x, y)| ((x - lon).powi(2) + (y - lat).powi(2)).sqrt())
        .fold(0.0, f64::max)
    }

    pub fn positions(&self) -> usize {
        positions(&self.geometry)
    }
}

/// A simplified polygon whose rings all kept at least four positions.
fn still_whole(g: &Geometry<f64>) -> bool {
    let ring_ok = |p: &Polygon<f64>| {
        p.exterior().0.len() >= 4 && p.interiors().iter().all(|r| r.0.len() >= 4)
    };
    match g {
        Geometry::Polygon(p) => ring_ok(p),
        Geometry::MultiPolygon(m) => m.0.iter().all(ring_ok),
        _ => true,
    }
}

fn positions(g: &Geometry<f64>) -> usize {
    let polygon = |p: &Polygon<f64>| {
        p.exterior().0.len() + p.interiors().iter().map(|r| r.0.len()).sum::<usize>()
    };
    match g {
        Geometry::Point(_) => 1,
        Geometry::MultiPoint(m) => m.0.len(),
        Geometry::LineString(l) => l.0.len(),
        Geometry::MultiLineString(m) => m.0.iter().map(|l| l.0.len()).sum(),
        Geometry::Polygon(p) => polygon(p),
        Geometry::MultiPolygon(m) => m.0.iter().map(polygon).sum(),
        _ => 0,
    }
}

/// Reads a GeoJSON geometry object, naming the first fault it finds: an unknown type, a missing
/// or mis-nested `coordinates`, a position that is not two numbers or lies outside WGS84, a line
/// of fewer than two positions, a ring of fewer than four or one that does not close.
pub fn parse(geometry: &Value) -> Result<Located, String> {
    let kind = match geometry.get("type") {
        Some(Value::String(k)) => k.as_str(),
        Some(_) => return Err("the geometry's `type` is not a string".into()),
        None if geometry.is_object() => return Err("the geometry has no `type`".into()),
        None => return Err("the geometry is not an object".into()),
    };
    const KINDS: [&str; 6] = [
        "Point",
        "MultiPoint",
        "LineString",
        "MultiLineString",
        "Polygon",
        "MultiPolygon",
    ];
    if kind == "GeometryCollection" {
        return Err("GeometryCollection is not supported: send one geometry per feature".into());
    }
    if !KINDS.contains(&kind) {
        return Err(format!("`{kind}` is not a GeoJSON geometry type"));
    }
    let coordinates = geometry
        .get("coordinates")
        .ok_or_else(|| format!("the {kind} has no `coordinates`"))?;
    let mut budget = MAX_POSITIONS;
    let mut reader = Reader {
        budget: &mut budget,
    };
    let g = match kind {
        "Point" => {
            let c = reader.position(coordinates, "Point")?;
            return Ok(Located {
                lon: c.x,
                lat: c.y,
                shape: None,
            });
        }
        "MultiPoint" => Geometry::MultiPoint(MultiPoint(
            reader
                .list(coordinates, "MultiPoint", "position", |r, v, at| {
                    r.position(v, at)
                })?
                .into_iter()
                .map(Point)
                .collect(),
        )),
        "LineString" => Geometry::LineString(reader.line(coordinates, "LineString")?),
        "MultiLineString" => Geometry::MultiLineString(MultiLineString(reader.list(
            coordinates,
            "MultiLineString",
            "line",
            |r, v, at| r.line(v, at),
        )?)),
        "MultiPolygon" => Geometry::MultiPolygon(MultiPolygon(reader.list(
            coordinates,
            "MultiPolygon",
            "polygon",
            |r, v, at| r.polygon(v, at),
        )?)),
        // "Polygon", the one kind left.
        _ => Geometry::Polygon(reader.polygon(coordinates, "Polygon")?),
    };
    let shape = Shape::new(g).ok_or_else(|| format!("the {kind} has no positions"))?;
    let (lon, lat) = shape.anchor();
    Ok(Located {
        lon,
        lat,
        shape: Some(shape),
    })
}

struct Reader<'a> {
    budget: &'a mut usize,
}

impl Reader<'_> {
    fn position(&mut self, v: &Value, at: &str) -> Result<Coord<f64>, String> {
        if *self.budget == 0 {
            return Err(format!(
                "more than {MAX_POSITIONS} positions in one feature"
            ));
        }
        *self.budget -= 1;
        let pair = v
            .as_array()
            .ok_or_else(|| format!("{at}: a position must be an array [longitude, latitude]"))?;
        let (x, y) = match pair.as_slice() {
            [x, y, ..] => (x, y),
            _ => return Err(format!("{at}: a position needs two coordinates")),
        };
        let x = x
            .as_f64()
            .ok_or_else(|| format!("{at}: longitude is not a number"))?;
        let y = y
            .as_f64()
            .ok_or_else(|| format!("{at}: latitude is not a number"))?;
        check_range(at, x, y)?;
        Ok(Coord { x, y })
    }

    fn list<T>(
        &mut self,
        v: &Value,
        at: &str,
        part: &str,
        mut each: impl FnMut(&mut Self, &Value, &str) -> Result<T, String>,
    ) -> Result<Vec<T>, String> {
        let items = v
            .as_array()
            .ok_or_else(|| format!("{at}: `coordinates` is not an array"))?;
        if items.is_empty() {
            return Err(format!("{at} has no {part}s"));
        }
        items
            .iter()
            .enumerate()
            .map(|(i, item)| each(self, item, &format!("{at} {part} {i}")))
            .collect()
    }

    fn line(&mut self, v: &Value, at: &str) -> Result<LineString<f64>, String> {
        let coords = self.list(v, at, "position", |r, v, at| r.position(v, at))?;
        if coords.len() < 2 {
            return Err(format!(
                "{at} has {} position; a line needs at least 2",
                coords.len()
            ));
        }
        Ok(LineString(coords))
    }

    fn ring(&mut self, v: &Value, at: &str) -> Result<LineString<f64>, String> {
        let coords = self.list(v, at, "position", |r, v, at| r.position(v, at))?;
        if coords.len() < 4 {
            return Err(format!(
                "{at} has {} positions; a ring needs at least 4",
                coords.len()
            ));
        }
        if coords.first() != coords.last() {
            return Err(format!(
                "{at} is not closed: its first and last positions differ"
            ));
        }
        Ok(LineString(coords))
    }

    fn polygon(&mut self, v: &Value, at: &str) -> Result<Polygon<f64>, String> {
        let mut rings = self
            .list(v, at, "ring", |r, v, at| r.ring(v, at))?
            .into_iter();
        let exterior = rings.next().unwrap_or_else(|| LineString(Vec::new()));
        Ok(Polygon::new(exterior, rings.collect()))
    }
}

/// Refuses a coordinate outside the WGS84 range; `what` names the record in the message
/// ("feature `a`", "Thing `t1`").
pub fn check_range(what: &str, lon: f64, lat: f64) -> Result<(), String> {
    if (-180.0..=180.0).contains(&lon) && (-90.0..=90.0).contains(&lat) {
        Ok(())
    } else {
        Err(format!(
            "{what}: coordinate ({lon}, {lat}) is outside WGS84 range"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn reason(v: Value) -> String {
        parse(&v).unwrap_err()
    }

    #[test]
    fn every_geojson_geometry_reads_back_as_it_came() {
        for g in [
            json!({"type": "MultiPoint", "coordinates": [[118.0, 33.0], [118.1, 33.1]]}),
            json!({"type": "LineString", "coordinates": [[118.0, 33.0], [118.1, 33.1]]}),
            json!({"type": "MultiLineString", "coordinates": [[[118.0, 33.0], [118.1, 33.1]], [[118.2, 33.0], [118.3, 33.0]]]}),
            json!({"type": "Polygon", "coordinates": [[[118.0, 33.0], [118.1, 33.0], [118.1, 33.1], [118.0, 33.0]]]}),
            json!({"type": "MultiPolygon", "coordinates": [[[[118.0, 33.0], [118.1, 33.0], [118.1, 33.1], [118.0, 33.0]]]]}),
        ] {
            let located = parse(&g).unwrap();
            let shape = located.shape.unwrap();
            assert_eq!(shape.to_geojson(), g);
            let b = shape.bbox();
            assert!(
                b.contains(located.lon, located.lat),
                "anchor inside the box"
            );
        }
        let point = parse(&json!({"type": "Point", "coordinates": [118.0, 33.0, 12.0]})).unwrap();
        assert_eq!((point.lon, point.lat, point.shape), (118.0, 33.0, None));
    }

    #[test]
    fn a_polygon_anchor_lies_inside_it_even_when_its_centroid_does_not() {
        // A U shape: its centroid falls in the gap between the arms.
        let u = json!({"type": "Polygon", "coordinates": [[[0, 0], [3, 0], [3, 3], [2, 3], [2, 1], [1, 1], [1, 3], [0, 3], [0, 0]]]});
        let located = parse(&u).unwrap();
        let shape = located.shape.unwrap();
        assert_eq!(shape.distance_to(located.lon, located.lat), 0.0);
        assert!(shape.distance_to(1.5, 2.0) > 0.4);
    }

    #[test]
    fn each_fault_is_named() {
        let cases = [
            (
                json!({"type": "Circle", "coordinates": [0, 0]}),
                "`Circle` is not a GeoJSON geometry type",
            ),
            (
                json!({"type": "LineString", "coordinates": [[0, 0]]}),
                "LineString has 1 position; a line needs at least 2",
            ),
            (
                json!({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1]]]}),
                "Polygon ring 0 is not closed",
            ),
            (
                json!({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [0, 0]]]}),
                "Polygon ring 0 has 3 positions; a ring needs at least 4",
            ),
            (
                json!({"type": "MultiPolygon", "coordinates": []}),
                "MultiPolygon has no polygons",
            ),
            (
                json!({"type": "LineString", "coordinates": [[0, 0], [null, 1]]}),
                "LineString position 1: longitude is not a number",
            ),
            (
                json!({"type": "LineString", "coordinates": [[0, 0], [1, 95]]}),
                "LineString position 1: coordinate (1, 95) is outside WGS84 range",
            ),
            (
                json!({"type": "MultiLineString", "coordinates": [[[0, 0], [1, 1]], 5]}),
                "MultiLineString line 1: `coordinates` is not an array",
            ),
            (
                json!({"type": "LineString"}),
                "the LineString has no `coordinates`",
            ),
            (
                json!({"type": "GeometryCollection", "geometries": []}),
                "GeometryCollection is not supported",
            ),
            (json!("Point"), "the geometry is not an object"),
        ];
        for (g, want) in cases {
            let got = reason(g);
            assert!(got.contains(want), "{got:?} should say {want:?}");
        }
        let huge: Vec<Value> = (0..=MAX_POSITIONS)
            .map(|i| json!([i as f64 * 1e-6, 0.0]))
            .collect();
        assert!(reason(json!({"type": "LineString", "coordinates": huge})).contains("more than"));
    }

    #[test]
    fn simplification_keeps_the_ends_and_never_breaks_a_ring() {
        let wiggle: Vec<Value> = (0..=100)
            .map(|i| json!([i as f64 * 0.001, if i % 2 == 0 { 0.0 } else { 0.00001 }]))
            .collect();
        let line = parse(&json!({"type": "LineString", "coordinates": wiggle}))
            .unwrap()
            .shape
            .unwrap();
        match line.simplified(0.0001).as_ref() {
            Geometry::LineString(l) => assert_eq!(l.0.len(), 2),
            other => panic!("{other:?}"),
        }
        let tiny = parse(
            &json!({"type": "Polygon", "coordinates": [[[0, 0], [1e-6, 0], [1e-6, 1e-6], [0, 0]]]}),
        )
        .unwrap()
        .shape
        .unwrap();
        assert_eq!(tiny.simplified(0.01).as_ref(), tiny.geometry());
    }

    proptest::proptest! {
        /// Whatever coordinates a subsystem nests, the reader answers; it never panics.
        #[test]
        fn never_panics(kind in "Point|MultiPoint|LineString|MultiLineString|Polygon|MultiPolygon|x", depth in 0usize..5, n in 0usize..6, x in proptest::num::f64::ANY) {
            let mut v = json!(x);
            for _ in 0..depth {
                v = Value::Array(vec![v; n]);
            }
            let _ = parse(&json!({"type": kind, "coordinates": v}));
        }
    }
}
