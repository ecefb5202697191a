//! The `[display]` section: the screen the wall is read on, so every text a duty officer must
//! read is legible from where they sit — the panel's diagonal and the viewing distance (the wall
//! then sizes its smallest text to 16 arc-minutes there, headline numbers to 20 and more), or a
//! plain factor over the wall's own sizes. Without it the wall scales with its window only.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DisplayConfig {
    /// The diagonal of one physical panel, in inches (86 for an 86″ 4K screen).
    pub diagonal_in: Option<f64>,
    /// How far the duty officers sit from it, in metres.
    pub distance_m: Option<f64>,
    /// A plain factor over the wall's own sizes (1.5: everything half as large again).
    pub scale: Option<f64>,
    /// How many panels (columns, rows) one window spans, `diagonal_in` being one panel's;
    /// default: as many 16:9 panels side by side as the window's width holds.
    pub panels: Option<[u32; 2]>,
}

impl DisplayConfig {
    /// Each problem as (field, message).
    pub fn problems(&self) -> Vec<(&'static str, String)> {
        let mut problems = Vec::new();
        let mut range = |field: &'static str, v: Option<f64>, lo: f64, hi: f64, unit: &str| {
            if let Some(v) = v {
                if !(lo..=hi).contains(&v) {
                    problems.push((field, format!("is {v}: give {lo} to {hi} {unit}")));
                }
            }
        };
        range(
            "display.diagonal_in",
            self.diagonal_in,
            10.0,
            400.0,
            "inches",
        );
        range("display.distance_m", self.distance_m, 0.3, 50.0, "metres");
        range("display.scale", self.scale, 0.5, 6.0, "(a factor)");
        if let Some([columns, rows]) = self.panels {
            if !(1..=16).contains(&columns) || !(1..=16).contains(&rows) {
                problems.push((
                    "display.panels",
                    format!("is [{columns}, {rows}]: give 1 to 16 columns and rows"),
                ));
            }
        }
        if self.diagonal_in.is_some() != self.distance_m.is_some() {
            problems.push((
                "display.distance_m",
                "give the panel's diagonal_in and the viewing distance_m together".into(),
            ));
        }
        problems
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_diagonal_needs_its_distance_and_values_are_bounded() {
        let half = DisplayConfig {
            diagonal_in: Some(86.0),
            ..Default::default()
        };
        assert_eq!(half.problems()[0].0, "display.distance_m");
        let wild = DisplayConfig {
            diagonal_in: Some(86.0),
            distance_m: Some(300.0),
            scale: Some(0.0),
            panels: Some([0, 1]),
        };
        let fields: Vec<_> = wild.problems().into_iter().map(|p| p.0).collect();
        assert_eq!(
            fields,
            ["display.distance_m", "display.scale", "display.panels"]
        );
        let wall = DisplayConfig {
            diagonal_in: Some(86.0),
            distance_m: Some(3.0),
            ..Default::default()
        };
        assert!(wall.problems().is_empty());
    }
}
