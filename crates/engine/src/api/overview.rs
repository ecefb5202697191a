//! What the wall reads at a glance through the façade: the headline numbers (now, as a trend,
//! and over a centre's area) and search, each as the caller's centre sees it.

use super::{Api, ApiError};

impl Api {
    /// What `who` finds: the hits in its centre's area.
    pub fn search_for(
        &self,
        who: &crate::access::Principal,
        query: &str,
    ) -> Result<Vec<crate::search::Hit>, ApiError> {
        let centres = &self.engine.centres;
        let mut hits = self.search(query)?;
        if !self.sees_all(who) {
            hits.retain(|h| {
                let (lon, lat) = self.engine.display.back(h.lon, h.lat);
                self.sees(who, centres.owner(lon, lat))
            });
        }
        Ok(hits)
    }

    /// Features whose name, category, place, id or a recently seen plate holds `query`.
    pub fn search(&self, query: &str) -> Result<Vec<crate::search::Hit>, ApiError> {
        if query.chars().count() > 64 {
            return Err(ApiError::BadRequest(
                "`q` is longer than 64 characters".into(),
            ));
        }
        let layers: Vec<String> = self
            .engine
            .config
            .layers
            .iter()
            .map(|l| l.id.clone())
            .collect();
        let mut hits = crate::search::search(&self.engine.index(), &layers, query);
        for hit in &mut hits {
            (hit.lon, hit.lat) = self.engine.display.out(hit.lon, hit.lat);
        }
        Ok(hits)
    }

    /// The headline numbers' trend over `who`'s centre's area since the engine started, oldest
    /// first; with `since` (data clock ms), only the samples after it — what a wall that already
    /// holds the trend needs.
    pub fn summary_series(
        &self,
        who: &crate::access::Principal,
        since: Option<i64>,
    ) -> Vec<crate::kpi::Sample> {
        self.engine
            .kpi_trend
            .since(self.centre_of(who), since.unwrap_or(i64::MIN))
    }

    /// The wall's headline numbers over the whole city. Where the incident layer's features
    /// are cases of the loop, its 办结率 is the loop's: closed / received over every case the
    /// store holds, not only those still in the source's feed.
    pub async fn summary(&self) -> crate::kpi::Summary {
        self.summary_of(None).await
    }

    /// The headline numbers as `who` sees them: over its centre's area (the city's: all).
    pub async fn summary_for(&self, who: &crate::access::Principal) -> crate::kpi::Summary {
        if self.sees_all(who) {
            return self.summary().await;
        }
        self.summary_of(Some(who)).await
    }

    async fn summary_of(&self, who: Option<&crate::access::Principal>) -> crate::kpi::Summary {
        let layers = crate::kpi::KpiLayers::of(&self.engine.config);
        let centres = &self.engine.centres;
        let keep =
            |lon: f64, lat: f64| who.is_none_or(|who| self.sees(who, centres.owner(lon, lat)));
        let mut summary = crate::kpi::summarize_where(&self.engine.index(), &layers, &keep);
        let mapped = layers
            .incidents
            .as_deref()
            .and_then(|l| self.engine.config.layer(l))
            .is_some_and(|l| l.cases.is_some());
        if mapped {
            let cases = match who {
                Some(who) => self.case_summary_for(who).await,
                None => self.case_summary().await,
            };
            if let Ok(cases) = cases {
                summary.incidents.closure_rate_pct = cases
                    .rate_closed
                    .map_or(0.0, |r| (r * 1000.0).round() / 10.0);
            }
        }
        summary
    }
}
