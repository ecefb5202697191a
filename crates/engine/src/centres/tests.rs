//! The tree on a city that is not the demo's: two counties and five towns, areas given as
//! polygons (no region files).

use super::*;
use crate::regions::Regions;

/// A square of `size` degrees with its south-west corner at (`west`, `south`).
fn square(west: f64, south: f64, size: f64) -> Option<Jurisdiction> {
    Some(Jurisdiction::Polygon {
        polygon: vec![
            [west, south],
            [west + size, south],
            [west + size, south + size],
            [west, south + size],
        ],
    })
}

fn centre(id: &str, parent: Option<&str>, area: Option<Jurisdiction>) -> CentreSpec {
    CentreSpec {
        id: id.into(),
        parent: parent.map(Into::into),
        name_zh: None,
        name_en: Some(format!("{id} centre")),
        jurisdiction: area,
        departments: Vec::new(),
        duty_hours: None,
        ack_limit_min: Some(10),
    }
}

/// Two counties side by side; the north one has three towns, the south two, and a corner of
/// the north county no town covers.
fn two_counties() -> Vec<CentreSpec> {
    vec![
        centre("prefecture", None, None),
        centre("north", Some("prefecture"), square(24.0, 61.0, 1.0)),
        centre("south", Some("prefecture"), square(24.0, 60.0, 1.0)),
        centre("n1", Some("north"), square(24.0, 61.0, 0.5)),
        centre("n2", Some("north"), square(24.5, 61.0, 0.5)),
        centre("n3", Some("north"), square(24.0, 61.5, 0.5)),
        centre("s1", Some("south"), square(24.0, 60.0, 0.5)),
        centre(
            "s2",
            Some("south"),
            Some(Jurisdiction::Polygon {
                polygon: vec![
                    [24.5, 60.0],
                    [25.0, 60.0],
                    [25.0, 61.0],
                    [24.0, 61.0],
                    [24.0, 60.5],
                    [24.5, 60.5],
                ],
            }),
        ),
    ]
}

fn build(specs: &[CentreSpec]) -> Result<(Centres, Vec<String>), BuildError> {
    // The map-free checks know a `district` level; the build finds the regions hold none.
    let levels = ["district"];
    assert!(
        problems(specs, &levels).is_empty(),
        "{:?}",
        problems(specs, &levels)
    );
    Centres::build(
        specs,
        &Regions::default(),
        ("测试州中心", "Test prefecture centre"),
    )
}

#[test]
fn a_place_belongs_to_the_deepest_centre_whose_area_holds_it() {
    let (centres, _) = build(&two_counties()).expect("tree");
    assert_eq!(centres.len(), 8);
    assert_eq!(centres.owner(24.2, 61.2), "n1");
    assert_eq!(centres.owner(24.7, 61.2), "n2");
    assert_eq!(centres.owner(24.7, 60.7), "s2");
    // The north county's corner no town covers is the county's own; outside both, the root's.
    assert_eq!(centres.owner(24.7, 61.7), "north");
    assert_eq!(centres.owner(30.0, 10.0), "prefecture");
}

#[test]
fn a_centre_sees_its_own_and_what_is_under_it_never_a_sibling_or_a_parent() {
    let (centres, _) = build(&two_counties()).expect("tree");
    assert!(centres.holds("prefecture", "s2"));
    assert!(centres.holds("north", "n3"));
    assert!(centres.holds("north", "north"));
    assert!(!centres.holds("north", "s1"));
    assert!(!centres.holds("n1", "n2"));
    assert!(!centres.holds("n1", "north"));
    assert!(!centres.holds("nowhere", "n1"));
    assert_eq!(centres.scope("south"), vec!["south", "s1", "s2"]);
}

#[test]
fn the_tree_lists_each_centre_under_its_parent_with_the_root_named_as_the_header() {
    let (centres, notes) = build(&two_counties()).expect("tree");
    let tree = centres.tree();
    assert_eq!(
        (tree.id.as_str(), tree.name_zh.as_str()),
        ("prefecture", "测试州中心")
    );
    let names: Vec<Vec<&str>> = tree
        .children
        .iter()
        .map(|c| c.children.iter().map(|t| t.id.as_str()).collect())
        .collect();
    assert_eq!(names, vec![vec!["n1", "n2", "n3"], vec!["s1", "s2"]]);
    assert_eq!(tree.children[0].name_en, "north centre");
    assert_eq!(tree.children[0].ack_limit_min, 10);
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert!(
        notes[0].contains("(25%) of `north`'s area is in no child's"),
        "{notes:?}"
    );
}

#[test]
fn overlapping_siblings_and_a_child_outside_its_parent_are_named() {
    let mut specs = two_counties();
    specs[4].jurisdiction = square(24.3, 61.0, 0.5);
    specs[6].jurisdiction = square(23.8, 60.0, 0.5);
    let BuildError(problems) = build(&specs).expect_err("refused");
    assert!(
        problems
            .iter()
            .any(|p| p.contains("`n1` and `n2` overlap over")),
        "{problems:?}"
    );
    assert!(
        problems
            .iter()
            .any(|p| p.contains("`s1` reaches") && p.contains("outside its parent `south`")),
        "{problems:?}"
    );
}

#[test]
fn duty_hours_hold_within_the_day_and_across_midnight() {
    let mut specs = two_counties();
    specs[1].duty_hours = Some("08:00-20:00".into());
    specs[2].duty_hours = Some("22:00-06:00".into());
    let (centres, _) = build(&specs).expect("tree");
    let (day, night) = (
        centres.get("north").expect("north"),
        centres.get("south").expect("south"),
    );
    assert!(Centres::on_duty(day, 8 * 60) && !Centres::on_duty(day, 20 * 60));
    assert!(Centres::on_duty(night, 23 * 60) && Centres::on_duty(night, 5 * 60));
    assert!(!Centres::on_duty(night, 12 * 60));
    assert!(
        Centres::on_duty(centres.root(), 3 * 60),
        "no duty hours: always"
    );
}

#[test]
fn without_centres_the_city_is_one_centre_that_owns_everything() {
    let (centres, notes) = build(&[]).expect("tree");
    assert_eq!(centres.len(), 1);
    assert_eq!(centres.owner(118.3, 33.9), ONLY_CENTRE);
    assert!(centres.holds(ONLY_CENTRE, ONLY_CENTRE));
    assert!(notes.is_empty());
}

#[test]
fn a_region_the_levels_do_not_have_is_named() {
    let mut specs = two_counties();
    specs[1].jurisdiction = Some(Jurisdiction::Region {
        level: "district".into(),
        region: "北区".into(),
    });
    let BuildError(problems) = build(&specs).expect_err("refused");
    assert!(
        problems[0].contains("`north`: no `[[regions]]` level `district`"),
        "{problems:?}"
    );
}

/// A red in town n1 (north county), raised at `raised` (ms), as the rules hold it.
fn red_in_n1(raised: i64) -> crate::rules::Warning {
    use crate::rules::{Desired, Kind, Level, State, Warning};
    Warning {
        id: "w1".into(),
        what: Desired {
            key: "g1".into(),
            kind: Kind::FloodLevel,
            level: Level::Red,
            layer: "flood".into(),
            subject: "g1".into(),
            title: "积水".into(),
            title_en: "Flooding".into(),
            detail: String::new(),
            detail_en: String::new(),
            lon: 24.2,
            lat: 61.2,
            value: 1.0,
            threshold: 0.5,
            related: vec![],
            owner: None,
        },
        state: State::Raised,
        raised_at: raised,
        updated_at: raised,
        acknowledged_at: None,
        acknowledged_by: None,
        cleared_at: None,
        peak_level: Level::Red,
        centre: "n1".into(),
    }
}

#[test]
fn a_red_left_unacknowledged_goes_up_after_the_limit_and_at_once_off_duty() {
    use crate::rules::unacknowledged::evaluate;
    let mut specs = two_counties();
    specs[3].duty_hours = Some("08:00-20:00".into()); // town n1
    specs[1].duty_hours = Some("08:00-18:00".into()); // its county, north
    let (centres, _) = build(&specs).expect("tree");
    let red = [red_in_n1(0)];
    let noon = 12 * 60;
    // Staffed: the town has its ten minutes; then its county hears of it.
    assert!(evaluate(red.iter(), &centres, 9 * 60_000, noon).is_empty());
    let up = evaluate(red.iter(), &centres, 11 * 60_000, noon);
    assert_eq!(up.len(), 1);
    assert_eq!(up[0].owner.as_deref(), Some("north"));
    assert!(up[0].title.contains("11 分钟未确认"), "{}", up[0].title);
    // At 19:00 the town is staffed but its county is not: the prefecture hears of it.
    let evening = evaluate(red.iter(), &centres, 11 * 60_000, 19 * 60);
    assert_eq!(evening[0].owner.as_deref(), Some("prefecture"));
    // At 21:00 nobody is at the town's wall: up at once, saying why.
    let night = evaluate(red.iter(), &centres, 60_000, 21 * 60);
    assert_eq!(night.len(), 1, "off duty: no limit to wait out");
    assert_eq!(night[0].owner.as_deref(), Some("prefecture"));
    assert!(night[0].title.contains("非值守时段"), "{}", night[0].title);
}

#[test]
fn the_minute_of_the_day_is_read_in_the_centres_zone() {
    let helsinki = jiff::tz::TimeZone::get("Europe/Helsinki").expect("zone");
    // 2026-12-07T10:00:00Z is 12:00 in Helsinki (UTC+2 in winter).
    let at = 1_796_637_600_000;
    assert_eq!(Centres::minute_of_day(at, &helsinki), 12 * 60);
    assert_eq!(
        Centres::minute_of_day(at, &jiff::tz::TimeZone::UTC),
        10 * 60
    );
}
