//! The `[centre]` section: whose wall this is — the centre's name as the header shows it, in
//! Chinese and English. Without it the wall says only 城市运行管理中心.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CentreConfig {
    /// e.g. "宿迁市城市运行管理中心".
    #[serde(default = "default_zh")]
    pub name_zh: String,
    /// e.g. "Suqian City Operations Centre".
    #[serde(default = "default_en")]
    pub name_en: String,
}

fn default_zh() -> String {
    "城市运行管理中心".into()
}

fn default_en() -> String {
    "City Operations Centre".into()
}

impl Default for CentreConfig {
    fn default() -> Self {
        CentreConfig {
            name_zh: default_zh(),
            name_en: default_en(),
        }
    }
}

impl CentreConfig {
    /// Each problem as (field, message).
    pub fn problems(&self) -> Vec<(&'static str, String)> {
        let mut problems = Vec::new();
        for (field, name) in [
            ("centre.name_zh", &self.name_zh),
            ("centre.name_en", &self.name_en),
        ] {
            let n = name.trim().chars().count();
            if n == 0 || n > 40 {
                problems.push((field, format!("is {n} characters: a header holds 1 to 40")));
            }
        }
        problems
    }
}
