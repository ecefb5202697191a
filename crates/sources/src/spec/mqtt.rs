//! `kind = "mqtt"`: the broker (`url = "mqtt://host:port"`), the topic filters subscribed to,
//! and how each message's fields map onto a feature (as a json-records source's do).

use std::ops::Range;

use serde::Serialize;
use toml::Spanned;

use super::json_records::{mapping, RecordMapping};
use super::raw::RawSource;

/// What an `mqtt` source subscribes to and how it reads each message.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct MqttOptions {
    /// The topic filters subscribed to.
    pub topics: Vec<String>,
    /// Each message's fields as a feature's.
    pub records: RecordMapping,
}

pub(super) fn read(
    source: &Spanned<RawSource>,
    problem: &mut dyn FnMut(Range<usize>, &str, String),
) -> MqttOptions {
    let s = source.get_ref();
    let url = s.url.get_ref();
    if broker(url).is_none() {
        problem(
            s.url.span(),
            "source.url",
            format!("`{url}` is not an mqtt://host:port URL"),
        );
    }
    let topics = s.topics.clone().unwrap_or_default();
    if topics.is_empty() {
        problem(
            s.kind.span(),
            "source.topics",
            "an mqtt source needs `topics`, e.g. topics = [\"city/flood/+/level\"]".into(),
        );
    }
    MqttOptions {
        topics,
        records: mapping(s),
    }
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
