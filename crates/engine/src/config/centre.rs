//! The `[centre]` section: whose wall this is — the centre's name as the header shows it, in
//! Chinese and English — and the time zone every time on the wall and in its exports is written
//! in. Without it the wall says only 城市运行管理中心, in the engine machine's own time zone.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CentreConfig {
    /// e.g. "宿迁市城市运行管理中心".
    #[serde(default = "default_zh")]
    pub name_zh: String,
    /// e.g. "Suqian City Operations Centre".
    #[serde(default = "default_en")]
    pub name_en: String,
    /// An IANA time zone ("Asia/Shanghai", "Europe/Helsinki"); `None`: the machine's own. The
    /// wall is told the zone resolved ([`CentreConfig::zone_name`]).
    #[serde(default)]
    pub time_zone: Option<String>,
    /// The wall's language until an operator switches it: "zh" or "en"; `None`: the machine's
    /// (`LANG` starting `en` → English, anything else → Chinese). The wall is told the one
    /// resolved ([`CentreConfig::language`]).
    #[serde(default)]
    pub language: Option<String>,
}

/// The languages the wall speaks.
pub const LANGUAGES: [&str; 2] = ["zh", "en"];

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
            time_zone: None,
            language: None,
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
        if let Some(name) = &self.time_zone {
            if jiff::tz::TimeZone::get(name).is_err() {
                problems.push((
                    "centre.time_zone",
                    format!(
                        "`{name}` is not an IANA time zone (e.g. Asia/Shanghai, Europe/Helsinki)"
                    ),
                ));
            }
        }
        if let Some(lang) = &self.language {
            if !LANGUAGES.contains(&lang.as_str()) {
                problems.push((
                    "centre.language",
                    format!("`{lang}` is not one the wall speaks: \"zh\" or \"en\""),
                ));
            }
        }
        problems
    }

    /// The wall's first language: the configured one, else the machine's `LANG`.
    pub fn language(&self) -> &'static str {
        let machine = std::env::var("LANG").unwrap_or_default();
        match self.language.as_deref() {
            Some("en") => "en",
            Some(_) => "zh",
            None if machine.starts_with("en") => "en",
            None => "zh",
        }
    }

    /// The zone times are written in: the configured one, else the machine's, else UTC.
    pub fn zone(&self) -> jiff::tz::TimeZone {
        self.time_zone
            .as_deref()
            .and_then(|name| jiff::tz::TimeZone::get(name).ok())
            .unwrap_or_else(jiff::tz::TimeZone::system)
    }

    /// The zone's IANA name, as the wall is told it ("UTC" for a machine without one).
    pub fn zone_name(&self) -> String {
        self.zone().iana_name().unwrap_or("UTC").to_string()
    }

    /// A Unix-ms instant as ISO 8601 in the centre's zone, with its offset
    /// (`2026-12-07T05:57:01.250+02:00`): what exports write.
    pub fn iso(&self, ms: i64) -> String {
        iso_in(&self.zone(), ms)
    }
}

pub use citywall_model::model::iso_in;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_written_in_the_centres_zone_with_its_offset() {
        let helsinki = CentreConfig {
            time_zone: Some("Europe/Helsinki".into()),
            ..Default::default()
        };
        assert!(helsinki.problems().is_empty());
        // 2026-12-07T03:57:00Z is 05:57 in Helsinki (EET, +02:00) and 11:57 in Shanghai.
        let ms = 1_796_615_820_000;
        assert_eq!(helsinki.iso(ms), "2026-12-07T05:57:00.000+02:00");
        assert_eq!(helsinki.zone_name(), "Europe/Helsinki");
        let shanghai = CentreConfig {
            time_zone: Some("Asia/Shanghai".into()),
            ..Default::default()
        };
        assert_eq!(shanghai.iso(ms), "2026-12-07T11:57:00.000+08:00");
        assert_eq!(iso_in(&helsinki.zone(), i64::MAX), i64::MAX.to_string());
    }

    #[test]
    fn an_unknown_zone_is_a_problem() {
        let c = CentreConfig {
            time_zone: Some("Mars/Olympus".into()),
            ..Default::default()
        };
        assert_eq!(c.problems()[0].0, "centre.time_zone");
    }

    #[test]
    fn the_wall_speaks_the_configured_language_and_only_its_two() {
        let en = CentreConfig {
            language: Some("en".into()),
            ..Default::default()
        };
        assert_eq!(en.language(), "en");
        assert!(en.problems().is_empty());
        let fr = CentreConfig {
            language: Some("fr".into()),
            ..Default::default()
        };
        assert_eq!(fr.problems()[0].0, "centre.language");
    }
}
