//! The run's report: what was done, how long it took, what was found, and
//! the verdict. Rendered for people on stdout and as JSON (`--json FILE`)
//! for machines; the JSON carries `"format_version": 1`.

pub use crate::checks::integrity::RollbackReport;
use crate::checks::integrity::TableIntegrity;
use crate::checks::isolation::Coverage;
use crate::checks::Finding;
pub use crate::checks::Part;
pub use crate::core::phase::Phase;
use crate::error::{exit, Error, Result};
use crate::migrate::FileRun;
use serde::Serialize;
use std::fmt::Write as _;
use std::path::Path;
use std::time::Duration;

/// Rows loaded per table.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct SeedSummary {
    /// Rows per table, in load order.
    pub tables: Vec<(String, u64)>,
    /// Rows over all tables.
    pub total_rows: u64,
    /// Load rate over the seeding phase.
    pub rows_per_second: f64,
}

impl From<&tenant_seed::SeedOutcome> for SeedSummary {
    fn from(o: &tenant_seed::SeedOutcome) -> Self {
        SeedSummary {
            total_rows: o.total_rows(),
            rows_per_second: o.total_rows() as f64 / o.elapsed.as_secs_f64().max(1e-9),
            tables: o.tables.clone(),
        }
    }
}

/// The tenants the harness wrote data for after the migration.
#[derive(Debug, Clone, Serialize)]
pub struct AfterSummary {
    /// Their tenant values.
    pub tenants: Vec<String>,
    /// What was written.
    pub seeding: SeedSummary,
}

/// Everything a run found out.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// Version of this JSON shape (1).
    pub format_version: u32,
    /// Scenario name.
    pub scenario: String,
    /// Backend used: docker, local or url.
    pub backend: String,
    /// Where the server ran.
    pub server: String,
    /// PostgreSQL version, e.g. 15.18.
    pub server_version: String,
    /// Seed of all generated data.
    pub seed: u64,
    /// The command line that replays this run's data.
    pub replay: String,
    /// The parts of the checks that ran.
    pub parts: Vec<Part>,
    /// Timed pipeline steps, in order.
    pub phases: Vec<Phase>,
    /// What seeding loaded.
    pub seeding: Option<SeedSummary>,
    /// Each migration file with per-statement timings.
    pub migrations: Vec<FileRun>,
    /// Per-table integrity figures.
    pub integrity: Vec<TableIntegrity>,
    /// Tenants the migration made versus the scenario's groups.
    pub tenants: crate::checks::integrity::TenantSummary,
    /// The plan's own verification queries and their results.
    pub verify: Vec<crate::checks::verify::VerifyResult>,
    /// Data written after the migration for more tenants.
    pub after: Option<AfterSummary>,
    /// Who and what the isolation check covered.
    pub isolation: Coverage,
    /// The rollback proof, when the scenario has a rollback.sql.
    pub rollback: Option<RollbackReport>,
    /// The property-based leak search, when it ran.
    pub search: Option<crate::checks::search::SearchReport>,
    /// What the write, side-channel and privilege probes covered.
    pub writes: crate::checks::writes::WriteCoverage,
    /// The catalog audit: every rule that matched, failing or not.
    pub audit: Vec<crate::checks::audit::AuditFinding>,
    /// Everything that failed; empty means pass.
    pub findings: Vec<Finding>,
    /// What a check could not decide (a leak search with nothing to play
    /// with): no finding, and never counted as proven either.
    pub undecided: Vec<Finding>,
    /// `fail` with findings; else `undecided` when something could not be
    /// decided; else `pass`.
    pub verdict: String,
}

impl Report {
    /// The verdict word for `findings` and `undecided`.
    pub fn verdict_of(findings: &[Finding], undecided: &[Finding]) -> &'static str {
        match (findings.is_empty(), undecided.is_empty()) {
            (false, _) => "fail",
            (true, false) => "undecided",
            (true, true) => "pass",
        }
    }

    /// Whether every check held.
    pub fn passed(&self) -> bool {
        self.findings.is_empty()
    }

    /// 0 when every check held, 1 otherwise.
    pub fn exit_code(&self) -> i32 {
        if self.passed() {
            exit::OK
        } else {
            exit::FINDINGS
        }
    }

    /// Findings of check `check` (e.g. `isolation.foreign-rows`).
    pub fn findings_of<'a>(&'a self, check: &'a str) -> impl Iterator<Item = &'a Finding> + 'a {
        self.findings.iter().filter(move |f| f.check == check)
    }

    /// Writes the JSON report to `path`.
    pub fn write_json(&self, path: &Path) -> Result<()> {
        let text = serde_json::to_string_pretty(self).expect("report serialises");
        std::fs::write(path, text).map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })
    }

    /// The report for people.
    pub fn human(&self) -> String {
        let mut o = String::new();
        let _ = writeln!(o, "scenario  {}", self.scenario);
        let _ = writeln!(
            o,
            "server    {} (PostgreSQL {}, backend {})",
            self.server, self.server_version, self.backend
        );
        let _ = writeln!(o, "seed      {}   replay: {}", self.seed, self.replay);
        let _ = writeln!(o, "\nphases");
        for p in &self.phases {
            let _ = writeln!(o, "  {:<22} {:>9.1} ms", p.name, ms(p.elapsed));
        }
        if let Some(s) = &self.seeding {
            let _ = writeln!(
                o,
                "\nseeded {} rows in {} tables ({:.0} rows/s)",
                s.total_rows,
                s.tables.len(),
                s.rows_per_second
            );
        }
        let _ = writeln!(o, "\nmigrations");
        for m in &self.migrations {
            let _ = writeln!(
                o,
                "  {:<52} {:>3} statements {:>9.1} ms",
                m.file,
                m.statements.len(),
                ms(m.elapsed)
            );
            if let Some(slow) = m.statements.iter().max_by_key(|s| s.elapsed) {
                if m.statements.len() > 1 {
                    let _ = writeln!(
                        o,
                        "    slowest: line {} {:.1} ms  {}",
                        slow.line,
                        ms(slow.elapsed),
                        slow.summary
                    );
                }
            }
        }
        if !self.integrity.is_empty() {
            let _ = writeln!(
                o,
                "\nintegrity {:<22} {:>8} {:>8} {:>6} {:>8} {:>6} {:>6} {:>8}",
                "table", "before", "after", "lost", "changed", "added", "null", "misassig"
            );
            for t in &self.integrity {
                let _ = writeln!(
                    o,
                    "          {:<22} {:>8} {:>8} {:>6} {:>8} {:>6} {:>6} {:>8}",
                    t.table,
                    t.rows_before,
                    t.rows_after,
                    t.lost,
                    t.changed,
                    t.added,
                    t.null_tenant,
                    t.misassigned
                );
            }
        }
        if self.tenants.expected_groups > 0 {
            let _ = writeln!(
                o,
                "\ntenants: {} groups of users -> {} tenants",
                self.tenants.expected_groups, self.tenants.tenants
            );
            for (g, n, t) in &self.tenants.largest {
                let _ = writeln!(o, "  {n:>5} user(s) in {g:<40} -> tenant {t}");
            }
        }
        for v in &self.verify {
            let status = match v.passed {
                Some(true) => "ok  ",
                Some(false) => "FAIL",
                None => "    ",
            };
            let _ = writeln!(
                o,
                "\nverify {status} {}{}",
                v.name,
                v.expect
                    .as_ref()
                    .map(|e| format!(" (expect {e})"))
                    .unwrap_or_default()
            );
            if !v.columns.is_empty() {
                let _ = writeln!(o, "       {}", v.columns.join(" | "));
            }
            for row in v.rows.iter().take(10) {
                let _ = writeln!(o, "       {}", row.join(" | "));
            }
            if v.rows.len() > 10 {
                let _ = writeln!(o, "       … {} more", v.rows.len() - 10);
            }
        }
        if let Some(a) = &self.after {
            let _ = writeln!(
                o,
                "\nafter the migration: wrote {} rows for tenant(s) {}",
                a.seeding.total_rows,
                a.tenants.join(", ")
            );
        }
        if !self.isolation.actors.is_empty() {
            let _ = writeln!(
                o,
                "\nisolation: {} actors x {} tables = {} checks; actors: {}",
                self.isolation.actors.len(),
                self.isolation.tables,
                self.isolation.pairs,
                self.isolation.actors.join(", ")
            );
        }
        if !self.isolation.rejected_tokens.is_empty() {
            let _ = writeln!(
                o,
                "rejected before the database, as they must be: {}",
                self.isolation.rejected_tokens.join(", ")
            );
        }
        if !self.isolation.exempt.is_empty() {
            let _ = writeln!(
                o,
                "exempt by design, not checked: {}",
                self.isolation.exempt.join(", ")
            );
        }
        if self.writes.scripts > 0 {
            let w = &self.writes;
            let _ = writeln!(
                o,
                "writes: {} probe scripts, {} statements as API identities, {} denied as they must be ({} by a missing privilege, {} by a policy, the rest touched no row), {} inconclusive, {} table(s) skipped",
                w.scripts,
                w.statements,
                w.denied,
                w.denied_by_privilege,
                w.denied_by_policy,
                w.inconclusive.len(),
                w.skipped.len()
            );
            for i in w.inconclusive.iter().take(10) {
                let _ = writeln!(o, "  inconclusive: {i}");
            }
            for s in w.skipped.iter().take(5) {
                let _ = writeln!(o, "  skipped: {s}");
            }
        }
        if let Some(s) = &self.search {
            let _ = writeln!(
                o,
                "leak search: {} cases judged of {} run in {:.1} s ({:.0} cases/s), seed {}, tables {}, {} identities{}",
                s.cases,
                s.tried,
                s.elapsed.as_secs_f64(),
                s.cases_per_second,
                s.seed,
                s.tables.join(", "),
                s.actors.len(),
                if s.failure.is_some() { ": DIVERGED (see findings)" } else { ": no divergence" }
            );
        }
        if self.isolation.query_runs > 0 {
            let _ = writeln!(
                o,
                "application queries: {} runs (query x tenant)",
                self.isolation.query_runs
            );
        }
        if let Some(rb) = &self.rollback {
            let _ = writeln!(o, "\nrollback: {} statements in {:.1} ms; data compared with the pre-migration snapshot", rb.run.statements.len(), ms(rb.run.elapsed));
            for t in &rb.proof.left_in_place {
                let _ = writeln!(o, "  leaves {t} in place (added by the migration)");
            }
            if rb.proof.discarded.is_empty() {
                let _ = writeln!(o, "  discards nothing the migration added");
            }
            for a in rb.proof.discarded.iter().take(8) {
                let _ = writeln!(
                    o,
                    "  discards {} ({} {})",
                    a.object,
                    a.rows,
                    if a.is_table { "rows" } else { "values" }
                );
            }
            if rb.proof.discarded.len() > 8 {
                let rest: u64 = rb.proof.discarded.iter().skip(8).map(|a| a.rows).sum();
                let _ = writeln!(
                    o,
                    "  … and {} more objects ({rest} rows/values; the JSON report lists them)",
                    rb.proof.discarded.len() - 8
                );
            }
        }
        if !self.audit.is_empty() {
            let _ = writeln!(o, "\naudit ({} rule matches)", self.audit.len());
            for a in &self.audit {
                let status = match (&a.accepted, &a.proven_by) {
                    (Some(_), Some(c)) => format!("accepted, proven by {c}"),
                    (Some(_), None) => "accepted".to_string(),
                    (None, Some(c)) => format!("{} PROVEN by {c}", a.level),
                    (None, None) => a.level.to_string(),
                };
                let _ = writeln!(o, "  {:<36} {:<40} {}", a.rule, status, a.object);
                if !a.detail.is_empty() {
                    let _ = writeln!(o, "  {:<36} {}", "", a.detail);
                }
                if let Some(r) = &a.accepted {
                    let _ = writeln!(o, "  {:<36} accepted: {r}", "");
                }
            }
        }
        if self.findings.is_empty() {
            let _ = writeln!(o, "\nno findings");
        } else {
            let _ = writeln!(o, "\n{} finding(s)", self.findings.len());
            for f in &self.findings {
                let mut place = Vec::new();
                if let Some(t) = &f.table {
                    place.push(format!("table {t}"));
                }
                if let Some(a) = &f.actor {
                    place.push(format!("actor {a}"));
                }
                if let Some(r) = &f.row {
                    place.push(format!("row {r}"));
                }
                let _ = writeln!(
                    o,
                    "  FAIL {:<28} {}\n       {}",
                    f.check,
                    place.join(", "),
                    f.message
                );
            }
        }
        for u in &self.undecided {
            let _ = writeln!(o, "  UNDECIDED {:<23} {}", u.check, u.message);
        }
        let _ = writeln!(o, "\nverdict: {}", self.verdict.to_uppercase());
        o
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
