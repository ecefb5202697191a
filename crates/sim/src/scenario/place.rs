//! Where the scenario's gauges and weigh stations stand in the city.

use super::*;

pub(super) fn place_gauges(city: &City, rng: &mut Rng) -> Vec<Gauge> {
    let mut gauges = Vec::new();
    let rings = [
        ("环城路", INNER_RING, 3.2),
        ("二环路", MIDDLE_RING, 2.8),
        ("外环高速", OUTER_RING, 2.4),
    ];
    // Underpasses where radials pass under the ring roads.
    for (k, radial) in names::RADIALS.iter().enumerate() {
        for (ri, (ring, r, n)) in rings.iter().enumerate() {
            if (k + ri) % 2 == 1 && ri != 0 {
                continue;
            }
            let theta = radial_angle(k, *r);
            let p = polar(ring_radius(*r, theta, *n), theta);
            gauges.push(Gauge {
                id: format!("yld-{:02}", gauges.len() + 1),
                name: format!("{radial}{ring}下穿通道"),
                kind: "下穿通道",
                district: district_name(city, p),
                p,
                peak: rng.range(0.04, 0.62),
                lag: rng.range(0.0, 0.5),
                thresholds: [0.15, 0.27, 0.40, 0.50],
            });
        }
    }
    // Low roads along the river banks.
    let mut x = -8_200.0;
    while x < 8_500.0 {
        let side = if rng.chance(0.5) { 1.0 } else { -1.0 };
        let y = crate::city::river_y(x) + side * (RIVER_WIDTH / 2.0 + 75.0);
        let p = [x, y];
        let road = if side > 0.0 {
            "滨河北路"
        } else {
            "滨河南路"
        };
        gauges.push(Gauge {
            id: format!("yld-{:02}", gauges.len() + 1),
            name: format!("{road}{}号低洼路段", 100 + gauges.len() * 12),
            kind: "低洼路段",
            district: district_name(city, p),
            p,
            peak: rng.range(0.02, 0.46),
            lag: rng.range(0.1, 0.8),
            thresholds: [0.10, 0.20, 0.30, 0.40],
        });
        x += rng.range(900.0, 1_500.0);
    }
    // Low spots along the tributary.
    for (i, p) in city
        .tributary
        .iter()
        .enumerate()
        .filter(|(i, _)| i % 25 == 12)
    {
        let p = [p[0] + 60.0, p[1]];
        gauges.push(Gauge {
            id: format!("yld-{:02}", gauges.len() + 1),
            name: format!("柳溪河沿线{}号积水点", i / 25 + 1),
            kind: "低洼路段",
            district: district_name(city, p),
            p,
            peak: rng.range(0.02, 0.36),
            lag: rng.range(0.2, 0.9),
            thresholds: [0.10, 0.20, 0.30, 0.40],
        });
    }
    gauges
}

pub(super) fn place_stations(city: &City, rng: &mut Rng) -> Vec<Station> {
    let mut stations = Vec::new();
    let dirs = ["进城", "出城"];
    for (k, radial) in names::RADIALS.iter().enumerate() {
        for r in [6_400.0, 9_200.0, 11_600.0] {
            let theta = radial_angle(k, r);
            let p = polar(r, theta);
            stations.push(Station {
                id: format!("zc-{:02}", stations.len() + 1),
                name: format!("{radial}K{:.1}治超点", r / 1_000.0 + k as f64 * 0.3),
                road: radial.to_string(),
                direction: dirs[stations.len() % 2],
                p,
                rate: rng.range(0.5, 1.3),
            });
        }
    }
    for (road, count) in [("G25长深高速", 4usize), ("S49宁宿徐高速", 3)] {
        let line = city.road(road).map(|r| r.line.clone()).unwrap_or_default();
        for i in 0..count {
            let idx = line.len() * (i + 1) / (count + 1);
            let Some(&p) = line.get(idx) else { continue };
            stations.push(Station {
                id: format!("zc-{:02}", stations.len() + 1),
                name: format!("{road}K{}治超站", 1_080 + idx * 2),
                road: road.to_string(),
                direction: if i % 2 == 0 { "南向" } else { "北向" },
                p,
                rate: rng.range(1.6, 2.6),
            });
        }
    }
    stations
}
