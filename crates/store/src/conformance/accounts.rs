//! Accounts: logins, lockouts, sessions, centres, and what an administrator changes.

use crate::access::Role;
use crate::accounts::LoginError;
use crate::Backend;

pub(super) async fn accounts_log_in_lock_out_and_end_sessions(store: &dyn Backend) {
    let now = 1_796_615_820_000;
    store
        .put_user("zhang", Role::Duty, "correct horse battery", "admin", now)
        .await
        .expect("accounts: put");
    assert!(matches!(
        store.login("zhang", "wrong", now).await,
        Err(LoginError::Wrong)
    ));
    let session = store
        .login("zhang", "correct horse battery", now)
        .await
        .expect("accounts: the right password");
    let who = store
        .session(&session.token, now + 1)
        .await
        .expect("accounts: session")
        .expect("accounts: a live session names its account");
    assert_eq!((who.name.as_str(), who.role), ("zhang", Role::Duty));
    store.logout(&session.token, now + 2).await.expect("logout");
    assert!(store
        .session(&session.token, now + 3)
        .await
        .expect("session")
        .is_none());
    assert_eq!(
        store.accounts().await.expect("accounts"),
        vec![("zhang".to_string(), Role::Duty, false)]
    );
    // A centre of its own: its sessions end, and the next names the centre.
    let before = store
        .login("zhang", "correct horse battery", now)
        .await
        .expect("login");
    assert!(store
        .set_centre("zhang", Some("east"), "admin", now)
        .await
        .expect("accounts: set a centre"));
    assert!(store
        .session(&before.token, now + 1)
        .await
        .expect("session")
        .is_none());
    let moved = store
        .login("zhang", "correct horse battery", now)
        .await
        .expect("login");
    let who = store.session(&moved.token, now + 1).await.expect("session");
    assert_eq!(
        who.and_then(|p| p.centre).as_deref(),
        Some("east"),
        "accounts: a session names the account's centre"
    );
    assert!(!store
        .set_centre("nobody", None, "admin", now)
        .await
        .expect("accounts: no such account"));
    assert!(store
        .set_disabled("zhang", true, "admin", now)
        .await
        .expect("disable"));
    assert!(
        store
            .login("zhang", "correct horse battery", now)
            .await
            .is_err(),
        "accounts: a disabled account does not log in"
    );
    assert!(store
        .remove_user("zhang", "admin", now)
        .await
        .expect("remove"));
    assert!(!store
        .remove_user("zhang", "admin", now)
        .await
        .expect("remove again"));
    // Guessing locks a name out, even one without an account, and says so the same way.
    let mut last = None;
    for _ in 0..=crate::credentials::MAX_FAILURES {
        last = store.login("nobody", "guess", now).await.err();
    }
    assert!(
        matches!(last, Some(LoginError::Locked(_))),
        "accounts: guessing locks: {last:?}"
    );
}
