//! Configuration: the TOML file format, its defaults, and validation that names the file, line
//! and field of every problem so `citywall check-config` can print them all at once.

use std::collections::HashSet;
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::crs::Crs;

mod basemap;
mod map;
mod panels;
mod presentation;
pub use basemap::BasemapConfig;
pub use map::MapConfig;
pub use panels::PanelsConfig;
pub use presentation::{ColorBy, PointStyle, PopupField, Presentation, TEMPLATES};

/// A simulated clock: at wall time `wall_origin_ms` it read `sim_origin_ms`, and it runs
/// `scale` times faster.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct DemoClock {
    pub wall_origin_ms: i64,
    pub sim_origin_ms: i64,
    pub scale: f64,
}

/// One problem found in a config file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConfigProblem {
    pub file: String,
    pub line: usize,
    pub field: String,
    pub message: String,
}

impl fmt::Display for ConfigProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.field.is_empty() {
            write!(f, "{}:{}: {}", self.file, self.line, self.message)
        } else {
            write!(
                f,
                "{}:{}: `{}`: {}",
                self.file, self.line, self.field, self.message
            )
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{} problem(s) in the config:\n{}", .0.len(), .0.iter().map(|p| format!("  {p}")).collect::<Vec<_>>().join("\n"))]
    Invalid(Vec<ConfigProblem>),
}

/// The formats a source can speak; each has its own file in `sources/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SourceKind {
    Geojson,
    /// A JSON array of plain records (at `records_path`), mapped by `fields`.
    JsonRecords,
    /// OGC API – Features: the items of `collection`, page by page.
    OgcFeatures,
    /// OGC SensorThings API 1.1: Things with Locations and their latest Observations.
    SensorThings,
    /// MQTT: pushed messages on `topics`, one record each.
    Mqtt,
}

impl SourceKind {
    const NAMES: &'static [&'static str] = &[
        "geojson",
        "json-records",
        "ogc-features",
        "sensorthings",
        "mqtt",
    ];

    fn parse(name: &str) -> Option<Self> {
        match name {
            "geojson" => Some(Self::Geojson),
            "json-records" => Some(Self::JsonRecords),
            "ogc-features" => Some(Self::OgcFeatures),
            "sensorthings" => Some(Self::SensorThings),
            "mqtt" => Some(Self::Mqtt),
            _ => None,
        }
    }
}

/// Which items an `ogc-features` source reads.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct OgcOptions {
    pub collection: String,
    /// Page size asked for.
    pub limit: u32,
    pub bbox: Option<[f64; 4]>,
    pub datetime: Option<String>,
}

/// How plain JSON records map onto features: where the array is, and which field holds what.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct RecordMapping {
    /// Dot path to the array (`data.rows`); empty when the answer is the array itself.
    pub path: Vec<String>,
    /// Feature property (or `id`, `lon`, `lat`) → the record's field, as a dot path.
    pub fields: std::collections::BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LayerConfig {
    pub id: String,
    pub title_zh: String,
    pub title_en: String,
    /// Below this zoom the viewport answer holds clusters instead of features.
    pub cluster_below_zoom: Option<f64>,
    /// Which property ranks a feature's severity, and its values from mildest to worst.
    pub severity: Option<Severity>,
    /// The property holding when the thing happened (RFC 3339), for `since` and time windows;
    /// without it, the time the engine last saw the feature change.
    pub time_field: Option<String>,
    /// Keep every change in the history table (for replay); off for big static inventories.
    pub history: bool,
    /// Only records whose `field` holds one of `values` belong here (a census split by class).
    pub filter: Option<LayerFilter>,
    /// How the wall draws and lists it.
    pub presentation: Presentation,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LayerFilter {
    pub field: String,
    pub values: Vec<String>,
}

impl LayerFilter {
    /// Whether a record with these properties belongs to the layer: its field, as text (a
    /// number as written), is one of the values.
    pub fn takes(&self, properties: &serde_json::Map<String, serde_json::Value>) -> bool {
        match properties.get(&self.field) {
            Some(serde_json::Value::String(s)) => self.values.iter().any(|v| v == s),
            Some(serde_json::Value::Number(n)) => self.values.contains(&n.to_string()),
            Some(serde_json::Value::Bool(b)) => self.values.contains(&b.to_string()),
            _ => false,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Severity {
    pub field: String,
    pub order: Vec<String>,
}

impl Severity {
    /// The rank of a feature's severity value (0 = mildest), if it has a known one.
    pub fn rank(&self, properties: &serde_json::Map<String, serde_json::Value>) -> Option<u8> {
        let value = properties.get(&self.field)?.as_str()?;
        self.order.iter().position(|v| v == value).map(|p| p as u8)
    }
}

/// One level of administrative polygons for aggregates: a GeoJSON file of Polygons or
/// MultiPolygons.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RegionConfig {
    pub level: String,
    pub path: PathBuf,
    pub name_field: String,
}

/// Which layer holds the cameras, for `cameras/nearest`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CameraConfig {
    pub layer: String,
    #[serde(default = "default_heading_field")]
    pub heading_field: String,
    #[serde(default = "default_fov_field")]
    pub fov_field: String,
    #[serde(default = "default_range_field")]
    pub range_field: String,
    #[serde(default = "default_online_field")]
    pub online_field: String,
}

fn default_heading_field() -> String {
    "heading_deg".into()
}
fn default_fov_field() -> String {
    "fov_deg".into()
}
fn default_range_field() -> String {
    "range_m".into()
}
fn default_online_field() -> String {
    "online".into()
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SourceConfig {
    pub id: String,
    /// The layer it feeds (the first of `layers`).
    pub layer: String,
    /// Every layer it feeds: more than one when a system's records are split by the layers'
    /// filters (a census by class).
    pub layers: Vec<String>,
    pub kind: SourceKind,
    pub url: String,
    pub title: String,
    pub interval: Duration,
    pub timeout: Duration,
    /// With no fresh data for this long the source counts as stale.
    pub max_age: Duration,
    /// Longest wait between retries while the source fails.
    pub max_backoff: Duration,
    /// The coordinate system the source speaks; converted to WGS84 at ingest.
    pub crs: Crs,
    /// Largest answer accepted, in bytes, after decompression.
    pub max_body_bytes: u64,
    /// Credentials, by the names of the environment variables that hold them.
    pub auth: Option<Auth>,
    /// Incremental polling: send the cursor as this query parameter; answers then hold only
    /// what changed, and records missing from an answer are kept, not removed.
    pub since_param: Option<String>,
    /// The record property whose largest value becomes the next cursor.
    pub cursor_field: Option<String>,
    /// For `json-records`: where the records are and how their fields map.
    pub records: RecordMapping,
    /// For `ogc-features`: the collection and its filters.
    pub ogc: OgcOptions,
    /// For `sensorthings`: which Datastreams become which properties.
    pub sta: crate::sources::sensorthings::StaOptions,
    /// For `mqtt`: the topic filters subscribed to.
    pub topics: Vec<String>,
}

impl SourceConfig {
    /// A source with every default, for configs built in code.
    pub fn new(id: &str, layer: &str, kind: SourceKind, url: &str) -> Self {
        SourceConfig {
            id: id.into(),
            layer: layer.into(),
            layers: vec![layer.into()],
            kind,
            url: url.into(),
            title: id.into(),
            interval: Duration::from_secs(5),
            timeout: Duration::from_secs(10),
            max_age: Duration::from_secs(30),
            max_backoff: Duration::from_secs(40),
            crs: Crs::Wgs84,
            max_body_bytes: 64 << 20,
            auth: None,
            since_param: None,
            cursor_field: None,
            records: RecordMapping::default(),
            ogc: OgcOptions::default(),
            sta: Default::default(),
            topics: Vec::new(),
        }
    }
}

/// How a source proves who we are. Only environment variable *names* live in the config; the
/// values are read at each poll and never logged, stored or sent to the UI.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Auth {
    Bearer {
        token_env: String,
    },
    Basic {
        user_env: String,
        password_env: String,
    },
    Header {
        name: String,
        value_env: String,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Config {
    /// Where the config came from, for messages; `None` for a config built in code.
    pub origin: Option<PathBuf>,
    /// The SQLite database file.
    pub store_path: PathBuf,
    /// Demo mode: the wall shows 演示数据 / DEMO permanently.
    pub demo: bool,
    /// In demo mode, the simulated city's clock, so the wall shows the time its data speaks of.
    pub demo_clock: Option<DemoClock>,
    pub layers: Vec<LayerConfig>,
    pub sources: Vec<SourceConfig>,
    pub regions: Vec<RegionConfig>,
    pub cameras: Option<CameraConfig>,
    pub rules: crate::rules::RulesConfig,
    /// The physical wall: screens and their roles (one window when absent).
    pub wall: Option<crate::wall::WallConfig>,
    /// The map's first view.
    pub map: MapConfig,
    /// Which side panels the wall shows, in order.
    pub panels: PanelsConfig,
    /// The city's own basemap; `None`: the shipped demo city's archive.
    pub basemap: Option<BasemapConfig>,
}

impl Config {
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.display().to_string(),
            source,
        })?;
        let base = path.parent().unwrap_or_else(|| Path::new("."));
        let mut config = Config::parse(&text, &path.display().to_string(), base)?;
        config.origin = Some(path.to_path_buf());
        Ok(config)
    }

    /// Parses and validates config text. `file` names it in messages; relative paths in it are
    /// taken from `base`.
    pub fn parse(text: &str, file: &str, base: &Path) -> Result<Config, ConfigError> {
        let raw: RawConfig = toml::from_str(text).map_err(|e| {
            let line = e.span().map(|s| line_of(text, s.start)).unwrap_or(1);
            ConfigError::Invalid(vec![ConfigProblem {
                file: file.to_string(),
                line,
                field: String::new(),
                message: e.message().to_string(),
            }])
        })?;
        let mut problems = Vec::new();
        let mut problem = |span: Range<usize>, field: &str, message: String| {
            problems.push(ConfigProblem {
                file: file.to_string(),
                line: line_of(text, span.start),
                field: field.to_string(),
                message,
            })
        };

        let mut layers = Vec::new();
        let mut layer_ids = HashSet::new();
        for layer in &raw.layer {
            let id = layer.get_ref().id.get_ref();
            if !valid_id(id) {
                problem(
                    layer.get_ref().id.span(),
                    "layer.id",
                    format!("`{id}` is not a valid id: use lowercase letters, digits and '-'"),
                );
            } else if !layer_ids.insert(id.clone()) {
                problem(
                    layer.get_ref().id.span(),
                    "layer.id",
                    format!("layer `{id}` is defined twice"),
                );
            }
            let l = layer.get_ref();
            if let Some(z) = &l.cluster_below_zoom {
                if !(0.0..=24.0).contains(z.get_ref()) {
                    problem(
                        z.span(),
                        "layer.cluster_below_zoom",
                        format!("{} is outside 0..24", z.get_ref()),
                    );
                }
            }
            if let Some(sev) = &l.severity {
                if sev.get_ref().order.is_empty()
                    || sev.get_ref().order.len() > crate::spatial::cluster::SEVERITY_RANKS
                {
                    problem(
                        sev.span(),
                        "layer.severity.order",
                        format!(
                            "give 1 to {} values from mildest to worst",
                            crate::spatial::cluster::SEVERITY_RANKS
                        ),
                    );
                }
            }
            let presentation = Presentation {
                group: l.group.clone(),
                visible: l.visible.unwrap_or(true),
                min_zoom: l.min_zoom,
                max_zoom: l.max_zoom,
                template: l.template.clone(),
                geometry: l.geometry.clone(),
                label: l.label.clone(),
                style: l.style.clone(),
                popup: l.popup.clone().unwrap_or_default(),
            };
            for (field, message) in presentation.problems() {
                // The line of the key inside this [[layer]] (style, popup, template …).
                let key = field.split('.').nth(1).unwrap_or(field);
                let at = key_line(text, layer.span(), key);
                problem(at, field, format!("layer `{id}`: {message}"));
            }
            if let Some(f) = &l.filter {
                if f.get_ref().field.trim().is_empty() || f.get_ref().values.is_empty() {
                    problem(
                        f.span(),
                        "layer.filter",
                        format!("layer `{id}`: a filter needs a `field` and at least one of its `values`"),
                    );
                }
            }
            layers.push(LayerConfig {
                filter: l.filter.as_ref().map(|f| f.get_ref().clone()),
                presentation,
                cluster_below_zoom: l.cluster_below_zoom.as_ref().map(|z| *z.get_ref()),
                severity: l.severity.as_ref().map(|s| s.get_ref().clone()),
                time_field: l.time_field.clone(),
                history: l.history.unwrap_or(true),
                id: id.clone(),
                title_zh: layer
                    .get_ref()
                    .title_zh
                    .clone()
                    .unwrap_or_else(|| id.clone()),
                title_en: layer
                    .get_ref()
                    .title_en
                    .clone()
                    .unwrap_or_else(|| id.clone()),
            });
        }

        let mut sources = Vec::new();
        let mut source_ids = HashSet::new();
        for source in &raw.source {
            let s = source.get_ref();
            let id = s.id.get_ref();
            if !valid_id(id) {
                problem(
                    s.id.span(),
                    "source.id",
                    format!("`{id}` is not a valid id: use lowercase letters, digits and '-'"),
                );
            } else if !source_ids.insert(id.clone()) {
                problem(
                    s.id.span(),
                    "source.id",
                    format!("source `{id}` is defined twice"),
                );
            }
            // `layer = "…"`, or `layers = […]`: one system feeding several catalogue entries,
            // each record to the first whose filter takes it.
            let named: Vec<&Spanned<String>> = match (&s.layer, &s.layers) {
                (Some(one), None) => vec![one],
                (None, Some(many)) if !many.is_empty() => many.iter().collect(),
                (Some(_), Some(_)) => {
                    problem(
                        source.span(),
                        "source.layers",
                        format!("source `{id}` gives both `layer` and `layers`: give one"),
                    );
                    Vec::new()
                }
                _ => {
                    problem(
                        source.span(),
                        "source.layer",
                        format!("source `{id}` names no `layer` (or `layers`) to feed"),
                    );
                    Vec::new()
                }
            };
            for layer in &named {
                if !layer_ids.contains(layer.get_ref()) {
                    problem(
                        layer.span(),
                        "source.layer",
                        format!(
                            "source `{id}` names layer `{}`, which no [[layer]] defines",
                            layer.get_ref()
                        ),
                    );
                }
            }
            let source_layers: Vec<String> = named.iter().map(|l| l.get_ref().clone()).collect();
            let kind = SourceKind::parse(s.kind.get_ref());
            if kind.is_none() {
                problem(
                    s.kind.span(),
                    "source.kind",
                    format!(
                        "unknown kind `{}`; known kinds: {}",
                        s.kind.get_ref(),
                        SourceKind::NAMES.join(", ")
                    ),
                );
            }
            let url = s.url.get_ref();
            if kind == Some(SourceKind::Mqtt) {
                if crate::sources::mqtt::broker(url).is_none() {
                    problem(
                        s.url.span(),
                        "source.url",
                        format!("`{url}` is not an mqtt://host:port URL"),
                    );
                }
                if s.topics.as_ref().is_none_or(|t| t.is_empty()) {
                    problem(
                        s.kind.span(),
                        "source.topics",
                        "an mqtt source needs `topics`, e.g. topics = [\"city/flood/+/level\"]"
                            .into(),
                    );
                }
            } else if !(url.starts_with("http://") || url.starts_with("https://")) || url.len() < 10
            {
                problem(
                    s.url.span(),
                    "source.url",
                    format!("`{url}` is not an http:// or https:// URL"),
                );
            }
            // A number within [min, max] in `unit`, or the default (and a problem) when not.
            let mut number = |value: &Option<Spanned<f64>>,
                              field: &str,
                              default: f64,
                              (min, max): (f64, f64),
                              unit: &str|
             -> f64 {
                match value {
                    None => default,
                    Some(v) => {
                        let n = *v.get_ref();
                        if !n.is_finite() || n < min || n > max {
                            problem(
                                v.span(),
                                field,
                                format!("{n} is out of range: give {unit} between {min} and {max}"),
                            );
                            default
                        } else {
                            n
                        }
                    }
                }
            };
            const SECONDS: (f64, f64) = (0.1, 86_400.0);
            let interval = number(&s.interval_s, "source.interval_s", 5.0, SECONDS, "seconds");
            let timeout = number(&s.timeout_s, "source.timeout_s", 10.0, SECONDS, "seconds");
            let max_age = number(
                &s.max_age_s,
                "source.max_age_s",
                (interval * 6.0).max(30.0),
                SECONDS,
                "seconds",
            );
            let max_backoff = number(
                &s.max_backoff_s,
                "source.max_backoff_s",
                (interval * 8.0).clamp(1.0, 300.0),
                SECONDS,
                "seconds",
            );
            let max_body_mb = number(
                &s.max_body_mb,
                "source.max_body_mb",
                64.0,
                (0.001, 4096.0),
                "megabytes",
            );
            let page_limit = number(
                &s.limit,
                "source.limit",
                1000.0,
                (1.0, 100_000.0),
                "items per page",
            ) as u32;
            let crs = match &s.crs {
                None => Crs::Wgs84,
                Some(name) => Crs::parse(name.get_ref()).unwrap_or_else(|| {
                    problem(
                        name.span(),
                        "source.crs",
                        format!(
                            "unknown coordinate system `{}`; known: {}",
                            name.get_ref(),
                            Crs::NAMES.join(", ")
                        ),
                    );
                    Crs::Wgs84
                }),
            };
            let auth = s.auth.as_ref().and_then(|a| {
                let r = a.get_ref();
                let auth = match (&r.bearer_env, &r.basic_user_env, &r.basic_password_env, &r.header, &r.value_env) {
                    (Some(t), None, None, None, None) => Some(Auth::Bearer { token_env: t.clone() }),
                    (None, Some(u), Some(p), None, None) => Some(Auth::Basic { user_env: u.clone(), password_env: p.clone() }),
                    (None, None, None, Some(h), Some(v)) => Some(Auth::Header { name: h.clone(), value_env: v.clone() }),
                    _ => None,
                };
                let names_ok = [&r.bearer_env, &r.basic_user_env, &r.basic_password_env, &r.value_env]
                    .iter()
                    .filter_map(|n| n.as_deref())
                    .all(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'));
                if auth.is_none() || !names_ok {
                    problem(a.span(), "source.auth", "give one of: { bearer_env = \"VAR\" }, { basic_user_env = \"U\", basic_password_env = \"P\" }, { header = \"X-Api-Key\", value_env = \"VAR\" } — names of environment variables, never the secrets themselves".into());
                    return None;
                }
                auth
            });
            if s.cursor_field.is_some() != s.since_param.is_some() {
                let span = s
                    .since_param
                    .as_ref()
                    .map(|p| p.span())
                    .or_else(|| s.cursor_field.as_ref().map(|c| c.span()))
                    .unwrap_or(source.span());
                problem(
                    span,
                    "source.since_param",
                    "incremental polling needs both `since_param` and `cursor_field`".into(),
                );
            }
            let records = RecordMapping {
                path: s
                    .records_path
                    .as_deref()
                    .unwrap_or("")
                    .split('.')
                    .filter(|p| !p.is_empty())
                    .map(str::to_string)
                    .collect(),
                fields: s
                    .fields
                    .as_ref()
                    .map(|f| f.get_ref().clone())
                    .unwrap_or_default(),
            };
            if kind == Some(SourceKind::JsonRecords) {
                let missing: Vec<&str> = ["id", "lon", "lat"]
                    .into_iter()
                    .filter(|k| !records.fields.contains_key(*k))
                    .collect();
                if !missing.is_empty() {
                    let span = s.fields.as_ref().map(|f| f.span()).unwrap_or(source.span());
                    problem(span, "source.fields", format!("a json-records source must map {}: e.g. fields = {{ id = \"caseNo\", lon = \"x\", lat = \"y\" }}", missing.join(", ")));
                }
            }
            let ogc = OgcOptions {
                collection: s
                    .collection
                    .as_ref()
                    .map(|c| c.get_ref().clone())
                    .unwrap_or_default(),
                limit: page_limit,
                bbox: s.bbox,
                datetime: s.datetime.clone(),
            };
            if kind == Some(SourceKind::OgcFeatures) && ogc.collection.is_empty() {
                problem(
                    s.kind.span(),
                    "source.collection",
                    "an ogc-features source needs `collection`, the id from /collections".into(),
                );
            }
            let sta = crate::sources::sensorthings::StaOptions {
                datastreams: s.datastreams.clone().unwrap_or_default(),
                filter: s.filter.clone(),
                observation_order: s
                    .observation_order
                    .clone()
                    .unwrap_or_else(|| "phenomenonTime".into()),
                page_size: page_limit,
            };
            sources.push(SourceConfig {
                id: id.clone(),
                layer: source_layers.first().cloned().unwrap_or_default(),
                layers: source_layers,
                kind: kind.unwrap_or(SourceKind::Geojson),
                url: url.clone(),
                title: s.title.clone().unwrap_or_else(|| id.clone()),
                interval: Duration::from_secs_f64(interval),
                timeout: Duration::from_secs_f64(timeout),
                max_age: Duration::from_secs_f64(max_age),
                max_backoff: Duration::from_secs_f64(max_backoff),
                crs,
                max_body_bytes: (max_body_mb * 1_048_576.0) as u64,
                auth,
                since_param: s.since_param.as_ref().map(|p| p.get_ref().clone()),
                cursor_field: s.cursor_field.as_ref().map(|c| c.get_ref().clone()),
                records,
                ogc,
                sta,
                topics: s.topics.clone().unwrap_or_default(),
            });
        }

        let store_path = match &raw.store {
            Some(store) => {
                let p = store.get_ref().path.get_ref();
                if p.trim().is_empty() {
                    problem(
                        store.get_ref().path.span(),
                        "store.path",
                        "is empty: give a file path for the database".into(),
                    );
                }
                base.join(p)
            }
            None => base.join("citywall.db"),
        };

        let mut regions = Vec::new();
        for region in &raw.regions {
            let r = region.get_ref();
            if !["district", "street", "grid"].contains(&r.level.as_str()) {
                problem(
                    region.span(),
                    "regions.level",
                    format!("unknown level `{}`: use district, street or grid", r.level),
                );
            }
            regions.push(RegionConfig {
                level: r.level.clone(),
                path: base.join(&r.path),
                name_field: r.name_field.clone().unwrap_or_else(|| "name".into()),
            });
        }
        // toml's Spanned does not nest inside these tables, so their problems point at the
        // table's header line.
        let header = |name: &str| {
            let at = text.find(name).unwrap_or(0);
            at..at
        };
        if let Some(cameras) = &raw.cameras {
            if !layer_ids.contains(&cameras.layer) {
                problem(
                    header("[cameras]"),
                    "cameras.layer",
                    format!(
                        "names layer `{}`, which no [[layer]] defines",
                        cameras.layer
                    ),
                );
            }
        }
        if let Some(wall) = &raw.wall {
            for message in wall.problems() {
                problem(header("[wall]"), "wall.screens", message);
            }
        }
        let map = raw.map.clone().unwrap_or_default();
        for (field, message) in map.problems() {
            problem(header("[map]"), field, message);
        }
        if let Some(basemap) = &raw.basemap {
            for (field, message) in basemap.problems() {
                problem(header("[basemap]"), field, message);
            }
        }
        let panels = raw.panels.clone().unwrap_or_default();
        for (field, message) in panels.problems() {
            problem(header("[panels]"), field, message);
        }
        let rules = raw.rules.clone().unwrap_or_default();
        for (field, message) in rules.problems(&layer_ids) {
            let table = field.rsplit_once('.').map(|(t, _)| t).unwrap_or(&field);
            problem(header(&format!("[{table}]")), &field, message);
        }

        if !problems.is_empty() {
            return Err(ConfigError::Invalid(problems));
        }
        Ok(Config {
            regions,
            cameras: raw.cameras,
            wall: raw.wall,
            map,
            panels,
            basemap: raw.basemap.clone(),
            rules,
            origin: None,
            store_path,
            demo: raw.demo.unwrap_or(false),
            demo_clock: None,
            layers,
            sources,
        })
    }

    pub fn layer(&self, id: &str) -> Option<&LayerConfig> {
        self.layers.iter().find(|l| l.id == id)
    }

    /// The first layer drawn with the shipped template `name`.
    pub fn layer_with_template(&self, name: &str) -> Option<&LayerConfig> {
        self.layers
            .iter()
            .find(|l| l.presentation.template.as_deref() == Some(name))
    }

    /// Whether more than one source feeds `layer`. Each system numbers its own records, so in
    /// such a layer a feature is known by its source and its id (see [`feature_key`]).
    pub fn layer_is_shared(&self, layer: &str) -> bool {
        self.sources
            .iter()
            .filter(|s| s.layers.iter().any(|l| l == layer))
            .nth(1)
            .is_some()
    }

    /// The id a record of `source` goes by in its layer: the record's own id where the source
    /// feeds its layer alone, `source:id` where several do, so two systems that both number
    /// their cases from 1 never collide. Unambiguous: source ids hold no `:`.
    pub fn feature_key(&self, source: &SourceConfig, id: String) -> String {
        if self.layer_is_shared(&source.layer) {
            format!("{}:{id}", source.id)
        } else {
            id
        }
    }
}

fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
}

/// Where `key = …` starts inside the table spanning `span`; the table's start without one.
fn key_line(text: &str, span: Range<usize>, key: &str) -> Range<usize> {
    let table = text.get(span.clone()).unwrap_or("");
    let mut offset = 0;
    for line in table.split_inclusive('\n') {
        let trimmed = line.trim_start();
        if trimmed.starts_with(key) && trimmed[key.len()..].trim_start().starts_with('=') {
            let at = span.start + offset;
            return at..at;
        }
        offset += line.len();
    }
    span
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    demo: Option<bool>,
    store: Option<Spanned<RawStore>>,
    #[serde(default)]
    layer: Vec<Spanned<RawLayer>>,
    #[serde(default)]
    source: Vec<Spanned<RawSource>>,
    #[serde(default)]
    regions: Vec<Spanned<RawRegion>>,
    cameras: Option<CameraConfig>,
    rules: Option<crate::rules::RulesConfig>,
    wall: Option<crate::wall::WallConfig>,
    map: Option<MapConfig>,
    panels: Option<PanelsConfig>,
    basemap: Option<BasemapConfig>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRegion {
    level: String,
    path: String,
    name_field: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStore {
    path: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLayer {
    id: Spanned<String>,
    title_zh: Option<String>,
    title_en: Option<String>,
    cluster_below_zoom: Option<Spanned<f64>>,
    severity: Option<Spanned<Severity>>,
    time_field: Option<String>,
    history: Option<bool>,
    group: Option<String>,
    visible: Option<bool>,
    min_zoom: Option<f64>,
    max_zoom: Option<f64>,
    template: Option<String>,
    geometry: Option<String>,
    label: Option<String>,
    style: Option<PointStyle>,
    popup: Option<Vec<PopupField>>,
    filter: Option<Spanned<LayerFilter>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSource {
    id: Spanned<String>,
    layer: Option<Spanned<String>>,
    layers: Option<Vec<Spanned<String>>>,
    kind: Spanned<String>,
    url: Spanned<String>,
    title: Option<String>,
    interval_s: Option<Spanned<f64>>,
    timeout_s: Option<Spanned<f64>>,
    max_age_s: Option<Spanned<f64>>,
    max_backoff_s: Option<Spanned<f64>>,
    crs: Option<Spanned<String>>,
    max_body_mb: Option<Spanned<f64>>,
    auth: Option<Spanned<RawAuth>>,
    since_param: Option<Spanned<String>>,
    cursor_field: Option<Spanned<String>>,
    records_path: Option<String>,
    topics: Option<Vec<String>>,
    datastreams: Option<std::collections::BTreeMap<String, String>>,
    filter: Option<String>,
    observation_order: Option<String>,
    collection: Option<Spanned<String>>,
    limit: Option<Spanned<f64>>,
    bbox: Option<[f64; 4]>,
    datetime: Option<String>,
    fields: Option<Spanned<std::collections::BTreeMap<String, String>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAuth {
    bearer_env: Option<String>,
    basic_user_env: Option<String>,
    basic_password_env: Option<String>,
    header: Option<String>,
    value_env: Option<String>,
}

#[cfg(test)]
mod tests;
