//! The simulated clock: wall time mapped to sim time at a chosen scale, and the China
//! Standard Time every simulated subsystem stamps with.

use std::sync::Mutex;
use std::time::Instant;

use chrono::{FixedOffset, TimeZone};

/// Simulated time: unix seconds that advance `scale` times faster than the wall clock.
pub struct SimClock {
    inner: Mutex<ClockState>,
}

struct ClockState {
    anchor_wall: Instant,
    anchor_sim: f64,
    scale: f64,
}

impl SimClock {
    pub fn new(start_sim: f64, scale: f64) -> Self {
        SimClock {
            inner: Mutex::new(ClockState {
                anchor_wall: Instant::now(),
                anchor_sim: start_sim,
                scale,
            }),
        }
    }

    pub fn now(&self) -> f64 {
        let s = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        s.anchor_sim + s.anchor_wall.elapsed().as_secs_f64() * s.scale
    }

    /// Jumps the sim clock forward (tests, and the demo's "skip ahead").
    pub fn advance(&self, seconds: f64) {
        let mut s = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        s.anchor_sim += seconds;
    }

    pub fn scale(&self) -> f64 {
        self.inner.lock().unwrap_or_else(|p| p.into_inner()).scale
    }
}

/// China Standard Time, the clock every subsystem stamps with.
pub fn cst() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600)
        .unwrap_or_else(|| FixedOffset::east_opt(0).expect("zero offset is valid"))
}

pub fn iso(t: f64) -> String {
    cst()
        .timestamp_opt(t.floor() as i64, 0)
        .single()
        .map(|d| d.to_rfc3339())
        .unwrap_or_default()
}

/// Hour of day in China Standard Time, fractional.
pub(super) fn local_hour(t: f64) -> f64 {
    ((t + 8.0 * 3600.0).rem_euclid(86_400.0)) / 3600.0
}
