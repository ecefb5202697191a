//! Escalation by time (逐级上报): a red warning its centre has not acknowledged within the
//! centre's limit (`[[centres]] ack_limit_min`) is raised on the parent's wall too, saying
//! which centre has not acknowledged it and for how long. It clears once the warning is
//! acknowledged or clears; the city's centre, having no parent, escalates to nobody.

use super::{Desired, Kind, Level, State, Warning};
use crate::centres::Centres;

/// One escalation per open red warning of a centre under another, past that centre's limit.
pub fn evaluate<'a>(
    open: impl Iterator<Item = &'a Warning>,
    centres: &Centres,
    now: i64,
) -> Vec<Desired> {
    let mut out = Vec::new();
    for w in open {
        if w.state != State::Raised
            || w.what.level != Level::Red
            || w.what.kind == Kind::Unacknowledged
        {
            continue;
        }
        let owner = centres.owner(w.what.lon, w.what.lat);
        let Some(centre) = centres.get(owner) else {
            continue;
        };
        if centre.parent.is_none() {
            continue;
        }
        let waited_ms = now.saturating_sub(w.raised_at);
        let limit_ms = i64::from(centre.ack_limit_min) * 60_000;
        if waited_ms < limit_ms {
            continue;
        }
        let minutes = waited_ms / 60_000;
        out.push(Desired {
            key: format!("unacknowledged:{}", w.id),
            kind: Kind::Unacknowledged,
            level: Level::Red,
            layer: w.what.layer.clone(),
            subject: w.id.clone(),
            title: format!("{} {minutes} 分钟未确认：{}", centre.name_zh, w.what.title),
            title_en: format!(
                "{}: not acknowledged for {minutes} min: {}",
                centre.name_en,
                if w.what.title_en.is_empty() {
                    &w.what.title
                } else {
                    &w.what.title_en
                }
            ),
            detail: w.what.detail.clone(),
            detail_en: w.what.detail_en.clone(),
            lon: w.what.lon,
            lat: w.what.lat,
            value: minutes as f64,
            threshold: f64::from(centre.ack_limit_min),
            related: vec![w.id.clone()],
            owner: centre
                .parent
                .and_then(|p| centres.at(p))
                .map(|p| p.id.clone()),
        });
    }
    out
}
