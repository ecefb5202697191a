//! A Mapbox Vector Tile (v2) encoder: layers of point, line and polygon features in tile
//! coordinates, with deduplicated keys and values, written as protobuf by hand (the format is
//! small and stable). Used for the basemap and, later, tiles straight from the index.

use std::collections::HashMap;

pub const EXTENT: u32 = 4096;

/// Geometry already in integer tile coordinates (y down).
#[derive(Debug, Clone, PartialEq)]
pub enum Geometry {
    Points(Vec<[i32; 2]>),
    Lines(Vec<Vec<[i32; 2]>>),
    /// Rings; the first of each polygon is the exterior. Winding is fixed on encode.
    Polygon(Vec<Vec<[i32; 2]>>),
    /// Polygons, each its rings as in `Polygon`.
    MultiPolygon(Vec<Vec<Vec<[i32; 2]>>>),
}

impl Geometry {
    /// A WGS84 geometry in tile coordinates, each position through `project`.
    pub fn from_geo(g: &geo::Geometry<f64>, project: impl Fn(f64, f64) -> [i32; 2]) -> Geometry {
        let line = |l: &geo::LineString<f64>| l.0.iter().map(|c| project(c.x, c.y)).collect();
        let polygon = |p: &geo::Polygon<f64>| {
            std::iter::once(p.exterior())
                .chain(p.interiors())
                .map(line)
                .collect()
        };
        match g {
            geo::Geometry::Point(p) => Geometry::Points(vec![project(p.x(), p.y())]),
            geo::Geometry::MultiPoint(m) => {
                Geometry::Points(m.0.iter().map(|p| project(p.x(), p.y())).collect())
            }
            geo::Geometry::LineString(l) => Geometry::Lines(vec![line(l)]),
            geo::Geometry::MultiLineString(m) => Geometry::Lines(m.0.iter().map(line).collect()),
            geo::Geometry::Polygon(p) => Geometry::Polygon(polygon(p)),
            geo::Geometry::MultiPolygon(m) => {
                Geometry::MultiPolygon(m.0.iter().map(polygon).collect())
            }
            _ => Geometry::Points(Vec::new()),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    String(String),
    Double(f64),
    Int(i64),
    Bool(bool),
}

impl Value {
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

/// One layer being filled.
pub struct Layer {
    name: String,
    keys: Vec<String>,
    key_index: HashMap<String, u32>,
    values: Vec<Value>,
    string_index: HashMap<String, u32>,
    other_index: HashMap<(u8, u64), u32>,
    features: Vec<Vec<u8>>,
}

impl Layer {
    pub fn new(name: &str) -> Self {
        Layer {
            name: name.to_string(),
            keys: Vec::new(),
            key_index: HashMap::new(),
            values: Vec::new(),
            string_index: HashMap::new(),
            other_index: HashMap::new(),
            features: Vec::new(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.features.is_empty()
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
        let mut tags = Vec::with_capacity(properties.len() * 2);
        for (k, v) in properties {
            // Looked up by reference: a key or value already in the table allocates nothing.
            let ki = match self.key_index.get(*k) {
                Some(&i) => i,
                None => {
                    let i = self.keys.len() as u32;
                    self.keys.push(k.to_string());
                    self.key_index.insert(k.to_string(), i);
                    i
                }
            };
            let next_value = self.values.len() as u32;
            let known = match v.key() {
                ValueKey::String(s) => self.string_index.get(s).copied(),
                ValueKey::Bits(kind, bits) => self.other_index.get(&(kind, bits)).copied(),
            };
            let vi = match known {
                Some(i) => i,
                None => {
                    match v.key() {
                        ValueKey::String(s) => self.string_index.insert(s.to_string(), next_value),
                        ValueKey::Bits(kind, bits) => {
                            self.other_index.insert((kind, bits), next_value)
                        }
                    };
                    self.values.push(v.clone());
                    next_value
                }
            };
            tags.push(ki);
            tags.push(vi);
        }
        let mut f = Vec::new();
        if let Some(id) = id {
            tag(&mut f, 1, 0);
            varint(&mut f, id);
        }
        packed(&mut f, 2, &tags);
        tag(&mut f, 3, 0);
        varint(&mut f, kind);
        packed(&mut f, 4, &commands);
        self.features.push(f);
        true
    }

    fn encode(&self, out: &mut Vec<u8>) {
        let mut l = Vec::new();
        tag(&mut l, 15, 0);
        varint(&mut l, 2);
        bytes_field(&mut l, 1, self.name.as_bytes());
        for f in &self.features {
            bytes_field(&mut l, 2, f);
        }
        for k in &self.keys {
            bytes_field(&mut l, 3, k.as_bytes());
        }
        for v in &self.values {
            let mut buf = Vec::new();
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

fn encode_geometry(geometry: &Geometry) -> Option<(u64, Vec<u32>)> {
    let mut cmds = Vec::new();
    let mut cursor = [0i32; 2];
    let move_to = |cmds: &mut Vec<u32>, p: [i32; 2], cursor: &mut [i32; 2]| {
        cmds.push(zigzag32(p[0] - cursor[0]));
        cmds.push(zigzag32(p[1] - cursor[1]));
        *cursor = p;
    };
    match geometry {
        Geometry::Points(points) => {
            if points.is_empty() {
                return None;
            }
            cmds.push(command(1, points.len()));
            for p in points {
                move_to(&mut cmds, *p, &mut cursor);
            }
            Some((1, cmds))
        }
        Geometry::Lines(lines) => {
            for line in lines {
                let line = dedup(line);
                if line.len() < 2 {
                    continue;
                }
                cmds.push(command(1, 1));
                move_to(&mut cmds, line[0], &mut cursor);
                cmds.push(command(2, line.len() - 1));
                for p in &line[1..] {
                    move_to(&mut cmds, *p, &mut cursor);
                }
            }
            (!cmds.is_empty()).then_some((2, cmds))
        }
        Geometry::Polygon(rings) => {
            polygon_commands(rings, &mut cmds, &mut cursor)?;
            (!cmds.is_empty()).then_some((3, cmds))
        }
        Geometry::MultiPolygon(polygons) => {
            for rings in polygons {
                // A polygon that degenerates at this zoom is left out; the others stay.
                let mut part = Vec::new();
                let mut at = cursor;
                if polygon_commands(rings, &mut part, &mut at).is_some() {
                    cmds.extend(part);
                    cursor = at;
                }
            }
            (!cmds.is_empty()).then_some((3, cmds))
        }
    }
}

/// One polygon's rings as commands; `None` when its exterior degenerates.
fn polygon_commands(
    rings: &[Vec<[i32; 2]>],
    cmds: &mut Vec<u32>,
    cursor: &mut [i32; 2],
) -> Option<()> {
    let move_to = |cmds: &mut Vec<u32>, p: [i32; 2], cursor: &mut [i32; 2]| {
        cmds.push(zigzag32(p[0] - cursor[0]));
        cmds.push(zigzag32(p[1] - cursor[1]));
        *cursor = p;
    };
    for (i, ring) in rings.iter().enumerate() {
        let mut ring = dedup(ring);
        if ring.len() > 1 && ring.first() == ring.last() {
            ring.pop();
        }
        if ring.len() < 3 {
            if i == 0 {
                return None;
            }
            continue;
        }
        let area = signed_area(&ring);
        if area == 0 {
            if i == 0 {
                return None;
            }
            continue;
        }
        // Exterior rings have positive area in tile coordinates (clockwise on screen).
        if (i == 0) != (area > 0) {
            ring.reverse();
        }
        cmds.push(command(1, 1));
        move_to(cmds, ring[0], cursor);
        cmds.push(command(2, ring.len() - 1));
        for p in &ring[1..] {
            move_to(cmds, *p, cursor);
        }
        cmds.push(command(7, 1));
    }
    Some(())
}

fn dedup(points: &[[i32; 2]]) -> Vec<[i32; 2]> {
    let mut out: Vec<[i32; 2]> = Vec::with_capacity(points.len());
    for p in points {
        if out.last() != Some(p) {
            out.push(*p);
        }
    }
    out
}

fn signed_area(ring: &[[i32; 2]]) -> i64 {
    let n = ring.len();
    (0..n)
        .map(|i| {
            let (a, b) = (ring[i], ring[(i + 1) % n]);
            a[0] as i64 * b[1] as i64 - b[0] as i64 * a[1] as i64
        })
        .sum()
}

fn command(id: u32, count: usize) -> u32 {
    (id & 7) | ((count as u32) << 3)
}

fn zigzag32(n: i32) -> u32 {
    ((n << 1) ^ (n >> 31)) as u32
}

fn zigzag(n: i64) -> u64 {
    ((n << 1) ^ (n >> 63)) as u64
}

fn varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn tag(out: &mut Vec<u8>, field: u32, wire: u32) {
    varint(out, ((field << 3) | wire) as u64);
}

fn bytes_field(out: &mut Vec<u8>, field: u32, bytes: &[u8]) {
    tag(out, field, 2);
    varint(out, bytes.len() as u64);
    out.extend_from_slice(bytes);
}

fn packed(out: &mut Vec<u8>, field: u32, values: &[u32]) {
    let mut buf = Vec::new();
    for v in values {
        varint(&mut buf, *v as u64);
    }
    bytes_field(out, field, &buf);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_specs_point_example_encodes_as_published() {
        // MVT spec 4.3.5: a point at (25, 17) is [9, 50, 34].
        let (kind, cmds) = encode_geometry(&Geometry::Points(vec![[25, 17]])).unwrap();
        assert_eq!((kind, cmds), (1, vec![9, 50, 34]));
        // MVT spec: linestring (2,2) (2,10) (10,10) is [9, 4, 4, 18, 0, 16, 16, 0].
        let (kind, cmds) =
            encode_geometry(&Geometry::Lines(vec![vec![[2, 2], [2, 10], [10, 10]]])).unwrap();
        assert_eq!((kind, cmds), (2, vec![9, 4, 4, 18, 0, 16, 16, 0]));
        // MVT spec: polygon (3,6) (8,12) (20,34) is [9, 6, 12, 18, 10, 12, 24, 44, 15].
        let (kind, cmds) = encode_geometry(&Geometry::Polygon(vec![vec![
            [3, 6],
            [8, 12],
            [20, 34],
            [3, 6],
        ]]))
        .unwrap();
        assert_eq!((kind, cmds), (3, vec![9, 6, 12, 18, 10, 12, 24, 44, 15]));
    }

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
            (layer.keys.len(), layer.values.len(), layer.features.len()),
            (1, 1, 2)
        );
        assert!(!encode_tile(&[layer]).is_empty());
    }
}
