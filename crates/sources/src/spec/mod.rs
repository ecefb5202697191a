//! `[[source]]`: which subsystem to poll, how (kind, interval, timeout, backoff, credentials,
//! paging, mapping) and which layer or layers it feeds — the types the sources read and the
//! checks that give each bad line its message.

use std::collections::HashSet;
use std::ops::Range;
use std::time::Duration;

use serde::Serialize;
use toml::Spanned;

use crate::crs::Crs;

mod json_records;
mod mqtt;
mod ogc_features;
mod raw;
mod sensorthings;

pub use json_records::RecordMapping;
pub use mqtt::{broker, MqttOptions};
pub use ogc_features::OgcOptions;
pub use raw::RawSource;
pub use sensorthings::StaOptions;

/// The formats a source can speak, each with its own options: the fetching and parsing of each
/// has its own file in `sources/`, its options and their checks one in `spec/`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum SourceKind {
    Geojson,
    /// A JSON array of plain records (at `records_path`), mapped by `fields`.
    JsonRecords(RecordMapping),
    /// OGC API – Features: the items of `collection`, page by page.
    OgcFeatures(OgcOptions),
    /// OGC SensorThings API 1.1: Things with Locations and their latest Observations.
    SensorThings(StaOptions),
    /// MQTT: pushed messages on `topics`, one record each.
    Mqtt(MqttOptions),
}

impl SourceKind {
    /// Every kind's name, as `kind = "…"` gives it.
    pub const NAMES: &'static [&'static str] = &[
        "geojson",
        "json-records",
        "ogc-features",
        "sensorthings",
        "mqtt",
    ];

    /// Its name, as `kind = "…"` gives it.
    pub fn name(&self) -> &'static str {
        match self {
            SourceKind::Geojson => "geojson",
            SourceKind::JsonRecords(_) => "json-records",
            SourceKind::OgcFeatures(_) => "ogc-features",
            SourceKind::SensorThings(_) => "sensorthings",
            SourceKind::Mqtt(_) => "mqtt",
        }
    }

    /// How its plain records map onto features, for the kinds that read plain records.
    pub fn records(&self) -> Option<&RecordMapping> {
        match self {
            SourceKind::JsonRecords(mapping) => Some(mapping),
            SourceKind::Mqtt(options) => Some(&options.records),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SourceConfig {
    pub id: String,
    /// The layer it feeds (the first of `layers`).
    pub layer: String,
    /// Every layer it feeds: more than one when a system's records are split by the layers'
    /// filters (a census by class).
    pub layers: Vec<String>,
    /// Its format, with that format's options.
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
    let url = s.url.get_ref();
    let kind = read_kind(source, page_limit, problem);
    if !matches!(kind, Some(SourceKind::Mqtt(_)))
        && (!(url.starts_with("http://") || url.starts_with("https://")) || url.len() < 10)
    {
        problem(
            s.url.span(),
            "source.url",
            format!("`{url}` is not an http:// or https:// URL"),
        );
    }
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
    })
}

/// The options fields of `[[source]]` and the kinds that take each: any other kind that is
/// given one is told so, rather than ignoring it.
const KIND_FIELDS: &[(&str, &[&str])] = &[
    ("records_path", &["json-records", "mqtt"]),
    ("fields", &["json-records", "mqtt"]),
    ("collection", &["ogc-features"]),
    ("bbox", &["ogc-features"]),
    ("datetime", &["ogc-features"]),
    ("limit", &["ogc-features", "sensorthings"]),
    ("datastreams", &["sensorthings"]),
    ("filter", &["sensorthings"]),
    ("observation_order", &["sensorthings"]),
    ("topics", &["mqtt"]),
];

/// The source's kind with its options, each kind's read and checked in its own file; `None`
/// (and a problem) for a kind there is none of.
fn read_kind(
    source: &Spanned<RawSource>,
    page_limit: u32,
    problem: &mut dyn FnMut(Range<usize>, &str, String),
) -> Option<SourceKind> {
    let s = source.get_ref();
    let name = s.kind.get_ref().as_str();
    let given = [
        ("records_path", s.records_path.is_some()),
        ("fields", s.fields.is_some()),
        ("collection", s.collection.is_some()),
        ("bbox", s.bbox.is_some()),
        ("datetime", s.datetime.is_some()),
        ("limit", s.limit.is_some()),
        ("datastreams", s.datastreams.is_some()),
        ("filter", s.filter.is_some()),
        ("observation_order", s.observation_order.is_some()),
        ("topics", s.topics.is_some()),
    ];
    let kind = match name {
        "geojson" => SourceKind::Geojson,
        "json-records" => SourceKind::JsonRecords(json_records::read(source, problem)),
        "ogc-features" => SourceKind::OgcFeatures(ogc_features::read(source, page_limit, problem)),
        "sensorthings" => SourceKind::SensorThings(sensorthings::read(s, page_limit)),
        "mqtt" => SourceKind::Mqtt(mqtt::read(source, problem)),
        _ => {
            problem(
                s.kind.span(),
                "source.kind",
                format!(
                    "unknown kind `{name}`; known kinds: {}",
                    SourceKind::NAMES.join(", ")
                ),
            );
            return None;
        }
    };
    for (field, present) in given {
        let takers = KIND_FIELDS
            .iter()
            .find(|(f, _)| *f == field)
            .map_or(&[][..], |(_, k)| *k);
        if present && !takers.contains(&name) {
            problem(
                s.kind.span(),
                &format!("source.{field}"),
                format!(
                    "`{field}` is for {} sources; source `{}` is `{name}`",
                    takers.join(" and "),
                    s.id.get_ref()
                ),
            );
        }
    }
    Some(kind)
}

/// Layer and source ids: what a URL path, a CSS class and a file name all take as they are.
pub fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
}
