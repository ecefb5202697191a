//! The role × action × centre matrix, walked like the role × action one: an account of every
//! role in every centre (the city's, the west's, the east's) takes every act on a warning and a
//! case the west owns. Each is refused (403) exactly where the shipped matrix denies the role
//! the action or the account's centre does not hold the west; elsewhere it passes the checks
//! and the act answers on its merits (200, or 400/409 for an act that does not fit the thing's
//! state — never a 403). Reading a case by id is the same walk with `view` and `case.read_all`.

use std::time::Duration;

use citywall_e2e::wait_for;
use citywall_engine::access::{Access, Role};
use serde_json::{json, Value};

use super::{two_districts, City};

const CENTRES: [(&str, Option<&str>); 3] = [
    ("prefecture", None),
    ("west", Some("west")),
    ("east", Some("east")),
];

/// An account name for a role in a centre.
fn account(role: Role, centre: &str) -> String {
    format!("{}-{centre}", role.as_str())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_role_in_every_centre_is_refused_exactly_where_role_or_scope_says() {
    let accounts: Vec<(String, Role, Option<&str>)> = Role::ALL
        .into_iter()
        .flat_map(|role| CENTRES.map(|(name, centre)| (account(role, name), role, centre)))
        .collect();
    let (city, engine, tokens) = two_districts("centres-matrix", &accounts).await;
    let (warning, case) = a_warning_and_a_case_of_the_west(&city).await;
    let access = Access::shipped();
    let acts: [(&str, &str, String, Value); 6] = [
        (
            "warning.acknowledge",
            "POST",
            format!("/api/v1/warnings/{warning}/ack"),
            json!({"by": "值班"}),
        ),
        (
            "warning.acknowledge",
            "POST",
            format!("/api/v1/warnings/{warning}/steps"),
            json!({"step": 0}),
        ),
        (
            "incident.register",
            "POST",
            format!("/api/v1/cases/{case}/register"),
            json!({"note": "受理"}),
        ),
        (
            "incident.report_up",
            "POST",
            format!("/api/v1/cases/{case}/report_up"),
            json!({}),
        ),
        (
            "incident.hand_down",
            "POST",
            format!("/api/v1/cases/{case}/hand_down"),
            json!({}),
        ),
        (
            "incident.urge",
            "POST",
            format!("/api/v1/cases/{case}/urge"),
            json!({"note": "督办"}),
        ),
    ];
    let mut walked = 0;
    for role in Role::ALL {
        for (centre, _) in CENTRES {
            let token = &tokens[&account(role, centre)];
            let holds = centre != "east";
            for (action, method, path, body) in &acts {
                let (status, answer) = city.call(token, method, path, Some(body.clone())).await;
                let allowed = access.allows(role, action) && holds;
                assert_eq!(
                    status == 403,
                    !allowed,
                    "{role} of `{centre}` {method} {path}: {status} {answer}"
                );
                walked += 1;
            }
            let (status, answer) = city
                .call(token, "GET", &format!("/api/v1/cases/{case}"), None)
                .await;
            // The route asks `view`; a role without `case.read_all` reads only what it reported
            // (this case is no such: "no case", 404); then the centre's scope decides.
            let expected = match (
                access.allows(role, "view"),
                access.allows(role, "case.read_all"),
                holds,
            ) {
                (false, _, _) => 403,
                (true, false, _) => 404,
                (true, true, false) => 403,
                (true, true, true) => 200,
            };
            assert_eq!(
                status, expected,
                "{role} of `{centre}` reads case {case}: {answer}"
            );
            walked += 1;
        }
    }
    println!("     role × action × centre: {walked} requests walked");
    engine.shutdown();
}

/// The west station's red warning and a case opened at a place in the west.
async fn a_warning_and_a_case_of_the_west(city: &City) -> (String, String) {
    let warning = wait_for("the west's red", Duration::from_secs(15), async || {
        let (_, list) = city.call(&city.west, "GET", "/api/v1/warnings", None).await;
        list.as_array()?.first()?["id"].as_str().map(String::from)
    })
    .await;
    let new_case = json!({"category": "市容环境", "title": "垃圾满溢", "lon": 118.1, "lat": 33.4});
    let (status, case) = city
        .call(&city.west, "POST", "/api/v1/cases", Some(new_case))
        .await;
    assert_eq!(status, 200, "{case}");
    (warning, case["id"].as_str().expect("id").to_string())
}
