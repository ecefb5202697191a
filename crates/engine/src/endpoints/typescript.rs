//! The UI's side of the endpoint table: `ui/src/transport/endpoints.gen.ts`, its routes, its
//! commands and one typed call per endpoint, written from [`super::endpoints`] at build time
//! (`make ui`) so the UI can only call what the engine answers, with the arguments it reads.

use std::collections::BTreeSet;
use std::fmt::Write;

use super::param::Shape;
use super::spec::{Arg, Endpoint};

/// The whole generated TypeScript module for `table`.
pub(super) fn module(table: &[Endpoint]) -> String {
    let mut out = String::new();
    out.push_str(
        "// Generated from crates/engine/src/endpoints/table.rs by `make ui`\n\
         // (target/debug/citywall-endpoints): do not edit.\n\n",
    );
    let names = imported_names(table);
    if !names.is_empty() {
        let list: Vec<&str> = names.iter().map(String::as_str).collect();
        let _ = writeln!(
            out,
            "import type {{ {} }} from '../types';\n",
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
    for e in table {
        for line in e.doc.lines() {
            let _ = writeln!(out, "  /**{line} */");
        }
        let _ = writeln!(
            out,
            "  {}({}): Promise<{}>;",
            camel(e.name),
            parameters(&e.args),
            e.returns
        );
    }
    out.push_str("}\n\n/** The calls, each through `send`. */\nexport function endpointCalls(send: Send): Endpoints {\n  return {\n");
    for e in table {
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
            e.returns
        );
    }
    out.push_str("  };\n}\n");
    out
}

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

/// The parameter list: an optional argument followed only by optional ones may be left out.
fn parameters(args: &[Arg]) -> String {
    let mut list = Vec::new();
    for (i, a) in args.iter().enumerate() {
        let tail_optional = args[i..].iter().all(|a| a.optional);
        list.push(if tail_optional {
            format!("{}?: {} | null", a.name, a.ts)
        } else if a.optional {
            format!("{}: {} | null | undefined", a.name, a.ts)
        } else {
            format!("{}: {}", a.name, a.ts)
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

/// The type names the module takes from `ui/src/types.ts`: capitalised words that are neither
/// TypeScript's own nor a namespace's member (`GeoJSON.FeatureCollection` is global).
fn imported_names(table: &[Endpoint]) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let texts = table
        .iter()
        .flat_map(|e| std::iter::once(e.returns).chain(e.args.iter().map(|a| a.ts.as_str())));
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
        let ts = typescript();
        assert!(ts.contains("import type {"));
        assert!(ts.contains("  caseSummary(): Promise<CaseSummary>;"));
        assert!(ts.contains("features(layer: string, bbox?: Bbox | null, zoom?: number | null): Promise<FeatureCollection>;"));
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
    fn names_turn_to_camel_case() {
        assert_eq!(camel("replay_summary"), "replaySummary");
        assert_eq!(camel("meta"), "meta");
    }
}
