//! Local plane geometry for the sim city: metres east/north of the city centre, their WGS84
//! equivalent, and the few polygon/polyline helpers the generator needs.

/// City centre, a real place in eastern China so the clock and datum offsets behave as deployed.
pub const CENTRE_LON: f64 = 118.28;
pub const CENTRE_LAT: f64 = 33.96;

const METRES_PER_DEG_LAT: f64 = 110_540.0;

fn metres_per_deg_lon() -> f64 {
    111_320.0 * CENTRE_LAT.to_radians().cos()
}

/// A point in metres east (x) and north (y) of the centre.
pub type P = [f64; 2];

pub fn to_lonlat(p: P) -> [f64; 2] {
    [
        CENTRE_LON + p[0] / metres_per_deg_lon(),
        CENTRE_LAT + p[1] / METRES_PER_DEG_LAT,
    ]
}

pub fn from_lonlat(lon: f64, lat: f64) -> P {
    [
        (lon - CENTRE_LON) * metres_per_deg_lon(),
        (lat - CENTRE_LAT) * METRES_PER_DEG_LAT,
    ]
}

pub fn polar(r: f64, theta: f64) -> P {
    [r * theta.cos(), r * theta.sin()]
}

pub fn dist(a: P, b: P) -> f64 {
    ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2)).sqrt()
}

/// Distance from `p` to the segment `a`–`b`.
pub fn dist_to_segment(p: P, a: P, b: P) -> f64 {
    let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
    let len2 = dx * dx + dy * dy;
    let t = if len2 == 0.0 {
        0.0
    } else {
        (((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / len2).clamp(0.0, 1.0)
    };
    dist(p, [a[0] + t * dx, a[1] + t * dy])
}

pub fn dist_to_line(p: P, line: &[P]) -> f64 {
    line.windows(2)
        .map(|w| dist_to_segment(p, w[0], w[1]))
        .fold(f64::INFINITY, f64::min)
}

/// Closes a ribbon of the given width around a polyline: a polygon ring.
pub fn buffer_line(line: &[P], width: impl Fn(usize) -> f64) -> Vec<P> {
    let n = line.len();
    let mut left = Vec::with_capacity(n);
    let mut right = Vec::with_capacity(n);
    for i in 0..n {
        let a = line[i.saturating_sub(1)];
        let b = line[(i + 1).min(n - 1)];
        let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
        let len = (dx * dx + dy * dy).sqrt().max(1e-9);
        let (nx, ny) = (-dy / len, dx / len);
        let h = width(i) / 2.0;
        left.push([line[i][0] + nx * h, line[i][1] + ny * h]);
        right.push([line[i][0] - nx * h, line[i][1] - ny * h]);
    }
    right.reverse();
    left.extend(right);
    left.push(left[0]);
    left
}

/// A closed ring of a rotated rectangle centred at `c`.
pub fn rect(c: P, w: f64, h: f64, angle: f64) -> Vec<P> {
    let (s, co) = angle.sin_cos();
    let corners = [
        [-w / 2.0, -h / 2.0],
        [w / 2.0, -h / 2.0],
        [w / 2.0, h / 2.0],
        [-w / 2.0, h / 2.0],
        [-w / 2.0, -h / 2.0],
    ];
    corners
        .iter()
        .map(|[x, y]| [c[0] + x * co - y * s, c[1] + x * s + y * co])
        .collect()
}

pub fn ellipse(c: P, rx: f64, ry: f64, angle: f64, steps: usize) -> Vec<P> {
    let (s, co) = angle.sin_cos();
    let mut ring: Vec<P> = (0..steps)
        .map(|i| {
            let t = std::f64::consts::TAU * i as f64 / steps as f64;
            let (x, y) = (rx * t.cos(), ry * t.sin());
            [c[0] + x * co - y * s, c[1] + x * s + y * co]
        })
        .collect();
    ring.push(ring[0]);
    ring
}

pub fn point_in_ring(p: P, ring: &[P]) -> bool {
    let mut inside = false;
    let n = ring.len();
    let mut j = n.saturating_sub(1);
    for i in 0..n {
        let (a, b) = (ring[i], ring[j]);
        if (a[1] > p[1]) != (b[1] > p[1])
            && p[0] < (b[0] - a[0]) * (p[1] - a[1]) / (b[1] - a[1]) + a[0]
        {
            inside = !inside;
        }
        j = i;
    }
    inside
}

pub fn centroid(ring: &[P]) -> P {
    let n = ring.len().max(1) as f64;
    let (sx, sy) = ring
        .iter()
        .fold((0.0, 0.0), |(x, y), p| (x + p[0], y + p[1]));
    [sx / n, sy / n]
}

/// Angle in [0, 2π).
pub fn angle_of(p: P) -> f64 {
    p[1].atan2(p[0]).rem_euclid(std::f64::consts::TAU)
}
