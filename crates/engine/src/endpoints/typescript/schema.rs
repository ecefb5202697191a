//! JSON schema → TypeScript: the types the engine's answers and arguments have, as serde writes
//! and reads them (schemars reads serde's attributes: renames, tags, flattening, skipped fields),
//! spelled as the UI's TypeScript. Only the schema forms those derives produce are read; an
//! `x-ts` key is copied as it is, for the few shapes no Rust type spells out (GeoJSON written by
//! hand).

use std::fmt::Write;

use serde_json::{Map, Value};

/// `schema` as a TypeScript type expression.
pub fn ts(schema: &Value) -> String {
    let object = match schema {
        Value::Bool(_) => return "unknown".into(),
        Value::Object(o) => o,
        _ => return "unknown".into(),
    };
    if let Some(Value::String(verbatim)) = object.get("x-ts") {
        return verbatim.clone();
    }
    if let Some(Value::String(reference)) = object.get("$ref") {
        return reference
            .rsplit('/')
            .next()
            .unwrap_or("unknown")
            .to_string();
    }
    if let Some(value) = object.get("const") {
        return literal(value);
    }
    if let Some(Value::Array(values)) = object.get("enum") {
        return union(values.iter().map(literal));
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(Value::Array(variants)) = object.get(key) {
            let alternatives = union(variants.iter().map(ts));
            return match own_type(object) {
                Some(base) => format!("{base} & ({alternatives})"),
                None => alternatives,
            };
        }
    }
    if let Some(Value::Array(parts)) = object.get("allOf") {
        let parts: Vec<String> = parts.iter().map(ts).collect();
        return match own_type(object) {
            Some(base) => format!("{base} & {}", parts.join(" & ")),
            None => parts.join(" & "),
        };
    }
    own_type(object).unwrap_or_else(|| "unknown".into())
}

/// What `object`'s `type` (one or a list of them) says, without its combinators.
fn own_type(object: &Map<String, Value>) -> Option<String> {
    match object.get("type")? {
        Value::String(kind) => Some(of_kind(kind, object)),
        Value::Array(kinds) => Some(union(
            kinds
                .iter()
                .filter_map(Value::as_str)
                .map(|k| of_kind(k, object)),
        )),
        _ => None,
    }
}

fn of_kind(kind: &str, object: &Map<String, Value>) -> String {
    match kind {
        "string" => "string".into(),
        "integer" | "number" => "number".into(),
        "boolean" => "boolean".into(),
        "null" => "null".into(),
        "array" => array(object),
        "object" => inline_object(object),
        _ => "unknown".into(),
    }
}

fn array(object: &Map<String, Value>) -> String {
    if let Some(Value::Array(items)) = object.get("prefixItems") {
        let items: Vec<String> = items.iter().map(ts).collect();
        return format!("[{}]", items.join(", "));
    }
    let item = object.get("items").map_or("unknown".into(), ts);
    // A fixed-length array (`[f64; 4]`) is a tuple.
    let (min, max) = (object.get("minItems"), object.get("maxItems"));
    if let (Some(min), Some(max)) = (min.and_then(Value::as_u64), max.and_then(Value::as_u64)) {
        if min == max && (1..=8).contains(&min) {
            return format!("[{}]", vec![item; min as usize].join(", "));
        }
    }
    if item.contains(' ') {
        format!("({item})[]")
    } else {
        format!("{item}[]")
    }
}

/// An object on one line: `{ a: string; b?: number }`, or a record of its extra properties.
fn inline_object(object: &Map<String, Value>) -> String {
    let fields = fields(object);
    let record = match object.get("additionalProperties") {
        Some(Value::Bool(false)) | None if !fields.is_empty() => None,
        Some(Value::Bool(false)) | None => Some("Record<string, unknown>".to_string()),
        Some(Value::Bool(true)) => Some("Record<string, unknown>".to_string()),
        Some(values) => Some(format!("Record<string, {}>", ts(values))),
    };
    let body = (!fields.is_empty()).then(|| {
        let list: Vec<String> = fields.iter().map(|f| f.line()).collect();
        format!("{{ {} }}", list.join("; "))
    });
    match (body, record) {
        (Some(body), Some(record)) => format!("{body} & {record}"),
        (Some(body), None) => body,
        (None, Some(record)) => record,
        (None, None) => "Record<string, never>".into(),
    }
}

/// One property of an object.
pub struct Field {
    pub name: String,
    pub ts: String,
    pub optional: bool,
    pub doc: Option<String>,
}

impl Field {
    fn line(&self) -> String {
        format!(
            "{}{}: {}",
            property_name(&self.name),
            if self.optional { "?" } else { "" },
            self.ts
        )
    }
}

/// `object`'s properties, in the order serde writes them.
pub fn fields(object: &Map<String, Value>) -> Vec<Field> {
    let required: Vec<&str> = object
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let Some(Value::Object(properties)) = object.get("properties") else {
        return Vec::new();
    };
    properties
        .iter()
        .map(|(name, schema)| Field {
            name: name.clone(),
            ts: ts(schema),
            optional: !required.contains(&name.as_str()),
            doc: description(schema),
        })
        .collect()
}

/// A schema's description, if it has one.
pub fn description(schema: &Value) -> Option<String> {
    schema
        .get("description")
        .and_then(Value::as_str)
        .map(str::to_string)
}

/// `text` as a doc comment at `indent`.
pub fn doc_comment(out: &mut String, indent: &str, text: &str) {
    let text = text.replace("*/", "*\u{200b}/");
    let lines: Vec<&str> = text.lines().collect();
    if let [line] = lines.as_slice() {
        let _ = writeln!(out, "{indent}/** {line} */");
        return;
    }
    let _ = writeln!(out, "{indent}/**");
    for line in lines {
        let _ = writeln!(out, "{indent} * {line}").map(|_| ());
    }
    let _ = writeln!(out, "{indent} */");
}

/// A definition: an interface where it is a plain object, else a type alias.
pub fn declaration(name: &str, schema: &Value) -> String {
    let mut out = String::new();
    if let Some(doc) = description(schema) {
        doc_comment(&mut out, "", &doc);
    }
    let plain_object = schema.as_object().filter(|o| {
        o.get("type").and_then(Value::as_str) == Some("object")
            && o.contains_key("properties")
            && !["oneOf", "anyOf", "allOf", "x-ts", "additionalProperties"]
                .iter()
                .any(|k| o.contains_key(*k) && !(*k == "additionalProperties" && o[*k] == false))
    });
    match plain_object {
        Some(object) => {
            let _ = writeln!(out, "export interface {name} {{");
            for field in fields(object) {
                if let Some(doc) = &field.doc {
                    doc_comment(&mut out, "  ", doc);
                }
                let _ = writeln!(out, "  {};", field.line());
            }
            out.push_str("}\n");
        }
        None => {
            let _ = writeln!(out, "export type {name} = {};", ts(schema));
        }
    }
    out
}

fn literal(value: &Value) -> String {
    match value {
        Value::String(s) => format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'")),
        other => other.to_string(),
    }
}

fn union(parts: impl Iterator<Item = String>) -> String {
    let mut seen: Vec<String> = Vec::new();
    for part in parts {
        if !seen.contains(&part) {
            seen.push(part);
        }
    }
    seen.join(" | ")
}

/// A property name, quoted where it is not an identifier.
fn property_name(name: &str) -> String {
    let identifier = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == '$')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$');
    if identifier {
        name.to_string()
    } else {
        Value::String(name.to_string()).to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn serde_shapes_read_as_typescript() {
        assert_eq!(ts(&json!({"type": ["string", "null"]})), "string | null");
        assert_eq!(
            ts(&json!({"anyOf": [{"$ref": "#/$defs/Case"}, {"type": "null"}]})),
            "Case | null"
        );
        assert_eq!(
            ts(
                &json!({"type": "array", "items": {"type": "number"}, "minItems": 4, "maxItems": 4})
            ),
            "[number, number, number, number]"
        );
        assert_eq!(
            ts(&json!({"type": "array", "items": {"enum": ["a", "b"]}})),
            "('a' | 'b')[]"
        );
        assert_eq!(
            ts(&json!({"type": "object", "additionalProperties": {"type": "integer"}})),
            "Record<string, number>"
        );
        assert_eq!(ts(&json!(true)), "unknown");
        assert_eq!(
            ts(&json!({"x-ts": "GeoJSON.FeatureCollection"})),
            "GeoJSON.FeatureCollection"
        );
    }

    #[test]
    fn a_plain_object_is_an_interface_with_its_docs_and_optional_fields() {
        let schema = json!({
            "description": "A thing.",
            "type": "object",
            "properties": {
                "id": {"type": "string", "description": "Its name.\nSecond line."},
                "x-y": {"type": "boolean"},
            },
            "required": ["id"],
        });
        let text = declaration("Thing", &schema);
        assert_eq!(
            text,
            "/** A thing. */\nexport interface Thing {\n  /**\n   * Its name.\n   * Second line.\n   */\n  id: string;\n  \"x-y\"?: boolean;\n}\n"
        );
    }

    #[test]
    fn a_tagged_union_is_a_type_alias() {
        let schema = json!({
            "type": "object",
            "properties": {"seq": {"type": "integer"}},
            "required": ["seq"],
            "oneOf": [
                {"type": "object", "properties": {"type": {"const": "a"}}, "required": ["type"]},
                {"type": "object", "properties": {"type": {"const": "b"}, "n": {"type": "number"}}, "required": ["type", "n"]},
            ],
        });
        assert_eq!(
            declaration("D", &schema),
            "export type D = { seq: number } & ({ type: 'a' } | { type: 'b'; n: number });\n"
        );
    }
}
