//! Who the checks and the benchmark act as: the seeded users as
//! impersonated sessions (real JWTs, or the tenant setting), one identity
//! per tenant where identity is a setting, a user whose self-editable
//! metadata names another tenant, a signed-in user with no tenant, and
//! anon. Built once the tenant each group got is known.

use crate::error::{Error, Result};
use crate::impersonate::{anon_claims, user_claims, Actor, JwtKeys};
use crate::provision::Database;
use crate::scenario::{Identity, Scenario};
use crate::seed::{self, SeededUser};
use rand::seq::SliceRandom;
use std::collections::BTreeMap;

/// An identity to check: the group whose rows it must see (`None`: must see nothing).
pub struct Subject {
    /// Tenant group, e.g. `domain:myroihome.com` or `after:acme-parts`.
    pub group: Option<String>,
    /// The impersonated connection.
    pub actor: Actor,
    /// The user behind it, when it is one of the seeded users.
    pub user: Option<uuid::Uuid>,
}

/// Picks up to `n` users spread over tenants: two from the largest group
/// (so sharing is checked too), then one per other group. Deterministic in `seed`.
pub fn sample_users(users: &[SeededUser], n: usize, seed: u64) -> Vec<&SeededUser> {
    let mut by_group: BTreeMap<&str, Vec<&SeededUser>> = BTreeMap::new();
    for u in users {
        by_group.entry(&u.group).or_default().push(u);
    }
    let mut rng = tenant_seed::rng::stream(seed, "isolation-sample");
    let mut groups: Vec<Vec<&SeededUser>> = by_group.into_values().collect();
    for g in &mut groups {
        g.shuffle(&mut rng);
    }
    groups.sort_by_key(|g| std::cmp::Reverse(g.len()));
    let mut picked = Vec::new();
    if let Some(largest) = groups.first() {
        picked.extend(largest.iter().take(2.min(n)));
    }
    let mut rest: Vec<&Vec<&SeededUser>> = groups.iter().skip(1).collect();
    rest.shuffle(&mut rng);
    for g in rest {
        if picked.len() >= n {
            break;
        }
        picked.push(g[0]);
    }
    picked
}

/// What building identities needs to know about a run.
pub struct Identities<'a> {
    /// The scenario (identity model, checks settings).
    pub scenario: &'a Scenario,
    /// The run's database, for the sessions' connections.
    pub db: &'a Database,
    /// The keys tokens are minted with.
    pub keys: &'a JwtKeys,
    /// The seeded users, each with their tenant group.
    pub users: &'a [SeededUser],
    /// The run's seed (sampling and synthetic users).
    pub seed: u64,
    /// Every known tenant group and its tenant value after the migration.
    pub tenant_of: &'a BTreeMap<String, String>,
    /// The `[after]` tenants' values.
    pub after: &'a [String],
}

impl Identities<'_> {
    /// The tenant value of `group` (empty when the migration gave it none).
    pub fn tenant(&self, group: &str) -> String {
        self.tenant_of.get(group).cloned().unwrap_or_default()
    }

    /// A handle that queries as `user`, with a real token, through RLS.
    pub async fn actor(&self, user: &SeededUser) -> Result<Actor> {
        let Some(role) = self.scenario.identity.role().map(str::to_string) else {
            return Err(Error::Impersonation(
                "identity.via = \"app\": the database has no per-user identity to act as".into(),
            ));
        };
        let client = self.db.connect().await?;
        // The tenant claim or setting carries the tenant the oracle says the user's group has.
        let extra = match &self.scenario.identity {
            Identity::JwtSub { .. } | Identity::App => None,
            Identity::JwtClaim { claim, .. } => Some((claim.as_str(), self.tenant(&user.group))),
            Identity::Setting { setting, .. } => {
                return Ok(Actor::from_setting(
                    client,
                    &role,
                    setting,
                    &self.tenant(&user.group),
                    &user.email,
                ));
            }
        };
        let claims = user_claims(
            &user.id,
            &user.email,
            &role,
            extra.as_ref().map(|(k, v)| (*k, v.as_str())),
        );
        let token = self.keys.mint(&claims)?;
        Actor::from_token(
            client,
            self.keys,
            &token,
            &self.scenario.identity,
            &user.email,
        )
    }

    /// `user` signed in with a token whose user-editable `user_metadata`
    /// names `tenant`, another tenant's value (JWT identity models only).
    pub async fn actor_with_forged_metadata(
        &self,
        user: &SeededUser,
        tenant: &str,
    ) -> Result<Option<Actor>> {
        let (Some(role), Identity::JwtSub { .. }) =
            (self.scenario.identity.role(), &self.scenario.identity)
        else {
            return Ok(None);
        };
        let client = self.db.connect().await?;
        let claims = crate::impersonate::with_forged_metadata(
            user_claims(&user.id, &user.email, role, None),
            tenant,
        );
        let token = self.keys.mint(&claims)?;
        let label = format!("{} (user_metadata names tenant {tenant})", user.email);
        Actor::from_token(client, self.keys, &token, &self.scenario.identity, label).map(Some)
    }

    /// A handle for tenant `value` in the session-setting identity model.
    pub async fn tenant_actor(&self, value: &str) -> Result<Option<Actor>> {
        let Identity::Setting { setting, role } = &self.scenario.identity else {
            return Ok(None);
        };
        let client = self.db.connect().await?;
        Ok(Some(Actor::from_setting(
            client,
            role,
            setting,
            value,
            format!("tenant {value}"),
        )))
    }

    /// A handle that queries with the anon key, if the identity model has one.
    pub async fn anon(&self) -> Result<Option<Actor>> {
        let Some(role) = self.scenario.identity.anon_role() else {
            return Ok(None);
        };
        let client = self.db.connect().await?;
        let token = self.keys.mint(&anon_claims(role))?;
        Actor::from_token(client, self.keys, &token, &self.scenario.identity, "anon").map(Some)
    }

    /// The tenant groups the checks cover: those of the sampled users, the
    /// pre-existing tenant of a single-tenant scenario, and the `[after]` tenants.
    pub fn checked_groups(&self) -> Vec<String> {
        let sample = sample_users(self.users, self.scenario.checks.isolation_users, self.seed);
        let mut groups: Vec<String> = Vec::new();
        let single = matches!(
            self.scenario.tenancy.grouping,
            crate::scenario::Grouping::Single { .. }
        );
        let candidates = sample
            .iter()
            .map(|u| u.group.clone())
            .chain(single.then(|| seed::group_of(&self.scenario.tenancy.grouping, "")))
            .chain(self.after.iter().map(|t| seed::after_group(t)));
        for g in candidates {
            if !groups.contains(&g) {
                groups.push(g);
            }
        }
        groups
    }

    /// Who the isolation check impersonates: a spread of users (or, in the
    /// session-setting model, one identity per tenant), the `[after]`
    /// tenants, and anon.
    pub async fn subjects(&self) -> Result<Vec<Subject>> {
        let mut subjects = Vec::new();
        if self.scenario.identity == Identity::App {
            return Ok(subjects);
        }
        let sample = sample_users(self.users, self.scenario.checks.isolation_users, self.seed);
        if let Identity::Setting { .. } = self.scenario.identity {
            for g in self.checked_groups() {
                let tenant = self.tenant(&g);
                let actor = self.tenant_actor(&tenant).await?.expect("setting identity");
                subjects.push(Subject {
                    group: Some(g),
                    actor,
                    user: None,
                });
            }
        } else {
            for user in &sample {
                subjects.push(Subject {
                    group: Some(user.group.clone()),
                    actor: self.actor(user).await?,
                    user: Some(user.id),
                });
            }
        }
        // A user whose self-editable user_metadata names another tenant must still see only their own.
        if let Some(user) = sample.first() {
            let other = self.checked_groups().into_iter().find(|g| *g != user.group);
            if let Some(other) = other {
                let tenant = self.tenant(&other);
                if let Some(actor) = self.actor_with_forged_metadata(user, &tenant).await? {
                    subjects.push(Subject {
                        group: Some(user.group.clone()),
                        actor,
                        user: Some(user.id),
                    });
                }
            }
        }
        // A signed-in user the migration gave no tenant (a fresh sign-up): must see nothing.
        if let (Some(role), Identity::JwtSub { .. } | Identity::JwtClaim { .. }) =
            (self.scenario.identity.role(), &self.scenario.identity)
        {
            let id = uuid::Uuid::from_u64_pair(self.seed, u64::MAX);
            let token = self.keys.mint(&user_claims(
                &id,
                "no-tenant@tenant-harness.invalid",
                role,
                None,
            ))?;
            subjects.push(Subject {
                group: None,
                actor: Actor::from_token(
                    self.db.connect().await?,
                    self.keys,
                    &token,
                    &self.scenario.identity,
                    "a signed-in user with no tenant",
                )?,
                user: None,
            });
        }
        if let Some(anon) = self.anon().await? {
            subjects.push(Subject {
                group: None,
                actor: anon,
                user: None,
            });
        }
        Ok(subjects)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(i: usize, group: &str) -> SeededUser {
        SeededUser {
            id: uuid::Uuid::from_u128(i as u128),
            email: format!("u{i}@x"),
            name: String::new(),
            group: group.into(),
        }
    }

    #[test]
    fn the_sample_spans_groups_and_includes_two_of_the_largest() {
        let mut users: Vec<SeededUser> = (0..5).map(|i| user(i, "domain:big")).collect();
        users.extend((5..12).map(|i| user(i, &format!("user:{i}"))));
        let picked = sample_users(&users, 6, 1);
        assert_eq!(picked.len(), 6);
        assert_eq!(picked.iter().filter(|u| u.group == "domain:big").count(), 2);
        let groups: std::collections::HashSet<&str> =
            picked.iter().map(|u| u.group.as_str()).collect();
        assert_eq!(groups.len(), 5);
        assert_eq!(sample_users(&users, 6, 1), picked, "deterministic");
    }
}
