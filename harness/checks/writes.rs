//! Write isolation, side channels and privileges RLS does not govern.
//!
//! For every tenant table and every impersonated identity, one
//! [`crate::probe`] script tries what a tenant must not be able to do to
//! another: insert a row into the other tenant, insert without naming a
//! tenant and land elsewhere, update, upsert, merge or delete the other
//! tenant's row, move an own row into the other tenant, attach a child to
//! the other tenant's parent, learn from a duplicate-key error that a value
//! exists in the other tenant, and TRUNCATE. It also checks that the
//! identity can still insert and update its own tenant's rows where the
//! schema lets it (regressions), and, for the users table, that a user
//! cannot move their own row to another tenant (escalation).
//!
//! Rows to write are copies of real rows (read by the harness, so foreign
//! keys and CHECK constraints hold), with fresh primary keys and fresh
//! values for the other unique columns. Only SQLSTATE 42501 or zero rows
//! affected count as a denial; any other error is recorded as inconclusive,
//! never as a pass.

use super::CheckId;
use crate::checks::Finding;
use crate::error::{Error, Result};
use crate::identities::Subject;
use crate::probe::{self, As, Outcome, Step};
use crate::snapshot::{key_expr, Snapshot, TableSnapshot};
use serde::Serialize;
use serde_json::Value as Json;
use std::collections::BTreeMap;
use tokio_postgres::Client;

/// What the write checks covered, and what they could not decide.
#[derive(Debug, Clone, Default, Serialize)]
pub struct WriteCoverage {
    /// Probe scripts run (identity × table).
    pub scripts: usize,
    /// Statements probed.
    pub statements: usize,
    /// Statements refused with 42501 or affecting no row, as they must be.
    pub denied: usize,
    /// Of those, refused for want of a privilege (no GRANT: the role cannot use the table at all).
    pub denied_by_privilege: usize,
    /// Of those, refused by a row-level security policy.
    pub denied_by_policy: usize,
    /// Tables not probed, with why (e.g. no row of a tenant to copy).
    pub skipped: Vec<String>,
    /// Probes that ended in an error other than a denial: not a pass, not a leak.
    pub inconclusive: Vec<String>,
    /// (view, identity) pairs read with the owner's and with the caller's rights.
    pub views_checked: usize,
}

impl WriteCoverage {
    /// Counts a statement refused as it must be, by what refused it.
    fn count_denial(&mut self, o: &Outcome) {
        self.denied += 1;
        match o.denial() {
            Some(probe::Denial::Privilege) => self.denied_by_privilege += 1,
            Some(probe::Denial::Policy) => self.denied_by_policy += 1,
            None => {}
        }
    }
}

/// One column as the probes need it.
#[derive(Debug, Clone)]
struct Col {
    name: String,
    typname: String,
    /// Declared length of character types.
    max_len: Option<usize>,
    generated: bool,
    identity_always: bool,
}

/// A foreign key of a tenant table to another tenant table, by its one non-tenant column.
#[derive(Debug, Clone)]
struct Fk {
    name: String,
    column: String,
    parent: usize,
}

/// What the probes need to know about one table.
#[derive(Debug, Clone)]
pub(crate) struct Meta {
    cols: Vec<Col>,
    /// Non-primary unique indexes: name and columns (the tenant column excluded).
    uniques: Vec<(String, Vec<String>, bool)>,
    fks: Vec<Fk>,
    can: Privileges,
}

#[derive(Debug, Clone, Copy, Default)]
struct Privileges {
    insert_policy: bool,
    update_policy: bool,
}

impl Meta {
    /// A table of plain `(name, type)` columns with no unique index, foreign
    /// key or policy: for tests of the logic built on it.
    #[cfg(test)]
    pub(crate) fn plain(cols: &[(&str, &str)]) -> Meta {
        Meta {
            cols: cols
                .iter()
                .map(|(name, typname)| Col {
                    name: name.to_string(),
                    typname: typname.to_string(),
                    max_len: None,
                    generated: false,
                    identity_always: false,
                })
                .collect(),
            uniques: Vec::new(),
            fks: Vec::new(),
            can: Privileges::default(),
        }
    }
}

pub(crate) async fn meta(
    admin: &Client,
    t: &TableSnapshot,
    all: &[String],
    tenant_col: &str,
    role: &str,
) -> Result<Meta> {
    let ctx = |what: &str| Error::db(format!("reading the {what} of {}", t.table));
    let cols = admin
        .query(
            "SELECT a.attname::text, t.typname::text, CASE WHEN a.atttypmod > 4 AND t.typname IN ('varchar','bpchar') THEN a.atttypmod - 4 END, \
                    a.attgenerated <> '', a.attidentity = 'a' \
             FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid \
             WHERE a.attrelid = $1::text::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum",
            &[&t.table],
        )
        .await
        .map_err(ctx("columns"))?
        .iter()
        .map(|r| Col {
            name: r.get(0),
            typname: r.get(1),
            max_len: r.get::<_, Option<i32>>(2).map(|n| n as usize),
            generated: r.get(3),
            identity_always: r.get(4),
        })
        .collect();
    let uniques = admin
        .query(
            "SELECT i.indexrelid::regclass::text, array_agg(a.attname::text ORDER BY a.attnum) FILTER (WHERE a.attname <> $2), \
                    bool_or(a.attname = $2) \
             FROM pg_index i CROSS JOIN unnest(i.indkey) k JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k \
             WHERE i.indrelid = $1::text::regclass AND i.indisunique AND NOT i.indisprimary GROUP BY i.indexrelid",
            &[&t.table, &tenant_col],
        )
        .await
        .map_err(ctx("unique indexes"))?
        .iter()
        .map(|r| (r.get(0), r.get::<_, Option<Vec<String>>>(1).unwrap_or_default(), r.get(2)))
        .collect();
    let fks = admin
        .query(
            "SELECT k.conname::text, a.attname::text, array_position($2::text[]::regclass[], k.confrelid), pa.attname::text \
             FROM pg_constraint k \
             CROSS JOIN LATERAL unnest(k.conkey, k.confkey) AS u(ck, pk) \
             JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.ck \
             JOIN pg_attribute pa ON pa.attrelid = k.confrelid AND pa.attnum = u.pk \
             WHERE k.contype = 'f' AND k.conrelid = $1::text::regclass AND k.confrelid = ANY($2::text[]::regclass[]) \
               AND a.attname <> $3 AND cardinality(k.conkey) - (CASE WHEN EXISTS (SELECT 1 FROM pg_attribute x WHERE x.attrelid = k.conrelid AND x.attname = $3 AND x.attnum = ANY(k.conkey)) THEN 1 ELSE 0 END) = 1",
            &[&t.table, &all, &tenant_col],
        )
        .await
        .map_err(ctx("foreign keys"))?
        .iter()
        .filter_map(|r| {
            let parent = r.get::<_, Option<i32>>(2)? as usize - 1;
            Some((r.get::<_, String>(0), r.get::<_, String>(1), parent, r.get::<_, String>(3)))
        })
        .collect::<Vec<_>>();
    let row = admin
        .query_one(
            "SELECT has_table_privilege($2, $1::text::regclass, 'INSERT') AND EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = $1::text::regclass AND p.polpermissive AND p.polcmd IN ('a','*') \
                      AND (p.polroles = '{0}' OR EXISTS (SELECT 1 FROM unnest(p.polroles) o WHERE pg_has_role($2, o, 'USAGE')))), \
                    has_table_privilege($2, $1::text::regclass, 'UPDATE') AND EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = $1::text::regclass AND p.polpermissive AND p.polcmd IN ('w','*') \
                      AND (p.polroles = '{0}' OR EXISTS (SELECT 1 FROM unnest(p.polroles) o WHERE pg_has_role($2, o, 'USAGE'))))",
            &[&t.table, &role],
        )
        .await
        .map_err(ctx("privileges"))?;
    Ok(Meta {
        cols,
        uniques,
        fks: fks
            .into_iter()
            .map(|(name, column, parent, _)| Fk {
                name,
                column,
                parent,
            })
            .collect(),
        can: Privileges {
            insert_policy: row.get(0),
            update_policy: row.get(1),
        },
    })
}

/// A real row of `group` in table `t`, as JSON (read by the harness). With
/// `pk`, that row.
pub(crate) async fn template(
    admin: &Client,
    t: &TableSnapshot,
    group: &str,
    pk: Option<&str>,
) -> Result<Option<Json>> {
    let sql = format!(
        "SELECT x.j::text FROM (SELECT to_jsonb(r) AS j, {key} AS k FROM {table} r) x JOIN {exp} e ON e.pk = x.k \
         WHERE e.grp = $1 AND ($2::text IS NULL OR e.pk = $2) ORDER BY e.pk LIMIT 1",
        key = key_expr(&t.primary_key),
        table = t.table,
        exp = t.expected
    );
    let row = admin
        .query_opt(&sql, &[&group, &pk])
        .await
        .map_err(Error::db(format!("reading a row of {} to copy", t.table)))?;
    Ok(row.map(|r| serde_json::from_str(&r.get::<_, String>(0)).expect("to_jsonb is JSON")))
}

/// The primary key of some row of `group` in `t`, as text.
async fn some_key(admin: &Client, t: &TableSnapshot, group: &str) -> Result<Option<String>> {
    let sql = format!(
        "SELECT e.pk FROM {exp} e WHERE e.grp = $1 AND EXISTS (SELECT 1 FROM {table} r WHERE {key} = e.pk) ORDER BY e.pk LIMIT 1",
        key = key_expr(&t.primary_key),
        table = t.table,
        exp = t.expected
    );
    Ok(admin
        .query_opt(&sql, &[&group])
        .await
        .map_err(Error::db(format!("reading a key of {}", t.table)))?
        .map(|r| r.get(0)))
}

/// Makes fresh values that collide with nothing the seeder wrote.
pub(crate) struct Fresh {
    pub(crate) salt: u64,
    pub(crate) n: u64,
}

impl Fresh {
    fn next(&mut self, col: &Col, old: &Json) -> Option<Json> {
        self.n += 1;
        let n = self.n;
        let v = match col.typname.as_str() {
            "uuid" => uuid::Uuid::from_u64_pair(self.salt, n).to_string(),
            "int2" => (30_000 - (n % 2_000)).to_string(),
            "int4" | "int8" | "numeric" => {
                (2_000_000_000 + (self.salt % 1_000) * 100_000 + n).to_string()
            }
            "text" | "varchar" | "bpchar" | "citext" | "name" => {
                let base = old.as_str().unwrap_or("");
                let s = format!("p{}{n}-{base}", self.salt % 1_000);
                match col.max_len {
                    Some(max) => s.chars().take(max).collect(),
                    None => s,
                }
            }
            _ => return None,
        };
        Some(Json::String(v))
    }
}

/// A row for INSERT: `template` with fresh keys and unique values, the
/// tenant column set to `tenant` (`None`: left out, so its default applies).
pub(crate) struct Row<'a> {
    table: &'a TableSnapshot,
    meta: &'a Meta,
    pub(crate) json: Json,
    tenant_col: &'a str,
    omit_tenant: bool,
}

impl Row<'_> {
    pub(crate) fn new<'a>(
        table: &'a TableSnapshot,
        meta: &'a Meta,
        template: &Json,
        tenant_col: &'a str,
        tenant: Option<&str>,
        fresh: &mut Fresh,
    ) -> Option<Row<'a>> {
        let mut json = template.clone();
        for c in meta
            .cols
            .iter()
            .filter(|c| table.primary_key.contains(&c.name))
        {
            if c.name == tenant_col {
                continue;
            }
            json[&c.name] = fresh.next(c, &json[&c.name])?;
        }
        for (_, cols, _) in &meta.uniques {
            // One fresh column makes the tuple fresh; prefer one that is not a reference.
            let pick = cols
                .iter()
                .filter_map(|n| meta.cols.iter().find(|c| &c.name == n))
                .filter(|c| !table.primary_key.contains(&c.name))
                .min_by_key(|c| meta.fks.iter().any(|f| f.column == c.name));
            if let Some(c) = pick {
                if json[&c.name].is_null() {
                    continue;
                }
                if let Some(v) = fresh.next(c, &json[&c.name]) {
                    json[&c.name] = v;
                }
            }
        }
        if let Some(t) = tenant {
            json[tenant_col] = Json::String(t.into());
        }
        Some(Row {
            table,
            meta,
            json,
            tenant_col,
            omit_tenant: tenant.is_none(),
        })
    }

    pub(crate) fn set(mut self, col: &str, value: Json) -> Self {
        self.json[col] = value;
        self
    }

    fn record(&self) -> String {
        format!(
            "jsonb_populate_record(NULL::{}, {}::jsonb)",
            self.table.table,
            tenant_sql::literal(&self.json.to_string())
        )
    }

    pub(crate) fn insert(&self, suffix: &str) -> String {
        let cols: Vec<String> = self
            .meta
            .cols
            .iter()
            .filter(|c| !(c.generated || (self.omit_tenant && c.name == self.tenant_col)))
            .map(|c| tenant_sql::ident(&c.name))
            .collect();
        let overriding = if self.meta.cols.iter().any(|c| c.identity_always) {
            " OVERRIDING SYSTEM VALUE"
        } else {
            ""
        };
        format!(
            "INSERT INTO {t} ({c}){overriding} SELECT {c} FROM {r}{suffix}",
            t = self.table.table,
            c = cols.join(", "),
            r = self.record()
        )
    }

    /// `WHERE` condition matching this row's primary key.
    pub(crate) fn key_match(&self) -> String {
        let pk: Vec<String> = self
            .table
            .primary_key
            .iter()
            .map(|c| tenant_sql::ident(c))
            .collect();
        format!(
            "({pk}) IN (SELECT {pk} FROM {r})",
            pk = pk.join(", "),
            r = self.record()
        )
    }
}

/// `WHERE` condition matching primary key text `k` (as [`key_expr`] renders it).
pub(crate) fn key_is(t: &TableSnapshot, k: &str) -> String {
    format!("{} = {}", key_expr(&t.primary_key), tenant_sql::literal(k))
}

/// What each step of a script is for.
#[derive(Debug, Clone, PartialEq)]
enum Purpose {
    InsertOwn,
    UpdateOwn,
    InsertForeign,
    InsertOwnIntoForeign,
    InsertDefault,
    PeekDefault,
    /// The harness confirms the foreign target row exists, so that "0 rows
    /// affected" by the keyed writes below can count as a denial.
    ForeignExists,
    UpdateForeign,
    MoveOwn,
    UpsertForeign,
    MergeForeign,
    ChildOfForeignParent(String),
    UniqueProbe(String),
    DeleteForeign,
    Truncate,
}

/// The identity under test.
pub struct Target<'a> {
    /// Who acts.
    pub subject: &'a Subject,
    /// The actor's own tenant value (`None` for anon).
    pub own_tenant: Option<String>,
}

/// The other tenant a probe aims at in table `t`: the group with the most
/// rows there other than `own`, among those whose tenant is known.
async fn foreign_group(
    admin: &Client,
    t: &TableSnapshot,
    own: Option<&str>,
    tenant_of: &BTreeMap<String, String>,
) -> Result<Option<(String, String)>> {
    let rows = admin
        .query(
            &format!(
                "SELECT grp FROM {} WHERE grp IS NOT NULL AND grp IS DISTINCT FROM $1 GROUP BY grp ORDER BY count(*) DESC, grp",
                t.expected
            ),
            &[&own],
        )
        .await
        .map_err(Error::db(format!("choosing another tenant in {}", t.table)))?;
    Ok(rows.iter().map(|r| r.get::<_, String>(0)).find_map(|g| {
        tenant_of
            .get(&g)
            .filter(|t| !t.is_empty())
            .map(|t| (g.clone(), t.clone()))
    }))
}

/// Runs the write probes for every target and table.
pub async fn check(
    admin: &Client,
    targets: &[Target<'_>],
    snapshot: &Snapshot,
    tenant_col: &str,
    users_table: Option<&str>,
    tenant_of: &BTreeMap<String, String>,
    seed: u64,
) -> Result<(Vec<Finding>, WriteCoverage)> {
    probe::install(admin).await?;
    let mut findings = Vec::new();
    let mut cov = WriteCoverage::default();
    let all: Vec<String> = snapshot.tables.iter().map(|t| t.table.clone()).collect();
    let mut fresh = Fresh { salt: seed, n: 0 };
    let mut metas: BTreeMap<(usize, String), Meta> = BTreeMap::new();
    for target in targets {
        let actor = &target.subject.actor;
        let who = actor.who();
        let label = &actor.label;
        for (ti, t) in snapshot.tables.iter().enumerate() {
            let own_group = target.subject.group.as_deref();
            let Some(foreign) = foreign_group(admin, t, own_group, tenant_of).await? else {
                cov.skipped
                    .push(format!("{}: no row of another tenant to aim at", t.short));
                continue;
            };
            let (fgroup, ftenant) = (&foreign.0, &foreign.1);
            let key = (ti, actor.role().to_string());
            if !metas.contains_key(&key) {
                let m = meta(admin, t, &all, tenant_col, actor.role()).await?;
                metas.insert(key.clone(), m);
            }
            let m = &metas[&key];
            let Some(foreign_json) = template(admin, t, fgroup, None).await? else {
                cov.skipped
                    .push(format!("{}: no row of group {fgroup} to aim at", t.short));
                continue;
            };
            let own_pk = match (own_group, users_table, target.subject.user) {
                (Some(_), Some(u), Some(id)) if t.short == u => Some(id.to_string()),
                _ => None,
            };
            let own_json = match own_group {
                Some(g) => template(admin, t, g, own_pk.as_deref()).await?,
                None => None,
            };
            let foreign_key = key_of(t, &foreign_json);
            let mut steps: Vec<(Purpose, Step)> = Vec::new();
            let mut push = |p: Purpose, s: Step| steps.push((p, s));

            if let (Some(own), Some(own_tenant)) = (&own_json, &target.own_tenant) {
                if let Some(row) = Row::new(t, m, own, tenant_col, Some(own_tenant), &mut fresh) {
                    push(Purpose::InsertOwn, Step::exec(&who, row.insert("")));
                    push(
                        Purpose::UpdateOwn,
                        Step::exec(
                            &who,
                            format!(
                                "UPDATE {} SET {c} = {c} WHERE {}",
                                t.table,
                                row.key_match(),
                                c = tenant_sql::ident(tenant_col)
                            ),
                        ),
                    );
                }
                if let Some(row) = Row::new(t, m, own, tenant_col, Some(ftenant), &mut fresh) {
                    push(
                        Purpose::InsertOwnIntoForeign,
                        Step::exec(&who, row.insert("")),
                    );
                }
                if let Some(row) = Row::new(t, m, own, tenant_col, None, &mut fresh) {
                    push(Purpose::InsertDefault, Step::exec(&who, row.insert("")));
                    push(
                        Purpose::PeekDefault,
                        Step::value(
                            &As::harness(),
                            format!(
                                "SELECT coalesce({}::text, '<NULL>') FROM {} WHERE {}",
                                tenant_sql::ident(tenant_col),
                                t.table,
                                row.key_match()
                            ),
                        ),
                    );
                }
                let own_key = key_of(t, own);
                push(
                    Purpose::MoveOwn,
                    Step::exec(
                        &who,
                        format!(
                            "UPDATE {} SET {} = {} WHERE {}",
                            t.table,
                            tenant_sql::ident(tenant_col),
                            tenant_sql::literal(ftenant),
                            key_is(t, &own_key)
                        ),
                    ),
                );
                for fk in &m.fks {
                    let parent = &snapshot.tables[fk.parent];
                    if let Some(pk) = some_key(admin, parent, fgroup).await? {
                        if let Some(row) =
                            Row::new(t, m, own, tenant_col, Some(own_tenant), &mut fresh)
                        {
                            let row = row.set(&fk.column, Json::String(pk));
                            push(
                                Purpose::ChildOfForeignParent(fk.name.clone()),
                                Step::exec(&who, row.insert("")),
                            );
                        }
                    }
                }
                for (index, cols, with_tenant) in &m.uniques {
                    if *with_tenant || cols.len() != 1 {
                        continue;
                    }
                    let c = &cols[0];
                    if foreign_json[c].is_null() {
                        continue;
                    }
                    if let Some(row) = Row::new(t, m, own, tenant_col, Some(own_tenant), &mut fresh)
                    {
                        let row = row.set(c, foreign_json[c].clone());
                        push(
                            Purpose::UniqueProbe(index.clone()),
                            Step::exec(&who, row.insert("")),
                        );
                    }
                }
            }
            let foreign_row = Row::new(t, m, &foreign_json, tenant_col, Some(ftenant), &mut fresh);
            if let Some(row) = &foreign_row {
                push(Purpose::InsertForeign, Step::exec(&who, row.insert("")));
            }
            let tc = tenant_sql::ident(tenant_col);
            push(
                Purpose::ForeignExists,
                Step::value(
                    &As::harness(),
                    format!(
                        "SELECT count(*)::text FROM {} WHERE {}",
                        t.table,
                        key_is(t, &foreign_key)
                    ),
                ),
            );
            push(
                Purpose::UpdateForeign,
                Step::exec(
                    &who,
                    format!(
                        "UPDATE {} SET {tc} = {tc} WHERE {}",
                        t.table,
                        key_is(t, &foreign_key)
                    ),
                ),
            );
            if let (Some(own), Some(own_tenant)) = (&own_json, &target.own_tenant) {
                if let Some(row) = Row::new(t, m, own, tenant_col, Some(own_tenant), &mut fresh) {
                    // The own row, keyed like the foreign one: the conflict is with a row the actor cannot see.
                    let mut row = row;
                    for c in &t.primary_key {
                        if c != tenant_col {
                            row = row.set(c, foreign_json[c].clone());
                        }
                    }
                    let pk: Vec<String> =
                        t.primary_key.iter().map(|c| tenant_sql::ident(c)).collect();
                    push(
                        Purpose::UpsertForeign,
                        Step::exec(
                            &who,
                            row.insert(&format!(
                                " ON CONFLICT ({}) DO UPDATE SET {tc} = EXCLUDED.{tc}",
                                pk.join(", ")
                            )),
                        ),
                    );
                }
            }
            push(
                Purpose::MergeForeign,
                Step::exec(
                    &who,
                    format!(
                        "MERGE INTO {} AS m USING (SELECT 1) AS s ON ({}) WHEN MATCHED THEN UPDATE SET {tc} = m.{tc}",
                        t.table,
                        key_is(t, &foreign_key)
                    ),
                ),
            );
            push(
                Purpose::DeleteForeign,
                Step::exec(
                    &who,
                    format!("DELETE FROM {} WHERE {}", t.table, key_is(t, &foreign_key)),
                ),
            );
            push(
                Purpose::Truncate,
                Step::exec(&who, format!("TRUNCATE {} CASCADE", t.table)),
            );

            let (purposes, script): (Vec<Purpose>, Vec<Step>) = steps.into_iter().unzip();
            let outcomes = probe::run(admin, &script).await?;
            cov.scripts += 1;
            cov.statements += script.iter().filter(|s| s.who.role.is_some()).count();
            judge(
                &mut findings,
                &mut cov,
                t,
                m,
                label,
                target,
                &purposes,
                &script,
                &outcomes,
                users_table,
                (fgroup, ftenant),
            );
            findings.extend(unkeyed(admin, &mut cov, t, tenant_col, target).await?);
        }
    }
    Ok((merge(findings), cov))
}

/// The unkeyed writes, `UPDATE t SET … ` and `DELETE FROM t` with no WHERE,
/// as `target`, in a transaction of their own: PostgreSQL applies a table's
/// SELECT policies to an UPDATE or DELETE only when it reads columns, so a
/// keyed probe can be refused while the unkeyed statement reaches every
/// tenant. Each is judged by what it did to the other tenants' rows
/// (their count, and their tuple versions: an UPDATE writes new ones even
/// when no value changes), never by its row count.
async fn unkeyed(
    admin: &Client,
    cov: &mut WriteCoverage,
    t: &TableSnapshot,
    tenant_col: &str,
    target: &Target<'_>,
) -> Result<Vec<Finding>> {
    let actor = &target.subject.actor;
    let who = actor.who();
    let others = match &target.subject.group {
        Some(g) => format!("e.grp IS DISTINCT FROM {}", tenant_sql::literal(g)),
        None => "true".into(),
    };
    let state = Step::value(
        &As::harness(),
        format!(
            "SELECT count(*)::text || '/' || coalesce(md5(string_agg(q.k || '@' || q.v, ',' ORDER BY q.k)), '-') \
             FROM (SELECT {key} AS k, r.ctid::text AS v FROM {table} r) q JOIN {exp} e ON e.pk = q.k WHERE {others}",
            key = key_expr(&t.primary_key),
            table = t.table,
            exp = t.expected
        ),
    );
    let tc = tenant_sql::ident(tenant_col);
    let update = format!("UPDATE {} SET {tc} = {tc}", t.table);
    let delete = format!("DELETE FROM {}", t.table);
    // Foreign keys would refuse most unkeyed deletes (children exist), which
    // proves nothing either way: the harness turns their checks off for that
    // statement alone (replica mode; RLS still applies).
    let replica = |mode: &str| {
        Step::exec(
            &As::harness(),
            format!("SELECT set_config('session_replication_role', '{mode}', true)"),
        )
    };
    let script = [
        state.clone(),
        Step::exec(&who, update.clone()),
        state.clone(),
        replica("replica"),
        Step::exec(&who, delete.clone()),
        replica("origin"),
        state,
    ];
    let o = probe::run(admin, &script).await?;
    cov.scripts += 1;
    cov.statements += 2;
    let count =
        |o: &Outcome| -> Option<u64> { o.value.as_deref()?.split('/').next()?.parse().ok() };
    let mut findings = Vec::new();
    let mut judge = |check: CheckId,
                     before: &Outcome,
                     write: &Outcome,
                     after: &Outcome,
                     sql: &str| {
        let unchanged = before.value == after.value;
        if before.value.is_none() || after.value.is_none() {
            cov.inconclusive.push(format!(
                "{} as {}: the other tenants' rows could not be read around `{sql}`",
                t.short, actor.label
            ));
        } else if unchanged && (write.ok || write.denied()) {
            cov.count_denial(write);
        } else if unchanged {
            // Only 42501 is a denial: any other error decides nothing.
            cov.inconclusive.push(format!(
                "{} as {}: `{sql}` ended in {}",
                t.short,
                actor.label,
                write.describe()
            ));
        } else {
            let what = match (count(before), count(after)) {
                (Some(b), Some(a)) if a < b => format!("deleted {} row(s) of other tenants", b - a),
                _ => "rewrote rows of other tenants".to_string(),
            };
            findings.push(
                Finding::new(
                    check,
                    format!(
                        "an unkeyed `{sql}` {what} ({}); reproduce as {} (BEGIN; set role and claims; then): {sql}",
                        write.describe(),
                        actor.label
                    ),
                )
                .table(&t.short)
                .actor(&actor.label),
            );
        }
    };
    judge(CheckId::WriteUpdateForeign, &o[0], &o[1], &o[2], &update);
    judge(CheckId::WriteDeleteForeign, &o[2], &o[4], &o[6], &delete);
    Ok(findings)
}

/// One finding per check and table: the first one's reproduction, and how
/// many identities hit it.
fn merge(findings: Vec<Finding>) -> Vec<Finding> {
    let mut out: Vec<Finding> = Vec::new();
    for f in findings {
        match out
            .iter_mut()
            .find(|o| o.check == f.check && o.table == f.table)
        {
            Some(o) => o.count += 1,
            None => out.push(f),
        }
    }
    for o in &mut out {
        if o.count > 1 {
            o.message = format!("{} identities, e.g. {}", o.count, o.message);
        }
    }
    out
}

/// The primary key text of a row read as JSON, as [`key_expr`] renders it
/// (the harness reads it back the same way, so single columns suffice here).
pub(crate) fn key_of(t: &TableSnapshot, row: &Json) -> String {
    let text = |v: &Json| match v {
        Json::String(s) => s.clone(),
        other => other.to_string(),
    };
    match t.primary_key.as_slice() {
        [one] => text(&row[one]),
        many => format!(
            "({})",
            many.iter()
                .map(|c| text(&row[c]))
                .collect::<Vec<_>>()
                .join(",")
        ),
    }
}

#[allow(clippy::too_many_arguments)]
fn judge(
    findings: &mut Vec<Finding>,
    cov: &mut WriteCoverage,
    t: &TableSnapshot,
    m: &Meta,
    label: &str,
    target: &Target<'_>,
    purposes: &[Purpose],
    script: &[Step],
    outcomes: &[Outcome],
    users_table: Option<&str>,
    (fgroup, ftenant): (&str, &str),
) {
    let of = |p: &Purpose| {
        purposes
            .iter()
            .position(|q| q == p)
            .map(|i| (&script[i], &outcomes[i]))
    };
    let own_insert_ok = of(&Purpose::InsertOwn).is_some_and(|(_, o)| o.ok);
    let target_exists = of(&Purpose::ForeignExists)
        .and_then(|(_, o)| o.value.as_deref()?.parse::<i64>().ok())
        .is_some_and(|n| n > 0);
    let finding = |check: CheckId, message: String, sql: &str| {
        Finding::new(
            check,
            format!(
                "{message}; reproduce as {label} (BEGIN; set role and claims; then): {}",
                crate::redact::mask_json_text(sql)
            ),
        )
        .table(&t.short)
        .actor(label)
    };
    for (i, (p, o)) in purposes.iter().zip(outcomes).enumerate() {
        let sql = &script[i].sql;
        let must_be_denied = matches!(
            p,
            Purpose::InsertForeign
                | Purpose::InsertOwnIntoForeign
                | Purpose::UpdateForeign
                | Purpose::MoveOwn
                | Purpose::UpsertForeign
                | Purpose::MergeForeign
                | Purpose::DeleteForeign
                | Purpose::Truncate
                | Purpose::ChildOfForeignParent(_)
        );
        // TRUNCATE reports no row count: only a refusal is a denial. A keyed
        // write that touched nothing is a denial only when its target exists.
        let keyed = matches!(
            p,
            Purpose::UpdateForeign | Purpose::MergeForeign | Purpose::DeleteForeign
        );
        let untouched = o.ok && o.rows == 0 && *p != Purpose::Truncate;
        if keyed && untouched && !target_exists {
            cov.inconclusive.push(format!(
                "{} as {label}: {p:?} touched no row, and its target row was not there to touch",
                t.short
            ));
            continue;
        }
        let refused = o.denied() || untouched;
        if must_be_denied && refused {
            cov.count_denial(o);
            continue;
        }
        match p {
            Purpose::InsertForeign if o.landed() => findings.push(finding(
                CheckId::WriteInsertForeign,
                format!("inserted a row into tenant {ftenant} (group {fgroup})"),
                sql,
            )),
            Purpose::InsertOwnIntoForeign if o.landed() => findings.push(finding(
                CheckId::WriteInsertForeign,
                format!("inserted a copy of an own row with the tenant set to {ftenant} (group {fgroup})"),
                sql,
            )),
            Purpose::UpdateForeign if o.landed() => findings.push(finding(
                CheckId::WriteUpdateForeign,
                format!("updated {} row(s) of tenant {ftenant}", o.rows),
                sql,
            )),
            Purpose::MoveOwn if o.landed() => {
                let escalation = users_table == Some(t.short.as_str())
                    && target.subject.user.is_some();
                findings.push(finding(
                    if escalation {
                        CheckId::EscalationOwnTenant
                    } else {
                        CheckId::WriteUpdateMovesRow
                    },
                    if escalation {
                        format!("changed their own tenant to {ftenant}")
                    } else {
                        format!("moved an own row into tenant {ftenant}")
                    },
                    sql,
                ))
            }
            Purpose::UpsertForeign if o.landed() => findings.push(finding(
                CheckId::WriteUpsertForeign,
                format!("an upsert overwrote a row of tenant {ftenant}"),
                sql,
            )),
            Purpose::MergeForeign if o.landed() => findings.push(finding(
                CheckId::WriteMergeForeign,
                format!("MERGE updated {} row(s) of tenant {ftenant}", o.rows),
                sql,
            )),
            Purpose::DeleteForeign if o.landed() => findings.push(finding(
                CheckId::WriteDeleteForeign,
                format!("deleted {} row(s) of tenant {ftenant}", o.rows),
                sql,
            )),
            Purpose::Truncate if o.ok => findings.push(finding(
                CheckId::PrivilegeTruncate,
                "TRUNCATE succeeded: it empties every tenant's rows, and RLS does not govern it"
                    .into(),
                sql,
            )),
            Purpose::ChildOfForeignParent(fk) if o.landed() => findings.push(finding(
                CheckId::WriteChildOfForeignParent,
                format!("attached an own row to a parent of tenant {ftenant} through {fk}"),
                sql,
            ).object(fk)),
            // A composite foreign key refuses it as a missing parent: a denial that reveals nothing.
            Purpose::ChildOfForeignParent(_) if o.sqlstate.as_deref() == Some("23503") => {
                cov.denied += 1
            }
            Purpose::UniqueProbe(index)
                if own_insert_ok && o.sqlstate.as_deref() == Some("23505") =>
            {
                findings.push(finding(
                    CheckId::SideChannelUnique,
                    format!("inserting an own row with a value that only tenant {ftenant} has fails with a duplicate key on {index}, while a fresh value succeeds: the error tells that the value exists in another tenant"),
                    sql,
                ).object(index))
            }
            Purpose::InsertOwn if o.denied() && m.can.insert_policy => findings.push(finding(
                CheckId::WriteOwnRowsDenied,
                format!("may not insert a row into their own tenant although the role may insert and a policy allows inserts: {}", o.describe()),
                sql,
            )),
            Purpose::UpdateOwn if own_insert_ok && o.ok && o.rows == 0 && m.can.update_policy => {
                findings.push(finding(
                    CheckId::WriteOwnRowsDenied,
                    "may not update a row of their own tenant (just inserted) although the role may update and a policy allows updates".into(),
                    sql,
                ))
            }
            Purpose::PeekDefault => {
                let inserted = of(&Purpose::InsertDefault).is_some_and(|(_, o)| o.landed());
                let own = target.own_tenant.as_deref().unwrap_or("");
                match o.value.as_deref() {
                    Some(v) if inserted && v != own => findings.push(finding(
                        CheckId::WriteInsertDefaultForeign,
                        format!("an insert that names no tenant landed in tenant {v}, not the actor's ({own})"),
                        &script[i - 1].sql,
                    )),
                    _ => {}
                }
            }
            _ if !o.ok && !o.denied() && must_be_denied => cov.inconclusive.push(format!(
                "{} as {label}: {:?} ended in {}",
                t.short,
                p,
                o.describe()
            )),
            _ => {}
        }
    }
}

/// The write, side-channel and privilege probes of a run: each subject aims
/// at the next checked tenant that is not its own.
pub async fn run(cx: &super::Context<'_>) -> Result<(Vec<Finding>, WriteCoverage)> {
    let targets: Vec<Target> = cx
        .subjects
        .iter()
        .map(|s| Target {
            subject: s,
            own_tenant: s
                .group
                .as_ref()
                .map(|g| cx.tenant_of.get(g).cloned().unwrap_or_default()),
        })
        .collect();
    check(
        cx.admin,
        &targets,
        cx.snapshot,
        &cx.scenario.tenancy.column,
        cx.scenario.users.as_ref().map(|u| u.table.as_str()),
        cx.tenant_of,
        cx.seed,
    )
    .await
}
