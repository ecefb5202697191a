//! Warnings: the config-driven rules (flood levels, rate of rise and silent gauges; overweight
//! passes and each station's 超限率; incident hot spots per grid; duplicate reports) and the
//! lifecycle every warning goes through — raised → acknowledged → cleared — kept in memory for
//! the wall and persisted in the store so it survives a restart. Each rule is a pure function
//! from a layer's features (and what it raised before) to the warnings that should be open now;
//! [`Warnings::reconcile`] turns that into raises, escalations and clears.

mod config;
pub mod count;
pub mod duplicates;
pub mod event;
pub mod flood;
pub mod hotspot;
pub mod memory;
pub mod outage;
pub mod overdue;
pub mod overweight;
pub mod rate;
pub mod rule;
pub mod stale;
pub mod threshold;
pub mod unacknowledged;
pub mod urged;

use std::collections::{HashMap, HashSet};

pub use config::RulesConfig;
pub use memory::Memory;
pub use rule::{Judging, Owns, Rule};
// The warning value types live in the model; their paths stay what they were.
pub use citywall_model::warning::{Desired, Kind, Level, State, Warning};

use serde_json::{Map, Value};

/// The open warnings, by key, and what reconciling with a rule's answer changed.
#[derive(Debug, Default)]
pub struct Warnings {
    open: HashMap<String, Warning>,
    next_id: u64,
}

impl Warnings {
    /// Starts from the open warnings the store held; `next_id` continues after the highest id.
    pub fn restore(open: Vec<Warning>, next_id: u64) -> Warnings {
        Warnings {
            open: open.into_iter().map(|w| (w.what.key.clone(), w)).collect(),
            next_id,
        }
    }

    pub fn open(&self) -> impl Iterator<Item = &Warning> {
        self.open.values()
    }

    pub fn level_of(&self, key: &str) -> Option<Level> {
        self.open.get(key).map(|w| w.what.level)
    }

    /// Applies what the rules of `kinds` want open now: new keys are raised, a higher level
    /// raises again (an acknowledged warning that escalates needs a new acknowledgement), a lower
    /// level is updated in place, and open keys the rules no longer want are cleared. Returns
    /// every warning that changed.
    pub fn reconcile(&mut self, kinds: &[Kind], desired: Vec<Desired>, now: i64) -> Vec<Warning> {
        self.reconcile_where(|w| kinds.contains(&w.kind), desired, now)
    }

    /// As [`Warnings::reconcile`] for the open warnings `owns` says the rule answers for (one
    /// threshold rule among several of the same kind).
    /// Reconciles one configured rule's answer: its warnings are its own (keyed under its
    /// `scope`), apart from every other rule's, even of its kind over the same layer.
    pub fn reconcile_scope(
        &mut self,
        kind: Kind,
        scope: &str,
        desired: Vec<Desired>,
        now: i64,
    ) -> Vec<Warning> {
        self.reconcile_where(|w| w.kind == kind && w.key.starts_with(scope), desired, now)
    }

    pub fn reconcile_where(
        &mut self,
        owns: impl Fn(&Desired) -> bool,
        desired: Vec<Desired>,
        now: i64,
    ) -> Vec<Warning> {
        let mut changed = Vec::new();
        let mut wanted = HashSet::new();
        for d in desired {
            wanted.insert(d.key.clone());
            match self.open.get_mut(&d.key) {
                Some(w) => {
                    let was = &w.what;
                    let escalated = d.level > was.level;
                    // Small drifts of the measured value (a gauge's millimetres) are not news:
                    // only a move of 2% of the threshold is stored and sent.
                    let drift = (d.value - was.value).abs();
                    let moved = d.level != was.level
                        || d.related.len() != was.related.len()
                        || (drift > 0.02 * d.threshold.abs() && drift > f64::EPSILON)
                        || (d.threshold == 0.0 && drift > f64::EPSILON);
                    if !moved {
                        continue;
                    }
                    if escalated {
                        w.state = State::Raised;
                        w.acknowledged_at = None;
                        w.acknowledged_by = None;
                    }
                    w.peak_level = w.peak_level.max(d.level);
                    w.what = d;
                    w.updated_at = now;
                    changed.push(w.clone());
                }
                None => {
                    self.next_id += 1;
                    let key = d.key.clone();
                    let w = Warning {
                        id: format!("W{:06}", self.next_id),
                        peak_level: d.level,
                        what: d,
                        state: State::Raised,
                        raised_at: now,
                        updated_at: now,
                        acknowledged_at: None,
                        acknowledged_by: None,
                        cleared_at: None,
                        centre: String::new(),
                    };
                    changed.push(w.clone());
                    self.open.insert(key, w);
                }
            }
        }
        let gone: Vec<String> = self
            .open
            .values()
            .filter(|w| owns(&w.what) && !wanted.contains(&w.what.key))
            .map(|w| w.what.key.clone())
            .collect();
        for key in gone {
            if let Some(mut w) = self.open.remove(&key) {
                w.state = State::Cleared;
                w.cleared_at = Some(now);
                w.updated_at = now;
                changed.push(w);
            }
        }
        changed
    }

    /// Marks an open warning acknowledged by `by`; `None` when no open warning has that id.
    /// Open warning `id` as it reads once `by` acknowledged it (unchanged if it was already):
    /// nothing changes here until [`Warnings::replace`] takes it, after the store has it.
    pub fn acknowledged(&self, id: &str, by: &str, now: i64) -> Option<Warning> {
        let mut w = self.open.values().find(|w| w.id == id)?.clone();
        if w.state == State::Raised {
            w.state = State::Acknowledged;
            w.acknowledged_at = Some(now);
            w.acknowledged_by = Some(by.to_string());
            w.updated_at = now;
        }
        Some(w)
    }

    /// Puts a warning changed elsewhere (an acknowledgement, stored) in place of its open self.
    pub fn replace(&mut self, warning: Warning) {
        if let Some(open) = self.open.get_mut(&warning.what.key) {
            *open = warning;
        }
    }
}

pub(crate) fn num(p: &Map<String, Value>, key: &str) -> Option<f64> {
    p.get(key).and_then(|v| match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    })
}

pub(crate) fn text<'a>(p: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    p.get(key).and_then(Value::as_str)
}

/// An RFC 3339 time property as Unix ms.
pub(crate) fn time_ms(p: &Map<String, Value>, key: &str) -> Option<i64> {
    let t = text(p, key)?;
    chrono::DateTime::parse_from_rfc3339(t)
        .ok()
        .map(|d| d.timestamp_millis())
}

/// One layer of features at the given places and properties, as the rules read it (tests).
#[cfg(test)]
pub(crate) fn layer_of(
    layer: &str,
    features: Vec<(&str, [f64; 2], Value)>,
) -> crate::spatial::SpatialIndex {
    crate::spatial::SpatialIndex::load(
        features
            .into_iter()
            .map(|(id, [lon, lat], properties)| crate::model::Feature {
                layer: layer.into(),
                id: id.into(),
                source: "s".into(),
                lon,
                lat,
                shape: None,
                properties: properties.as_object().cloned().unwrap_or_default(),
                updated_at: 0,
            })
            .collect(),
    )
}

/// Metres between two WGS84 points (equirectangular; exact enough within a city).
pub fn metres(a: [f64; 2], b: [f64; 2]) -> f64 {
    let lat = ((a[1] + b[1]) / 2.0).to_radians();
    let dx = (b[0] - a[0]).to_radians() * lat.cos() * 6_371_000.0;
    let dy = (b[1] - a[1]).to_radians() * 6_371_000.0;
    (dx * dx + dy * dy).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn desired(key: &str, level: Level) -> Desired {
        Desired {
            key: key.into(),
            kind: Kind::FloodLevel,
            level,
            layer: "flood".into(),
            subject: key.into(),
            title: String::new(),
            detail: String::new(),
            title_en: String::new(),
            detail_en: String::new(),
            lon: 0.0,
            lat: 0.0,
            value: 0.0,
            threshold: 0.0,
            related: vec![],
            owner: None,
        }
    }

    #[test]
    fn lifecycle_raise_acknowledge_escalate_and_clear() {
        let mut w = Warnings::default();
        let kinds = [Kind::FloodLevel];
        let changed = w.reconcile(&kinds, vec![desired("g1", Level::Yellow)], 1);
        assert_eq!(changed.len(), 1);
        let id = changed[0].id.clone();
        assert_eq!(changed[0].state, State::Raised);
        // Nothing new: nothing changes.
        assert!(w
            .reconcile(&kinds, vec![desired("g1", Level::Yellow)], 2)
            .is_empty());
        let acked = w.acknowledged(&id, "值班员张三", 3).expect("open");
        assert_eq!(acked.state, State::Acknowledged);
        assert_eq!(w.level_of("g1"), Some(Level::Yellow));
        w.replace(acked.clone());
        assert_eq!(acked.acknowledged_by.as_deref(), Some("值班员张三"));
        // Going down keeps the acknowledgement; going up asks for a new one.
        let down = w.reconcile(&kinds, vec![desired("g1", Level::Blue)], 4);
        assert_eq!(down[0].state, State::Acknowledged);
        let up = w.reconcile(&kinds, vec![desired("g1", Level::Orange)], 5);
        assert_eq!(up[0].state, State::Raised);
        assert_eq!(up[0].peak_level, Level::Orange);
        assert_eq!(up[0].id, id, "the same condition stays the same warning");
        // Gone from the rule's answer: cleared, and a later raise is a new warning.
        let cleared = w.reconcile(&kinds, vec![], 6);
        assert_eq!(cleared[0].state, State::Cleared);
        assert_eq!(cleared[0].cleared_at, Some(6));
        assert!(w.acknowledged(&id, "x", 7).is_none());
        let again = w.reconcile(&kinds, vec![desired("g1", Level::Yellow)], 8);
        assert_ne!(again[0].id, id);
        // Other kinds' warnings are left alone.
        assert!(w.reconcile(&[Kind::Hotspot], vec![], 9).is_empty());
    }

    #[test]
    fn metres_match_a_known_distance() {
        // 0.001° of latitude ≈ 111 m.
        let d = metres([118.28, 33.96], [118.28, 33.961]);
        assert!((d - 111.2).abs() < 0.5, "{d}");
    }
}
