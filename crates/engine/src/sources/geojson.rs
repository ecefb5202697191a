//! The `geojson` source kind: a GeoJSON FeatureCollection of Point features in WGS84.

use std::collections::HashSet;

use serde_json::Value;

use super::{excerpt, Batch, Record, Rejected, SourceError};

/// Parses a FeatureCollection. Bad features are rejected one by one; only a payload that is not
/// a FeatureCollection at all fails as a whole.
pub fn parse(body: &[u8]) -> Result<Batch, SourceError> {
    let (text, lossy) = super::sanitize_json(body);
    let doc: Value =
        serde_json::from_str(&text).map_err(|e| SourceError::InvalidJson(e.to_string()))?;
    let kind = doc.get("type").and_then(Value::as_str);
    if kind != Some("FeatureCollection") {
        return Err(SourceError::WrongShape(format!(
            "expected a GeoJSON FeatureCollection, got {}",
            kind.map(|k| format!("type `{k}`"))
                .unwrap_or_else(|| describe(&doc))
        )));
    }
    let features = doc
        .get("features")
        .and_then(Value::as_array)
        .ok_or_else(|| {
            SourceError::WrongShape("the FeatureCollection has no `features` array".into())
        })?;

    let mut batch = Batch::default();
    let mut seen = HashSet::new();
    for (index, feature) in features.iter().enumerate() {
        if lossy && feature.to_string().contains('\u{FFFD}') {
            batch.rejected.push(Rejected {
                index,
                reason: "the record holds bytes that are not valid UTF-8".into(),
                excerpt: excerpt(feature),
            });
            continue;
        }
        match parse_feature(feature) {
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
                        excerpt: excerpt(feature),
                    });
                }
            }
            Err(reason) => batch.rejected.push(Rejected {
                index,
                reason,
                excerpt: excerpt(feature),
            }),
        }
    }
    Ok(batch)
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
    if geometry.get("type").and_then(Value::as_str) != Some("Point") {
        return Err(format!(
            "feature `{id}`: only Point geometry is supported here"
        ));
    }
    let coords = geometry
        .get("coordinates")
        .and_then(Value::as_array)
        .ok_or_else(|| format!("feature `{id}`: Point has no coordinates array"))?;
    let (lon, lat) = match coords.as_slice() {
        [x, y, ..] => (
            x.as_f64()
                .ok_or_else(|| format!("feature `{id}`: longitude is not a number"))?,
            y.as_f64()
                .ok_or_else(|| format!("feature `{id}`: latitude is not a number"))?,
        ),
        _ => return Err(format!("feature `{id}`: a Point needs two coordinates")),
    };
    if !(-180.0..=180.0).contains(&lon) || !(-90.0..=90.0).contains(&lat) {
        return Err(format!(
            "feature `{id}`: coordinate ({lon}, {lat}) is outside WGS84 range"
        ));
    }
    Ok(Record {
        id,
        lon,
        lat,
        properties,
    })
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
}
