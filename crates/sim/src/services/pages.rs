//! How a subsystem's answer is shaped for its format: points shifted to GCJ-02 where the
//! subsystem publishes in that datum, flat JSON records, OGC API – Features and SensorThings
//! pages with their links, and the ETag a conditional poll compares.

/// The gauge platform's Datastream names → the wall's property names.
pub(super) const GAUGE_DATASTREAMS: [(&str, &str); 3] = [
    ("水位", "level_m"),
    ("雨强", "rain_mm_h"),
    ("涨率", "rise_m_per_h"),
];

/// Incident record fields as the event platform names them → the wall's property names.
pub(super) const INCIDENT_FIELDS: [(&str, &str); 11] = [
    ("id", "eventNo"),
    ("lon", "x"),
    ("lat", "y"),
    ("category", "eventType"),
    ("channel", "sourceName"),
    ("severity", "levelName"),
    ("status", "stateName"),
    ("district", "districtName"),
    ("street", "streetName"),
    ("grid", "gridName"),
    ("reported_at", "reportTime"),
];

/// Rewrites every Point of a FeatureCollection from WGS84 to GCJ-02, as a GCJ-02 subsystem
/// would publish them.
pub(super) fn to_gcj02(collection: &mut serde_json::Value) {
    let Some(features) = collection
        .get_mut("features")
        .and_then(|f| f.as_array_mut())
    else {
        return;
    };
    for f in features {
        let Some(c) = f.pointer_mut("/geometry/coordinates") else {
            continue;
        };
        if let (Some(lon), Some(lat)) = (c[0].as_f64(), c[1].as_f64()) {
            let (x, y) = coordtransform::wgs84_to_gcj02(lon, lat);
            *c = serde_json::json!([(x * 1e7).round() / 1e7, (y * 1e7).round() / 1e7]);
        }
    }
}

pub(super) fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xCBF2_9CE4_8422_2325u64, |h, b| {
        (h ^ *b as u64).wrapping_mul(0x0100_0000_01B3)
    })
}

/// The platform's record form of an incident FeatureCollection: flat rows, coordinates as
/// strings, the platform's own field names.
pub(super) fn to_records(collection: &serde_json::Value) -> serde_json::Value {
    let rows: Vec<serde_json::Value> = collection["features"]
        .as_array()
        .map(|features| {
            features
                .iter()
                .map(|f| {
                    let mut row = serde_json::Map::new();
                    for (ours, theirs) in INCIDENT_FIELDS {
                        let value = match ours {
                            "id" => f["id"].clone(),
                            "lon" => serde_json::Value::String(
                                f["geometry"]["coordinates"][0].to_string(),
                            ),
                            "lat" => serde_json::Value::String(
                                f["geometry"]["coordinates"][1].to_string(),
                            ),
                            _ => f["properties"][ours].clone(),
                        };
                        row.insert(theirs.to_string(), value);
                    }
                    serde_json::Value::Object(row)
                })
                .collect()
        })
        .unwrap_or_default();
    serde_json::json!({"code": 0, "msg": "成功", "data": {"total": rows.len(), "rows": rows}})
}

/// One page of OGC API – Features items, with the `next` link while more remain.
pub(super) fn ogc_page(
    collection: serde_json::Value,
    path: &str,
    (offset, limit): (usize, usize),
) -> serde_json::Value {
    let all = collection["features"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let page: Vec<serde_json::Value> = all.iter().skip(offset).take(limit).cloned().collect();
    let mut links = vec![
        serde_json::json!({"rel": "self", "type": "application/geo+json", "href": format!("{path}?f=json&offset={offset}&limit={limit}")}),
    ];
    if offset + page.len() < all.len() {
        links.push(serde_json::json!({"rel": "next", "type": "application/geo+json", "href": format!("{path}?f=json&offset={}&limit={limit}", offset + limit)}));
    }
    serde_json::json!({
        "type": "FeatureCollection",
        "numberMatched": all.len(),
        "numberReturned": page.len(),
        "timeStamp": chrono::Utc::now().to_rfc3339(),
        "links": links,
        "features": page,
    })
}

/// One page of SensorThings Things, each with its Location and its Datastreams' latest
/// Observation, as `$expand=Locations,Datastreams/Observations($top=1)` answers.
pub(super) fn sta_page(
    collection: &serde_json::Value,
    path: &str,
    (skip, top): (usize, usize),
) -> serde_json::Value {
    let all = collection["features"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let things: Vec<serde_json::Value> = all
        .iter()
        .skip(skip)
        .take(top)
        .map(|f| {
            let p = &f["properties"];
            let time = p["observed_at"].clone();
            let datastreams: Vec<serde_json::Value> = GAUGE_DATASTREAMS
                .iter()
                .map(|(name, prop)| {
                    serde_json::json!({
                        "@iot.id": format!("{}-{prop}", f["id"].as_str().unwrap_or_default()),
                        "name": name,
                        "Observations": [{"phenomenonTime": time, "resultTime": time, "result": p[*prop]}],
                    })
                })
                .collect();
            let mut properties = p.as_object().cloned().unwrap_or_default();
            for key in ["name", "observed_at", "level_m", "rain_mm_h", "rise_m_per_h"] {
                properties.remove(key);
            }
            serde_json::json!({
                "@iot.id": f["id"],
                "name": p["name"],
                "description": p["kind"],
                "properties": properties,
                "Locations": [{"encodingType": "application/geo+json", "location": f["geometry"]}],
                "Datastreams": datastreams,
            })
        })
        .collect();
    let mut page = serde_json::json!({"@iot.count": all.len(), "value": things});
    if skip + top < all.len() {
        page["@iot.nextLink"] =
            serde_json::Value::String(format!("{path}?$top={top}&$skip={}", skip + top));
    }
    page
}
