//! Incidents: the city's usual flow from five channels with a daily rhythm, the hot community's
//! housing complaints, the repeat reports some draw, and each one's way through its statuses
//! (one district's centre at half the others' pace).

use super::*;

/// The district (by index) whose centre is behind on its cases in the demo.
pub const BEHIND_DISTRICT: usize = 1;

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
        let district_index = g.parent.and_then(|s| self.city.streets[s].parent);
        let district = district_index
            .map(|d| self.city.districts[d].name.clone())
            .unwrap_or_default();
        // One district's centre is behind on its cases (short of staff): it takes them up and
        // closes them at half the others' pace, so its 办结率 and overdue count stand out on
        // the city's 下级中心 panel.
        let pace = if district_index == Some(BEHIND_DISTRICT) {
            2.0
        } else {
            1.0
        };
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
            dispatch_after: rng.range(3.0, 12.0) * 60.0 * pace,
            handle_after: rng.range(15.0, 50.0) * 60.0 * pace,
            close_after: rng.range(60.0, 240.0) * 60.0 * pace,
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

pub struct Incident {
    pub id: String,
    pub reported_at: f64,
    pub channel: &'static str,
    pub category: String,
    pub severity: &'static str,
    pub district: String,
    pub street: String,
    pub grid: String,
    pub(super) grid_index: usize,
    pub p: P,
    pub(super) dispatch_after: f64,
    pub(super) handle_after: f64,
    pub(super) close_after: f64,
}
