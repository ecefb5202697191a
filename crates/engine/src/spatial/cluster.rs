//! The cluster pyramid of a layer: for every zoom from `max_zoom` down to `min_zoom`, points
//! within `radius` screen pixels of each other merge into one cluster that carries its count, its
//! severities and its extent. Greedy radius clustering over Web-Mercator, as MapLibre's own
//! supercluster does, so clusters sit where a map user expects them; each level is indexed by a
//! [`PackedIndex`] for viewport queries.

use super::packed::PackedIndex;

/// Severity ranks a cluster counts; rank 0 is the mildest.
pub const SEVERITY_RANKS: usize = 4;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClusterOptions {
    pub min_zoom: u8,
    pub max_zoom: u8,
    /// Cluster radius in pixels of a tile `extent` pixels wide.
    pub radius: f64,
    pub extent: f64,
}

impl Default for ClusterOptions {
    fn default() -> Self {
        ClusterOptions {
            min_zoom: 0,
            max_zoom: 16,
            radius: 40.0,
            extent: 512.0,
        }
    }
}

/// One point to cluster: WGS84 position and severity rank (`None` when the layer has none).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClusterInput {
    pub lon: f64,
    pub lat: f64,
    pub severity: Option<u8>,
}

/// A cluster, or a lone point (`count == 1`, `point` is its index in the input).
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// Web-Mercator position in 0..1 (the count-weighted centre of its points).
    x: f64,
    y: f64,
    pub count: u32,
    pub point: u32,
    pub severities: [u32; SEVERITY_RANKS],
    /// west, south, east, north of its points, degrees.
    pub extent: [f32; 4],
}

impl Node {
    pub fn lon_lat(&self) -> [f64; 2] {
        [(self.x - 0.5) * 360.0, lat_of(self.y)]
    }

    /// The most severe rank among its points.
    pub fn top_severity(&self) -> Option<u8> {
        (0..SEVERITY_RANKS)
            .rev()
            .find(|&r| self.severities[r] > 0)
            .map(|r| r as u8)
    }
}

struct Level {
    nodes: Vec<Node>,
    index: PackedIndex,
}

pub struct ClusterPyramid {
    options: ClusterOptions,
    /// levels[0] is `min_zoom`; the last level holds the points themselves.
    levels: Vec<Level>,
}

fn x_of(lon: f64) -> f64 {
    lon / 360.0 + 0.5
}

fn y_of(lat: f64) -> f64 {
    let s = lat.to_radians().sin();
    let y = 0.5 - 0.25 * ((1.0 + s) / (1.0 - s)).ln() / std::f64::consts::PI;
    y.clamp(0.0, 1.0)
}

fn lat_of(y: f64) -> f64 {
    let y2 = (180.0 - y * 360.0).to_radians();
    (360.0 * y2.exp().atan() / std::f64::consts::PI) - 90.0
}

impl ClusterPyramid {
    pub fn build(points: &[ClusterInput], options: ClusterOptions) -> ClusterPyramid {
        let nodes: Vec<Node> = points
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let mut severities = [0; SEVERITY_RANKS];
                if let Some(s) = p.severity {
                    severities[(s as usize).min(SEVERITY_RANKS - 1)] = 1;
                }
                Node {
                    x: x_of(p.lon),
                    y: y_of(p.lat),
                    count: 1,
                    point: i as u32,
                    severities,
                    extent: [p.lon as f32, p.lat as f32, p.lon as f32, p.lat as f32],
                }
            })
            .collect();
        let mut levels = vec![Level {
            index: PackedIndex::build(nodes.iter().map(|n| [n.x, n.y])),
            nodes,
        }];
        let mut neighbours: Vec<u32> = Vec::new();
        for zoom in (options.min_zoom..=options.max_zoom).rev() {
            let Some(previous) = levels.last() else {
                break;
            };
            let r = options.radius / (options.extent * 2f64.powi(zoom as i32));
            let mut taken = vec![false; previous.nodes.len()];
            let mut next: Vec<Node> = Vec::with_capacity(previous.nodes.len() / 2);
            for (i, p) in previous.nodes.iter().enumerate() {
                if taken[i] {
                    continue;
                }
                taken[i] = true;
                neighbours.clear();
                previous.index.within(p.x, p.y, r, |j| {
                    if !taken[j as usize] {
                        neighbours.push(j);
                    }
                });
                if neighbours.is_empty() {
                    next.push(p.clone());
                    continue;
                }
                let mut merged = p.clone();
                let (mut wx, mut wy) = (p.x * p.count as f64, p.y * p.count as f64);
                for &j in &neighbours {
                    taken[j as usize] = true;
                    let b = &previous.nodes[j as usize];
                    wx += b.x * b.count as f64;
                    wy += b.y * b.count as f64;
                    merged.count += b.count;
                    for r in 0..SEVERITY_RANKS {
                        merged.severities[r] += b.severities[r];
                    }
                    merged.extent[0] = merged.extent[0].min(b.extent[0]);
                    merged.extent[1] = merged.extent[1].min(b.extent[1]);
                    merged.extent[2] = merged.extent[2].max(b.extent[2]);
                    merged.extent[3] = merged.extent[3].max(b.extent[3]);
                }
                merged.x = wx / merged.count as f64;
                merged.y = wy / merged.count as f64;
                next.push(merged);
            }
            levels.push(Level {
                index: PackedIndex::build(next.iter().map(|n| [n.x, n.y])),
                nodes: next,
            });
        }
        levels.reverse();
        ClusterPyramid { options, levels }
    }

    /// Clusters and lone points at `zoom` (floored; past `max_zoom` the points themselves)
    /// inside the box west, south, east, north.
    pub fn query(&self, bbox: [f64; 4], zoom: f64) -> Vec<&Node> {
        let z = (zoom.floor().max(0.0) as usize).clamp(
            self.options.min_zoom as usize,
            self.options.max_zoom as usize + 1,
        );
        let Some(level) = self.levels.get(z - self.options.min_zoom as usize) else {
            return Vec::new();
        };
        let [west, south, east, north] = bbox;
        let mut out = Vec::new();
        level
            .index
            .range([x_of(west), y_of(north)], [x_of(east), y_of(south)], |i| {
                if let Some(n) = level.nodes.get(i as usize) {
                    out.push(n);
                }
            });
        out
    }

    /// How many nodes each level holds, from `min_zoom` up.
    pub fn level_sizes(&self) -> Vec<usize> {
        self.levels.iter().map(|l| l.nodes.len()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn near_points_merge_when_zoomed_out_and_split_when_zoomed_in() {
        // Two groups 0.001° apart (~100 m) and a lone point 0.2° away.
        let mut points = vec![];
        for i in 0..5 {
            points.push(ClusterInput {
                lon: 118.28 + i as f64 * 0.0002,
                lat: 33.96,
                severity: Some(if i == 4 { 2 } else { 0 }),
            });
        }
        points.push(ClusterInput {
            lon: 118.48,
            lat: 33.96,
            severity: None,
        });
        let pyramid = ClusterPyramid::build(&points, ClusterOptions::default());
        let city = [118.0, 33.7, 118.6, 34.2];
        let far = pyramid.query(city, 10.0);
        assert_eq!(far.len(), 2);
        let cluster = far
            .iter()
            .find(|n| n.count == 5)
            .expect("a cluster of five");
        assert_eq!(cluster.severities, [4, 0, 1, 0]);
        assert_eq!(cluster.top_severity(), Some(2));
        let [lon, lat] = cluster.lon_lat();
        assert!((lon - 118.2804).abs() < 1e-6 && (lat - 33.96).abs() < 1e-6);
        assert!((cluster.extent[2] - 118.2808).abs() < 1e-4);
        // At street zoom everything is a lone point again.
        let near = pyramid.query(city, 19.0);
        assert_eq!(near.len(), 6);
        assert!(near.iter().all(|n| n.count == 1));
        // Counts are conserved at every level.
        for z in 0..=17 {
            let total: u32 = pyramid
                .query([-180.0, -85.0, 180.0, 85.0], z as f64)
                .iter()
                .map(|n| n.count)
                .sum();
            assert_eq!(total, 6, "zoom {z}");
        }
    }
}
