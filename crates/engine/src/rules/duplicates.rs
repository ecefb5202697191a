//! Duplicate reports: the same thing reported several times — by the hotline, a video-AI alarm
//! and a grid worker — within N metres and M minutes, with the same category. They are merged
//! into one warning that carries the count and every report's id, so the duty officer
//! dispatches once.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::rule::{Judging, Owns, Rule};
use super::{metres, text, time_ms, Desired, Kind, Level};
use crate::spatial::LayerIndex;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DuplicateRule {
    pub layer: String,
    #[serde(default = "category_field")]
    pub category_field: String,
    #[serde(default = "time_field")]
    pub time_field: String,
    #[serde(default = "within_m")]
    pub within_m: f64,
    #[serde(default = "within_min")]
    pub within_min: f64,
    /// Once every report of a group has one of these statuses, the group is done.
    #[serde(default = "status_field")]
    pub status_field: String,
    #[serde(default = "closed")]
    pub closed: Vec<String>,
}

fn category_field() -> String {
    "category".into()
}
fn time_field() -> String {
    "reported_at".into()
}
fn within_m() -> f64 {
    100.0
}
fn within_min() -> f64 {
    30.0
}
fn status_field() -> String {
    "status".into()
}
fn closed() -> Vec<String> {
    vec!["已办结".into()]
}

/// One report as the merge sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub id: String,
    pub category: String,
    pub at: i64,
    pub lon: f64,
    pub lat: f64,
    pub closed: bool,
}

/// Groups reports: in time order, each joins the first group of its category whose first report
/// is at most `within_m` away and `within_min` earlier; otherwise it starts a group.
pub fn merge(mut reports: Vec<Report>, within_m: f64, within_min: f64) -> Vec<Vec<Report>> {
    reports.sort_by(|a, b| a.at.cmp(&b.at).then_with(|| a.id.cmp(&b.id)));
    let window = (within_min * 60_000.0) as i64;
    let mut groups: Vec<Vec<Report>> = Vec::new();
    let mut by_category: HashMap<String, Vec<usize>> = HashMap::new();
    for r in reports {
        let candidates = by_category.entry(r.category.clone()).or_default();
        let home = candidates.iter().copied().find(|&g| {
            let first = &groups[g][0];
            r.at - first.at <= window && metres([first.lon, first.lat], [r.lon, r.lat]) <= within_m
        });
        match home {
            Some(g) => groups[g].push(r),
            None => {
                candidates.push(groups.len());
                groups.push(vec![r]);
            }
        }
    }
    groups
}

pub fn evaluate(rule: &DuplicateRule, layer: &LayerIndex) -> Vec<Desired> {
    let reports: Vec<Report> = layer
        .iter()
        .filter_map(|f| {
            let p = &f.properties;
            Some(Report {
                id: f.id.clone(),
                category: text(p, &rule.category_field)?.to_string(),
                at: time_ms(p, &rule.time_field)?,
                lon: f.lon,
                lat: f.lat,
                closed: text(p, &rule.status_field)
                    .is_some_and(|s| rule.closed.iter().any(|c| c == s)),
            })
        })
        .collect();
    merge(reports, rule.within_m, rule.within_min)
        .into_iter()
        .filter(|g| g.len() >= 2 && g.iter().any(|r| !r.closed))
        .map(|g| {
            let first = &g[0];
            let count = g.len();
            let span_min = (g[count - 1].at - first.at) as f64 / 60_000.0;
            Desired {
                key: format!("{}:{}", Kind::Duplicate.as_str(), first.id),
                kind: Kind::Duplicate,
                level: if count >= 4 {
                    Level::Yellow
                } else {
                    Level::Blue
                },
                layer: layer
                    .iter()
                    .next()
                    .map(|f| f.layer.clone())
                    .unwrap_or_default(),
                subject: first.id.clone(),
                title: format!("{} 重复上报 ×{count}", first.category),
                detail: format!(
                    "{count} 条同类上报，{:.0} 米内、{span_min:.0} 分钟内，已合并为一件",
                    rule.within_m
                ),
                title_en: format!("{} reported {count} times", first.category),
                detail_en: format!(
                    "{count} reports of one kind within {:.0} m and {span_min:.0} min, merged into one",
                    rule.within_m
                ),
                lon: first.lon,
                lat: first.lat,
                value: count as f64,
                threshold: 2.0,
                related: g.iter().map(|r| r.id.clone()).collect(),
                owner: None,
            }
        })
        .collect()
}

impl Rule for DuplicateRule {
    fn table(&self) -> &'static str {
        "duplicates"
    }

    fn layer(&self) -> &str {
        &self.layer
    }

    fn owns(&self) -> Owns {
        Owns::Kinds(&[Kind::Duplicate])
    }

    fn judge(&self, at: &mut Judging<'_>) -> Vec<Desired> {
        evaluate(self, at.layer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(id: &str, category: &str, minute: i64, north_m: f64) -> Report {
        Report {
            id: id.into(),
            category: category.into(),
            at: minute * 60_000,
            lon: 118.28,
            lat: 33.96 + north_m / 111_195.0,
            closed: false,
        }
    }

    #[test]
    fn same_category_within_the_distance_and_time_merges() {
        let groups = merge(
            vec![
                r("a", "明火", 0, 0.0),
                r("b", "明火", 10, 60.0),
                // At the limits exactly: 100 m and 30 minutes after the first report.
                r("c", "明火", 30, 99.9),
                // Past either limit: a new group.
                r("d", "明火", 31, 0.0),
                r("e", "明火", 5, 101.0),
                // Another category at the same place and time is another thing.
                r("f", "违停", 1, 0.0),
            ],
            100.0,
            30.0,
        );
        let ids: Vec<Vec<&str>> = groups
            .iter()
            .map(|g| g.iter().map(|r| r.id.as_str()).collect())
            .collect();
        assert_eq!(
            ids,
            vec![vec!["a", "b", "c"], vec!["f"], vec!["e"], vec!["d"]]
        );
    }
}
