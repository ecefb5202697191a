//! 数据中断: the state of the data is itself a warning. A layer whose sources fail or fall stale
//! raises one warning, graded by how much of the layer went dark — every source of it down is
//! red (the wall shows that layer's last good data and nothing new), some of them orange — and
//! cleared when its sources recover. Without it a total outage reads as a calm day: no new
//! readings, so no warnings.

use std::collections::BTreeMap;

use crate::config::LayerConfig;
use crate::health::{SourceState, SourceStatus};
use crate::model::Bbox;

use super::{Desired, Kind, Level};

/// A source that says nothing usable: its last poll failed, or nothing fresh came for longer
/// than its `max_age`. One still making its first connection is not yet down.
fn is_down(state: SourceState) -> bool {
    matches!(state, SourceState::Failing | SourceState::Stale)
}

/// One warning per layer with a source down. `place` is where the warning sits (the whole city's
/// centre: an outage has no spot of its own).
pub fn evaluate(
    sources: &[SourceStatus],
    layers: &[LayerConfig],
    place: Option<Bbox>,
) -> Vec<Desired> {
    let mut by_layer: BTreeMap<&str, Vec<&SourceStatus>> = BTreeMap::new();
    for s in sources {
        by_layer.entry(s.layer.as_str()).or_default().push(s);
    }
    let (lon, lat) = place.map_or((0.0, 0.0), |b| {
        ((b.west + b.east) / 2.0, (b.south + b.north) / 2.0)
    });
    let mut out = Vec::new();
    for (layer, all) in by_layer {
        let down: Vec<&SourceStatus> = all.iter().copied().filter(|s| is_down(s.state)).collect();
        if down.is_empty() {
            continue;
        }
        let dark = down.len() == all.len();
        let config = layers.iter().find(|l| l.id == layer);
        let title_zh = config.map_or(layer, |l| l.title_zh.as_str());
        let title_en = config
            .map(|l| l.title_en.as_str())
            .filter(|t| !t.is_empty())
            .unwrap_or(title_zh);
        let names: Vec<&str> = down.iter().map(|s| s.title.as_str()).collect();
        let error = down.iter().find_map(|s| s.last_error.as_deref());
        let reason = error.unwrap_or("超过最长间隔无新数据");
        let reason_en = error.unwrap_or("nothing new for longer than its longest gap");
        let detail = if dark {
            format!(
                "{title_zh}全部 {} 个数据源中断（{}）：图上为最后一次成功的数据 · {reason}",
                all.len(),
                names.join("、")
            )
        } else {
            format!(
                "{title_zh} {}/{} 个数据源中断（{}）· {reason}",
                down.len(),
                all.len(),
                names.join("、")
            )
        };
        let names = names.join(", ");
        let detail_en = if dark {
            format!(
                "all {} sources of {title_en} down ({names}): the map shows their last good data · {reason_en}",
                all.len()
            )
        } else {
            format!(
                "{}/{} sources of {title_en} down ({names}) · {reason_en}",
                down.len(),
                all.len()
            )
        };
        out.push(Desired {
            key: format!("source-down:{layer}"),
            kind: Kind::SourceDown,
            level: if dark { Level::Red } else { Level::Orange },
            layer: layer.to_string(),
            subject: layer.to_string(),
            title: format!("数据中断 · {title_zh}"),
            detail,
            title_en: format!("Data outage · {title_en}"),
            detail_en,
            lon,
            lat,
            // How many of its sources are down: a change (one more source lost) updates the
            // warning, the seconds of silence do not.
            value: down.len() as f64,
            threshold: all.len() as f64,
            related: down.iter().map(|s| s.id.clone()).collect(),
            owner: None,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{SourceConfig, SourceKind};
    use crate::health::Health;
    use std::time::Duration;

    fn health(ids: &[(&str, &str)]) -> Health {
        let sources: Vec<SourceConfig> = ids
            .iter()
            .map(|(id, layer)| {
                SourceConfig::new(id, layer, SourceKind::Geojson, "http://127.0.0.1:1/x")
            })
            .collect();
        Health::new(&sources)
    }

    #[test]
    fn a_dark_layer_is_red_a_dimmed_one_orange_and_recovery_clears() {
        let h = health(&[("a1", "a"), ("a2", "a"), ("b1", "b")]);
        let ms = Duration::from_millis(5);
        for id in ["a1", "a2", "b1"] {
            h.record_success(id, ms, 1, 0, 1, None);
        }
        h.refresh();
        assert!(
            evaluate(&h.all(), &[], None).is_empty(),
            "all sources up: nothing"
        );

        h.record_failure("a1", ms, "HTTP 503".into());
        h.record_failure("b1", ms, "connection refused".into());
        h.refresh();
        let mut out = evaluate(&h.all(), &[], None);
        out.sort_by(|x, y| x.key.cmp(&y.key));
        assert_eq!(out.len(), 2);
        assert_eq!((out[0].layer.as_str(), out[0].level), ("a", Level::Orange));
        assert!(out[0].detail.contains("HTTP 503"), "{}", out[0].detail);
        assert_eq!((out[1].layer.as_str(), out[1].level), ("b", Level::Red));
        assert_eq!(out[1].kind, Kind::SourceDown);

        h.record_success("a1", ms, 1, 0, 1, None);
        h.record_success("b1", ms, 1, 0, 1, None);
        h.refresh();
        assert!(evaluate(&h.all(), &[], None).is_empty());
    }

    #[test]
    fn a_source_still_connecting_is_not_an_outage() {
        let h = health(&[("a1", "a")]);
        h.refresh();
        assert!(evaluate(&h.all(), &[], None).is_empty());
    }
}
