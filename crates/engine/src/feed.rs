//! The change feed: every change to features or source health as a numbered delta, broadcast to
//! every subscriber (the Tauri window, WebSocket clients, tests). Nothing resends a whole layer.
//! A wall that shows only some layers says which, and its stream carries only their feature
//! deltas ([`StreamFilter`]): a wall of 67 layers with five switched on does not parse the
//! other 62.

use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use serde::Serialize;
use serde_json::Value;
use tokio::sync::broadcast;

use crate::health::SourceStatus;
use crate::model::now_ms;

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
#[schemars(rename = "FeedChange")]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum Change {
    /// Features added or changed (as GeoJSON Features) and removed (by id) in one layer.
    Features {
        layer: String,
        #[schemars(with = "Vec<crate::geojson_schema::GeoFeature>")]
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
    /// An operator asked every video screen to show the cameras best placed to see a place (a
    /// warning or an incident chosen on the wall).
    Focus { focus: Focus },
    /// The cameras the walls' video tiles show changed: all of them now, for the map to mark.
    #[serde(rename = "onwall")]
    OnWall { cameras: Vec<OnWallCamera> },
    /// A case was opened or took a step (a hand-over between centres too): the consoles that
    /// see its centre read their lists again.
    Case { case: CaseMoved },
}

/// Which case changed, where it is now, and with whom.
#[derive(Debug, Clone, Serialize, PartialEq, schemars::JsonSchema)]
pub struct CaseMoved {
    pub id: String,
    pub state: crate::cases::CaseState,
    /// The centre that holds it now.
    pub centre: String,
}

impl CaseMoved {
    pub fn of(case: &crate::cases::Case) -> CaseMoved {
        CaseMoved {
            id: case.id.clone(),
            state: case.state,
            centre: case.centre.clone(),
        }
    }
}

/// A camera on a wall's video tiles, where the map draws it.
#[derive(Debug, Clone, Serialize, PartialEq, schemars::JsonSchema)]
pub struct OnWallCamera {
    pub id: String,
    pub name: String,
    pub lon: f64,
    pub lat: f64,
}

/// A place the video screens are asked to show.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq, schemars::JsonSchema)]
#[schemars(rename = "VideoFocusTarget")]
pub struct Focus {
    pub lon: f64,
    pub lat: f64,
    /// What is there, for the video screen's title (a warning's or an incident's title).
    pub title: String,
    /// Who asked (filled in by the engine).
    #[serde(default)]
    pub by: String,
    /// A camera an operator hands to the video screens to place on a tile of their choosing
    /// (from a map on another screen, where no drag reaches), instead of the cameras around.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub camera: Option<String>,
    /// The handed `camera` was placed on one screen: the others let it go.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub placed: bool,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
#[schemars(rename = "FeedDelta")]
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

impl Delta {
    /// The layer whose features this delta changes; `None` for source health and warnings,
    /// which every wall receives.
    pub fn layer(&self) -> Option<&str> {
        match &self.change {
            Change::Features { layer, .. } | Change::Reload { layer, .. } => Some(layer),
            Change::Source { .. }
            | Change::Warning { .. }
            | Change::Focus { .. }
            | Change::OnWall { .. }
            | Change::Case { .. } => None,
        }
    }
}

/// One client's view of the feed: the layers it draws (all until it says) and the seq of the
/// last delta it was sent, which every delta it gets carries as `prev` so that it can still
/// tell a delta it was not meant to get from one it lost.
#[derive(Debug, Clone)]
pub struct StreamFilter {
    layers: Option<HashSet<String>>,
    prev: u64,
}

impl StreamFilter {
    /// A client that has seen everything up to `seq`.
    pub fn new(seq: u64) -> Self {
        StreamFilter {
            layers: None,
            prev: seq,
        }
    }

    /// The layers the client draws; `None` for every layer.
    pub fn set_layers(&mut self, layers: Option<Vec<String>>) {
        self.layers = layers.map(|l| l.into_iter().collect());
    }

    /// Reads a client's `{"type":"layers","layers":[…] | null}` message; false for anything
    /// else, which changes nothing.
    pub fn accept_message(&mut self, text: &str) -> bool {
        #[derive(serde::Deserialize)]
        struct Message {
            r#type: String,
            layers: Option<Vec<String>>,
        }
        match serde_json::from_str::<Message>(text) {
            Ok(m) if m.r#type == "layers" => {
                self.set_layers(m.layers);
                true
            }
            _ => false,
        }
    }

    /// Whether the client gets `delta`, and if so the `prev` it carries.
    pub fn pass(&mut self, delta: &Delta) -> Option<u64> {
        let wanted = match (delta.layer(), &self.layers) {
            (Some(layer), Some(layers)) => layers.contains(layer),
            _ => true,
        };
        if !wanted {
            return None;
        }
        Some(std::mem::replace(&mut self.prev, delta.seq))
    }

    /// `delta` as the JSON text a client receives: the delta with its `prev`.
    pub fn text(delta: &Delta, prev: u64) -> Option<String> {
        serde_json::to_string(&Sent { prev, delta }).ok()
    }
}

/// A delta as a client receives it: with the seq of the one sent to it before.
#[derive(Clone, Serialize)]
pub struct Sent<'a> {
    pub prev: u64,
    #[serde(flatten)]
    pub delta: &'a Delta,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn delta(seq: u64, layer: Option<&str>) -> Delta {
        let change = match layer {
            Some(l) => Change::Reload {
                layer: l.into(),
                polled_at: 0,
            },
            None => Change::Source {
                source: crate::health::Health::new(&[crate::config::SourceConfig::new(
                    "s",
                    "l",
                    crate::config::SourceKind::Geojson,
                    "http://127.0.0.1/",
                )])
                .all()
                .remove(0),
            },
        };
        Delta { seq, at: 0, change }
    }

    #[test]
    fn a_client_gets_only_the_layers_it_draws_and_can_still_tell_a_loss() {
        let mut filter = StreamFilter::new(10);
        assert_eq!(filter.pass(&delta(11, Some("congestion"))), Some(10));
        assert!(filter.accept_message(r#"{"type":"layers","layers":["flood"]}"#));
        assert_eq!(filter.pass(&delta(12, Some("congestion"))), None);
        assert_eq!(
            filter.pass(&delta(13, None)),
            Some(11),
            "health reaches every wall"
        );
        assert_eq!(filter.pass(&delta(14, Some("flood"))), Some(13));
        let text = StreamFilter::text(&delta(15, Some("flood")), 14).unwrap_or_default();
        assert!(
            text.contains(r#""prev":14"#) && text.contains(r#""seq":15"#),
            "{text}"
        );
        assert!(!filter.accept_message(r#"{"type":"other"}"#));
        assert!(filter.accept_message(r#"{"type":"layers","layers":null}"#));
        assert_eq!(filter.pass(&delta(16, Some("congestion"))), Some(14));
    }
}
