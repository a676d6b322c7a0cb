//! Property-based leak search: random tenant layouts and random sequences
//! of reads, inserts, updates, deletes and upserts by random identities,
//! run against the database and against a reference model of who may see
//! and change what. A divergence is shrunk by proptest to a minimal
//! sequence and printed as a psql script, with the seed that replays it.
//!
//! The model is the rule the migration promises: an identity sees and
//! changes exactly its own tenant's rows. What an identity may do to its
//! own rows at all (some tables take no inserts from users) is measured
//! once per identity and table before the search, so the model only has to
//! say *whose* rows, not *which commands*. Every case is one
//! [`crate::probe`] script in a transaction that is rolled back, so no
//! case needs a reseed and cases never see each other's rows.

use super::{CheckId, Finding};
use crate::checks::writes::{self, Fresh, Meta, Row};
use crate::error::{Error, Result};
use crate::identities::Subject;
use crate::probe::{self, As, Outcome, Step};
use crate::snapshot::{key_expr, Snapshot, TableSnapshot};
use proptest::prelude::*;
use proptest::test_runner::{
    Config, FileFailurePersistence, RngAlgorithm, TestCaseError, TestError, TestRng, TestRunner,
};
use serde::Serialize;
use serde_json::Value as Json;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio_postgres::Client;

/// How to search.
#[derive(Debug, Clone)]
pub struct Options {
    /// Cases to run.
    pub cases: u32,
    /// Seed of the search (printed; `--replay` sets it).
    pub seed: u64,
    /// Where failing cases are persisted (proptest's regression file).
    pub persist: Option<PathBuf>,
    /// At most this many tables take part.
    pub max_tables: usize,
}

/// What the search did.
#[derive(Debug, Clone, Serialize)]
pub struct SearchReport {
    /// Cases judged against the model (including shrinking steps).
    pub cases: u32,
    /// Cases run, judged or not (a case whose rows could not be set up is
    /// not judged).
    pub tried: u32,
    /// Why nothing could be judged, when the world held too little to play
    /// with (no table an identity may insert into, fewer than two tenants,
    /// no identity); such a search proves nothing and is not a pass.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nothing_to_judge: Option<String>,
    /// Wall time.
    pub elapsed: Duration,
    /// Cases per second.
    pub cases_per_second: f64,
    /// The tables in play.
    pub tables: Vec<String>,
    /// The identities in play.
    pub actors: Vec<String>,
    /// The search seed.
    pub seed: u64,
    /// The minimal failing case, as a psql script, if one was found.
    pub failure: Option<Failure>,
}

/// A divergence from the model, shrunk.
#[derive(Debug, Clone, Serialize)]
pub struct Failure {
    /// What diverged.
    pub reason: String,
    /// The table it diverged on.
    pub table: String,
    /// Paste into psql, connected as a superuser to the run's database.
    pub psql: String,
}

/// One identity in play.
struct Player {
    who: As,
    label: String,
    /// Index into the tenants; `None` for anon.
    tenant: Option<usize>,
}

/// What an identity may do to its own rows of a table (measured).
#[derive(Debug, Clone, Copy, Default)]
struct Caps {
    insert: bool,
    update: bool,
    delete: bool,
}

/// One table in play.
struct Board {
    snap: TableSnapshot,
    meta: Meta,
    /// A real row per tenant to copy, when the tenant has one.
    templates: Vec<Option<Json>>,
}

/// Everything a case is built from; read once before the search.
pub(crate) struct World {
    boards: Vec<Board>,
    players: Vec<Player>,
    /// Tenant values.
    tenants: Vec<String>,
    /// Caps per (player, board).
    caps: Vec<Vec<Caps>>,
    tenant_col: String,
    seed: u64,
}

/// One operation of a case. Indices are taken modulo what exists.
#[derive(Debug, Clone)]
pub enum Op {
    /// Read the case's rows of a table.
    Read {
        /// Who.
        player: usize,
        /// Which table.
        board: usize,
    },
    /// Insert a row for a tenant.
    Insert {
        /// Who.
        player: usize,
        /// Which table.
        board: usize,
        /// For which tenant.
        tenant: usize,
    },
    /// Update a row, optionally moving it to a tenant.
    Update {
        /// Who.
        player: usize,
        /// Which row of the case.
        row: usize,
        /// Move it to this tenant.
        move_to: Option<usize>,
    },
    /// Delete a row.
    Delete {
        /// Who.
        player: usize,
        /// Which row of the case.
        row: usize,
    },
    /// Insert an own row with a case row's key, ON CONFLICT DO UPDATE.
    Upsert {
        /// Who.
        player: usize,
        /// Which row of the case.
        row: usize,
    },
}

/// A case: rows the harness writes first (table, tenant), then operations.
#[derive(Debug, Clone)]
pub struct Case {
    layout: Vec<(usize, usize)>,
    ops: Vec<Op>,
}

pub(crate) fn op_strategy(
    players: usize,
    boards: usize,
    tenants: usize,
) -> impl Strategy<Value = Op> {
    let p = 0..players;
    prop_oneof![
        (p.clone(), 0..boards).prop_map(|(player, board)| Op::Read { player, board }),
        (p.clone(), 0..boards, 0..tenants).prop_map(|(player, board, tenant)| Op::Insert {
            player,
            board,
            tenant
        }),
        (p.clone(), 0..8usize, proptest::option::of(0..tenants)).prop_map(
            |(player, row, move_to)| Op::Update {
                player,
                row,
                move_to
            }
        ),
        (p.clone(), 0..8usize).prop_map(|(player, row)| Op::Delete { player, row }),
        (p, 0..8usize).prop_map(|(player, row)| Op::Upsert { player, row }),
    ]
}

pub(crate) fn case_strategy(
    players: usize,
    boards: usize,
    tenants: usize,
) -> impl Strategy<Value = Case> {
    (
        proptest::collection::vec((0..boards, 0..tenants), 1..5),
        proptest::collection::vec(op_strategy(players, boards, tenants), 1..8),
    )
        .prop_map(|(layout, ops)| Case { layout, ops })
}

/// What judging one case against the model gave.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Verdict {
    /// The database did what the model says.
    Held,
    /// The first divergence: why, and on which board.
    Diverged(String, usize),
    /// Nothing could be judged (the layout could not be built, or a write
    /// failed in a way the model does not speak about).
    Unjudged,
}

/// A row of a case as the model tracks it.
#[derive(Debug, Clone)]
struct Tracked {
    board: usize,
    tenant: usize,
    key: String,
    alive: bool,
}

/// What the model expects a step to do.
#[derive(Debug, Clone)]
enum Expect {
    /// Set up by the harness: must succeed.
    Setup,
    /// A write that must land (`true`) or must not (`false`), and what it does to the tracked rows if it lands.
    Write {
        land: bool,
        op: usize,
        board: usize,
        effect: Effect,
    },
    /// A read that must return exactly these keys.
    Read {
        keys: Vec<String>,
        op: usize,
        board: usize,
    },
}

#[derive(Debug, Clone)]
enum Effect {
    None,
    Add(Tracked),
    Kill(usize),
    Move(usize, usize),
    Revive(usize, usize),
}

impl World {
    fn row(&self, board: usize, tenant: usize, fresh: &mut Fresh) -> Option<(Row<'_>, String)> {
        let b = &self.boards[board];
        let template = b.templates[tenant].as_ref()?;
        let row = Row::new(
            &b.snap,
            &b.meta,
            template,
            &self.tenant_col,
            Some(&self.tenants[tenant]),
            fresh,
        )?;
        let key = writes::key_of(&b.snap, &row.json);
        Some((row, key))
    }

    /// The case as probe steps, with what the model expects of each.
    fn plan(&self, case: &Case) -> (Vec<Step>, Vec<Expect>) {
        let mut fresh = Fresh {
            salt: self.seed,
            n: 0,
        };
        let mut rows: Vec<Tracked> = Vec::new();
        let mut steps = Vec::new();
        let mut expects = Vec::new();
        let tc = tenant_sql::ident(&self.tenant_col);
        for &(board, tenant) in &case.layout {
            if let Some((row, key)) = self.row(board, tenant, &mut fresh) {
                steps.push(Step::exec(&As::harness(), row.insert("")));
                expects.push(Expect::Setup);
                rows.push(Tracked {
                    board,
                    tenant,
                    key,
                    alive: true,
                });
            }
        }
        if rows.is_empty() {
            return (steps, expects);
        }
        for (i, op) in case.ops.iter().enumerate() {
            match *op {
                Op::Read { player, board } => {
                    let p = &self.players[player];
                    let b = &self.boards[board];
                    let keys: Vec<String> = rows
                        .iter()
                        .filter(|r| r.board == board)
                        .map(|r| tenant_sql::literal(&r.key))
                        .collect();
                    if keys.is_empty() {
                        continue;
                    }
                    let mut want: Vec<String> = rows
                        .iter()
                        .filter(|r| r.board == board && r.alive && Some(r.tenant) == p.tenant)
                        .map(|r| r.key.clone())
                        .collect();
                    want.sort();
                    want.dedup();
                    steps.push(Step::value(
                        &p.who,
                        format!(
                            "SELECT coalesce(string_agg(k, ',' ORDER BY k), '') FROM (SELECT DISTINCT {key} AS k FROM {t} WHERE {key} IN ({list})) x",
                            key = key_expr(&b.snap.primary_key),
                            t = b.snap.table,
                            list = keys.join(", ")
                        ),
                    ));
                    expects.push(Expect::Read {
                        keys: want,
                        op: i,
                        board,
                    });
                }
                Op::Insert {
                    player,
                    board,
                    tenant,
                } => {
                    let p = &self.players[player];
                    let Some((row, key)) = self.row(board, tenant, &mut fresh) else {
                        continue;
                    };
                    let land = p.tenant == Some(tenant) && self.caps[player][board].insert;
                    steps.push(Step::exec(&p.who, row.insert("")));
                    expects.push(Expect::Write {
                        land,
                        op: i,
                        board,
                        effect: Effect::Add(Tracked {
                            board,
                            tenant,
                            key,
                            alive: true,
                        }),
                    });
                }
                Op::Update {
                    player,
                    row,
                    move_to,
                } => {
                    let r = row % rows.len();
                    let t = &rows[r];
                    let p = &self.players[player];
                    let b = &self.boards[t.board];
                    let own = t.alive && Some(t.tenant) == p.tenant;
                    let stays = move_to.is_none_or(|m| Some(m) == p.tenant);
                    let land = own && stays && self.caps[player][t.board].update;
                    let set = match move_to {
                        Some(m) => tenant_sql::literal(&self.tenants[m]),
                        None => tc.clone(),
                    };
                    steps.push(Step::exec(
                        &p.who,
                        format!(
                            "UPDATE {} SET {tc} = {set} WHERE {}",
                            b.snap.table,
                            writes::key_is(&b.snap, &t.key)
                        ),
                    ));
                    expects.push(Expect::Write {
                        land,
                        op: i,
                        board: t.board,
                        effect: match move_to {
                            Some(m) => Effect::Move(r, m),
                            None => Effect::None,
                        },
                    });
                }
                Op::Delete { player, row } => {
                    let r = row % rows.len();
                    let t = &rows[r];
                    let p = &self.players[player];
                    let b = &self.boards[t.board];
                    let land =
                        t.alive && Some(t.tenant) == p.tenant && self.caps[player][t.board].delete;
                    steps.push(Step::exec(
                        &p.who,
                        format!(
                            "DELETE FROM {} WHERE {}",
                            b.snap.table,
                            writes::key_is(&b.snap, &t.key)
                        ),
                    ));
                    expects.push(Expect::Write {
                        land,
                        op: i,
                        board: t.board,
                        effect: Effect::Kill(r),
                    });
                }
                Op::Upsert { player, row } => {
                    let r = row % rows.len();
                    let t = rows[r].clone();
                    let p = &self.players[player];
                    let Some(own_tenant) = p.tenant else { continue };
                    let b = &self.boards[t.board];
                    let Some((mut new, _)) = self.row(t.board, own_tenant, &mut fresh) else {
                        continue;
                    };
                    // The case row's key, so the conflict (if any) is with that row.
                    let keyed = rows_json_key(&b.snap, &t.key);
                    for (c, v) in keyed {
                        new = new.set(&c, v);
                    }
                    let caps = self.caps[player][t.board];
                    let (land, effect) = if t.alive {
                        (
                            t.tenant == own_tenant && caps.insert && caps.update,
                            Effect::None,
                        )
                    } else {
                        (caps.insert, Effect::Revive(r, own_tenant))
                    };
                    let pk: Vec<String> = b
                        .snap
                        .primary_key
                        .iter()
                        .map(|c| tenant_sql::ident(c))
                        .collect();
                    steps.push(Step::exec(
                        &p.who,
                        new.insert(&format!(
                            " ON CONFLICT ({}) DO UPDATE SET {tc} = EXCLUDED.{tc}",
                            pk.join(", ")
                        )),
                    ));
                    expects.push(Expect::Write {
                        land,
                        op: i,
                        board: t.board,
                        effect,
                    });
                }
            }
            // Apply the effect the model predicts, so later expectations build on it.
            if let Some(Expect::Write {
                land: true, effect, ..
            }) = expects.last()
            {
                match effect.clone() {
                    Effect::Add(t) => rows.push(t),
                    Effect::Kill(r) => rows[r].alive = false,
                    Effect::Move(r, m) => rows[r].tenant = m,
                    Effect::Revive(r, m) => {
                        rows[r].alive = true;
                        rows[r].tenant = m;
                    }
                    Effect::None => {}
                }
            }
        }
        (steps, expects)
    }

    /// Compares outcomes with the model: held, the first divergence, or
    /// nothing judged.
    fn judge(&self, case: &Case, expects: &[Expect], outcomes: &[Outcome]) -> Verdict {
        for (e, o) in expects.iter().zip(outcomes) {
            match e {
                Expect::Setup if !o.ok => return Verdict::Unjudged, // the harness could not build the layout
                Expect::Setup => {}
                Expect::Write {
                    land, op, board, ..
                } => {
                    let landed = o.landed();
                    let who = self.who(&case.ops[*op]);
                    if landed && !land {
                        return Verdict::Diverged(
                            format!(
                                "{who} {:?} changed a row the model says it may not touch ({})",
                                case.ops[*op],
                                o.describe()
                            ),
                            *board,
                        );
                    }
                    // Refused although the model says it may: a regression, if the refusal is a denial.
                    if *land && !landed && (o.denied() || o.ok) {
                        return Verdict::Diverged(
                            format!(
                                "{who} {:?} was refused although the row is theirs ({})",
                                case.ops[*op],
                                o.describe()
                            ),
                            *board,
                        );
                    }
                    if *land && !o.ok {
                        return Verdict::Unjudged; // an error the model does not speak about
                    }
                }
                Expect::Read { keys, op, board } => {
                    let got: Vec<String> = o
                        .value
                        .as_deref()
                        .filter(|v| !v.is_empty())
                        .map(|v| v.split(',').map(str::to_string).collect())
                        .unwrap_or_default();
                    if !o.ok {
                        return Verdict::Diverged(
                            format!("{} read failed: {}", self.who(&case.ops[*op]), o.describe()),
                            *board,
                        );
                    }
                    if got != *keys {
                        return Verdict::Diverged(
                            format!(
                                "{} sees rows {:?} of the case, the model says {:?}",
                                self.who(&case.ops[*op]),
                                got,
                                keys
                            ),
                            *board,
                        );
                    }
                }
            }
        }
        if expects.iter().all(|e| matches!(e, Expect::Setup)) {
            Verdict::Unjudged // no operation survived the layout: nothing was asked of the database
        } else {
            Verdict::Held
        }
    }

    fn who(&self, op: &Op) -> String {
        let player = match *op {
            Op::Read { player, .. }
            | Op::Insert { player, .. }
            | Op::Update { player, .. }
            | Op::Delete { player, .. }
            | Op::Upsert { player, .. } => player,
        };
        let p = &self.players[player];
        match p.tenant {
            Some(t) => format!("{} (tenant {})", p.label, self.tenants[t]),
            None => p.label.clone(),
        }
    }

    /// The case's steps as a script a person can paste into psql.
    /// Runs `case` (rolled back) and judges it: the divergence, if any,
    /// with the psql script that reproduces it.
    pub(crate) async fn try_case(&self, client: &Client, case: &Case) -> Result<Option<Failure>> {
        let (steps, expects) = self.plan(case);
        let outcomes = probe::run(client, &steps).await?;
        Ok(match self.judge(case, &expects, &outcomes) {
            Verdict::Diverged(reason, board) => Some(Failure {
                reason,
                table: self.boards[board].snap.short.clone(),
                psql: self.psql(&steps, &outcomes),
            }),
            Verdict::Held | Verdict::Unjudged => None,
        })
    }

    /// The identities, tables and tenants in play.
    pub(crate) fn dimensions(&self) -> (Vec<String>, Vec<String>, usize) {
        (
            self.players.iter().map(|p| p.label.clone()).collect(),
            self.boards.iter().map(|b| b.snap.short.clone()).collect(),
            self.tenants.len(),
        )
    }

    fn psql(&self, steps: &[Step], outcomes: &[Outcome]) -> String {
        let mut s = String::from("\\set ON_ERROR_ROLLBACK on\nBEGIN;\n");
        for (step, o) in steps.iter().zip(outcomes) {
            match &step.who.role {
                None => s.push_str("RESET ROLE;\n"),
                Some(role) => {
                    let mut set = format!(
                        "SELECT set_config('role', {}, true)",
                        tenant_sql::literal(role)
                    );
                    if let Some(c) = &step.who.claims {
                        set.push_str(&format!(
                            ", set_config('request.jwt.claims', {}, true)",
                            tenant_sql::literal(c)
                        ));
                    }
                    if let Some((k, v)) = &step.who.setting {
                        set.push_str(&format!(
                            ", set_config({}, {}, true)",
                            tenant_sql::literal(k),
                            tenant_sql::literal(v)
                        ));
                    }
                    s.push_str(&set);
                    s.push_str(";\n");
                }
            }
            s.push_str(&format!("{};  -- {}\n", step.sql, o.describe()));
        }
        s.push_str("ROLLBACK;\n");
        s
    }
}

/// The key columns of `t` set from a key text (single-column keys only; composite keys keep the template's).
fn rows_json_key(t: &TableSnapshot, key: &str) -> Vec<(String, Json)> {
    match t.primary_key.as_slice() {
        [one] => vec![(one.clone(), Json::String(key.to_string()))],
        _ => Vec::new(),
    }
}

/// Reads the world the search plays in: the tables where some identity can
/// insert its own rows, a real row per tenant to copy, and what each
/// identity may do to its own rows.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn world(
    admin: &Client,
    subjects: &[Subject],
    snapshot: &Snapshot,
    tenant_of: &BTreeMap<String, String>,
    tenant_col: &str,
    seed: u64,
    max_tables: usize,
) -> Result<World> {
    let mut tenants: Vec<String> = Vec::new();
    let mut groups: Vec<String> = Vec::new();
    let mut players = Vec::new();
    for s in subjects {
        let tenant = match &s.group {
            Some(g) => {
                let Some(t) = tenant_of.get(g).filter(|t| !t.is_empty()) else {
                    continue;
                };
                if !tenants.contains(t) {
                    tenants.push(t.clone());
                    groups.push(g.clone());
                }
                tenants.iter().position(|x| x == t)
            }
            None => None,
        };
        players.push(Player {
            who: s.actor.who(),
            label: s.actor.label.clone(),
            tenant,
        });
    }
    // Tenants nobody in play belongs to still hold rows the players must not reach.
    for (g, t) in tenant_of {
        if tenants.len() >= 4 {
            break;
        }
        if !t.is_empty() && !tenants.contains(t) {
            tenants.push(t.clone());
            groups.push(g.clone());
        }
    }
    let all: Vec<String> = snapshot.tables.iter().map(|t| t.table.clone()).collect();
    let role = subjects
        .iter()
        .find(|s| s.group.is_some())
        .map(|s| s.actor.role().to_string())
        .unwrap_or_default();
    let mut boards = Vec::new();
    let mut caps: Vec<Vec<Caps>> = vec![Vec::new(); players.len()];
    let mut fresh = Fresh { salt: seed, n: 0 };
    for t in &snapshot.tables {
        if boards.len() >= max_tables {
            break;
        }
        let meta = writes::meta(admin, t, &all, tenant_col, &role).await?;
        let mut templates = Vec::new();
        for g in &groups {
            templates.push(writes::template(admin, t, g, None).await?);
        }
        if templates.iter().filter(|t| t.is_some()).count() < 2 {
            continue;
        }
        // What each player may do to its own rows: insert, update and delete one.
        let mut row_caps = Vec::new();
        for p in &players {
            let Some(tenant) = p.tenant else {
                row_caps.push(Caps::default());
                continue;
            };
            let Some(template) = &templates[tenant] else {
                row_caps.push(Caps::default());
                continue;
            };
            let Some(row) = Row::new(
                t,
                &meta,
                template,
                tenant_col,
                Some(&tenants[tenant]),
                &mut fresh,
            ) else {
                row_caps.push(Caps::default());
                continue;
            };
            let tc = tenant_sql::ident(tenant_col);
            let steps = [
                Step::exec(&p.who, row.insert("")),
                Step::exec(
                    &p.who,
                    format!(
                        "UPDATE {} SET {tc} = {tc} WHERE {}",
                        t.table,
                        row.key_match()
                    ),
                ),
                Step::exec(
                    &p.who,
                    format!("DELETE FROM {} WHERE {}", t.table, row.key_match()),
                ),
            ];
            let o = probe::run(admin, &steps).await?;
            row_caps.push(Caps {
                insert: o[0].landed(),
                update: o[1].landed(),
                delete: o[2].landed(),
            });
        }
        if !row_caps.iter().any(|c| c.insert) {
            continue;
        }
        for (p, c) in row_caps.into_iter().enumerate() {
            caps[p].push(c);
        }
        boards.push(Board {
            snap: t.clone(),
            meta,
            templates,
        });
    }
    Ok(World {
        boards,
        players,
        tenants,
        caps,
        tenant_col: tenant_col.to_string(),
        seed,
    })
}

/// Runs the search. `client` is a superuser connection of its own.
pub async fn run(
    client: Client,
    subjects: &[Subject],
    snapshot: &Snapshot,
    tenant_of: &BTreeMap<String, String>,
    tenant_col: &str,
    options: &Options,
) -> Result<SearchReport> {
    probe::install(&client).await?;
    let world = world(
        &client,
        subjects,
        snapshot,
        tenant_of,
        tenant_col,
        options.seed,
        options.max_tables,
    )
    .await?;
    let mut report = SearchReport {
        cases: 0,
        tried: 0,
        elapsed: Duration::ZERO,
        cases_per_second: 0.0,
        tables: world.boards.iter().map(|b| b.snap.short.clone()).collect(),
        actors: world.players.iter().map(|p| p.label.clone()).collect(),
        seed: options.seed,
        failure: None,
        nothing_to_judge: None,
    };
    report.nothing_to_judge = if world.players.is_empty() {
        Some("no identity to act as".to_string())
    } else if world.tenants.len() < 2 {
        Some(format!(
            "{} tenant(s) with rows; two are needed",
            world.tenants.len()
        ))
    } else if world.boards.is_empty() {
        Some(
            "no table where an identity may insert its own rows and two tenants have rows"
                .to_string(),
        )
    } else {
        None
    };
    if report.nothing_to_judge.is_some() {
        return Ok(report);
    }
    let world = Arc::new(world);
    let client = Arc::new(client);
    let handle = tokio::runtime::Handle::current();
    let options = options.clone();
    let w = world.clone();
    let c = client.clone();
    let started = Instant::now();
    let (cases, result, broken) = tokio::task::spawn_blocking(move || {
        let mut config = Config {
            cases: options.cases,
            failure_persistence: None,
            ..Config::default()
        };
        if let Some(path) = &options.persist {
            let leaked: &'static str = Box::leak(path.display().to_string().into_boxed_str());
            config.failure_persistence = Some(Box::new(FileFailurePersistence::Direct(leaked)));
        }
        let mut seed = [0u8; 32];
        seed[..8].copy_from_slice(&options.seed.to_le_bytes());
        let mut runner =
            TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &seed));
        let strategy = case_strategy(w.players.len(), w.boards.len(), w.tenants.len());
        let count = std::sync::atomic::AtomicU32::new(0);
        let tried = std::sync::atomic::AtomicU32::new(0);
        // A failure of the harness (a dropped connection, a probe bug) is no
        // divergence: it must neither shrink nor land in the regressions
        // file. The first one is kept, every case after it is rejected.
        let broken: std::sync::Mutex<Option<Error>> = std::sync::Mutex::new(None);
        let result = runner.run(&strategy, |case| {
            if broken.lock().expect("poisoned").is_some() {
                return Err(TestCaseError::reject("the harness failed"));
            }
            let (steps, expects) = w.plan(&case);
            let outcomes = match handle.block_on(probe::run(&c, &steps)) {
                Ok(o) => o,
                Err(e) => {
                    *broken.lock().expect("poisoned") = Some(e);
                    return Err(TestCaseError::reject("the harness failed"));
                }
            };
            tried.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let verdict = w.judge(&case, &expects, &outcomes);
            if verdict != Verdict::Unjudged {
                count.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            }
            match verdict {
                Verdict::Diverged(reason, _) => Err(TestCaseError::fail(reason)),
                Verdict::Held | Verdict::Unjudged => Ok(()),
            }
        });
        (
            (count.into_inner(), tried.into_inner()),
            result,
            broken.into_inner().expect("poisoned"),
        )
    })
    .await
    .map_err(|e| Error::Internal(format!("the leak search panicked: {e}")))?;
    if let Some(e) = broken {
        return Err(e);
    }
    let (cases, tried) = cases;
    report.cases = cases;
    report.tried = tried;
    report.elapsed = started.elapsed();
    report.cases_per_second = tried as f64 / report.elapsed.as_secs_f64().max(1e-9);
    if cases == 0 && result.is_ok() {
        report.nothing_to_judge = Some(format!(
            "none of the {tried} cases could be set up and judged"
        ));
    }
    match result {
        Ok(()) => {}
        Err(TestError::Fail(_, case)) => {
            // Replay the minimal case once more to print it with its outcomes.
            report.failure =
                Some(
                    world
                        .try_case(&client, &case)
                        .await?
                        .unwrap_or_else(|| Failure {
                            reason: "the case diverged while shrinking but not on replay".into(),
                            table: world.boards[0].snap.short.clone(),
                            psql: String::new(),
                        }),
                );
        }
        Err(TestError::Abort(why)) => {
            return Err(Error::Internal(format!("the leak search stopped: {why}")))
        }
    }
    Ok(report)
}

/// The leak search of a run over its subjects (`None` when turned off or
/// with no one to act as).
pub async fn run_in(cx: &super::Context<'_>) -> Result<Option<SearchReport>> {
    if cx.search.cases == 0 || cx.subjects.is_empty() {
        return Ok(None);
    }
    let seed = cx.search.replay.unwrap_or(cx.seed);
    cx.progress.note(format!(
        "tenant-harness: leak search: {} cases, seed {seed} (replay: --replay {seed} or TENANT_HARNESS_REPLAY={seed})",
        cx.search.cases
    ));
    let options = Options {
        cases: cx.search.cases,
        seed,
        persist: cx.search.persist.clone(),
        max_tables: 6,
    };
    let client = cx.db.connect().await?;
    let report = run(
        client,
        cx.subjects,
        cx.snapshot,
        cx.tenant_of,
        &cx.scenario.tenancy.column,
        &options,
    )
    .await?;
    Ok(Some(report))
}

/// The findings of a search (its shrunk divergence, with the replay
/// command) and what it left undecided (nothing to judge).
pub fn judge(cx: &super::Context<'_>, report: &SearchReport) -> (Vec<Finding>, Vec<Finding>) {
    let found = report.failure.iter().map(|f| {
        Finding::new(
            CheckId::SearchDivergence,
            format!(
                "{} (shrunk; replay: tenant-harness run {} --seed {} --replay {}). As psql, connected as a superuser to the run's database:\n{}",
                f.reason,
                cx.scenario.dir.display(),
                cx.seed,
                report.seed,
                f.psql
            ),
        )
        .table(&f.table)
    });
    let undecided = report.nothing_to_judge.iter().map(|why| {
        Finding::new(
            CheckId::SearchNothingJudged,
            format!("the leak search judged no case: {why}"),
        )
    });
    (found.collect(), undecided.collect())
}

#[cfg(test)]
mod tests {
    //! The reference model alone: what it expects of a case, and how it
    //! judges outcomes (no database: outcomes are written by hand).
    use super::*;

    const TENANTS: [&str; 2] = ["t-a", "t-b"];

    /// One table `public.notes (id uuid, tenant_id text, body text)`, a row
    /// to copy per tenant, one player per tenant who may do everything to
    /// their own rows, and anon.
    fn world() -> World {
        let snap = TableSnapshot {
            table: "public.notes".into(),
            short: "notes".into(),
            primary_key: vec!["id".into()],
            columns: vec!["id".into(), "body".into()],
            rows: 2,
            snap: "tenant_harness.snap_0".into(),
            expected: "tenant_harness.expected_0".into(),
        };
        let template = |t: &str| {
            Some(
                serde_json::json!({"id": "00000000-0000-0000-0000-000000000001", "tenant_id": t, "body": "x"}),
            )
        };
        let player = |tenant: Option<usize>, label: &str| Player {
            who: As {
                role: Some("authenticated".into()),
                claims: Some(format!("{{\"sub\":\"{label}\"}}")),
                setting: None,
            },
            label: label.into(),
            tenant,
        };
        let all = Caps {
            insert: true,
            update: true,
            delete: true,
        };
        World {
            boards: vec![Board {
                snap,
                meta: Meta::plain(&[("id", "uuid"), ("tenant_id", "text"), ("body", "text")]),
                templates: TENANTS.iter().map(|t| template(t)).collect(),
            }],
            players: vec![
                player(Some(0), "a"),
                player(Some(1), "b"),
                player(None, "anon"),
            ],
            tenants: TENANTS.iter().map(|t| t.to_string()).collect(),
            caps: vec![vec![all], vec![all], vec![Caps::default()]],
            tenant_col: "tenant_id".into(),
            seed: 1,
        }
    }

    fn ok(rows: i64) -> Outcome {
        Outcome {
            ok: true,
            sqlstate: None,
            message: None,
            rows,
            value: None,
        }
    }

    fn read(value: &str) -> Outcome {
        Outcome {
            value: Some(value.into()),
            ..ok(1)
        }
    }

    fn denied() -> Outcome {
        Outcome {
            ok: false,
            sqlstate: Some("42501".into()),
            message: Some("new row violates row-level security policy".into()),
            rows: 0,
            value: None,
        }
    }

    /// Rows of both tenants, then `ops`.
    fn case(ops: Vec<Op>) -> Case {
        Case {
            layout: vec![(0, 0), (0, 1)],
            ops,
        }
    }

    /// The keys of the layout's two rows, as the plan makes them (the same
    /// fresh-key sequence from the world's seed).
    fn setup_keys(w: &World) -> Vec<String> {
        let mut fresh = Fresh { salt: w.seed, n: 0 };
        (0..2).map(|t| w.row(0, t, &mut fresh).unwrap().1).collect()
    }

    #[test]
    fn a_reader_must_see_exactly_their_tenants_rows_of_the_case() {
        let w = world();
        let c = case(vec![Op::Read {
            player: 0,
            board: 0,
        }]);
        let (steps, expects) = w.plan(&c);
        assert_eq!(steps.len(), 3, "two setup rows and the read");
        let keys = setup_keys(&w);
        let Expect::Read { keys: want, .. } = &expects[2] else {
            panic!("{expects:?}")
        };
        assert_eq!(want, &vec![keys[0].clone()], "only tenant a's row");
        let held = [ok(1), ok(1), read(&keys[0])];
        assert_eq!(w.judge(&c, &expects, &held), Verdict::Held);
        let leak = [ok(1), ok(1), read(&format!("{},{}", keys[0], keys[1]))];
        assert!(
            matches!(w.judge(&c, &expects, &leak), Verdict::Diverged(why, 0) if why.contains("sees rows"))
        );
        let missing = [ok(1), ok(1), read("")];
        assert!(matches!(
            w.judge(&c, &expects, &missing),
            Verdict::Diverged(..)
        ));
    }

    #[test]
    fn a_write_into_another_tenant_must_not_land() {
        let w = world();
        let c = case(vec![Op::Insert {
            player: 0,
            board: 0,
            tenant: 1,
        }]);
        let (_, expects) = w.plan(&c);
        assert!(matches!(expects[2], Expect::Write { land: false, .. }));
        assert_eq!(
            w.judge(&c, &expects, &[ok(1), ok(1), denied()]),
            Verdict::Held
        );
        assert_eq!(w.judge(&c, &expects, &[ok(1), ok(1), ok(0)]), Verdict::Held);
        assert!(matches!(
            w.judge(&c, &expects, &[ok(1), ok(1), ok(1)]),
            Verdict::Diverged(why, _) if why.contains("may not touch")
        ));
    }

    #[test]
    fn an_own_write_that_is_refused_is_a_regression() {
        let w = world();
        // Player a deletes row 0 (tenant a's).
        let c = case(vec![Op::Delete { player: 0, row: 0 }]);
        let (_, expects) = w.plan(&c);
        assert!(matches!(expects[2], Expect::Write { land: true, .. }));
        assert_eq!(w.judge(&c, &expects, &[ok(1), ok(1), ok(1)]), Verdict::Held);
        assert!(matches!(
            w.judge(&c, &expects, &[ok(1), ok(1), ok(0)]),
            Verdict::Diverged(why, _) if why.contains("refused")
        ));
    }

    #[test]
    fn the_model_follows_its_own_predictions() {
        let w = world();
        // a moves its row to tenant b (may not), then b reads: still only b's own row.
        let c = case(vec![
            Op::Update {
                player: 0,
                row: 0,
                move_to: Some(1),
            },
            Op::Read {
                player: 1,
                board: 0,
            },
        ]);
        let keys = setup_keys(&w);
        let (_, expects) = w.plan(&c);
        let Expect::Read { keys: want, .. } = &expects[3] else {
            panic!("{expects:?}")
        };
        assert_eq!(want, &vec![keys[1].clone()]);
        // a deletes its row, then reads: nothing.
        let c = case(vec![
            Op::Delete { player: 0, row: 0 },
            Op::Read {
                player: 0,
                board: 0,
            },
        ]);
        let (_, expects) = w.plan(&c);
        assert!(matches!(&expects[3], Expect::Read { keys, .. } if keys.is_empty()));
    }

    #[test]
    fn anon_sees_nothing_and_writes_nothing() {
        let w = world();
        let c = case(vec![
            Op::Read {
                player: 2,
                board: 0,
            },
            Op::Delete { player: 2, row: 1 },
        ]);
        let (_, expects) = w.plan(&c);
        assert!(matches!(&expects[2], Expect::Read { keys, .. } if keys.is_empty()));
        assert!(matches!(expects[3], Expect::Write { land: false, .. }));
    }

    #[test]
    fn a_case_that_could_not_be_set_up_is_not_judged() {
        let w = world();
        let c = case(vec![Op::Read {
            player: 0,
            board: 0,
        }]);
        let (_, expects) = w.plan(&c);
        let failed = Outcome {
            ok: false,
            sqlstate: Some("23505".into()),
            ..denied()
        };
        assert_eq!(
            w.judge(&c, &expects, &[failed, ok(1), read("")]),
            Verdict::Unjudged
        );
    }
}
