//! What the rules remember between evaluations: the readings a rate of rise needs and the events
//! already raised. The rules keep it here, apart from their own files, so the [`super::Rule`]
//! contract can name it without a rule file importing another.

use std::collections::{HashMap, VecDeque};

use super::Desired;

/// What the rules remember between evaluations (readings for rates of rise, raised events).
#[derive(Default)]
pub struct Memory {
    /// Level readings of the flood rule, and of rate rules under their own scopes.
    pub flood: FloodMemory,
    pub overweight: OverweightMemory,
    /// Each configured event rule's raised events, by the rule's scope.
    pub events: HashMap<String, EventMemory>,
}

/// Readings each gauge reported, kept for the rate of rise.
#[derive(Debug, Default)]
pub struct FloodMemory {
    readings: HashMap<String, VecDeque<(i64, f64)>>,
}

impl FloodMemory {
    /// Records a reading taken at `at` (ignored unless newer than the last) and returns the rise
    /// in metres per hour over the window, once the window is at least half covered.
    pub fn rise(&mut self, gauge: &str, at: i64, level: f64, window_ms: i64) -> Option<f64> {
        let q = self.readings.entry(gauge.to_string()).or_default();
        if q.back().is_none_or(|&(t, _)| at > t) {
            q.push_back((at, level));
        }
        while q.len() > 1 && q.front().is_some_and(|&(t, _)| t < at - window_ms) {
            q.pop_front();
        }
        let (&(t0, l0), &(t1, l1)) = (q.front()?, q.back()?);
        if t1 - t0 < window_ms / 2 {
            return None;
        }
        Some((l1 - l0) / ((t1 - t0) as f64 / 3_600_000.0))
    }
}

/// Violating passes already raised, kept until they expire: a station lists only its latest few.
#[derive(Debug, Default)]
pub struct OverweightMemory {
    pub(super) passes: EventMemory,
}

/// Events already raised, kept until they expire, per rule.
#[derive(Debug, Default)]
pub struct EventMemory {
    pub(super) raised: HashMap<String, (i64, Desired)>,
}
