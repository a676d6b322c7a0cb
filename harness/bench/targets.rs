//! Who the workload runs as, and what each of its requests is drawn from:
//! the actors, the pools of row keys per table and tenant (`:id`), and the
//! driver target of one form of a workload query. Shared by the
//! interleaved rounds ([`super::load`]) and the online migration
//! ([`super::online`]).

use super::driver::{Arg, Caller, Target};
use crate::error::{Error, Result};
use crate::identities::{sample_users, Identities};
use crate::scenario::Identity;
use crate::scenario::{Form, Param, Scenario, WorkloadSpec};
use std::collections::BTreeMap;
use std::sync::Arc;
use tokio_postgres::Client;

/// Who the workload runs as: one user (or tenant) of the seeded data.
#[derive(Debug, Clone)]
pub struct Actor {
    /// Who, for reports.
    pub label: String,
    /// The user's id (`:user`), when the scenario has users.
    pub user: Option<String>,
    /// The tenant's id after the migration (`:tenant`).
    pub tenant: String,
    /// Opens a post-migration request's transaction: `BEGIN`, then the
    /// impersonation (role, claims or setting) when the scenario has one.
    pub begin_after: String,
    /// The role a post-migration request must run as (checked once up front).
    pub role: Option<String>,
}

/// Per (table, actor tenant): keys of rows the tenant owns, for `:id`.
pub type IdPools = BTreeMap<(String, String), Arc<Vec<String>>>;

/// Reads, for every table a workload draws `:id` from, up to 500 keys per
/// actor's tenant, from the migrated data (where the tenant column exists).
pub async fn id_pools(admin: &Client, scenario: &Scenario, actors: &[Actor]) -> Result<IdPools> {
    let mut pools = IdPools::new();
    for q in &scenario.workload {
        let Some(name) = &q.table else { continue };
        if !(q.before.params.contains(&Param::Id) || q.after.params.contains(&Param::Id)) {
            continue;
        }
        let table = &scenario.table_sql(name);
        let pk: Vec<String> = admin
            .query(
                "SELECT a.attname::text FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey) \
                 WHERE i.indrelid = to_regclass($1) AND i.indisprimary",
                &[table],
            )
            .await
            .map_err(Error::db(format!("reading the primary key of {table}")))?
            .iter()
            .map(|r| r.get(0))
            .collect();
        let [pk] = pk.as_slice() else {
            return Err(Error::Scenario {
                file: scenario.toml_path(),
                line: None,
                message: format!("workload `{}`: :id needs a one-column primary key on {table}, which has {pk:?}", q.name),
            });
        };
        let sql = format!(
            "SELECT {pk}::text FROM {table} WHERE {col}::text = $1 ORDER BY 1 LIMIT 500",
            pk = tenant_sql::ident(pk),
            col = tenant_sql::ident(&scenario.tenancy.column)
        );
        for a in actors {
            let keys: Vec<String> = admin
                .query(&sql, &[&a.tenant])
                .await
                .map_err(Error::db(format!(
                    "reading keys of {table} for {}",
                    a.label
                )))?
                .iter()
                .map(|r| r.get(0))
                .collect();
            pools.insert((name.clone(), a.tenant.clone()), Arc::new(keys));
        }
    }
    Ok(pools)
}

/// The driver target of one form: a caller per actor that has rows to draw from.
pub(crate) fn target(
    q: &WorkloadSpec,
    form: &Form,
    db: usize,
    after_side: bool,
    actors: &[Actor],
    pools: &IdPools,
) -> Result<Target> {
    let mut callers = Vec::new();
    for a in actors {
        let ids = q
            .table
            .as_ref()
            .and_then(|t| pools.get(&(t.clone(), a.tenant.clone())));
        if form.params.contains(&Param::Id) && ids.is_none_or(|ids| ids.is_empty()) {
            continue;
        }
        let args = form
            .params
            .iter()
            .map(|p| match p {
                Param::User => Arg::One(a.user.clone().unwrap_or_default()),
                Param::Tenant => Arg::One(a.tenant.clone()),
                Param::Id => Arg::AnyOf(ids.expect("checked above").clone()),
            })
            .collect();
        callers.push(Caller {
            begin: Some(if after_side {
                a.begin_after.clone()
            } else {
                "BEGIN".into()
            }),
            args,
        });
    }
    if callers.is_empty() {
        return Err(Error::env(
            format!(
                "workload `{}`: no actor's tenant owns a row of {:?}",
                q.name, q.table
            ),
            "seed more rows for the workload's table",
        ));
    }
    Ok(Target {
        name: format!(
            "{} ({})",
            q.name,
            if after_side { "after" } else { "before" }
        ),
        db,
        sql: form.sql.clone(),
        callers,
    })
}

/// Who the workload runs as: a sample of users (or one identity per
/// tenant when identity is a session setting or the application's own filter).
pub async fn actors(ids: &Identities<'_>) -> Result<Vec<Actor>> {
    let tenant_of = ids.tenant_of;
    let mut actors = Vec::new();
    let n = ids.scenario.bench.actors;
    match &ids.scenario.identity {
        Identity::JwtSub { .. } | Identity::JwtClaim { .. } => {
            for user in sample_users(ids.users, n, ids.seed) {
                let actor = ids.actor(user).await?;
                actors.push(Actor {
                    label: actor.label.clone(),
                    user: Some(user.id.to_string()),
                    tenant: tenant_of.get(&user.group).cloned().unwrap_or_default(),
                    begin_after: crate::impersonate::begin_as(&actor.who()),
                    role: Some(actor.role().to_string()),
                });
            }
        }
        Identity::Setting { .. } | Identity::App => {
            for g in ids.checked_groups().into_iter().take(n) {
                let tenant = tenant_of.get(&g).cloned().unwrap_or_default();
                let actor = ids.tenant_actor(&tenant).await?;
                let user = ids
                    .users
                    .iter()
                    .find(|u| u.group == g)
                    .map(|u| u.id.to_string());
                actors.push(Actor {
                    label: format!("tenant {tenant}"),
                    user,
                    begin_after: actor.as_ref().map_or_else(
                        || "BEGIN".to_string(),
                        |a| crate::impersonate::begin_as(&a.who()),
                    ),
                    role: actor.as_ref().map(|a| a.role().to_string()),
                    tenant,
                });
            }
        }
    }
    Ok(actors)
}
