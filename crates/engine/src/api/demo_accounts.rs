//! The demo's accounts: one duty officer for the city's centre and for each centre directly
//! under it, and a leader for the city, so a visitor can open a district's wall as its officer
//! would. Made from the centre tree (no centre is named here), created in the demo's throwaway
//! store, and listed with their password on the login card — in demo mode only.

use serde::Serialize;

use super::{Api, ApiError};
use crate::access::Role;

/// Every demo account's password: shown on the demo's login card, so it guards nothing.
const DEMO_PASSWORD: &str = "citywall-demo";

/// One demo account as the login card lists it.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct DemoAccount {
    pub name: String,
    pub password: String,
    pub role: Role,
    /// The centre it works for, by id and name.
    pub centre: String,
    pub centre_zh: String,
    pub centre_en: String,
}

impl Api {
    /// Creates the demo's accounts in the store and says which they are.
    pub async fn seed_demo_accounts(&self) -> Result<Vec<DemoAccount>, ApiError> {
        let centres = &self.engine.centres;
        let root = centres.root();
        let mut wanted = vec![(root, Role::Duty), (root, Role::Leader)];
        wanted.extend(
            root.children
                .iter()
                .filter_map(|&i| centres.at(i))
                .map(|c| (c, Role::Duty)),
        );
        let mut out = Vec::new();
        for (centre, role) in wanted {
            let name = format!("{}-{}", centre.id, role.as_str());
            let works_for = (centre.id != root.id).then_some(centre.id.as_str());
            self.engine
                .put_account(&name, role, DEMO_PASSWORD, works_for, "demo")
                .await?;
            out.push(DemoAccount {
                name,
                password: DEMO_PASSWORD.into(),
                role,
                centre: centre.id.clone(),
                centre_zh: centre.name_zh.clone(),
                centre_en: centre.name_en.clone(),
            });
        }
        Ok(out)
    }
}
