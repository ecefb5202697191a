//! What an endpoint's argument types say about themselves: their JSON schema (the UI's
//! TypeScript type), and the shape an HTTP query or path string is read as before the argument
//! is decoded — so both transports decode the same JSON the same way.

use std::borrow::Cow;

use schemars::{json_schema, JsonSchema, Schema, SchemaGenerator};
use serde::Deserialize;

/// How an argument arrives as text in an HTTP path or query, and is read into JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// As it is.
    Text,
    /// A whole number.
    Integer,
    Number,
    /// `true` or `false`.
    Flag,
    /// Words separated by commas (`state=received,registered`).
    List,
    /// Numbers separated by commas (`bbox=west,south,east,north`).
    Numbers,
    /// A time: Unix milliseconds or RFC 3339.
    Instant,
    /// A JSON object: only ever a body.
    Object,
}

/// An argument type of an endpoint.
pub trait Param {
    fn shape() -> Shape;
    /// Its schema as the engine reads it; an optional argument's is its value's.
    fn schema(generator: &mut SchemaGenerator) -> Schema;
    fn optional() -> bool {
        false
    }
}

macro_rules! params {
    ($($ty:ty => $shape:ident;)*) => {
        $(impl Param for $ty {
            fn shape() -> Shape {
                Shape::$shape
            }
            fn schema(generator: &mut SchemaGenerator) -> Schema {
                generator.subschema_for::<$ty>()
            }
        })*
    };
}

params! {
    String => Text;
    bool => Flag;
    u8 => Integer;
    u32 => Integer;
    u64 => Integer;
    usize => Integer;
    i64 => Integer;
    f64 => Number;
    Vec<String> => List;
    [f64; 4] => Numbers;
    Instant => Instant;
    crate::api::NewCase => Object;
    crate::api::StepInput => Object;
    crate::api::VideoLayout => Object;
    crate::feed::Focus => Object;
}

impl<T: Param> Param for Option<T> {
    fn shape() -> Shape {
        T::shape()
    }
    fn schema(generator: &mut SchemaGenerator) -> Schema {
        T::schema(generator)
    }
    fn optional() -> bool {
        true
    }
}

/// A time an endpoint is asked about: Unix milliseconds, or over HTTP an RFC 3339 time too.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Instant(pub i64);

impl JsonSchema for Instant {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> Cow<'static, str> {
        "Instant".into()
    }
    /// The UI sends Unix ms (RFC 3339 is for people writing a URL).
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({ "type": "integer" })
    }
}

impl<'de> Deserialize<'de> for Instant {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Ms(i64),
            Float(f64),
            Text(String),
        }
        match Raw::deserialize(d)? {
            Raw::Ms(ms) => Ok(Instant(ms)),
            Raw::Float(f) if f.is_finite() && f.abs() < 9.0e15 => Ok(Instant(f.round() as i64)),
            Raw::Float(f) => Err(serde::de::Error::custom(format!(
                "{f} is not a time in Unix ms"
            ))),
            Raw::Text(text) => {
                if let Ok(ms) = text.trim().parse::<i64>() {
                    return Ok(Instant(ms));
                }
                chrono::DateTime::parse_from_rfc3339(text.trim())
                    .map(|d| Instant(d.timestamp_millis()))
                    .map_err(|_| {
                        serde::de::Error::custom(format!(
                            "`{text}` is neither Unix milliseconds nor an RFC 3339 time"
                        ))
                    })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Instant;

    fn instant(json: &str) -> Result<i64, String> {
        serde_json::from_str::<Instant>(json)
            .map(|i| i.0)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn a_time_is_unix_ms_a_fraction_of_one_or_rfc_3339() {
        assert_eq!(instant("1733558400000"), Ok(1_733_558_400_000));
        assert_eq!(instant("1733.6"), Ok(1734));
        assert_eq!(
            instant("\"2026-12-07T08:00:00+08:00\""),
            Ok(1_796_601_600_000)
        );
        assert!(instant("\"yesterday\"")
            .unwrap_err()
            .contains("neither Unix milliseconds nor an RFC 3339 time"));
        assert!(instant("1e300").is_err());
    }
}
