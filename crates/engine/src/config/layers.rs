//! A `[[layer]]` as the engine keeps it once checked: its identity, how it is drawn, its
//! clustering and severity order, and the filter and case mapping that route records to it.

use serde::{Deserialize, Serialize};

use super::{LayerCases, Presentation};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LayerConfig {
    pub id: String,
    pub title_zh: String,
    pub title_en: String,
    /// Below this zoom the viewport answer holds clusters instead of features.
    pub cluster_below_zoom: Option<f64>,
    /// Which property ranks a feature's severity, and its values from mildest to worst.
    pub severity: Option<Severity>,
    /// The property holding when the thing happened (RFC 3339), for `since` and time windows;
    /// without it, the time the engine last saw the feature change.
    pub time_field: Option<String>,
    /// Keep every change in the history table (for replay); off for big static inventories.
    pub history: bool,
    /// Only records whose `field` holds one of `values` belong here (a census split by class).
    pub filter: Option<LayerFilter>,
    /// The layer's features are cases of the incident loop (`cases = {…}`).
    pub cases: Option<LayerCases>,
    /// How the wall draws and lists it.
    pub presentation: Presentation,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LayerFilter {
    pub field: String,
    pub values: Vec<String>,
}

impl LayerFilter {
    /// Whether a record with these properties belongs to the layer: its field, as text (a
    /// number as written), is one of the values.
    pub fn takes(&self, properties: &serde_json::Map<String, serde_json::Value>) -> bool {
        match properties.get(&self.field) {
            Some(serde_json::Value::String(s)) => self.values.iter().any(|v| v == s),
            Some(serde_json::Value::Number(n)) => self.values.contains(&n.to_string()),
            Some(serde_json::Value::Bool(b)) => self.values.contains(&b.to_string()),
            _ => false,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Severity {
    pub field: String,
    pub order: Vec<String>,
}

impl Severity {
    /// The rank of a feature's severity value (0 = mildest), if it has a known one.
    pub fn rank(&self, properties: &serde_json::Map<String, serde_json::Value>) -> Option<u8> {
        let value = properties.get(&self.field)?.as_str()?;
        self.order.iter().position(|v| v == value).map(|p| p as u8)
    }
}
