//! Source health: what each source last did (success, error, latency, counts) and the state the
//! wall shows for it — ok, failing, stale or pending.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use serde::Serialize;

use crate::config::SourceConfig;
use crate::model::now_ms;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum SourceState {
    /// Not polled successfully yet since start.
    Pending,
    Ok,
    /// The last poll landed but rejected some records (quarantined, see `last_error`).
    Degraded,
    /// The last poll failed.
    Failing,
    /// Polls succeed in form but nothing fresh has arrived for longer than the source's max age.
    Stale,
}

impl SourceState {
    /// Features of a source in this state are drawn greyed.
    pub fn is_stale(self) -> bool {
        matches!(
            self,
            SourceState::Failing | SourceState::Stale | SourceState::Pending
        )
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct SourceStatus {
    pub id: String,
    pub layer: String,
    pub title: String,
    /// Its format (`geojson`, `mqtt` …).
    pub kind: &'static str,
    pub state: SourceState,
    /// Unix ms of the last successful poll.
    pub last_success: Option<i64>,
    /// Unix ms of the last poll attempt.
    pub last_attempt: Option<i64>,
    /// The last error as one readable sentence; cleared by the next success.
    pub last_error: Option<String>,
    pub latency_ms: Option<u64>,
    /// Features this source holds now.
    pub count: usize,
    /// Records the last poll received.
    pub received_last: usize,
    /// Records the last poll rejected (quarantined).
    pub rejected_last: usize,
    /// Records rejected since start.
    pub rejected_total: u64,
    pub consecutive_failures: u32,
}

struct Entry {
    status: SourceStatus,
    max_age: Duration,
}

/// The health registry; one entry per configured source.
pub struct Health {
    entries: Mutex<HashMap<String, Entry>>,
}

impl Health {
    pub fn new(sources: &[SourceConfig]) -> Self {
        let entries = sources
            .iter()
            .map(|s| {
                let status = SourceStatus {
                    id: s.id.clone(),
                    layer: s.layer.clone(),
                    title: s.title.clone(),
                    kind: s.kind.name(),
                    state: SourceState::Pending,
                    last_success: None,
                    last_attempt: None,
                    last_error: None,
                    latency_ms: None,
                    count: 0,
                    received_last: 0,
                    rejected_last: 0,
                    rejected_total: 0,
                    consecutive_failures: 0,
                };
                (
                    s.id.clone(),
                    Entry {
                        status,
                        max_age: s.max_age,
                    },
                )
            })
            .collect();
        Health {
            entries: Mutex::new(entries),
        }
    }

    fn with<R>(&self, id: &str, f: impl FnOnce(&mut Entry) -> R) -> Option<R> {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries.get_mut(id).map(f)
    }

    /// A poll that landed. `first_rejection` is the reason of its first rejected record, if any.
    pub fn record_success(
        &self,
        id: &str,
        latency: Duration,
        received: usize,
        rejected: usize,
        count: usize,
        first_rejection: Option<&str>,
    ) {
        self.with(id, |e| {
            let now = now_ms();
            let s = &mut e.status;
            s.last_attempt = Some(now);
            s.last_success = Some(now);
            s.last_error = first_rejection.map(|reason| {
                crate::secrets::redact(&format!(
                    "rejected {rejected} of {received} records (quarantined); first: {reason}"
                ))
            });
            s.latency_ms = Some(latency.as_millis() as u64);
            s.received_last = received;
            s.rejected_last = rejected;
            s.rejected_total += rejected as u64;
            s.count = count;
            s.consecutive_failures = 0;
        });
    }

    /// A poll or connection that worked but brought nothing new (304, broker connected): the
    /// source is alive; its counts and any rejection sentence stay as they were.
    pub fn record_alive(&self, id: &str, latency: Duration) {
        self.with(id, |e| {
            let now = now_ms();
            let s = &mut e.status;
            s.last_attempt = Some(now);
            s.last_success = Some(now);
            s.latency_ms = Some(latency.as_millis() as u64);
            s.consecutive_failures = 0;
            if s.rejected_last == 0 {
                s.last_error = None;
            }
        });
    }

    pub fn record_failure(&self, id: &str, latency: Duration, error: String) {
        self.with(id, |e| {
            let s = &mut e.status;
            s.last_attempt = Some(now_ms());
            s.latency_ms = Some(latency.as_millis() as u64);
            // Shown to every role and written in warnings: no configured credential in it.
            s.last_error = Some(crate::secrets::redact(&error));
            s.consecutive_failures += 1;
        });
    }

    pub fn set_count(&self, id: &str, count: usize) {
        self.with(id, |e| e.status.count = count);
    }

    /// Recomputes every state against the clock; returns the statuses whose state changed.
    pub fn refresh(&self) -> Vec<SourceStatus> {
        let now = now_ms();
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        let mut changed = Vec::new();
        for e in entries.values_mut() {
            let state = compute_state(&e.status, e.max_age, now);
            if state != e.status.state {
                e.status.state = state;
                changed.push(e.status.clone());
            }
        }
        changed.sort_by(|a, b| a.id.cmp(&b.id));
        changed
    }

    pub fn all(&self) -> Vec<SourceStatus> {
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        let mut all: Vec<SourceStatus> = entries.values().map(|e| e.status.clone()).collect();
        all.sort_by(|a, b| a.id.cmp(&b.id));
        all
    }

    pub fn state(&self, id: &str) -> SourceState {
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries
            .get(id)
            .map(|e| e.status.state)
            .unwrap_or(SourceState::Pending)
    }
}

fn compute_state(s: &SourceStatus, max_age: Duration, now: i64) -> SourceState {
    if s.consecutive_failures > 0 {
        return SourceState::Failing;
    }
    match s.last_success {
        None => SourceState::Pending,
        Some(t) if now - t > max_age.as_millis() as i64 => SourceState::Stale,
        Some(_) if s.rejected_last > 0 => SourceState::Degraded,
        Some(_) => SourceState::Ok,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::SourceKind;

    fn source() -> SourceConfig {
        let mut s = SourceConfig::new("s", "flood", SourceKind::Geojson, "http://127.0.0.1:1/x");
        s.max_age = Duration::from_millis(50);
        s
    }

    #[test]
    fn states_follow_polls_and_the_clock() {
        let h = Health::new(&[source()]);
        assert_eq!(h.state("s"), SourceState::Pending);
        h.record_success(
            "s",
            Duration::from_millis(3),
            10,
            1,
            9,
            Some("duplicate id `a`"),
        );
        let degraded = &h.refresh()[0];
        assert_eq!(degraded.state, SourceState::Degraded);
        assert_eq!(
            degraded.last_error.as_deref(),
            Some("rejected 1 of 10 records (quarantined); first: duplicate id `a`")
        );
        h.record_failure("s", Duration::from_millis(3), "HTTP 503".into());
        let changed = h.refresh();
        assert_eq!(changed[0].state, SourceState::Failing);
        assert_eq!(changed[0].last_error.as_deref(), Some("HTTP 503"));
        h.record_success("s", Duration::from_millis(3), 10, 0, 10, None);
        assert_eq!(h.refresh()[0].state, SourceState::Ok);
        std::thread::sleep(Duration::from_millis(80));
        assert_eq!(h.refresh()[0].state, SourceState::Stale);
        assert!(h.refresh().is_empty(), "no change, nothing reported");
    }
}
