//! A Mapbox Vector Tile (v2) encoder: layers of point, line and polygon features in tile
//! coordinates, with deduplicated keys and values, written as protobuf by hand (the format is
//! small and stable). Used for the basemap and, later, tiles straight from the index.

use std::borrow::Cow;

use rustc_hash::FxHashMap;

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
        self.finish(id, kind, properties.iter().map(|(k, v)| (*k, v.clone())));
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

/// Ramer–Douglas–Peucker in place over integer positions, the ends kept; left as it was when
/// fewer than `whole` positions would remain.
fn simplify(
    points: &mut Vec<[i32; 2]>,
    tolerance: f64,
    whole: usize,
    keep: &mut Vec<bool>,
    spans: &mut Vec<(usize, usize)>,
) {
    let n = points.len();
    keep.clear();
    keep.resize(n, false);
    keep[0] = true;
    keep[n - 1] = true;
    spans.clear();
    spans.push((0, n - 1));
    let limit = tolerance * tolerance;
    while let Some((a, b)) = spans.pop() {
        if b <= a + 1 {
            continue;
        }
        let (far, distance) = (a + 1..b)
            .map(|i| (i, segment_distance_sq(points[i], points[a], points[b])))
            .fold((a, -1.0), |best, d| if d.1 > best.1 { d } else { best });
        if distance > limit {
            keep[far] = true;
            spans.push((a, far));
            spans.push((far, b));
        }
    }
    if keep.iter().filter(|k| **k).count() < whole {
        return;
    }
    let mut i = 0;
    points.retain(|_| {
        i += 1;
        keep[i - 1]
    });
}

/// Squared distance from `p` to the segment `a`–`b` (to `a` when the segment is a point).
fn segment_distance_sq(p: [i32; 2], a: [i32; 2], b: [i32; 2]) -> f64 {
    let (px, py) = (f64::from(p[0]), f64::from(p[1]));
    let (ax, ay) = (f64::from(a[0]), f64::from(a[1]));
    let (dx, dy) = (f64::from(b[0]) - ax, f64::from(b[1]) - ay);
    let length_sq = dx * dx + dy * dy;
    let t = if length_sq == 0.0 {
        0.0
    } else {
        (((px - ax) * dx + (py - ay) * dy) / length_sq).clamp(0.0, 1.0)
    };
    let (ex, ey) = (ax + t * dx - px, ay + t * dy - py);
    ex * ex + ey * ey
}

/// The tile's bytes: every non-empty layer.
pub fn encode_tile(layers: &[Layer]) -> Vec<u8> {
    let mut out = Vec::new();
    for layer in layers.iter().filter(|l| !l.is_empty()) {
        layer.encode(&mut out);
    }
    out
}

fn move_to(cmds: &mut Vec<u32>, p: [i32; 2], cursor: &mut [i32; 2]) {
    cmds.push(zigzag32(p[0] - cursor[0]));
    cmds.push(zigzag32(p[1] - cursor[1]));
    *cursor = p;
}

/// A line of at least two distinct positions, repeated ones already dropped.
fn line_commands(line: &[[i32; 2]], cmds: &mut Vec<u32>, cursor: &mut [i32; 2]) {
    cmds.push(command(1, 1));
    move_to(cmds, line[0], cursor);
    cmds.push(command(2, line.len() - 1));
    for p in &line[1..] {
        move_to(cmds, *p, cursor);
    }
}

/// One ring, repeated positions already dropped, wound as MVT wants it; false (nothing
/// written) when it has no area at this zoom.
fn ring_commands(
    ring: &mut Vec<[i32; 2]>,
    exterior: bool,
    cmds: &mut Vec<u32>,
    cursor: &mut [i32; 2],
) -> bool {
    if ring.len() > 1 && ring.first() == ring.last() {
        ring.pop();
    }
    if ring.len() < 3 {
        return false;
    }
    let area = signed_area(ring);
    if area == 0 {
        return false;
    }
    // Exterior rings have positive area in tile coordinates (clockwise on screen).
    if exterior != (area > 0) {
        ring.reverse();
    }
    cmds.push(command(1, 1));
    move_to(cmds, ring[0], cursor);
    cmds.push(command(2, ring.len() - 1));
    for p in &ring[1..] {
        move_to(cmds, *p, cursor);
    }
    cmds.push(command(7, 1));
    true
}

fn encode_geometry(geometry: &Geometry) -> Option<(u64, Vec<u32>)> {
    let mut cmds = Vec::new();
    let mut cursor = [0i32; 2];
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
                if line.len() >= 2 {
                    line_commands(&line, &mut cmds, &mut cursor);
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
                let (written, at) = (cmds.len(), cursor);
                if polygon_commands(rings, &mut cmds, &mut cursor).is_none() {
                    cmds.truncate(written);
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
    for (i, ring) in rings.iter().enumerate() {
        let mut ring = dedup(ring);
        if !ring_commands(&mut ring, i == 0, cmds, cursor) && i == 0 {
            return None;
        }
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
    // The length first: the varints' byte count, then the varints themselves, with no buffer.
    let length: usize = values.iter().map(|v| varint_len(u64::from(*v))).sum();
    tag(out, field, 2);
    varint(out, length as u64);
    for v in values {
        varint(out, u64::from(*v));
    }
}

fn varint_len(v: u64) -> usize {
    (64 - (v | 1).leading_zeros() as usize).div_ceil(7)
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
            (layer.keys.len(), layer.values.len(), layer.len()),
            (1, 1, 2)
        );
        assert!(!encode_tile(&[layer]).is_empty());
    }

    #[test]
    fn packed_lengths_match_the_varints_written() {
        for v in [0u64, 1, 127, 128, 16_383, 16_384, u64::from(u32::MAX)] {
            let mut out = Vec::new();
            varint(&mut out, v);
            assert_eq!(varint_len(v), out.len(), "{v}");
        }
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
