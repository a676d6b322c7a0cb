//! Read isolation: for every tenant table and a spread of identities from
//! different tenants, the rows an identity sees are exactly its tenant's
//! rows, none missing and none foreign; a request without a user sees none.
//! For applications that filter in SQL instead of RLS, each of the
//! application's tenant-parameterised queries returns only the given
//! tenant's rows.
//!
//! The expected rows come from the oracle tables built by
//! [`crate::checks::integrity::build_expected`] (the scenario's grouping applied to
//! pre-migration owners, and the tenants the harness wrote after the
//! migration), never from the tenant column the migration wrote: a wrong
//! backfill and a wrong policy both show up. Each comparison is one query
//! that returns counts and a few example ids.

use super::CheckId;
use crate::checks::Finding;
use crate::error::{Error, Result};
use crate::identities::Subject;
use crate::scenario::Scenario;
use crate::snapshot::{key_expr, Snapshot};
use postgres_types::{ToSql, Type};
use serde::Serialize;
use std::collections::HashMap;
use tokio_postgres::Client;

/// How many example row ids a finding lists.
const EXAMPLES: i32 = 3;

/// What the isolation checks covered.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Coverage {
    /// Who was impersonated.
    pub actors: Vec<String>,
    /// Tables checked per actor.
    pub tables: usize,
    /// (actor, table) pairs checked.
    pub pairs: usize,
    /// (query, tenant) pairs of the application's queries checked.
    pub query_runs: usize,
    /// Tokens rejected before reaching the database, as they must be.
    pub rejected_tokens: Vec<String>,
    /// Roles exempt from RLS by design, not checked.
    pub exempt: Vec<String>,
}

/// Rows each group must see, per oracle table.
async fn expected_counts(
    admin: &Client,
    snapshot: &Snapshot,
) -> Result<HashMap<String, HashMap<String, i64>>> {
    let mut out = HashMap::new();
    for t in &snapshot.tables {
        let rows = admin
            .query(
                &format!(
                    "SELECT grp, count(*) FROM {} WHERE grp IS NOT NULL GROUP BY grp",
                    t.expected
                ),
                &[],
            )
            .await
            .map_err(Error::db(format!("counting the oracle of {}", t.table)))?;
        out.insert(
            t.table.clone(),
            rows.iter().map(|r| (r.get(0), r.get(1))).collect(),
        );
    }
    Ok(out)
}

fn db_message(e: &tokio_postgres::Error) -> String {
    e.as_db_error().map_or(e.to_string(), |d| {
        format!("{} {}", d.code().code(), d.message())
    })
}

/// Checks every subject against every table of `snapshot`.
pub async fn check(
    admin: &Client,
    subjects: &[Subject],
    snapshot: &Snapshot,
) -> Result<(Vec<Finding>, Coverage)> {
    let mut findings = Vec::new();
    let mut coverage = Coverage {
        tables: snapshot.tables.len(),
        ..Default::default()
    };
    let table_names: Vec<String> = snapshot.tables.iter().map(|t| t.table.clone()).collect();
    let counts = expected_counts(admin, snapshot).await?;
    for s in subjects {
        let label = s.actor.label.clone();
        coverage.actors.push(label.clone());
        let facts = s.actor.session_facts(&table_names).await?;
        if let Some(reason) = facts.unsafe_reason() {
            findings.push(
                Finding::new(CheckId::IsolationUnsafeRole, format!("refusing to check as {label}: {reason}; RLS does not apply to such a session, so isolation cannot be proven"))
                    .actor(&label),
            );
            continue;
        }
        let group = s.group.as_deref();
        for t in &snapshot.tables {
            coverage.pairs += 1;
            // Foreign: a visible row of another group (for anon: any visible row).
            let sql = format!(
                "SELECT count(*) FILTER (WHERE f), (array_agg(k ORDER BY k) FILTER (WHERE f))[1:{EXAMPLES}], count(*) FILTER (WHERE grp = $1) \
                 FROM (SELECT v.k, e.grp, ($1::text IS NULL OR (e.grp IS NOT NULL AND e.grp <> $1)) AS f \
                       FROM (SELECT {key} AS k FROM {table}) v LEFT JOIN {exp} e ON e.pk = v.k) x",
                key = key_expr(&t.primary_key),
                table = t.table,
                exp = t.expected
            );
            let row = match s.actor.query(&sql, &[(&group, Type::TEXT)]).await {
                Ok(rows) => rows.into_iter().next().expect("an aggregate returns a row"),
                // Only "permission denied" means "sees nothing"; any other error is reported as such.
                Err(e)
                    if e.code()
                        == Some(&tokio_postgres::error::SqlState::INSUFFICIENT_PRIVILEGE) =>
                {
                    if let Some(g) = group {
                        let want = counts[&t.table].get(g).copied().unwrap_or(0);
                        if want > 0 {
                            findings.push(
                                Finding::new(CheckId::IsolationMissingRows, format!("{label} may not read the table at all ({}), so none of the {want} row(s) of group {g} are visible", db_message(&e)))
                                    .table(&t.short)
                                    .actor(&label)
                                    .count(want as u64),
                            );
                        }
                    }
                    continue;
                }
                Err(e) => {
                    findings.push(
                        Finding::new(
                            CheckId::IsolationError,
                            format!("reading as {label} failed: {}", db_message(&e)),
                        )
                        .table(&t.short)
                        .actor(&label),
                    );
                    continue;
                }
            };
            let foreign: i64 = row.get(0);
            let foreign_rows: Option<Vec<String>> = row.get(1);
            let own_seen: i64 = row.get(2);
            if foreign > 0 {
                let who = group.map_or("a request without a user".to_string(), |g| {
                    format!("{label} (group {g})")
                });
                let ex = foreign_rows.clone().unwrap_or_default();
                findings.push(
                    Finding::new(
                        CheckId::IsolationForeignRows,
                        format!(
                            "{who} sees {foreign} row(s) of other tenants, e.g. {}",
                            ex.join(", ")
                        ),
                    )
                    .table(&t.short)
                    .actor(&label)
                    .row(ex.first().cloned())
                    .count(foreign as u64),
                );
            }
            let Some(g) = group else { continue };
            let want = counts[&t.table].get(g).copied().unwrap_or(0);
            if own_seen < want {
                let sql = format!(
                    "SELECT e.pk FROM {exp} e WHERE e.grp = $1 AND NOT EXISTS (SELECT 1 FROM {table} WHERE {key} = e.pk) ORDER BY e.pk LIMIT {EXAMPLES}",
                    key = key_expr(&t.primary_key),
                    table = t.table,
                    exp = t.expected
                );
                let ex: Vec<String> = s
                    .actor
                    .query(&sql, &[(&g, Type::TEXT)])
                    .await
                    .map(|r| r.iter().map(|r| r.get(0)).collect())
                    .unwrap_or_default();
                findings.push(
                    Finding::new(
                        CheckId::IsolationMissingRows,
                        format!("{label} does not see {} of the {want} row(s) of their own tenant (group {g}), e.g. {}", want - own_seen, ex.join(", ")),
                    )
                    .table(&t.short)
                    .actor(&label)
                    .row(ex.first().cloned())
                    .count((want - own_seen) as u64),
                );
            }
        }
    }
    Ok((findings, coverage))
}

/// Runs each of the application's tenant-parameterised queries for every
/// tenant in `tenants` (group, tenant value) and checks that it returns only
/// that tenant's rows. A query that returns nothing for every tenant proves
/// nothing, and says so.
pub async fn check_queries(
    admin: &Client,
    scenario: &Scenario,
    snapshot: &Snapshot,
    tenants: &[(String, String)],
    coverage: &mut Coverage,
) -> Result<Vec<Finding>> {
    let mut findings = Vec::new();
    for q in &scenario.queries {
        let t = snapshot
            .tables
            .iter()
            .find(|t| t.short == q.table)
            .expect("validated when the scenario loaded");
        let inner = match &q.key {
            Some(k) => format!("q0.{}", tenant_sql::ident(k)),
            // The first column, whatever its name.
            None => "(SELECT value FROM json_each_text(row_to_json(q0)) LIMIT 1)".to_string(),
        };
        let sql = format!(
            "SELECT count(*) FILTER (WHERE f), (array_agg(k ORDER BY k) FILTER (WHERE f))[1:{EXAMPLES}], count(*) FILTER (WHERE known) \
             FROM (SELECT q.k, (e.grp IS NOT NULL AND e.grp <> $2::text) AS f, e.pk IS NOT NULL AS known \
                   FROM (SELECT {inner}::text AS k FROM ({sql}) q0) q LEFT JOIN {exp} e ON e.pk = q.k) x",
            sql = q.sql.trim().trim_end_matches(';'),
            exp = t.expected
        );
        let stmt = admin.prepare(&sql).await.map_err(|e| Error::Scenario {
            file: scenario.toml_path(),
            line: None,
            message: format!("query `{}`: {}", q.name, db_message(&e)),
        })?;
        let tenant_type = stmt.params().first().cloned().unwrap_or(Type::TEXT);
        let mut returned_any = false;
        for (group, tenant) in tenants {
            coverage.query_runs += 1;
            let tenant_param: Box<dyn ToSql + Sync> = match tenant_type {
                Type::UUID => {
                    Box::new(tenant.parse::<uuid::Uuid>().map_err(|e| Error::Scenario {
                        file: scenario.toml_path(),
                        line: None,
                        message: format!("query `{}`: tenant {tenant} is not a uuid: {e}", q.name),
                    })?)
                }
                Type::INT4 => Box::new(tenant.parse::<i32>().unwrap_or_default()),
                Type::INT8 => Box::new(tenant.parse::<i64>().unwrap_or_default()),
                _ => Box::new(tenant.clone()),
            };
            let row = admin
                .query_one(&stmt, &[tenant_param.as_ref(), group])
                .await
                .map_err(Error::db(format!(
                    "running query `{}` for tenant {tenant}",
                    q.name
                )))?;
            let foreign: i64 = row.get(0);
            let rows: Option<Vec<String>> = row.get(1);
            returned_any |= row.get::<_, i64>(2) > 0;
            if foreign > 0 {
                let ex = rows.unwrap_or_default();
                findings.push(
                    Finding::new(CheckId::IsolationQueryForeignRows, format!("query `{}` for tenant {tenant} returns {foreign} row(s) of other tenants, e.g. {}", q.name, ex.join(", ")))
                        .table(&q.table)
                        .actor(format!("tenant {tenant}"))
                        .row(ex.first().cloned())
                        .count(foreign as u64),
                );
            }
        }
        if !returned_any && !tenants.is_empty() {
            findings.push(
                Finding::new(CheckId::IsolationQueryProvesNothing, format!("query `{}` returned no rows of {} (by primary key) for any of {} tenants, so it shows nothing about isolation", q.name, q.table, tenants.len()))
                    .table(&q.table),
            );
        }
    }
    Ok(findings)
}

/// The read side of a run: every subject against every table, then the
/// application's own tenant-parameterised queries for each checked tenant.
pub async fn run(cx: &super::Context<'_>) -> Result<(Vec<Finding>, Coverage)> {
    let (mut findings, mut coverage) = check(cx.admin, cx.subjects, cx.snapshot).await?;
    coverage.rejected_tokens = cx.rejected_tokens.clone();
    if cx.scenario.identity.role().is_some() && cx.scenario.supabase {
        coverage.exempt.push("service_role (BYPASSRLS)".into());
    }
    if !cx.scenario.queries.is_empty() {
        findings.extend(
            check_queries(
                cx.admin,
                cx.scenario,
                cx.snapshot,
                cx.checked,
                &mut coverage,
            )
            .await?,
        );
    }
    Ok((findings, coverage))
}
