//! The scenario: what the city's subsystems report at a given simulated instant. Flood gauges
//! follow a recurring rain event (rise, peak, recession); weigh-in-motion stations see truck
//! passes; incidents arrive from five channels with a daily rhythm, denser in some grids, and
//! move through their statuses. Every value is a pure function of (seed, sim time), so the same
//! seed replays the same city; a [`SimClock`] maps wall time to sim time at a chosen scale.

use std::f64::consts::PI;

use serde_json::{json, Value};

use crate::city::{
    radial_angle, ring_radius, City, INNER_RING, MIDDLE_RING, OUTER_RING, RIVER_WIDTH,
};
use crate::geo::{self, polar, to_lonlat, P};
use crate::names;
use crate::rng::{keyed, Rng};

mod clock;
mod incidents;
mod place;
#[cfg(test)]
mod tests;

use clock::local_hour;
pub use clock::{cst, iso, SimClock};
pub use incidents::{Incident, BEHIND_DISTRICT};
use place::{place_gauges, place_stations};

/// How long one rain cycle lasts, in sim seconds; a storm opens each cycle.
pub const STORM_PERIOD: f64 = 12.0 * 3600.0;

/// The gauge that goes silent in every storm (see [`Scenario::gauge_report_time`]).
pub const SILENT_GAUGE: usize = 4;

/// The weigh station on the quarry road: at night its overload rate runs far above the city's.
pub const QUARRY_STATION: usize = 3;

/// Categories of the 住房民生 (housing and livelihood) group the hot-spot rule counts apart.
pub const LIVELIHOOD: [&str; 5] = ["噪声扰民", "供水异常", "楼道堆物", "违章搭建", "垃圾未清运"];

pub struct Gauge {
    pub id: String,
    pub name: String,
    pub kind: &'static str,
    pub district: String,
    pub p: P,
    /// Depth at the storm's peak for this spot, metres.
    pub peak: f64,
    /// Lag of this spot behind the rain, hours.
    pub lag: f64,
    /// blue, yellow, orange, red thresholds in metres.
    pub thresholds: [f64; 4],
}

/// A rain gauge (雨量站) of the hydrology platform, publishing over MQTT.
pub struct RainGauge {
    pub id: String,
    pub name: String,
    pub district: String,
    pub p: P,
}

pub struct Station {
    pub id: String,
    pub name: String,
    pub road: String,
    pub direction: &'static str,
    pub p: P,
    /// Mean truck passes per sim minute at the daily peak.
    pub rate: f64,
}

pub struct Scenario {
    pub seed: u64,
    pub city: City,
    pub gauges: Vec<Gauge>,
    pub stations: Vec<Station>,
    pub rain_gauges: Vec<RainGauge>,
    /// Relative incident weight per grid cell.
    grid_weight: Vec<f64>,
    grid_weight_total: f64,
    /// Sim time at which storm cycles are anchored.
    pub storm_anchor: f64,
    /// The community grid whose housing complaints pile up in office hours.
    pub hot_grid: usize,
}

impl Scenario {
    /// A city and its scenario; storms are anchored so that the first one is already rising
    /// `storm_lead_h` hours after `start_sim`.
    pub fn new(seed: u64, start_sim: f64) -> Scenario {
        let city = City::generate(seed);
        let mut rng = Rng::new(seed ^ 0xF100D);
        let gauges = place_gauges(&city, &mut rng);
        let stations = place_stations(&city, &mut rng);
        let grid_weight: Vec<f64> = city
            .grids
            .iter()
            .map(|g| {
                let r = geo::dist(g.centre, [0.0, 0.0]);
                let density = if r < INNER_RING {
                    3.0
                } else if r < MIDDLE_RING {
                    1.8
                } else {
                    0.6
                };
                let area_km2 = {
                    let [r0, r1, t0, t1] = g.polar;
                    (r1 * r1 - r0 * r0) / 2.0 * (t1 - t0) / 1e6
                };
                let hot = if rng.chance(0.05) { 6.0 } else { 1.0 };
                density * area_km2.sqrt() * hot
            })
            .collect();
        let grid_weight_total = grid_weight.iter().sum();
        let rain_gauges = city
            .districts
            .iter()
            .enumerate()
            .flat_map(|(d, district)| {
                let outer = polar(10_500.0, geo::angle_of(district.centre));
                let spots = if d == 0 {
                    vec![district.centre]
                } else {
                    vec![district.centre, outer]
                };
                spots
                    .into_iter()
                    .enumerate()
                    .map(move |(i, p)| (district.name.clone(), p, d, i))
            })
            .map(|(district, p, d, i)| RainGauge {
                id: format!("yl-{:02}", d * 2 + i + 1),
                name: format!(
                    "{}{}雨量站",
                    district.trim_end_matches('区'),
                    if i == 0 { "中心" } else { "外围" }
                ),
                district,
                p,
            })
            .collect();
        Scenario {
            seed,
            gauges,
            stations,
            rain_gauges,
            grid_weight,
            grid_weight_total,
            storm_anchor: start_sim - 1.2 * 3600.0,
            hot_grid: city.grid_of(polar(1_900.0, 0.9)).unwrap_or(0),
            city,
        }
    }

    /// Rain intensity in mm/h at sim time `t`.
    pub fn rain(&self, t: f64) -> f64 {
        let phase = (t - self.storm_anchor).rem_euclid(STORM_PERIOD) / 3600.0;
        if !(0.3..4.0).contains(&phase) {
            return 0.0;
        }
        let x = (phase - 0.3) / 3.7;
        (58.0 * (PI * x).sin().powi(2) * (1.0 - 0.35 * x)).max(0.0)
    }

    /// Rain intensity at a point: the storm cell crosses the city from south-west to north-east,
    /// so gauges see it at different times and strengths.
    pub fn rain_at(&self, p: P, t: f64) -> f64 {
        let phase = (t - self.storm_anchor).rem_euclid(STORM_PERIOD) / 3600.0;
        let centre = [-9_000.0 + 4_500.0 * phase, -7_000.0 + 3_500.0 * phase];
        let d = geo::dist(p, centre) / 9_000.0;
        let noise =
            keyed(&[self.seed, 0x7a17, (p[0] as i64) as u64, (t / 300.0) as u64]).range(0.9, 1.1);
        (self.rain(t) * (1.4 * (-d * d).exp()) * noise * 10.0).round() / 10.0
    }

    /// One MQTT message per rain gauge: what the gauge platform publishes every few minutes.
    pub fn rain_readings(&self, t: f64) -> Vec<(String, Value)> {
        self.rain_gauges
            .iter()
            .map(|g| {
                let [lon, lat] = to_lonlat(g.p);
                let now = self.rain_at(g.p, t);
                let hour: f64 = (0..12)
                    .map(|i| self.rain_at(g.p, t - i as f64 * 300.0))
                    .sum::<f64>()
                    / 12.0;
                let payload = json!({
                    "station": g.id,
                    "name": g.name,
                    "district": g.district,
                    "lng": (lon * 1e6).round() / 1e6,
                    "lat": (lat * 1e6).round() / 1e6,
                    "rain_mm_h": now,
                    "rain_1h_mm": (hour * 10.0).round() / 10.0,
                    "observed_at": iso(t),
                });
                (format!("city/rain/{}", g.id), payload)
            })
            .collect()
    }

    /// Water depth at a gauge, metres.
    pub fn depth(&self, g: &Gauge, t: f64) -> f64 {
        let phase = (t - self.storm_anchor).rem_euclid(STORM_PERIOD) / 3600.0 - g.lag;
        let response = if phase < 0.6 {
            0.0
        } else if phase < 2.2 {
            ((phase - 0.6) / 1.6 * PI / 2.0).sin()
        } else {
            (-(phase - 2.2) / 1.1).exp()
        };
        let noise = keyed(&[self.seed, hash(&g.id), (t / 60.0) as u64]).range(-0.004, 0.004);
        ((g.peak * response) + noise).max(0.0)
    }

    /// When a gauge last reported by `t`: the gauge at [`SILENT_GAUGE`] drops off the network for
    /// hours 2.0–4.5 of every storm cycle (a dead battery during the storm, as happens), so its
    /// reading freezes and the wall must say it has gone silent.
    pub fn gauge_report_time(&self, gauge: usize, t: f64) -> f64 {
        if gauge != SILENT_GAUGE {
            return t;
        }
        let cycle_start = t - (t - self.storm_anchor).rem_euclid(STORM_PERIOD);
        let phase = (t - cycle_start) / 3600.0;
        if (2.0..4.5).contains(&phase) {
            cycle_start + 2.0 * 3600.0
        } else {
            t
        }
    }

    pub fn gauges_geojson(&self, now: f64) -> Value {
        let features: Vec<Value> = self
            .gauges
            .iter()
            .enumerate()
            .map(|(i, g)| {
                let t = self.gauge_report_time(i, now);
                let rain = self.rain(t);
                let depth = self.depth(g, t);
                let earlier = self.depth(g, t - 600.0);
                feature(
                    &g.id,
                    g.p,
                    json!({
                        "name": g.name,
                        "kind": g.kind,
                        "district": g.district,
                        "level_m": (depth * 100.0).round() / 100.0,
                        "rise_m_per_h": ((depth - earlier) * 6.0 * 100.0).round() / 100.0,
                        "threshold_blue_m": g.thresholds[0],
                        "threshold_yellow_m": g.thresholds[1],
                        "threshold_orange_m": g.thresholds[2],
                        "threshold_red_m": g.thresholds[3],
                        "rain_mm_h": (rain * 10.0).round() / 10.0,
                        "observed_at": iso(t),
                    }),
                )
            })
            .collect();
        collection(features)
    }

    /// The truck passes of one station in one sim minute.
    pub fn passes(&self, station: usize, minute: i64) -> Vec<Pass> {
        let s = &self.stations[station];
        let hour = local_hour(minute as f64 * 60.0);
        // Trucks run day and night, heavier after 20:00 when city bans lift.
        let rhythm = 0.55 + 0.45 * (((hour - 22.0) / 24.0) * 2.0 * PI).cos().abs();
        let mut rng = keyed(&[self.seed, 0x3317, station as u64, minute as u64]);
        let n = rng.poisson(s.rate * rhythm);
        (0..n)
            .map(|i| {
                let axles = *rng.pick(&[2u8, 2, 3, 3, 4, 5, 6, 6, 6]);
                let limit = match axles {
                    2 => 18.0,
                    3 => 25.0,
                    4 => 31.0,
                    5 => 43.0,
                    _ => 49.0,
                };
                let night = !(5.0..21.0).contains(&hour);
                let share = if station == QUARRY_STATION && night {
                    0.18
                } else {
                    0.045
                };
                let overloaded = rng.chance(share);
                let gross: f64 = if overloaded && rng.chance(0.08) {
                    // The few trucks that carry double their limit.
                    limit * rng.range(2.0, 2.4)
                } else if overloaded {
                    limit * rng.range(1.06, 1.85)
                } else {
                    limit * rng.range(0.35, 0.99)
                };
                let plate = format!(
                    "{}·{}{:04}",
                    rng.pick(&names::PLATE_PREFIXES),
                    (b'A' + rng.below(20) as u8) as char,
                    rng.below(10_000)
                );
                Pass {
                    at: minute as f64 * 60.0 + (i as f64 + rng.f64()) * 60.0 / (n as f64 + 1.0),
                    plate,
                    axles,
                    gross_t: (gross * 10.0).round() / 10.0,
                    limit_t: limit,
                    overload_pct: (((gross - limit) / limit * 100.0).max(0.0) * 10.0).round()
                        / 10.0,
                }
            })
            .collect()
    }

    pub fn stations_geojson(&self, t: f64) -> Value {
        let now_minute = (t / 60.0).floor() as i64;
        let midnight = ((t + 8.0 * 3600.0) / 86_400.0).floor() * 86_400.0 - 8.0 * 3600.0;
        let first_minute = (midnight / 60.0).floor() as i64;
        let features: Vec<Value> = self
            .stations
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let (mut passes_today, mut violations_today, mut passes_1h, mut violations_1h) =
                    (0u32, 0u32, 0u32, 0u32);
                let mut recent: Vec<Pass> = Vec::new();
                for minute in first_minute.min(now_minute - 60)..now_minute {
                    let passes = self.passes(i, minute);
                    let v = passes.iter().filter(|p| p.overload_pct > 0.0).count() as u32;
                    if minute >= first_minute {
                        passes_today += passes.len() as u32;
                        violations_today += v;
                    }
                    if minute >= now_minute - 60 {
                        passes_1h += passes.len() as u32;
                        violations_1h += v;
                        recent.extend(passes);
                    }
                }
                let last_violation = recent
                    .iter()
                    .rev()
                    .find(|p| p.overload_pct > 0.0)
                    .map(Pass::to_json);
                let recent: Vec<Value> = recent.iter().rev().take(8).map(Pass::to_json).collect();
                let rate = if passes_today > 0 {
                    violations_today as f64 / passes_today as f64 * 100.0
                } else {
                    0.0
                };
                feature(
                    &s.id,
                    s.p,
                    json!({
                        "name": s.name,
                        "road": s.road,
                        "direction": s.direction,
                        "passes_1h": passes_1h,
                        "violations_1h": violations_1h,
                        "passes_today": passes_today,
                        "violations_today": violations_today,
                        "overload_rate_today_pct": (rate * 100.0).round() / 100.0,
                        "recent_passes": recent,
                        "last_violation": last_violation,
                        "observed_at": iso(t),
                    }),
                )
            })
            .collect();
        collection(features)
    }
}

pub struct Pass {
    pub at: f64,
    pub plate: String,
    pub axles: u8,
    pub gross_t: f64,
    pub limit_t: f64,
    pub overload_pct: f64,
}

impl Pass {
    fn to_json(&self) -> Value {
        json!({
            "at": iso(self.at),
            "plate": self.plate,
            "axles": self.axles,
            "gross_t": self.gross_t,
            "limit_t": self.limit_t,
            "overload_pct": self.overload_pct,
        })
    }
}

fn feature(id: &str, p: P, properties: Value) -> Value {
    let [lon, lat] = to_lonlat(p);
    json!({
        "type": "Feature",
        "id": id,
        "geometry": {"type": "Point", "coordinates": [(lon * 1e6).round() / 1e6, (lat * 1e6).round() / 1e6]},
        "properties": properties,
    })
}

fn collection(features: Vec<Value>) -> Value {
    json!({"type": "FeatureCollection", "features": features})
}

fn hash(s: &str) -> u64 {
    s.bytes().fold(0xCBF2_9CE4_8422_2325u64, |h, b| {
        (h ^ b as u64).wrapping_mul(0x0100_0000_01B3)
    })
}

fn district_name(city: &City, p: P) -> String {
    city.grid_of(p)
        .and_then(|g| city.grids[g].parent)
        .and_then(|s| city.streets[s].parent)
        .map(|d| city.districts[d].name.clone())
        .unwrap_or_else(|| "市郊".into())
}
