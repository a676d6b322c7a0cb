//! Read isolation: for every tenant table and a spread of users from
//! different tenants, the rows a user sees are exactly their tenant's rows,
//! none missing and none foreign; a request without a user sees none.
//!
//! The expected rows come from the oracle (the scenario's grouping applied
//! to pre-migration owners), never from the tenant column the migration
//! wrote: a wrong backfill and a wrong policy both show up.

use crate::error::Result;
use crate::finding::Finding;
use crate::impersonate::Actor;
use crate::integrity::{key_expr, Integrity, Snapshot};
use crate::seed::SeededUser;
use rand::seq::SliceRandom;
use serde::Serialize;
use std::collections::{BTreeMap, HashSet};

/// How many example row ids a finding lists.
const EXAMPLES: usize = 3;

/// Who is checked: the user, or `None` for a request without a user (anon).
pub struct Subject<'a> {
    /// The seeded user, or `None` for anon.
    pub user: Option<&'a SeededUser>,
    /// The impersonated connection.
    pub actor: Actor,
}

/// What the isolation check covered.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Coverage {
    /// Who was impersonated.
    pub actors: Vec<String>,
    /// Tables checked per actor.
    pub tables: usize,
    /// (actor, table) pairs checked.
    pub pairs: usize,
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

/// Checks every subject against every table of `snapshot`.
pub async fn check(
    subjects: &[Subject<'_>],
    snapshot: &Snapshot,
    integrity: &Integrity,
) -> Result<(Vec<Finding>, Coverage)> {
    let mut findings = Vec::new();
    let mut coverage = Coverage {
        tables: snapshot.tables.len(),
        ..Default::default()
    };
    let table_names: Vec<String> = snapshot.tables.iter().map(|t| t.table.clone()).collect();
    for s in subjects {
        coverage.actors.push(s.actor.label.clone());
        let facts = s.actor.session_facts(&table_names).await?;
        if let Some(reason) = facts.unsafe_reason() {
            findings.push(
                Finding::new("isolation.unsafe-role", format!("refusing to check as {}: {reason}; RLS does not apply to such a session, so isolation cannot be proven", s.actor.label))
                    .actor(&s.actor.label),
            );
            continue;
        }
        for t in &snapshot.tables {
            coverage.pairs += 1;
            let groups = &integrity.row_groups[&t.table];
            let sql = format!("SELECT {} FROM {}", key_expr(&t.primary_key), t.table);
            let visible: HashSet<String> = match s.actor.query(&sql, &[]).await {
                Ok(rows) => rows.iter().map(|r| r.get(0)).collect(),
                // Only "permission denied" means "sees nothing"; any other error is reported as such.
                Err(e)
                    if e.code()
                        == Some(&tokio_postgres::error::SqlState::INSUFFICIENT_PRIVILEGE) =>
                {
                    HashSet::new()
                }
                Err(e) => {
                    findings.push(
                        Finding::new(
                            "isolation.error",
                            format!(
                                "SELECT failed for {}: {}",
                                s.actor.label,
                                e.as_db_error().map_or(e.to_string(), |d| format!(
                                    "{} {}",
                                    d.code().code(),
                                    d.message()
                                ))
                            ),
                        )
                        .table(&t.short)
                        .actor(&s.actor.label),
                    );
                    continue;
                }
            };
            let own_group = s.user.map(|u| u.group.as_str());
            // Rows the migration itself added have no pre-migration owner and are not judged here.
            let mut foreign: Vec<&String> = match own_group {
                Some(g) => visible
                    .iter()
                    .filter(|k| groups.get(*k).is_some_and(|x| x != g))
                    .collect(),
                None => visible.iter().collect(),
            };
            foreign.sort();
            if !foreign.is_empty() {
                let who = s.user.map_or("a request without a user".to_string(), |u| {
                    format!("{} (group {})", u.email, u.group)
                });
                findings.push(
                    Finding::new(
                        "isolation.foreign-rows",
                        format!(
                            "{who} sees {} row(s) of other tenants, e.g. {}",
                            foreign.len(),
                            foreign
                                .iter()
                                .take(EXAMPLES)
                                .map(|k| k.as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    )
                    .table(&t.short)
                    .actor(&s.actor.label)
                    .row(foreign.first().map(|k| k.to_string()))
                    .count(foreign.len() as u64),
                );
            }
            if let Some(group) = own_group {
                let mut missing: Vec<&String> = groups
                    .iter()
                    .filter(|(k, g)| g.as_str() == group && !visible.contains(*k))
                    .map(|(k, _)| k)
                    .collect();
                missing.sort();
                if !missing.is_empty() {
                    findings.push(
                        Finding::new(
                            "isolation.missing-rows",
                            format!(
                                "{} does not see {} row(s) of their own tenant (group {group}), e.g. {}",
                                s.actor.label,
                                missing.len(),
                                missing.iter().take(EXAMPLES).map(|k| k.as_str()).collect::<Vec<_>>().join(", ")
                            ),
                        )
                        .table(&t.short)
                        .actor(&s.actor.label)
                        .row(missing.first().map(|k| k.to_string()))
                        .count(missing.len() as u64),
                    );
                }
            }
        }
    }
    Ok((findings, coverage))
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
        let groups: HashSet<&str> = picked.iter().map(|u| u.group.as_str()).collect();
        assert_eq!(groups.len(), 5);
        assert_eq!(sample_users(&users, 6, 1), picked, "deterministic");
    }
}
