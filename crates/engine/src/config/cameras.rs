//! The `[cameras]` section: which layer holds the cameras, the fields that say where each looks
//! (heading, field of view, range) and whether it is online, and where each camera's live video
//! is: URL templates filled from the camera's own fields (`{id}`, `{channel}` …), as NVRs and
//! video platforms address their channels, the environment variables holding the cameras'
//! user name and password, and which warnings put their cameras on the video screens by
//! themselves.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CameraConfig {
    pub layer: String,
    #[serde(default = "default_heading_field")]
    pub heading_field: String,
    #[serde(default = "default_fov_field")]
    pub fov_field: String,
    #[serde(default = "default_range_field")]
    pub range_field: String,
    #[serde(default = "default_online_field")]
    pub online_field: String,
    /// The sub-stream for wall tiles: RTSP (H.264 or MJPEG), e.g.
    /// "rtsp://nvr.lan/Streaming/Channels/{channel}02", or MJPEG over HTTP, or a snapshot URL
    /// (one JPEG a request, asked again four times a second). `{id}` is the
    /// camera's id, `{name}` any of its fields.
    pub stream: Option<String>,
    /// The main stream for a maximised tile (default: the sub-stream).
    pub main_stream: Option<String>,
    /// Environment variables holding the user name and password the cameras or the NVR want;
    /// the values are read when a stream starts and never logged or sent to the wall.
    pub user_env: Option<String>,
    pub password_env: Option<String>,
    /// A camera field naming one of `logins`: cameras behind different NVRs or platforms sign
    /// in with that login's pair instead (`[cameras.logins.<name>]`).
    pub login_field: Option<String>,
    #[serde(default)]
    pub logins: std::collections::BTreeMap<String, Login>,
    /// Which warnings the video screens follow by themselves (`"all"`: the most severe open
    /// one, of any level; `"orange"`: orange or red; `"red"`: red only; `"off"`: only what an
    /// operator picks or a layout pins).
    #[serde(default)]
    pub follow_warnings: FollowWarnings,
}

/// A named user name and password pair, from the environment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Login {
    pub user_env: String,
    pub password_env: String,
}

/// Which warnings put their cameras on the video screens by themselves.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum FollowWarnings {
    #[default]
    All,
    Orange,
    Red,
    Off,
}

fn default_heading_field() -> String {
    "heading_deg".into()
}
fn default_fov_field() -> String {
    "fov_deg".into()
}
fn default_range_field() -> String {
    "range_m".into()
}
fn default_online_field() -> String {
    "online".into()
}

impl CameraConfig {
    /// Each problem as (field, message).
    pub fn problems(&self) -> Vec<(&'static str, String)> {
        let mut problems = Vec::new();
        for (field, template) in [
            ("cameras.stream", &self.stream),
            ("cameras.main_stream", &self.main_stream),
        ] {
            let Some(t) = template else { continue };
            if !["rtsp://", "http://", "https://"]
                .iter()
                .any(|scheme| t.starts_with(scheme))
            {
                problems.push((
                    field,
                    format!("`{t}` is not an rtsp:// or http(s):// URL template"),
                ));
            } else if t.matches('{').count() != t.matches('}').count() {
                problems.push((field, format!("`{t}` has an unclosed `{{field}}`")));
            }
        }
        if self.user_env.is_some() != self.password_env.is_some() {
            problems.push((
                "cameras.user_env",
                "and `password_env` come together: name both environment variables".into(),
            ));
        }
        if self.login_field.is_some() && self.logins.is_empty() {
            problems.push((
                "cameras.login_field",
                "names a camera field, but no [cameras.logins.<name>] is given".into(),
            ));
        }
        if self.main_stream.is_some() && self.stream.is_none() {
            problems.push((
                "cameras.stream",
                "is missing: `main_stream` needs the sub-stream for tiles".into(),
            ));
        }
        problems
    }

    /// A camera's user name and password from the environment: its own login where its
    /// `login_field` names one, else the cameras' pair, else none.
    pub fn credentials(
        &self,
        properties: &serde_json::Map<String, serde_json::Value>,
    ) -> Result<Option<(String, String)>, String> {
        let named = self
            .login_field
            .as_ref()
            .and_then(|field| properties.get(field))
            .and_then(|v| v.as_str())
            .filter(|name| !name.is_empty());
        let (user, password, section) = match named {
            Some(name) => {
                let login = self.logins.get(name).ok_or_else(|| {
                    format!("the camera's login `{name}` is not among [cameras.logins]")
                })?;
                let section = format!("[cameras.logins.{name}]");
                (&login.user_env, &login.password_env, section)
            }
            None => match (&self.user_env, &self.password_env) {
                (Some(user), Some(password)) => (user, password, "[cameras]".to_string()),
                _ => return Ok(None),
            },
        };
        let read = |name: &str| {
            crate::secrets::read_env(name)
                .map_err(|_| format!("the environment variable {name} ({section}) is not set"))
        };
        Ok(Some((read(user)?, read(password)?)))
    }

    /// The stream URL of a camera: the template with `{id}` and `{field}` filled in,
    /// percent-encoded; `None` when no stream is configured or a field is missing.
    pub fn stream_url(
        &self,
        main: bool,
        id: &str,
        properties: &serde_json::Map<String, serde_json::Value>,
    ) -> Option<String> {
        let template = if main {
            self.main_stream.as_ref().or(self.stream.as_ref())?
        } else {
            self.stream.as_ref()?
        };
        let mut out = String::with_capacity(template.len() + 16);
        let mut rest = template.as_str();
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let close = rest[open..].find('}')? + open;
            let name = &rest[open + 1..close];
            let value = if name == "id" {
                id.to_string()
            } else {
                match properties.get(name)? {
                    serde_json::Value::String(s) => s.clone(),
                    serde_json::Value::Number(n) => n.to_string(),
                    _ => return None,
                }
            };
            for b in value.bytes() {
                if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                    out.push(b as char);
                } else {
                    out.push_str(&format!("%{b:02X}"));
                }
            }
            rest = &rest[close + 1..];
        }
        out.push_str(rest);
        Some(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cameras(stream: &str) -> CameraConfig {
        toml::from_str(&format!("layer = \"cameras\"\nstream = \"{stream}\"\n")).unwrap()
    }

    #[test]
    fn a_stream_url_is_filled_from_the_camera_and_encoded() {
        let c = cameras("http://nvr.lan/ch/{channel}/{id}.mjpeg");
        let mut p = serde_json::Map::new();
        p.insert("channel".into(), serde_json::json!(12));
        assert_eq!(
            c.stream_url(false, "CAM 1/../x", &p).as_deref(),
            Some("http://nvr.lan/ch/12/CAM%201%2F..%2Fx.mjpeg")
        );
        assert_eq!(c.stream_url(false, "A", &serde_json::Map::new()), None);
        assert_eq!(
            c.stream_url(true, "A", &p).as_deref(),
            Some("http://nvr.lan/ch/12/A.mjpeg")
        );
    }

    #[test]
    fn the_video_screens_follow_every_warning_unless_told() {
        assert_eq!(
            cameras("rtsp://nvr/{id}").follow_warnings,
            FollowWarnings::All
        );
        let red: CameraConfig =
            toml::from_str("layer = \"cameras\"\nfollow_warnings = \"red\"\n").unwrap();
        assert_eq!(red.follow_warnings, FollowWarnings::Red);
        let wrong = toml::from_str::<CameraConfig>("layer = \"c\"\nfollow_warnings = \"some\"\n");
        assert!(wrong.unwrap_err().to_string().contains("all"));
    }

    #[test]
    fn a_camera_behind_another_nvr_signs_in_with_its_own_login() {
        let c: CameraConfig = toml::from_str(
            "layer = \"c\"\nuser_env = \"CW_TEST_USER\"\npassword_env = \"CW_TEST_PASS\"\n\
             login_field = \"nvr\"\n[logins.east]\nuser_env = \"CW_TEST_EAST_USER\"\n\
             password_env = \"CW_TEST_EAST_PASS\"\n",
        )
        .unwrap();
        // This test alone uses these variable names.
        std::env::set_var("CW_TEST_USER", "admin");
        std::env::set_var("CW_TEST_PASS", "p1");
        std::env::set_var("CW_TEST_EAST_USER", "east");
        std::env::set_var("CW_TEST_EAST_PASS", "p+2");
        let props = |nvr: &str| {
            let mut p = serde_json::Map::new();
            p.insert("nvr".into(), serde_json::json!(nvr));
            p
        };
        assert_eq!(
            c.credentials(&serde_json::Map::new()).unwrap(),
            Some(("admin".into(), "p1".into()))
        );
        assert_eq!(
            c.credentials(&props("east")).unwrap(),
            Some(("east".into(), "p+2".into()))
        );
        let unknown = c.credentials(&props("west")).unwrap_err();
        assert!(unknown.contains("`west`"), "{unknown}");
        assert!(!unknown.contains("p1"));
    }

    #[test]
    fn broken_templates_are_named() {
        assert!(cameras("rtsp://nvr/{id}").problems().is_empty());
        assert!(cameras("ftp://nvr/1").problems()[0].1.contains("rtsp://"));
        assert!(cameras("http://nvr/{id").problems()[0]
            .1
            .contains("unclosed"));
        assert!(cameras("http://nvr/{id}").problems().is_empty());
    }
}
