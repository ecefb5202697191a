//! The `[panels]` section: which side panels the wall shows and in what order. A panel that
//! reads a shipped template's fields (the flood, weigh-station and incident KPIs and rankings)
//! shows only where a layer chose that template, whatever this list says.

use serde::{Deserialize, Serialize};

/// The panels the wall ships, by name.
pub const LEFT_PANELS: &[&str] = &["layers", "stations", "categories"];
pub const RIGHT_PANELS: &[&str] = &["warnings", "flood", "overweight", "incidents"];
/// Panels a config may add that the default arrangement leaves out.
pub const OPTIONAL_PANELS: &[&str] = &["cases", "audit", "centres"];

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PanelsConfig {
    #[serde(default = "default_left")]
    pub left: Vec<String>,
    #[serde(default = "default_right")]
    pub right: Vec<String>,
}

fn default_left() -> Vec<String> {
    LEFT_PANELS.iter().map(|p| p.to_string()).collect()
}

fn default_right() -> Vec<String> {
    RIGHT_PANELS.iter().map(|p| p.to_string()).collect()
}

impl Default for PanelsConfig {
    fn default() -> Self {
        PanelsConfig {
            left: default_left(),
            right: default_right(),
        }
    }
}

impl PanelsConfig {
    /// Each problem as (field, message).
    pub fn problems(&self) -> Vec<(&'static str, String)> {
        let mut problems = Vec::new();
        for (field, list, known) in [
            ("panels.left", &self.left, LEFT_PANELS),
            ("panels.right", &self.right, RIGHT_PANELS),
        ] {
            let known: Vec<&str> = known.iter().chain(OPTIONAL_PANELS).copied().collect();
            for (i, name) in list.iter().enumerate() {
                if !known.contains(&name.as_str()) {
                    problems.push((
                        field,
                        format!("unknown panel `{name}`: use {}", known.join(", ")),
                    ));
                } else if list[..i].contains(name) {
                    problems.push((field, format!("`{name}` is listed twice")));
                }
            }
        }
        problems
    }
}
