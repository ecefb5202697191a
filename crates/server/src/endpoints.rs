//! The endpoint table's HTTP face: one route per entry of the engine's table
//! (`citywall_engine::endpoints`), each reading its path parameters, query and JSON body
//! into the endpoint's arguments — text read by the argument's shape — and answering what the
//! façade answers. No endpoint has a handler of its own here.

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection, RawPathParamsRejection};
use axum::extract::{Query, RawPathParams, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodFilter, MethodRouter};
use axum::{Extension, Router};
use serde_json::{Map, Value};

use crate::access::Principal;
use crate::api::{Api, ApiError};
use crate::{HttpError, MAX_BODY_BYTES};
use citywall_engine::endpoints::{endpoints, Arg, Endpoint, Method, Shape};

/// Every table endpoint's route.
pub(crate) fn routes() -> Router<Api> {
    let mut by_path: BTreeMap<&'static str, MethodRouter<Api>> = BTreeMap::new();
    for endpoint in endpoints() {
        let filter = match endpoint.method {
            Method::Get => MethodFilter::GET,
            Method::Post => MethodFilter::POST,
            Method::Delete => MethodFilter::DELETE,
        };
        let handler = move |State(api): State<Api>,
                            Extension(who): Extension<Principal>,
                            path: Result<RawPathParams, RawPathParamsRejection>,
                            query: Result<Query<Vec<(String, String)>>, QueryRejection>,
                            headers: HeaderMap,
                            body: Result<Bytes, BytesRejection>| async move {
            answer(&api, &who, endpoint, path, query, &headers, body)
                .await
                .map_err(HttpError)
        };
        let routed = by_path.remove(endpoint.path).unwrap_or_default();
        by_path.insert(endpoint.path, routed.on(filter, handler));
    }
    by_path
        .into_iter()
        .fold(Router::new(), |router, (path, routed)| {
            router.route(path, routed)
        })
}

async fn answer(
    api: &Api,
    who: &Principal,
    endpoint: &'static Endpoint,
    path: Result<RawPathParams, RawPathParamsRejection>,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let mut args = Map::new();
    // A route without parameters has none to read.
    if let Ok(path) = path {
        for (name, text) in path.iter() {
            put(&mut args, endpoint, name, text)?;
        }
    }
    let Query(query) = query.map_err(|e| ApiError::BadRequest(format!("the query: {e}")))?;
    for (name, text) in &query {
        put(&mut args, endpoint, name, text)?;
    }
    if endpoint.method == Method::Post {
        read_body(&mut args, endpoint, headers, body)?;
    }
    let answer = api
        .call(who, endpoint.name, Value::Object(args), None)
        .await?;
    let text: Box<str> = answer.into();
    Ok((
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        String::from(text),
    )
        .into_response())
}

/// Reads the text of a path parameter or query field as the argument of that name.
fn put(
    args: &mut Map<String, Value>,
    endpoint: &Endpoint,
    name: &str,
    text: &str,
) -> Result<(), ApiError> {
    let Some(arg) = endpoint.arg(name).filter(|a| !a.body) else {
        let known: Vec<&str> = endpoint
            .args
            .iter()
            .filter(|a| !a.body)
            .map(|a| a.name)
            .collect();
        return Err(ApiError::BadRequest(format!(
            "{} takes no `{name}`{}",
            endpoint.route(),
            if known.is_empty() {
                String::new()
            } else {
                format!(" (it takes {})", known.join(", "))
            }
        )));
    };
    args.insert(name.to_string(), read(arg, text)?);
    Ok(())
}

/// One argument's text as the JSON its endpoint reads.
fn read(arg: &Arg, text: &str) -> Result<Value, ApiError> {
    let name = arg.name;
    let text = text.trim();
    let bad = |what: &str| ApiError::BadRequest(format!("`{name}` `{text}` is not {what}"));
    Ok(match arg.shape {
        Shape::Text => Value::String(text.to_string()),
        Shape::Integer => {
            if let Ok(n) = text.parse::<i64>() {
                Value::from(n)
            } else {
                Value::from(text.parse::<u64>().map_err(|_| bad("a whole number"))?)
            }
        }
        Shape::Number => text
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map(Value::Number)
            .ok_or_else(|| bad("a number"))?,
        Shape::Flag => Value::Bool(text.parse::<bool>().map_err(|_| bad("true or false"))?),
        Shape::List => Value::Array(
            text.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| Value::String(s.to_string()))
                .collect(),
        ),
        Shape::Numbers => Value::Array(
            text.split(',')
                .map(|part| {
                    part.trim()
                        .parse::<f64>()
                        .ok()
                        .and_then(serde_json::Number::from_f64)
                        .map(Value::Number)
                        .ok_or_else(|| {
                            ApiError::BadRequest(format!(
                                "`{name}` must be numbers separated by commas \
                                 (west,south,east,north); `{part}` in `{text}` is not one"
                            ))
                        })
                })
                .collect::<Result<_, _>>()?,
        ),
        Shape::Instant => match text.parse::<i64>() {
            Ok(ms) => Value::from(ms),
            // An RFC 3339 time: the argument reads it.
            Err(_) => Value::String(text.to_string()),
        },
        Shape::Object => {
            return Err(ApiError::BadRequest(format!(
                "`{name}` is sent as the JSON body"
            )))
        }
    })
}

/// A POST's JSON body: the whole of its body argument, or the fields of the arguments the path
/// does not give.
fn read_body(
    args: &mut Map<String, Value>,
    endpoint: &Endpoint,
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<(), ApiError> {
    let bytes = body.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::TooLarge(format!("the body is over {} KB", MAX_BODY_BYTES / 1024))
        } else {
            ApiError::BadRequest(format!("the body could not be read: {e}"))
        }
    })?;
    let body_arg = endpoint.args.iter().find(|a| a.body);
    let shape = match body_arg {
        Some(arg) => format!("a {}", arg.type_name()),
        None => {
            let fields: Vec<String> = endpoint
                .args
                .iter()
                .filter(|a| !endpoint.path.contains(&format!("{{{}}}", a.name)))
                .map(|a| format!("\"{}\"", a.name))
                .collect();
            format!("{{{}}}", fields.join(", "))
        }
    };
    // A browser form cannot send JSON: a POST that is not JSON is not the wall's.
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| {
            let v = v.trim();
            v == "application/json" || (v.starts_with("application/") && v.ends_with("+json"))
        });
    if !json {
        return Err(ApiError::BadRequest(format!(
            "the body must be JSON {shape}, sent with `Content-Type: application/json`"
        )));
    }
    let value: Value = serde_json::from_slice(&bytes)
        .map_err(|e| ApiError::BadRequest(format!("the body must be JSON {shape}: {e}")))?;
    match (body_arg, value) {
        (Some(arg), value) => {
            args.insert(arg.name.to_string(), value);
        }
        (None, Value::Object(fields)) => {
            for (name, value) in fields {
                if args.contains_key(&name) {
                    return Err(ApiError::BadRequest(format!(
                        "`{name}` is in the path: the body cannot say it again"
                    )));
                }
                args.insert(name, value);
            }
        }
        (None, _) => {
            return Err(ApiError::BadRequest(format!(
                "the body must be JSON {shape}"
            )))
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use citywall_engine::endpoints::endpoint;
    use proptest::prelude::*;

    fn table(name: &str) -> &'static Endpoint {
        endpoint(name).expect("in the table")
    }

    #[test]
    fn query_text_reads_as_each_argument_s_type() {
        let features = table("features");
        let mut args = Map::new();
        put(&mut args, features, "layer", "flood").unwrap();
        put(&mut args, features, "bbox", "118.1, 33.9,118.4,34.1").unwrap();
        put(&mut args, features, "zoom", "12.5").unwrap();
        assert_eq!(
            Value::Object(args),
            serde_json::json!({"layer": "flood", "bbox": [118.1, 33.9, 118.4, 34.1], "zoom": 12.5})
        );
        let cases = table("cases");
        let mut args = Map::new();
        put(&mut args, cases, "state", "received,registered").unwrap();
        assert_eq!(args["state"], serde_json::json!(["received", "registered"]));
        let history = table("history");
        let mut args = Map::new();
        put(&mut args, history, "since", "2026-12-07T08:00:00+08:00").unwrap();
        assert_eq!(args["since"], "2026-12-07T08:00:00+08:00");
    }

    #[test]
    fn a_field_the_endpoint_does_not_take_is_refused_naming_those_it_does() {
        let err = put(&mut Map::new(), table("regions"), "levle", "district").unwrap_err();
        assert_eq!(
            err.to_string(),
            "GET /api/v1/regions takes no `levle` (it takes level)"
        );
        let err = put(&mut Map::new(), table("features"), "zoom", "near").unwrap_err();
        assert_eq!(err.to_string(), "`zoom` `near` is not a number");
        // A body argument never comes from the query.
        assert!(put(&mut Map::new(), table("create_case"), "new_case", "{}").is_err());
    }

    proptest! {
        /// Whatever a client puts in a query, every argument of every endpoint reads it or
        /// says why not: never a panic.
        #[test]
        fn any_text_reads_or_is_refused(text in any::<String>()) {
            for endpoint in endpoints() {
                for arg in &endpoint.args {
                    let _ = read(arg, &text);
                }
            }
        }
    }
}
