//! A `[[centres]]` entry as the config writes it, and the checks that need no map: ids, the
//! parent links (one root, no loop), the acknowledgement limit, the duty hours, a region level
//! the config has.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

/// One centre of the tree: the city's, a district's or county's, a street's or township's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CentreSpec {
    /// Its id (letters, digits, `-` and `_`): accounts and cases name it.
    pub id: String,
    /// The centre above it; none for the root (the city's).
    #[serde(default)]
    pub parent: Option<String>,
    /// Its name on the header and in lists (default: the id).
    #[serde(default)]
    pub name_zh: Option<String>,
    #[serde(default)]
    pub name_en: Option<String>,
    /// The area it answers for; the root's default is the whole city.
    #[serde(default)]
    pub jurisdiction: Option<Jurisdiction>,
    /// The departments it dispatches to (default: `[incidents] departments`).
    #[serde(default)]
    pub departments: Vec<String>,
    /// When it is staffed, `HH:MM-HH:MM` in the centre's time zone (default: around the clock).
    #[serde(default)]
    pub duty_hours: Option<String>,
    /// Minutes a red warning may stay unacknowledged here before the parent is told (default 5).
    #[serde(default)]
    pub ack_limit_min: Option<u32>,
}

/// Where a centre's area comes from: a region of a configured `[[regions]]` level (by name or
/// id), or its own polygon.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged, deny_unknown_fields)]
pub enum Jurisdiction {
    Region { level: String, region: String },
    Polygon { polygon: Vec<[f64; 2]> },
}

/// The acknowledgement limit without one configured.
pub const DEFAULT_ACK_LIMIT_MIN: u32 = 5;

/// The longest acknowledgement limit: a day.
const MAX_ACK_LIMIT_MIN: u32 = 24 * 60;

impl CentreSpec {
    /// `HH:MM-HH:MM` as minutes of the day (start, end); an end before the start runs past
    /// midnight.
    pub fn duty_minutes(&self) -> Option<Result<(u32, u32), String>> {
        self.duty_hours.as_deref().map(duty_minutes)
    }

    pub fn ack_limit_min(&self) -> u32 {
        self.ack_limit_min.unwrap_or(DEFAULT_ACK_LIMIT_MIN)
    }
}

fn duty_minutes(text: &str) -> Result<(u32, u32), String> {
    let minute = |t: &str| -> Option<u32> {
        let (h, m) = t.trim().split_once(':')?;
        let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
        (h < 24 && m < 60).then_some(h * 60 + m)
    };
    let parsed = text
        .split_once('-')
        .and_then(|(a, b)| Some((minute(a)?, minute(b)?)));
    match parsed {
        Some((start, end)) if start != end => Ok((start, end)),
        Some(_) => Err(format!(
            "`{text}` starts and ends at once: leave it out for around the clock"
        )),
        None => Err(format!("`{text}` is not `HH:MM-HH:MM` (e.g. 08:00-20:00)")),
    }
}

/// Each problem of the list as (index of the centre, field, message); `levels`: the configured
/// `[[regions]]` levels a jurisdiction may name.
pub fn problems(specs: &[CentreSpec], levels: &[&str]) -> Vec<(usize, String, String)> {
    let mut problems = Vec::new();
    let mut at: HashMap<&str, usize> = HashMap::new();
    for (i, c) in specs.iter().enumerate() {
        if !crate::sources::spec::valid_id(&c.id) {
            problems.push((
                i,
                "centres.id".into(),
                format!(
                    "`{}` is not an id: letters, digits, `-` and `_`, 1 to 64 of them",
                    c.id
                ),
            ));
        }
        if at.insert(&c.id, i).is_some() {
            problems.push((i, "centres.id".into(), format!("`{}` is named twice", c.id)));
        }
        if let Some(Err(e)) = c.duty_minutes() {
            problems.push((i, "centres.duty_hours".into(), e));
        }
        if let Some(limit) = c.ack_limit_min {
            if !(1..=MAX_ACK_LIMIT_MIN).contains(&limit) {
                problems.push((
                    i,
                    "centres.ack_limit_min".into(),
                    format!("{limit}: give 1 to {MAX_ACK_LIMIT_MIN} minutes"),
                ));
            }
        }
        if let Some(Jurisdiction::Region { level, .. }) = &c.jurisdiction {
            if !levels.contains(&level.as_str()) {
                problems.push((
                    i,
                    "centres.jurisdiction".into(),
                    format!("`{}`: no `[[regions]]` level `{level}` is configured", c.id),
                ));
            }
        }
        if let Some(Jurisdiction::Polygon { polygon }) = &c.jurisdiction {
            if polygon.len() < 3 {
                problems.push((
                    i,
                    "centres.jurisdiction".into(),
                    format!(
                        "a polygon of {} position(s): give at least 3",
                        polygon.len()
                    ),
                ));
            }
            if let Some(e) = polygon
                .iter()
                .find_map(|[lon, lat]| crate::geometry::check_range("a corner", *lon, *lat).err())
            {
                problems.push((i, "centres.jurisdiction".into(), e));
            }
        }
        for name in [&c.name_zh, &c.name_en].into_iter().flatten() {
            let n = name.trim().chars().count();
            if n == 0 || n > 40 {
                problems.push((
                    i,
                    "centres.name".into(),
                    format!("`{name}` is {n} characters: give 1 to 40"),
                ));
            }
        }
    }
    let roots: Vec<usize> = (0..specs.len())
        .filter(|&i| specs[i].parent.is_none())
        .collect();
    if !specs.is_empty() && roots.len() != 1 {
        let names: Vec<&str> = roots.iter().map(|&i| specs[i].id.as_str()).collect();
        problems.push((
            roots.get(1).copied().unwrap_or(0),
            "centres.parent".into(),
            format!(
                "{} centres have no parent ({}): exactly one, the city's, has none",
                roots.len(),
                names.join(", ")
            ),
        ));
    }
    for (i, c) in specs.iter().enumerate() {
        let Some(parent) = &c.parent else { continue };
        if !at.contains_key(parent.as_str()) {
            problems.push((
                i,
                "centres.parent".into(),
                format!("`{parent}` is not a centre of the list"),
            ));
            continue;
        }
        // Up the parents: a loop never reaches the root.
        let mut seen = vec![c.id.as_str()];
        let mut up = Some(parent.as_str());
        while let Some(id) = up {
            if seen.contains(&id) {
                problems.push((
                    i,
                    "centres.parent".into(),
                    format!("`{}` is its own ancestor ({})", c.id, seen.join(" → ")),
                ));
                break;
            }
            seen.push(id);
            up = at.get(id).and_then(|&j| specs[j].parent.as_deref());
        }
        if c.jurisdiction.is_none() {
            problems.push((
                i,
                "centres.jurisdiction".into(),
                format!(
                    "`{}` has no area: give `jurisdiction = {{ level = …, region = … }}` or a `polygon`",
                    c.id
                ),
            ));
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    fn centre(id: &str, parent: Option<&str>) -> CentreSpec {
        CentreSpec {
            id: id.into(),
            parent: parent.map(Into::into),
            name_zh: None,
            name_en: None,
            jurisdiction: parent.map(|_| Jurisdiction::Region {
                level: "district".into(),
                region: id.into(),
            }),
            departments: Vec::new(),
            duty_hours: None,
            ack_limit_min: None,
        }
    }

    fn messages(specs: &[CentreSpec]) -> Vec<String> {
        problems(specs, &["district"])
            .into_iter()
            .map(|(_, _, m)| m)
            .collect()
    }

    #[test]
    fn a_tree_has_one_root_known_parents_and_no_loop() {
        assert!(messages(&[centre("city", None), centre("a", Some("city"))]).is_empty());
        let two_roots = messages(&[centre("city", None), centre("town", None)]);
        assert!(
            two_roots[0].contains("2 centres have no parent (city, town)"),
            "{two_roots:?}"
        );
        let unknown = messages(&[centre("city", None), centre("a", Some("nowhere"))]);
        assert!(
            unknown[0].contains("`nowhere` is not a centre"),
            "{unknown:?}"
        );
        let looped = messages(&[
            centre("city", None),
            centre("a", Some("b")),
            centre("b", Some("a")),
        ]);
        assert!(
            looped.iter().any(|m| m.contains("is its own ancestor")),
            "{looped:?}"
        );
    }

    #[test]
    fn duty_hours_and_limits_are_read_or_named() {
        let mut c = centre("city", None);
        c.duty_hours = Some("22:00-06:00".into());
        assert_eq!(c.duty_minutes(), Some(Ok((1320, 360))));
        c.duty_hours = Some("8 to 5".into());
        c.ack_limit_min = Some(0);
        let m = messages(&[c]);
        assert!(m[0].contains("is not `HH:MM-HH:MM`"), "{m:?}");
        assert!(m[1].contains("give 1 to 1440 minutes"), "{m:?}");
    }
}
