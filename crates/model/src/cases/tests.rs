use super::*;
use crate::access::{Access, Role, MATRIX};

fn who(role: Role) -> Principal {
    Principal {
        name: role.as_str().into(),
        role,
        via: "session",
        centre: None,
    }
}

/// Every step × every state × every role, against what the matrix file says: a step leaves
/// only from its `from` states, only for a role the matrix grants `incident.<step>`, needs a
/// note where the table says so, and waits for approval where the role cannot approve.
#[test]
fn every_transition_is_allowed_and_refused_as_the_matrix_says() {
    let access = Access::parse(MATRIX).expect("matrix");
    let table = Loop::parse(MATRIX).expect("loop");
    assert!(table.transitions.len() >= 13);
    let mut allowed = 0;
    for (action, t) in &table.transitions {
        for state in CaseState::ALL {
            for role in Role::ALL {
                let got = table.decide(&access, &who(role), state, action, "因为 because");
                let may = access.allows(role, &format!("incident.{action}"));
                let expected = if !may {
                    "forbidden"
                } else if !t.from.contains(&state) {
                    "wrong state"
                } else if t.approval && !access.allows(role, "incident.approve") {
                    "requested"
                } else {
                    "step"
                };
                let seen = match &got {
                    Err(CaseError::Access(_)) => "forbidden",
                    Err(CaseError::WrongState { .. }) => "wrong state",
                    Ok(Outcome::Requested) => "requested",
                    Ok(Outcome::Step { to }) => {
                        assert_eq!(Some(*to), t.target(state), "{action} from {state:?}");
                        "step"
                    }
                    Err(e) => panic!("{action} from {state:?} as {role}: {e}"),
                };
                assert_eq!(seen, expected, "{action} from {state:?} as {role}");
                allowed += usize::from(seen == "step");
            }
        }
        if t.note {
            let first = t.from[0];
            let e = table
                .decide(&access, &who(Role::Leader), first, action, " ")
                .unwrap_err();
            assert!(
                matches!(e, CaseError::NoteRequired(_) | CaseError::Access(_)),
                "{action}: {e}"
            );
        }
    }
    assert!(allowed > 12, "{allowed} transitions allowed in all");
}

#[test]
fn the_standard_path_closes_a_case_and_the_exceptions_need_a_leader() {
    let access = Access::parse(MATRIX).expect("matrix");
    let table = Loop::parse(MATRIX).expect("loop");
    let duty = who(Role::Duty);
    let mut state = CaseState::Received;
    for action in [
        "register", "dispatch", "accept", "report", "verify", "close",
    ] {
        match table
            .decide(&access, &duty, state, action, "")
            .expect(action)
        {
            Outcome::Step { to } => state = to,
            other => panic!("{action}: {other:?}"),
        }
    }
    assert_eq!(state, CaseState::Closed);
    // Reopening a closed case: the duty officer asks, a leader decides.
    assert_eq!(
        table.decide(&access, &duty, CaseState::Closed, "reopen", "市民再次来电"),
        Ok(Outcome::Requested)
    );
    assert_eq!(
        table.decide(
            &access,
            &who(Role::Leader),
            CaseState::Closed,
            "reopen",
            "市民再次来电"
        ),
        Ok(Outcome::Step {
            to: CaseState::Handling
        })
    );
    // A kiosk screen takes no step; nobody closes what was never verified.
    assert!(matches!(
        table.decide(
            &access,
            &who(Role::Wall),
            CaseState::Received,
            "register",
            ""
        ),
        Err(CaseError::Access(_))
    ));
    let e = table
        .decide(&access, &duty, CaseState::Handling, "close", "")
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "a case that is handling (处置中) cannot take the step `close`"
    );
}
