//! Who is asking and what they may do. The role × action matrix (`matrix.toml`, compiled in)
//! is the one rule: the HTTP server and the desktop commands both ask [`Access`] through the
//! façade, so a permission holds for both transports. Deny by default — an action, route or
//! command the matrix does not grant is refused. Accounts (Argon2id), sessions and lockout live
//! in the store ([`crate::store::accounts`]).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::{Deserialize, Serialize};

/// The matrix as shipped.
pub const MATRIX: &str = include_str!("matrix.toml");

/// The action a `public` route or command asks for: anyone may.
pub const PUBLIC: &str = "public";

#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// 值班员: operates the wall, acknowledges warnings.
    Duty,
    /// 领导: views, briefs, reads the audit log.
    Leader,
    /// 管理员: accounts, audit.
    Admin,
    /// 大屏: a kiosk screen that only shows.
    Wall,
    /// 上报端: an inspector's or citizen app that only reports (Open311).
    Intake,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Duty,
        Role::Leader,
        Role::Admin,
        Role::Wall,
        Role::Intake,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Duty => "duty",
            Role::Leader => "leader",
            Role::Admin => "admin",
            Role::Wall => "wall",
            Role::Intake => "intake",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Who is asking: an account, the configured token, or the operator of an open wall.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Principal {
    pub name: String,
    pub role: Role,
    /// How they proved it: `session`, `token` or `open` (a loopback wall with no token set).
    #[schemars(extend("enum" = ["session", "token", "open"]))]
    pub via: &'static str,
    /// The centre they work for (`[[centres]]`): they see and act on what it and the centres
    /// under it own. `None`: the city's centre, which sees everything.
    #[serde(default)]
    pub centre: Option<String>,
}

impl Principal {
    /// The operator of a wall that runs open: loopback, no token.
    pub fn open() -> Principal {
        Principal {
            name: "本机值班".into(),
            role: Role::Duty,
            via: "open",
            centre: None,
        }
    }
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum AccessError {
    #[error("log in first: this wall needs a session or a token")]
    Unauthenticated,
    #[error("the access token expired at {0}: ask for the new one")]
    TokenExpired(String),
    #[error("{name} ({role}) may not {action}")]
    Forbidden {
        name: String,
        role: Role,
        action: String,
    },
    #[error("`{0}` is not a route or command the access matrix lists: refused")]
    Unlisted(String),
    /// A centre's officer on what another centre owns (not one under theirs).
    #[error("{name} works for centre `{centre}`: {thing} is centre `{owner}`'s")]
    OutOfScope {
        name: String,
        centre: String,
        thing: String,
        owner: String,
    },
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMatrix {
    actions: BTreeMap<String, Vec<Role>>,
    http: BTreeMap<String, String>,
    commands: BTreeMap<String, String>,
    /// The incident loop's table, read by [`crate::cases::Loop`].
    #[serde(rename = "loop", default)]
    _loop: Option<toml::Table>,
}

/// The parsed matrix.
#[derive(Debug, Clone)]
pub struct Access {
    actions: BTreeMap<String, BTreeSet<Role>>,
    http: BTreeMap<String, String>,
    commands: BTreeMap<String, String>,
}

impl Access {
    /// Nothing allowed: what a broken matrix falls back to.
    pub fn deny_all() -> Access {
        Access {
            actions: BTreeMap::new(),
            http: BTreeMap::new(),
            commands: BTreeMap::new(),
        }
    }

    /// The shipped matrix. A broken matrix is a build mistake the tests catch; should one slip
    /// through, every action is refused (deny by default) rather than the engine not starting.
    pub fn shipped() -> Access {
        Access::parse(MATRIX).unwrap_or_else(|e| {
            tracing::error!("the access matrix does not parse ({e}): every action is refused");
            Access::deny_all()
        })
    }

    pub fn parse(text: &str) -> Result<Access, String> {
        let raw: RawMatrix = toml::from_str(text).map_err(|e| e.to_string())?;
        for (what, action) in raw.http.iter().chain(raw.commands.iter()) {
            if action != PUBLIC && !raw.actions.contains_key(action) {
                return Err(format!(
                    "`{what}` asks for `{action}`, which [actions] lacks"
                ));
            }
        }
        Ok(Access {
            actions: raw
                .actions
                .into_iter()
                .map(|(a, roles)| (a, roles.into_iter().collect()))
                .collect(),
            http: raw.http,
            commands: raw.commands,
        })
    }

    /// May `role` do `action`?
    pub fn allows(&self, role: Role, action: &str) -> bool {
        action == PUBLIC || self.actions.get(action).is_some_and(|r| r.contains(&role))
    }

    /// Checks `principal` may do `action`.
    pub fn check(&self, principal: &Principal, action: &str) -> Result<(), AccessError> {
        if self.allows(principal.role, action) {
            Ok(())
        } else {
            Err(AccessError::Forbidden {
                name: principal.name.clone(),
                role: principal.role,
                action: action.to_string(),
            })
        }
    }

    /// The action an HTTP route asks for (`"GET /api/v1/meta"`).
    pub fn route_action(&self, route: &str) -> Result<&str, AccessError> {
        self.http
            .get(route)
            .map(String::as_str)
            .ok_or_else(|| AccessError::Unlisted(route.to_string()))
    }

    /// The matrix with the routes of an endpoint table added (each route and the action it
    /// asks for): a route listed twice, or an action `[actions]` lacks, is refused.
    pub fn with_routes<R: Into<String>>(
        mut self,
        rows: impl IntoIterator<Item = (R, &'static str)>,
    ) -> Result<Access, String> {
        for (route, action) in rows {
            let route = route.into();
            if action != PUBLIC && !self.actions.contains_key(action) {
                return Err(format!(
                    "`{route}` asks for `{action}`, which [actions] lacks"
                ));
            }
            if self
                .http
                .insert(route.clone(), action.to_string())
                .is_some()
            {
                return Err(format!("`{route}` is listed twice"));
            }
        }
        Ok(self)
    }

    /// The action a desktop command asks for.
    pub fn command_action(&self, command: &str) -> Result<&str, AccessError> {
        self.commands
            .get(command)
            .map(String::as_str)
            .ok_or_else(|| AccessError::Unlisted(command.to_string()))
    }

    pub fn actions(&self) -> impl Iterator<Item = &str> {
        self.actions.keys().map(String::as_str)
    }

    pub fn routes(&self) -> impl Iterator<Item = (&str, &str)> {
        self.http.iter().map(|(r, a)| (r.as_str(), a.as_str()))
    }

    pub fn commands(&self) -> impl Iterator<Item = (&str, &str)> {
        self.commands.iter().map(|(c, a)| (c.as_str(), a.as_str()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_matrix_parses_and_denies_by_default() {
        let access = Access::parse(MATRIX).expect("matrix.toml");
        assert!(access.allows(Role::Duty, "warning.acknowledge"));
        assert!(!access.allows(Role::Wall, "warning.acknowledge"));
        assert!(!access.allows(Role::Admin, "no.such.action"));
        assert!(access.allows(Role::Wall, PUBLIC));
        assert_eq!(
            access.route_action("DELETE /api/v1/everything"),
            Err(AccessError::Unlisted("DELETE /api/v1/everything".into()))
        );
        let broken = "[actions]\nview = [\"duty\"]\n[http]\n\"GET /x\" = \"fly\"\n[commands]\n";
        assert!(Access::parse(broken).unwrap_err().contains("`fly`"));
    }
}
