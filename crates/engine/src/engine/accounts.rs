//! Accounts the engine itself creates (the demo's officers): the account and the centre it
//! works for, written as `citywall user add` writes them. Nothing of an account lives in memory
//! or goes out on the feed: storing it is the whole change.

use crate::access::Role;
use crate::store::accounts::LoginError;

impl super::Engine {
    /// Creates (or resets) account `name` with `role` and `password`, working for `centre`
    /// (`None`: the city's); `actor` is who the audit names.
    pub async fn put_account(
        &self,
        name: &str,
        role: Role,
        password: &str,
        centre: Option<&str>,
        actor: &str,
    ) -> Result<(), LoginError> {
        let now = crate::model::now_ms();
        self.store
            .put_user(name, role, password, actor, now)
            .await?;
        self.store.set_centre(name, centre, actor, now).await?;
        Ok(())
    }
}
