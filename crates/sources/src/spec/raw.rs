//! A `[[source]]` table as TOML gives it, every key of every kind, with where each stands in
//! the file (for the problems that name its line). `super::parse_source` and each kind's file
//! read it.

use serde::Deserialize;
use toml::Spanned;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSource {
    pub(super) id: Spanned<String>,
    pub(super) layer: Option<Spanned<String>>,
    pub(super) layers: Option<Vec<Spanned<String>>>,
    pub(super) kind: Spanned<String>,
    pub(super) url: Spanned<String>,
    pub(super) title: Option<String>,
    pub(super) interval_s: Option<Spanned<f64>>,
    pub(super) timeout_s: Option<Spanned<f64>>,
    pub(super) max_age_s: Option<Spanned<f64>>,
    pub(super) max_backoff_s: Option<Spanned<f64>>,
    pub(super) crs: Option<Spanned<String>>,
    pub(super) max_body_mb: Option<Spanned<f64>>,
    pub(super) auth: Option<Spanned<RawAuth>>,
    pub(super) since_param: Option<Spanned<String>>,
    pub(super) cursor_field: Option<Spanned<String>>,
    pub(super) records_path: Option<String>,
    pub(super) topics: Option<Vec<String>>,
    pub(super) datastreams: Option<std::collections::BTreeMap<String, String>>,
    pub(super) filter: Option<String>,
    pub(super) observation_order: Option<String>,
    pub(super) collection: Option<Spanned<String>>,
    pub(super) limit: Option<Spanned<f64>>,
    pub(super) bbox: Option<[f64; 4]>,
    pub(super) datetime: Option<String>,
    pub(super) fields: Option<Spanned<std::collections::BTreeMap<String, String>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawAuth {
    pub(super) bearer_env: Option<String>,
    pub(super) basic_user_env: Option<String>,
    pub(super) basic_password_env: Option<String>,
    pub(super) header: Option<String>,
    pub(super) value_env: Option<String>,
}
