//! 督办: a parent centre's urging on an overdue case one of its children holds stands on the
//! holder's wall as a red warning — who urged, what and when — until the holder takes the
//! case's next step (which clears the urging on the case, and so the warning).

use super::{Desired, Kind, Level};
use crate::cases::Case;

/// One warning per case with an urging standing on it, raised on the case's holder's wall.
pub fn evaluate(cases: &[Case]) -> Vec<Desired> {
    cases
        .iter()
        .filter_map(|case| {
            let urge = case.urged.as_ref()?;
            let number = case.id.rsplit(':').next().unwrap_or(&case.id);
            Some(Desired {
                key: format!("urged:{}", case.id),
                kind: Kind::Urged,
                level: Level::Red,
                layer: "cases".into(),
                subject: case.id.clone(),
                title: format!("督办：案件 {}（{number}）", case.title),
                title_en: format!("Urged: case {} ({number})", case.title),
                detail: format!("{} · {}", urge.by, urge.note),
                detail_en: format!("{} · {}", urge.by, urge.note),
                lon: case.lon,
                lat: case.lat,
                value: 1.0,
                threshold: 1.0,
                related: vec![case.id.clone()],
                owner: Some(case.centre.clone()),
            })
        })
        .collect()
}
