//! What the GeoJSON the engine writes by hand looks like (`Feature::to_geojson`, a layer's
//! features in view, the config's region polygons), as JSON schemas: the UI's TypeScript types
//! of those answers are written from them. No value of these types is ever made.

use std::borrow::Cow;

use schemars::{json_schema, JsonSchema, Schema, SchemaGenerator};
use serde_json::Value;

/// A position as GeoJSON writes it: longitude, latitude.
pub struct Position;

/// Any geometry the engine writes (it refuses GeometryCollection).
pub struct Geometry;

/// A feature as the engine writes it (`model::Feature::to_geojson`).
pub struct GeoFeature;

/// A layer's features in view (`features`, `replay`), as the engine writes them.
pub struct FeatureCollection;

/// Region polygons as the config gives them: any GeoJSON FeatureCollection.
pub struct RegionsCollection;

/// A schema the UI's TypeScript writer copies as it is (`x-ts`): for the shapes no Rust type of
/// the engine's spells out.
fn verbatim(ts: &str) -> Schema {
    json_schema!({ "x-ts": ts })
}

impl JsonSchema for Position {
    fn schema_name() -> Cow<'static, str> {
        "Position".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "array",
            "prefixItems": [{ "type": "number" }, { "type": "number" }],
        })
    }
}

impl JsonSchema for Geometry {
    fn schema_name() -> Cow<'static, str> {
        "Geometry".into()
    }
    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let position = generator.subschema_for::<Position>();
        let kinds = [
            ("Point", position.clone()),
            ("MultiPoint", nest(&position, 1)),
            ("LineString", nest(&position, 1)),
            ("MultiLineString", nest(&position, 2)),
            ("Polygon", nest(&position, 2)),
            ("MultiPolygon", nest(&position, 3)),
        ];
        let variants: Vec<Value> = kinds
            .into_iter()
            .map(|(kind, coordinates)| {
                serde_json::json!({
                    "type": "object",
                    "properties": { "type": { "const": kind }, "coordinates": coordinates },
                    "required": ["type", "coordinates"],
                })
            })
            .collect();
        json_schema!({ "oneOf": variants })
    }
}

/// `depth` arrays around `inner`.
fn nest(inner: &Schema, depth: usize) -> Schema {
    (0..depth).fold(
        inner.clone(),
        |items, _| json_schema!({ "type": "array", "items": items }),
    )
}

impl JsonSchema for GeoFeature {
    fn schema_name() -> Cow<'static, str> {
        "GeoFeature".into()
    }
    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let geometry = generator.subschema_for::<Geometry>();
        let position = generator.subschema_for::<Position>();
        json_schema!({
            "type": "object",
            "properties": {
                "type": { "const": "Feature" },
                "id": { "type": "string" },
                "geometry": geometry,
                "anchor": {
                    "description": "A line's or polygon's anchor (on it or inside it); a point is its own.",
                    "allOf": [position],
                },
                "properties": verbatim(
                    "Record<string, unknown> & { _id: string; _source: string; _stale: boolean }",
                ),
            },
            "required": ["type", "id", "geometry", "properties"],
        })
    }
}

impl JsonSchema for FeatureCollection {
    fn schema_name() -> Cow<'static, str> {
        "FeatureCollection".into()
    }
    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let feature = generator.subschema_for::<GeoFeature>();
        json_schema!({
            "type": "object",
            "properties": {
                "type": { "const": "FeatureCollection" },
                "layer": { "type": "string" },
                "mode": {
                    "description": "`clusters` below the layer's cluster zoom: its items are clusters and lone features; `replay` for a state read from history.",
                    "enum": ["features", "clusters", "replay"],
                },
                "truncated": { "type": "boolean" },
                "seq": { "type": "integer" },
                "features": { "type": "array", "items": feature },
            },
            "required": ["type", "layer", "mode", "truncated", "seq", "features"],
        })
    }
}

impl JsonSchema for RegionsCollection {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> Cow<'static, str> {
        "RegionsCollection".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        verbatim("GeoJSON.FeatureCollection")
    }
}
