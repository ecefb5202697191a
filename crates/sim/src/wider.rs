//! The wider city: the layers a real centre's wall carries beyond the core scenario, served by
//! one loopback "city GIS portal" at `/layers/{id}` as GeoJSON — road congestion by segment
//! (lines, changing through the day), flood extents (polygons that grow and recede with the
//! storm), construction sites and temporary closure zones (polygons), and the facility,
//! sensor and mobile-unit point layers a duty office switches on when it needs them. Everything
//! is a pure function of the seed and the sim clock, so a replay and a test see what the wall
//! saw.

use std::f64::consts::{PI, TAU};
use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use serde_json::{json, Value};

use crate::city::{City, RoadClass};
use crate::geo::{self, P};
use crate::rng::keyed;
use crate::scenario::{Scenario, SimClock};

/// One layer of the portal, with how the demo config presents it.
pub struct WideLayer {
    pub id: &'static str,
    pub title_zh: &'static str,
    pub title_en: &'static str,
    pub group: &'static str,
    /// The subsystem that owns it (the source's title on the wall).
    pub system: &'static str,
    pub geometry: &'static str,
    pub visible: bool,
    /// Changes with the clock (polled often) or a register (polled once a minute).
    pub live: bool,
    /// The rest of its `[[layer]]` block: label, style, popup, filter.
    pub presentation: &'static str,
    /// The portal route it is fed from; layers sharing one are split by their filters (the IoT
    /// component platform serves manhole covers and street lights together, by `class`).
    pub feed: &'static str,
}

/// Every layer the portal serves, in catalogue order.
pub const LAYERS: &[WideLayer] = &[
    WideLayer { id: "congestion", title_zh: "道路拥堵", title_en: "Road congestion", group: "交通运输", system: "交通运行监测平台", geometry: "line", visible: true, live: true,
        presentation: concat!("label = \"road\"\nmin_zoom = 10\n", r##"style = { color_by = { field = "level", values = { "畅通" = "#2fbf71", "缓行" = "#e8c547", "拥堵" = "#f08a24", "严重拥堵" = "#e03c3c" }, values_en = { "畅通" = "free flow", "缓行" = "slow", "拥堵" = "congested", "严重拥堵" = "jammed" } }, width = 2.5, opacity = 0.75 }"##, "\npopup = [{ field = \"road\", title = \"道路\", title_en = \"Road\" }, { field = \"level\", title = \"路况\", title_en = \"Traffic\" }, { field = \"speed_kmh\", title = \"平均车速\", title_en = \"Average speed\", unit = \"km/h\", format = \"number\", digits = 0 }]\n"), feed: "congestion" },
    WideLayer { id: "flood_extent", title_zh: "积水范围", title_en: "Flood extents", group: "防汛应急", system: "防汛积水监测系统", geometry: "polygon", visible: true, live: true,
        presentation: concat!(r##"style = { color_by = { field = "depth_m", stops = [[0.0, "#5aa9ff"], [0.27, "#f0c419"], [0.4, "#f08a24"], [0.5, "#e03c3c"]] }, opacity = 0.35, width = 1.5 }"##, "\npopup = [{ field = \"name\", title = \"积水点\", title_en = \"Flood point\" }, { field = \"depth_m\", title = \"积水深度\", title_en = \"Water depth\", unit = \"m\", format = \"number\", digits = 2 }, { field = \"area_m2\", title = \"影响面积\", title_en = \"Area affected\", unit = \"m²\", format = \"number\", digits = 0 }]\n"), feed: "flood_extent" },
    WideLayer { id: "closures", title_zh: "临时管控区", title_en: "Closure zones", group: "交通运输", system: "交警指挥平台", geometry: "polygon", visible: true, live: true,
        presentation: concat!("label = \"name\"\n", r##"style = { color = "#ff5b5b", opacity = 0.18, width = 2.0, outline = "#ff5b5b" }"##, "\npopup = [{ field = \"name\", title = \"管控区\", title_en = \"Zone\" }, { field = \"reason\", title = \"原因\", title_en = \"Reason\" }, { field = \"since\", title = \"开始\", title_en = \"Since\", format = \"time\" }]\n"), feed: "closures" },
    WideLayer { id: "construction", title_zh: "在建工地", title_en: "Construction sites", group: "城市管理", system: "建筑工地监管平台", geometry: "polygon", visible: true, live: true,
        presentation: concat!("label = \"name\"\nmin_zoom = 11\n", r##"style = { color_by = { field = "status", values = { "施工中" = "#d9a441", "停工" = "#8c96a8", "扬尘超标" = "#e0603c" }, values_en = { "施工中" = "working", "停工" = "halted", "扬尘超标" = "dust over limit" } }, opacity = 0.3, width = 1.2 }"##, "\npopup = [{ field = \"name\", title = \"工地\", title_en = \"Site\" }, { field = \"builder\", title = \"施工单位\", title_en = \"Builder\" }, { field = \"status\", title = \"状态\", title_en = \"State\" }, { field = \"pm10\", title = \"PM10\", title_en = \"PM10\", unit = \"μg/m³\", format = \"number\", digits = 0 }]\n"), feed: "construction" },
    WideLayer { id: "pumps", title_zh: "排水泵站", title_en: "Pumping stations", group: "防汛应急", system: "排水管理系统", geometry: "point", visible: true, live: true,
        presentation: concat!("label = \"name\"\n", r##"style = { color_by = { field = "state", values = { "运行" = "#3fd0ff", "待机" = "#7f8da3", "故障" = "#e03c3c" }, values_en = { "运行" = "running", "待机" = "standby", "故障" = "fault" } }, radius = 6 }"##, "\npopup = [{ field = \"name\", title = \"泵站\", title_en = \"Station\" }, { field = \"state\", title = \"状态\", title_en = \"State\" }, { field = \"flow_m3s\", title = \"抽排流量\", title_en = \"Pumping\", unit = \"m³/s\", format = \"number\", digits = 1 }]\n"), feed: "pumps" },
    WideLayer { id: "shelters", title_zh: "应急避难场所", title_en: "Emergency shelters", group: "防汛应急", system: "应急资源库", geometry: "point", visible: false, live: false,
        presentation: concat!("label = \"name\"\n", r##"style = { color = "#46c37b", radius = 6 }"##, "\npopup = [{ field = \"name\", title = \"场所\", title_en = \"Shelter\" }, { field = \"capacity\", title = \"容纳人数\", title_en = \"Capacity\", unit = \"人\", format = \"number\", digits = 0 }]\n"), feed: "shelters" },
    WideLayer { id: "aqi", title_zh: "空气质量", title_en: "Air quality", group: "生态环境", system: "生态环境监测平台", geometry: "point", visible: false, live: true,
        presentation: concat!("label = \"aqi\"\n", r##"style = { color_by = { field = "aqi", stops = [[0.0, "#2fbf71"], [51.0, "#e8c547"], [101.0, "#f08a24"], [151.0, "#e03c3c"], [201.0, "#9b3fd6"]] }, radius = 7 }"##, "\npopup = [{ field = \"name\", title = \"监测站\", title_en = \"Station\" }, { field = \"aqi\", title = \"AQI\", title_en = \"AQI\", format = \"number\", digits = 0 }, { field = \"pm25\", title = \"PM2.5\", title_en = \"PM2.5\", unit = \"μg/m³\", format = \"number\", digits = 0 }]\n"), feed: "aqi" },
    WideLayer { id: "parking", title_zh: "公共停车场", title_en: "Car parks", group: "交通运输", system: "智慧停车平台", geometry: "point", visible: false, live: true,
        presentation: concat!(r##"style = { color_by = { field = "occupancy_pct", stops = [[0.0, "#2fbf71"], [70.0, "#e8c547"], [90.0, "#e03c3c"]] }, radius = 5 }"##, "\npopup = [{ field = \"name\", title = \"停车场\", title_en = \"Car park\" }, { field = \"free\", title = \"空余车位\", title_en = \"Free spaces\", format = \"number\", digits = 0 }, { field = \"occupancy_pct\", title = \"占用率\", title_en = \"Occupancy\", format = \"percent\", digits = 0 }]\n"), feed: "parking" },
    WideLayer { id: "chargers", title_zh: "充电站", title_en: "EV chargers", group: "交通运输", system: "充电设施监管平台", geometry: "point", visible: false, live: true,
        presentation: concat!(r##"style = { color = "#5ad1c1", radius = 5 }"##, "\npopup = [{ field = \"name\", title = \"充电站\", title_en = \"Charging station\" }, { field = \"free\", title = \"空闲桩\", title_en = \"Free chargers\", format = \"number\", digits = 0 }, { field = \"total\", title = \"总桩数\", title_en = \"Chargers\", format = \"number\", digits = 0 }]\n"), feed: "chargers" },
    WideLayer { id: "bus_stops", title_zh: "公交站点", title_en: "Bus stops", group: "交通运输", system: "公交调度系统", geometry: "point", visible: false, live: false,
        presentation: concat!("min_zoom = 12\n", r##"style = { color = "#8fb4ff", radius = 3.5 }"##, "\n"), feed: "bus_stops" },
    WideLayer { id: "muck_trucks", title_zh: "渣土车", title_en: "Muck trucks", group: "城市管理", system: "渣土车监管平台", geometry: "point", visible: false, live: true,
        presentation: concat!(r##"style = { color_by = { field = "state", values = { "运输中" = "#d9a441", "违规" = "#e03c3c", "停放" = "#7f8da3" }, values_en = { "运输中" = "moving", "违规" = "violation", "停放" = "parked" } }, radius = 5 }"##, "\npopup = [{ field = \"plate\", title = \"车牌\", title_en = \"Plate\" }, { field = \"state\", title = \"状态\", title_en = \"State\" }, { field = \"site\", title = \"所属工地\", title_en = \"Site\" }]\n"), feed: "muck_trucks" },
    WideLayer { id: "grid_workers", title_zh: "网格员", title_en: "Grid officers", group: "城市管理", system: "网格化管理平台", geometry: "point", visible: false, live: true,
        presentation: concat!(r##"style = { color = "#c79bff", radius = 5 }"##, "\npopup = [{ field = \"name\", title = \"网格员\", title_en = \"Grid officer\" }, { field = \"grid\", title = \"责任网格\", title_en = \"Grid\" }, { field = \"state\", title = \"状态\", title_en = \"State\" }]\n"), feed: "grid_workers" },
    WideLayer { id: "toilets", title_zh: "公共厕所", title_en: "Public toilets", group: "城市管理", system: "环卫作业平台", geometry: "point", visible: false, live: false,
        presentation: concat!("min_zoom = 12\n", r##"style = { color = "#77a6c9", radius = 4 }"##, "\n"), feed: "toilets" },
    WideLayer { id: "waste", title_zh: "垃圾中转站", title_en: "Waste transfer stations", group: "城市管理", system: "环卫作业平台", geometry: "point", visible: false, live: true,
        presentation: concat!(r##"style = { color_by = { field = "fill_pct", stops = [[0.0, "#2fbf71"], [70.0, "#e8c547"], [90.0, "#e03c3c"]] }, radius = 5 }"##, "\npopup = [{ field = \"name\", title = \"中转站\", title_en = \"Station\" }, { field = \"fill_pct\", title = \"满溢度\", title_en = \"Fill\", format = \"percent\", digits = 0 }]\n"), feed: "waste" },
    WideLayer { id: "hospitals", title_zh: "医疗机构", title_en: "Hospitals", group: "公共服务", system: "卫健委资源库", geometry: "point", visible: false, live: false,
        presentation: concat!("label = \"name\"\n", r##"style = { color = "#ff7a8a", radius = 6 }"##, "\npopup = [{ field = \"name\", title = \"医院\", title_en = \"Hospital\" }, { field = \"grade\", title = \"等级\", title_en = \"Grade\" }, { field = \"beds\", title = \"床位\", title_en = \"Beds\", format = \"number\", digits = 0 }]\n"), feed: "hospitals" },
    WideLayer { id: "schools", title_zh: "学校", title_en: "Schools", group: "公共服务", system: "教育局资源库", geometry: "point", visible: false, live: false,
        presentation: concat!(r##"style = { color = "#ffd27a", radius = 5 }"##, "\npopup = [{ field = \"name\", title = \"学校\", title_en = \"School\" }, { field = \"kind\", title = \"类型\", title_en = \"Type\" }, { field = \"pupils\", title = \"在校人数\", title_en = \"Pupils\", format = \"number\", digits = 0 }]\n"), feed: "schools" },
    WideLayer { id: "hazchem", title_zh: "危化品企业", title_en: "Hazardous chemicals", group: "安全生产", system: "安全生产监管平台", geometry: "point", visible: false, live: false,
        presentation: concat!("label = \"name\"\n", r##"style = { color_by = { field = "risk", values = { "重大" = "#e03c3c", "较大" = "#f08a24", "一般" = "#e8c547" }, values_en = { "重大" = "major", "较大" = "serious", "一般" = "general" } }, radius = 7 }"##, "\npopup = [{ field = \"name\", title = \"企业\", title_en = \"Company\" }, { field = \"risk\", title = \"风险等级\", title_en = \"Risk\" }, { field = \"chemicals\", title = \"主要品类\", title_en = \"Chemicals\" }]\n"), feed: "hazchem" },
    WideLayer { id: "gas_stations", title_zh: "加油站", title_en: "Fuel stations", group: "安全生产", system: "安全生产监管平台", geometry: "point", visible: false, live: false,
        presentation: concat!(r##"style = { color = "#f0a050", radius = 5 }"##, "\n"), feed: "gas_stations" },
    WideLayer { id: "hydrants", title_zh: "消防栓", title_en: "Fire hydrants", group: "安全生产", system: "消防水源管理系统", geometry: "point", visible: false, live: true,
        presentation: concat!("min_zoom = 12\n", r##"style = { color_by = { field = "pressure", values = { "正常" = "#3fa9ff", "低压" = "#e03c3c" }, values_en = { "正常" = "normal", "低压" = "low pressure" } }, radius = 4 }"##, "\npopup = [{ field = \"id\", title = \"编号\", title_en = \"Number\" }, { field = \"pressure\", title = \"水压\", title_en = \"Pressure\" }]\n"), feed: "hydrants" },
    WideLayer { id: "manholes", title_zh: "智能井盖", title_en: "Smart manhole covers", group: "城市部件", system: "城市部件物联感知平台", geometry: "point", visible: false, live: true,
        presentation: concat!("filter = { field = \"class\", values = [\"井盖\"] }\n", r##"style = { color_by = { field = "state", values = { "正常" = "#6f8aa8", "位移" = "#f08a24", "满溢" = "#e03c3c" }, values_en = { "正常" = "normal", "位移" = "displaced", "满溢" = "overflowing" } }, radius = 4 }"##, "\npopup = [{ field = \"id\", title = \"编号\", title_en = \"Number\" }, { field = \"state\", title = \"状态\", title_en = \"State\" }, { field = \"road\", title = \"所在道路\", title_en = \"Road\" }]\n"), feed: "iot_components" },
    WideLayer { id: "street_lights", title_zh: "智能路灯", title_en: "Smart street lights", group: "城市部件", system: "城市部件物联感知平台", geometry: "point", visible: false, live: true,
        presentation: concat!("min_zoom = 12\nfilter = { field = \"class\", values = [\"路灯\"] }\n", r##"style = { color_by = { field = "state", values = { "亮灯" = "#ffe08a", "熄灯" = "#5d6b80", "故障" = "#e03c3c" }, values_en = { "亮灯" = "lit", "熄灯" = "off", "故障" = "fault" } }, radius = 3.5 }"##, "\npopup = [{ field = \"id\", title = \"编号\", title_en = \"Number\" }, { field = \"state\", title = \"状态\", title_en = \"State\" }, { field = \"road\", title = \"所在道路\", title_en = \"Road\" }]\n"), feed: "iot_components" },
];

/// A catalogue group's English name, as the demo configures it.
pub fn group_en(group: &str) -> &'static str {
    match group {
        "防汛应急" => "Flood & emergency",
        "交通运输" => "Transport",
        "城市管理" => "City management",
        "视频感知" => "Cameras",
        "城市部件" => "City components",
        "生态环境" => "Environment",
        "公共服务" => "Public services",
        "安全生产" => "Work safety",
        _ => "Other",
    }
}

/// The config text of every portal layer and its sources, polling the portal at `url` (live
/// layers every `interval_s` but at most every 10 s, as a GIS portal's layers refresh;
/// registers once a minute). Layers fed from one route share one
/// source (`layers = […]`) and are split by their filters.
pub fn config_text(url: &str, interval_s: f64) -> String {
    let mut text = String::new();
    for layer in LAYERS {
        text.push_str(&format!(
            "\n[[layer]]\nid = \"{id}\"\ntitle_zh = \"{zh}\"\ntitle_en = \"{en}\"\ngroup = \"{group}\"\ngroup_en = \"{group_en}\"\ngeometry = \"{geometry}\"\nvisible = {visible}\n{presentation}",
            id = layer.id,
            zh = layer.title_zh,
            en = layer.title_en,
            group = layer.group,
            group_en = group_en(layer.group),
            geometry = layer.geometry,
            visible = layer.visible,
            presentation = layer.presentation,
        ));
    }
    let mut feeds: Vec<&str> = LAYERS.iter().map(|l| l.feed).collect();
    feeds.dedup();
    for feed in feeds {
        let fed: Vec<&WideLayer> = LAYERS.iter().filter(|l| l.feed == feed).collect();
        let live = fed.iter().any(|l| l.live);
        let interval = if live { interval_s.max(10.0) } else { 60.0 };
        let layers: Vec<String> = fed.iter().map(|l| format!("\"{}\"", l.id)).collect();
        text.push_str(&format!(
            "\n[[source]]\nid = \"portal-{id}\"\nlayers = [{layers}]\nkind = \"geojson\"\ntitle = \"{system}\"\nurl = \"{url}/layers/{feed}\"\ninterval_s = {interval}\nmax_age_s = {max_age}\n",
            id = feed.replace('_', "-"),
            layers = layers.join(", "),
            system = fed[0].system,
            max_age = (interval * 6.0).max(30.0),
        ));
    }
    // A warning the city configures rather than codes: a car park nearly full. Blue and yellow
    // only: a full car park does not need a person now.
    text.push_str(
        "\n[[rules.threshold]]\nid = \"parking-full\"\nlayer = \"parking\"\nfield = \"occupancy_pct\"\n\
         title_zh = \"停车场将满\"\ntitle_en = \"Car park nearly full\"\nunit = \"%\"\nhysteresis = 3\n\
         levels = { blue = 85, yellow = 95 }\n",
    );
    text
}

fn hour_of_day(t: f64) -> f64 {
    ((t + 8.0 * 3600.0).rem_euclid(86_400.0)) / 3600.0
}

fn hash(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    })
}

fn lonlat_ring(ring: &[P]) -> Vec<[f64; 2]> {
    ring.iter().map(|p| round6(geo::to_lonlat(*p))).collect()
}

fn round6([x, y]: [f64; 2]) -> [f64; 2] {
    [(x * 1e6).round() / 1e6, (y * 1e6).round() / 1e6]
}

fn feature(id: String, geometry: Value, properties: Value) -> Value {
    json!({"type": "Feature", "id": id, "geometry": geometry, "properties": properties})
}

fn point(p: P) -> Value {
    json!({"type": "Point", "coordinates": round6(geo::to_lonlat(p))})
}

/// The street a point lies in, for names; "城区" outside every grid.
fn street_of(city: &City, p: P) -> String {
    city.grid_of(p)
        .and_then(|g| city.grids[g].parent)
        .and_then(|s| city.streets.get(s))
        .map(|s| s.name.clone())
        .unwrap_or_else(|| "城区".into())
}

/// `n` dry places in the city, the same for the same key.
fn places(city: &City, seed: u64, key: &str, n: usize, radius: f64) -> Vec<P> {
    let mut rng = keyed(&[seed, hash(key)]);
    let mut out = Vec::with_capacity(n);
    let mut tries = 0;
    while out.len() < n && tries < n * 40 {
        tries += 1;
        let p = geo::polar(radius * rng.f64().sqrt(), rng.range(0.0, TAU));
        if !city.in_water(p, 60.0) {
            out.push(p);
        }
    }
    out
}

/// Roads cut into segments of about `length` metres: (road index, segment index, polyline).
fn segments(city: &City, length: f64) -> Vec<(usize, usize, Vec<P>)> {
    let mut out = Vec::new();
    for (r, road) in city.roads.iter().enumerate() {
        if road.class == RoadClass::Minor {
            continue;
        }
        let mut current: Vec<P> = Vec::new();
        let mut run = 0.0;
        for w in road.line.windows(2) {
            if current.is_empty() {
                current.push(w[0]);
            }
            current.push(w[1]);
            run += geo::dist(w[0], w[1]);
            if run >= length {
                let next = *current.last().unwrap_or(&w[1]);
                out.push((r, out.len(), std::mem::replace(&mut current, vec![next])));
                run = 0.0;
            }
        }
        if current.len() >= 2 {
            out.push((r, out.len(), current));
        }
    }
    out
}

/// Position along a polyline at `fraction` (0–1) of its length.
fn along(line: &[P], fraction: f64) -> P {
    let total: f64 = line.windows(2).map(|w| geo::dist(w[0], w[1])).sum();
    let mut left = total * fraction.clamp(0.0, 1.0);
    for w in line.windows(2) {
        let d = geo::dist(w[0], w[1]);
        if left <= d && d > 0.0 {
            let k = left / d;
            return [
                w[0][0] + (w[1][0] - w[0][0]) * k,
                w[0][1] + (w[1][1] - w[0][1]) * k,
            ];
        }
        left -= d;
    }
    line.last().copied().unwrap_or([0.0, 0.0])
}

/// The portal's answer for one layer at sim time `t`; `None` for a layer it does not serve.
pub fn layer_geojson(scenario: &Scenario, id: &str, t: f64) -> Option<Value> {
    let city = &scenario.city;
    let seed = scenario.seed;
    let radius = crate::city::CITY_EDGE * 0.8;
    let hour = hour_of_day(t);
    let rain = scenario.rain(t);
    let slot = |minutes: f64| (t / (minutes * 60.0)).floor() as u64;
    let facilities = |n: usize, prefix: &str, props: &dyn Fn(usize, P) -> Value| -> Vec<Value> {
        places(city, seed, id, n, radius)
            .into_iter()
            .enumerate()
            .map(|(i, p)| {
                let mut properties = props(i, p);
                if properties.get("name").is_none() {
                    properties["name"] =
                        json!(format!("{}{prefix}{:02}", street_of(city, p), i + 1));
                }
                feature(format!("{}-{:04}", id, i + 1), point(p), properties)
            })
            .collect()
    };
    let features: Vec<Value> = match id {
        "congestion" => {
            // Rush hours at 8 and 18; arterials load first; a storm slows everything.
            let rush = 0.5 * (-((hour - 8.0) / 1.2).powi(2)).exp()
                + 0.55 * (-((hour - 18.0) / 1.5).powi(2)).exp();
            segments(city, 1800.0)
                .into_iter()
                .map(|(r, s, line)| {
                    let road = &city.roads[r];
                    let class = match road.class {
                        RoadClass::Motorway => 0.0,
                        RoadClass::Trunk => 0.12,
                        RoadClass::Primary => 0.08,
                        _ => 0.0,
                    };
                    let noise = keyed(&[seed, 0xc0, s as u64, slot(15.0)]).range(-0.18, 0.18);
                    let load = (0.25 + rush + class + rain / 300.0 + noise).clamp(0.0, 1.0);
                    let level = match load {
                        l if l < 0.5 => "畅通",
                        l if l < 0.7 => "缓行",
                        l if l < 0.85 => "拥堵",
                        _ => "严重拥堵",
                    };
                    let free_speed = if road.class == RoadClass::Motorway { 90.0 } else { 50.0 };
                    feature(
                        format!("seg-{s:04}"),
                        json!({"type": "LineString", "coordinates": lonlat_ring(&line)}),
                        // Speeds in 5 km/h steps, as the platform publishes them: a segment
                        // changes when its traffic does, not on every poll.
                        json!({"road": road.name, "level": level,
                               "speed_kmh": ((free_speed * (1.15 - load)) / 5.0).round().max(1.0) * 5.0}),
                    )
                })
                .collect()
        }
        "flood_extent" => scenario
            .gauges
            .iter()
            .filter_map(|g| {
                // Surveyed in 5 cm steps: the extent changes as the water does, not with
                // every centimetre of gauge noise.
                let depth = (scenario.depth(g, t) * 20.0).round() / 20.0;
                if depth < 0.1 {
                    return None;
                }
                // Water spreads along the low ground: the extent grows with the depth.
                let (rx, ry) = (50.0 + 700.0 * depth, 35.0 + 420.0 * depth);
                let angle = (hash(&g.id) % 360) as f64 * PI / 180.0;
                let ring = geo::ellipse(g.p, rx, ry, angle, 28);
                Some(feature(
                    format!("extent-{}", g.id),
                    json!({"type": "Polygon", "coordinates": [lonlat_ring(&ring)]}),
                    json!({"name": g.name, "depth_m": (depth * 100.0).round() / 100.0,
                           "area_m2": (PI * rx * ry / 100.0).round() * 100.0}),
                ))
            })
            .collect(),
        "closures" => {
            // A scheduled works closure by day, and a closure round every gauge past orange.
            let mut out = Vec::new();
            if (9.0..21.0).contains(&hour) {
                let road = &city.roads[(seed as usize) % city.roads.len().max(1)];
                let c = along(&road.line, 0.4);
                out.push(feature(
                    "closure-works".into(),
                    json!({"type": "Polygon", "coordinates": [lonlat_ring(&geo::rect(c, 420.0, 90.0, 0.3))]}),
                    json!({"name": format!("{}施工封闭", road.name), "reason": "管线施工", "since": crate::scenario::iso(t - (hour - 9.0) * 3600.0)}),
                ));
            }
            for g in &scenario.gauges {
                if scenario.depth(g, t) >= g.thresholds[2] {
                    out.push(feature(
                        format!("closure-{}", g.id),
                        json!({"type": "Polygon", "coordinates": [lonlat_ring(&geo::rect(g.p, 260.0, 180.0, 0.0))]}),
                        json!({"name": format!("{}积水封闭", g.name), "reason": "积水超警戒", "since": crate::scenario::iso((t / 600.0).floor() * 600.0)}),
                    ));
                }
            }
            out
        }
        "construction" => places(city, seed, id, 14, radius)
            .into_iter()
            .enumerate()
            .map(|(i, p)| {
                let mut rng = keyed(&[seed, 0xc5, i as u64]);
                let (w, h, a) = (rng.range(140.0, 320.0), rng.range(90.0, 220.0), rng.range(0.0, PI));
                let pm10 = keyed(&[seed, 0xc6, i as u64, slot(30.0)]).range(40.0, 160.0)
                    * if rain > 1.0 { 0.5 } else { 1.0 };
                let status = if i % 7 == 3 { "停工" } else if pm10 > 150.0 { "扬尘超标" } else { "施工中" };
                feature(
                    format!("site-{:02}", i + 1),
                    json!({"type": "Polygon", "coordinates": [lonlat_ring(&geo::rect(p, w, h, a))]}),
                    json!({"name": format!("{}{}号地块", street_of(city, p), i + 1),
                           "builder": (["城建集团", "市政工程公司", "交通建设公司", "住建开发公司"][i % 4]),
                           "status": status, "pm10": pm10.round()}),
                )
            })
            .collect(),
        "pumps" => facilities(12, "排水泵站", &|i, _| {
            let running = rain > 5.0 + i as f64 * 2.0;
            let state = if i == 7 && rain > 20.0 { "故障" } else if running { "运行" } else { "待机" };
            json!({"state": state, "flow_m3s": if state == "运行" { 1.5 + i as f64 * 0.3 } else { 0.0 }})
        }),
        "shelters" => facilities(16, "应急避难场所", &|i, _| json!({"capacity": 800 + (i * 397) % 4000})),
        "aqi" => facilities(12, "空气监测站", &|i, _| {
            let base = 45.0 + 40.0 * (-((hour - 8.5) / 2.5).powi(2)).exp() + 30.0 * (-((hour - 19.0) / 3.0).powi(2)).exp();
            let aqi = (base + keyed(&[seed, 0xa1, i as u64, slot(60.0)]).range(-15.0, 35.0)) * if rain > 1.0 { 0.6 } else { 1.0 };
            json!({"aqi": aqi.round(), "pm25": (aqi * 0.7).round()})
        }),
        "parking" => facilities(30, "公共停车场", &|i, _| {
            let total = 120 + (i * 53) % 400;
            let busy = (0.35 + 0.5 * (-((hour - 10.0) / 3.0).powi(2)).exp() + 0.4 * (-((hour - 19.5) / 2.0).powi(2)).exp()
                + keyed(&[seed, 0xb1, i as u64, slot(10.0)]).range(-0.1, 0.1)).clamp(0.02, 1.0);
            let used = (total as f64 * busy).round() as usize;
            json!({"total": total, "free": total.saturating_sub(used), "occupancy_pct": (busy * 100.0).round()})
        }),
        "chargers" => facilities(24, "充电站", &|i, _| {
            let total = 8 + (i * 5) % 24;
            let free = keyed(&[seed, 0xb2, i as u64, slot(10.0)]).below(total + 1);
            json!({"total": total, "free": free})
        }),
        "bus_stops" => facilities(160, "公交站", &|_, _| json!({})),
        "muck_trucks" | "grid_workers" => {
            let trucks = id == "muck_trucks";
            let n = if trucks { 30 } else { 48 };
            (0..n)
                .map(|i| {
                    let road = &city.roads[(i * 7 + 3) % city.roads.len().max(1)];
                    let speed = if trucks { 1.0 / 1800.0 } else { 1.0 / 7200.0 };
                    let phase = (t * speed + i as f64 * 0.37).rem_euclid(2.0);
                    let p = along(&road.line, if phase > 1.0 { 2.0 - phase } else { phase });
                    let properties = if trucks {
                        let night = !(6.0..22.0).contains(&hour);
                        let state = if !night { "停放" } else if i % 11 == 4 { "违规" } else { "运输中" };
                        json!({"plate": format!("苏N{:05}", 31_000 + i * 37), "state": state, "site": format!("{}号地块", i % 14 + 1)})
                    } else {
                        let state = if keyed(&[seed, 0xd1, i as u64, slot(20.0)]).chance(0.2) { "处置中" } else { "巡查中" };
                        json!({"name": format!("网格员{:03}", i + 1), "grid": street_of(city, p), "state": state})
                    };
                    feature(format!("{id}-{:03}", i + 1), point(p), properties)
                })
                .collect()
        }
        "toilets" => facilities(70, "公厕", &|_, _| json!({})),
        "waste" => facilities(16, "垃圾中转站", &|i, _| {
            let fill = ((hour - 5.0).rem_euclid(24.0) / 24.0 * 100.0 + (i * 13 % 30) as f64).min(100.0);
            json!({"fill_pct": fill.round()})
        }),
        "hospitals" => facilities(10, "医院", &|i, p| json!({
            "name": format!("{}{}", street_of(city, p), (["人民医院", "中医院", "妇幼保健院", "第二人民医院", "社区卫生服务中心"][i % 5])),
            "grade": (["三级甲等", "二级甲等", "一级"][i % 3]), "beds": 200 + (i * 173) % 1200})),
        "schools" => facilities(28, "学校", &|i, p| json!({
            "name": format!("{}{}", street_of(city, p), (["实验小学", "第一中学", "初级中学", "幼儿园"][i % 4])),
            "kind": (["小学", "中学", "中学", "幼儿园"][i % 4]), "pupils": 300 + (i * 211) % 2500})),
        "hazchem" => facilities(9, "化工企业", &|i, _| json!({
            "risk": (["重大", "较大", "一般"][i % 3]), "chemicals": (["液氯", "液化石油气", "甲醇", "硫酸"][i % 4])})),
        "gas_stations" => facilities(22, "加油站", &|_, _| json!({})),
        "hydrants" => facilities(320, "消防栓", &|i, _| json!({
            "id": format!("XF{:05}", i + 1),
            "pressure": if keyed(&[seed, 0xe1, i as u64, slot(120.0)]).chance(0.03) { "低压" } else { "正常" }})),
        // The IoT component platform: manhole covers and street lights in one answer, by class.
        "iot_components" => facilities(520, "部件", &|i, p| {
            if i % 2 == 0 {
                let overflow = rain > 30.0 && i % 46 == 10;
                let moved = keyed(&[seed, 0xe2, i as u64, slot(240.0)]).chance(0.01);
                json!({"class": "井盖", "id": format!("JG{:05}", i / 2 + 1), "road": street_of(city, p),
                       "state": if overflow { "满溢" } else if moved { "位移" } else { "正常" }})
            } else {
                let lit = !(6.0..18.5).contains(&hour);
                let broken = keyed(&[seed, 0xe3, i as u64, slot(720.0)]).chance(0.02);
                json!({"class": "路灯", "id": format!("LD{:05}", i / 2 + 1), "road": street_of(city, p),
                       "state": if broken { "故障" } else if lit { "亮灯" } else { "熄灯" }})
            }
        }),
        _ => return None,
    };
    Some(json!({"type": "FeatureCollection", "features": features}))
}

/// Serves every portal layer at `/layers/{id}` on loopback `port` (0: the OS picks); the task
/// ends with the process.
pub async fn serve(
    scenario: Arc<Scenario>,
    clock: Arc<SimClock>,
    port: u16,
) -> std::io::Result<SocketAddr> {
    let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], port))).await?;
    let addr = listener.local_addr()?;
    let app = Router::new()
        .route(
            "/layers/{id}",
            get(
                |State((scenario, clock)): State<(Arc<Scenario>, Arc<SimClock>)>,
                 Path(id): Path<String>| async move {
                    match layer_geojson(&scenario, &id, clock.now()) {
                        Some(v) => (
                            [(header::CONTENT_TYPE, "application/geo+json")],
                            v.to_string(),
                        )
                            .into_response(),
                        None => (StatusCode::NOT_FOUND, format!("no layer `{id}`")).into_response(),
                    }
                },
            ),
        )
        .with_state((scenario, clock));
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok(addr)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_layer_answers_valid_geojson_and_the_flood_extent_follows_the_storm() {
        let scenario = Scenario::new(42, 1_780_000_000.0);
        for layer in LAYERS {
            let fc = layer_geojson(&scenario, layer.feed, 1_780_000_000.0).expect(layer.feed);
            assert_eq!(fc["type"], "FeatureCollection", "{}", layer.feed);
        }
        assert_eq!(LAYERS.len() + 6, 27, "the demo wall's breadth");
        // Through a storm cycle the extents appear, grow and recede.
        let sizes: Vec<usize> = (0..48)
            .map(|i| {
                let t = scenario.storm_anchor + i as f64 * 600.0;
                layer_geojson(&scenario, "flood_extent", t)
                    .map_or(0, |fc| fc["features"].as_array().map_or(0, |a| a.len()))
            })
            .collect();
        let peak = sizes.iter().copied().max().unwrap_or(0);
        assert!(
            peak > 0 && sizes[0] == 0 && *sizes.last().unwrap_or(&1) < peak,
            "{sizes:?}"
        );
        let congestion =
            layer_geojson(&scenario, "congestion", 1_780_000_000.0).expect("congestion");
        assert!(congestion["features"]
            .as_array()
            .is_some_and(|a| a.len() > 40));
    }
}
