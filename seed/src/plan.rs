//! A seeding plan and its execution: which tables, how many rows, who owns
//! them; tables are filled parents first, and a child row takes a parent of
//! the same owner, the way one customer's orders point at that customer's
//! clients in real data.

use crate::catalog::{self, ForeignKey, TableInfo};
use crate::copy::copy_rows;
use crate::generate;
use crate::rng::{stream, Rng};
use crate::users::User;
use crate::value::Value;
use crate::SeedError;
use postgres_types::Type;
use rand::seq::IndexedRandom;
use rand::Rng as _;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::time::{Duration, Instant};
use tokio_postgres::Client;

/// The users table and which of its columns hold the user's identity.
#[derive(Debug, Clone)]
pub struct UsersTable {
    /// The users table (search_path applies).
    pub table: String,
    /// Column holding the user id.
    pub id_column: String,
    /// Column holding the e-mail address.
    pub email_column: Option<String>,
    /// Column holding a display name.
    pub name_column: Option<String>,
    /// Also insert every user into `auth.users` (Supabase), before the users table.
    pub auth_users: bool,
}

/// One table to fill.
#[derive(Debug, Clone)]
pub struct TablePlan {
    /// Table name (search_path applies).
    pub table: String,
    /// Column holding the owning user's id, if rows are owned by a user.
    pub owner_column: Option<String>,
    /// Rows to generate.
    pub rows: u64,
}

/// Everything the seeder needs; built by the harness from a scenario.
#[derive(Debug, Clone)]
pub struct SeedPlan {
    /// Seed of every random choice.
    pub seed: u64,
    /// The users table and its identity columns.
    pub users_table: UsersTable,
    /// The users, one row each in the users table.
    pub users: Vec<User>,
    /// The other tables to fill.
    pub tables: Vec<TablePlan>,
    /// Share of NULLs in NULL-able columns that are not keys.
    pub null_fraction: f64,
}

/// What was loaded.
#[derive(Debug, Clone, Default)]
pub struct SeedOutcome {
    /// Schema-qualified table name and rows written, in load order.
    pub tables: Vec<(String, u64)>,
    /// Wall-clock time of seeding.
    pub elapsed: Duration,
}

impl SeedOutcome {
    /// Rows written over all tables.
    pub fn total_rows(&self) -> u64 {
        self.tables.iter().map(|(_, n)| n).sum()
    }
}

/// Values of already loaded tables that later tables reference.
#[derive(Default)]
struct Loaded {
    /// Owner (user index) per row; `None` for unowned tables.
    owners: Vec<Option<u32>>,
    /// Row indices per owner.
    by_owner: HashMap<u32, Vec<u32>>,
    /// For each referenced column set, its values per row.
    keys: HashMap<Vec<String>, Vec<Vec<Value>>>,
}

/// Fills the plan's tables. Deterministic in `plan.seed`.
pub async fn run(client: &Client, plan: &SeedPlan) -> Result<SeedOutcome, SeedError> {
    let started = Instant::now();
    let users_info = catalog::load(client, &plan.users_table.table).await?;
    let mut infos: Vec<(TableInfo, Option<String>, u64)> = vec![(
        users_info.clone(),
        Some(plan.users_table.id_column.clone()),
        plan.users.len() as u64,
    )];
    for t in &plan.tables {
        let info = catalog::load(client, &t.table).await?;
        if info.name == users_info.name {
            continue; // the users table is seeded from the user list
        }
        if let Some(owner) = &t.owner_column {
            if info.column(owner).is_none() {
                return Err(SeedError::NoSuchColumn {
                    table: info.name.clone(),
                    column: owner.clone(),
                });
            }
        }
        infos.push((info, t.owner_column.clone(), t.rows));
    }
    for col in [
        Some(&plan.users_table.id_column),
        plan.users_table.email_column.as_ref(),
        plan.users_table.name_column.as_ref(),
    ]
    .into_iter()
    .flatten()
    {
        if users_info.column(col).is_none() {
            return Err(SeedError::NoSuchColumn {
                table: users_info.name.clone(),
                column: col.clone(),
            });
        }
    }

    let mut outcome = SeedOutcome::default();
    if plan.users_table.auth_users {
        let n = load_auth_users(client, &plan.users).await?;
        outcome.tables.push(("auth.users".into(), n));
    }

    let order = load_order(&infos)?;
    // Which column sets of each table later tables point at.
    let mut referenced: HashMap<String, BTreeSet<Vec<String>>> = HashMap::new();
    for (info, _, _) in &infos {
        for fk in &info.foreign_keys {
            referenced
                .entry(fk.target.clone())
                .or_default()
                .insert(fk.target_columns.clone());
        }
    }
    let seeded: HashSet<String> = infos.iter().map(|(i, _, _)| i.name.clone()).collect();
    let owned: HashSet<String> = infos
        .iter()
        .filter(|(_, o, _)| o.is_some())
        .map(|(i, _, _)| i.name.clone())
        .collect();
    let mut loaded: HashMap<String, Loaded> = HashMap::new();
    for idx in order {
        let (info, owner, rows) = &infos[idx];
        let is_users = info.name == users_info.name;
        let mut gen = TableGen::new(
            plan,
            info,
            owner.as_deref(),
            is_users,
            &seeded,
            &owned,
            &users_info.name,
        )?;
        let wanted = referenced.remove(&info.name).unwrap_or_default();
        let mut out = Loaded::default();
        for cols in &wanted {
            out.keys.insert(cols.clone(), Vec::new());
        }
        let mut row = 0u64;
        let (columns, types) = (gen.columns.clone(), gen.types.clone());
        let n = copy_rows(client, &info.name, &columns, &types, || {
            while row < *rows {
                let r = row;
                row += 1;
                if let Some((values, owner)) = gen.row(r, &loaded)? {
                    record(&mut out, &columns, &values, owner);
                    return Ok(Some(values));
                }
            }
            Ok(None)
        })
        .await?;
        gen.fix_sequences(client).await?;
        outcome.tables.push((info.name.clone(), n));
        loaded.insert(info.name.clone(), out);
    }
    outcome.elapsed = started.elapsed();
    Ok(outcome)
}

fn record(out: &mut Loaded, columns: &[String], values: &[Value], owner: Option<u32>) {
    let idx = out.owners.len() as u32;
    out.owners.push(owner);
    if let Some(o) = owner {
        out.by_owner.entry(o).or_default().push(idx);
    }
    for (cols, store) in out.keys.iter_mut() {
        let vals = cols
            .iter()
            .map(|c| {
                columns
                    .iter()
                    .position(|x| x == c)
                    .map_or(Value::Null, |i| values[i].clone())
            })
            .collect();
        store.push(vals);
    }
}

async fn load_auth_users(client: &Client, users: &[User]) -> Result<u64, SeedError> {
    let cols = ["id", "email", "aud", "role"].map(String::from);
    let types = [Type::UUID, Type::VARCHAR, Type::VARCHAR, Type::VARCHAR];
    let mut it = users.iter();
    copy_rows(client, "auth.users", &cols, &types, || {
        Ok(it.next().map(|u| {
            vec![
                Value::Uuid(u.id),
                Value::Text(u.email.clone()),
                Value::Text("authenticated".into()),
                Value::Text("authenticated".into()),
            ]
        }))
    })
    .await
}

/// Parents before children: Kahn's algorithm over foreign keys between
/// seeded tables; NULL-able edges are dropped only if they close a cycle.
fn load_order(infos: &[(TableInfo, Option<String>, u64)]) -> Result<Vec<usize>, SeedError> {
    let index: HashMap<&str, usize> = infos
        .iter()
        .enumerate()
        .map(|(i, (t, _, _))| (t.name.as_str(), i))
        .collect();
    let edges = |strict_only: bool| -> Vec<BTreeSet<usize>> {
        infos
            .iter()
            .map(|(t, _, _)| {
                t.foreign_keys
                    .iter()
                    .filter(|fk| fk.target != t.name)
                    .filter(|fk| !strict_only || fk_not_null(t, fk))
                    .filter_map(|fk| index.get(fk.target.as_str()).copied())
                    .collect()
            })
            .collect()
    };
    for strict_only in [false, true] {
        let deps = edges(strict_only);
        let mut done = vec![false; infos.len()];
        let mut order = Vec::new();
        while order.len() < infos.len() {
            let next = (0..infos.len()).find(|&i| !done[i] && deps[i].iter().all(|&d| done[d]));
            match next {
                Some(i) => {
                    done[i] = true;
                    order.push(i);
                }
                None => break,
            }
        }
        if order.len() == infos.len() {
            return Ok(order);
        }
        if strict_only {
            let tables = (0..infos.len())
                .filter(|&i| !done[i])
                .map(|i| infos[i].0.name.clone())
                .collect();
            return Err(SeedError::Cycle { tables });
        }
    }
    unreachable!("the strict pass returns")
}

fn fk_not_null(t: &TableInfo, fk: &ForeignKey) -> bool {
    fk.columns
        .iter()
        .any(|c| t.column(c).is_some_and(|c| c.not_null))
}

/// A generated row and the index of the user who owns it.
type OwnedRow = (Vec<Value>, Option<u32>);

/// How one column of a table gets its value.
enum Source {
    UserId,
    UserEmail,
    UserName,
    Owner,
    Key,
    /// Member `pos` of foreign key `fk` (index into `fks`).
    Foreign {
        fk: usize,
        pos: usize,
    },
    Generated {
        unique: bool,
    },
}

/// Row generation for one table.
struct TableGen<'p> {
    plan: &'p SeedPlan,
    table: String,
    cols: Vec<catalog::Column>,
    columns: Vec<String>,
    types: Vec<Type>,
    sources: Vec<Source>,
    nullable: Vec<bool>,
    fks: Vec<ForeignKey>,
    /// Index into `fks` of the NOT NULL key to an owned parent that decides the owner.
    owner_from: Option<usize>,
    /// Per entry of `fks`: whether the reference is NOT NULL.
    fk_required: Vec<bool>,
    owned: bool,
    is_users: bool,
    users_table: String,
    rng: Rng,
    /// Unique constraints no generated value makes unique by itself.
    guarded_unique: Vec<(Vec<usize>, HashSet<Vec<String>>)>,
    serial_columns: Vec<String>,
}

impl<'p> TableGen<'p> {
    fn new(
        plan: &'p SeedPlan,
        info: &TableInfo,
        owner: Option<&str>,
        is_users: bool,
        seeded: &HashSet<String>,
        owned_tables: &HashSet<String>,
        users_table: &str,
    ) -> Result<Self, SeedError> {
        let mut probe = stream(0, "probe");
        let mut g = TableGen {
            plan,
            table: info.name.clone(),
            cols: vec![],
            columns: vec![],
            types: vec![],
            sources: vec![],
            nullable: vec![],
            fks: vec![],
            owner_from: None,
            fk_required: vec![],
            owned: owner.is_some(),
            is_users,
            users_table: users_table.to_string(),
            rng: stream(plan.seed, &info.name),
            guarded_unique: vec![],
            serial_columns: vec![],
        };
        let single_pk = info.primary_key.len() == 1;
        for col in &info.columns {
            if col.generated {
                continue;
            }
            let fk_pos = info.foreign_keys.iter().find_map(|fk| {
                fk.columns
                    .iter()
                    .position(|c| *c == col.name)
                    .map(|p| (fk, p))
            });
            let ut = &plan.users_table;
            let source = if is_users && col.name == ut.id_column {
                Source::UserId
            } else if is_users && ut.email_column.as_deref() == Some(&col.name) {
                Source::UserEmail
            } else if is_users && ut.name_column.as_deref() == Some(&col.name) {
                Source::UserName
            } else if owner == Some(col.name.as_str()) {
                Source::Owner
            } else if let Some((fk, pos)) = fk_pos {
                let target_known = seeded.contains(&fk.target) && fk.target != info.name
                    || (fk.target == "auth.users" && ut.auth_users);
                if !target_known {
                    if col.not_null && !col.has_default {
                        return Err(SeedError::UnseededParent {
                            table: info.name.clone(),
                            column: col.name.clone(),
                            target: fk.target.clone(),
                        });
                    }
                    if col.has_default {
                        continue;
                    }
                    // NULL-able reference to something not seeded: always NULL.
                    g.push(
                        col,
                        Source::Foreign {
                            fk: usize::MAX,
                            pos: 0,
                        },
                        true,
                    );
                    continue;
                }
                let fk_index = match g.fks.iter().position(|f| f.columns == fk.columns) {
                    Some(x) => x,
                    None => {
                        g.fks.push(fk.clone());
                        g.fks.len() - 1
                    }
                };
                Source::Foreign { fk: fk_index, pos }
            } else if single_pk && info.primary_key[0] == col.name {
                if generate::key(&col.ty, 0, &mut probe).is_none() {
                    return Err(unsupported(info, col));
                }
                if col.has_default && matches!(col.ty, Type::INT2 | Type::INT4 | Type::INT8) {
                    g.serial_columns.push(col.name.clone());
                }
                Source::Key
            } else {
                let unique = info.unique.iter().any(|u| u.contains(&col.name))
                    || (info.primary_key.len() > 1 && info.primary_key.contains(&col.name));
                if generate::value(col, 0, unique, &mut probe).is_none() {
                    if col.has_default {
                        continue;
                    }
                    if col.not_null {
                        return Err(unsupported(info, col));
                    }
                }
                Source::Generated { unique }
            };
            g.push(col, source, !col.not_null);
        }
        // The owner comes from the first NOT NULL reference to an owned table.
        g.fk_required = g.fks.iter().map(|fk| fk_not_null(info, fk)).collect();
        g.owner_from = g.fks.iter().position(|fk| {
            fk_not_null(info, fk) && (fk.target == users_table || owned_tables.contains(&fk.target))
        });
        // Unique constraints made only of keys and references need a guard.
        for u in info
            .unique
            .iter()
            .chain(std::iter::once(&info.primary_key))
            .filter(|u| u.len() > 1)
        {
            let positions: Vec<usize> = u
                .iter()
                .filter_map(|c| g.columns.iter().position(|x| x == c))
                .collect();
            let self_unique = positions.iter().any(|&p| {
                matches!(g.sources[p], Source::Generated { unique: true }) && is_texty(&g.types[p])
            });
            if !self_unique {
                g.guarded_unique.push((positions, HashSet::new()));
            }
        }
        Ok(g)
    }

    fn push(&mut self, col: &catalog::Column, source: Source, nullable: bool) {
        self.cols.push(col.clone());
        self.columns.push(col.name.clone());
        self.types.push(col.ty.clone());
        self.sources.push(source);
        self.nullable.push(nullable);
    }

    /// Row `r` and its owner, or `None` when no unique row could be made.
    fn row(
        &mut self,
        r: u64,
        loaded: &HashMap<String, Loaded>,
    ) -> Result<Option<OwnedRow>, SeedError> {
        for _attempt in 0..20 {
            let (values, owner) = self.try_row(r, loaded)?;
            let mut clash = false;
            for (positions, seen) in &mut self.guarded_unique {
                let key: Vec<String> = positions.iter().map(|&p| values[p].key_text()).collect();
                if !seen.insert(key) {
                    clash = true;
                }
            }
            if !clash {
                return Ok(Some((values, owner)));
            }
            if self.is_users {
                break;
            }
        }
        Ok(None)
    }

    fn try_row(&mut self, r: u64, loaded: &HashMap<String, Loaded>) -> Result<OwnedRow, SeedError> {
        let users = &self.plan.users;
        // Choose the parents first when the owner follows from one of them.
        let mut parent_rows: Vec<Option<u32>> = vec![None; self.fks.len()];
        let mut owner: Option<u32> = if self.is_users { Some(r as u32) } else { None };
        if let Some(i) = self.owner_from {
            let fk = &self.fks[i];
            if fk.target == self.users_table {
                let u = self.rng.random_range(0..users.len()) as u32;
                owner = Some(u);
                parent_rows[i] = Some(u);
            } else if let Some(l) = loaded.get(&fk.target) {
                if !l.owners.is_empty() {
                    let p = self.rng.random_range(0..l.owners.len()) as u32;
                    parent_rows[i] = Some(p);
                    owner = l.owners[p as usize];
                }
            }
        }
        if owner.is_none() && self.owned && !users.is_empty() {
            owner = Some(self.rng.random_range(0..users.len()) as u32);
        }
        for (i, fk) in self.fks.iter().enumerate() {
            if parent_rows[i].is_some() {
                continue;
            }
            let Some(l) = loaded.get(&fk.target) else {
                continue;
            };
            let same_owner = owner
                .and_then(|o| l.by_owner.get(&o))
                .filter(|v| !v.is_empty());
            parent_rows[i] = match same_owner {
                Some(rows) => rows.choose(&mut self.rng).copied(),
                // An unowned parent table, or a required reference this owner
                // has no parent for: any parent (NULL would violate NOT NULL).
                None if !l.owners.is_empty() && (l.by_owner.is_empty() || self.fk_required[i]) => {
                    Some(self.rng.random_range(0..l.owners.len()) as u32)
                }
                None => None,
            };
        }
        let null_fraction = self.plan.null_fraction;
        let mut values = Vec::with_capacity(self.columns.len());
        for (c, source) in self.sources.iter().enumerate() {
            let nullable = self.nullable[c];
            let v = match source {
                Source::UserId => Value::Uuid(users[r as usize].id),
                Source::UserEmail => Value::Text(users[r as usize].email.clone()),
                Source::UserName => Value::Text(users[r as usize].name.clone()),
                Source::Owner => match owner {
                    Some(o) => id_value(users[o as usize].id, &self.types[c]),
                    None => Value::Null,
                },
                Source::Key => {
                    generate::key(&self.types[c], r, &mut self.rng).unwrap_or(Value::Null)
                }
                Source::Foreign { fk, pos } => {
                    if *fk == usize::MAX
                        || (nullable
                            && !self.is_owner_fk(*fk)
                            && self.rng.random_bool(null_fraction))
                    {
                        Value::Null
                    } else {
                        let target = &self.fks[*fk].target;
                        let is_user_ref = *target == self.users_table || target == "auth.users";
                        if is_user_ref {
                            // References to users point at the row's owner (or anyone, if unowned).
                            let u = owner
                                .unwrap_or_else(|| self.rng.random_range(0..users.len()) as u32);
                            id_value(users[u as usize].id, &self.types[c])
                        } else {
                            match (parent_rows[*fk], loaded.get(target)) {
                                (Some(p), Some(l)) => l
                                    .keys
                                    .get(&self.fks[*fk].target_columns)
                                    .map_or(Value::Null, |vals| vals[p as usize][*pos].clone()),
                                _ => Value::Null,
                            }
                        }
                    }
                }
                Source::Generated { unique } => {
                    if nullable && !unique && self.rng.random_bool(null_fraction) {
                        Value::Null
                    } else {
                        generate::value(&self.cols[c], r, *unique, &mut self.rng)
                            .unwrap_or(Value::Null)
                    }
                }
            };
            values.push(v);
        }
        Ok((values, owner))
    }

    fn is_owner_fk(&self, fk: usize) -> bool {
        self.owner_from == Some(fk)
    }

    /// Moves serial sequences past the keys written explicitly.
    async fn fix_sequences(&self, client: &Client) -> Result<(), SeedError> {
        for col in &self.serial_columns {
            let sql = format!(
                "SELECT setval(s, (SELECT coalesce(max({c}), 0) + 1 FROM {t}), false) \
                 FROM pg_get_serial_sequence($1, $2) s WHERE s IS NOT NULL",
                c = catalog::quote_ident(col),
                t = self.table
            );
            client
                .query(&sql, &[&self.table, col])
                .await
                .map_err(SeedError::db(&self.table))?;
        }
        Ok(())
    }
}

fn id_value(id: uuid::Uuid, ty: &Type) -> Value {
    if *ty == Type::UUID {
        Value::Uuid(id)
    } else {
        Value::Text(id.to_string())
    }
}

fn is_texty(ty: &Type) -> bool {
    matches!(*ty, Type::TEXT | Type::VARCHAR | Type::BPCHAR)
}

fn unsupported(info: &TableInfo, col: &catalog::Column) -> SeedError {
    SeedError::Unsupported {
        table: info.name.clone(),
        column: col.name.clone(),
        ty: col.type_name.clone(),
    }
}
