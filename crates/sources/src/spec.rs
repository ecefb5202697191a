//! `[[source]]`: which subsystem to poll, how (kind, interval, timeout, backoff, credentials,
//! paging, mapping) and which layer or layers it feeds — the types the sources read and the
//! checks that give each bad line its message.

use std::collections::HashSet;
use std::ops::Range;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::crs::Crs;

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
    pub sta: StaOptions,
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

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSource {
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

/// One `[[source]]` checked against the layers the config defines; every problem goes to
/// `problem`, and a source too broken to run is `None`.
pub fn parse_source(
    source: &Spanned<RawSource>,
    layer_ids: &HashSet<String>,
    source_ids: &mut HashSet<String>,
    problem: &mut dyn FnMut(Range<usize>, &str, String),
) -> Option<SourceConfig> {
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
        if broker(url).is_none() {
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
                "an mqtt source needs `topics`, e.g. topics = [\"city/flood/+/level\"]".into(),
            );
        }
    } else if !(url.starts_with("http://") || url.starts_with("https://")) || url.len() < 10 {
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
    let sta = StaOptions {
        datastreams: s.datastreams.clone().unwrap_or_default(),
        filter: s.filter.clone(),
        observation_order: s
            .observation_order
            .clone()
            .unwrap_or_else(|| "phenomenonTime".into()),
        page_size: page_limit,
    };
    Some(SourceConfig {
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
    })
}

/// What a `sensorthings` source reads.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct StaOptions {
    /// Datastream name → feature property for its latest result (unmapped: the name itself).
    pub datastreams: std::collections::BTreeMap<String, String>,
    /// An OData `$filter` on Things, e.g. `properties/kind eq '下穿通道'`.
    pub filter: Option<String>,
    /// The Observation property ordered on to find the latest (`phenomenonTime` by default).
    pub observation_order: String,
    pub page_size: u32,
}

/// Host and port of an `mqtt://host:port` URL.
pub fn broker(url: &str) -> Option<(String, u16)> {
    let rest = url.strip_prefix("mqtt://")?;
    let rest = rest.split('/').next()?;
    match rest.rsplit_once(':') {
        Some((host, port)) => Some((host.to_string(), port.parse().ok()?)),
        None => Some((rest.to_string(), 1883)),
    }
}

/// Layer and source ids: what a URL path, a CSS class and a file name all take as they are.
pub fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
}
