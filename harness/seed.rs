//! From a scenario to seeded data: the users (and which tenant each will
//! belong to after the migration), then every tenant table through
//! [`tenant_seed`].

use crate::error::{Error, Result};
use crate::scenario::{Grouping, Scenario};
use tenant_seed::plan::{SeedPlan, TablePlan, UsersTable};
use tenant_seed::{SeedError, SeedOutcome};
use tokio_postgres::Config;

/// A seeded user and the tenant group the scenario says they belong to
/// after the migration.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SeededUser {
    /// The user's id (also their `auth.users` id).
    pub id: uuid::Uuid,
    /// E-mail address; the grouping reads its domain.
    pub email: String,
    /// Display name.
    pub name: String,
    /// Tenant group label, e.g. `domain:myroihome.com` or `user:ava.kim3@bayview.io`.
    pub group: String,
}

/// Row numbers of data written after the migration start here, so its keys
/// and unique values never collide with the pre-migration rows.
pub const AFTER_FIRST_ROW: u64 = 1_000_000_000;

/// The tenant group of a user with `email` under `grouping`.
pub fn group_of(grouping: &Grouping, email: &str) -> String {
    match grouping {
        Grouping::EmailDomain { shared_domains } => {
            let domain = email
                .rsplit_once('@')
                .map_or("", |(_, d)| d)
                .to_ascii_lowercase();
            if shared_domains.contains(&domain) {
                format!("domain:{domain}")
            } else {
                format!("user:{email}")
            }
        }
        Grouping::PerUser => format!("user:{email}"),
        Grouping::Single { .. } => "tenant:existing".to_string(),
    }
}

/// The group of rows the harness wrote after the migration for tenant `value`.
pub fn after_group(value: &str) -> String {
    format!("after:{value}")
}

/// The scenario's users under `seed`.
pub fn users(scenario: &Scenario, seed: u64) -> Vec<SeededUser> {
    if scenario.users.is_none() {
        return Vec::new();
    }
    let shared = match &scenario.tenancy.grouping {
        Grouping::EmailDomain { shared_domains } => shared_domains.clone(),
        _ => Vec::new(),
    };
    tenant_seed::users::generate(
        seed,
        scenario.data.users,
        scenario.data.shared_domain_users,
        &shared,
    )
    .into_iter()
    .map(|u| SeededUser {
        group: group_of(&scenario.tenancy.grouping, &u.email),
        id: u.id,
        email: u.email,
        name: u.name,
    })
    .collect()
}

/// The pre-migration seeding plan: owners are the users.
pub fn plan(scenario: &Scenario, seed: u64, users: &[SeededUser]) -> SeedPlan {
    let users_table = scenario.users.as_ref().map(|u| UsersTable {
        table: u.sql.clone(),
        id_column: u.id.clone(),
        email_column: Some(u.email.clone()),
        name_column: u.name.clone(),
        auth_users: u.auth_users,
    });
    let seed_users = users
        .iter()
        .map(|u| tenant_seed::User {
            id: u.id,
            email: u.email.clone(),
            name: u.name.clone(),
        })
        .collect();
    SeedPlan {
        seed,
        stream: "before".into(),
        owners: users.iter().map(|u| u.id.to_string()).collect(),
        users: users_table.map(|t| (t, seed_users)),
        tables: scenario
            .tables
            .iter()
            .filter(|t| scenario.users.as_ref().is_none_or(|u| t.name != u.table))
            .map(|t| TablePlan {
                table: t.sql.clone(),
                owner_column: t.owner.clone(),
                rows: scenario.data.rows_for(&t.name),
                overrides: t.overrides.clone(),
            })
            .collect(),
        distribution: scenario.data.distribution,
        null_fraction: scenario.data.null_fraction,
        first_row: 0,
        bulk: true,
        concurrency: scenario.data.concurrency,
    }
}

/// The post-migration plan: owners are `tenants`, written into the tenant
/// column, on every scenario table but `skip` (those the migration dropped or
/// gave no tenant column: findings of their own, not tables to write into).
pub fn after_plan(
    scenario: &Scenario,
    seed: u64,
    tenants: &[String],
    skip: &[String],
) -> Option<SeedPlan> {
    let after = scenario.after.as_ref()?;
    Some(SeedPlan {
        seed,
        stream: "after".into(),
        owners: tenants.to_vec(),
        users: None,
        tables: scenario
            .tables
            .iter()
            .filter(|t| !skip.contains(&t.name))
            .map(|t| TablePlan {
                table: t.sql.clone(),
                owner_column: Some(scenario.tenancy.column.clone()),
                rows: after
                    .rows
                    .get(&t.name)
                    .copied()
                    .unwrap_or(after.rows_per_table),
                overrides: t.overrides.clone(),
            })
            .collect(),
        distribution: tenant_seed::layout::Distribution::Uniform,
        null_fraction: scenario.data.null_fraction,
        first_row: AFTER_FIRST_ROW,
        bulk: false,
        concurrency: scenario.data.concurrency,
    })
}

/// Seeds the database before the migration; returns the users and what was loaded.
pub async fn run(
    config: &Config,
    scenario: &Scenario,
    seed: u64,
) -> Result<(Vec<SeededUser>, SeedOutcome)> {
    let users = users(scenario, seed);
    let plan = plan(scenario, seed, &users);
    let outcome = tenant_seed::plan::run(config, &plan)
        .await
        .map_err(|e| scenario_error(scenario, e))?;
    Ok((users, outcome))
}

/// Writes the `[after]` tenants' data after the migration.
pub async fn run_after(
    config: &Config,
    scenario: &Scenario,
    seed: u64,
    tenants: &[String],
    skip: &[String],
) -> Result<Option<SeedOutcome>> {
    let Some(plan) = after_plan(scenario, seed, tenants, skip) else {
        return Ok(None);
    };
    tenant_seed::plan::run(config, &plan)
        .await
        .map(Some)
        .map_err(|e| scenario_error(scenario, e))
}

/// A seeding error about a table the scenario names points at its line.
fn scenario_error(scenario: &Scenario, e: SeedError) -> Error {
    let table = match &e {
        SeedError::NoSuchTable { table } | SeedError::NoSuchColumn { table, .. } => {
            Some(table.clone())
        }
        _ => None,
    };
    let line = table.and_then(|t| {
        let short = t.rsplit('.').next().unwrap_or(&t).to_string();
        scenario
            .tables
            .iter()
            .find(|s| s.name == t || s.name == short)
            .map(|s| s.line)
    });
    match line {
        Some(line) => Error::Scenario {
            file: scenario.toml_path(),
            line: Some(line),
            message: e.to_string(),
        },
        None => Error::Seed(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grouping_follows_the_email_domain_rule() {
        let g = Grouping::EmailDomain {
            shared_domains: vec!["myroihome.com".into()],
        };
        assert_eq!(group_of(&g, "a@MyRoiHome.com"), "domain:myroihome.com");
        assert_eq!(group_of(&g, "b@bayview.io"), "user:b@bayview.io");
        assert_eq!(
            group_of(&Grouping::Single { tenant: None }, "x@y"),
            "tenant:existing"
        );
    }
}
