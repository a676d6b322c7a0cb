//! `--online`: the migration applied while the application's pre-migration
//! workload keeps running, statement by statement, as a zero-downtime plan
//! claims it can be.
//!
//! Three things run at once on a copy of the seeded database: the load
//! driver (every request's due time, latency and outcome kept), the
//! migration (each statement's start and end kept), and a monitor that
//! samples `pg_blocking_pids` every few milliseconds to see which workload
//! sessions wait for a lock the migration holds or has queued for. Lining
//! the three up gives, per statement, how long it blocked the workload, how
//! many requests failed or timed out, and the worst latency meanwhile. What
//! a statement does is also read from its text, to name the safer form of
//! the classic offenders.

use super::driver::{Event, Load, Outcome, Pool};
use crate::error::{Error, Result};
use crate::migrate;
use crate::scenario::SqlFile;
use serde::Serialize;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio_postgres::Client;

/// Statements the human report lists (the JSON has all).
const SHOWN: usize = 8;

/// How often the monitor looks for blocked sessions.
const MONITOR_EVERY: Duration = Duration::from_millis(10);

/// What one migration statement did to the workload.
#[derive(Debug, Clone, Serialize)]
pub struct StatementImpact {
    /// Migration file.
    pub file: String,
    /// Line of the statement (`COMMIT` is the file's last line).
    pub line: usize,
    /// The statement's first line.
    pub statement: String,
    /// How long it ran, ms.
    pub elapsed_ms: f64,
    /// How long at least one workload request waited for its locks, ms.
    pub blocked_ms: f64,
    /// Most workload sessions blocked at once.
    pub most_blocked: i64,
    /// Requests that failed while it ran.
    pub failed: u64,
    /// Requests that hit statement_timeout while it ran.
    pub timed_out: u64,
    /// Slowest request in flight while it ran, ms.
    pub worst_latency_ms: f64,
    /// The first failure that ended while it ran.
    pub first_error: Option<String>,
    /// The safer form of this kind of statement, when there is one.
    pub safer: Option<String>,
}

impl StatementImpact {
    fn hurt(&self, baseline_max_ms: f64) -> bool {
        self.blocked_ms >= MONITOR_EVERY.as_secs_f64() * 1000.0
            || self.failed + self.timed_out > 0
            || (self.elapsed_ms >= 2.0 * MONITOR_EVERY.as_secs_f64() * 1000.0
                && self.worst_latency_ms > 2.0 * baseline_max_ms.max(5.0))
    }
}

/// The migration under load.
#[derive(Debug, Clone, Serialize)]
pub struct OnlineReport {
    /// Workers running the pre-migration workload meanwhile.
    pub workers: usize,
    /// statement_timeout of the workload's sessions, ms.
    pub timeout_ms: u64,
    /// The workload's p99 and max before the migration began, ms.
    pub baseline_p99_ms: f64,
    /// Its slowest request before the migration began, ms.
    pub baseline_max_ms: f64,
    /// The migration's wall time, ms.
    pub migration_ms: f64,
    /// Every statement (and each file's COMMIT).
    pub statements: Vec<StatementImpact>,
    /// Requests that failed after the migration finished (the old code
    /// against the new schema), and the first message.
    pub failed_after: u64,
    /// The first failure after the migration.
    pub first_error_after: Option<String>,
}

impl OnlineReport {
    /// No request failed or timed out during or after the migration.
    pub fn passed(&self) -> bool {
        self.failed_after == 0 && self.statements.iter().all(|s| s.failed + s.timed_out == 0)
    }

    /// The section for people: the statements that hurt, worst first.
    pub fn human(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(
            s,
            "\n  online migration: {:.0} ms under load ({} workers, statement_timeout {} ms; before it: p99 {:.2} ms, max {:.2} ms)",
            self.migration_ms, self.workers, self.timeout_ms, self.baseline_p99_ms, self.baseline_max_ms
        );
        let mut hurt: Vec<&StatementImpact> = self
            .statements
            .iter()
            .filter(|st| st.hurt(self.baseline_max_ms))
            .collect();
        hurt.sort_by(|a, b| {
            (b.failed + b.timed_out)
                .cmp(&(a.failed + a.timed_out))
                .then(b.blocked_ms.total_cmp(&a.blocked_ms))
                .then(b.worst_latency_ms.total_cmp(&a.worst_latency_ms))
        });
        for st in hurt.iter().take(SHOWN) {
            let _ = writeln!(
                s,
                "    {}:{} {}\n      ran {:.0} ms, blocked the workload {:.0} ms (up to {} sessions), {} failed, {} timed out, worst latency {:.0} ms",
                st.file, st.line, st.statement, st.elapsed_ms, st.blocked_ms, st.most_blocked, st.failed, st.timed_out, st.worst_latency_ms
            );
            if let Some(e) = &st.first_error {
                let _ = writeln!(s, "      first failure: {e}");
                if e.starts_with("40P01") {
                    let _ = writeln!(s, "      deadlock: the migration's transaction and a request locked the same tables in different orders; take the locks up front (LOCK TABLE a, b … at the start of the file) or keep one table per transaction");
                }
            }
            if let Some(f) = &st.safer {
                let _ = writeln!(s, "      safer: {f}");
            }
        }
        if hurt.len() > SHOWN {
            let _ = writeln!(
                s,
                "    … and {} more statements that hurt (all in the JSON report)",
                hurt.len() - SHOWN
            );
        }
        let _ = writeln!(
            s,
            "    {} of {} statements had no measurable effect on the workload",
            self.statements.len() - hurt.len(),
            self.statements.len()
        );
        if self.failed_after > 0 {
            let _ = writeln!(
                s,
                "    after the migration the pre-migration workload failed {} times: {}",
                self.failed_after,
                self.first_error_after.as_deref().unwrap_or("timed out")
            );
        }
        s
    }
}

/// How the online run goes.
#[derive(Debug, Clone, Serialize)]
pub struct Settings {
    /// Workers running the pre-migration workload.
    pub workers: usize,
    /// statement_timeout of their sessions: a request waiting longer counts as timed out.
    pub timeout: Duration,
    /// Load before the migration starts and after it ends (the baseline, and the old code on the new schema).
    pub margin: Duration,
}

/// Runs the scenario's migrations on `copy` (the seeded, unmigrated data)
/// under the pre-migration forms of its workload.
pub async fn on_copy(
    copy: &crate::provision::Database,
    scenario: &crate::scenario::Scenario,
    actors: &[super::targets::Actor],
    pools: &super::targets::IdPools,
    settings: &Settings,
    seed: u64,
) -> Result<OnlineReport> {
    let admin = copy.connect().await?;
    let targets = scenario
        .workload
        .iter()
        .map(|q| super::targets::target(q, &q.before, 0, false, actors, pools))
        .collect::<Result<Vec<_>>>()?;
    let mut pool = Pool::open(
        &[copy.config().clone()],
        settings.workers,
        &targets,
        Some(settings.timeout),
        seed,
    )
    .await?;
    let all: Vec<usize> = (0..targets.len()).collect();
    pool.keep_timeline(true);
    run(
        pool,
        &all,
        admin,
        copy.connect().await?,
        &scenario.migrations,
        settings,
    )
    .await
}

/// Applies `migrations` to the database `admin` is connected to while
/// `pool` (keeping a timeline) loads `targets` (pre-migration forms on that same database).
async fn run(
    mut pool: Pool,
    targets: &[usize],
    admin: Client,
    monitor: Client,
    migrations: &[SqlFile],
    settings: &Settings,
) -> Result<OnlineReport> {
    let (workers, timeout, warm) = (settings.workers, settings.timeout, settings.margin);
    let pid: i32 = admin
        .query_one("SELECT pg_backend_pid()", &[])
        .await
        .map_err(Error::db("reading the migration session's pid"))?
        .get(0);
    let stop = Arc::new(AtomicBool::new(false));
    let began = Instant::now();
    let load = {
        let stop = stop.clone();
        let targets = targets.to_vec();
        tokio::spawn(async move {
            pool.run_mix(
                &targets,
                Load::Closed { workers },
                Duration::from_secs(24 * 3600),
                Some(stop),
            )
            .await
        })
    };
    let watch = {
        let stop = stop.clone();
        tokio::spawn(async move {
            let mut ticks: Vec<(Instant, i64)> = Vec::new();
            while !stop.load(Ordering::Relaxed) {
                let row = monitor
                    .query_one(
                        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND $1 = ANY (pg_blocking_pids(pid))",
                        &[&pid],
                    )
                    .await;
                if let Ok(r) = row {
                    ticks.push((Instant::now(), r.get(0)));
                }
                tokio::time::sleep(MONITOR_EVERY).await;
            }
            ticks
        })
    };
    tokio::time::sleep(warm).await;
    let migration_started = Instant::now();
    let mut runs = Vec::new();
    let mut failure = None;
    for file in migrations {
        match migrate::apply(&admin, file, true, migrate::DEFAULT_STATEMENT_TIMEOUT).await {
            Ok(r) => runs.push(r),
            Err(e) => {
                failure = Some(e);
                break;
            }
        }
    }
    let migration_ms = migration_started.elapsed().as_secs_f64() * 1000.0;
    tokio::time::sleep(warm).await;
    stop.store(true, Ordering::Relaxed);
    let sample = load.await.expect("the load task panicked");
    let ticks = watch.await.expect("the monitor panicked");
    if let Some(e) = failure {
        return Err(e);
    }

    let at = |i: Instant| i.saturating_duration_since(began);
    let events = &sample.events;
    let before: Vec<&Event> = events
        .iter()
        .filter(|e| e.start + e.latency < at(migration_started) && e.outcome == Outcome::Ok)
        .collect();
    let mut lat: Vec<f64> = before
        .iter()
        .map(|e| e.latency.as_secs_f64() * 1000.0)
        .collect();
    lat.sort_by(f64::total_cmp);
    let baseline_p99_ms = lat
        .get(((lat.len() as f64) * 0.99) as usize)
        .or(lat.last())
        .copied()
        .unwrap_or(0.0);
    let baseline_max_ms = lat.last().copied().unwrap_or(0.0);

    let mut statements = Vec::new();
    let mut last_end = at(migration_started);
    for r in &runs {
        let mut windows: Vec<(usize, String, Duration, Duration, Option<String>)> = r
            .statements
            .iter()
            .map(|st| {
                (
                    st.line,
                    st.summary.clone(),
                    at(st.started),
                    at(st.started) + st.elapsed,
                    safer(&st.sql),
                )
            })
            .collect();
        let commit_from = windows.last().map_or(at(r.started), |w| w.3);
        windows.push((
            0,
            "COMMIT".into(),
            commit_from,
            at(r.started) + r.elapsed,
            None,
        ));
        for (line, statement, started, to, safer) in windows {
            // Windows run from the previous one's end, so that a request sent
            // between two statements counts for the next one.
            let from = last_end.min(started);
            // A failure counts once, where it ended; the worst latency is
            // that of any request in flight while the statement ran.
            let (mut failed, mut timed_out, mut worst, mut first_error) = (0, 0, 0.0f64, None);
            for e in events {
                let end = e.start + e.latency;
                if end >= from && end < to {
                    match e.outcome {
                        Outcome::Failed => failed += 1,
                        Outcome::TimedOut => timed_out += 1,
                        Outcome::Ok => {}
                    }
                    if first_error.is_none() {
                        first_error = e.error.as_deref().map(str::to_string);
                    }
                }
                if e.start < to && end > started {
                    worst = worst.max(e.latency.as_secs_f64() * 1000.0);
                }
            }
            let blocked: Vec<&(Instant, i64)> = ticks
                .iter()
                .filter(|(t, n)| *n > 0 && at(*t) >= from && at(*t) <= to)
                .collect();
            statements.push(StatementImpact {
                file: r.file.clone(),
                line: if line == 0 {
                    r.statements.last().map_or(1, |s| s.line)
                } else {
                    line
                },
                statement,
                elapsed_ms: (to - started).as_secs_f64() * 1000.0,
                blocked_ms: (blocked.len() as f64 * MONITOR_EVERY.as_secs_f64() * 1000.0)
                    .min((to - from).as_secs_f64() * 1000.0),
                most_blocked: blocked.iter().map(|(_, n)| *n).max().unwrap_or(0),
                failed,
                timed_out,
                worst_latency_ms: worst,
                first_error,
                safer,
            });
            last_end = last_end.max(to);
        }
    }
    let after: Vec<&Event> = events.iter().filter(|e| e.start >= last_end).collect();
    let failed_after = after.iter().filter(|e| e.outcome != Outcome::Ok).count() as u64;
    Ok(OnlineReport {
        workers,
        timeout_ms: timeout.as_millis() as u64,
        baseline_p99_ms,
        baseline_max_ms,
        migration_ms,
        statements,
        failed_after,
        first_error_after: if failed_after > 0 {
            sample.first_error.clone()
        } else {
            None
        },
    })
}

/// The safer form of a statement that takes a heavy lock or scans under it.
pub fn safer(sql: &str) -> Option<String> {
    let flat = sql
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_ascii_uppercase();
    let starts = |p: &str| flat.starts_with(p);
    if (starts("CREATE INDEX") || starts("CREATE UNIQUE INDEX")) && !flat.contains("CONCURRENTLY") {
        return Some("CREATE INDEX CONCURRENTLY (in its own migration, outside a transaction): it does not block writes while it builds".into());
    }
    if starts("ALTER TABLE") && flat.contains("SET NOT NULL") {
        return Some("ADD CONSTRAINT … CHECK (col IS NOT NULL) NOT VALID; then VALIDATE CONSTRAINT (no write lock); then SET NOT NULL finds the valid constraint and skips its scan".into());
    }
    if starts("ALTER TABLE")
        && flat.contains("ADD CONSTRAINT")
        && !flat.contains("NOT VALID")
        && (flat.contains("FOREIGN KEY") || flat.contains("CHECK") || flat.contains("REFERENCES"))
    {
        return Some("ADD CONSTRAINT … NOT VALID, then ALTER TABLE … VALIDATE CONSTRAINT in a later transaction: the check scans without blocking writes".into());
    }
    if starts("ALTER TABLE") && flat.contains("ADD COLUMN") && flat.contains("REFERENCES") {
        return Some("add the column without REFERENCES, then ADD CONSTRAINT … FOREIGN KEY … NOT VALID and VALIDATE CONSTRAINT separately".into());
    }
    if starts("UPDATE") || (starts("WITH") && flat.contains(" UPDATE ")) {
        return Some("backfill in batches (e.g. 5 000 rows by primary-key range, each batch its own transaction) so no lock is held for the whole table".into());
    }
    if starts("ALTER TABLE") || starts("DROP POLICY") || starts("CREATE POLICY") {
        return Some("SET lock_timeout = '2s' first and retry on failure: waiting for the table lock queues every request behind it".into());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_classic_offenders_get_their_safer_forms() {
        assert!(safer("CREATE INDEX idx ON t (tenant_id)")
            .unwrap()
            .contains("CONCURRENTLY"));
        assert_eq!(
            safer("CREATE INDEX CONCURRENTLY idx ON t (tenant_id)"),
            None
        );
        assert!(
            safer("ALTER TABLE t\n  ALTER COLUMN tenant_id SET NOT NULL")
                .unwrap()
                .contains("NOT VALID")
        );
        assert!(safer(
            "UPDATE t SET tenant_id = p.tenant_id FROM profiles p WHERE p.id = t.org_id"
        )
        .unwrap()
        .contains("batches"));
        assert!(
            safer("ALTER TABLE t ADD CONSTRAINT f FOREIGN KEY (a) REFERENCES b(id)")
                .unwrap()
                .contains("VALIDATE")
        );
        assert_eq!(safer("SELECT 1"), None);
    }
}
