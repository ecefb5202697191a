//! Escalation by time (逐级上报): a red warning its centre has not acknowledged within the
//! centre's limit (`[[centres]] ack_limit_min`) is raised on the parent's wall too, saying
//! which centre has not acknowledged it and for how long. A centre off duty (outside its
//! `duty_hours`) has nobody to acknowledge: its reds go up at once, and past any centre above
//! that is off duty too, to the nearest one staffed. It clears once the warning is
//! acknowledged or clears; the city's centre, having no parent, escalates to nobody.

use super::{Desired, Kind, Level, State, Warning};
use crate::centres::Centres;

/// One escalation per open red warning of a centre under another, past that centre's limit.
/// `minute`: the minute of the day `now` is, in the centre's time zone (duty hours).
pub fn evaluate<'a>(
    open: impl Iterator<Item = &'a Warning>,
    centres: &Centres,
    now: i64,
    minute: u32,
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
        let Some(at) = centres.index(owner) else {
            continue;
        };
        let (Some(centre), Some(above)) = (centres.at(at), centres.on_duty_above(at, minute))
        else {
            continue;
        };
        let staffed = Centres::on_duty(centre, minute);
        let waited_ms = now.saturating_sub(w.raised_at);
        let limit_ms = i64::from(centre.ack_limit_min) * 60_000;
        if staffed && waited_ms < limit_ms {
            continue;
        }
        let minutes = waited_ms / 60_000;
        let (why, why_en) = if staffed {
            (
                format!("{minutes} 分钟未确认"),
                format!("not acknowledged for {minutes} min"),
            )
        } else {
            ("非值守时段".to_string(), "off duty".to_string())
        };
        out.push(Desired {
            key: format!("unacknowledged:{}", w.id),
            kind: Kind::Unacknowledged,
            level: Level::Red,
            layer: w.what.layer.clone(),
            subject: w.id.clone(),
            title: format!("{} {why}：{}", centre.name_zh, w.what.title),
            title_en: format!(
                "{}: {why_en}: {}",
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
            owner: Some(above.id.clone()),
        });
    }
    out
}
