//! The one shape every warning model over a layer has: a [`Rule`] names its layer and the
//! warnings it answers for, and judges the layer as it stands into the warnings it wants open.
//! The engine runs every configured rule the same way (`RulesConfig::layered`), so a new model
//! is its own file with one `impl Rule`, plus its line in `[rules]`.

use super::memory::Memory;
use super::{Desired, Kind, Warnings};
use crate::regions::Regions;
use crate::spatial::LayerIndex;

/// What a rule reads while it judges its layer.
pub struct Judging<'a> {
    pub layer: &'a LayerIndex,
    /// The warnings open now (a rule keeps a level it raised until its hysteresis clears it).
    pub open: &'a Warnings,
    pub regions: &'a Regions,
    pub memory: &'a mut Memory,
    pub now: i64,
}

/// The warnings a rule answers for: its verdict closes those of them it no longer wants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Owns {
    /// Every warning of these kinds (a shipped rule, one per deployment).
    Kinds(&'static [Kind]),
    /// The warnings of this kind raised under this rule's scope (a configured rule).
    Scope(Kind, String),
}

pub trait Rule: Send + Sync {
    /// Its table under `[rules]` (`flood`, `threshold`, …), as check-config names it.
    fn table(&self) -> &'static str;
    /// The layer it judges.
    fn layer(&self) -> &str;
    fn owns(&self) -> Owns;
    /// The warnings this rule wants open now.
    fn judge(&self, at: &mut Judging<'_>) -> Vec<Desired>;
}

impl Warnings {
    /// Opens, updates and closes `rule`'s warnings to match `desired`; what changed.
    pub fn settle(&mut self, owns: &Owns, desired: Vec<Desired>, now: i64) -> Vec<super::Warning> {
        match owns {
            Owns::Kinds(kinds) => self.reconcile(kinds, desired, now),
            Owns::Scope(kind, scope) => self.reconcile_scope(*kind, scope, desired, now),
        }
    }
}
