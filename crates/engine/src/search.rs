//! Search for the operator's search box: a place name, a plate seen at a weigh station, an
//! incident id or category, matched case-insensitively against every layer's features.

use serde::Serialize;
use serde_json::Value;

use crate::spatial::SpatialIndex;

/// Most hits one search returns.
pub const MAX_HITS: usize = 20;

#[derive(Debug, Clone, Serialize, PartialEq, schemars::JsonSchema)]
#[schemars(rename = "SearchHit")]
pub struct Hit {
    pub layer: String,
    pub id: String,
    /// What the operator reads in the result list.
    pub label: String,
    /// Why it matched: the property that held the text.
    pub matched: String,
    pub lon: f64,
    pub lat: f64,
    /// Features of this layer with the same name (the first is where the wall flies).
    pub count: usize,
}

/// Properties worth searching, in the order a match is reported.
const FIELDS: [&str; 8] = [
    "name", "category", "road", "grid", "street", "district", "channel", "status",
];

pub fn search(index: &SpatialIndex, layers: &[String], query: &str) -> Vec<Hit> {
    let needle = query.trim().to_lowercase();
    if needle.is_empty() {
        return Vec::new();
    }
    // Each hit with its rank: an id typed whole, then names (equal, starting with, holding the
    // text), then other fields and plates, and ids that merely hold the text last — an operator
    // types a place's name far more often than a segment's id.
    let mut ranked: Vec<(u8, Hit)> = Vec::new();
    for layer_id in layers {
        let Some(layer) = index.layer(layer_id) else {
            continue;
        };
        // A point is parsed only where the needle may be in it: a census of half a million
        // points is searched in its held text.
        for f in layer.scan().filter(|f| f.may_contain(&needle)) {
            let f = f.feature();
            let p = &f.properties;
            let label = p
                .get("name")
                .or_else(|| p.get("category"))
                .and_then(Value::as_str)
                .unwrap_or(&f.id)
                .to_string();
            let id = f.id.to_lowercase();
            let name = p.get("name").and_then(Value::as_str).map(str::to_lowercase);
            let matched = if id == needle {
                Some((0, "id".to_string()))
            } else if let Some(name) = name.as_deref().filter(|n| n.contains(&needle)) {
                let rank = if name == needle {
                    1
                } else if name.starts_with(&needle) {
                    2
                } else {
                    3
                };
                Some((rank, "name".to_string()))
            } else if let Some(field) = FIELDS.iter().find(|k| {
                p.get(**k)
                    .and_then(Value::as_str)
                    .is_some_and(|v| v.to_lowercase().contains(&needle))
            }) {
                Some((4, field.to_string()))
            } else if let Some(plate) = plate_seen(p, &needle) {
                Some((5, format!("plate {plate}")))
            } else if id.contains(&needle) {
                Some((6, "id".to_string()))
            } else {
                None
            };
            if let Some((rank, matched)) = matched {
                ranked.push((
                    rank,
                    Hit {
                        layer: layer_id.clone(),
                        id: f.id.clone(),
                        label,
                        matched,
                        lon: f.lon,
                        lat: f.lat,
                        count: 1,
                    },
                ));
            }
        }
    }
    ranked.sort_by(|(ra, a), (rb, b)| {
        ra.cmp(rb)
            .then_with(|| a.label.cmp(&b.label))
            .then_with(|| a.id.cmp(&b.id))
    });
    // One row per name and layer: a street mapped as fifteen ways is one place to fly to.
    let mut hits: Vec<Hit> = Vec::new();
    for (_, hit) in ranked {
        let same = hits.iter().position(|h| {
            h.layer == hit.layer
                && h.label == hit.label
                && h.matched == hit.matched
                && h.matched != "id"
        });
        match same {
            Some(i) => hits[i].count += 1,
            None if hits.len() < MAX_HITS => hits.push(hit),
            None => {}
        }
    }
    hits
}

/// A plate in a station's recent passes (鲁N·A1234 matches "a1234" and "鲁n").
fn plate_seen(p: &serde_json::Map<String, Value>, needle: &str) -> Option<String> {
    let passes = p.get("recent_passes")?.as_array()?;
    passes
        .iter()
        .filter_map(|pass| pass.get("plate").and_then(Value::as_str))
        .find(|plate| {
            plate
                .to_lowercase()
                .replace('·', "")
                .contains(&needle.replace('·', ""))
        })
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Feature;
    use serde_json::json;

    fn feature(layer: &str, id: &str, props: Value) -> Feature {
        Feature {
            layer: layer.into(),
            id: id.into(),
            source: "s".into(),
            lon: 118.0,
            lat: 33.0,
            shape: None,
            properties: props.as_object().cloned().unwrap_or_default(),
            updated_at: 0,
        }
    }

    #[test]
    fn names_ids_and_plates_are_found() {
        let index = SpatialIndex::load(vec![
            feature("flood", "yld-01", json!({"name": "人民路环城路下穿通道"})),
            feature(
                "overweight",
                "zc-01",
                json!({"name": "建设路K6.4治超点", "recent_passes": [{"plate": "苏N·A1234"}]}),
            ),
            feature("incidents", "SJ100", json!({"category": "井盖破损"})),
        ]);
        let layers: Vec<String> = ["flood", "overweight", "incidents"]
            .map(String::from)
            .to_vec();
        assert_eq!(search(&index, &layers, "下穿")[0].id, "yld-01");
        let plate = &search(&index, &layers, "a1234")[0];
        assert_eq!(
            (plate.id.as_str(), plate.matched.as_str()),
            ("zc-01", "plate 苏N·A1234")
        );
        assert_eq!(search(&index, &layers, "sj100")[0].matched, "id");
        assert_eq!(search(&index, &layers, "井盖")[0].label, "井盖破损");
        assert!(search(&index, &layers, "  ").is_empty());
    }

    #[test]
    fn names_rank_before_ids_and_one_name_is_one_row() {
        let mut features: Vec<Feature> = (0..15)
            .map(|i| {
                feature(
                    "roads",
                    &format!("way-{i}"),
                    json!({"name": "Mainline Avenue"}),
                )
            })
            .collect();
        features.push(feature("roads", "main-0", json!({"name": "Kaivokatu"})));
        features.push(feature("roads", "seg-9", json!({"name": "Main Street"})));
        features.push(feature("roads", "seg-10", json!({"name": "Main"})));
        let index = SpatialIndex::load(features);
        let layers = vec!["roads".to_string()];
        let hits = search(&index, &layers, "main");
        let rows: Vec<(&str, &str, usize)> = hits
            .iter()
            .map(|h| (h.label.as_str(), h.matched.as_str(), h.count))
            .collect();
        assert_eq!(
            rows,
            [
                ("Main", "name", 1),
                ("Main Street", "name", 1),
                ("Mainline Avenue", "name", 15),
                ("Kaivokatu", "id", 1),
            ]
        );
    }
}
