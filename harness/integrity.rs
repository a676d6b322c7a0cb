//! Data preservation and the backfill oracle.
//!
//! Before the migration: a snapshot of every tenant table, one md5 per row
//! over every pre-existing column, keyed by primary key, plus each row's
//! owner. After it: the same rows with the same hashes (none lost, changed
//! or added), no NULL tenant id, and every row in the tenant its owner
//! belongs to under the scenario's grouping. Tenants are recognised by the
//! grouping, never by id: a group maps to whatever tenant id the migration
//! gave it, and the check is that this map is one-to-one and total.

use crate::error::{Error, Result};
use crate::finding::Finding;
use crate::scenario::Scenario;
use crate::seed::SeededUser;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use tenant_seed::catalog::{self, quote_ident};
use tokio_postgres::Client;

/// How many example row ids a finding lists.
const EXAMPLES: usize = 5;

/// One table before the migration.
#[derive(Debug, Clone)]
pub struct TableSnapshot {
    /// Schema-qualified name.
    pub table: String,
    /// The scenario's name for it.
    pub short: String,
    /// Primary key columns (rows are followed by them).
    pub primary_key: Vec<String>,
    /// Owner column; for the users table, its id column.
    pub owner: Option<String>,
    /// The columns hashed: all that existed before the migration.
    pub columns: Vec<String>,
    /// Per primary key (as text): row hash and owner id.
    pub rows: HashMap<String, RowSnapshot>,
}

/// One row before the migration.
#[derive(Debug, Clone)]
pub struct RowSnapshot {
    /// md5 over the row's pre-existing columns.
    pub hash: String,
    /// The owner's id as text.
    pub owner: Option<String>,
}

/// Every tenant table before the migration.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    /// One entry per scenario table, in scenario order.
    pub tables: Vec<TableSnapshot>,
}

/// `pk` as one text expression: the column, or a row of the columns.
pub(crate) fn key_expr(pk: &[String]) -> String {
    match pk {
        [one] => format!("{}::text", quote_ident(one)),
        many => format!(
            "ROW({})::text",
            many.iter()
                .map(|c| quote_ident(c))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// Takes the pre-migration snapshot of the scenario's tables.
pub async fn snapshot(client: &Client, scenario: &Scenario) -> Result<Snapshot> {
    let mut out = Snapshot::default();
    for spec in &scenario.tables {
        let info = catalog::load(client, &spec.name).await?;
        if info.primary_key.is_empty() {
            return Err(Error::Scenario {
                file: scenario.toml_path(),
                line: Some(spec.line),
                message: format!("table `{}` has no primary key, so its rows cannot be followed through the migration; add one in before.sql", spec.name),
            });
        }
        let owner = if spec.name == scenario.users.table {
            Some(scenario.users.id.clone())
        } else {
            spec.owner.clone()
        };
        let columns: Vec<String> = info.columns.iter().map(|c| c.name.clone()).collect();
        let sql = format!(
            "SELECT {key}, {owner}, md5(ROW({cols})::text) FROM {table}",
            key = key_expr(&info.primary_key),
            owner = owner
                .as_deref()
                .map_or("NULL::text".to_string(), |o| format!(
                    "{}::text",
                    quote_ident(o)
                )),
            cols = columns
                .iter()
                .map(|c| quote_ident(c))
                .collect::<Vec<_>>()
                .join(", "),
            table = info.name
        );
        let rows = client
            .query(&sql, &[])
            .await
            .map_err(Error::db(format!("snapshot of {}", info.name)))?;
        let rows = rows
            .iter()
            .map(|r| {
                (
                    r.get::<_, String>(0),
                    RowSnapshot {
                        owner: r.get(1),
                        hash: r.get(2),
                    },
                )
            })
            .collect();
        out.tables.push(TableSnapshot {
            table: info.name,
            short: spec.name.clone(),
            primary_key: info.primary_key,
            owner,
            columns,
            rows,
        });
    }
    Ok(out)
}

/// Per-table figures of the integrity check.
#[derive(Debug, Clone, Serialize)]
pub struct TableIntegrity {
    /// The table, as the scenario names it.
    pub table: String,
    /// Rows before the migration.
    pub rows_before: u64,
    /// Rows after it.
    pub rows_after: u64,
    /// Rows that are gone.
    pub lost: u64,
    /// Rows whose pre-existing columns changed.
    pub changed: u64,
    /// Rows that appeared.
    pub added: u64,
    /// Rows with a NULL tenant id.
    pub null_tenant: u64,
    /// Rows not in their owner's tenant.
    pub misassigned: u64,
}

/// What the post-migration state looks like to the oracle.
#[derive(Debug, Clone, Default)]
pub struct Integrity {
    /// Per-table figures.
    pub tables: Vec<TableIntegrity>,
    /// What failed.
    pub findings: Vec<Finding>,
    /// Tenant group → the tenant id the migration gave it (the majority of its rows).
    pub tenant_of_group: BTreeMap<String, String>,
    /// Per table (qualified name): primary key → expected tenant group, for rows that existed before.
    pub row_groups: HashMap<String, HashMap<String, String>>,
}

/// Compares the database after the migration with `before`.
pub async fn verify(
    client: &Client,
    scenario: &Scenario,
    before: &Snapshot,
    users: &[SeededUser],
) -> Result<Integrity> {
    let group_of_user: HashMap<String, &str> = users
        .iter()
        .map(|u| (u.id.to_string(), u.group.as_str()))
        .collect();
    let tenant_col = &scenario.tenancy.column;
    let mut out = Integrity::default();
    // (table, pk, group, tenant) of every surviving pre-existing row, for the mapping pass.
    let mut assigned: Vec<(usize, String, String, Option<String>)> = Vec::new();

    for (ti, snap) in before.tables.iter().enumerate() {
        let info = catalog::load(client, &snap.table).await?;
        let missing: Vec<&String> = snap
            .columns
            .iter()
            .filter(|c| info.column(c).is_none())
            .collect();
        let has_tenant = info.column(tenant_col).is_some();
        let mut t = TableIntegrity {
            table: snap.short.clone(),
            rows_before: snap.rows.len() as u64,
            rows_after: 0,
            lost: 0,
            changed: 0,
            added: 0,
            null_tenant: 0,
            misassigned: 0,
        };
        if !missing.is_empty() {
            out.findings.push(
                Finding::new(
                    "integrity.columns-dropped",
                    format!(
                        "pre-existing column(s) {missing:?} no longer exist: their data is gone"
                    ),
                )
                .table(&snap.short)
                .count(missing.len() as u64),
            );
        }
        if !has_tenant {
            out.findings.push(
                Finding::new(
                    "integrity.no-tenant-column",
                    format!("the migration did not add `{tenant_col}`"),
                )
                .table(&snap.short),
            );
        }
        let hash_cols = snap
            .columns
            .iter()
            .map(|c| {
                if info.column(c).is_some() {
                    quote_ident(c)
                } else {
                    "NULL".into()
                }
            })
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "SELECT {key}, md5(ROW({hash_cols})::text), {tenant} FROM {table}",
            key = key_expr(&snap.primary_key),
            tenant = if has_tenant {
                format!("{}::text", quote_ident(tenant_col))
            } else {
                "NULL::text".into()
            },
            table = snap.table
        );
        let rows = client.query(&sql, &[]).await.map_err(Error::db(format!(
            "reading {} after the migration",
            snap.table
        )))?;
        t.rows_after = rows.len() as u64;
        let mut seen = std::collections::HashSet::with_capacity(rows.len());
        let (mut changed, mut added, mut nulls) = (Vec::new(), Vec::new(), Vec::new());
        let mut groups = HashMap::with_capacity(rows.len());
        for r in &rows {
            let key: String = r.get(0);
            let hash: String = r.get(1);
            let tenant: Option<String> = r.get(2);
            if has_tenant && tenant.is_none() {
                nulls.push(key.clone());
            }
            match snap.rows.get(&key) {
                None => added.push(key.clone()),
                Some(old) => {
                    if missing.is_empty() && old.hash != hash {
                        changed.push(key.clone());
                    }
                    let group = match &old.owner {
                        Some(owner) => group_of_user
                            .get(owner)
                            .map(|g| g.to_string())
                            .unwrap_or_else(|| format!("unknown-owner:{owner}")),
                        None if snap.owner.is_none() => {
                            crate::seed::group_of(&scenario.tenancy.grouping, "")
                        }
                        None => "no-owner".to_string(),
                    };
                    groups.insert(key.clone(), group.clone());
                    if has_tenant {
                        assigned.push((ti, key.clone(), group, tenant));
                    }
                }
            }
            seen.insert(key);
        }
        let lost: Vec<&String> = snap.rows.keys().filter(|k| !seen.contains(*k)).collect();
        t.lost = lost.len() as u64;
        t.changed = changed.len() as u64;
        t.added = added.len() as u64;
        t.null_tenant = nulls.len() as u64;
        let name = &snap.short;
        push_rows(
            &mut out.findings,
            "integrity.rows-lost",
            name,
            lost.into_iter().cloned().collect(),
            "row(s) that existed before the migration are gone",
        );
        push_rows(
            &mut out.findings,
            "integrity.rows-changed",
            name,
            changed,
            "row(s) have different values in pre-existing columns",
        );
        push_rows(
            &mut out.findings,
            "integrity.rows-added",
            name,
            added,
            "row(s) appeared that did not exist before the migration",
        );
        push_rows(
            &mut out.findings,
            "integrity.null-tenant",
            name,
            nulls,
            &format!("row(s) have a NULL `{tenant_col}`"),
        );
        out.row_groups.insert(snap.table.clone(), groups);
        out.tables.push(t);
    }

    // Each group's tenant is the one most of its rows got; the users table votes first.
    let mut votes: HashMap<&str, HashMap<&str, u64>> = HashMap::new();
    for (_, _, group, tenant) in &assigned {
        if let Some(tenant) = tenant {
            *votes.entry(group).or_default().entry(tenant).or_default() += 1;
        }
    }
    for (group, counts) in &votes {
        let (tenant, _) = counts
            .iter()
            .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
            .expect("non-empty");
        out.tenant_of_group
            .insert(group.to_string(), tenant.to_string());
    }
    let mut misassigned: BTreeMap<usize, Vec<(String, String, String)>> = BTreeMap::new();
    for (ti, key, group, tenant) in &assigned {
        if let (Some(tenant), Some(expected)) = (tenant, out.tenant_of_group.get(group)) {
            if tenant != expected {
                misassigned.entry(*ti).or_default().push((
                    key.clone(),
                    group.clone(),
                    tenant.clone(),
                ));
            }
        }
    }
    for (ti, rows) in misassigned {
        let snap = &before.tables[ti];
        out.tables[ti].misassigned = rows.len() as u64;
        let (key, group, tenant) = &rows[0];
        out.findings.push(
            Finding::new(
                "integrity.misassigned",
                format!(
                    "{} row(s) are not in their owner's tenant, e.g. row {key}: owner is in group {group} (tenant {}), row is in tenant {tenant}; examples: {}",
                    rows.len(),
                    out.tenant_of_group[group],
                    rows.iter().take(EXAMPLES).map(|r| r.0.as_str()).collect::<Vec<_>>().join(", ")
                ),
            )
            .table(&snap.short)
            .row(Some(key.clone()))
            .count(rows.len() as u64),
        );
    }
    // One tenant per group, and no tenant shared by two groups.
    let mut groups_of_tenant: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (group, tenant) in &out.tenant_of_group {
        groups_of_tenant.entry(tenant).or_default().push(group);
    }
    for (tenant, groups) in groups_of_tenant.iter().filter(|(_, g)| g.len() > 1) {
        out.findings.push(
            Finding::new(
                "integrity.tenants-merged",
                format!(
                    "{} tenant groups that must stay apart all landed in tenant {tenant}: {}",
                    groups.len(),
                    groups
                        .iter()
                        .take(EXAMPLES)
                        .copied()
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )
            .count(groups.len() as u64),
        );
    }
    Ok(out)
}

fn push_rows(
    findings: &mut Vec<Finding>,
    check: &str,
    table: &str,
    mut rows: Vec<String>,
    what: &str,
) {
    if rows.is_empty() {
        return;
    }
    rows.sort();
    let examples = rows
        .iter()
        .take(EXAMPLES)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    findings.push(
        Finding::new(
            check,
            format!(
                "{} {what}: {examples}{}",
                rows.len(),
                if rows.len() > EXAMPLES { ", …" } else { "" }
            ),
        )
        .table(table)
        .row(rows.first().cloned())
        .count(rows.len() as u64),
    );
}
