//! The `geojson` source kind: a GeoJSON FeatureCollection in WGS84 (or the source's declared
//! system), any geometry but GeometryCollection. Points take a fast typed path; everything else,
//! and every fault, goes through `geometry::parse`, which names what is wrong.

use std::collections::HashSet;

use std::borrow::Cow;

use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use super::{excerpt, Batch, Record, Rejected, SourceError};

/// Parses a FeatureCollection. Bad features are rejected one by one; only a payload that is not
/// a FeatureCollection at all fails as a whole.
pub fn parse(body: &[u8]) -> Result<Batch, SourceError> {
    let (text, lossy) = super::sanitize_json(body);
    // Fast path: the collection as raw slices, each feature parsed straight into a record, on
    // several threads for big answers. Anything unusual falls back to the slow path, which
    // exists to explain what is wrong.
    let Ok(collection) = serde_json::from_str::<RawCollection>(&text) else {
        return Err(explain_collection(&text));
    };
    if collection.kind.as_deref() != Some("FeatureCollection") {
        return Err(explain_collection(&text));
    }
    let Some(features) = collection.features else {
        return Err(SourceError::WrongShape(
            "the FeatureCollection has no `features` array".into(),
        ));
    };
    let results = map_parallel(&features, |index, raw| {
        if lossy && raw.get().contains('\u{FFFD}') {
            return Err(Rejected {
                index,
                reason: "the record holds bytes that are not valid UTF-8".into(),
                excerpt: super::excerpt_text(raw.get()),
            });
        }
        fast_feature(raw.get()).map(Ok).unwrap_or_else(|| {
            // A record that is not JSON a parser can hold (a lone surrogate, a number past f64,
            // nesting past the parser's depth) is rejected for that, not for its shape.
            let value: Value = serde_json::from_str(raw.get()).map_err(|e| Rejected {
                index,
                reason: format!("the record is not valid JSON: {e}"),
                excerpt: super::excerpt_text(raw.get()),
            })?;
            parse_feature(&value).map_err(|reason| Rejected {
                index,
                reason,
                excerpt: excerpt(&value),
            })
        })
    });
    let mut batch = Batch::default();
    let mut seen = HashSet::with_capacity(results.len());
    for (index, result) in results.into_iter().enumerate() {
        match result {
            Ok(record) => {
                if seen.insert(record.id.clone()) {
                    batch.records.push(record);
                } else {
                    batch.rejected.push(Rejected {
                        index,
                        reason: format!(
                            "duplicate id `{}` in this batch; the first one was kept",
                            record.id
                        ),
                        excerpt: super::excerpt_text(features[index].get()),
                    });
                }
            }
            Err(rejected) => batch.rejected.push(rejected),
        }
    }
    Ok(batch)
}

#[derive(Deserialize)]
struct RawCollection<'a> {
    #[serde(rename = "type", borrow)]
    kind: Option<Cow<'a, str>>,
    #[serde(borrow)]
    features: Option<Vec<&'a RawValue>>,
}

#[derive(Deserialize)]
struct FastFeature<'a> {
    #[serde(rename = "type", borrow)]
    kind: Cow<'a, str>,
    id: Option<Value>,
    #[serde(borrow)]
    geometry: FastGeometry<'a>,
    properties: Option<Map<String, Value>>,
}

#[derive(Deserialize)]
struct FastGeometry<'a> {
    #[serde(rename = "type", borrow)]
    kind: Cow<'a, str>,
    coordinates: Vec<f64>,
}

/// The common case in one typed pass; `None` sends the feature to the explaining slow path.
fn fast_feature(raw: &str) -> Option<Record> {
    let f: FastFeature = serde_json::from_str(raw).ok()?;
    if f.kind != "Feature" || f.geometry.kind != "Point" || f.geometry.coordinates.len() < 2 {
        return None;
    }
    let (lon, lat) = (f.geometry.coordinates[0], f.geometry.coordinates[1]);
    crate::geometry::check_range("", lon, lat).ok()?;
    let properties = f.properties.unwrap_or_default();
    let id = match f.id.as_ref().or_else(|| properties.get("id"))? {
        Value::String(s) if !s.trim().is_empty() => s.clone(),
        Value::Number(n) => n.to_string(),
        _ => return None,
    };
    Some(Record {
        id,
        lon,
        lat,
        shape: None,
        properties,
    })
}

/// Maps items on up to four threads when there are many; order is kept.
fn map_parallel<T: Sync, R: Send>(items: &[T], f: impl Fn(usize, &T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .min(4);
    if threads < 2 || items.len() < 20_000 {
        return items.iter().enumerate().map(|(i, x)| f(i, x)).collect();
    }
    let chunk = items.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let handles: Vec<_> = items
            .chunks(chunk)
            .enumerate()
            .map(|(c, part)| {
                let f = &f;
                scope.spawn(move || {
                    part.iter()
                        .enumerate()
                        .map(|(i, x)| f(c * chunk + i, x))
                        .collect::<Vec<R>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
    })
}

/// Why a payload is not a usable FeatureCollection (the slow path, for errors only).
fn explain_collection(text: &str) -> SourceError {
    let doc: Value = match serde_json::from_str(text) {
        Ok(doc) => doc,
        Err(e) => return SourceError::InvalidJson(e.to_string()),
    };
    let kind = doc.get("type").and_then(Value::as_str);
    if kind != Some("FeatureCollection") {
        return SourceError::WrongShape(format!(
            "expected a GeoJSON FeatureCollection, got {}",
            kind.map(|k| format!("type `{k}`"))
                .unwrap_or_else(|| describe(&doc))
        ));
    }
    SourceError::WrongShape("the FeatureCollection's `features` is not an array".into())
}

fn describe(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(_) => "a boolean".into(),
        Value::Number(_) => "a number".into(),
        Value::String(_) => "a string".into(),
        Value::Array(_) => "an array".into(),
        Value::Object(_) => "an object without `type`".into(),
    }
}

pub(crate) fn parse_feature(feature: &Value) -> Result<Record, String> {
    if feature.get("type").and_then(Value::as_str) != Some("Feature") {
        return Err("not a GeoJSON Feature (`type` is not \"Feature\")".into());
    }
    let properties = match feature.get("properties") {
        Some(Value::Object(map)) => map.clone(),
        None | Some(Value::Null) => Default::default(),
        Some(other) => {
            return Err(format!(
                "`properties` is {}, not an object",
                describe(other)
            ))
        }
    };
    let id = match feature.get("id").or_else(|| properties.get("id")) {
        Some(Value::String(s)) if !s.trim().is_empty() => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        Some(_) => return Err("`id` is neither a non-empty string nor a number".into()),
        None => return Err("the feature has no `id`".into()),
    };
    let geometry = feature
        .get("geometry")
        .ok_or("the feature has no `geometry`")?;
    let at = crate::geometry::parse(geometry).map_err(|e| format!("feature `{id}`: {e}"))?;
    Ok(Record::located(id, at, properties))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn good_features_land_and_bad_ones_are_rejected_with_reasons() {
        let body = br#"{"type":"FeatureCollection","features":[
            {"type":"Feature","id":"a","geometry":{"type":"Point","coordinates":[118.2,33.9]},"properties":{"level":0.1}},
            {"type":"Feature","id":"b","geometry":{"type":"Point","coordinates":[218.2,33.9]},"properties":{}},
            {"type":"Feature","geometry":{"type":"Point","coordinates":[118.2,33.9]},"properties":{"id":7}},
            {"type":"Feature","id":"a","geometry":{"type":"Point","coordinates":[118.3,33.9]}},
            {"type":"Feature","id":"c","geometry":{"type":"Point","coordinates":["x",33.9]}}
        ]}"#;
        let batch = parse(body).unwrap();
        let ids: Vec<&str> = batch.records.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, ["a", "7"]);
        assert_eq!(batch.rejected.len(), 3);
        assert!(batch.rejected[0].reason.contains("outside WGS84"));
        assert!(batch.rejected[1].reason.contains("duplicate id `a`"));
        assert!(batch.rejected[2]
            .reason
            .contains("longitude is not a number"));
        assert_eq!(batch.rejected[2].index, 4);
    }

    #[test]
    fn a_payload_of_the_wrong_shape_fails_whole() {
        assert!(matches!(parse(b"{nope"), Err(SourceError::InvalidJson(_))));
        let e = parse(br#"[1,2]"#).unwrap_err().to_string();
        assert!(
            e.contains("expected a GeoJSON FeatureCollection, got an array"),
            "{e}"
        );
    }

    #[test]
    fn a_byte_order_mark_before_the_answer_is_tolerated() {
        let body = b"\xEF\xBB\xBF{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"id\":\"a\",\"geometry\":{\"type\":\"Point\",\"coordinates\":[118.2,33.9]}}]}";
        assert_eq!(parse(body).unwrap().records.len(), 1);
    }

    #[test]
    fn a_record_that_no_parser_can_hold_is_rejected_for_what_is_wrong_with_it() {
        let deep = format!("{}1{}", "[".repeat(20_000), "]".repeat(20_000));
        let body = format!(
            r#"{{"type":"FeatureCollection","features":[
            {{"type":"Feature","id":"s","geometry":{{"type":"Point","coordinates":[118.2,33.9]}},"properties":{{"name":"\ud800"}}}},
            {{"type":"Feature","id":"n","geometry":{{"type":"Point","coordinates":[118.2,33.9]}},"properties":{{"v":1e999}}}},
            {{"type":"Feature","id":"d","geometry":{{"type":"Point","coordinates":[118.2,33.9]}},"properties":{{"v":{deep}}}}},
            {{"type":"Feature","id":"ok","geometry":{{"type":"Point","coordinates":[118.2,33.9]}}}}
        ]}}"#
        );
        let batch = parse(body.as_bytes()).unwrap();
        assert_eq!(batch.records.len(), 1, "{:?}", batch.rejected);
        let reasons: Vec<&str> = batch.rejected.iter().map(|r| r.reason.as_str()).collect();
        assert!(reasons[0].contains("hex escape"), "{reasons:?}");
        assert!(reasons[1].contains("number out of range"), "{reasons:?}");
        assert!(reasons[2].contains("recursion limit"), "{reasons:?}");
    }

    proptest::proptest! {
        /// Whatever a subsystem sends, the parser answers: a batch or an error, never a panic.
        #[test]
        fn never_panics_on_any_bytes(body in proptest::collection::vec(proptest::num::u8::ANY, 0..512)) {
            let _ = parse(&body);
        }

        #[test]
        fn never_panics_on_any_feature(
            kind in "Feature|Point|x|",
            id in proptest::option::of("[ -~]{0,8}"),
            coords in proptest::collection::vec(proptest::num::f64::ANY, 0..4),
            props in "[ -~\u{4e00}-\u{4e10}]{0,40}",
        ) {
            let feature = serde_json::json!({
                "type": kind,
                "id": id,
                "geometry": {"type": "Point", "coordinates": coords},
                "properties": {"name": props},
            });
            let body = format!(r#"{{"type":"FeatureCollection","features":[{feature}]}}"#);
            let _ = parse(body.as_bytes());
        }
    }
}
