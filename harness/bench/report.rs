//! What the load benchmark found, for people (`human`) and machines (JSON).

use super::driver::{Load, Sample};
use super::explain::{Advice, PlanFacts};
use super::online::OnlineReport;
use super::settings::Settings;
use super::stats::Interval;
use crate::error::{exit, Error, Result};
use serde::Serialize;
use std::fmt::Write as _;
use std::path::Path;

/// Throughput and latency of one form of one query.
#[derive(Debug, Clone, Serialize)]
pub struct Figures {
    /// Requests answered.
    pub requests: u64,
    /// Requests that failed or timed out.
    pub failed: u64,
    /// The first failure's message.
    pub first_error: Option<String>,
    /// Answered requests per second.
    pub tps: f64,
    /// Mean latency, ms.
    pub mean_ms: f64,
    /// Median latency, ms.
    pub p50_ms: f64,
    /// 95th percentile, ms.
    pub p95_ms: f64,
    /// 99th percentile, ms.
    pub p99_ms: f64,
    /// Slowest request, ms.
    pub max_ms: f64,
}

impl Figures {
    /// The figures of `s`.
    pub fn of(s: &Sample) -> Figures {
        Figures {
            requests: s.ok,
            failed: s.failed + s.timed_out,
            first_error: s.first_error.clone(),
            tps: s.tps(),
            mean_ms: s.mean_ms(),
            p50_ms: s.quantile_ms(0.5),
            p95_ms: s.quantile_ms(0.95),
            p99_ms: s.quantile_ms(0.99),
            max_ms: s.hist.max() as f64 / 1000.0,
        }
    }

    fn line(&self) -> String {
        format!(
            "{:>9.0} req/s  p50 {:>7.2}  p95 {:>7.2}  p99 {:>7.2}  max {:>8.2} ms",
            self.tps, self.p50_ms, self.p95_ms, self.p99_ms, self.max_ms
        )
    }
}

/// One workload query before and after.
#[derive(Debug, Clone, Serialize)]
pub struct QueryResult {
    /// Its name in scenario.toml.
    pub name: String,
    /// The pre-migration SQL.
    pub before_sql: String,
    /// The post-migration SQL.
    pub after_sql: String,
    /// Pre-migration form, all rounds.
    pub before: Figures,
    /// Post-migration form, all rounds.
    pub after: Figures,
    /// After ÷ before mean latency of each round.
    pub round_ratios: Vec<f64>,
    /// Their geometric mean and 95 % interval.
    pub ratio: Interval,
    /// Each repeated run's own ratio (`--repeat`), to show that runs agree.
    pub runs: Vec<Interval>,
    /// The threshold from scenario.toml.
    pub max_overhead: f64,
    /// Within the threshold and no request failed.
    pub passed: bool,
    /// The pre-migration plan.
    pub plan_before: PlanFacts,
    /// The post-migration plan.
    pub plan_after: PlanFacts,
    /// Why the after plan is slow, per policy, with the rewrite.
    pub advice: Vec<Advice>,
}

/// One level of the concurrency sweep.
#[derive(Debug, Clone, Serialize)]
pub struct SweepPoint {
    /// The query.
    pub query: String,
    /// Concurrent workers.
    pub workers: usize,
    /// Pre-migration form.
    pub before: Figures,
    /// Post-migration form.
    pub after: Figures,
}

/// The load benchmark of one scenario.
#[derive(Debug, Clone, Serialize)]
pub struct LoadReport {
    /// Scenario name.
    pub scenario: String,
    /// Where it ran.
    pub server: String,
    /// Rows seeded over all tables.
    pub rows: u64,
    /// Users or tenants the requests were spread over.
    pub actors: usize,
    /// How it ran.
    pub settings: Settings,
    /// Closed or open loop.
    pub load: Load,
    /// Each workload query.
    pub queries: Vec<QueryResult>,
    /// The concurrency sweep, when asked for.
    pub sweep: Vec<SweepPoint>,
    /// The migration run under load (`--online`).
    pub online: Option<OnlineReport>,
    /// Workload queries the migration broke: their `after` form prepared on
    /// the pre-migration schema and does not on the migrated one.
    pub broken: Vec<BrokenQuery>,
}

/// A workload query the migration broke (a finding about the migration).
#[derive(Debug, Clone, Serialize)]
pub struct BrokenQuery {
    /// The query's name.
    pub name: String,
    /// The server's message on the migrated schema.
    pub message: String,
}

impl LoadReport {
    /// Whether every query kept within its threshold, none was broken by the
    /// migration, and the online run, if any, hurt nobody.
    pub fn passed(&self) -> bool {
        self.broken.is_empty()
            && self.queries.iter().all(|q| q.passed)
            && self.online.as_ref().is_none_or(|o| o.passed())
    }

    /// 0 when it passed, 1 when a query is over its threshold.
    pub fn exit_code(&self) -> i32 {
        if self.passed() {
            exit::OK
        } else {
            exit::FINDINGS
        }
    }

    /// Writes the report as JSON.
    pub fn write_json(&self, path: &Path) -> Result<()> {
        let text = serde_json::to_string_pretty(self).expect("serialises");
        std::fs::write(path, text).map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })
    }

    /// The report for people.
    pub fn human(&self) -> String {
        let mut s = String::new();
        let load = match self.load {
            Load::Closed { workers } => format!("closed loop, {workers} workers"),
            Load::Open { rate } => format!("open loop at {rate:.0} req/s"),
        };
        let _ = writeln!(
            s,
            "load benchmark: {} on {}\n  {} rows, {} actors, {load}, {} rounds x {:.1} s per form (before/after interleaved), seed {}",
            self.scenario, self.server, self.rows, self.actors, self.settings.rounds, self.settings.seconds, self.settings.seed
        );
        for b in &self.broken {
            let _ = writeln!(
                s,
                "  FAIL {}: the migration broke it: {} (its after form prepared before the migration)",
                b.name, b.message
            );
        }
        for q in &self.queries {
            let verdict = if q.passed { "PASS" } else { "FAIL" };
            let _ = writeln!(s, "\n  {verdict} {}", q.name);
            let _ = writeln!(s, "    before {}", q.before.line());
            let _ = writeln!(s, "    after  {}", q.after.line());
            let _ = writeln!(
                s,
                "    overhead (after/before mean latency): {:.2}x, 95% interval [{:.2}, {:.2}] over {} rounds; limit {:.2}x",
                q.ratio.estimate,
                q.ratio.low,
                q.ratio.high,
                q.round_ratios.len(),
                q.max_overhead
            );
            if q.runs.len() > 1 {
                let est: Vec<f64> = q.runs.iter().map(|r| r.estimate).collect();
                let (lo, hi) = est
                    .iter()
                    .fold((f64::MAX, 0.0f64), |(l, h), e| (l.min(*e), h.max(*e)));
                let _ = writeln!(
                    s,
                    "    repeated runs: {} (largest difference {:.1} %)",
                    est.iter()
                        .map(|e| format!("{e:.2}x"))
                        .collect::<Vec<_>>()
                        .join(", "),
                    (hi / lo - 1.0) * 100.0
                );
            }
            for (side, f) in [("before", &q.before), ("after", &q.after)] {
                if f.failed > 0 {
                    let _ = writeln!(
                        s,
                        "    {side}: {} requests failed, first: {}",
                        f.failed,
                        f.first_error.as_deref().unwrap_or("timed out")
                    );
                }
            }
            for (side, p) in [("before", &q.plan_before), ("after", &q.plan_after)] {
                let _ = writeln!(
                    s,
                    "    plan {side}: {} ({:.2} ms, {} buffers)",
                    p.outline, p.execution_ms, p.buffers
                );
            }
            for f in &q.plan_after.flags {
                let _ = writeln!(s, "      ! {}: {}", f.kind, f.detail);
            }
            for a in &q.advice {
                let _ = writeln!(
                    s,
                    "      why: {} on {}: {}\n        fix: {}",
                    if a.policy == "index" {
                        "missing index".to_string()
                    } else if a.policy == "statistics" {
                        "missing statistics".to_string()
                    } else {
                        format!("policy \"{}\"", a.policy)
                    },
                    a.table,
                    a.cause,
                    a.rewrite
                );
            }
        }
        if !self.sweep.is_empty() {
            let _ = writeln!(s, "\n  concurrency sweep (closed loop)");
            for p in &self.sweep {
                let _ = writeln!(
                    s,
                    "    {:<28} {:>3} workers: before {:>9.0} req/s p99 {:>7.2} ms | after {:>9.0} req/s p99 {:>7.2} ms",
                    p.query, p.workers, p.before.tps, p.before.p99_ms, p.after.tps, p.after.p99_ms
                );
            }
        }
        if let Some(o) = &self.online {
            s.push_str(&o.human());
        }
        let failed = self.queries.iter().filter(|q| !q.passed).count();
        let _ = writeln!(
            s,
            "\n{}: {} of {} queries within their limits{}",
            if self.passed() { "PASS" } else { "FAIL" },
            self.queries.len() - failed,
            self.queries.len(),
            self.online
                .as_ref()
                .map(|o| format!(
                    "; online migration: {}",
                    if o.passed() {
                        "no request failed"
                    } else {
                        "requests failed"
                    }
                ))
                .unwrap_or_default()
        );
        s
    }
}

/// The same queries across several reports (a scenario and its variants),
/// side by side: what a rewrite changed.
pub fn compare(reports: &[LoadReport]) -> String {
    let mut s =
        String::from("\ncomparison (after-migration throughput and overhead per scenario)\n");
    let mut names: Vec<&str> = Vec::new();
    for q in reports.iter().flat_map(|r| &r.queries) {
        if !names.contains(&q.name.as_str()) {
            names.push(&q.name);
        }
    }
    for name in names {
        let _ = writeln!(s, "  {name}");
        for r in reports {
            if let Some(q) = r.queries.iter().find(|q| q.name == name) {
                let _ = writeln!(
                    s,
                    "    {:<36} {:>9.0} req/s  p99 {:>8.2} ms  overhead {:>7.2}x  {}",
                    r.scenario,
                    q.after.tps,
                    q.after.p99_ms,
                    q.ratio.estimate,
                    if q.passed { "PASS" } else { "FAIL" }
                );
            }
        }
    }
    s
}
