//! The UI's side of the endpoint table, written from [`super::endpoints`] at build time (`make
//! ui`) so the UI can only call what the engine answers, with the arguments it reads:
//! `ui/src/transport/endpoints.gen.ts` (its routes, its commands and one typed call per
//! endpoint) and `ui/src/types.gen.ts` (every type those calls and the change feed carry, from
//! the Rust types' own schemas).

mod schema;

use std::collections::BTreeSet;
use std::fmt::Write;

use schemars::generate::SchemaSettings;
use schemars::SchemaGenerator;

use super::param::Shape;
use super::spec::{Arg, Endpoint};

/// `schema` as a TypeScript type expression.
pub fn type_of(schema: &serde_json::Value) -> String {
    schema::ts(schema)
}

/// The two generated modules.
pub struct TypeScript {
    /// `ui/src/transport/endpoints.gen.ts`.
    pub endpoints: String,
    /// `ui/src/types.gen.ts`.
    pub types: String,
}

/// The types the UI reads that no table entry answers: the change feed's deltas, who the wall
/// works for (`whoami`) and a stored photo (`media` upload), on routes of their own.
fn also_carried(answers: &mut SchemaGenerator) {
    answers.subschema_for::<crate::feed::Delta>();
    answers.subschema_for::<crate::api::WhoAmI>();
    answers.subschema_for::<crate::api::MediaRef>();
}

/// The schemas of what the engine writes (answers) and of what it reads (arguments): serde
/// may write a field it reads as optional (`#[serde(default)]`), so a type read otherwise than
/// it is written is declared twice, the second as `<Name>Input`.
struct Types {
    answers: SchemaGenerator,
    arguments: SchemaGenerator,
}

impl Types {
    fn new() -> Types {
        Types {
            answers: SchemaSettings::draft2020_12()
                .for_serialize()
                .into_generator(),
            arguments: SchemaSettings::draft2020_12()
                .for_deserialize()
                .into_generator(),
        }
    }

    /// The argument types whose reading differs from their writing.
    fn read_otherwise(&self) -> Vec<String> {
        let written = self.answers.definitions();
        self.arguments
            .definitions()
            .iter()
            .filter(|(name, schema)| written.get(*name).is_some_and(|w| w != *schema))
            .map(|(name, _)| name.clone())
            .collect()
    }

    /// Every named type, each once (sorted by name), and the arguments' schemas as `Input`s.
    fn declarations(&self, renamed: &[String]) -> Vec<(String, String)> {
        let mut named: Vec<(String, String)> = self
            .answers
            .definitions()
            .iter()
            .map(|(name, schema)| (name.clone(), schema::declaration(name, schema)))
            .collect();
        for (name, schema) in self.arguments.definitions() {
            let name = input_name(name, renamed);
            if !named.iter().any(|(n, _)| *n == name) {
                let schema = as_input(schema.clone(), renamed);
                named.push((name.clone(), schema::declaration(&name, &schema)));
            }
        }
        named.sort();
        named
    }
}

fn input_name(name: &str, renamed: &[String]) -> String {
    if renamed.iter().any(|r| r == name) {
        format!("{name}Input")
    } else {
        name.to_string()
    }
}

/// `schema` with its references to the `renamed` types pointed at their `Input`s.
fn as_input(mut schema: serde_json::Value, renamed: &[String]) -> serde_json::Value {
    fn walk(value: &mut serde_json::Value, renamed: &[String]) {
        match value {
            serde_json::Value::Object(object) => {
                for (key, inner) in object.iter_mut() {
                    match inner {
                        serde_json::Value::String(reference) if key == "$ref" => {
                            if let Some((path, name)) = reference.rsplit_once('/') {
                                *reference = format!("{path}/{}", input_name(name, renamed));
                            }
                        }
                        other => walk(other, renamed),
                    }
                }
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(|v| walk(v, renamed)),
            _ => {}
        }
    }
    walk(&mut schema, renamed);
    schema
}

/// Both generated modules for `table`.
pub(super) fn modules(table: &[Endpoint]) -> TypeScript {
    let mut types = Types::new();
    let returns: Vec<String> = table
        .iter()
        .map(|e| schema::ts((e.returns)(&mut types.answers).as_value()))
        .collect();
    also_carried(&mut types.answers);
    let arg_schemas: Vec<Vec<serde_json::Value>> = table
        .iter()
        .map(|e| {
            e.args
                .iter()
                .map(|a| (a.schema)(&mut types.arguments).to_value())
                .collect()
        })
        .collect();
    let renamed = types.read_otherwise();
    let args: Vec<Vec<String>> = arg_schemas
        .into_iter()
        .map(|list| {
            list.into_iter()
                .map(|s| schema::ts(&as_input(s, &renamed)))
                .collect()
        })
        .collect();
    let declarations = types.declarations(&renamed);
    let mut out = String::new();
    out.push_str(HEADER);
    let names = imported_names(returns.iter().chain(args.iter().flatten()));
    if !names.is_empty() {
        let list: Vec<&str> = names.iter().map(String::as_str).collect();
        let _ = writeln!(
            out,
            "import type {{ {} }} from '../types.gen';\n",
            list.join(", ")
        );
    }
    out.push_str(
        "export type HttpMethod = 'GET' | 'POST' | 'DELETE';\n\n\
         export interface EndpointSpec {\n  \
           readonly method: HttpMethod;\n  \
           /** The route, its `{params}` filled from the arguments of the same name. */\n  \
           readonly path: string;\n  \
           /** The argument that is the whole HTTP body, if any (else the body is the arguments). */\n  \
           readonly body: string | null;\n  \
           /** The desktop command that carries it. */\n  \
           readonly command: 'query' | 'operate';\n\
         }\n\n\
         export const ENDPOINTS = {\n",
    );
    for e in table {
        let body = e
            .args
            .iter()
            .find(|a| a.body)
            .map_or("null".to_string(), |a| format!("'{}'", a.name));
        let _ = writeln!(
            out,
            "  {}: {{ method: '{}', path: '{}', body: {body}, command: '{}' }},",
            e.name,
            e.method.as_str(),
            e.path,
            e.command()
        );
    }
    out.push_str(
        "} as const satisfies Record<string, EndpointSpec>;\n\n\
         export type EndpointName = keyof typeof ENDPOINTS & string;\n\n\
         /** Sends one endpoint's arguments (a JSON object) and answers its JSON. */\n\
         export type Send = (name: EndpointName, args: Record<string, unknown>) => Promise<unknown>;\n\n\
         /** Every endpoint as a typed call. */\n\
         export interface Endpoints {\n",
    );
    for (i, e) in table.iter().enumerate() {
        for line in e.doc.lines() {
            let _ = writeln!(out, "  /**{line} */");
        }
        let _ = writeln!(
            out,
            "  {}({}): Promise<{}>;",
            camel(e.name),
            parameters(&e.args, &args[i]),
            returns[i]
        );
    }
    out.push_str("}\n\n/** The calls, each through `send`. */\nexport function endpointCalls(send: Send): Endpoints {\n  return {\n");
    for (i, e) in table.iter().enumerate() {
        let params: Vec<&str> = e.args.iter().map(|a| a.name).collect();
        let values: Vec<String> = e.args.iter().map(value).collect();
        let _ = writeln!(
            out,
            "    {}: ({}) => send('{}', {}) as Promise<{}>,",
            camel(e.name),
            params.join(", "),
            e.name,
            if values.is_empty() {
                "{}".to_string()
            } else {
                format!("{{ {} }}", values.join(", "))
            },
            returns[i]
        );
    }
    out.push_str("  };\n}\n");
    let mut types_module = String::from(HEADER);
    for (_, declaration) in declarations {
        types_module.push_str(&declaration);
        types_module.push('\n');
    }
    TypeScript {
        endpoints: out,
        types: types_module,
    }
}

const HEADER: &str = "// Generated from crates/engine/src/endpoints/ by `make ui`\n\
                      // (target/debug/citywall-endpoints): do not edit.\n\n";

/// `case_summary` → `caseSummary`.
fn camel(name: &str) -> String {
    let mut out = String::new();
    let mut upper = false;
    for c in name.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// The parameter list (`types`: each argument's TypeScript type): an optional argument
/// followed only by optional ones may be left out.
fn parameters(args: &[Arg], types: &[String]) -> String {
    let mut list = Vec::new();
    for (i, (a, ts)) in args.iter().zip(types).enumerate() {
        let tail_optional = args[i..].iter().all(|a| a.optional);
        list.push(if tail_optional {
            format!("{}?: {ts} | null", a.name)
        } else if a.optional {
            format!("{}: {ts} | null | undefined", a.name)
        } else {
            format!("{}: {ts}", a.name)
        });
    }
    list.join(", ")
}

/// An argument as it is sent: a whole number the engine reads as one is rounded first (the
/// map's times and zooms are fractional).
fn value(a: &Arg) -> String {
    match (a.shape, a.optional) {
        (Shape::Integer | Shape::Instant, false) => format!("{0}: Math.round({0})", a.name),
        (Shape::Integer | Shape::Instant, true) => {
            format!("{0}: {0} == null ? {0} : Math.round({0})", a.name)
        }
        _ => a.name.to_string(),
    }
}

/// TypeScript's own generic types, never imported.
const TS_GLOBALS: &[&str] = &[
    "Record",
    "Partial",
    "Readonly",
    "Array",
    "ReadonlyArray",
    "Promise",
];

/// The type names the endpoint module takes from the types module: capitalised words that are
/// neither TypeScript's own nor a namespace's member (`GeoJSON.FeatureCollection` is global).
fn imported_names<'a>(texts: impl Iterator<Item = &'a String>) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for text in texts {
        let mut word = String::new();
        let mut after_dot = false;
        for c in text.chars().chain(std::iter::once(' ')) {
            if c.is_ascii_alphanumeric() || c == '_' {
                word.push(c);
                continue;
            }
            if word.starts_with(|w: char| w.is_ascii_uppercase())
                && !after_dot
                && c != '.'
                && !TS_GLOBALS.contains(&word.as_str())
            {
                names.insert(std::mem::take(&mut word));
            }
            word.clear();
            after_dot = c == '.';
        }
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::endpoints::{endpoints, typescript};

    #[test]
    fn the_module_names_each_endpoint_once_with_its_types() {
        let ts = typescript().endpoints;
        assert!(ts.contains("import type {"));
        assert!(ts.contains("  caseSummary(centre?: string | null): Promise<CaseSummary>;"));
        assert!(ts.contains("features(layer: string, bbox?: [number, number, number, number] | null, zoom?: number | null): Promise<FeatureCollection>;"));
        assert!(
            ts.contains("replayWarnings: (at) => send('replay_warnings', { at: Math.round(at) })")
        );
        assert!(
            !ts.contains(" GeoJSON,"),
            "a global namespace is not imported"
        );
        for e in endpoints() {
            assert_eq!(
                ts.matches(&format!("  {}: {{ method", e.name)).count(),
                1,
                "{}",
                e.name
            );
        }
    }

    #[test]
    fn every_type_the_calls_name_is_declared_once() {
        let TypeScript { endpoints, types } = typescript();
        let imported = endpoints
            .lines()
            .find_map(|l| l.strip_prefix("import type { "))
            .and_then(|l| l.split(" }").next())
            .unwrap_or_default();
        assert!(imported.contains("Warning"), "{imported}");
        for name in imported.split(", ") {
            let declared = types
                .matches(&format!("export interface {name} {{"))
                .count()
                + types.matches(&format!("export type {name} = ")).count();
            assert_eq!(declared, 1, "{name}");
        }
        for fed in ["FeedDelta", "WhoAmI", "MediaRef"] {
            assert!(types.contains(&format!(" {fed} ")), "{fed}");
        }
    }

    #[test]
    fn names_turn_to_camel_case() {
        assert_eq!(camel("replay_summary"), "replaySummary");
        assert_eq!(camel("meta"), "meta");
    }
}
