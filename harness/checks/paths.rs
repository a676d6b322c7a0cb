//! Paths around RLS: every view an API identity may read is queried as that
//! identity twice in one rolled-back transaction, once as defined and once
//! after `ALTER VIEW … SET (security_invoker = true)`. A view that returns
//! more rows with its owner's rights than with the caller's hands the caller
//! rows their policies hide.

use super::CheckId;
use crate::checks::Finding;
use crate::error::{Error, Result};
use crate::identities::Subject;
use crate::probe::{self, As, Step};
use tokio_postgres::Client;

/// Views (outside the system and Supabase schemas) that some role of
/// `subjects` may read and that do not already run as the caller.
async fn views(admin: &Client, roles: &[String]) -> Result<Vec<String>> {
    let sql = "SELECT c.oid::regclass::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE c.relkind = 'v' AND n.nspname NOT IN SKIPPED \
               AND NOT coalesce(c.reloptions @> '{security_invoker=true}' OR c.reloptions @> '{security_invoker=on}', false) \
               AND EXISTS (SELECT 1 FROM unnest($1::text[]) r WHERE has_table_privilege(r, c.oid, 'SELECT')) ORDER BY 1"
        .replace("NOT IN SKIPPED", &format!("NOT IN {}", crate::core::names::SKIPPED_SCHEMAS));
    Ok(admin
        .query(&sql, &[&roles])
        .await
        .map_err(Error::db("listing views the API roles may read"))?
        .iter()
        .map(|r| r.get(0))
        .collect())
}

/// Runs the comparison for every view and subject; returns findings and how many (view, identity) pairs ran.
pub async fn check(admin: &Client, subjects: &[Subject]) -> Result<(Vec<Finding>, usize)> {
    let mut roles: Vec<String> = subjects
        .iter()
        .map(|s| s.actor.role().to_string())
        .collect();
    roles.sort();
    roles.dedup();
    let mut findings = Vec::new();
    let mut pairs = 0;
    for view in views(admin, &roles).await? {
        for s in subjects {
            let who = s.actor.who();
            let count = format!("SELECT count(*)::text FROM {view}");
            let steps = [
                Step::value(&who, count.clone()),
                Step::exec(
                    &As::harness(),
                    format!("ALTER VIEW {view} SET (security_invoker = true)"),
                ),
                Step::value(&who, count.clone()),
            ];
            let o = probe::run(admin, &steps).await?;
            pairs += 1;
            let n = |i: usize| o[i].value.as_deref().and_then(|v| v.parse::<i64>().ok());
            match (n(0), n(2)) {
                (Some(as_owner), invoker) if as_owner > invoker.unwrap_or(0) => {
                    findings.push(
                        Finding::new(
                            CheckId::PathView,
                            format!(
                                "{} reads {as_owner} row(s) through view {view}, which runs with its owner's rights; with the caller's rights it would read {}. Reproduce: {count}",
                                s.actor.label,
                                invoker.map_or("none (an error)".to_string(), |v| v.to_string())
                            ),
                        )
                        .table(view.clone())
                        .actor(&s.actor.label)
                        .count((as_owner - invoker.unwrap_or(0)) as u64),
                    );
                    break;
                }
                _ => {}
            }
        }
    }
    Ok((findings, pairs))
}
