//! The `[serve]` section: where browser mode listens and with which certificate. Without it the
//! wall listens on loopback only. Any other address makes the server require a login or the
//! token, and TLS from the certificate named here: a wall reachable from the LAN never speaks
//! plain HTTP and never runs open.

use std::net::IpAddr;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServeConfig {
    /// The address to listen on, e.g. "0.0.0.0" or "10.1.2.3" (default 127.0.0.1).
    #[serde(default = "loopback")]
    pub address: String,
    /// The port (default 8765; `citywall serve --port` overrides it).
    pub port: Option<u16>,
    /// PEM certificate chain for HTTPS; relative to the config file.
    pub tls_cert: Option<PathBuf>,
    /// PEM private key (PKCS#8, PKCS#1 or SEC1) for HTTPS; relative to the config file.
    pub tls_key: Option<PathBuf>,
    /// Host names the server answers to besides IP addresses and localhost ("wall.city.lan"):
    /// a request naming any other host is refused (DNS rebinding).
    #[serde(default)]
    pub names: Vec<String>,
    /// Origins besides the wall's own pages and the desktop window that may change state or
    /// open a socket ("https://portal.city.lan"): an intake form served elsewhere.
    #[serde(default)]
    pub origins: Vec<String>,
    /// The address clients reach the wall at ("https://wall.city.lan:8443"): links the server
    /// hands out (an Open311 report's photo) are built from it, never from a request's `Host`.
    /// None: such links are relative (`/api/v1/media/…`).
    pub public_url: Option<String>,
    /// The most connections open at once (default 4096; never more than the process may open
    /// files, less a reserve for the store and the sources): one past it is closed at once.
    #[serde(default = "max_connections")]
    pub max_connections: usize,
    /// The most connections open at once from one client address (default 256: a browser wall
    /// uses about ten).
    #[serde(default = "max_connections_per_address")]
    pub max_connections_per_address: usize,
    /// Seconds a client has to send a request's headers, and the most a kept-alive connection
    /// waits idle for the next request (default 10).
    #[serde(default = "header_timeout_s")]
    pub header_timeout_s: u64,
    /// Seconds a client has to send a request's whole body (default 30).
    #[serde(default = "body_timeout_s")]
    pub body_timeout_s: u64,
}

fn max_connections() -> usize {
    4096
}

fn max_connections_per_address() -> usize {
    256
}

fn header_timeout_s() -> u64 {
    10
}

fn body_timeout_s() -> u64 {
    30
}

fn loopback() -> String {
    "127.0.0.1".into()
}

impl Default for ServeConfig {
    fn default() -> Self {
        ServeConfig {
            address: loopback(),
            port: None,
            tls_cert: None,
            tls_key: None,
            names: Vec::new(),
            origins: Vec::new(),
            public_url: None,
            max_connections: max_connections(),
            max_connections_per_address: max_connections_per_address(),
            header_timeout_s: header_timeout_s(),
            body_timeout_s: body_timeout_s(),
        }
    }
}

impl ServeConfig {
    /// The address, once [`ServeConfig::problems`] found none.
    pub fn ip(&self) -> Option<IpAddr> {
        self.address.trim().parse().ok()
    }

    /// Whether only this machine can reach the server.
    pub fn is_loopback(&self) -> bool {
        self.ip().is_some_and(|ip| ip.is_loopback())
    }

    /// The certificate and key, when both are set.
    pub fn tls(&self) -> Option<(&Path, &Path)> {
        Some((self.tls_cert.as_deref()?, self.tls_key.as_deref()?))
    }

    pub(crate) fn resolve(&mut self, base: &Path) {
        for path in [&mut self.tls_cert, &mut self.tls_key]
            .into_iter()
            .flatten()
        {
            if path.is_relative() {
                *path = base.join(&*path);
            }
        }
    }

    /// Each problem as (field, message).
    pub fn problems(&self) -> Vec<(&'static str, String)> {
        let mut problems = Vec::new();
        if self.ip().is_none() {
            problems.push((
                "serve.address",
                format!(
                    "`{}` is not an IP address (e.g. \"0.0.0.0\" for every interface, \
                     \"127.0.0.1\" for this machine only)",
                    self.address
                ),
            ));
        }
        for (field, value) in [
            ("serve.max_connections", self.max_connections),
            (
                "serve.max_connections_per_address",
                self.max_connections_per_address,
            ),
            ("serve.header_timeout_s", self.header_timeout_s as usize),
            ("serve.body_timeout_s", self.body_timeout_s as usize),
        ] {
            if value == 0 {
                problems.push((field, "must be at least 1".into()));
            }
        }
        if let Some(url) = &self.public_url {
            let ok = url::Url::parse(url).is_ok_and(|u| {
                matches!(u.scheme(), "http" | "https")
                    && u.host().is_some()
                    && u.path() == "/"
                    && u.query().is_none()
                    && u.username().is_empty()
            });
            if !ok {
                problems.push((
                    "serve.public_url",
                    format!(
                        "`{url}` is not a scheme, host and port (e.g. \"https://wall.city.lan:8443\")"
                    ),
                ));
            }
        }
        if self.port == Some(0) {
            problems.push(("serve.port", "0 is not a port".into()));
        }
        match (&self.tls_cert, &self.tls_key) {
            (Some(_), None) => problems.push((
                "serve.tls_key",
                "is missing: `tls_cert` needs its private key".into(),
            )),
            (None, Some(_)) => problems.push((
                "serve.tls_cert",
                "is missing: `tls_key` needs its certificate".into(),
            )),
            _ => {}
        }
        if self.ip().is_some() && !self.is_loopback() && self.tls().is_none() {
            problems.push((
                "serve.address",
                format!(
                    "`{}` reaches beyond this machine: set `tls_cert` and `tls_key` too, \
                     the wall is not served over plain HTTP on a network",
                    self.address
                ),
            ));
        }
        problems
    }
}
