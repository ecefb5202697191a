//! A Mapbox Vector Tile (v2) encoder: layers of point, line and polygon features in tile
//! coordinates, with deduplicated keys and values. A layer writes each feature as it is added,
//! straight from the engine's WGS84 geometry (`add_geo`) or from integer tile coordinates
//! (`add`, the basemap generator's form); `commands` turns positions into MVT's command stream
//! and `protobuf` writes the wire format by hand (it is small and stable).

mod commands;
mod protobuf;

use std::borrow::Cow;

use rustc_hash::FxHashMap;

pub use commands::Geometry;
use commands::{command, encode_geometry, line_commands, move_to, ring_commands, simplify};
use protobuf::{bytes_field, packed, tag, varint, zigzag};

pub const EXTENT: u32 = 4096;

/// A property value. Strings are borrowed where they can be: a tile of thousands of features
/// copies a string once, when it first enters the layer's value table.
#[derive(Debug, Clone, PartialEq)]
pub enum Value<'a> {
    String(Cow<'a, str>),
    Double(f64),
    Int(i64),
    Bool(bool),
}

impl Value<'_> {
    /// What makes two values the same in the layer's value table, without allocating for the
    /// numbers and booleans.
    fn key(&self) -> ValueKey<'_> {
        match self {
            Value::String(s) => ValueKey::String(s),
            Value::Double(d) => ValueKey::Bits(1, d.to_bits()),
            Value::Int(i) => ValueKey::Bits(2, *i as u64),
            Value::Bool(b) => ValueKey::Bits(3, u64::from(*b)),
        }
    }

    /// The same value borrowing its string: looking it up in a layer's table copies nothing.
    fn borrowed(&self) -> Value<'_> {
        match self {
            Value::String(s) => Value::String(Cow::Borrowed(s)),
            Value::Double(d) => Value::Double(*d),
            Value::Int(i) => Value::Int(*i),
            Value::Bool(b) => Value::Bool(*b),
        }
    }

    fn into_owned(self) -> Value<'static> {
        match self {
            Value::String(s) => Value::String(Cow::Owned(s.into_owned())),
            Value::Double(d) => Value::Double(d),
            Value::Int(i) => Value::Int(i),
            Value::Bool(b) => Value::Bool(b),
        }
    }

    fn encode(&self, out: &mut Vec<u8>) {
        match self {
            Value::String(s) => bytes_field(out, 1, s.as_bytes()),
            Value::Double(d) => {
                tag(out, 3, 1);
                out.extend_from_slice(&d.to_le_bytes());
            }
            Value::Int(i) => {
                tag(out, 6, 0);
                varint(out, zigzag(*i));
            }
            Value::Bool(b) => {
                tag(out, 7, 0);
                varint(out, *b as u64);
            }
        }
    }
}

#[derive(Hash, PartialEq, Eq)]
enum ValueKey<'a> {
    String(&'a str),
    Bits(u8, u64),
}

/// One layer being filled. Features are written as they are added into one buffer, and the
/// scratch buffers are reused, so a feature costs no allocation of its own.
pub struct Layer {
    name: String,
    keys: Vec<String>,
    key_index: FxHashMap<String, u32>,
    values: Vec<Value<'static>>,
    string_index: FxHashMap<String, u32>,
    other_index: FxHashMap<(u8, u64), u32>,
    /// Each feature as its length-prefixed message (field 2 of the layer).
    features: Vec<u8>,
    count: usize,
    feature: Vec<u8>,
    tags: Vec<u32>,
    commands: Vec<u32>,
    ring: Vec<[i32; 2]>,
    keep: Vec<bool>,
    spans: Vec<(usize, usize)>,
}

impl Layer {
    pub fn new(name: &str) -> Self {
        Layer {
            name: name.to_string(),
            keys: Vec::new(),
            key_index: FxHashMap::default(),
            values: Vec::new(),
            string_index: FxHashMap::default(),
            other_index: FxHashMap::default(),
            features: Vec::new(),
            count: 0,
            feature: Vec::new(),
            tags: Vec::new(),
            commands: Vec::new(),
            ring: Vec::new(),
            keep: Vec::new(),
            spans: Vec::new(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    pub fn len(&self) -> usize {
        self.count
    }

    /// Adds a feature; returns false (and adds nothing) when the geometry degenerates.
    pub fn add(
        &mut self,
        id: Option<u64>,
        properties: &[(&str, Value)],
        geometry: &Geometry,
    ) -> bool {
        let Some((kind, commands)) = encode_geometry(geometry) else {
            return false;
        };
        self.commands = commands;
        self.finish(id, kind, properties.iter().map(|(k, v)| (*k, v.borrowed())));
        true
    }

    /// Adds a WGS84 geometry, each position through `project` into tile coordinates, lines and
    /// rings simplified (Ramer–Douglas–Peucker) to `tolerance` tile units where that leaves
    /// them whole; returns false (and adds nothing) when it degenerates at this zoom.
    pub fn add_geo<'p>(
        &mut self,
        properties: impl IntoIterator<Item = (&'p str, Value<'p>)>,
        geometry: &geo::Geometry<f64>,
        project: impl Fn(f64, f64) -> [i32; 2],
        tolerance: f64,
    ) -> bool {
        let Some(kind) = self.geo_commands(geometry, &project, tolerance) else {
            return false;
        };
        self.finish(None, kind, properties);
        true
    }

    /// Writes the feature whose geometry sits in `self.commands`.
    fn finish<'p>(
        &mut self,
        id: Option<u64>,
        kind: u64,
        properties: impl IntoIterator<Item = (&'p str, Value<'p>)>,
    ) {
        self.tags.clear();
        for (k, v) in properties {
            // Looked up by reference: a key or value already in the table allocates nothing.
            let ki = match self.key_index.get(k) {
                Some(&i) => i,
                None => {
                    let i = self.keys.len() as u32;
                    self.keys.push(k.to_string());
                    self.key_index.insert(k.to_string(), i);
                    i
                }
            };
            let known = match v.key() {
                ValueKey::String(s) => self.string_index.get(s).copied(),
                ValueKey::Bits(kind, bits) => self.other_index.get(&(kind, bits)).copied(),
            };
            let vi = match known {
                Some(i) => i,
                None => {
                    let next = self.values.len() as u32;
                    match v.key() {
                        ValueKey::String(s) => self.string_index.insert(s.to_string(), next),
                        ValueKey::Bits(kind, bits) => self.other_index.insert((kind, bits), next),
                    };
                    self.values.push(v.into_owned());
                    next
                }
            };
            self.tags.push(ki);
            self.tags.push(vi);
        }
        let f = &mut self.feature;
        f.clear();
        if let Some(id) = id {
            tag(f, 1, 0);
            varint(f, id);
        }
        packed(f, 2, &self.tags);
        tag(f, 3, 0);
        varint(f, kind);
        packed(f, 4, &self.commands);
        bytes_field(&mut self.features, 2, f);
        self.count += 1;
    }

    /// The commands of a WGS84 geometry into `self.commands`; its MVT kind, or `None` when
    /// nothing of it is left at this zoom.
    fn geo_commands(
        &mut self,
        geometry: &geo::Geometry<f64>,
        project: &impl Fn(f64, f64) -> [i32; 2],
        tolerance: f64,
    ) -> Option<u64> {
        self.commands.clear();
        let mut cursor = [0i32; 2];
        let kind = match geometry {
            geo::Geometry::Point(p) => {
                let at = project(p.x(), p.y());
                self.commands.push(command(1, 1));
                move_to(&mut self.commands, at, &mut cursor);
                1
            }
            geo::Geometry::MultiPoint(m) => {
                if m.0.is_empty() {
                    return None;
                }
                self.commands.push(command(1, m.0.len()));
                for p in &m.0 {
                    move_to(&mut self.commands, project(p.x(), p.y()), &mut cursor);
                }
                1
            }
            geo::Geometry::LineString(l) => {
                self.line(&l.0, project, tolerance, &mut cursor);
                2
            }
            geo::Geometry::MultiLineString(m) => {
                for l in &m.0 {
                    self.line(&l.0, project, tolerance, &mut cursor);
                }
                2
            }
            geo::Geometry::Polygon(p) => {
                self.polygon(p, project, tolerance, &mut cursor)?;
                3
            }
            geo::Geometry::MultiPolygon(m) => {
                for p in &m.0 {
                    // A polygon that degenerates at this zoom is left out; the others stay.
                    let (written, at) = (self.commands.len(), cursor);
                    if self.polygon(p, project, tolerance, &mut cursor).is_none() {
                        self.commands.truncate(written);
                        cursor = at;
                    }
                }
                3
            }
            _ => return None,
        };
        (!self.commands.is_empty()).then_some(kind)
    }

    fn line(
        &mut self,
        coords: &[geo::Coord<f64>],
        project: &impl Fn(f64, f64) -> [i32; 2],
        tolerance: f64,
        cursor: &mut [i32; 2],
    ) {
        self.projected(coords, project, tolerance, 2);
        if self.ring.len() < 2 {
            return;
        }
        line_commands(&self.ring, &mut self.commands, cursor);
    }

    fn polygon(
        &mut self,
        polygon: &geo::Polygon<f64>,
        project: &impl Fn(f64, f64) -> [i32; 2],
        tolerance: f64,
        cursor: &mut [i32; 2],
    ) -> Option<()> {
        for (i, ring) in std::iter::once(polygon.exterior())
            .chain(polygon.interiors())
            .enumerate()
        {
            // A ring keeps at least three corners and its closing position.
            self.projected(&ring.0, project, tolerance, 4);
            if !ring_commands(&mut self.ring, i == 0, &mut self.commands, cursor) && i == 0 {
                return None;
            }
        }
        Some(())
    }

    /// `coords` in tile coordinates into `self.ring`, repeated positions dropped, then
    /// simplified unless that would leave fewer than `whole` positions.
    fn projected(
        &mut self,
        coords: &[geo::Coord<f64>],
        project: &impl Fn(f64, f64) -> [i32; 2],
        tolerance: f64,
        whole: usize,
    ) {
        self.ring.clear();
        for c in coords {
            let p = project(c.x, c.y);
            if self.ring.last() != Some(&p) {
                self.ring.push(p);
            }
        }
        if tolerance > 0.0 && self.ring.len() > whole {
            simplify(
                &mut self.ring,
                tolerance,
                whole,
                &mut self.keep,
                &mut self.spans,
            );
        }
    }

    fn encode(&self, out: &mut Vec<u8>) {
        let mut l = Vec::with_capacity(self.features.len() + 64);
        tag(&mut l, 15, 0);
        varint(&mut l, 2);
        bytes_field(&mut l, 1, self.name.as_bytes());
        l.extend_from_slice(&self.features);
        for k in &self.keys {
            bytes_field(&mut l, 3, k.as_bytes());
        }
        let mut buf = Vec::new();
        for v in &self.values {
            buf.clear();
            v.encode(&mut buf);
            bytes_field(&mut l, 4, &buf);
        }
        tag(&mut l, 5, 0);
        varint(&mut l, EXTENT as u64);
        bytes_field(out, 3, &l);
    }
}

/// The tile's bytes: every non-empty layer.
pub fn encode_tile(layers: &[Layer]) -> Vec<u8> {
    let mut out = Vec::new();
    for layer in layers.iter().filter(|l| !l.is_empty()) {
        layer.encode(&mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn degenerate_geometry_is_skipped_and_values_are_shared() {
        let mut layer = Layer::new("roads");
        assert!(!layer.add(None, &[], &Geometry::Lines(vec![vec![[1, 1], [1, 1]]])));
        assert!(layer.add(
            Some(1),
            &[("class", Value::String("minor".into()))],
            &Geometry::Lines(vec![vec![[0, 0], [5, 5]]])
        ));
        assert!(layer.add(
            Some(2),
            &[("class", Value::String("minor".into()))],
            &Geometry::Lines(vec![vec![[0, 0], [9, 5]]])
        ));
        assert_eq!(
            (layer.keys.len(), layer.values.len(), layer.len()),
            (1, 1, 2)
        );
        assert!(!encode_tile(&[layer]).is_empty());
    }

    #[test]
    fn a_wgs84_shape_encodes_as_its_projected_form_and_is_simplified_in_tile_units() {
        let project = |x: f64, y: f64| [x as i32, y as i32];
        let square = geo::Geometry::Polygon(geo::Polygon::new(
            geo::LineString::from(vec![
                (0.0, 0.0),
                (0.0, 50.0),
                (0.0, 100.0),
                (50.0, 101.0),
                (100.0, 100.0),
                (100.0, 0.0),
                (0.0, 0.0),
            ]),
            vec![],
        ));
        let mut simplified = Layer::new("a");
        assert!(simplified.add_geo([("k", Value::Int(1))], &square, project, 4.0));
        let mut plain = Layer::new("a");
        assert!(plain.add(
            None,
            &[("k", Value::Int(1))],
            &Geometry::Polygon(vec![vec![[0, 0], [0, 100], [100, 100], [100, 0], [0, 0]]])
        ));
        // The point on an edge (0, 50) and the bump (50, 101) are under 4 units off: gone.
        assert_eq!(encode_tile(&[simplified]), encode_tile(&[plain]));

        // A ring that would collapse keeps its detail instead of vanishing.
        let sliver = geo::Geometry::Polygon(geo::Polygon::new(
            geo::LineString::from(vec![
                (0.0, 0.0),
                (2.0, 1.0),
                (4.0, 0.0),
                (2.0, -1.0),
                (0.0, 0.0),
            ]),
            vec![],
        ));
        let mut layer = Layer::new("a");
        assert!(layer.add_geo([], &sliver, project, 4.0));
        // Nothing is left of a polygon smaller than a tile unit.
        let dot = geo::Geometry::Polygon(geo::Polygon::new(
            geo::LineString::from(vec![(0.1, 0.1), (0.2, 0.1), (0.2, 0.2), (0.1, 0.1)]),
            vec![],
        ));
        assert!(!layer.add_geo([], &dot, project, 4.0));
        assert_eq!(layer.len(), 1);
    }

    #[test]
    fn a_lines_simplification_keeps_its_ends_and_its_bends() {
        let project = |x: f64, y: f64| [x as i32, y as i32];
        let line = geo::Geometry::LineString(geo::LineString::from(vec![
            (0.0, 0.0),
            (50.0, 1.0),
            (100.0, 0.0),
            (100.0, 100.0),
        ]));
        let mut simplified = Layer::new("a");
        assert!(simplified.add_geo([], &line, project, 4.0));
        let mut plain = Layer::new("a");
        assert!(plain.add(
            None,
            &[],
            &Geometry::Lines(vec![vec![[0, 0], [100, 0], [100, 100]]])
        ));
        assert_eq!(encode_tile(&[simplified]), encode_tile(&[plain]));
    }
}
