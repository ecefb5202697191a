//! What an entry of the endpoint table says: its method, route, action, arguments and answer,
//! and which desktop command carries it.

use std::sync::LazyLock;

use schemars::{Schema, SchemaGenerator};

use super::param::Shape;
use crate::access::{Access, Role};

/// The HTTP methods the façade answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
    Delete,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Delete => "DELETE",
        }
    }
}

/// One argument of an endpoint, as the transports carry it.
#[derive(Debug, Clone)]
pub struct Arg {
    pub name: &'static str,
    pub shape: Shape,
    /// Its JSON schema (without `null`), as the engine reads it: the UI's TypeScript type.
    pub schema: fn(&mut SchemaGenerator) -> Schema,
    pub optional: bool,
    /// Over HTTP, the whole JSON body is this argument (a case, a layout) rather than a field
    /// of it.
    pub body: bool,
}

impl Arg {
    /// Its type's name as the UI's TypeScript spells it (`VideoLayoutInput`, `string`): for
    /// an error that says what a body must be.
    pub fn type_name(&self) -> String {
        let schema = (self.schema)(&mut SchemaGenerator::default());
        let text = super::typescript::type_of(schema.as_value());
        text.strip_suffix("Input")
            .map(str::to_string)
            .unwrap_or(text)
    }
}

/// One endpoint carried by both transports.
#[derive(Debug, Clone)]
pub struct Endpoint {
    /// The desktop's name for it, and the UI's (in camelCase).
    pub name: &'static str,
    pub method: Method,
    /// The route as axum writes it (`/api/v1/cases/{id}`).
    pub path: &'static str,
    /// The matrix action it asks for.
    pub action: &'static str,
    pub args: Vec<Arg>,
    /// The JSON schema of what it answers, as the engine writes it: the UI's TypeScript type.
    pub returns: fn(&mut SchemaGenerator) -> Schema,
    pub doc: &'static str,
}

/// The desktop command a window sends an endpoint through: `query` carries what a screen that
/// only shows may ask (its capability grants only that), `operate` what changes anything or
/// needs more than the `wall` role.
pub const QUERY_COMMAND: &str = "query";
pub const OPERATE_COMMAND: &str = "operate";

impl Endpoint {
    /// `"GET /api/v1/meta"`: the matrix's and the router's name for it.
    pub fn route(&self) -> String {
        format!("{} {}", self.method.as_str(), self.path)
    }

    /// Which desktop command carries it ([`QUERY_COMMAND`] or [`OPERATE_COMMAND`]).
    pub fn command(&self) -> &'static str {
        static SHIPPED: LazyLock<Access> = LazyLock::new(Access::shipped);
        if self.method == Method::Get && SHIPPED.allows(Role::Wall, self.action) {
            QUERY_COMMAND
        } else {
            OPERATE_COMMAND
        }
    }

    /// The argument an HTTP path parameter or query field fills.
    pub fn arg(&self, name: &str) -> Option<&Arg> {
        self.args.iter().find(|a| a.name == name)
    }
}
