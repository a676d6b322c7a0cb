//! The workload before and after the migration, interleaved on one server.
//!
//! The harness keeps a copy of the seeded database from before the
//! migration beside the migrated one, so both exist at once. Each query
//! then runs in rounds: a slice of its pre-migration form on the copy and a
//! slice of its post-migration form on the migrated database, back to back
//! and in alternating order (ABBA), so that whatever the machine does
//! meanwhile lands on both sides. Every worker keeps one connection to each
//! database for the whole run.

use super::driver::{Caller, Load, Pool, Sample, Target};
use super::explain::{self, Advice, PlanFacts};
use super::report::{BrokenQuery, Figures, LoadReport, QueryResult, SweepPoint};
use super::settings::Settings;
use super::stats;
use super::targets::{target, Actor, IdPools};
use crate::error::{Error, Result};
use crate::provision::Database;
use crate::scenario::{Param, Scenario, WorkloadSpec};
use std::time::Duration;
use tokio_postgres::Client;

/// What the load benchmark needs from the pipeline.
pub struct Input<'a> {
    /// The scenario (workload, tables, tenant column).
    pub scenario: &'a Scenario,
    /// The seeded database as it was before the migration.
    pub before: &'a Database,
    /// The same data, migrated.
    pub after: &'a Database,
    /// Users (or tenants) requests are spread over.
    pub actors: Vec<Actor>,
    /// How to run.
    pub settings: Settings,
    /// Rows seeded over all tables, for the report.
    pub rows: u64,
    /// Keys `:id` draws from ([`super::targets::id_pools`] on the migrated data).
    pub pools: &'a IdPools,
    /// Where each query's start is reported.
    pub progress: &'a crate::progress::Progress,
}

/// Runs the workload before and after, reads the plans, and judges each
/// query against its threshold.
pub async fn run(input: Input<'_>) -> Result<LoadReport> {
    let Input {
        scenario,
        before,
        after,
        actors,
        settings,
        rows,
        pools,
        progress,
    } = input;
    if scenario.workload.is_empty() {
        return Err(Error::Scenario {
            file: scenario.toml_path(),
            line: None,
            message: "no [[workload]]: list the application's queries (before and after forms) to benchmark".into(),
        });
    }
    if actors.is_empty() {
        return Err(Error::env(
            "no user or tenant to run the workload as",
            "seed users (data.users) or tenants",
        ));
    }
    let admin_after = after.connect().await?;
    let admin_before = before.connect().await?;
    // Each form must prepare on its own schema. A `before` form that does not
    // is the scenario's to fix; so is an `after` form that fails the same way
    // on both schemas. One that prepared before the migration and fails
    // after it (a dropped column or table) is what the migration broke.
    let mut broken = Vec::new();
    for q in &scenario.workload {
        if let Err(e) = admin_before.prepare(&q.before.sql).await {
            return Err(unprepared(scenario, q, "before", &e));
        }
        if let Err(e) = admin_after.prepare(&q.after.sql).await {
            if admin_before.prepare(&q.after.sql).await.is_ok() {
                broken.push(BrokenQuery {
                    name: q.name.clone(),
                    message: server_message(&e),
                });
                continue;
            }
            return Err(unprepared(scenario, q, "after", &e));
        }
    }
    let workload: Vec<&WorkloadSpec> = scenario
        .workload
        .iter()
        .filter(|q| !broken.iter().any(|b| b.name == q.name))
        .collect();
    let mut targets = Vec::new();
    for q in &workload {
        for (db, form, after_side) in [(0, &q.before, false), (1, &q.after, true)] {
            targets.push(target(q, form, db, after_side, &actors, pools)?);
        }
    }
    // Who a post-migration request really runs as, through the driver's own
    // pipelined path: a request that escaped its transaction would show here.
    targets.push(Target {
        name: "who am I".into(),
        db: 1,
        sql: "SELECT current_user::text".into(),
        callers: actors
            .iter()
            .map(|a| Caller {
                begin: Some(a.begin_after.clone()),
                args: vec![],
            })
            .collect(),
    });
    let workers = settings
        .sweep
        .iter()
        .copied()
        .chain([settings.workers])
        .max()
        .unwrap_or(1);
    let mut pool = Pool::open(
        &[before.config().clone(), after.config().clone()],
        workers,
        &targets,
        None,
        settings.seed,
    )
    .await?;
    let who = pool.probe(targets.len() - 1).await?;
    for (a, seen) in actors.iter().zip(&who) {
        if let Some(role) = &a.role {
            if seen.as_deref() != Some(role) {
                return Err(Error::Internal(format!(
                    "a load request as {} ran as {seen:?}, not {role}: the driver's pipelining is broken",
                    a.label
                )));
            }
        }
    }
    for (i, t) in targets.iter().enumerate().take(targets.len() - 1) {
        pool.probe(i).await.map_err(|e| Error::Scenario {
            file: scenario.toml_path(),
            line: None,
            message: format!(
                "{e} (the {} form)",
                if t.db == 0 { "before" } else { "after" }
            ),
        })?;
    }

    let slice = Duration::from_secs_f64(settings.seconds);
    let warmup = Duration::from_secs_f64(settings.warmup_seconds);
    let load = settings.load();
    let mut queries = Vec::new();
    for (qi, q) in workload.iter().enumerate() {
        let (b, a) = (2 * qi, 2 * qi + 1);
        progress.status(format!(
            "load {}/{}: {} ({} rounds)",
            qi + 1,
            workload.len(),
            q.name,
            settings.rounds
        ));
        if !warmup.is_zero() {
            pool.run(b, load, warmup).await;
            pool.run(a, load, warmup).await;
        }
        let mut before_total: Option<Sample> = None;
        let mut after_total: Option<Sample> = None;
        let mut ratios = Vec::new();
        let mut runs = Vec::new();
        for round in 0..settings.rounds * settings.repeat.max(1) {
            let (sb, sa) = if round % 2 == 0 {
                let sb = pool.run(b, load, slice).await;
                (sb, pool.run(a, load, slice).await)
            } else {
                let sa = pool.run(a, load, slice).await;
                (pool.run(b, load, slice).await, sa)
            };
            ratios.push(sa.mean_ms() / sb.mean_ms());
            merge_into(&mut before_total, &sb);
            merge_into(&mut after_total, &sa);
            if ratios.len() % settings.rounds == 0 {
                runs.push(stats::ratio_interval(
                    &ratios[ratios.len() - settings.rounds..],
                ));
            }
        }
        let (before_total, after_total) = (
            before_total.expect("at least one round"),
            after_total.expect("at least one round"),
        );
        let ratio = stats::ratio_interval(&ratios);
        let (plan_before, plan_after, advice) =
            plans(scenario, q, &actors[0], pools, &admin_before, &admin_after).await?;
        let failed = before_total.failed
            + after_total.failed
            + before_total.timed_out
            + after_total.timed_out;
        // NaN (no answered request) counts as over the limit.
        let over = ratio.estimate.is_nan() || ratio.estimate > q.max_overhead;
        queries.push(QueryResult {
            name: q.name.clone(),
            before_sql: q.before.text.clone(),
            after_sql: q.after.text.clone(),
            before: Figures::of(&before_total),
            after: Figures::of(&after_total),
            round_ratios: ratios,
            runs,
            ratio,
            max_overhead: q.max_overhead,
            passed: !over && failed == 0,
            plan_before,
            plan_after,
            advice,
        });
    }

    let mut sweep = Vec::new();
    for &w in &settings.sweep {
        for (qi, q) in workload.iter().enumerate() {
            let l = Load::Closed { workers: w };
            let sb = pool.run(2 * qi, l, slice).await;
            let sa = pool.run(2 * qi + 1, l, slice).await;
            sweep.push(SweepPoint {
                query: q.name.clone(),
                workers: w,
                before: Figures::of(&sb),
                after: Figures::of(&sa),
            });
        }
    }
    Ok(LoadReport {
        scenario: scenario.name.clone(),
        server: after.description.clone(),
        rows,
        actors: actors.len(),
        settings,
        load,
        queries,
        sweep,
        online: None,
        broken,
    })
}

/// The scenario error for workload `q`'s `side` form that does not prepare.
fn unprepared(
    scenario: &Scenario,
    q: &WorkloadSpec,
    side: &str,
    e: &tokio_postgres::Error,
) -> Error {
    Error::Scenario {
        file: scenario.toml_path(),
        line: None,
        message: format!(
            "workload `{} ({side})` does not prepare on the {side}-migration schema: {}; fix its `{side}` SQL",
            q.name,
            server_message(e)
        ),
    }
}

fn server_message(e: &tokio_postgres::Error) -> String {
    e.as_db_error()
        .map_or_else(|| e.to_string(), |d| d.message().to_string())
}

fn merge_into(total: &mut Option<Sample>, s: &Sample) {
    match total {
        Some(t) => t.merge(s, false),
        None => *total = Some(s.clone()),
    }
}

/// EXPLAIN (ANALYZE, BUFFERS) of both forms as `actor`, and the advice for
/// the tables the after plan flags (or the query's own table).
async fn plans(
    scenario: &Scenario,
    q: &WorkloadSpec,
    actor: &Actor,
    pools: &IdPools,
    admin_before: &Client,
    admin_after: &Client,
) -> Result<(PlanFacts, PlanFacts, Vec<Advice>)> {
    let id = q
        .table
        .as_ref()
        .and_then(|t| pools.get(&(t.clone(), actor.tenant.clone())))
        .and_then(|ids| ids.first().cloned())
        .unwrap_or_default();
    let literal = |p: Param| match p {
        Param::User => actor.user.clone().unwrap_or_default(),
        Param::Tenant => actor.tenant.clone(),
        Param::Id => id.clone(),
    };
    let tables: Vec<String> = scenario.tables.iter().map(|t| t.name.clone()).collect();
    let before_doc =
        explain::explain(admin_before, "BEGIN", &q.before.with_literals(literal)).await?;
    let after_doc = explain::explain(
        admin_after,
        &actor.begin_after,
        &q.after.with_literals(literal),
    )
    .await?;
    let (before, after) = (
        explain::read(&before_doc, &tables),
        explain::read(&after_doc, &tables),
    );
    // Any sign of a slow tenant filter: every tenant table the query reads may hold the policy behind it.
    let flagged: Vec<String> = if after.flags.is_empty() {
        Vec::new()
    } else {
        after.relations.clone()
    };
    let command = match q
        .after
        .sql
        .split_whitespace()
        .next()
        .map(str::to_ascii_uppercase)
        .as_deref()
    {
        Some("INSERT") => 'a',
        Some("UPDATE") => 'w',
        Some("DELETE") => 'd',
        _ => 'r',
    };
    let mut advice = Vec::new();
    for t in flagged.iter().filter(|t| tables.contains(t)) {
        advice.extend(explain::advise(admin_after, t, command, &scenario.tenancy.column).await?);
    }
    Ok((before, after, advice))
}
