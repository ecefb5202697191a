//! Replay and history: the wall as it stood at an instant, and one feature's recorded states,
//! read from the store on the data clock.

use schemars::JsonSchema;
use serde::Serialize;
use serde_json::{json, Map, Value};

use super::{Api, ApiError};
use crate::model::Bbox;

/// The span replay can show, on the data clock: its first instant (none while the history is
/// empty) and now.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ReplaySpan {
    pub from: Option<i64>,
    pub to: i64,
}

/// One recorded state of a feature: its properties then (none: it was removed).
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct HistoryPoint {
    pub at: i64,
    pub properties: Option<Map<String, Value>>,
}

impl Api {
    /// Replay: the layer as it stood at `at` (Unix ms on the data clock), from the stored
    /// history, inside `bbox`. The same instant always gives the same answer.
    pub async fn replay(
        &self,
        layer: &str,
        at: i64,
        bbox: Option<Bbox>,
    ) -> Result<Value, ApiError> {
        self.known_layer(layer)?;
        let display = self.engine.display;
        let bbox = bbox.map(|b| display.bbox_back(b));
        let wall = self.engine.data_to_wall(at);
        let features = self
            .engine
            .store
            .features_at(
                layer,
                wall,
                bbox.map(|b| [b.west, b.south, b.east, b.north]),
            )
            .await?;
        let mut items: Vec<Value> = features
            .iter()
            .map(|f| {
                let mut g = f.to_geojson(false);
                display.geojson_out(&mut g);
                g
            })
            .collect();
        // A stable order, so two replays of one instant are byte for byte the same.
        items.sort_by(|a, b| a["id"].as_str().cmp(&b["id"].as_str()));
        let mut answer = json!({
                    "type": "FeatureCollection",
                    "layer": layer,
                    "mode": "replay",
                    "at": at,
                    "truncated": false,
                    "seq": 0,
        });
        // Moved in, not copied: `json!` would serialise the whole list into a new one.
        answer["features"] = Value::Array(items);
        Ok(answer)
    }

    /// The span replay can show: from the first stored change to now, on the data clock.
    pub async fn replay_span(&self) -> Result<ReplaySpan, ApiError> {
        let span = self.engine.store.history_span().await?;
        Ok(ReplaySpan {
            from: span.map(|(first, _)| self.engine.wall_to_data(first)),
            to: self.engine.data_now(),
        })
    }

    /// The warnings open at `at` (data clock), as they stood then.
    pub async fn replay_warnings(&self, at: i64) -> Result<Vec<crate::rules::Warning>, ApiError> {
        let warnings = self.engine.store.warnings_at(at).await?;
        Ok(warnings
            .into_iter()
            .map(|w| self.engine.warning_out(w))
            .collect())
    }

    /// The wall's headline numbers as they stood at `at` (data clock).
    pub async fn replay_summary(&self, at: i64) -> Result<crate::kpi::Summary, ApiError> {
        let wall = self.engine.data_to_wall(at);
        let layers = crate::kpi::KpiLayers::of(&self.engine.config);
        let mut features = Vec::new();
        for layer in layers.ids() {
            features.extend(self.engine.store.features_at(layer, wall, None).await?);
        }
        Ok(crate::kpi::summarize(
            &crate::spatial::SpatialIndex::load(features),
            &layers,
        ))
    }

    /// One feature's recorded states since `since` (data clock), oldest first: what the detail
    /// panel's charts draw.
    pub async fn history(
        &self,
        layer: &str,
        id: &str,
        since: i64,
        limit: u32,
    ) -> Result<Vec<HistoryPoint>, ApiError> {
        self.known_layer(layer)?;
        let wall = self.engine.data_to_wall(since);
        let rows = self
            .engine
            .store
            .feature_history(layer, id, wall, limit.clamp(1, 5000))
            .await?;
        Ok(rows
            .into_iter()
            .map(|(at, properties)| HistoryPoint {
                at: self.engine.wall_to_data(at),
                properties,
            })
            .collect())
    }
}
