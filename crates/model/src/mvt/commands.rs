//! Integer tile positions as MVT's command stream (MoveTo, LineTo, ClosePath with zigzag deltas):
//! lines and rings with repeated positions dropped, rings wound as the format wants, and
//! Ramer–Douglas–Peucker simplification in tile units.

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

/// Ramer–Douglas–Peucker in place over integer positions, the ends kept; left as it was when
/// fewer than `whole` positions would remain.
pub(super) fn simplify(
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

pub(super) fn move_to(cmds: &mut Vec<u32>, p: [i32; 2], cursor: &mut [i32; 2]) {
    cmds.push(zigzag32(p[0] - cursor[0]));
    cmds.push(zigzag32(p[1] - cursor[1]));
    *cursor = p;
}

/// A line of at least two distinct positions, repeated ones already dropped.
pub(super) fn line_commands(line: &[[i32; 2]], cmds: &mut Vec<u32>, cursor: &mut [i32; 2]) {
    cmds.push(command(1, 1));
    move_to(cmds, line[0], cursor);
    cmds.push(command(2, line.len() - 1));
    for p in &line[1..] {
        move_to(cmds, *p, cursor);
    }
}

/// One ring, repeated positions already dropped, wound as MVT wants it; false (nothing
/// written) when it has no area at this zoom.
pub(super) fn ring_commands(
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

pub(super) fn encode_geometry(geometry: &Geometry) -> Option<(u64, Vec<u32>)> {
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

pub(super) fn command(id: u32, count: usize) -> u32 {
    (id & 7) | ((count as u32) << 3)
}

fn zigzag32(n: i32) -> u32 {
    ((n << 1) ^ (n >> 31)) as u32
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
}
