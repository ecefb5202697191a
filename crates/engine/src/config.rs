//! Configuration: the TOML file format, its defaults, and validation that names the file, line
//! and field of every problem so `citywall check-config` can print them all at once.

use std::collections::HashSet;
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::Serialize;

pub mod audit;
mod basemap;
mod cameras;
pub mod centre;
mod display;
mod incidents;
mod layers;
mod map;
mod panels;
mod presentation;
mod raw;
mod recover;
mod serve;
mod store;
mod triage;
pub use crate::regions::RegionConfig;
pub use basemap::{BasemapConfig, BasemapKind};
pub use cameras::{CameraConfig, FollowWarnings};
pub use centre::CentreConfig;
use citywall_sources::spec as sources;
pub use citywall_sources::spec::{
    broker, Auth, MqttOptions, OgcOptions, RecordMapping, SourceConfig, SourceKind, StaOptions,
};
pub use display::DisplayConfig;
pub use incidents::{IncidentsConfig, LayerCases};
pub use layers::{LayerConfig, LayerFilter, Severity};
pub use map::MapConfig;
pub use panels::PanelsConfig;
pub use presentation::{ColorBy, PointStyle, PopupField, Presentation, TEMPLATES};
use raw::RawConfig;
pub use serve::ServeConfig;
use sources::valid_id;
pub use triage::TriageConfig;

/// A simulated clock: at wall time `wall_origin_ms` it read `sim_origin_ms`, and it runs
/// `scale` times faster.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, schemars::JsonSchema)]
pub struct DemoClock {
    pub wall_origin_ms: i64,
    pub sim_origin_ms: i64,
    pub scale: f64,
}

/// One problem found in a config file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConfigProblem {
    pub file: String,
    pub line: usize,
    pub field: String,
    pub message: String,
}

impl fmt::Display for ConfigProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.field.is_empty() {
            write!(f, "{}:{}: {}", self.file, self.line, self.message)
        } else {
            write!(
                f,
                "{}:{}: `{}`: {}",
                self.file, self.line, self.field, self.message
            )
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{} problem(s) in the config:\n{}", .0.len(), .0.iter().map(|p| format!("  {p}")).collect::<Vec<_>>().join("\n"))]
    Invalid(Vec<ConfigProblem>),
}

/// Which layer holds the cameras, for `cameras/nearest`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Config {
    /// Where the config came from, for messages; `None` for a config built in code.
    pub origin: Option<PathBuf>,
    /// The SQLite database file (unless `store_url` names a PostgreSQL database).
    pub store_path: PathBuf,
    /// `[store] url`: the PostgreSQL + PostGIS database the engine keeps its truth in.
    pub store_url: Option<String>,
    /// Connections of the PostgreSQL store's pool.
    pub store_pool: u32,
    /// Demo mode: the wall shows 演示数据 / DEMO permanently.
    pub demo: bool,
    /// In demo mode, the simulated city's clock, so the wall shows the time its data speaks of.
    pub demo_clock: Option<DemoClock>,
    pub layers: Vec<LayerConfig>,
    pub sources: Vec<SourceConfig>,
    pub regions: Vec<RegionConfig>,
    pub cameras: Option<CameraConfig>,
    pub rules: crate::rules::RulesConfig,
    /// The physical wall: screens and their roles (one window when absent).
    pub wall: Option<crate::wall::WallConfig>,
    /// The map's first view.
    pub map: MapConfig,
    /// Whose wall this is (`[centre]`).
    pub centre: CentreConfig,
    /// The incident loop's time limits and categories (`[incidents]`).
    pub incidents: IncidentsConfig,
    /// Which side panels the wall shows, in order.
    pub panels: PanelsConfig,
    /// The screen the wall is read on (`[display]`): its legibility scale.
    pub display: DisplayConfig,
    /// How the wall orders and folds its warnings (`[warnings]`).
    pub warnings: TriageConfig,
    /// The city's own basemap; `None`: the wall draws its background and says no basemap is set.
    pub basemap: Option<BasemapConfig>,
    /// Where browser mode listens, and its certificate (`[serve]`).
    pub serve: ServeConfig,
    /// The audit log's key and checkpoints.
    pub audit: audit::AuditConfig,
    /// The centres of a "1+N+N" city and their areas (`[[centres]]`); empty: one centre.
    pub centres: Vec<crate::centres::CentreSpec>,
}

impl Config {
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.display().to_string(),
            source,
        })?;
        let base = path.parent().unwrap_or_else(|| Path::new("."));
        let mut config = Config::parse(&text, &path.display().to_string(), base)?;
        config.origin = Some(path.to_path_buf());
        Ok(config)
    }

    /// Parses and validates config text. `file` names it in messages; relative paths in it are
    /// taken from `base`.
    pub fn parse(text: &str, file: &str, base: &Path) -> Result<Config, ConfigError> {
        // Past its first unknown or unreadable key: every mistake is found in one run.
        let reading = recover::read::<RawConfig>(text);
        let mut problems: Vec<ConfigProblem> = reading
            .mistakes
            .into_iter()
            .map(|(span, message)| ConfigProblem {
                file: file.to_string(),
                line: line_of(text, span.start),
                field: String::new(),
                message,
            })
            .collect();
        let Some(raw) = reading.value else {
            return Err(ConfigError::Invalid(problems));
        };
        let mut problem = |span: Range<usize>, field: &str, message: String| {
            problems.push(ConfigProblem {
                file: file.to_string(),
                line: line_of(text, span.start),
                field: field.to_string(),
                message,
            })
        };

        let mut layers = Vec::new();
        let mut layer_ids = HashSet::new();
        for layer in &raw.layer {
            let id = layer.get_ref().id.get_ref();
            if !valid_id(id) {
                problem(
                    layer.get_ref().id.span(),
                    "layer.id",
                    format!("`{id}` is not a valid id: use lowercase letters, digits and '-'"),
                );
            } else if !layer_ids.insert(id.clone()) {
                problem(
                    layer.get_ref().id.span(),
                    "layer.id",
                    format!("layer `{id}` is defined twice"),
                );
            }
            let l = layer.get_ref();
            if let Some(z) = &l.cluster_below_zoom {
                if !(0.0..=24.0).contains(z.get_ref()) {
                    problem(
                        z.span(),
                        "layer.cluster_below_zoom",
                        format!("{} is outside 0..24", z.get_ref()),
                    );
                }
            }
            if let Some(sev) = &l.severity {
                if sev.get_ref().order.is_empty()
                    || sev.get_ref().order.len() > crate::spatial::cluster::SEVERITY_RANKS
                {
                    problem(
                        sev.span(),
                        "layer.severity.order",
                        format!(
                            "give 1 to {} values from mildest to worst",
                            crate::spatial::cluster::SEVERITY_RANKS
                        ),
                    );
                }
            }
            let presentation = Presentation {
                group: l.group.clone(),
                group_en: l.group_en.clone(),
                visible: l.visible.unwrap_or(true),
                min_zoom: l.min_zoom,
                max_zoom: l.max_zoom,
                template: l.template.clone(),
                geometry: l.geometry.clone(),
                label: l.label.clone(),
                style: l.style.clone(),
                popup: l.popup.clone().unwrap_or_default(),
            };
            for (field, message) in presentation.problems() {
                // The line of the key inside this [[layer]] (style, popup, template …).
                let key = field.split('.').nth(1).unwrap_or(field);
                let at = key_line(text, layer.span(), key);
                problem(at, field, format!("layer `{id}`: {message}"));
            }
            if let Some(f) = &l.filter {
                if f.get_ref().field.trim().is_empty() || f.get_ref().values.is_empty() {
                    problem(
                        f.span(),
                        "layer.filter",
                        format!("layer `{id}`: a filter needs a `field` and at least one of its `values`"),
                    );
                }
            }
            if let Some(c) = &l.cases {
                for message in c.get_ref().problems() {
                    problem(c.span(), "layer.cases", format!("layer `{id}`: {message}"));
                }
            }
            layers.push(LayerConfig {
                cases: l.cases.as_ref().map(|c| c.get_ref().clone()),
                filter: l.filter.as_ref().map(|f| f.get_ref().clone()),
                presentation,
                cluster_below_zoom: l.cluster_below_zoom.as_ref().map(|z| *z.get_ref()),
                severity: l.severity.as_ref().map(|s| s.get_ref().clone()),
                time_field: l.time_field.clone(),
                history: l.history.unwrap_or(true),
                id: id.clone(),
                title_zh: layer
                    .get_ref()
                    .title_zh
                    .clone()
                    .unwrap_or_else(|| id.clone()),
                title_en: layer
                    .get_ref()
                    .title_en
                    .clone()
                    .unwrap_or_else(|| id.clone()),
            });
        }

        let mut sources = Vec::new();
        let mut source_ids = HashSet::new();
        for source in &raw.source {
            if let Some(s) =
                sources::parse_source(source, &layer_ids, &mut source_ids, &mut problem)
            {
                sources.push(s);
            }
        }

        let store = store::store_at(raw.store.as_ref(), base, &mut problem);

        let mut regions = Vec::new();
        for region in &raw.regions {
            let r = region.get_ref();
            if !["district", "street", "grid"].contains(&r.level.as_str()) {
                problem(
                    region.span(),
                    "regions.level",
                    format!("unknown level `{}`: use district, street or grid", r.level),
                );
            }
            if !base.join(&r.path).is_file() {
                problem(
                    region.span(),
                    "regions.path",
                    format!("no file at {}", base.join(&r.path).display()),
                );
            }
            regions.push(RegionConfig {
                level: r.level.clone(),
                path: base.join(&r.path),
                name_field: r.name_field.clone().unwrap_or_else(|| "name".into()),
            });
        }
        // toml's Spanned does not nest inside these tables, so their problems point at the
        // table's header line.
        let header = |name: &str| {
            let at = text.find(name).unwrap_or(0);
            at..at
        };
        if let Some(cameras) = &raw.cameras {
            for (field, message) in cameras.problems() {
                problem(header("[cameras]"), field, message);
            }
        }
        if let Some(cameras) = &raw.cameras {
            if !layer_ids.contains(&cameras.layer) {
                problem(
                    header("[cameras]"),
                    "cameras.layer",
                    format!(
                        "names layer `{}`, which no [[layer]] defines",
                        cameras.layer
                    ),
                );
            }
        }
        if let Some(wall) = &raw.wall {
            for message in wall.problems() {
                problem(header("[wall]"), "wall.screens", message);
            }
        }
        let incidents = raw.incidents.clone().unwrap_or_default();
        for (field, message) in incidents.problems() {
            problem(header("[incidents]"), field, message);
        }
        let centre = raw.centre.clone().unwrap_or_default();
        for (field, message) in centre.problems() {
            problem(header("[centre]"), field, message);
        }
        let warnings = raw.warnings.clone().unwrap_or_default();
        for (field, message) in warnings.problems() {
            problem(header("[warnings]"), field, message);
        }
        let display = raw.display.clone().unwrap_or_default();
        for (field, message) in display.problems() {
            problem(header("[display]"), field, message);
        }
        let map = raw.map.clone().unwrap_or_default();
        for (field, message) in map.problems() {
            problem(header("[map]"), field, message);
        }
        if let Some(basemap) = &raw.basemap {
            for (field, message) in basemap.problems() {
                problem(header("[basemap]"), field, message);
            }
            // A missing archive or style file is named with the rest, not when the wall opens.
            let mut resolved = basemap.clone();
            resolved.resolve(base);
            let local = [
                resolved.archive.clone(),
                resolved
                    .style
                    .clone()
                    .filter(|s| !s.starts_with("http://") && !s.starts_with("https://"))
                    .map(PathBuf::from),
            ];
            for (field, path) in ["basemap.archive", "basemap.style"].into_iter().zip(local) {
                if let Some(path) = path.filter(|p| !p.is_file()) {
                    let from = header("[basemap]").start..text.len();
                    let at = key_line(text, from, field.trim_start_matches("basemap."));
                    problem(at, field, format!("no file at {}", path.display()));
                }
            }
        }
        let mut serve = raw.serve.clone().unwrap_or_default();
        for (field, message) in serve.problems() {
            problem(header("[serve]"), field, message);
        }
        serve.resolve(base);
        let mut audit = raw.audit.clone().unwrap_or_default();
        for (field, message) in audit.problems() {
            problem(header("[audit]"), field, message);
        }
        audit.resolve(base);
        let panels = raw.panels.clone().unwrap_or_default();
        for (field, message) in panels.problems() {
            problem(header("[panels]"), field, message);
        }
        let rules = raw.rules.clone().unwrap_or_default();
        let region_levels: Vec<&str> = regions.iter().map(|r| r.level.as_str()).collect();
        for (field, message) in rules.problems(&layer_ids, &region_levels) {
            let table = field.rsplit_once('.').map(|(t, _)| t).unwrap_or(&field);
            problem(header(&format!("[{table}]")), &field, message);
        }

        let centres: Vec<crate::centres::CentreSpec> =
            raw.centres.iter().map(|c| c.get_ref().clone()).collect();
        for (i, field, message) in crate::centres::problems(&centres, &region_levels) {
            problem(raw.centres[i].span(), &field, message);
        }

        if !problems.is_empty() {
            // As a reader goes through the file: each file's problems by line.
            problems.sort_by(|a, b| a.file.cmp(&b.file).then(a.line.cmp(&b.line)));
            return Err(ConfigError::Invalid(problems));
        }
        Ok(Config {
            regions,
            cameras: raw.cameras,
            wall: raw.wall,
            map,
            centre,
            incidents,
            panels,
            display,
            warnings,
            basemap: raw.basemap.clone().map(|mut b| {
                b.resolve(base);
                b
            }),
            rules,
            serve,
            audit,
            centres,
            origin: None,
            store_path: store.path,
            store_url: store.url,
            store_pool: store.pool,
            demo: raw.demo.unwrap_or(false),
            demo_clock: None,
            layers,
            sources,
        })
    }

    pub fn layer(&self, id: &str) -> Option<&LayerConfig> {
        self.layers.iter().find(|l| l.id == id)
    }

    /// The first layer drawn with the shipped template `name`.
    pub fn layer_with_template(&self, name: &str) -> Option<&LayerConfig> {
        self.layers
            .iter()
            .find(|l| l.presentation.template.as_deref() == Some(name))
    }

    /// Whether more than one source feeds `layer`. Each system numbers its own records, so in
    /// such a layer a feature is known by its source and its id (see [`feature_key`]).
    pub fn layer_is_shared(&self, layer: &str) -> bool {
        self.sources
            .iter()
            .filter(|s| s.layers.iter().any(|l| l == layer))
            .nth(1)
            .is_some()
    }

    /// The id a record of `source` goes by in its layer: the record's own id where the source
    /// feeds its layer alone, `source:id` where several do, so two systems that both number
    /// their cases from 1 never collide. Unambiguous: source ids hold no `:`.
    pub fn feature_key(&self, source: &SourceConfig, id: String) -> String {
        if self.layer_is_shared(&source.layer) {
            format!("{}:{id}", source.id)
        } else {
            id
        }
    }
}

/// Where `key = …` starts inside the table spanning `span`; the table's start without one.
fn key_line(text: &str, span: Range<usize>, key: &str) -> Range<usize> {
    let table = text.get(span.clone()).unwrap_or("");
    let mut offset = 0;
    for line in table.split_inclusive('\n') {
        let trimmed = line.trim_start();
        if trimmed.starts_with(key) && trimmed[key.len()..].trim_start().starts_with('=') {
            let at = span.start + offset;
            return at..at;
        }
        offset += line.len();
    }
    span
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

#[cfg(test)]
mod tests;
