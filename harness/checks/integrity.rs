//! Data preservation and the backfill oracle, computed in the database.
//!
//! Before the migration, every tenant table gets a snapshot table in the
//! harness's own schema (`tenant_harness`): per row its primary key, an md5
//! over every pre-existing column, and the tenant group its owner belongs
//! to under the scenario's grouping. After the migration the comparison is a
//! join: rows lost, changed or added; NULL tenant ids; rows not in their
//! group's tenant; child rows in another tenant than their parent. Only
//! counts and a few example ids come back, so the harness's memory does not
//! grow with the data.
//!
//! Tenants are recognised by grouping, never by id: a group maps to the
//! tenant most of its rows got, and the check is that this map is total and
//! one-to-one.

use super::id::Compared;
use super::CheckId;
use crate::checks::Finding;
use crate::error::{Error, Result};
use crate::migrate::FileRun;
use crate::scenario::{ExpectedTenant, Grouping, Scenario};
use crate::seed::SeededUser;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::time::Duration;
use tenant_seed::catalog::{self, TableInfo};
use tokio_postgres::Client;

use crate::core::names::HARNESS_SCHEMA as SCHEMA;
use crate::snapshot::{prefixed_key, store_map, user_tables, Snapshot, TableSnapshot};

/// How many example row ids a finding lists.
const EXAMPLES: i32 = 5;

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

/// How the tenants the migration made line up with the scenario's groups.
#[derive(Debug, Clone, Default, Serialize)]
pub struct TenantSummary {
    /// Tenant groups the scenario defines over the seeded data.
    pub expected_groups: usize,
    /// Distinct tenants those groups' rows landed in.
    pub tenants: usize,
    /// Users per group, largest first (group, users, tenant).
    pub largest: Vec<(String, usize, String)>,
}

/// What the post-migration state looks like to the oracle.
#[derive(Debug, Clone, Default)]
pub struct Integrity {
    /// Per-table figures.
    pub tables: Vec<TableIntegrity>,
    /// What failed.
    pub findings: Vec<Finding>,
    /// Tenant group → the tenant value the migration gave it (the majority of its rows).
    pub tenant_of_group: BTreeMap<String, String>,
    /// Tenants versus groups, for the report.
    pub tenants: TenantSummary,
}

/// The current rows of a table as `(pk, hash, tenant)`, hashing the snapshot's columns.
fn current(snap: &TableSnapshot, info: &TableInfo, tenant_col: Option<&str>) -> String {
    let hash_cols = snap
        .columns
        .iter()
        .map(|c| {
            if info.column(c).is_some() {
                format!("t.{}", tenant_sql::ident(c))
            } else {
                "NULL".into()
            }
        })
        .collect::<Vec<_>>()
        .join(", ");
    let tenant = if let Some(tenant_col) = tenant_col.filter(|t| info.column(t).is_some()) {
        format!("t.{}::text", tenant_sql::ident(tenant_col))
    } else {
        "NULL::text".into()
    };
    format!(
        "SELECT {key} AS pk, md5(ROW({hash_cols})::text) AS hash, {tenant} AS tenant FROM {table} t",
        key = prefixed_key(&snap.primary_key, "t"),
        table = snap.table
    )
}

/// Compares one table with its snapshot: rows lost, changed (when every
/// pre-existing column still exists), added, and with a NULL tenant (when
/// `tenant_col` is given). `compared` says which ids the findings get.
async fn compare_table(
    client: &Client,
    snap: &TableSnapshot,
    info: &TableInfo,
    tenant_col: Option<&str>,
    columns_intact: bool,
    compared: Compared,
) -> Result<(TableIntegrity, Vec<Finding>)> {
    let sql = format!(
        "WITH cur AS ({cur}), j AS ( \
           SELECT coalesce(s.pk, c.pk) AS pk, s.pk IS NULL AS added, c.pk IS NULL AS lost, \
                  (s.pk IS NOT NULL AND c.pk IS NOT NULL AND s.hash <> c.hash AND $1) AS changed, \
                  (c.pk IS NOT NULL AND c.tenant IS NULL AND $2) AS null_tenant \
           FROM {snap} s FULL JOIN cur c ON c.pk = s.pk) \
         SELECT count(*) FILTER (WHERE NOT lost), \
           count(*) FILTER (WHERE lost), (array_agg(pk ORDER BY pk) FILTER (WHERE lost))[1:{EXAMPLES}], \
           count(*) FILTER (WHERE changed), (array_agg(pk ORDER BY pk) FILTER (WHERE changed))[1:{EXAMPLES}], \
           count(*) FILTER (WHERE added), (array_agg(pk ORDER BY pk) FILTER (WHERE added))[1:{EXAMPLES}], \
           count(*) FILTER (WHERE null_tenant), (array_agg(pk ORDER BY pk) FILTER (WHERE null_tenant))[1:{EXAMPLES}] \
         FROM j",
        cur = current(snap, info, tenant_col),
        snap = snap.snap
    );
    let r = client
        .query_one(&sql, &[&columns_intact, &tenant_col.is_some()])
        .await
        .map_err(Error::db(format!(
            "comparing {} with its snapshot",
            snap.table
        )))?;
    let count = |i: usize| r.get::<_, i64>(i) as u64;
    let ex = |i: usize| r.get::<_, Option<Vec<String>>>(i);
    let t = TableIntegrity {
        table: snap.short.clone(),
        rows_before: snap.rows,
        rows_after: count(0),
        lost: count(1),
        changed: count(3),
        added: count(5),
        null_tenant: count(7),
        misassigned: 0,
    };
    let checks = [
        (
            compared.rows_lost(),
            t.lost,
            ex(2),
            "row(s) that existed before the migration are gone".to_string(),
        ),
        (
            compared.rows_changed(),
            t.changed,
            ex(4),
            "row(s) have different values in pre-existing columns".to_string(),
        ),
        (
            compared.rows_added(),
            t.added,
            ex(6),
            "row(s) appeared that did not exist before the migration".to_string(),
        ),
        (
            CheckId::IntegrityNullTenant,
            t.null_tenant,
            ex(8),
            format!("row(s) have a NULL `{}`", tenant_col.unwrap_or_default()),
        ),
    ];
    let mut findings = Vec::new();
    for (check, n, rows, what) in checks {
        if n > 0 {
            let more = if n > EXAMPLES as u64 { ", …" } else { "" };
            findings.push(
                Finding::new(check, format!("{n} {what}: {}{more}", examples(&rows)))
                    .table(&snap.short)
                    .row(rows.as_ref().and_then(|r| r.first().cloned()))
                    .count(n),
            );
        }
    }
    Ok((t, findings))
}

/// `check` for a snapshot table that no longer exists after `step`, with all its rows.
fn table_gone(check: CheckId, snap: &TableSnapshot, step: &str) -> Finding {
    Finding::new(
        check,
        format!(
            "the table is gone after the {step}, with its {} pre-existing row(s)",
            snap.rows
        ),
    )
    .table(&snap.short)
    .count(snap.rows)
}

fn examples(v: &Option<Vec<String>>) -> String {
    v.as_deref().unwrap_or_default().join(", ")
}

/// Compares the database after the migration with `before`.
pub async fn verify(
    client: &Client,
    scenario: &Scenario,
    before: &Snapshot,
    users: &[SeededUser],
) -> Result<Integrity> {
    let tenant_col = &scenario.tenancy.column;
    let mut out = Integrity::default();
    let mut infos = Vec::new();
    let mut votes: HashMap<String, HashMap<String, i64>> = HashMap::new();

    for snap in &before.tables {
        // A table the migration dropped is what the check is for: a finding, not a broken scenario.
        let info = match catalog::load(client, &snap.table).await {
            Err(tenant_seed::SeedError::NoSuchTable { .. }) => {
                out.findings.push(table_gone(
                    CheckId::IntegrityTableDropped,
                    snap,
                    "migration",
                ));
                out.tables.push(TableIntegrity {
                    table: snap.short.clone(),
                    rows_before: snap.rows,
                    rows_after: 0,
                    lost: snap.rows,
                    changed: 0,
                    added: 0,
                    null_tenant: 0,
                    misassigned: 0,
                });
                infos.push(None);
                continue;
            }
            other => other?,
        };
        let missing: Vec<&String> = snap
            .columns
            .iter()
            .filter(|c| info.column(c).is_none())
            .collect();
        let has_tenant = info.column(tenant_col).is_some();
        let name = &snap.short;
        if !missing.is_empty() {
            out.findings.push(
                Finding::new(
                    CheckId::IntegrityColumnsDropped,
                    format!(
                        "pre-existing column(s) {missing:?} no longer exist: their data is gone"
                    ),
                )
                .table(name)
                .count(missing.len() as u64),
            );
        }
        if !has_tenant {
            out.findings.push(
                Finding::new(
                    CheckId::IntegrityNoTenantColumn,
                    format!("the migration did not add `{tenant_col}`"),
                )
                .table(name),
            );
        }
        let (t, found) = compare_table(
            client,
            snap,
            &info,
            has_tenant.then_some(tenant_col.as_str()),
            missing.is_empty(),
            Compared::Migration,
        )
        .await?;
        out.findings.extend(found);
        out.tables.push(t);
        if has_tenant {
            let sql = format!(
                "WITH cur AS ({cur}) SELECT s.grp, c.tenant, count(*) FROM {snap} s JOIN cur c ON c.pk = s.pk \
                 WHERE c.tenant IS NOT NULL GROUP BY 1, 2",
                cur = current(snap, &info, Some(tenant_col)),
                snap = snap.snap
            );
            for r in client
                .query(&sql, &[])
                .await
                .map_err(Error::db(format!("reading tenants of {}", snap.table)))?
            {
                *votes
                    .entry(r.get(0))
                    .or_default()
                    .entry(r.get(1))
                    .or_default() += r.get::<_, i64>(2);
            }
        }
        infos.push(Some((info, has_tenant)));
    }

    // Each group's tenant is the one most of its rows got.
    for (group, counts) in &votes {
        let (tenant, _) = counts
            .iter()
            .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
            .expect("non-empty");
        out.tenant_of_group.insert(group.clone(), tenant.clone());
    }
    store_group_tenants(client, &out.tenant_of_group).await?;

    for (ti, (snap, entry)) in before.tables.iter().zip(&infos).enumerate() {
        let Some((info, true)) = entry else {
            continue;
        };
        let sql = format!(
            "WITH cur AS ({cur}), bad AS ( \
               SELECT s.pk, s.grp, c.tenant, gt.tenant AS expected FROM {snap} s JOIN cur c ON c.pk = s.pk \
               JOIN {SCHEMA}.group_tenant gt ON gt.grp = s.grp WHERE c.tenant <> gt.tenant) \
             SELECT count(*), (array_agg(pk ORDER BY pk))[1:{EXAMPLES}], \
                    (array_agg(grp ORDER BY pk))[1], (array_agg(tenant ORDER BY pk))[1], (array_agg(expected ORDER BY pk))[1] FROM bad",
            cur = current(snap, info, Some(tenant_col)),
            snap = snap.snap
        );
        let r = client
            .query_one(&sql, &[])
            .await
            .map_err(Error::db(format!("checking tenants of {}", snap.table)))?;
        let n = r.get::<_, i64>(0) as u64;
        if n > 0 {
            let rows: Option<Vec<String>> = r.get(1);
            let (group, tenant, expected): (Option<String>, Option<String>, Option<String>) =
                (r.get(2), r.get(3), r.get(4));
            out.tables[ti].misassigned = n;
            out.findings.push(
                Finding::new(
                    CheckId::IntegrityMisassigned,
                    format!(
                        "{n} row(s) are not in their owner's tenant, e.g. row {}: owner is in group {} (tenant {}), row is in tenant {}; examples: {}",
                        rows.as_ref().and_then(|r| r.first()).map_or("", String::as_str),
                        group.unwrap_or_default(),
                        expected.unwrap_or_default(),
                        tenant.unwrap_or_default(),
                        examples(&rows)
                    ),
                )
                .table(&snap.short)
                .row(rows.as_ref().and_then(|r| r.first().cloned()))
                .count(n),
            );
        }
    }

    // Child rows live in their parent's tenant.
    let tenant_tables: HashMap<&str, &TableSnapshot> = before
        .tables
        .iter()
        .zip(&infos)
        .filter(|(_, entry)| matches!(entry, Some((_, true))))
        .map(|(s, _)| (s.table.as_str(), s))
        .collect();
    for (snap, entry) in before.tables.iter().zip(&infos) {
        let Some((info, true)) = entry else {
            continue;
        };
        for fk in &info.foreign_keys {
            let Some(parent) = tenant_tables.get(fk.target.as_str()) else {
                continue;
            };
            if fk.target == info.name || fk.columns.iter().any(|c| c == tenant_col) {
                continue; // self references, and keys that already include the tenant
            }
            let on = fk
                .columns
                .iter()
                .zip(&fk.target_columns)
                .map(|(c, p)| format!("p.{} = c.{}", tenant_sql::ident(p), tenant_sql::ident(c)))
                .collect::<Vec<_>>()
                .join(" AND ");
            let sql = format!(
                "SELECT count(*), (array_agg({ck} ORDER BY {ck}))[1:{EXAMPLES}] FROM {child} c JOIN {parent} p ON {on} \
                 WHERE c.{t} <> p.{t}",
                ck = prefixed_key(&snap.primary_key, "c"),
                child = snap.table,
                parent = parent.table,
                t = tenant_sql::ident(tenant_col)
            );
            let r = client
                .query_one(&sql, &[])
                .await
                .map_err(Error::db(format!(
                    "walking {} -> {}",
                    snap.table, parent.table
                )))?;
            let n = r.get::<_, i64>(0) as u64;
            if n > 0 {
                let rows: Option<Vec<String>> = r.get(1);
                out.findings.push(
                    Finding::new(
                        CheckId::IntegrityChildTenantMismatch,
                        format!("{n} row(s) are in another tenant than the {} row their {} points at: {}", parent.short, fk.columns.join(", "), examples(&rows)),
                    )
                    .table(&snap.short)
                    .row(rows.as_ref().and_then(|r| r.first().cloned()))
                    .count(n),
                );
            }
        }
    }

    // One tenant per group, and no tenant shared by two groups.
    let mut groups_of_tenant: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (group, tenant) in &out.tenant_of_group {
        groups_of_tenant.entry(tenant).or_default().push(group);
    }
    for (tenant, groups) in groups_of_tenant.iter().filter(|(_, g)| g.len() > 1) {
        out.findings.push(
            Finding::new(
                CheckId::IntegrityTenantsMerged,
                format!(
                    "{} tenant groups that must stay apart all landed in tenant {tenant}: {}",
                    groups.len(),
                    groups
                        .iter()
                        .take(EXAMPLES as usize)
                        .copied()
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )
            .count(groups.len() as u64),
        );
    }
    if let Grouping::Single {
        tenant: Some(expected),
    } = &scenario.tenancy.grouping
    {
        let expected = match expected {
            ExpectedTenant::Literal(v) => Some(v.clone()),
            ExpectedTenant::Query(q) => client
                .query_opt(q.as_str(), &[])
                .await
                .map_err(Error::scenario_sql(
                    scenario.toml_path(),
                    format!("tenancy.tenant_query `{q}`"),
                ))?
                .and_then(|r| r.get::<_, Option<String>>(0)),
        };
        let got = out
            .tenant_of_group
            .get(&crate::seed::group_of(&scenario.tenancy.grouping, ""));
        if got != expected.as_ref() {
            out.findings.push(Finding::new(
                CheckId::IntegrityWrongTenant,
                format!(
                    "pre-existing rows landed in tenant {}, not in {}",
                    got.map_or("(none)", String::as_str),
                    expected.as_deref().unwrap_or("(no such tenant)")
                ),
            ));
        }
    }
    let mut sizes: BTreeMap<&str, usize> = BTreeMap::new();
    for u in users {
        *sizes.entry(&u.group).or_default() += 1;
    }
    let mut largest: Vec<(String, usize, String)> = sizes
        .iter()
        .map(|(g, n)| {
            (
                g.to_string(),
                *n,
                out.tenant_of_group
                    .get(*g)
                    .cloned()
                    .unwrap_or_else(|| "(none)".into()),
            )
        })
        .collect();
    largest.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    largest.truncate(5);
    out.tenants = TenantSummary {
        expected_groups: votes.len(),
        tenants: groups_of_tenant.len(),
        largest,
    };
    Ok(out)
}

async fn store_group_tenants(client: &Client, map: &BTreeMap<String, String>) -> Result<()> {
    let groups: Vec<String> = map.keys().cloned().collect();
    let tenants: Vec<String> = map.values().cloned().collect();
    store_map(client, "group_tenant", ("grp", "tenant"), &groups, &tenants).await
}

/// Builds the isolation oracle's tables: for every row of every tenant table,
/// the group whose users must see it. Pre-existing rows keep their owner's
/// group; rows the harness wrote after the migration for tenant `v` are in
/// group `after:v`; rows the migration itself added are in no group. The
/// impersonated `roles` may read these tables (and nothing else of the
/// harness's): they hold keys and group labels, no tenant data.
pub async fn build_expected(
    client: &Client,
    scenario: &Scenario,
    before: &Snapshot,
    after_tenants: &[String],
    roles: &[&str],
) -> Result<()> {
    let tenant_col = &scenario.tenancy.column;
    // CREATE TABLE AS takes no parameters: the tenants go in as literals.
    let literal_tenants = format!(
        "ARRAY[{}]::text[]",
        after_tenants
            .iter()
            .map(|t| tenant_sql::literal(t))
            .collect::<Vec<_>>()
            .join(", ")
    );
    for snap in &before.tables {
        let info = catalog::load(client, &snap.table).await?;
        let group = if info.column(tenant_col).is_some() {
            format!("coalesce(s.grp, CASE WHEN c.tenant = ANY({literal_tenants}) THEN 'after:' || c.tenant END)")
        } else {
            "s.grp".to_string()
        };
        let sql = format!(
            "DROP TABLE IF EXISTS {exp}; CREATE UNLOGGED TABLE {exp} AS \
             WITH cur AS ({cur}) SELECT c.pk, {group} AS grp FROM cur c LEFT JOIN {snap} s ON s.pk = c.pk; \
             ALTER TABLE {exp} ADD PRIMARY KEY (pk)",
            exp = snap.expected,
            cur = current(snap, &info, Some(tenant_col)),
            snap = snap.snap
        );
        client
            .batch_execute(&sql)
            .await
            .map_err(Error::db(format!("building the oracle for {}", snap.table)))?;
        for role in roles {
            client
                .batch_execute(&format!(
                    "GRANT USAGE ON SCHEMA {SCHEMA} TO {r}; GRANT SELECT ON {exp} TO {r}",
                    r = tenant_sql::ident(role),
                    exp = snap.expected
                ))
                .await
                .map_err(Error::db(format!("letting role {role} read the oracle")))?;
        }
    }
    Ok(())
}

/// What the rollback script did to the data.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RollbackProof {
    /// Per-table comparison with the pre-migration snapshot.
    pub tables: Vec<TableIntegrity>,
    /// What the migration added and the rollback threw away, with its rows
    /// (a table's rows, a column's non-NULL values).
    pub discarded: Vec<Added>,
    /// Tables the migration added that the rollback leaves in place (a log, say).
    pub left_in_place: Vec<String>,
    /// What failed: pre-existing data lost or changed, tenant columns left behind.
    pub findings: Vec<Finding>,
}

/// An object the migration added.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Added {
    /// `schema.table`, or `table.column` for a column of a scenario table.
    pub object: String,
    /// Whether it is a whole table (else a column).
    pub is_table: bool,
    /// Rows of the table, or non-NULL values of the column.
    pub rows: u64,
}

/// Objects the migration added, with their row counts: new tables, and new
/// columns of the scenario's tables.
pub async fn added_objects(client: &Client, before: &Snapshot) -> Result<Vec<Added>> {
    let mut out = Vec::new();
    for t in user_tables(client).await? {
        if !before.pre_tables.contains(&t) {
            let n: i64 = client
                .query_one(&format!("SELECT count(*) FROM {t}"), &[])
                .await
                .map_err(Error::db(format!("counting {t}")))?
                .get(0);
            out.push(Added {
                object: t,
                is_table: true,
                rows: n as u64,
            });
        }
    }
    for snap in &before.tables {
        let Ok(info) = catalog::load(client, &snap.table).await else {
            continue;
        };
        for c in info
            .columns
            .iter()
            .filter(|c| !snap.columns.contains(&c.name))
        {
            let n: i64 = client
                .query_one(
                    &format!(
                        "SELECT count({}) FROM {}",
                        tenant_sql::ident(&c.name),
                        snap.table
                    ),
                    &[],
                )
                .await
                .map_err(Error::db(format!("counting {}.{}", snap.table, c.name)))?
                .get(0);
            out.push(Added {
                object: format!("{}.{}", snap.short, c.name),
                is_table: false,
                rows: n as u64,
            });
        }
    }
    Ok(out)
}

/// The rollback proof.
#[derive(Debug, Clone, Serialize)]
pub struct RollbackReport {
    /// The rollback script's run, per statement.
    pub run: FileRun,
    /// What it did to the data.
    pub proof: RollbackProof,
    /// Time for the whole proof.
    #[serde(with = "crate::core::millis")]
    pub elapsed: Duration,
}

/// Runs `file` on `copy` (a copy of the migrated database) and proves every
/// pre-existing row is back unchanged, with the pre-migration schema;
/// reports what the rollback threw away.
pub async fn rollback_on(
    copy: &crate::provision::Database,
    file: &crate::scenario::SqlFile,
    before: &Snapshot,
    timeout: Duration,
) -> Result<RollbackReport> {
    let t = std::time::Instant::now();
    let c = copy.connect().await?;
    let added = added_objects(&c, before).await?;
    let run = crate::migrate::apply(&c, file, true, timeout).await?;
    let proof = prove_rollback(&c, before, added).await?;
    Ok(RollbackReport {
        run,
        proof,
        elapsed: t.elapsed(),
    })
}

/// After the rollback script ran: is every pre-existing row back, unchanged,
/// with the pre-migration columns and nothing more? `added` is what
/// [`added_objects`] saw before the rollback.
pub async fn prove_rollback(
    client: &Client,
    before: &Snapshot,
    added: Vec<Added>,
) -> Result<RollbackProof> {
    let mut proof = RollbackProof::default();
    let still: Vec<String> = added_objects(client, before)
        .await?
        .into_iter()
        .map(|a| a.object)
        .collect();
    for a in added {
        if !still.contains(&a.object) {
            proof.discarded.push(a);
        } else if a.is_table {
            proof.left_in_place.push(a.object);
        } else {
            proof.findings.push(
                Finding::new(CheckId::RollbackSchemaNotRestored, format!("column {} was added by the migration and is still there after the rollback", a.object))
                    .table(a.object.split('.').next().unwrap_or_default()),
            );
        }
    }
    for snap in &before.tables {
        let Ok(info) = catalog::load(client, &snap.table).await else {
            proof
                .findings
                .push(table_gone(CheckId::RollbackRowsLost, snap, "rollback"));
            continue;
        };
        let missing: Vec<&String> = snap
            .columns
            .iter()
            .filter(|c| info.column(c).is_none())
            .collect();
        if !missing.is_empty() {
            proof.findings.push(
                Finding::new(
                    CheckId::RollbackColumnsDropped,
                    format!("pre-existing column(s) {missing:?} are gone after the rollback"),
                )
                .table(&snap.short)
                .count(missing.len() as u64),
            );
        }
        let (t, found) = compare_table(
            client,
            snap,
            &info,
            None,
            missing.is_empty(),
            Compared::Rollback,
        )
        .await?;
        proof.tables.push(t);
        proof.findings.extend(found);
    }
    Ok(proof)
}
