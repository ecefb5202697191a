//! The answers the table names that are not a façade type as they are: JSON the engine writes
//! itself (GeoJSON, whose shapes `citywall_model::geojson_schema` describes) and the small
//! wrappers an entry builds. Each describes itself to the UI's TypeScript through [`JsonSchema`].

use std::borrow::Cow;
use std::marker::PhantomData;

use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::Serialize;
use serde_json::value::RawValue;
use serde_json::Value;

pub use crate::geojson_schema::{FeatureCollection, GeoFeature, RegionsCollection};

use crate::cases::{Case, Step};

/// JSON the engine wrote as text, handed over as it is, whose shape `T` describes.
pub struct Written<T>(pub Box<RawValue>, PhantomData<T>);

impl<T> Written<T> {
    pub fn new(text: Box<RawValue>) -> Self {
        Written(text, PhantomData)
    }
}

/// JSON the façade built as a value, whose shape `T` describes.
pub struct Shaped<T>(pub Value, PhantomData<T>);

impl<T> From<Value> for Shaped<T> {
    fn from(value: Value) -> Self {
        Shaped(value, PhantomData)
    }
}

impl<T> Serialize for Written<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

impl<T> Serialize for Shaped<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

macro_rules! shape_of {
    ($($wrapper:ident),*) => {$(
        impl<T: JsonSchema> JsonSchema for $wrapper<T> {
            fn inline_schema() -> bool {
                true
            }
            fn schema_name() -> Cow<'static, str> {
                T::schema_name()
            }
            fn json_schema(generator: &mut SchemaGenerator) -> Schema {
                generator.subschema_for::<T>()
            }
        }
    )*};
}
shape_of!(Written, Shaped);

/// What a change that answers nothing else answers.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Done {
    pub ok: bool,
}

impl Done {
    pub const OK: Done = Done { ok: true };
}

/// One case with every step it took.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct CaseDetail {
    pub case: Case,
    pub steps: Vec<Step>,
}
