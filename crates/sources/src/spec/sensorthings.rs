//! `kind = "sensorthings"`: which Datastreams of an OGC SensorThings service become which
//! properties, which Things (`filter`), and how the latest Observation is found.

use serde::Serialize;

use super::raw::RawSource;

/// What a `sensorthings` source reads.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct StaOptions {
    /// Datastream name → feature property for its latest result (unmapped: the name itself).
    pub datastreams: std::collections::BTreeMap<String, String>,
    /// An OData `$filter` on Things, e.g. `properties/kind eq '下穿通道'`.
    pub filter: Option<String>,
    /// The Observation property ordered on to find the latest (`phenomenonTime` by default).
    pub observation_order: String,
    pub page_size: u32,
}

pub(super) fn read(s: &RawSource, page_size: u32) -> StaOptions {
    StaOptions {
        datastreams: s.datastreams.clone().unwrap_or_default(),
        filter: s.filter.clone(),
        observation_order: s
            .observation_order
            .clone()
            .unwrap_or_else(|| "phenomenonTime".into()),
        page_size,
    }
}
