//! The scenario: what the city's subsystems report at a given simulated instant. Flood gauges
//! follow a recurring rain event (rise, peak, recession); weigh-in-motion stations see truck
//! passes; incidents arrive from five channels with a daily rhythm, denser in some grids, and
//! move through their statuses. Every value is a pure function of (seed, sim time), so the same
//! seed replays the same city; a [`SimClock`] maps wall time to sim time at a chosen scale.

use std::f64::consts::PI;
use std::sync::Mutex;
use std::time::Instant;

use chrono::{FixedOffset, TimeZone};
use serde_json::{json, Value};

use crate::city::{
    radial_angle, ring_radius, City, INNER_RING, MIDDLE_RING, OUTER_RING, RIVER_WIDTH,
};
use crate::geo::{self, polar, to_lonlat, P};
use crate::names;
use crate::rng::{keyed, Rng};

/// Simulated time: unix seconds that advance `scale` times faster than the wall clock.
pub struct SimClock {
    inner: Mutex<ClockState>,
}

struct ClockState {
    anchor_wall: Instant,
    anchor_sim: f64,
    scale: f64,
}

impl SimClock {
    pub fn new(start_sim: f64, scale: f64) -> Self {
        SimClock {
            inner: Mutex::new(ClockState {
                anchor_wall: Instant::now(),
                anchor_sim: start_sim,
                scale,
            }),
        }
    }

    pub fn now(&self) -> f64 {
        let s = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        s.anchor_sim + s.anchor_wall.elapsed().as_secs_f64() * s.scale
    }

    /// Jumps the sim clock forward (tests, and the demo's "skip ahead").
    pub fn advance(&self, seconds: f64) {
        let mut s = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        s.anchor_sim += seconds;
    }

    pub fn scale(&self) -> f64 {
        self.inner.lock().unwrap_or_else(|p| p.into_inner()).scale
    }
}

/// China Standard Time, the clock every subsystem stamps with.
pub fn cst() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600)
        .unwrap_or_else(|| FixedOffset::east_opt(0).expect("zero offset is valid"))
}

pub fn iso(t: f64) -> String {
    cst()
        .timestamp_opt(t.floor() as i64, 0)
        .single()
        .map(|d| d.to_rfc3339())
        .unwrap_or_default()
}

/// Hour of day in China Standard Time, fractional.
fn local_hour(t: f64) -> f64 {
    ((t + 8.0 * 3600.0).rem_euclid(86_400.0)) / 3600.0
}

/// How long one rain cycle lasts, in sim seconds; a storm opens each cycle.
pub const STORM_PERIOD: f64 = 12.0 * 3600.0;

/// The gauge that goes silent in every storm (see [`Scenario::gauge_report_time`]).
pub const SILENT_GAUGE: usize = 4;

/// The weigh station on the quarry road: at night its overload rate runs far above the city's.
pub const QUARRY_STATION: usize = 3;

/// Categories of the 住房民生 (housing and livelihood) group the hot-spot rule counts apart.
pub const LIVELIHOOD: [&str; 5] = ["噪声扰民", "供水异常", "楼道堆物", "违章搭建", "垃圾未清运"];

/// Categories people report several times over (a fire, a fallen object, an open manhole).
const OFTEN_DUPLICATED: [&str; 8] = [
    "明火",
    "高空抛物",
    "井盖破损",
    "道路破损",
    "积水",
    "人员聚集",
    "消防通道占用",
    "道路遗撒",
];

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

const CHANNELS: [(&str, f64, &[&str]); 5] = [
    (
        "12345热线",
        0.30,
        &[
            "噪声扰民",
            "井盖破损",
            "路灯不亮",
            "占道经营",
            "违章搭建",
            "供水异常",
            "垃圾未清运",
        ],
    ),
    (
        "数字城管",
        0.25,
        &[
            "井盖破损",
            "占道经营",
            "暴露垃圾",
            "道路破损",
            "乱张贴",
            "绿化损坏",
            "积水",
        ],
    ),
    (
        "110非警务",
        0.10,
        &["噪声扰民", "邻里纠纷", "动物伤人", "道路遗撒", "求助"],
    ),
    (
        "视频AI",
        0.20,
        &[
            "违停",
            "占道经营",
            "消防通道占用",
            "电动车进电梯",
            "高空抛物",
            "明火",
            "人员聚集",
        ],
    ),
    (
        "网格员上报",
        0.15,
        &[
            "消防通道占用",
            "违章搭建",
            "安全隐患",
            "暴露垃圾",
            "占道经营",
            "楼道堆物",
        ],
    ),
];

const SEVERITIES: [(&str, f64); 3] = [("一般", 0.72), ("较重", 0.22), ("严重", 0.06)];

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

    /// Incidents first reported in one sim minute: the city's usual flow, the hot community's
    /// housing complaints in office hours, and the repeat reports some of them draw (which arrive
    /// minutes later from other channels).
    pub fn incidents_in_minute(&self, minute: i64) -> Vec<Incident> {
        let mut incidents = self.usual_incidents(minute);
        let hour = local_hour(minute as f64 * 60.0);
        let mut rng = keyed(&[self.seed, 0x4075, minute as u64]);
        // The Suqian case: one community grid's housing and livelihood reports pile up.
        if (8.5..12.5).contains(&hour) || (14.0..17.5).contains(&hour) {
            for i in 0..rng.poisson(0.12) {
                let g = &self.city.grids[self.hot_grid];
                let p = [
                    g.centre[0] + rng.range(-150.0, 150.0),
                    g.centre[1] + rng.range(-150.0, 150.0),
                ];
                let mut inc = self.incident_at(
                    format!("SJ{minute}H{i}"),
                    minute as f64 * 60.0 + rng.range(0.0, 59.0),
                    if rng.chance(0.6) {
                        "12345热线"
                    } else {
                        "网格员上报"
                    },
                    rng.pick(&LIVELIHOOD).to_string(),
                    self.hot_grid,
                    p,
                    &mut rng,
                );
                inc.severity = "一般";
                incidents.push(inc);
            }
        }
        let mut repeats = Vec::new();
        for inc in &incidents {
            let mut r = keyed(&[self.seed, 0xD0B, hash(&inc.id)]);
            if !OFTEN_DUPLICATED.contains(&inc.category.as_str()) || !r.chance(0.3) {
                continue;
            }
            for k in 0..1 + r.below(3) {
                let angle = r.range(0.0, std::f64::consts::TAU);
                let d = r.range(5.0, 60.0);
                let channel = *r.pick(&["12345热线", "110非警务", "网格员上报", "数字城管"]);
                let mut again = self.incident_at(
                    format!("{}R{}", inc.id, k + 1),
                    inc.reported_at + r.range(2.0, 20.0) * 60.0,
                    channel,
                    inc.category.clone(),
                    inc.grid_index,
                    [inc.p[0] + d * angle.cos(), inc.p[1] + d * angle.sin()],
                    &mut r,
                );
                again.severity = inc.severity;
                repeats.push(again);
            }
        }
        incidents.extend(repeats);
        incidents
    }

    /// One incident at a place, with its district and street from the grid and random times to
    /// dispatch, handle and close.
    #[allow(clippy::too_many_arguments)]
    fn incident_at(
        &self,
        id: String,
        reported_at: f64,
        channel: &'static str,
        category: String,
        grid: usize,
        p: P,
        rng: &mut Rng,
    ) -> Incident {
        let g = &self.city.grids[grid];
        let street = g
            .parent
            .map(|s| self.city.streets[s].name.clone())
            .unwrap_or_default();
        let district = g
            .parent
            .and_then(|s| self.city.streets[s].parent)
            .map(|d| self.city.districts[d].name.clone())
            .unwrap_or_default();
        Incident {
            id,
            reported_at,
            channel,
            category,
            severity: "一般",
            district,
            street,
            grid: g.name.clone(),
            grid_index: grid,
            p,
            dispatch_after: rng.range(3.0, 12.0) * 60.0,
            handle_after: rng.range(15.0, 50.0) * 60.0,
            close_after: rng.range(60.0, 240.0) * 60.0,
        }
    }

    fn usual_incidents(&self, minute: i64) -> Vec<Incident> {
        let hour = local_hour(minute as f64 * 60.0);
        // Quiet at night, a morning and an afternoon peak.
        let rhythm = 0.15
            + 0.85 * (-(hour - 10.0).powi(2) / 6.0).exp()
            + 0.7 * (-(hour - 15.5).powi(2) / 5.0).exp();
        let mut rng = keyed(&[self.seed, 0x1223, minute as u64]);
        let n = rng.poisson(0.9 * rhythm);
        (0..n)
            .map(|i| {
                let mut pick = rng.f64() * self.grid_weight_total;
                let mut grid = 0;
                for (gi, w) in self.grid_weight.iter().enumerate() {
                    if pick < *w {
                        grid = gi;
                        break;
                    }
                    pick -= w;
                }
                let g = &self.city.grids[grid];
                let [r0, r1, t0, t1] = g.polar;
                let mut p = polar(rng.range(r0.max(150.0), r1), rng.range(t0, t1));
                if self.city.in_water(p, 0.0) {
                    p = g.centre;
                }
                let mut c = rng.f64();
                let (channel, categories) = CHANNELS
                    .iter()
                    .find(|(_, share, _)| {
                        c -= share;
                        c < 0.0
                    })
                    .map(|(name, _, cats)| (*name, *cats))
                    .unwrap_or((CHANNELS[0].0, CHANNELS[0].2));
                let mut s = rng.f64();
                let severity = SEVERITIES
                    .iter()
                    .find(|(_, share)| {
                        s -= share;
                        s < 0.0
                    })
                    .map(|x| x.0)
                    .unwrap_or("一般");
                let reported_at = minute as f64 * 60.0 + rng.range(0.0, 59.0);
                let category = rng.pick(categories).to_string();
                let mut inc = self.incident_at(
                    format!("SJ{}{:02}", minute, i),
                    reported_at,
                    channel,
                    category,
                    grid,
                    p,
                    &mut rng,
                );
                inc.severity = severity;
                inc
            })
            .collect()
    }

    /// Incidents reported in the last `window_h` sim hours, with their status at `t`.
    pub fn incidents_geojson(&self, t: f64, window_h: f64) -> Value {
        let now_minute = (t / 60.0).floor() as i64;
        let first = now_minute - (window_h * 60.0) as i64;
        let features: Vec<Value> = (first..=now_minute)
            .flat_map(|m| self.incidents_in_minute(m))
            .filter(|inc| inc.reported_at <= t)
            .map(|inc| {
                let age = t - inc.reported_at;
                let status = if age < inc.dispatch_after {
                    "待受理"
                } else if age < inc.handle_after {
                    "已派遣"
                } else if age < inc.close_after {
                    "处置中"
                } else {
                    "已办结"
                };
                feature(
                    &inc.id,
                    inc.p,
                    json!({
                        "channel": inc.channel,
                        "category": inc.category,
                        "severity": inc.severity,
                        "status": status,
                        "district": inc.district,
                        "street": inc.street,
                        "grid": inc.grid,
                        "reported_at": iso(inc.reported_at),
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

pub struct Incident {
    pub id: String,
    pub reported_at: f64,
    pub channel: &'static str,
    pub category: String,
    pub severity: &'static str,
    pub district: String,
    pub street: String,
    pub grid: String,
    grid_index: usize,
    pub p: P,
    dispatch_after: f64,
    handle_after: f64,
    close_after: f64,
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

fn place_gauges(city: &City, rng: &mut Rng) -> Vec<Gauge> {
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

fn place_stations(city: &City, rng: &mut Rng) -> Vec<Station> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scenario_has_its_subsystems() {
        let s = Scenario::new(42, 1_790_000_000.0);
        assert!(
            (25..=50).contains(&s.gauges.len()),
            "{} gauges",
            s.gauges.len()
        );
        assert_eq!(s.stations.len(), 31);
        let t = 1_790_000_000.0 + 3_600.0;
        let incidents = s.incidents_geojson(t, 12.0);
        let n = incidents["features"].as_array().map(Vec::len).unwrap_or(0);
        assert!(n > 100, "{n} incidents");
    }

    #[test]
    fn gauges_rise_and_recede_with_the_storm() {
        let s = Scenario::new(42, 0.0);
        let g = s
            .gauges
            .iter()
            .max_by(|a, b| a.peak.total_cmp(&b.peak))
            .unwrap();
        let at = |h: f64| s.depth(g, s.storm_anchor + h * 3600.0 + g.lag * 3600.0);
        assert!(at(0.2) < 0.01);
        assert!(at(2.2) > g.peak * 0.9);
        assert!(at(8.0) < 0.02);
        assert!(s.rain(s.storm_anchor + 1.5 * 3600.0) > 20.0);
    }

    #[test]
    fn overload_share_is_a_few_percent() {
        let s = Scenario::new(42, 0.0);
        let (mut total, mut over) = (0, 0);
        for station in 0..s.stations.len() {
            for minute in 0..600 {
                for p in s.passes(station, 29_000_000 + minute) {
                    total += 1;
                    over += (p.overload_pct > 0.0) as u32;
                }
            }
        }
        let share = over as f64 / total as f64;
        assert!((0.02..0.08).contains(&share), "overload share {share}");
    }
}
