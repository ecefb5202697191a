//! Event rules for any layer (`[[rules.event]]`): each event a feature lists — a weigh station's
//! latest passes, a camera's recent alarms, a sensor's last trips — graded by one of its numbers
//! against blue / yellow / orange / red thresholds, raised once per event and kept until
//! `clear_after_min` after it (data time), as a station lists only its latest few. Titles and
//! details are templates over the event's own fields. The shipped overweight pass rule is one.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::memory::EventMemory;
use super::rule::{Judging, Owns, Rule};
use super::threshold::{scope_of, unnamed, Thresholds};
use super::{num, text, time_ms, Desired, Kind};
use crate::spatial::LayerIndex;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventRule {
    /// Names the rule: its warnings are keyed by it.
    pub id: String,
    pub layer: String,
    /// The properties holding the feature's events: each a list of objects, or one object.
    pub items: Vec<String>,
    /// The number in each event that is graded.
    pub field: String,
    /// When each event happened (RFC 3339), in each event.
    #[serde(default = "at_field")]
    pub at: String,
    /// The thresholds of `field`, rising.
    pub levels: Thresholds,
    /// Fields of the event that tell two events at the same time apart (a plate).
    #[serde(default)]
    pub key_fields: Vec<String>,
    /// An event's warning clears by itself this long after the event (data time).
    #[serde(default = "clear_after_min")]
    pub clear_after_min: f64,
    /// The warning's title and detail: `{name}` (the feature's), `{value}`, `{level}`,
    /// `{threshold}`, and any field of the event as `{field}`, `{field:.1}` (a number to one
    /// decimal) or `{field|text if missing}`.
    pub title_zh: String,
    #[serde(default)]
    pub title_en: Option<String>,
    #[serde(default = "detail_zh")]
    pub detail_zh: String,
    #[serde(default = "detail_en")]
    pub detail_en: String,
    /// The property that names a feature in the warning (default `name`, else its id).
    #[serde(default = "name_field")]
    pub name_field: String,
    /// A shipped rule expressed as this one raises its own kind, keyed as it always was; not
    /// configurable.
    #[serde(skip)]
    pub shipped: Option<Kind>,
}

fn at_field() -> String {
    "at".into()
}
fn clear_after_min() -> f64 {
    30.0
}
fn detail_zh() -> String {
    "{value}（{level}阈值 {threshold}）".into()
}
fn detail_en() -> String {
    "{value} ({level} threshold {threshold})".into()
}
fn name_field() -> String {
    "name".into()
}

impl EventRule {
    /// The prefix of every key this rule raises.
    pub fn scope(&self) -> String {
        scope_of(Kind::Event, &self.id, self.shipped)
    }

    /// Problems as (field, message).
    pub fn problems(&self) -> Vec<(String, String)> {
        let at = |f: &str| format!("rules.event.{f}");
        let mut out = self.levels.problems(&at("levels"), false);
        out.extend(unnamed("event", &self.id));
        if self.items.is_empty() {
            out.push((
                at("items"),
                "name the properties that list the events".into(),
            ));
        }
        if !(self.clear_after_min.is_finite() && self.clear_after_min > 0.0) {
            out.push((at("clear_after_min"), "must be more than 0".into()));
        }
        out
    }
}

/// A number as a warning writes it: one decimal, or none for a whole number.
fn short(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

/// `template` with its `{…}` filled: the fixed names first, then the event's fields.
fn fill(template: &str, fixed: &[(&str, String)], event: &Map<String, Value>) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let Some(close) = rest[open..].find('}') else {
            out.push_str(&rest[open..]);
            return out;
        };
        let spec = &rest[open + 1..open + close];
        let (name, missing) = spec.split_once('|').unwrap_or((spec, ""));
        let (name, decimals) = match name.split_once(":.") {
            Some((n, d)) => (n, d.parse::<usize>().ok()),
            None => (name, None),
        };
        let value = fixed
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.clone())
            .or_else(|| match event.get(name)? {
                Value::String(s) => Some(s.clone()),
                Value::Number(n) => n.as_f64().map(|v| match decimals {
                    Some(d) => format!("{v:.d$}"),
                    None => n.to_string(),
                }),
                Value::Bool(b) => Some(b.to_string()),
                _ => None,
            });
        out.push_str(value.as_deref().unwrap_or(missing));
        rest = &rest[open + close + 1..];
    }
    out.push_str(rest);
    out
}

/// The events each feature lists, graded: what the rule wants open now, on the data clock `now`.
pub fn evaluate(
    rule: &EventRule,
    layer: &LayerIndex,
    memory: &mut EventMemory,
    now: i64,
) -> Vec<Desired> {
    let scope = rule.scope();
    let kind = rule.shipped.unwrap_or(Kind::Event);
    // A shipped rule keys an event without its key field as it always did.
    let unread = if rule.shipped.is_some() {
        "未识别"
    } else {
        "-"
    };
    for f in layer.iter() {
        let p = &f.properties;
        let name = text(p, &rule.name_field).unwrap_or(&f.id).to_string();
        let events = rule
            .items
            .iter()
            .filter_map(|k| p.get(k))
            .flat_map(|v| match v {
                Value::Array(list) => list.iter().collect::<Vec<_>>(),
                one => vec![one],
            });
        for event in events {
            let Some(event) = event.as_object() else {
                continue;
            };
            let (Some(value), Some(at)) = (num(event, &rule.field), time_ms(event, &rule.at))
            else {
                continue;
            };
            let Some(level) = rule.levels.assess(value, None, false, 0.0) else {
                continue;
            };
            let mut key = format!("{scope}{}", f.id);
            for k in &rule.key_fields {
                key.push(':');
                key.push_str(text(event, k).unwrap_or(unread));
            }
            key.push_str(&format!(":{at}"));
            let threshold = rule.levels.of(level);
            let fixed = |level_name: &str| {
                vec![
                    ("name", name.clone()),
                    ("value", format!("{value:.1}")),
                    ("level", level_name.to_string()),
                    ("threshold", short(threshold)),
                ]
            };
            let (zh, en) = (fixed(level.zh()), fixed(level.en()));
            let title_en = rule.title_en.as_deref().unwrap_or(&rule.title_zh);
            memory.raised.entry(key.clone()).or_insert_with(|| {
                (
                    at,
                    Desired {
                        key,
                        kind,
                        level,
                        layer: f.layer.clone(),
                        subject: f.id.clone(),
                        title: fill(&rule.title_zh, &zh, event),
                        detail: fill(&rule.detail_zh, &zh, event),
                        title_en: fill(title_en, &en, event),
                        detail_en: fill(&rule.detail_en, &en, event),
                        lon: f.lon,
                        lat: f.lat,
                        value,
                        threshold,
                        related: vec![f.id.clone()],
                        owner: None,
                    },
                )
            });
        }
    }
    let keep_ms = (rule.clear_after_min * 60_000.0) as i64;
    memory.raised.retain(|_, (at, _)| now - *at < keep_ms);
    memory.raised.values().map(|(_, d)| d.clone()).collect()
}

impl Rule for EventRule {
    fn table(&self) -> &'static str {
        "event"
    }

    fn layer(&self) -> &str {
        &self.layer
    }

    fn owns(&self) -> Owns {
        Owns::Scope(Kind::Event, self.scope())
    }

    fn judge(&self, at: &mut Judging<'_>) -> Vec<Desired> {
        let memory = at.memory.events.entry(self.scope()).or_default();
        evaluate(self, at.layer, memory, at.now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::{layer_of, Level};
    use serde_json::json;

    #[test]
    fn each_listed_event_is_graded_once_and_kept_until_it_expires() {
        let rule: EventRule = toml::from_str(
            "id = \"speeding\"\nlayer = \"cams\"\nitems = [\"recent\"]\nfield = \"over_pct\"\n\
             key_fields = [\"plate\"]\nlevels = { yellow = 10, red = 50 }\nclear_after_min = 10\n\
             title_zh = \"{name} {plate|未识别} 超速 {value}%\"\ntitle_en = \"{name} {plate|unread} {value}% over\"\n",
        )
        .expect("an event rule");
        assert!(rule.problems().is_empty(), "{:?}", rule.problems());
        let t0 = 1_700_000_000_000i64;
        let index = layer_of(
            "cams",
            vec![(
                "c1",
                [0.0, 0.0],
                json!({"name": "环城路卡口", "recent": [
                    {"at": "2023-11-14T22:13:20Z", "plate": "苏N12345", "over_pct": 62.0},
                    {"at": "2023-11-14T22:13:21Z", "over_pct": 12.5},
                    {"at": "2023-11-14T22:13:22Z", "plate": "苏N0", "over_pct": 3.0},
                ]}),
            )],
        );
        let mut memory = EventMemory::default();
        let cams = index.layer("cams").expect("layer");
        let out = evaluate(&rule, cams, &mut memory, t0 + 60_000);
        assert_eq!(out.len(), 2, "{out:?}");
        let red = out.iter().find(|d| d.level == Level::Red).expect("red");
        assert_eq!(red.title, "环城路卡口 苏N12345 超速 62.0%");
        assert_eq!(red.detail, "62.0（红色阈值 50）");
        assert_eq!(red.title_en, "环城路卡口 苏N12345 62.0% over");
        assert!(
            red.key.starts_with("event:speeding:c1:苏N12345:"),
            "{}",
            red.key
        );
        let yellow = out
            .iter()
            .find(|d| d.level == Level::Yellow)
            .expect("yellow");
        assert!(yellow.title.contains("未识别"), "{}", yellow.title);
        // Gone from the list, still open; past its time, cleared.
        let gone = layer_of("cams", vec![("c1", [0.0, 0.0], json!({"name": "x"}))]);
        let empty = gone.layer("cams").expect("layer");
        assert_eq!(
            evaluate(&rule, empty, &mut memory, t0 + 5 * 60_000).len(),
            2
        );
        assert!(evaluate(&rule, empty, &mut memory, t0 + 11 * 60_000).is_empty());
    }

    #[test]
    fn templates_fill_numbers_texts_and_defaults() {
        let event = json!({"gross_t": 49.25, "axles": 6, "plate": "A1"});
        let event = event.as_object().expect("object");
        let fixed = [("value", "12.0".to_string())];
        assert_eq!(
            fill(
                "{axles} 轴 {gross_t:.1} t {plate} {value}% {nope|—} {",
                &fixed,
                event
            ),
            "6 轴 49.2 t A1 12.0% — {"
        );
    }
}
