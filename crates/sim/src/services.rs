//! The city's subsystems as HTTP services on loopback (axum), one server per subsystem so each
//! can be stopped and restarted on its own, as a real subsystem fails on its own. Each speaks a
//! [`Format`]; today GeoJSON, the shape a real subsystem's GIS export has.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::Query;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::scenario::{Scenario, SimClock};

mod engine_config;
mod pages;
mod video_platform;
use video_platform::VideoPlatform;

use pages::{fnv, ogc_page, sta_page, to_gcj02, to_records, GAUGE_DATASTREAMS, INCIDENT_FIELDS};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Subsystem {
    /// 易涝点 water-level gauges.
    Flood,
    /// 治超非现场执法 weigh-in-motion stations.
    Weighing,
    /// 12345 / 数字城管 / 110 / 网格员 incidents, through the city's event platform.
    Incidents,
    /// Video-AI alarms (违停, 高空抛物, 电动车进电梯 …) from the video analytics platform.
    VideoAi,
    /// The video platform's camera directory (about 40,000 cameras).
    Cameras,
    /// The 城市部件 census (about 500,000 manholes, lamps, hydrants, bins, signs).
    Components,
}

impl Subsystem {
    pub const ALL: [Subsystem; 4] = [
        Subsystem::Flood,
        Subsystem::Weighing,
        Subsystem::Incidents,
        Subsystem::VideoAi,
    ];

    /// The big static inventories, started apart: they are large and change rarely.
    pub const INVENTORY: [Subsystem; 2] = [Subsystem::Cameras, Subsystem::Components];

    pub fn path(self) -> &'static str {
        match self {
            Subsystem::Flood => "/v1.1/Things",
            Subsystem::Weighing => "/collections/stations/items",
            Subsystem::Incidents => "/api/events",
            Subsystem::VideoAi => "/api/alarms",
            Subsystem::Cameras => "/api/cameras",
            Subsystem::Components => "/api/components",
        }
    }

    /// The engine layer this subsystem feeds.
    pub fn layer(self) -> &'static str {
        match self {
            Subsystem::Flood => "flood",
            Subsystem::Weighing => "overweight",
            Subsystem::Incidents | Subsystem::VideoAi => "incidents",
            Subsystem::Cameras => "cameras",
            Subsystem::Components => "components",
        }
    }

    pub fn source_id(self) -> &'static str {
        match self {
            Subsystem::Flood => "sim-flood-gauges",
            Subsystem::Weighing => "sim-wim-stations",
            Subsystem::Incidents => "sim-incidents",
            Subsystem::VideoAi => "sim-video-ai",
            Subsystem::Cameras => "sim-cameras",
            Subsystem::Components => "sim-components",
        }
    }

    /// The coordinate system the subsystem speaks. The incident platform, like many built on
    /// Amap, speaks GCJ-02; the engine converts it back to WGS84 at ingest.
    pub fn crs(self) -> &'static str {
        match self {
            Subsystem::Incidents => "gcj02",
            Subsystem::VideoAi | Subsystem::Cameras | Subsystem::Components => "wgs84",
            Subsystem::Flood | Subsystem::Weighing => "wgs84",
        }
    }

    pub fn format(self) -> Format {
        match self {
            Subsystem::Incidents => Format::JsonRecords,
            Subsystem::VideoAi | Subsystem::Cameras | Subsystem::Components => Format::GeoJson,
            Subsystem::Weighing => Format::OgcFeatures,
            Subsystem::Flood => Format::SensorThings,
        }
    }

    pub fn title_zh(self) -> &'static str {
        match self {
            Subsystem::Flood => "防汛积水监测系统",
            Subsystem::Weighing => "治超非现场执法系统",
            Subsystem::Incidents => "城市事件中台",
            Subsystem::VideoAi => "视频AI告警平台",
            Subsystem::Cameras => "视频监控资源目录",
            Subsystem::Components => "城市部件普查库",
        }
    }
}

/// What a service speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    GeoJson,
    /// `{"code":0,"msg":"成功","data":{"total":N,"rows":[…]}}` with flat records and
    /// coordinates as strings, as a typical government platform answers.
    JsonRecords,
    /// OGC API – Features items, `limit` / `offset` paged with `next` links.
    OgcFeatures,
    /// OGC SensorThings API 1.1 Things with Locations and the latest Observation of each
    /// Datastream, `$top` / `$skip` paged with `@iot.nextLink`.
    SensorThings,
}

const VIDEO_AI_CHANNEL: &str = "视频AI";

struct Running {
    stop: oneshot::Sender<()>,
    task: JoinHandle<()>,
}

/// The simulated city with its running services.
pub struct SimCity {
    pub scenario: Arc<Scenario>,
    pub clock: Arc<SimClock>,
    /// How many sim hours of incidents the incident service lists.
    pub incident_window_h: f64,
    running: Mutex<HashMap<Subsystem, Running>>,
    ports: Mutex<HashMap<Subsystem, u16>>,
    /// The MQTT broker the rain gauges publish to, when one runs.
    rain_broker: Mutex<Option<u16>>,
    /// The city GIS portal's port (the wider city's layers), when it runs.
    portal: Mutex<Option<u16>>,
    /// The video platform (every camera over RTSP and as MJPEG over HTTP), when it runs; its
    /// HTTP and RTSP ports are kept across a stop.
    video: Mutex<VideoPlatform>,
    /// Camera and component counts of the inventories; generated on first request.
    inventory_size: Mutex<(usize, usize)>,
    inventory: std::sync::OnceLock<crate::inventory::Inventory>,
    components_body: std::sync::OnceLock<Vec<u8>>,
    cameras_body: Mutex<Option<(i64, Arc<Vec<u8>>)>>,
}

impl SimCity {
    /// A city from `seed`, its clock starting at `start_sim` (unix seconds) running `scale`× fast.
    pub fn new(seed: u64, start_sim: f64, scale: f64) -> Arc<SimCity> {
        Arc::new(SimCity {
            scenario: Arc::new(Scenario::new(seed, start_sim)),
            clock: Arc::new(SimClock::new(start_sim, scale)),
            incident_window_h: 12.0,
            running: Mutex::new(HashMap::new()),
            ports: Mutex::new(HashMap::new()),
            rain_broker: Mutex::new(None),
            portal: Mutex::new(None),
            video: Mutex::new((None, None)),
            inventory_size: Mutex::new((crate::inventory::CAMERAS, crate::inventory::COMPONENTS)),
            inventory: std::sync::OnceLock::new(),
            components_body: std::sync::OnceLock::new(),
            cameras_body: Mutex::new(None),
        })
    }

    fn inventory(&self) -> &crate::inventory::Inventory {
        self.inventory.get_or_init(|| {
            let (cameras, components) = *self
                .inventory_size
                .lock()
                .unwrap_or_else(|p| p.into_inner());
            crate::inventory::Inventory::generate(
                &self.scenario.city,
                self.scenario.seed,
                cameras,
                components,
            )
        })
    }

    /// Sets how many cameras and components the inventories hold (before their first request;
    /// they are generated once).
    pub fn size_inventory(&self, cameras: usize, components: usize) {
        *self
            .inventory_size
            .lock()
            .unwrap_or_else(|p| p.into_inner()) = (cameras, components);
    }

    /// Starts the camera directory and the component census with these many items.
    pub async fn start_inventory(
        self: &Arc<Self>,
        cameras: usize,
        components: usize,
    ) -> std::io::Result<()> {
        self.size_inventory(cameras, components);
        for s in Subsystem::INVENTORY {
            self.start(s).await?;
        }
        Ok(())
    }

    /// The inventory answers: the components once, the cameras once per sim hour (their
    /// online states change hourly).
    fn render_inventory(&self, subsystem: Subsystem) -> Vec<u8> {
        if subsystem == Subsystem::Components {
            return self
                .components_body
                .get_or_init(|| self.inventory().components_geojson())
                .clone();
        }
        let hour = (self.clock.now() / 3600.0).floor() as i64;
        let mut cache = self.cameras_body.lock().unwrap_or_else(|p| p.into_inner());
        match cache.as_ref() {
            Some((h, body)) if *h == hour => body.as_ref().clone(),
            _ => {
                let body = Arc::new(self.inventory().cameras_geojson(hour));
                *cache = Some((hour, body.clone()));
                body.as_ref().clone()
            }
        }
    }

    /// The payload a subsystem serves now; `page` is (offset, limit) for paged formats.
    pub fn render(&self, subsystem: Subsystem, format: Format, page: (usize, usize)) -> Vec<u8> {
        if Subsystem::INVENTORY.contains(&subsystem) {
            return self.render_inventory(subsystem);
        }
        let t = self.clock.now();
        let mut value = match subsystem {
            Subsystem::Flood => self.scenario.gauges_geojson(t),
            Subsystem::Weighing => self.scenario.stations_geojson(t),
            Subsystem::Cameras | Subsystem::Components => return Vec::new(),
            Subsystem::Incidents | Subsystem::VideoAi => {
                // Video-AI alarms come from their own platform; the event platform has the rest.
                let mut all = self.scenario.incidents_geojson(t, self.incident_window_h);
                let video = subsystem == Subsystem::VideoAi;
                if let Some(features) = all.get_mut("features").and_then(|f| f.as_array_mut()) {
                    features.retain(|f| (f["properties"]["channel"] == VIDEO_AI_CHANNEL) == video);
                }
                all
            }
        };
        if subsystem.crs() == "gcj02" {
            to_gcj02(&mut value);
        }
        match format {
            Format::GeoJson => value.to_string().into_bytes(),
            Format::JsonRecords => to_records(&value).to_string().into_bytes(),
            Format::OgcFeatures => ogc_page(value, subsystem.path(), page)
                .to_string()
                .into_bytes(),
            Format::SensorThings => sta_page(&value, subsystem.path(), page)
                .to_string()
                .into_bytes(),
        }
    }

    /// Starts the city GIS portal: the wider city's layers (congestion, flood extents, closure
    /// zones, construction sites, facilities, sensors, mobile units) on one loopback port.
    /// On loopback `port` (0: the OS picks).
    pub async fn start_portal(self: &Arc<Self>, port: u16) -> std::io::Result<SocketAddr> {
        let addr = crate::wider::serve(self.scenario.clone(), self.clock.clone(), port).await?;
        *self.portal.lock().unwrap_or_else(|p| p.into_inner()) = Some(addr.port());
        Ok(addr)
    }

    /// Starts every subsystem on its own loopback port (chosen by the OS on first start).
    pub async fn start_all(self: &Arc<Self>) -> std::io::Result<()> {
        for s in Subsystem::ALL {
            self.start(s).await?;
        }
        Ok(())
    }

    /// Starts one subsystem's service on a fixed loopback port (0: the OS picks).
    pub async fn start_on(
        self: &Arc<Self>,
        subsystem: Subsystem,
        port: u16,
    ) -> std::io::Result<SocketAddr> {
        self.ports
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(subsystem, port);
        self.start(subsystem).await
    }

    /// Starts (or restarts, on the same port) one subsystem's service.
    pub async fn start(self: &Arc<Self>, subsystem: Subsystem) -> std::io::Result<SocketAddr> {
        self.stop(subsystem).await;
        let port = self
            .ports
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&subsystem)
            .copied()
            .unwrap_or(0);
        let listener = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], port))).await?;
        let addr = listener.local_addr()?;
        self.ports
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(subsystem, addr.port());
        let city = self.clone();
        let app = Router::new().route(
            subsystem.path(),
            get(
                move |headers: HeaderMap, Query(query): Query<HashMap<String, String>>| {
                    let city = city.clone();
                    async move {
                        let number = |k: &str, default: usize| {
                            query.get(k).and_then(|v| v.parse().ok()).unwrap_or(default)
                        };
                        let page = if subsystem.format() == Format::SensorThings {
                            (number("$skip", 0), number("$top", 100).clamp(1, 100))
                        } else {
                            (number("offset", 0), number("limit", 10).clamp(1, 10_000))
                        };
                        let body = tokio::task::spawn_blocking(move || {
                            city.render(subsystem, subsystem.format(), page)
                        })
                        .await
                        .unwrap_or_default();
                        // Like a real subsystem behind a cache: an unchanged answer is a 304.
                        let etag = format!("\"{:016x}\"", fnv(&body));
                        if headers
                            .get(header::IF_NONE_MATCH)
                            .is_some_and(|v| v.as_bytes() == etag.as_bytes())
                        {
                            return (StatusCode::NOT_MODIFIED, [(header::ETAG, etag)])
                                .into_response();
                        }
                        (
                            [
                                (
                                    header::CONTENT_TYPE,
                                    match subsystem.format() {
                                        Format::GeoJson | Format::OgcFeatures => {
                                            "application/geo+json".to_string()
                                        }
                                        Format::JsonRecords | Format::SensorThings => {
                                            "application/json".to_string()
                                        }
                                    },
                                ),
                                (header::ETAG, etag),
                            ],
                            body,
                        )
                            .into_response()
                    }
                },
            ),
        );
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    let _ = stopped.await;
                })
                .await;
        });
        self.running
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(subsystem, Running { stop, task });
        Ok(addr)
    }

    /// Stops one subsystem's service: from now on its port refuses connections.
    pub async fn stop(&self, subsystem: Subsystem) {
        let running = self
            .running
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&subsystem);
        if let Some(Running { stop, task }) = running {
            halt(stop, task).await;
        }
    }

    pub fn url(&self, subsystem: Subsystem) -> Option<String> {
        let port = *self
            .ports
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&subsystem)?;
        Some(format!("http://127.0.0.1:{port}{}", subsystem.path()))
    }

    /// Publishes every rain gauge's reading (retained, so a new subscriber gets the latest at
    /// once) to the MQTT broker on `port`, every two seconds, until the process ends.
    pub fn start_rain_publisher(self: &Arc<Self>, port: u16) {
        *self.rain_broker.lock().unwrap_or_else(|p| p.into_inner()) = Some(port);
        let city = self.clone();
        let mut options =
            rumqttc::MqttOptions::new(format!("citywall-sim-rain-{port}"), "127.0.0.1", port);
        options.set_keep_alive(Duration::from_secs(5));
        let (client, mut eventloop) = rumqttc::AsyncClient::new(options, 256);
        tokio::spawn(async move {
            loop {
                if eventloop.poll().await.is_err() {
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
            }
        });
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(2));
            loop {
                tick.tick().await;
                for (topic, payload) in city.scenario.rain_readings(city.clock.now()) {
                    let _ = client
                        .publish(topic, rumqttc::QoS::AtLeastOnce, true, payload.to_string())
                        .await;
                }
            }
        });
    }
}

/// Stops a service: asks it to shut down gracefully, and aborts it after 2 s.
async fn halt(stop: oneshot::Sender<()>, mut task: JoinHandle<()>) {
    let _ = stop.send(());
    if tokio::time::timeout(Duration::from_secs(2), &mut task)
        .await
        .is_err()
    {
        task.abort();
    }
}
