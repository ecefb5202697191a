//! The geometry of 示范市: a river with a tributary and lakes, three ring roads, eight radial
//! arterials and two expressways, district street grids with irregularity, blocks with building
//! footprints and heights, parks, and the district → street → grid hierarchy. Deterministic by
//! seed; all in metres around the centre (see [`crate::geo`]).

use std::f64::consts::{PI, TAU};

use crate::geo::{self, buffer_line, dist_to_line, ellipse, point_in_ring, polar, rect, P};
use crate::names;
use crate::rng::Rng;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoadClass {
    Motorway,
    Trunk,
    Primary,
    Secondary,
    Minor,
}

impl RoadClass {
    pub fn as_str(self) -> &'static str {
        match self {
            RoadClass::Motorway => "motorway",
            RoadClass::Trunk => "trunk",
            RoadClass::Primary => "primary",
            RoadClass::Secondary => "secondary",
            RoadClass::Minor => "minor",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Road {
    pub name: String,
    pub class: RoadClass,
    pub line: Vec<P>,
}

#[derive(Debug, Clone)]
pub struct Polygon {
    pub name: String,
    pub ring: Vec<P>,
}

#[derive(Debug, Clone)]
pub struct Building {
    pub ring: Vec<P>,
    pub height: f64,
}

/// An administrative area: a district (区), a street (街道) or a community grid cell (网格).
#[derive(Debug, Clone)]
pub struct Area {
    pub id: String,
    pub name: String,
    /// Index of the parent in the level above (district for a street, street for a grid).
    pub parent: Option<usize>,
    pub ring: Vec<P>,
    pub centre: P,
    /// Polar extent, for sampling points inside: r0, r1, θ0, θ1.
    pub polar: [f64; 4],
}

#[derive(Debug, Clone)]
pub struct Place {
    pub name: String,
    pub kind: &'static str,
    pub p: P,
}

pub struct City {
    pub river: Vec<P>,
    pub tributary: Vec<P>,
    pub water: Vec<Polygon>,
    pub waterways: Vec<Road>,
    pub roads: Vec<Road>,
    pub parks: Vec<Polygon>,
    pub buildings: Vec<Building>,
    pub districts: Vec<Area>,
    pub streets: Vec<Area>,
    pub grids: Vec<Area>,
    pub places: Vec<Place>,
    lakes: Vec<Vec<P>>,
}

pub const RIVER_WIDTH: f64 = 230.0;
pub const TRIBUTARY_WIDTH: f64 = 90.0;
pub const INNER_RING: f64 = 2_600.0;
pub const MIDDLE_RING: f64 = 5_600.0;
pub const OUTER_RING: f64 = 10_200.0;
/// Where the built-up area ends.
pub const URBAN_EDGE: f64 = 9_800.0;
/// Where the districts end.
pub const CITY_EDGE: f64 = 12_000.0;

pub fn river_y(x: f64) -> f64 {
    -1_200.0 + 1_300.0 * (x / 5_200.0 + 0.4).sin() + 350.0 * (x / 1_500.0 + 1.3).sin()
}

fn tributary_x(y: f64) -> f64 {
    2_600.0 + 700.0 * (y / 2_300.0).sin() + 200.0 * (y / 800.0).sin()
}

/// Radial arterial k's angle at distance r: gently curving, never straight.
pub fn radial_angle(k: usize, r: f64) -> f64 {
    let base = k as f64 * PI / 4.0 + 0.05 * ((k * 7 % 5) as f64 - 2.0);
    base + 0.05 * (r / 3_000.0 + k as f64).sin()
}

/// A ring road's radius at angle θ: a rounded square with a slight wobble.
pub fn ring_radius(r: f64, theta: f64, n: f64) -> f64 {
    let shape = (theta.cos().abs().powf(n) + theta.sin().abs().powf(n)).powf(-1.0 / n);
    r * shape * (1.0 + 0.025 * (3.0 * theta + r / 1_000.0).sin())
}

/// Whether direction `t` lies in the arc from `t0` to `t1` (counter-clockwise, any winding).
fn in_arc(t: f64, t0: f64, t1: f64) -> bool {
    (t - t0).rem_euclid(TAU) < t1 - t0
}

impl City {
    pub fn generate(seed: u64) -> City {
        let mut rng = Rng::new(seed);
        let river: Vec<P> = (-120..=120)
            .map(|i| i as f64 * 150.0)
            .map(|x| [x, river_y(x)])
            .collect();
        let mut tributary: Vec<P> = Vec::new();
        let mut y = 15_000.0;
        loop {
            let x = tributary_x(y);
            tributary.push([x, y]);
            if y < river_y(x) {
                break;
            }
            y -= 120.0;
        }
        let lakes = vec![
            ellipse([-4_200.0, 3_600.0], 760.0, 430.0, 0.3, 48),
            ellipse([1_500.0, -7_600.0], 1_100.0, 560.0, -0.2, 56),
            ellipse([7_400.0, 4_300.0], 380.0, 260.0, 0.8, 36),
        ];
        let water = vec![
            Polygon {
                name: "淮清河".into(),
                ring: buffer_line(&river, |i| RIVER_WIDTH + 40.0 * (i as f64 / 9.0).sin()),
            },
            Polygon {
                name: "柳溪河".into(),
                ring: buffer_line(&tributary, |_| TRIBUTARY_WIDTH),
            },
            Polygon {
                name: "明湖".into(),
                ring: lakes[0].clone(),
            },
            Polygon {
                name: "南湖".into(),
                ring: lakes[1].clone(),
            },
            Polygon {
                name: "镜湖".into(),
                ring: lakes[2].clone(),
            },
        ];
        let waterways = vec![
            Road {
                name: "淮清河".into(),
                class: RoadClass::Primary,
                line: river.clone(),
            },
            Road {
                name: "柳溪河".into(),
                class: RoadClass::Secondary,
                line: tributary.clone(),
            },
        ];
        let mut city = City {
            river,
            tributary,
            water,
            waterways,
            roads: Vec::new(),
            parks: Vec::new(),
            buildings: Vec::new(),
            districts: Vec::new(),
            streets: Vec::new(),
            grids: Vec::new(),
            places: Vec::new(),
            lakes,
        };
        city.add_main_roads();
        city.add_areas();
        city.add_street_grids(&mut rng);
        city.add_places();
        city
    }

    /// Water, with a margin in metres around the river and the tributary.
    pub fn in_water(&self, p: P, margin: f64) -> bool {
        if p[0].abs() < 18_000.0
            && (p[1] - river_y(p[0])).abs() < RIVER_WIDTH / 2.0 + 60.0 + margin + 40.0
        {
            return true;
        }
        if p[1] > river_y(p[0]) - 50.0
            && p[1] < 15_200.0
            && (p[0] - tributary_x(p[1])).abs() < TRIBUTARY_WIDTH / 2.0 + margin
        {
            return true;
        }
        self.lakes.iter().any(|l| point_in_ring(p, l)) && margin >= 0.0
    }

    fn add_main_roads(&mut self) {
        let rings = [
            ("环城路", INNER_RING, 3.2, RoadClass::Trunk),
            ("二环路", MIDDLE_RING, 2.8, RoadClass::Trunk),
            ("外环高速", OUTER_RING, 2.4, RoadClass::Motorway),
        ];
        for (name, r, n, class) in rings {
            let line: Vec<P> = (0..=180)
                .map(|i| i as f64 * TAU / 180.0)
                .map(|t| polar(ring_radius(r, t, n), t))
                .collect();
            self.roads.push(Road {
                name: name.into(),
                class,
                line,
            });
        }
        for (k, name) in names::RADIALS.iter().enumerate() {
            let start = if k % 2 == 0 { 0.0 } else { 1_200.0 };
            let line: Vec<P> = (0..=60)
                .map(|i| start + (12_800.0 - start) * i as f64 / 60.0)
                .map(|r| polar(r, radial_angle(k, r)))
                .collect();
            self.roads.push(Road {
                name: (*name).into(),
                class: RoadClass::Primary,
                line,
            });
        }
        let g25: Vec<P> = (-80..=80)
            .map(|i| i as f64 * 200.0)
            .map(|y| [13_000.0 + 300.0 * (y / 4_000.0).sin(), y])
            .collect();
        self.roads.push(Road {
            name: "G25长深高速".into(),
            class: RoadClass::Motorway,
            line: g25,
        });
        let s49: Vec<P> = (-80..=80)
            .map(|i| i as f64 * 200.0)
            .map(|x| [x, -12_500.0 + 400.0 * (x / 5_000.0).sin()])
            .collect();
        self.roads.push(Road {
            name: "S49宁宿徐高速".into(),
            class: RoadClass::Motorway,
            line: s49,
        });
        let riverside_n: Vec<P> = self
            .river
            .iter()
            .filter(|p| p[0].abs() < 9_000.0)
            .map(|p| [p[0], p[1] + RIVER_WIDTH / 2.0 + 70.0])
            .collect();
        let riverside_s: Vec<P> = self
            .river
            .iter()
            .filter(|p| p[0].abs() < 9_000.0)
            .map(|p| [p[0], p[1] - RIVER_WIDTH / 2.0 - 70.0])
            .collect();
        self.roads.push(Road {
            name: "滨河北路".into(),
            class: RoadClass::Secondary,
            line: riverside_n,
        });
        self.roads.push(Road {
            name: "滨河南路".into(),
            class: RoadClass::Secondary,
            line: riverside_s,
        });
    }

    fn add_areas(&mut self) {
        let patch = |r0: f64, r1: f64, t0: f64, t1: f64| -> Vec<P> {
            let steps = (((t1 - t0) / 0.04).ceil() as usize).max(2);
            let mut ring: Vec<P> = Vec::new();
            if r0 <= 0.0 {
                ring.push([0.0, 0.0]);
            } else {
                ring.extend(
                    (0..=steps).map(|i| polar(r0, t0 + (t1 - t0) * i as f64 / steps as f64)),
                );
            }
            ring.extend(
                (0..=steps)
                    .rev()
                    .map(|i| polar(r1, t0 + (t1 - t0) * i as f64 / steps as f64)),
            );
            ring.push(ring[0]);
            ring
        };
        let polar_centre = |r0: f64, r1: f64, t0: f64, t1: f64| {
            polar(
                if r0 <= 0.0 {
                    r1 * 0.55
                } else {
                    (r0 + r1) / 2.0
                },
                (t0 + t1) / 2.0,
            )
        };
        let area = |level: &mut Vec<Area>,
                    kind: &str,
                    name: String,
                    parent: Option<usize>,
                    r0: f64,
                    r1: f64,
                    t0: f64,
                    t1: f64| {
            level.push(Area {
                id: format!("{kind}{}", level.len()),
                name,
                parent,
                ring: patch(r0, r1, t0, t1),
                centre: polar_centre(r0, r1, t0, t1),
                polar: [r0, r1, t0, t1],
            });
        };
        let mut districts = Vec::new();
        let mut streets = Vec::new();
        let mut grids = Vec::new();
        let mut prefixes = names::STREET_PREFIXES.iter();
        let mut next_prefix = || prefixes.next().copied().unwrap_or("新建");
        // The centre district: a disc split into 4 × 2 streets, each into 2 × 2 grids.
        area(
            &mut districts,
            "d",
            names::DISTRICTS[0].into(),
            None,
            0.0,
            INNER_RING,
            0.0,
            TAU,
        );
        let q = PI / 2.0;
        for s in 0..8 {
            let (t0, band) = ((s % 4) as f64 * q + PI / 4.0, s / 4);
            let (r0, r1) = if band == 0 {
                (0.0, 1_300.0)
            } else {
                (1_300.0, INNER_RING)
            };
            let prefix = next_prefix();
            let street_index = streets.len();
            area(
                &mut streets,
                "s",
                format!("{prefix}街道"),
                Some(0),
                r0,
                r1,
                t0,
                t0 + q,
            );
            let mut n = 1;
            for gr in 0..2 {
                for gt in 0..2 {
                    let (g0, g1) = (
                        r0 + (r1 - r0) * gr as f64 / 2.0,
                        r0 + (r1 - r0) * (gr + 1) as f64 / 2.0,
                    );
                    let ta = t0 + q * gt as f64 / 2.0;
                    area(
                        &mut grids,
                        "g",
                        format!("{prefix}第{n}网格"),
                        Some(street_index),
                        g0,
                        g1,
                        ta,
                        ta + q / 2.0,
                    );
                    n += 1;
                }
            }
        }
        // Eight sector districts, each 2 × 3 streets, each street 3 × 3 grids.
        let bands = [INNER_RING, MIDDLE_RING, 8_600.0, CITY_EDGE];
        for k in 0..8 {
            let t0 = k as f64 * PI / 4.0 - PI / 8.0;
            let d = districts.len();
            area(
                &mut districts,
                "d",
                names::DISTRICTS[k + 1].into(),
                None,
                INNER_RING,
                CITY_EDGE,
                t0,
                t0 + PI / 4.0,
            );
            for half in 0..2 {
                for band in 0..3 {
                    let (r0, r1) = (bands[band], bands[band + 1]);
                    let (s0, s1) = (
                        t0 + half as f64 * PI / 8.0,
                        t0 + (half + 1) as f64 * PI / 8.0,
                    );
                    let prefix = next_prefix();
                    let street_index = streets.len();
                    area(
                        &mut streets,
                        "s",
                        format!("{prefix}街道"),
                        Some(d),
                        r0,
                        r1,
                        s0,
                        s1,
                    );
                    let mut n = 1;
                    for gr in 0..3 {
                        for gt in 0..3 {
                            let g0 = r0 + (r1 - r0) * gr as f64 / 3.0;
                            let g1 = r0 + (r1 - r0) * (gr + 1) as f64 / 3.0;
                            let ta = s0 + (s1 - s0) * gt as f64 / 3.0;
                            let tb = s0 + (s1 - s0) * (gt + 1) as f64 / 3.0;
                            area(
                                &mut grids,
                                "g",
                                format!("{prefix}第{n}网格"),
                                Some(street_index),
                                g0,
                                g1,
                                ta,
                                tb,
                            );
                            n += 1;
                        }
                    }
                }
            }
        }
        self.districts = districts;
        self.streets = streets;
        self.grids = grids;
    }

    /// Which grid cell holds a point, if any.
    pub fn grid_of(&self, p: P) -> Option<usize> {
        let r = geo::dist(p, [0.0, 0.0]);
        let t = geo::angle_of(p);
        self.grids.iter().position(|g| {
            let [r0, r1, t0, t1] = g.polar;
            r >= r0 && r < r1 && in_arc(t, t0, t1)
        })
    }

    fn add_street_grids(&mut self, rng: &mut Rng) {
        let mut park_names = names::PARKS.iter().skip(1);
        // Zones: the old town, then each sector's inner and outer band.
        let mut zones: Vec<(f64, f64, f64, f64, f64, u8)> =
            vec![(0.0, INNER_RING - 120.0, 0.0, TAU, 0.03, 0)];
        for k in 0..8 {
            let t0 = k as f64 * PI / 4.0 - PI / 8.0;
            zones.push((
                INNER_RING + 120.0,
                MIDDLE_RING - 100.0,
                t0,
                t0 + PI / 4.0,
                0.18 * ((k as f64) * 1.7).sin(),
                1,
            ));
            zones.push((
                MIDDLE_RING + 100.0,
                URBAN_EDGE,
                t0,
                t0 + PI / 4.0,
                0.25 * ((k as f64) * 2.3).cos(),
                2,
            ));
        }
        let mut name_index = 0usize;
        for (zone_index, &(r0, r1, t0, t1, angle, kind)) in zones.iter().enumerate() {
            let spacing = match kind {
                0 => 260.0,
                1 => 430.0,
                _ => 640.0,
            };
            let inside = |p: P| {
                let r = geo::dist(p, [0.0, 0.0]);
                r >= r0 && r < r1 && in_arc(geo::angle_of(p), t0, t1)
            };
            let (s, c) = angle.sin_cos();
            let to_world = |u: f64, v: f64| -> P { [u * c - v * s, u * s + v * c] };
            let n = (r1 / spacing).ceil() as i64 + 1;
            // Jittered lattice offsets make the grid irregular.
            let us: Vec<f64> = (-n..=n + 1)
                .map(|i| i as f64 * spacing + rng.range(-0.18, 0.18) * spacing)
                .collect();
            let vs: Vec<f64> = (-n..=n + 1)
                .map(|i| i as f64 * spacing + rng.range(-0.18, 0.18) * spacing)
                .collect();
            let mut line_names: Vec<String> = Vec::new();
            for family in 0..2 {
                let (along, across) = if family == 0 { (&us, &vs) } else { (&vs, &us) };
                for (li, &a) in along.iter().enumerate() {
                    let named = li % 3 == 0;
                    let name = if named {
                        name_index += 1;
                        names::SECONDARY[(name_index * 7 + zone_index) % names::SECONDARY.len()]
                            .to_string()
                    } else {
                        String::new()
                    };
                    line_names.push(name.clone());
                    let mut current: Vec<P> = Vec::new();
                    for w in across.windows(2) {
                        let piece = |b: f64| {
                            if family == 0 {
                                to_world(a, b)
                            } else {
                                to_world(b, a)
                            }
                        };
                        let (p0, p1) = (piece(w[0]), piece(w[1]));
                        let mid = [(p0[0] + p1[0]) / 2.0, (p0[1] + p1[1]) / 2.0];
                        let dropped = !named && kind > 0 && rng.chance(0.14);
                        if inside(mid) && !self.in_water(mid, 0.0) && !dropped {
                            if current.is_empty() {
                                current.push(p0);
                            }
                            current.push(p1);
                        } else if current.len() > 1 {
                            let class = if named {
                                RoadClass::Secondary
                            } else {
                                RoadClass::Minor
                            };
                            self.roads.push(Road {
                                name: name.clone(),
                                class,
                                line: std::mem::take(&mut current),
                            });
                        } else {
                            current.clear();
                        }
                    }
                    if current.len() > 1 {
                        let class = if named {
                            RoadClass::Secondary
                        } else {
                            RoadClass::Minor
                        };
                        self.roads.push(Road {
                            name: name.clone(),
                            class,
                            line: current,
                        });
                    }
                }
            }
            // Blocks: each lattice cell inside the zone becomes a park or gets buildings.
            for iu in 0..us.len() - 1 {
                for iv in 0..vs.len() - 1 {
                    let (u0, u1, v0, v1) = (us[iu], us[iu + 1], vs[iv], vs[iv + 1]);
                    let centre = to_world((u0 + u1) / 2.0, (v0 + v1) / 2.0);
                    if !inside(centre) || self.in_water(centre, 60.0) {
                        continue;
                    }
                    let corners = [
                        to_world(u0, v0),
                        to_world(u1, v0),
                        to_world(u1, v1),
                        to_world(u0, v1),
                    ];
                    if corners.iter().any(|p| self.in_water(*p, 20.0)) {
                        continue;
                    }
                    let near_lake = self
                        .lakes
                        .iter()
                        .any(|l| geo::dist(geo::centroid(l), centre) < 1_000.0);
                    if near_lake || rng.chance(if kind == 0 { 0.04 } else { 0.05 }) {
                        let inset = 16.0;
                        let ring = vec![
                            to_world(u0 + inset, v0 + inset),
                            to_world(u1 - inset, v0 + inset),
                            to_world(u1 - inset, v1 - inset),
                            to_world(u0 + inset, v1 - inset),
                            to_world(u0 + inset, v0 + inset),
                        ];
                        let name = if near_lake || rng.chance(0.5) {
                            park_names.next().map(|s| s.to_string()).unwrap_or_default()
                        } else {
                            String::new()
                        };
                        self.parks.push(Polygon { name, ring });
                        continue;
                    }
                    self.fill_block(rng, kind, angle, (u0, u1, v0, v1), &to_world);
                }
            }
        }
        // The central park beside the old town's civic square.
        self.parks.push(Polygon {
            name: names::PARKS[0].into(),
            ring: rect([650.0, 950.0], 520.0, 380.0, 0.03),
        });
        let park_rings: Vec<Vec<P>> = self.parks.iter().map(|p| p.ring.clone()).collect();
        self.buildings.retain(|b| {
            !park_rings
                .iter()
                .any(|r| point_in_ring(geo::centroid(&b.ring), r))
        });
    }

    fn fill_block(
        &mut self,
        rng: &mut Rng,
        kind: u8,
        angle: f64,
        (u0, u1, v0, v1): (f64, f64, f64, f64),
        to_world: &dyn Fn(f64, f64) -> P,
    ) {
        let inset = 22.0;
        let (bu0, bu1, bv0, bv1) = (u0 + inset, u1 - inset, v0 + inset, v1 - inset);
        if bu1 - bu0 < 30.0 || bv1 - bv0 < 30.0 {
            return;
        }
        let mut add = |cu: f64, cv: f64, w: f64, h: f64, height: f64| {
            let c = to_world(cu, cv);
            self.buildings.push(Building {
                ring: rect(c, w, h, angle),
                height: height.round(),
            });
        };
        match kind {
            0 => {
                // Old town: a patchwork of lots, a few towers near the centre.
                let nu = 2 + rng.below(3);
                let nv = 2 + rng.below(3);
                let (lu, lv) = ((bu1 - bu0) / nu as f64, (bv1 - bv0) / nv as f64);
                for i in 0..nu {
                    for j in 0..nv {
                        if rng.chance(0.12) {
                            continue;
                        }
                        let cu = bu0 + lu * (i as f64 + 0.5);
                        let cv = bv0 + lv * (j as f64 + 0.5);
                        let tower = rng.chance(0.08);
                        let height = if tower {
                            rng.range(60.0, 150.0)
                        } else {
                            rng.range(9.0, 30.0)
                        };
                        add(
                            cu,
                            cv,
                            lu * rng.range(0.6, 0.85),
                            lv * rng.range(0.6, 0.85),
                            height,
                        );
                    }
                }
            }
            1 => {
                if rng.chance(0.2) {
                    // Commercial: a podium and a tower.
                    let (cu, cv) = ((bu0 + bu1) / 2.0, (bv0 + bv1) / 2.0);
                    add(cu, cv, (bu1 - bu0) * 0.8, (bv1 - bv0) * 0.6, 18.0);
                    add(cu + 20.0, cv, 38.0, 38.0, rng.range(90.0, 200.0));
                } else {
                    // A residential compound (小区): east–west slabs in rows facing south.
                    let height = *rng.pick(&[33.0, 54.0, 75.0, 99.0]);
                    let row_gap = 36.0 + height * 0.35;
                    let mut v = bv0 + 10.0;
                    while v + 12.0 < bv1 {
                        let mut u = bu0 + 6.0;
                        while u + 40.0 < bu1 {
                            let len = rng.range(48.0, 66.0).min(bu1 - u);
                            add(
                                u + len / 2.0,
                                v + 7.0,
                                len,
                                13.0,
                                height + rng.range(-3.0, 3.0),
                            );
                            u += len + rng.range(14.0, 24.0);
                        }
                        v += row_gap;
                    }
                }
            }
            _ => {
                if rng.chance(0.5) {
                    // Industrial: a few large low sheds.
                    let n = 1 + rng.below(3);
                    let lu = (bu1 - bu0) / n as f64;
                    for i in 0..n {
                        let cu = bu0 + lu * (i as f64 + 0.5);
                        add(
                            cu,
                            (bv0 + bv1) / 2.0,
                            lu * 0.8,
                            (bv1 - bv0) * rng.range(0.45, 0.75),
                            rng.range(8.0, 16.0),
                        );
                    }
                } else {
                    let height = *rng.pick(&[18.0, 18.0, 33.0, 54.0]);
                    let mut v = bv0 + 10.0;
                    while v + 12.0 < bv1 {
                        let mut u = bu0 + 10.0;
                        while u + 40.0 < bu1 {
                            let len = rng.range(44.0, 62.0).min(bu1 - u);
                            if rng.chance(0.85) {
                                add(u + len / 2.0, v + 7.0, len, 12.0, height);
                            }
                            u += len + rng.range(18.0, 30.0);
                        }
                        v += 48.0 + height * 0.3;
                    }
                }
            }
        }
    }

    fn add_places(&mut self) {
        for d in &self.districts {
            self.places.push(Place {
                name: d.name.clone(),
                kind: "district",
                p: d.centre,
            });
        }
        let pois: [(&str, P); 10] = [
            ("示范市人民政府", [120.0, 420.0]),
            ("市城市运行管理中心", [-380.0, 180.0]),
            ("示范站", [-900.0, 4_900.0]),
            ("市体育中心", [3_900.0, -4_300.0]),
            ("市第一人民医院", [-1_250.0, -450.0]),
            ("高新区管委会", [6_100.0, -5_300.0]),
            ("经开区管委会", [6_300.0, 5_600.0]),
            ("市图书馆", [1_700.0, 1_900.0]),
            ("客运总站", [-5_200.0, -2_800.0]),
            ("物流园", [-7_600.0, 6_900.0]),
        ];
        for (name, p) in pois {
            self.places.push(Place {
                name: name.into(),
                kind: "poi",
                p,
            });
        }
    }

    /// The road named `name` (first one), for placing things along it.
    pub fn road(&self, name: &str) -> Option<&Road> {
        self.roads.iter().find(|r| r.name == name)
    }

    /// Distance from a point to the nearest river or tributary bank line.
    /// One administrative level (`district`, `street` or `grid`) as a GeoJSON FeatureCollection
    /// of WGS84 polygons, each with its name and its parent's, as a GIS export would give it.
    pub fn regions_geojson(&self, level: &str) -> Option<serde_json::Value> {
        let (areas, parents) = match level {
            "district" => (&self.districts, None),
            "street" => (&self.streets, Some(&self.districts)),
            "grid" => (&self.grids, Some(&self.streets)),
            _ => return None,
        };
        let features: Vec<serde_json::Value> = areas
            .iter()
            .map(|a| {
                let mut ring: Vec<[f64; 2]> = a
                    .ring
                    .iter()
                    .map(|p| {
                        let [lon, lat] = geo::to_lonlat(*p);
                        [(lon * 1e6).round() / 1e6, (lat * 1e6).round() / 1e6]
                    })
                    .collect();
                if ring.first() != ring.last() {
                    if let Some(first) = ring.first().copied() {
                        ring.push(first);
                    }
                }
                let parent = a
                    .parent
                    .and_then(|i| parents.and_then(|p| p.get(i)))
                    .map(|p| p.name.clone());
                serde_json::json!({
                    "type": "Feature",
                    "id": a.id,
                    "properties": {"name": a.name, "parent": parent},
                    "geometry": {"type": "Polygon", "coordinates": [ring]},
                })
            })
            .collect();
        Some(serde_json::json!({"type": "FeatureCollection", "features": features}))
    }

    pub fn distance_to_river(&self, p: P) -> f64 {
        dist_to_line(p, &self.river).min(dist_to_line(p, &self.tributary))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_city_has_its_parts() {
        let city = City::generate(42);
        assert_eq!(city.districts.len(), 9);
        assert_eq!(city.streets.len(), 56);
        assert!(city.grids.len() >= 400, "{} grids", city.grids.len());
        assert!(
            city.buildings.len() > 5_000,
            "{} buildings",
            city.buildings.len()
        );
        assert!(city.parks.len() > 10);
        assert!(city.roads.len() > 300);
        // Every point of the city lies in a grid cell, including just below east (θ ≈ 350°).
        for p in [
            [4_000.0, -600.0],
            [0.0, 0.0],
            [-11_000.0, 100.0],
            [100.0, -2_599.0],
        ] {
            assert!(city.grid_of(p).is_some(), "{p:?} in no grid cell");
        }
        assert!(city.grid_of([12_500.0, 0.0]).is_none());
        let g = city.grid_of([3_000.0, 3_000.0]).unwrap();
        let street = city.grids[g].parent.unwrap();
        assert!(city.streets[street].parent.is_some());
    }

    #[test]
    fn generation_is_deterministic() {
        let (a, b) = (City::generate(7), City::generate(7));
        assert_eq!(a.buildings.len(), b.buildings.len());
        assert_eq!(a.buildings[100].ring, b.buildings[100].ring);
    }
}
