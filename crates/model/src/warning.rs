//! A warning's values: its colour level, its kind, where it stands in its lifecycle, and what a
//! rule said of it. The rules that raise warnings live in the engine; the store keeps them.

use serde::{Deserialize, Serialize};

/// Colour-coded warning levels, mildest first (GB/T flood warning colours).
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
#[schemars(rename = "WarningLevel")]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Blue,
    Yellow,
    Orange,
    Red,
}

impl Level {
    pub const ALL: [Level; 4] = [Level::Blue, Level::Yellow, Level::Orange, Level::Red];

    pub fn as_str(self) -> &'static str {
        match self {
            Level::Blue => "blue",
            Level::Yellow => "yellow",
            Level::Orange => "orange",
            Level::Red => "red",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            Level::Blue => "blue",
            Level::Yellow => "yellow",
            Level::Orange => "orange",
            Level::Red => "red",
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            Level::Blue => "蓝色",
            Level::Yellow => "黄色",
            Level::Orange => "橙色",
            Level::Red => "红色",
        }
    }

    pub fn parse(s: &str) -> Option<Level> {
        Level::ALL.into_iter().find(|l| l.as_str() == s)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[schemars(rename = "WarningKind")]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    FloodLevel,
    FloodRise,
    GaugeSilent,
    OverweightPass,
    OverloadRate,
    Hotspot,
    Duplicate,
    /// A case of the incident loop near or past its deadline. Written as config names it
    /// (`case-overdue`: triage order, procedures); read also as it was once stored.
    #[serde(rename = "case-overdue", alias = "overdue")]
    Overdue,
    /// A layer's sources fail or fall stale (数据中断).
    SourceDown,
    /// A configured threshold rule over any layer's field (`[[rules.threshold]]`).
    Threshold,
    /// A configured rate-of-change rule (`[[rules.rate]]`).
    Rate,
    /// A configured stale-reading rule (`[[rules.stale]]`).
    Stale,
    /// A configured count-in-area rule (`[[rules.count]]`).
    Count,
    /// A configured event rule (`[[rules.event]]`).
    Event,
    /// A red warning a centre under this one has not acknowledged within its limit (逐级上报).
    Unacknowledged,
    /// A parent centre's 督办 on an overdue case this centre holds.
    Urged,
}

impl Kind {
    pub const ALL: [Kind; 16] = [
        Kind::FloodLevel,
        Kind::FloodRise,
        Kind::GaugeSilent,
        Kind::OverweightPass,
        Kind::OverloadRate,
        Kind::Hotspot,
        Kind::Duplicate,
        Kind::Overdue,
        Kind::SourceDown,
        Kind::Threshold,
        Kind::Rate,
        Kind::Stale,
        Kind::Count,
        Kind::Event,
        Kind::Unacknowledged,
        Kind::Urged,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::FloodLevel => "flood-level",
            Kind::FloodRise => "flood-rise",
            Kind::GaugeSilent => "gauge-silent",
            Kind::OverweightPass => "overweight-pass",
            Kind::OverloadRate => "overload-rate",
            Kind::Hotspot => "hotspot",
            Kind::Duplicate => "duplicate",
            Kind::Overdue => "case-overdue",
            Kind::SourceDown => "source-down",
            Kind::Threshold => "threshold",
            Kind::Rate => "rate",
            Kind::Stale => "stale",
            Kind::Count => "count",
            Kind::Event => "event",
            Kind::Unacknowledged => "unacknowledged",
            Kind::Urged => "urged",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

#[cfg(test)]
mod kind_tests {
    use super::Kind;

    #[test]
    fn every_kind_is_written_as_config_names_it() {
        for kind in Kind::ALL {
            let json = serde_json::to_string(&kind).unwrap_or_default();
            assert_eq!(json, format!("\"{}\"", kind.as_str()));
        }
        let stored: Kind = serde_json::from_str("\"overdue\"").unwrap_or(Kind::Duplicate);
        assert_eq!(stored, Kind::Overdue);
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[schemars(rename = "WarningState")]
#[serde(rename_all = "lowercase")]
pub enum State {
    Raised,
    Acknowledged,
    Cleared,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            State::Raised => "raised",
            State::Acknowledged => "acknowledged",
            State::Cleared => "cleared",
        }
    }

    pub fn parse(s: &str) -> Option<State> {
        [State::Raised, State::Acknowledged, State::Cleared]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

/// What a rule says should be open now, keyed so the same condition maps to the same warning.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Desired {
    pub key: String,
    pub kind: Kind,
    pub level: Level,
    pub layer: String,
    /// The feature (gauge, station, incident) or area (grid) it is about.
    pub subject: String,
    pub title: String,
    pub detail: String,
    /// The same in English, for a wall switched to it (empty in warnings stored before it was
    /// built: the wall then shows the Chinese).
    #[serde(default)]
    pub title_en: String,
    #[serde(default)]
    pub detail_en: String,
    pub lon: f64,
    pub lat: f64,
    /// The measured value and the threshold it crossed, in the rule's unit.
    pub value: f64,
    pub threshold: f64,
    /// Feature ids it stands for (merged duplicates, incidents of a hot spot).
    pub related: Vec<String>,
    /// The centre whose wall it is raised on when that is not the one whose area holds its
    /// place (an escalation: the parent's; a 督办: the case's holder's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
}

/// A warning as the wall, the API and the store see it: what its rule said last (flattened
/// into the same JSON object) and where it stands in its lifecycle.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Warning {
    pub id: String,
    #[serde(flatten)]
    pub what: Desired,
    pub state: State,
    /// Unix ms, on the data clock (the simulated clock in demo mode).
    pub raised_at: i64,
    pub updated_at: i64,
    pub acknowledged_at: Option<i64>,
    pub acknowledged_by: Option<String>,
    pub cleared_at: Option<i64>,
    /// The highest level it reached.
    pub peak_level: Level,
    /// The centre whose area holds it (`[[centres]]`): who must act on it. Empty in warnings
    /// stored before centres were: the city's.
    #[serde(default)]
    pub centre: String,
}

impl Warning {
    pub fn is_open(&self) -> bool {
        self.state != State::Cleared
    }
}
