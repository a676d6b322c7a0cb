//! A seeding plan and its execution: which tables, how many rows, who owns
//! them. Tables are filled level by level in foreign-key order, the tables
//! of one level in parallel on connections of their own; a child row takes
//! a parent of the same owner, the way one customer's orders point at that
//! customer's clients in real data. Nothing per row is kept in memory
//! ([`crate::layout`]), so memory does not grow with the row count.

use crate::catalog::{self, Column, ForeignKey, TableInfo};
use crate::copy::copy_rows;
use crate::generate;
use crate::layout::{derived_bits, weights, Distribution, TableLayout};
use crate::rng::{stream, Rng};
use crate::users::User;
use crate::value::Value;
use crate::SeedError;
use postgres_types::Type;
use rand::seq::IndexedRandom;
use rand::Rng as _;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio_postgres::{Client, Config, NoTls};

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

/// A generator the scenario sets for one column instead of the default.
#[derive(Debug, Clone, PartialEq)]
pub enum Override {
    /// One of these values (as text; the server casts them).
    Values(Vec<String>),
    /// A number drawn uniformly from `[low, high]`.
    Range(f64, f64),
    /// Text with `{row}` (the row number) and `{owner}` (the owner key) filled in.
    Template(String),
    /// Always NULL.
    Null,
}

/// One table to fill.
#[derive(Debug, Clone)]
pub struct TablePlan {
    /// Table name (search_path applies).
    pub table: String,
    /// Column holding the owner key (a user id, or a tenant after the migration).
    pub owner_column: Option<String>,
    /// Rows to generate.
    pub rows: u64,
    /// Per-column generators that replace the defaults.
    pub overrides: Vec<(String, Override)>,
}

/// Everything the seeder needs; built by the harness from a scenario.
#[derive(Debug, Clone)]
pub struct SeedPlan {
    /// Seed of every random choice.
    pub seed: u64,
    /// Namespace of the random streams, so two plans of one run draw different data.
    pub stream: String,
    /// Owner keys as text: user ids, or tenant values. With `users`, the users' ids.
    pub owners: Vec<String>,
    /// When the owners are users: the users table and one row per user.
    pub users: Option<(UsersTable, Vec<User>)>,
    /// The other tables to fill.
    pub tables: Vec<TablePlan>,
    /// How rows spread over owners.
    pub distribution: Distribution,
    /// Share of NULLs in NULL-able columns that are not keys.
    pub null_fraction: f64,
    /// Row numbers start here: keys and unique values of a later plan do not collide with an earlier one's.
    pub first_row: u64,
    /// How many tables load at once.
    pub concurrency: usize,
    /// Drop keys, indexes and foreign keys for the load and recreate them
    /// after ([`crate::bulk`]): much faster, and it validates the data.
    pub bulk: bool,
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

/// How the key of row `i` of a table is made, so that children can compute it.
#[derive(Debug, Clone)]
enum KeyRule {
    /// Row `i` is user `i`.
    UserIds(Arc<Vec<uuid::Uuid>>),
    /// Derived from the seed: see [`derived_key`].
    Derived {
        ty: Type,
        label: String,
        first_row: u64,
    },
}

impl KeyRule {
    fn key(&self, seed: u64, i: u64) -> Value {
        match self {
            KeyRule::UserIds(ids) => Value::Uuid(ids[i as usize]),
            KeyRule::Derived {
                ty,
                label,
                first_row,
            } => derived_key(ty, seed, label, *first_row + i),
        }
    }
}

/// The key of row number `n` of the table whose stream label is `label`.
fn derived_key(ty: &Type, seed: u64, label: &str, n: u64) -> Value {
    match *ty {
        Type::UUID => {
            Value::Uuid(uuid::Builder::from_random_bytes(derived_bits(seed, label, n)).into_uuid())
        }
        Type::INT2 => Value::I16((n + 1) as i16),
        Type::INT4 => Value::I32((n + 1) as i32),
        Type::INT8 => Value::I64((n + 1) as i64),
        _ => Value::Text(format!("k{:010}", n + 1)),
    }
}

/// A table as the loader sees it: its catalog entry, layout and key rule.
struct Planned {
    info: TableInfo,
    plan: TablePlan,
    layout: TableLayout,
    /// `None` when the key cannot be recomputed (no single-column generated key).
    key: Option<KeyRule>,
    owned: bool,
    is_users: bool,
}

/// What every table's generator shares.
struct Shared {
    plan: SeedPlan,
    tables: HashMap<String, Planned>,
    users_table: Option<String>,
}

/// Fills the plan's tables on the server at `config`. Deterministic in `plan.seed`.
pub async fn run(config: &Config, plan: &SeedPlan) -> Result<SeedOutcome, SeedError> {
    let started = Instant::now();
    let client = connect(config, "catalog").await?;
    let mut shared = Shared {
        plan: plan.clone(),
        tables: HashMap::new(),
        users_table: None,
    };
    let mut order_names = Vec::new();
    let weights = weights(
        plan.owners.len(),
        plan.distribution,
        &mut stream(plan.seed, &format!("{}:weights", plan.stream)),
    );

    if let Some((ut, users)) = &plan.users {
        let info = catalog::load(&client, &ut.table).await?;
        for col in [
            Some(&ut.id_column),
            ut.email_column.as_ref(),
            ut.name_column.as_ref(),
        ]
        .into_iter()
        .flatten()
        {
            if info.column(col).is_none() {
                return Err(SeedError::NoSuchColumn {
                    table: info.name.clone(),
                    column: col.clone(),
                });
            }
        }
        let ids = Arc::new(users.iter().map(|u| u.id).collect::<Vec<_>>());
        shared.users_table = Some(info.name.clone());
        order_names.push(info.name.clone());
        let plan = TablePlan {
            table: ut.table.clone(),
            owner_column: Some(ut.id_column.clone()),
            rows: users.len() as u64,
            overrides: vec![],
        };
        shared.tables.insert(
            info.name.clone(),
            Planned {
                layout: TableLayout::identity(users.len() as u64),
                key: Some(KeyRule::UserIds(ids)),
                owned: true,
                is_users: true,
                info,
                plan,
            },
        );
    }
    for t in &plan.tables {
        let info = catalog::load(&client, &t.table).await?;
        if shared.tables.contains_key(&info.name) {
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
        for (col, _) in &t.overrides {
            if info.column(col).is_none() {
                return Err(SeedError::NoSuchColumn {
                    table: info.name.clone(),
                    column: col.clone(),
                });
            }
        }
        let label = format!("{}:{}", plan.stream, info.name);
        let layout = TableLayout::new(
            t.rows,
            &weights,
            &mut stream(plan.seed, &format!("{label}:layout")),
        );
        let key = match info.primary_key.as_slice() {
            [pk] => info
                .column(pk)
                .filter(|c| !c.generated)
                .map(|c| KeyRule::Derived {
                    ty: c.ty.clone(),
                    label: label.clone(),
                    first_row: plan.first_row,
                }),
            _ => None,
        };
        order_names.push(info.name.clone());
        shared.tables.insert(
            info.name.clone(),
            Planned {
                owned: t.owner_column.is_some(),
                is_users: false,
                layout,
                key,
                info,
                plan: t.clone(),
            },
        );
    }

    let mut outcome = SeedOutcome::default();
    if let Some((ut, users)) = &plan.users {
        if ut.auth_users {
            let n = load_auth_users(&client, users).await?;
            outcome.tables.push(("auth.users".into(), n));
        }
    }
    let levels = load_levels(&shared, &order_names)?;
    let (levels, deferred) = if plan.bulk {
        // Without foreign keys during the load, order does not matter: one
        // level, largest tables first, keeps every connection busy.
        let mut all: Vec<String> = levels.into_iter().flatten().collect();
        all.sort_by_key(|n| std::cmp::Reverse(shared.tables[n].layout.rows()));
        (
            vec![all],
            Some(crate::bulk::defer(&client, &order_names).await?),
        )
    } else {
        (levels, None)
    };
    let shared = Arc::new(shared);
    let permits = Arc::new(tokio::sync::Semaphore::new(plan.concurrency.max(1)));
    for level in levels {
        // Large tables load as several chunks on connections of their own.
        let mut units: Vec<(String, u64)> = Vec::new();
        for name in &level {
            let chunks = if TableGen::new(&shared, name, 0)?.guarded_unique.is_empty() {
                shared.tables[name]
                    .layout
                    .rows()
                    .div_ceil(CHUNK_ROWS)
                    .max(1)
            } else {
                1 // uniqueness guarded in memory needs one generator
            };
            units.extend((0..chunks).map(|c| (name.clone(), c)));
        }
        units.sort_by_key(|(name, c)| {
            (
                std::cmp::Reverse(unit_rows(&shared, name, *c)),
                name.clone(),
                *c,
            )
        });
        let mut tasks = Vec::new();
        for (name, chunk) in units {
            let (shared, config, permits) = (shared.clone(), config.clone(), permits.clone());
            tasks.push(tokio::spawn(async move {
                let _permit = permits.acquire().await.expect("semaphore open");
                let client = connect(&config, &name).await?;
                let n = load_chunk(&client, &shared, &name, chunk).await?;
                Ok::<_, SeedError>((name, n))
            }));
        }
        let mut written: Vec<(String, u64)> = level.iter().map(|n| (n.clone(), 0)).collect();
        for task in tasks {
            let (name, n) = task.await.expect("seeding task panicked")?;
            if let Some(w) = written.iter_mut().find(|(t, _)| *t == name) {
                w.1 += n;
            }
        }
        for name in &level {
            TableGen::new(&shared, name, 0)?
                .fix_sequences(&client)
                .await?;
        }
        outcome.tables.extend(written);
    }
    if let Some(d) = deferred {
        crate::bulk::restore(config, d, plan.concurrency).await?;
    }
    outcome.elapsed = started.elapsed();
    Ok(outcome)
}

async fn connect(config: &Config, table: &str) -> Result<Client, SeedError> {
    let (client, conn) = config.connect(NoTls).await.map_err(SeedError::db(table))?;
    tokio::spawn(async move {
        let _ = conn.await;
    });
    Ok(client)
}

/// Rows per chunk of a large table. Each chunk draws from its own random
/// stream, so the data does not depend on how many chunks load at once.
const CHUNK_ROWS: u64 = 200_000;

/// Rows of chunk `chunk` of table `name`.
fn unit_rows(shared: &Shared, name: &str, chunk: u64) -> u64 {
    let rows = shared.tables[name].layout.rows();
    rows.saturating_sub(chunk * CHUNK_ROWS)
        .min(CHUNK_ROWS)
        .max(if rows == 0 { 0 } else { 1 })
}

/// Loads rows `chunk * CHUNK_ROWS ..` of table `name` (the whole table when
/// its uniqueness is guarded in memory, chunk 0).
async fn load_chunk(
    client: &Client,
    shared: &Shared,
    name: &str,
    chunk: u64,
) -> Result<u64, SeedError> {
    let mut gen = TableGen::new(shared, name, chunk)?;
    let planned = &shared.tables[name];
    let (first, end) = if gen.guarded_unique.is_empty() {
        let first = chunk * CHUNK_ROWS;
        (first, (first + CHUNK_ROWS).min(planned.layout.rows()))
    } else {
        (0, planned.layout.rows())
    };
    let (columns, types) = (gen.columns.clone(), gen.types.clone());
    let mut i = first;
    copy_rows(client, &planned.info.name, &columns, &types, || {
        while i < end {
            let r = i;
            i += 1;
            if let Some(values) = gen.row(r)? {
                return Ok(Some(values));
            }
        }
        Ok(None)
    })
    .await
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

/// Parents before children, as levels whose tables can load together:
/// Kahn's algorithm over foreign keys between seeded tables; NULL-able
/// edges are dropped only if they close a cycle.
fn load_levels(shared: &Shared, names: &[String]) -> Result<Vec<Vec<String>>, SeedError> {
    let deps = |strict_only: bool| -> Vec<BTreeSet<usize>> {
        names
            .iter()
            .map(|n| {
                let t = &shared.tables[n].info;
                t.foreign_keys
                    .iter()
                    .filter(|fk| fk.target != t.name && (!strict_only || fk_not_null(t, fk)))
                    .filter_map(|fk| names.iter().position(|x| *x == fk.target))
                    .collect()
            })
            .collect()
    };
    for strict_only in [false, true] {
        let deps = deps(strict_only);
        let mut level_of: Vec<Option<usize>> = vec![None; names.len()];
        let mut levels: Vec<Vec<String>> = Vec::new();
        loop {
            let ready: Vec<usize> = (0..names.len())
                .filter(|&i| {
                    level_of[i].is_none()
                        && deps[i]
                            .iter()
                            .all(|&d| level_of[d].is_some_and(|l| l < levels.len()))
                })
                .collect();
            if ready.is_empty() {
                break;
            }
            for &i in &ready {
                level_of[i] = Some(levels.len());
            }
            levels.push(ready.into_iter().map(|i| names[i].clone()).collect());
        }
        if level_of.iter().all(Option::is_some) {
            return Ok(levels);
        }
        if strict_only {
            let tables = (0..names.len())
                .filter(|&i| level_of[i].is_none())
                .map(|i| names[i].clone())
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

/// How one column of a table gets its value.
enum Source {
    UserEmail,
    UserName,
    Owner,
    Key,
    /// Reference number `n` (index into `refs`); references are single-column,
    /// since only single-column keys can be recomputed.
    Foreign(usize),
    /// A NULL-able reference to something this plan does not seed.
    AlwaysNull,
    Overridden(Override),
    Generated {
        unique: bool,
    },
}

/// A reference to another seeded table, and how to pick its parent row.
struct Reference {
    target: String,
    required: bool,
    /// Points at users (the users table, or auth.users mirrored from it).
    to_users: bool,
}

/// Row generation for one table.
struct TableGen<'s> {
    shared: &'s Shared,
    planned: &'s Planned,
    cols: Vec<Column>,
    columns: Vec<String>,
    types: Vec<Type>,
    sources: Vec<Source>,
    refs: Vec<Reference>,
    rng: Rng,
    /// Unique constraints no generated value makes unique by itself.
    guarded_unique: Vec<(Vec<usize>, HashSet<Vec<String>>)>,
    serial_columns: Vec<String>,
}

impl<'s> TableGen<'s> {
    fn new(shared: &'s Shared, name: &str, chunk: u64) -> Result<Self, SeedError> {
        let planned = &shared.tables[name];
        let info = &planned.info;
        let plan = &shared.plan;
        let users_table = plan.users.as_ref().map(|(ut, _)| ut);
        let mut probe = stream(0, "probe");
        let mut g = TableGen {
            shared,
            planned,
            cols: vec![],
            columns: vec![],
            types: vec![],
            sources: vec![],
            refs: vec![],
            rng: stream(plan.seed, &format!("{}:{}:{chunk}", plan.stream, info.name)),
            guarded_unique: vec![],
            serial_columns: vec![],
        };
        let single_pk = info.primary_key.len() == 1;
        for col in &info.columns {
            if col.generated {
                continue;
            }
            let fk_of = info
                .foreign_keys
                .iter()
                .find(|fk| fk.columns.contains(&col.name));
            let overridden = planned
                .plan
                .overrides
                .iter()
                .find(|(c, _)| *c == col.name)
                .map(|(_, o)| o.clone());
            let source = if planned.is_users && users_table.is_some_and(|u| u.id_column == col.name)
            {
                Source::Key
            } else if planned.is_users
                && users_table.is_some_and(|u| u.email_column.as_deref() == Some(&col.name))
            {
                Source::UserEmail
            } else if planned.is_users
                && users_table.is_some_and(|u| u.name_column.as_deref() == Some(&col.name))
            {
                Source::UserName
            } else if planned.plan.owner_column.as_deref() == Some(col.name.as_str()) {
                Source::Owner
            } else if let Some(o) = overridden {
                Source::Overridden(o)
            } else if let Some(fk) = fk_of {
                let to_auth_users =
                    fk.target == "auth.users" && users_table.is_some_and(|u| u.auth_users);
                let to_users =
                    to_auth_users || shared.users_table.as_deref() == Some(fk.target.as_str());
                let target_keyed = shared.tables.get(&fk.target).is_some_and(|t| {
                    t.key.is_some()
                        && fk.target != info.name
                        && t.info.primary_key == fk.target_columns
                });
                if !(to_users || target_keyed) {
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
                    g.push(col, Source::AlwaysNull);
                    continue;
                }
                // Only single-column keys are recomputable, so each reference is one column.
                g.refs.push(Reference {
                    target: fk.target.clone(),
                    required: fk_not_null(info, fk),
                    to_users,
                });
                Source::Foreign(g.refs.len() - 1)
            } else if single_pk && info.primary_key[0] == col.name {
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
                        return Err(SeedError::Unsupported {
                            table: info.name.clone(),
                            column: col.name.clone(),
                            ty: col.type_name.clone(),
                        });
                    }
                }
                Source::Generated { unique }
            };
            g.push(col, source);
        }
        for u in info
            .unique
            .iter()
            .chain(std::iter::once(&info.primary_key))
            .filter(|u| !u.is_empty())
        {
            let positions: Vec<usize> = u
                .iter()
                .filter_map(|c| g.columns.iter().position(|x| x == c))
                .collect();
            // Keys, and unique text or numbers the generator numbers per row, are unique by themselves.
            let self_unique = positions.iter().any(|&p| match g.sources[p] {
                Source::Key => true,
                Source::Generated { unique: true } => u.len() == 1 || is_texty(&g.types[p]),
                _ => false,
            });
            if !self_unique {
                g.guarded_unique.push((positions, HashSet::new()));
            }
        }
        Ok(g)
    }

    fn push(&mut self, col: &Column, source: Source) {
        self.cols.push(col.clone());
        self.columns.push(col.name.clone());
        self.types.push(col.ty.clone());
        self.sources.push(source);
    }

    /// Row `i`, or `None` when no row unique under the guarded constraints could be made.
    fn row(&mut self, i: u64) -> Result<Option<Vec<Value>>, SeedError> {
        for _ in 0..20 {
            let values = self.try_row(i);
            let keys: Vec<Vec<String>> = self
                .guarded_unique
                .iter()
                .map(|(positions, _)| positions.iter().map(|&p| values[p].key_text()).collect())
                .collect();
            if self
                .guarded_unique
                .iter()
                .zip(&keys)
                .all(|((_, seen), k)| !seen.contains(k))
            {
                for ((_, seen), k) in self.guarded_unique.iter_mut().zip(keys) {
                    seen.insert(k);
                }
                return Ok(Some(values));
            }
        }
        Ok(None)
    }

    fn try_row(&mut self, i: u64) -> Vec<Value> {
        let shared = self.shared;
        let plan = &shared.plan;
        let owner = self.planned.owned.then(|| self.planned.layout.owner_of(i));
        let parents: Vec<Option<u64>> = self
            .refs
            .iter()
            .map(|r| {
                let target = &shared.tables.get(&r.target);
                match (r.to_users, owner, target) {
                    (true, Some(o), _) => Some(o as u64),
                    (true, None, _) => (!plan.owners.is_empty())
                        .then(|| self.rng.random_range(0..plan.owners.len() as u64)),
                    (false, _, Some(t)) => {
                        let same = match owner {
                            Some(o) if t.owned => t.layout.pick_of(o, &mut self.rng),
                            _ => t.layout.pick_any(&mut self.rng),
                        };
                        same.or_else(|| {
                            if r.required {
                                t.layout.pick_any(&mut self.rng)
                            } else {
                                None
                            }
                        })
                    }
                    (false, _, None) => None,
                }
            })
            .collect();
        let row_number = plan.first_row + i;
        let mut values = Vec::with_capacity(self.sources.len());
        for (c, source) in self.sources.iter().enumerate() {
            let nullable = !self.cols[c].not_null;
            let v = match source {
                Source::Key => self
                    .planned
                    .key
                    .as_ref()
                    .map_or(Value::Null, |k| k.key(plan.seed, i)),
                Source::UserEmail => plan.users.as_ref().map_or(Value::Null, |(_, u)| {
                    Value::Text(u[i as usize].email.clone())
                }),
                Source::UserName => plan.users.as_ref().map_or(Value::Null, |(_, u)| {
                    Value::Text(u[i as usize].name.clone())
                }),
                Source::Owner => {
                    owner.map_or(Value::Null, |o| typed(&plan.owners[o], &self.types[c]))
                }
                Source::AlwaysNull => Value::Null,
                Source::Foreign(fk) => {
                    let r = &self.refs[*fk];
                    let skip = nullable && !r.required && self.rng.random_bool(plan.null_fraction);
                    match parents[*fk] {
                        Some(p) if !skip => {
                            if r.to_users {
                                typed(&plan.owners[p as usize], &self.types[c])
                            } else {
                                let t = &shared.tables[&r.target];
                                t.key.as_ref().map_or(Value::Null, |k| k.key(plan.seed, p))
                            }
                        }
                        _ => Value::Null,
                    }
                }
                Source::Overridden(o) => overridden(
                    o,
                    &self.cols[c],
                    row_number,
                    owner.map(|o| plan.owners[o].as_str()),
                    &mut self.rng,
                ),
                Source::Generated { unique } => {
                    if nullable && !unique && self.rng.random_bool(plan.null_fraction) {
                        Value::Null
                    } else {
                        generate::value(&self.cols[c], row_number, *unique, &mut self.rng)
                            .unwrap_or(Value::Null)
                    }
                }
            };
            values.push(v);
        }
        values
    }

    /// Moves serial sequences past the keys written explicitly.
    async fn fix_sequences(&self, client: &Client) -> Result<(), SeedError> {
        let table = &self.planned.info.name;
        for col in &self.serial_columns {
            let sql = format!(
                "SELECT setval(s, (SELECT coalesce(max({c}), 0) + 1 FROM {table}), false) \
                 FROM pg_get_serial_sequence($1, $2) s WHERE s IS NOT NULL",
                c = tenant_sql::ident(col),
            );
            client
                .query(&sql, &[table, col])
                .await
                .map_err(SeedError::db(table))?;
        }
        Ok(())
    }
}

/// An owner key (text) as a value of the column's type.
fn typed(text: &str, ty: &Type) -> Value {
    match *ty {
        Type::UUID => text.parse().map_or(Value::Text(text.into()), Value::Uuid),
        Type::INT4 => text.parse().map_or(Value::Text(text.into()), Value::I32),
        Type::INT8 => text.parse().map_or(Value::Text(text.into()), Value::I64),
        _ => Value::Text(text.into()),
    }
}

fn overridden(o: &Override, col: &Column, row: u64, owner: Option<&str>, rng: &mut Rng) -> Value {
    match o {
        Override::Null => Value::Null,
        Override::Values(vs) => vs.choose(rng).map_or(Value::Null, |v| typed(v, &col.ty)),
        Override::Template(t) => Value::Text(
            t.replace("{row}", &row.to_string())
                .replace("{owner}", owner.unwrap_or("")),
        ),
        Override::Range(lo, hi) => {
            let x = if hi > lo {
                rng.random_range(*lo..=*hi)
            } else {
                *lo
            };
            match col.ty {
                Type::INT2 => Value::I16(x.round() as i16),
                Type::INT4 => Value::I32(x.round() as i32),
                Type::INT8 => Value::I64(x.round() as i64),
                Type::FLOAT4 => Value::F32(x as f32),
                Type::NUMERIC => Value::Numeric(
                    rust_decimal::Decimal::from_f64_retain((x * 100.0).round() / 100.0)
                        .unwrap_or_default(),
                ),
                _ => Value::F64(x),
            }
        }
    }
}

fn is_texty(ty: &Type) -> bool {
    matches!(*ty, Type::TEXT | Type::VARCHAR | Type::BPCHAR)
}
