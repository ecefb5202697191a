//! The scenario as the demo relies on it.

use super::*;

#[test]
fn the_scenario_has_its_subsystems() {
    let s = Scenario::new(42, 1_790_000_000.0);
    assert!(
        (25..=50).contains(&s.gauges.len()),
        "{} gauges",
        s.gauges.len()
    );
    assert_eq!(s.stations.len(), 31);
    let t = 1_790_000_000.0 + 3_600.0;
    let incidents = s.incidents_geojson(t, 12.0);
    let n = incidents["features"].as_array().map(Vec::len).unwrap_or(0);
    assert!(n > 100, "{n} incidents");
}

#[test]
fn gauges_rise_and_recede_with_the_storm() {
    let s = Scenario::new(42, 0.0);
    let g = s
        .gauges
        .iter()
        .max_by(|a, b| a.peak.total_cmp(&b.peak))
        .unwrap();
    let at = |h: f64| s.depth(g, s.storm_anchor + h * 3600.0 + g.lag * 3600.0);
    assert!(at(0.2) < 0.01);
    assert!(at(2.2) > g.peak * 0.9);
    assert!(at(8.0) < 0.02);
    assert!(s.rain(s.storm_anchor + 1.5 * 3600.0) > 20.0);
}

#[test]
fn overload_share_is_a_few_percent() {
    let s = Scenario::new(42, 0.0);
    let (mut total, mut over) = (0, 0);
    for station in 0..s.stations.len() {
        for minute in 0..600 {
            for p in s.passes(station, 29_000_000 + minute) {
                total += 1;
                over += (p.overload_pct > 0.0) as u32;
            }
        }
    }
    let share = over as f64 / total as f64;
    assert!((0.02..0.08).contains(&share), "overload share {share}");
}

#[test]
fn one_district_is_behind_on_its_cases() {
    let s = Scenario::new(42, 1_790_000_000.0);
    let behind = &s.city.districts[BEHIND_DISTRICT].name;
    // The share of a district's incidents still open four hours after they came in.
    let mut open_late: std::collections::HashMap<&str, (u32, u32)> = Default::default();
    let start = 1_790_000_000 / 60;
    for minute in start..start + 24 * 60 {
        for inc in s.incidents_in_minute(minute) {
            let Some(district) = s.city.districts.iter().find(|d| d.name == inc.district) else {
                continue;
            };
            let tally = open_late.entry(district.name.as_str()).or_default();
            tally.0 += 1;
            tally.1 += u32::from(inc.close_after > 4.0 * 3600.0);
        }
    }
    let share = |(all, late): (u32, u32)| f64::from(late) / f64::from(all.max(1));
    let theirs = share(open_late[behind.as_str()]);
    for (name, tally) in &open_late {
        if *name != behind.as_str() && tally.0 >= 20 {
            assert!(
                theirs > share(*tally) + 0.3,
                "{behind}: {theirs:.2} of its cases run past four hours; {name}: {:.2}",
                share(*tally)
            );
        }
    }
}
