//! The `json-records` source kind: the shape most government systems expose — a JSON array of
//! flat records, often wrapped (`{"code":0,"data":{"rows":[…]}}`), with coordinates as numbers
//! or numeric strings under names of the system's choosing. A [`RecordMapping`] says where the
//! array is and which field is the id, the longitude, the latitude (or one GeoJSON `geometry`,
//! as an object or as text, for lines and polygons) and each wanted property.

use std::collections::HashSet;

use serde_json::{Map, Value};

use super::{excerpt, sanitize_json, Batch, Record, Rejected, SourceError};
use crate::geometry::Located;
use crate::spec::RecordMapping;

pub fn parse(body: &[u8], mapping: &RecordMapping) -> Result<Batch, SourceError> {
    let (text, lossy) = sanitize_json(body);
    let doc: Value =
        serde_json::from_str(&text).map_err(|e| SourceError::InvalidJson(e.to_string()))?;
    let mut at = &doc;
    for (depth, key) in mapping.path.iter().enumerate() {
        at = at.get(key).ok_or_else(|| {
            SourceError::WrongShape(format!(
                "no `{}` in the answer (records_path `{}`)",
                mapping.path[..=depth].join("."),
                mapping.path.join(".")
            ))
        })?;
    }
    let rows = at.as_array().ok_or_else(|| {
        SourceError::WrongShape(format!(
            "expected an array of records at `{}`",
            if mapping.path.is_empty() {
                "the top level".to_string()
            } else {
                mapping.path.join(".")
            }
        ))
    })?;
    let mut batch = Batch::default();
    let mut seen = HashSet::new();
    for (index, row) in rows.iter().enumerate() {
        let reject = |reason: String| Rejected {
            index,
            reason,
            excerpt: excerpt(row),
        };
        if lossy && row.to_string().contains('\u{FFFD}') {
            batch.rejected.push(reject(
                "the record holds bytes that are not valid UTF-8".into(),
            ));
            continue;
        }
        match map_record(row, mapping) {
            Ok(record) if seen.insert(record.id.clone()) => batch.records.push(record),
            Ok(record) => batch.rejected.push(reject(format!(
                "duplicate id `{}` in this batch; the first one was kept",
                record.id
            ))),
            Err(reason) => batch.rejected.push(reject(reason)),
        }
    }
    Ok(batch)
}

fn lookup<'a>(row: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(row, |v, key| v.get(key))
}

/// A coordinate from a number or a numeric string (`"118.28"`), as systems send both.
fn coordinate(row: &Value, field: &str, what: &str) -> Result<f64, String> {
    match lookup(row, field) {
        Some(Value::Number(n)) => n
            .as_f64()
            .ok_or_else(|| format!("{what} `{field}` is not a number")),
        Some(Value::String(s)) => s
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite())
            .ok_or_else(|| format!("{what} `{field}` is not a number: `{s}`")),
        Some(Value::Null) | None => Err(format!("{what} `{field}` is missing")),
        Some(_) => Err(format!("{what} `{field}` is not a number")),
    }
}

pub(crate) fn map_record(row: &Value, mapping: &RecordMapping) -> Result<Record, String> {
    if !row.is_object() {
        return Err("the record is not a JSON object".into());
    }
    fn field<'a>(mapping: &'a RecordMapping, k: &'a str) -> &'a str {
        mapping.fields.get(k).map(String::as_str).unwrap_or(k)
    }
    let field = |k: &'static str| field(mapping, k);
    let id = match lookup(row, field("id")) {
        Some(Value::String(s)) if !s.trim().is_empty() => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => return Err(format!("id `{}` is missing or empty", field("id"))),
    };
    let at = match mapping.fields.get("geometry") {
        Some(path) => geometry(row, path).map_err(|e| format!("record `{id}`: {e}"))?,
        None => {
            let lon = coordinate(row, field("lon"), "longitude")
                .map_err(|e| format!("record `{id}`: {e}"))?;
            let lat = coordinate(row, field("lat"), "latitude")
                .map_err(|e| format!("record `{id}`: {e}"))?;
            crate::geometry::check_range(&format!("record `{id}`"), lon, lat)?;
            Located {
                lon,
                lat,
                shape: None,
            }
        }
    };
    // Mapped fields under their feature names; every other field kept as the system named it.
    let mut properties = Map::new();
    let mapped: HashSet<&str> = mapping.fields.values().map(String::as_str).collect();
    if let Some(object) = row.as_object() {
        for (k, v) in object {
            if !mapped.contains(k.as_str()) {
                properties.insert(k.clone(), v.clone());
            }
        }
    }
    for (name, source) in &mapping.fields {
        if matches!(name.as_str(), "id" | "lon" | "lat" | "geometry") {
            continue;
        }
        if let Some(v) = lookup(row, source) {
            properties.insert(name.clone(), v.clone());
        }
    }
    Ok(Record::located(id, at, properties))
}

/// A record's GeoJSON geometry (`fields.geometry`): an object, or its text in a string, as many
/// systems store it in a text column.
fn geometry(row: &Value, field: &str) -> Result<Located, String> {
    let parsed;
    let value = match lookup(row, field) {
        Some(Value::String(text)) => {
            parsed = serde_json::from_str::<Value>(text)
                .map_err(|e| format!("geometry `{field}` is not GeoJSON text: {e}"))?;
            &parsed
        }
        Some(Value::Null) | None => return Err(format!("geometry `{field}` is missing")),
        Some(v) => v,
    };
    crate::geometry::parse(value).map_err(|e| format!("geometry `{field}`: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mapping() -> RecordMapping {
        RecordMapping {
            path: vec!["data".into(), "rows".into()],
            fields: [
                ("id", "caseNo"),
                ("lon", "x"),
                ("lat", "y"),
                ("category", "eventType"),
            ]
            .into_iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect(),
        }
    }

    #[test]
    fn records_map_and_bad_ones_are_rejected() {
        let body = r#"{"code":0,"data":{"rows":[
            {"caseNo":"A1","x":"118.28","y":33.96,"eventType":"违停","street":"府前"},
            {"caseNo":"A2","x":"east","y":33.96},
            {"caseNo":"A1","x":118.3,"y":33.9},
            {"x":118.3,"y":33.9}
        ]}}"#;
        let batch = parse(body.as_bytes(), &mapping()).unwrap();
        assert_eq!(batch.records.len(), 1);
        let r = &batch.records[0];
        assert_eq!((r.id.as_str(), r.lon, r.lat), ("A1", 118.28, 33.96));
        assert_eq!(r.properties["category"], "违停");
        assert_eq!(r.properties["street"], "府前");
        assert!(!r.properties.contains_key("eventType"));
        let reasons: Vec<&str> = batch.rejected.iter().map(|r| r.reason.as_str()).collect();
        assert!(
            reasons[0].contains("longitude `x` is not a number: `east`"),
            "{reasons:?}"
        );
        assert!(reasons[1].contains("duplicate id `A1`"));
        assert!(reasons[2].contains("id `caseNo` is missing"));
    }

    #[test]
    fn a_missing_array_names_the_path() {
        let e = parse(br#"{"code":500,"msg":"busy"}"#, &mapping())
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("no `data` in the answer (records_path `data.rows`)"),
            "{e}"
        );
    }

    #[test]
    fn a_byte_order_mark_before_the_answer_is_tolerated() {
        let body = "\u{FEFF}{\"data\":{\"rows\":[{\"caseNo\":\"A1\",\"x\":118.2,\"y\":33.9,\"eventType\":\"占道\"}]}}";
        assert_eq!(parse(body.as_bytes(), &mapping()).unwrap().records.len(), 1);
    }

    proptest::proptest! {
        /// Whatever the event platform sends, the parser answers: a batch or an error, never a panic.
        #[test]
        fn never_panics_on_any_bytes(body in proptest::collection::vec(proptest::num::u8::ANY, 0..512)) {
            let _ = parse(&body, &mapping());
        }

        #[test]
        fn never_panics_on_any_row(
            id in "[ -~]{0,8}",
            x in proptest::num::f64::ANY,
            y in proptest::num::f64::ANY,
            kind in "[ -~\u{4e00}-\u{4e10}]{0,40}",
        ) {
            let row = serde_json::json!({"caseNo": id, "x": x, "y": y, "eventType": kind});
            let body = format!(r#"{{"data":{{"rows":[{row}, 5, null, "x"]}}}}"#);
            let _ = parse(body.as_bytes(), &mapping());
        }
    }
}
