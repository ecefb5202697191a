//! The change feed: every change to features or source health as a numbered delta, broadcast to
//! every subscriber (the Tauri window, WebSocket clients, tests). Nothing resends a whole layer.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use serde::Serialize;
use serde_json::Value;
use tokio::sync::broadcast;

use crate::health::SourceStatus;
use crate::model::now_ms;

#[derive(Debug, Clone, Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum Change {
    /// Features added or changed (as GeoJSON Features) and removed (by id) in one layer.
    Features {
        layer: String,
        upserted: Vec<Value>,
        removed: Vec<String>,
        /// Unix ms when the poll's answer reached ingest: the start of the wall's latency.
        polled_at: i64,
    },
    /// A source's health state changed.
    Source { source: SourceStatus },
    /// Too much of a layer changed to send feature by feature: refetch what is in view.
    Reload { layer: String, polled_at: i64 },
    /// A warning was raised, escalated, acknowledged or cleared.
    Warning { warning: crate::rules::Warning },
}

#[derive(Debug, Clone, Serialize)]
pub struct Delta {
    /// Strictly increasing; a gap tells a subscriber it missed deltas and must refetch.
    pub seq: u64,
    /// Unix ms when the delta was made.
    pub at: i64,
    #[serde(flatten)]
    pub change: Change,
}

pub struct Feed {
    sender: broadcast::Sender<Arc<Delta>>,
    seq: AtomicU64,
}

impl Default for Feed {
    fn default() -> Self {
        Self::new()
    }
}

impl Feed {
    pub fn new() -> Self {
        let (sender, _) = broadcast::channel(4096);
        Feed {
            sender,
            seq: AtomicU64::new(0),
        }
    }

    pub fn publish(&self, change: Change) {
        let seq = self.seq.fetch_add(1, Ordering::SeqCst) + 1;
        // No subscriber is fine: the wall may not be open.
        let _ = self.sender.send(Arc::new(Delta {
            seq,
            at: now_ms(),
            change,
        }));
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Delta>> {
        self.sender.subscribe()
    }

    /// The seq of the last delta published.
    pub fn last_seq(&self) -> u64 {
        self.seq.load(Ordering::SeqCst)
    }
}
