//! Each endpoint of the façade, defined once ([`table`]): from that one entry come the HTTP
//! route (`citywall-server`), the desktop's command (`src-tauri`), the route's row in the access
//! matrix, and the UI's typed call (`ui/src/transport/endpoints.gen.ts`, written by
//! [`typescript`]). Adding an endpoint is one entry in the table and its façade method.
//!
//! Every entry takes JSON-shaped arguments and answers JSON, through [`Api::call`] on both
//! transports. The few routes and commands that carry bytes, a socket or a cookie have handlers
//! of their own on one transport, and their rows in the matrix (`access/matrix.toml`). This
//! module sits above the façade (`api`), which knows nothing of it.

mod answers;
mod param;
mod spec;
mod table;
pub mod typescript;

use std::sync::LazyLock;

use serde_json::value::RawValue;

use crate::access::{Access, Principal, PUBLIC};
use crate::api::{Api, ApiError};

pub use answers::{CaseDetail, Done, FeatureCollection, GeoFeature, Shaped, Written};
pub use param::{Instant, Param, Shape};
pub use spec::{Arg, Endpoint, Method, OPERATE_COMMAND, QUERY_COMMAND};
pub use table::args;

/// Every endpoint both transports carry, in the table's order.
pub fn endpoints() -> &'static [Endpoint] {
    static TABLE: LazyLock<Vec<Endpoint>> = LazyLock::new(table::table);
    &TABLE
}

/// The endpoint named `name`.
pub fn endpoint(name: &str) -> Option<&'static Endpoint> {
    endpoints().iter().find(|e| e.name == name)
}

/// The UI's endpoint and types modules, written from the table.
pub fn typescript() -> typescript::TypeScript {
    typescript::modules(endpoints())
}

/// The table's rows of the matrix's `[http]`: each route and the action it asks for.
pub fn route_actions() -> impl Iterator<Item = (String, &'static str)> {
    endpoints().iter().map(|e| (e.route(), e.action))
}

/// The whole matrix the façade enforces: the shipped rows and the table's routes.
pub fn matrix() -> &'static Access {
    static MATRIX: LazyLock<Access> = LazyLock::new(|| {
        Access::shipped()
            .with_routes(route_actions())
            .unwrap_or_else(|e| {
                tracing::error!(
                    "the endpoint table does not fit the access matrix ({e}): every action is refused"
                );
                Access::deny_all()
            })
    });
    &MATRIX
}

impl Api {
    /// Runs endpoint `name` for `who` with its arguments as a JSON object: checks `who` may
    /// (the endpoint's action), reads the arguments, calls the façade, and answers its JSON.
    /// `via` is the desktop command it came through, if any: a window's `query` carries only
    /// what a screen that only shows may ask.
    pub async fn call(
        &self,
        who: &Principal,
        name: &str,
        args: serde_json::Value,
        via: Option<&str>,
    ) -> Result<Box<RawValue>, ApiError> {
        let endpoint = endpoint(name)
            .ok_or_else(|| ApiError::NotFound(format!("no such endpoint: {name}")))?;
        if let Some(command) = via {
            if command != endpoint.command() {
                return Err(ApiError::Access(crate::access::AccessError::Forbidden {
                    name: who.name.clone(),
                    role: who.role,
                    action: format!("{name} (through `{command}`)"),
                }));
            }
        }
        matrix()
            .check(who, endpoint.action)
            .map_err(ApiError::Access)?;
        self.heard_from(who);
        table::dispatch(self, who, name, args).await
    }

    /// Checks `principal` may use the HTTP route (`"GET /api/v1/meta"`).
    pub fn authorize_route(&self, principal: &Principal, route: &str) -> Result<(), ApiError> {
        let action = matrix().route_action(route).map_err(ApiError::Access)?;
        matrix().check(principal, action).map_err(ApiError::Access)
    }

    /// Does `route` answer without a credential?
    pub fn is_public_route(&self, route: &str) -> bool {
        matrix().route_action(route) == Ok(PUBLIC)
    }
}
