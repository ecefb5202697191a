//! The `sensorthings` source kind: OGC SensorThings API 1.1. One request per page brings every
//! Thing with its Location and, per Datastream, only the latest Observation
//! (`$expand=Locations,Datastreams/Observations($orderby=… desc;$top=1)`), so the wall never
//! asks for "latest observation per sensor" one sensor at a time. Each Thing becomes a feature:
//! its properties, plus one property per mapped Datastream holding the latest result.

use serde_json::{Map, Value};

use super::{excerpt, paging, Batch, Record, Rejected, SourceError};
use crate::spec::{SourceConfig, StaOptions};

/// The first page's URL.
pub fn things_url(source: &SourceConfig, o: &StaOptions) -> Result<reqwest::Url, SourceError> {
    let mut url = format!(
        "{}/Things?$expand=Locations,Datastreams/Observations($orderby={}%20desc;$top=1)&$top={}",
        source.url.trim_end_matches('/'),
        o.observation_order,
        o.page_size
    );
    if let Some(filter) = &o.filter {
        let encoded: String = filter
            .bytes()
            .map(|b| match b {
                b'A'..=b'Z'
                | b'a'..=b'z'
                | b'0'..=b'9'
                | b'-'
                | b'_'
                | b'.'
                | b'/'
                | b'\''
                | b'('
                | b')' => (b as char).to_string(),
                _ => format!("%{b:02X}"),
            })
            .collect();
        url.push_str(&format!("&$filter={encoded}"));
    }
    reqwest::Url::parse(&url).map_err(|e| {
        SourceError::WrongShape(format!("`{}` is not a usable service URL: {e}", source.url))
    })
}

pub async fn fetch_all(
    client: &reqwest::Client,
    source: &SourceConfig,
    sta: &StaOptions,
) -> Result<Batch, SourceError> {
    paging::fetch_pages(client, source, things_url(source, sta)?, |body| {
        parse_page(body, sta)
    })
    .await
}

/// One page of Things: the batch and the next page's link.
pub fn parse_page(
    body: &[u8],
    options: &StaOptions,
) -> Result<(Batch, Option<String>), SourceError> {
    let (text, _) = super::sanitize_json(body);
    let doc: Value =
        serde_json::from_str(&text).map_err(|e| SourceError::InvalidJson(e.to_string()))?;
    let things = doc.get("value").and_then(Value::as_array).ok_or_else(|| {
        SourceError::WrongShape(
            "a SensorThings collection has a `value` array; this answer has none".into(),
        )
    })?;
    let mut batch = Batch::default();
    for (i, thing) in things.iter().enumerate() {
        match thing_record(thing, options) {
            Ok(r) => batch.records.push(r),
            Err(reason) => batch.rejected.push(Rejected {
                index: i,
                reason,
                excerpt: excerpt(thing),
            }),
        }
    }
    let next = doc
        .get("@iot.nextLink")
        .and_then(Value::as_str)
        .map(str::to_string);
    Ok((batch, next))
}

/// A Location's geometry: SensorThings allows a bare GeoJSON geometry or a Feature around one.
fn location_geometry(location: &Value) -> Option<&Value> {
    if location.get("type").and_then(Value::as_str) == Some("Feature") {
        location.get("geometry")
    } else {
        Some(location)
    }
}

fn thing_record(thing: &Value, options: &StaOptions) -> Result<Record, String> {
    let id = match thing.get("@iot.id") {
        Some(Value::String(s)) if !s.is_empty() => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => return Err("the Thing has no @iot.id".into()),
    };
    let location = thing
        .get("Locations")
        .and_then(Value::as_array)
        .and_then(|l| l.first())
        .and_then(|l| l.get("location"))
        .ok_or_else(|| format!("Thing `{id}` has no Location"))?;
    let at = location_geometry(location)
        .ok_or_else(|| format!("Thing `{id}`: its Location Feature has no geometry"))
        .and_then(|g| {
            crate::geometry::parse(g).map_err(|e| format!("Thing `{id}`: its Location: {e}"))
        })?;
    let mut properties = Map::new();
    if let Some(Value::Object(p)) = thing.get("properties") {
        properties.extend(p.clone());
    }
    for key in ["name", "description"] {
        if let Some(v) = thing.get(key) {
            properties.insert(key.into(), v.clone());
        }
    }
    let mut latest_time: Option<String> = None;
    for ds in thing
        .get("Datastreams")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let Some(name) = ds.get("name").and_then(Value::as_str) else {
            continue;
        };
        let Some(obs) = ds
            .get("Observations")
            .and_then(Value::as_array)
            .and_then(|o| o.first())
        else {
            continue;
        };
        let property = options
            .datastreams
            .get(name)
            .cloned()
            .unwrap_or_else(|| name.to_string());
        properties.insert(
            property.clone(),
            obs.get("result").cloned().unwrap_or(Value::Null),
        );
        if let Some(t) = obs.get("phenomenonTime").and_then(Value::as_str) {
            properties.insert(format!("{property}_time"), Value::String(t.to_string()));
            if latest_time.as_deref().is_none_or(|l| l < t) {
                latest_time = Some(t.to_string());
            }
        }
    }
    if let Some(t) = latest_time {
        properties.insert("observed_at".into(), Value::String(t));
    }
    Ok(Record::located(id, at, properties))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn things_become_features_with_their_latest_results() {
        let body = r#"{"value":[
            {"@iot.id":"t1","name":"人民路下穿","properties":{"kind":"下穿通道"},
             "Locations":[{"location":{"type":"Point","coordinates":[118.28,33.96]}}],
             "Datastreams":[{"name":"水位","Observations":[{"phenomenonTime":"2026-07-01T10:00:00Z","result":0.31}]},
                            {"name":"雨强","Observations":[]}]},
            {"@iot.id":"t2","name":"no place","Locations":[]}
        ],"@iot.nextLink":"http://x/v1.1/Things?$skip=2"}"#;
        let options = StaOptions {
            datastreams: [("水位".to_string(), "level_m".to_string())].into(),
            observation_order: "phenomenonTime".into(),
            page_size: 100,
            ..Default::default()
        };
        let (batch, next) = parse_page(body.as_bytes(), &options).unwrap();
        assert_eq!(next.as_deref(), Some("http://x/v1.1/Things?$skip=2"));
        let r = &batch.records[0];
        assert_eq!((r.id.as_str(), r.lon, r.lat), ("t1", 118.28, 33.96));
        assert_eq!(r.properties["level_m"], 0.31);
        assert_eq!(r.properties["kind"], "下穿通道");
        assert_eq!(r.properties["observed_at"], "2026-07-01T10:00:00Z");
        assert!(!r.properties.contains_key("雨强"));
        assert!(batch.rejected[0]
            .reason
            .contains("Thing `t2` has no Location"));
    }
}
