//! The demo city's own tree.

use std::time::Duration;

use citywall_e2e::wait_for;

/// The demo city is a "1+3+N" city: the city's centre, three districts' centres and their
/// streets' stations, each answering for its region of the GIS levels; the city's wall lists its
/// districts, and the demo's incidents fall to their owners.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_city_is_a_city_centre_three_districts_and_their_streets() {
    let city = citywall_e2e::start_city("centres-demo", 60.0, 1.0).await;
    let tree = city.api.meta().centres;
    assert_eq!(tree.id, "city");
    assert_eq!(tree.children.len(), 3, "{tree:?}");
    for district in &tree.children {
        assert!(district.name_zh.ends_with("分中心"), "{}", district.name_zh);
        assert!(
            !district.children.is_empty(),
            "{} has its streets",
            district.id
        );
        assert!(district.extent.is_some());
    }
    let open_city = citywall_engine::access::Principal::open();
    let statuses = city.api.centre_status(&open_city).await.expect("status");
    assert_eq!(statuses.len(), 3);
    // The demo's incidents reach cases owned by the centre whose area holds each.
    let owned = wait_for(
        "cases owned by a district",
        Duration::from_secs(30),
        async || {
            let cases = city.engine.store().cases(&[], 500).await.ok()?;
            let districts: Vec<&str> = tree.children.iter().map(|d| d.id.as_str()).collect();
            cases
                .iter()
                .any(|c| {
                    districts.contains(&c.centre.as_str())
                        || city
                            .engine
                            .centres()
                            .parent_of(&c.centre)
                            .is_some_and(|p| districts.contains(&p))
                })
                .then_some(cases.len())
        },
    )
    .await;
    assert!(owned > 0);
    // Each district's headline numbers are its area's: together no more than the city's.
    let whole = city.api.summary().await;
    let mut parts = 0;
    for district in &tree.children {
        let officer = citywall_engine::access::Principal {
            name: format!("{}值班", district.id),
            role: citywall_engine::access::Role::Duty,
            via: "session",
            centre: Some(district.id.clone()),
        };
        parts += city.api.summary_for(&officer).await.incidents.total;
    }
    assert!(
        parts > 0 && parts <= whole.incidents.total,
        "the districts' incidents {parts} of the city's {}",
        whole.incidents.total
    );
    city.engine.shutdown();
}

/// The demo lists an account for the city's centre and each district's: each signs in as its
/// centre's officer (what the demo's login card offers).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_has_an_officer_for_each_centre() {
    let city = citywall_e2e::start_city("centres-demo-accounts", 60.0, 1.0).await;
    let accounts = city.api.seed_demo_accounts().await.expect("accounts");
    let tree = city.api.meta().centres;
    assert_eq!(accounts.len(), 2 + tree.children.len(), "{accounts:?}");
    for account in &accounts {
        let session = city
            .api
            .login(&account.name, &account.password, None)
            .await
            .expect("signs in");
        let principal = city
            .api
            .principal(Some(&session.token))
            .await
            .expect("a session");
        let expected = (account.centre != tree.id).then(|| account.centre.clone());
        assert_eq!(principal.centre, expected, "{}", account.name);
        assert_eq!(principal.role, account.role);
    }
    assert!(accounts
        .iter()
        .any(|a| a.centre == tree.children[0].id && a.centre_zh.ends_with("分中心")));
    city.engine.shutdown();
}
