//! Region polygons (district, street, grid) and what each holds: the choropleths' data.

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::Value;

use super::{Api, ApiError};

/// A layer's features counted per region of a level (`aggregate`).
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct RegionCounts {
    pub layer: String,
    pub level: String,
    /// Counted since (data clock ms), when asked.
    pub since: Option<i64>,
    pub total: u64,
    /// Features in no region of the level.
    pub outside: u64,
    /// The largest region's count.
    pub max: u64,
    /// Largest count first.
    pub regions: Vec<RegionCount>,
}

/// One region's count, and per severity where the layer ranks them.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct RegionCount {
    pub id: String,
    pub name: String,
    pub count: u64,
    pub by_severity: IndexMap<String, u64>,
}

impl Api {
    /// The polygons of one region level, as GeoJSON, for choropleths.
    pub fn regions(&self, level: &str) -> Result<Value, ApiError> {
        let mut polygons = self.known_level(level)?.geojson();
        self.engine.display.geojson_out(&mut polygons);
        Ok(polygons)
    }

    /// Features of `layer` counted per polygon of `level` (since `since`, Unix ms on the data
    /// clock, when given), with severities where the layer ranks them.
    pub fn aggregate(
        &self,
        layer: &str,
        level: &str,
        since: Option<i64>,
    ) -> Result<RegionCounts, ApiError> {
        let config = self.known_layer(layer)?;
        let regions = self.known_level(level)?;
        let mut counts = vec![0u64; regions.regions.len()];
        let ranks = config.severity.as_ref().map(|s| s.order.len()).unwrap_or(0);
        let mut severities = vec![vec![0u64; ranks]; regions.regions.len()];
        let (mut total, mut outside) = (0u64, 0u64);
        let index = self.engine.index();
        // Properties are parsed only where a time field or severity needs them.
        let needs_properties =
            config.severity.is_some() || (since.is_some() && config.time_field.is_some());
        for f in index.layer(layer).into_iter().flat_map(|l| l.scan()) {
            let properties = needs_properties.then(|| f.properties());
            let properties = properties.as_deref();
            if let Some(since) = since {
                let at = config
                    .time_field
                    .as_deref()
                    .zip(properties)
                    .and_then(|(k, p)| crate::rules::time_ms(p, k))
                    .unwrap_or(f.updated_at());
                if at < since {
                    continue;
                }
            }
            total += 1;
            let (lon, lat) = f.lon_lat();
            match regions.locate(lon, lat) {
                Some(i) => {
                    counts[i] += 1;
                    if let Some(r) = config
                        .severity
                        .as_ref()
                        .zip(properties)
                        .and_then(|(s, p)| s.rank(p))
                    {
                        severities[i][r as usize] += 1;
                    }
                }
                None => outside += 1,
            }
        }
        let names = config
            .severity
            .as_ref()
            .map(|s| s.order.clone())
            .unwrap_or_default();
        let mut rows: Vec<RegionCount> = regions
            .regions
            .iter()
            .enumerate()
            .map(|(i, r)| RegionCount {
                id: r.id.clone(),
                name: r.name.clone(),
                count: counts[i],
                by_severity: names
                    .iter()
                    .zip(&severities[i])
                    .filter(|(_, n)| **n > 0)
                    .map(|(k, n)| (k.clone(), *n))
                    .collect(),
            })
            .collect();
        // Stable: regions of one count keep the level's order, as before.
        rows.sort_by_key(|r| std::cmp::Reverse(r.count));
        Ok(RegionCounts {
            layer: layer.to_string(),
            level: level.to_string(),
            since,
            total,
            outside,
            max: counts.iter().max().copied().unwrap_or(0),
            regions: rows,
        })
    }
}
