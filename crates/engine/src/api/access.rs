//! Who is asking, through the façade: a credential (a session token or the configured token)
//! becomes a [`Principal`], or the operator of an open wall (loopback, no token set); and every
//! route and command is checked against the access matrix here, so both transports refuse the
//! same things.

use serde::Serialize;

use super::{Api, ApiError};
use crate::access::{AccessError, Principal};
use crate::store::accounts::{LoginError, Session};

/// How this wall admits people: the configured token, and whether a caller without a credential
/// is let in as the open wall's operator.
#[derive(Debug, Clone, Default)]
pub struct AccessMode {
    /// `CITYWALL_TOKEN` or `--token-file`: whoever presents it is `token_role`.
    pub token: Option<String>,
    pub token_role: Option<crate::access::Role>,
    /// When the token stops working (Unix ms; `--token-expires`): a token handed to a kiosk
    /// need not work forever.
    pub token_expires: Option<i64>,
    /// The centre a kiosk holding the token works for (`--token-centre`); `None`: the city's.
    pub token_centre: Option<String>,
    /// No credential needed (loopback and no token): callers are the open wall's operator.
    pub open: bool,
    /// Served over HTTPS: the session cookie is marked `Secure`.
    pub secure_cookie: bool,
    /// The demo's accounts, listed on its login card (none outside demo mode).
    pub demo_accounts: Vec<super::DemoAccount>,
}

/// What the wall shows of who it is working for.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct WhoAmI {
    pub principal: Option<Principal>,
    /// The wall runs open: anyone who reaches it operates it. The wall says so.
    pub open: bool,
    /// The actions the principal may take (the wall offers only those).
    pub can: Vec<String>,
    /// The incident loop's steps the principal may take, each with the states it leaves from.
    pub steps: std::collections::BTreeMap<String, Vec<crate::cases::CaseState>>,
    /// In demo mode, the accounts a visitor may sign in with (each centre's officer).
    pub demo_accounts: Vec<super::DemoAccount>,
}

/// Byte-for-byte comparison that takes the same time wherever the first difference is.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

impl Api {
    /// The principal a credential names; with none, the open wall's operator where the wall is
    /// open.
    pub async fn principal(&self, credential: Option<&str>) -> Result<Principal, ApiError> {
        let mode = &self.access_mode;
        if let Some(given) = credential.filter(|c| !c.is_empty()) {
            if let Some(token) = &mode.token {
                if same(given, token) {
                    if let Some(end) = mode.token_expires {
                        if crate::model::now_ms() >= end {
                            let when = chrono::DateTime::from_timestamp_millis(end)
                                .map(|t| t.to_rfc3339())
                                .unwrap_or_default();
                            return Err(AccessError::TokenExpired(when).into());
                        }
                    }
                    return Ok(Principal {
                        name: "token".into(),
                        role: mode.token_role.unwrap_or(crate::access::Role::Wall),
                        via: "token",
                        centre: mode.token_centre.clone(),
                    });
                }
            }
            let now = crate::model::now_ms();
            if let Some(p) = self.engine.store.session(given, now).await? {
                return Ok(p);
            }
            return Err(AccessError::Unauthenticated.into());
        }
        if mode.open {
            Ok(Principal::open())
        } else {
            Err(AccessError::Unauthenticated.into())
        }
    }

    /// Who a credential names, for the wall's header; never an error.
    pub async fn whoami(&self, credential: Option<&str>) -> WhoAmI {
        self.whoami_of(self.principal(credential).await.ok())
    }

    /// What the wall shows of `principal`.
    pub fn whoami_of(&self, principal: Option<Principal>) -> WhoAmI {
        let can: Vec<String> = principal
            .as_ref()
            .map(|p| {
                self.access
                    .actions()
                    .filter(|a| self.access.allows(p.role, a))
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default();
        let steps = self
            .cases
            .transitions
            .iter()
            .filter(|(action, _)| can.iter().any(|c| *c == format!("incident.{action}")))
            .map(|(action, t)| (action.clone(), t.from.clone()))
            .collect();
        WhoAmI {
            principal,
            open: self.access_mode.open,
            can,
            steps,
            demo_accounts: self.access_mode.demo_accounts.clone(),
        }
    }

    /// Checks `principal` may run the desktop command.
    pub fn authorize_command(&self, principal: &Principal, command: &str) -> Result<(), ApiError> {
        let action = self.access.command_action(command)?;
        Ok(self.access.check(principal, action)?)
    }

    /// Logs in with a name and password from a client `address` (none over IPC): a session, or
    /// why not (every checked attempt audited). An address that failed
    /// [`MAX_ADDRESS_FAILURES`](crate::store::accounts::MAX_ADDRESS_FAILURES) times in a row,
    /// whatever the names, is refused without a check until its lockout ends.
    pub async fn login(
        &self,
        name: &str,
        password: &str,
        address: Option<std::net::IpAddr>,
    ) -> Result<Session, ApiError> {
        if name.trim().is_empty() || name.chars().count() > 64 || password.len() > 1024 {
            return Err(ApiError::BadRequest(
                "give a name (1 to 64 characters) and a password".into(),
            ));
        }
        let now = crate::model::now_ms();
        let address = address.map(|a| a.to_string());
        let failures = || {
            self.login_addresses
                .lock()
                .unwrap_or_else(|e| e.into_inner())
        };
        if let Some(address) = &address {
            let until = failures().locked_until(address);
            if until > now {
                return Err(LoginError::AddressLocked(self.engine.store.clock(until)).into());
            }
        }
        let result = self.engine.log_in(name.trim(), password, now).await;
        if let Some(address) = &address {
            match &result {
                Ok(_) => failures().forget(address),
                Err(LoginError::Wrong | LoginError::Locked(_)) => {
                    failures().fail(address, now);
                }
                Err(_) => {}
            }
        }
        Ok(result?)
    }

    /// Logs a kiosk screen in with the configured token: who it now is, and an audit row either
    /// way (`login.token`, or `login.failed` for a token that is not it), as a password login.
    pub async fn login_with_token(&self, token: &str) -> Result<Principal, ApiError> {
        let found = self.principal(Some(token)).await;
        let (action, detail) = match &found {
            Ok(p) => (
                "login.token",
                serde_json::json!({ "role": p.role.as_str() }),
            ),
            Err(_) => ("login.failed", serde_json::json!({ "via": "token" })),
        };
        let actor = match &found {
            Ok(p) => p.name.clone(),
            Err(_) => "token".to_string(),
        };
        self.engine
            .record(
                &crate::store::audit::AuditEntry {
                    actor,
                    action: action.into(),
                    target: "login".into(),
                    detail,
                },
                None,
            )
            .await?;
        found
    }

    /// Ends the session a token opened.
    pub async fn logout(&self, token: &str) -> Result<(), ApiError> {
        Ok(self.engine.log_out(token).await?)
    }
}

impl From<AccessError> for ApiError {
    fn from(e: AccessError) -> Self {
        ApiError::Access(e)
    }
}

impl From<LoginError> for ApiError {
    fn from(e: LoginError) -> Self {
        match e {
            LoginError::Store(s) => ApiError::Store(s),
            other => ApiError::Login(other),
        }
    }
}
