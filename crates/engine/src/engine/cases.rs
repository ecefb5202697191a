//! A layer whose features are cases of the incident loop as their source reports them
//! (`[[layer]] cases = {…}`): after each batch lands, its changed features are brought into the
//! loop's store — the source's status mapped onto the loop's states — so 办结率 and 按期结案率
//! count every case the source ever reported, not only those still in its feed.

use serde_json::Value;

use super::Engine;
use crate::cases::CaseState;
use crate::config::SourceConfig;
use crate::model::Feature;
use crate::store::cases::SourceCase;

impl Engine {
    pub(crate) async fn sync_cases(&self, source: &SourceConfig, features: &[Feature]) {
        let Some(layer) = self.config.layer(&source.layer) else {
            return;
        };
        let Some(mapping) = &layer.cases else {
            return;
        };
        let text = |f: &Feature, field: &str| {
            f.properties
                .get(field)
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string()
        };
        let items: Vec<SourceCase> = features
            .iter()
            .filter_map(|f| {
                let status = text(f, &mapping.status_field);
                let state = mapping
                    .states
                    .get(&status)
                    .and_then(|s| CaseState::parse(s))?;
                let category = text(f, &mapping.category_field);
                let urgent = mapping
                    .urgent
                    .as_ref()
                    .is_some_and(|u| u.takes(&f.properties));
                let reported_at = layer
                    .time_field
                    .as_deref()
                    .map(|field| text(f, field))
                    .and_then(|t| chrono::DateTime::parse_from_rfc3339(&t).ok())
                    .map(|t| t.timestamp_millis());
                Some(SourceCase {
                    // The feature's key: the source's own case number, prefixed with the source
                    // where several feed the layer.
                    id: f.id.clone(),
                    state,
                    status,
                    title: mapping
                        .title_field
                        .as_deref()
                        .map(|field| text(f, field))
                        .filter(|t| !t.is_empty())
                        .unwrap_or_else(|| category.clone()),
                    limit_h: self.config.incidents.limit_for(&category, urgent),
                    category,
                    urgent,
                    centre: self.centres.owner(f.lon, f.lat).to_string(),
                    lon: f.lon,
                    lat: f.lat,
                    reported_at,
                })
            })
            .collect();
        if let Err(e) = self
            .store
            .sync_source_cases(&source.id, &items, self.data_now())
            .await
        {
            tracing::error!(
                "source {}: cannot bring its cases into the loop: {e}",
                source.id
            );
        }
    }
}
