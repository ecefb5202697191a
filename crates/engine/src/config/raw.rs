//! The config file as read, before it is checked: every section and table with where it stands
//! in the text (`Spanned`), so each problem names its line.

use serde::Deserialize;
use toml::Spanned;

use super::{
    BasemapConfig, CameraConfig, CentreConfig, DisplayConfig, IncidentsConfig, LayerCases,
    LayerFilter, MapConfig, PanelsConfig, PointStyle, PopupField, ServeConfig, Severity,
    TriageConfig,
};
use citywall_sources::spec::RawSource;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawConfig {
    pub(super) demo: Option<bool>,
    pub(super) store: Option<Spanned<super::store::RawStore>>,
    #[serde(default)]
    pub(super) layer: Vec<Spanned<RawLayer>>,
    #[serde(default)]
    pub(super) source: Vec<Spanned<RawSource>>,
    #[serde(default)]
    pub(super) regions: Vec<Spanned<RawRegion>>,
    pub(super) cameras: Option<CameraConfig>,
    pub(super) rules: Option<crate::rules::RulesConfig>,
    pub(super) wall: Option<crate::wall::WallConfig>,
    pub(super) map: Option<MapConfig>,
    pub(super) centre: Option<CentreConfig>,
    pub(super) display: Option<DisplayConfig>,
    pub(super) warnings: Option<TriageConfig>,
    pub(super) incidents: Option<IncidentsConfig>,
    pub(super) panels: Option<PanelsConfig>,
    pub(super) basemap: Option<BasemapConfig>,
    pub(super) serve: Option<ServeConfig>,
    pub(super) audit: Option<super::audit::AuditConfig>,
    #[serde(default)]
    pub(super) centres: Vec<Spanned<crate::centres::CentreSpec>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRegion {
    pub(super) level: String,
    pub(super) path: String,
    pub(super) name_field: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawLayer {
    pub(super) id: Spanned<String>,
    pub(super) title_zh: Option<String>,
    pub(super) title_en: Option<String>,
    pub(super) cluster_below_zoom: Option<Spanned<f64>>,
    pub(super) severity: Option<Spanned<Severity>>,
    pub(super) time_field: Option<String>,
    pub(super) history: Option<bool>,
    pub(super) group: Option<String>,
    pub(super) group_en: Option<String>,
    pub(super) visible: Option<bool>,
    pub(super) min_zoom: Option<f64>,
    pub(super) max_zoom: Option<f64>,
    pub(super) template: Option<String>,
    pub(super) geometry: Option<String>,
    pub(super) label: Option<String>,
    pub(super) style: Option<PointStyle>,
    pub(super) popup: Option<Vec<PopupField>>,
    pub(super) filter: Option<Spanned<LayerFilter>>,
    pub(super) cases: Option<Spanned<LayerCases>>,
}
