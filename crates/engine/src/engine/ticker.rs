//! The engine's one-second ticker: source states re-judged so `stale` shows without a poll and a
//! failure is a warning within a second, the rules re-evaluated every 5 s (windows slide and
//! gauges fall silent without any poll), and free memory handed back now and then.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;

use super::Engine;

/// How often a running engine hands free memory back (seconds). Every poll frees what it
/// parsed, on whichever thread ran it; an allocator keeps such pages for that thread, and glibc's
/// (SQLite's) keeps freed pages inside its heap, so a wall that runs for weeks would creep up
/// by what its busiest minutes left behind.
const RELEASE_EVERY_S: u64 = 300;

/// Re-evaluates source states once a second so `stale` appears without a poll, and every
/// [`RELEASE_EVERY_S`] gives free memory back.
pub(super) async fn run(engine: Arc<Engine>, mut shutdown: watch::Receiver<bool>) {
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    let mut ticks: u64 = 0;
    loop {
        tokio::select! {
            _ = tick.tick() => {
                engine.publish_health();
                // A source that just failed is a warning within a second, whichever task saw
                // its state change, not at the next 5-s evaluation.
                if engine
                    .health_changed
                    .swap(false, std::sync::atomic::Ordering::Relaxed)
                {
                    engine.evaluate_outages().await;
                }
            }
            _ = shutdown.changed() => return,
        }
        ticks += 1;
        // Windows slide and gauges fall silent without any poll: re-judge every 5 s.
        if ticks.is_multiple_of(5) {
            engine.evaluate_rules(None).await;
            engine.sample_kpis().await;
        }
        if ticks.is_multiple_of(RELEASE_EVERY_S) {
            engine.release_memory().await;
        }
        if *shutdown.borrow() {
            return;
        }
    }
}
