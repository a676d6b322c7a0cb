//! The checks layer: one module per check family, each taking what the run
//! knows (the snapshot, the identities, the oracle) and returning typed
//! findings ([`Finding`] with a [`CheckId`]).
//!
//! - [`integrity`]: rows kept, tenant values assigned, the rollback proof;
//! - [`verify`]: the migration plan's own verification queries;
//! - [`isolation`]: what every identity reads, and the application's queries;
//! - [`writes`]: write (keyed and unkeyed), side-channel and privilege probes;
//! - [`paths`]: views read with their owner's rights;
//! - [`search`]: the property-based leak search;
//! - [`audit`]: catalog rules, and which dynamic findings prove them;
//! - [`run`]: the checks a [`Parts`] selects, in pipeline order, and the
//!   one verdict every command shares (accepted findings accepted alike).

pub mod audit;
pub mod finding;
pub mod id;
pub mod integrity;
pub mod isolation;
pub mod paths;
pub mod search;
pub mod verify;
pub mod writes;

pub use finding::Finding;
pub use id::{CheckId, Part};

use crate::core::phase::Phase;
use crate::error::Result;
use crate::identities::Subject;
use crate::progress::Progress;
use crate::provision::Database;
use crate::scenario::{Scenario, SqlFile};
use crate::snapshot::Snapshot;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Instant;
use tokio_postgres::Client;

/// Which checks a run does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Parts {
    /// Rows kept, tenant values assigned, the plan's verification queries.
    pub integrity: bool,
    /// Every identity against every table; the application's queries.
    pub isolation: bool,
    /// Write, side-channel and privilege probes; definer views and functions.
    pub writes: bool,
    /// The property-based leak search.
    pub search: bool,
    /// The catalog audit.
    pub audit: bool,
    /// The rollback proof, when the scenario has a rollback.sql.
    pub rollback: bool,
}

impl Parts {
    /// Everything (`tenant-harness run`).
    pub const ALL: Parts = Parts {
        integrity: true,
        isolation: true,
        writes: true,
        search: true,
        audit: true,
        rollback: true,
    };
    /// Integrity and isolation with its probes and search (`tenant-harness check`).
    pub const CHECK: Parts = Parts {
        audit: false,
        rollback: false,
        ..Parts::ALL
    };
    /// The catalog audit alone (`tenant-harness audit`).
    pub const AUDIT: Parts = Parts {
        integrity: false,
        isolation: false,
        writes: false,
        search: false,
        audit: true,
        rollback: false,
    };

    /// Whether any part that acts as the identities runs.
    pub fn needs_identities(self) -> bool {
        self.isolation || self.writes || self.search
    }
}

/// How the property-based leak search runs.
#[derive(Debug, Clone, Default)]
pub struct SearchSettings {
    /// Cases to run (0 turns it off).
    pub cases: u32,
    /// Its seed, when replaying; else the data seed.
    pub replay: Option<u64>,
    /// Where failing cases persist (proptest regressions).
    pub persist: Option<PathBuf>,
}

/// What the checks read: the run's database and what the pipeline computed
/// before them, once (the snapshot, the oracle's tenant map, the identities).
pub struct Context<'a> {
    /// A superuser connection to the run's database (to look, never to judge).
    pub admin: &'a Client,
    /// The run's database (the leak search opens a connection of its own).
    pub db: &'a Database,
    /// The scenario under test.
    pub scenario: &'a Scenario,
    /// The pre-migration snapshot of the tables that still exist (those the
    /// migration dropped are integrity findings, and nothing to read).
    pub snapshot: &'a Snapshot,
    /// The whole pre-migration snapshot: what the rollback must bring back.
    pub pre_migration: &'a Snapshot,
    /// Who the checks act as (empty when no part needs identities).
    pub subjects: &'a [Subject],
    /// Every known tenant group and its tenant value after the migration.
    pub tenant_of: &'a BTreeMap<String, String>,
    /// The checked groups with their tenants (the application's queries run for each).
    pub checked: &'a [(String, String)],
    /// The tokens the harness showed it refuses (reported with the isolation coverage).
    pub rejected_tokens: Vec<String>,
    /// The run's data seed.
    pub seed: u64,
    /// The leak search's settings.
    pub search: &'a SearchSettings,
    /// The copy the rollback is proved on, and the rollback script.
    pub rollback: Option<(&'a Database, &'a SqlFile)>,
    /// How long one statement of the rollback script may run.
    pub statement_timeout: std::time::Duration,
    /// Where the steps are shown.
    pub progress: &'a Progress,
}

/// What the checks found, before it becomes a report.
#[derive(Debug, Default)]
pub struct Outcome {
    /// The parts that ran.
    pub ran: Vec<Part>,
    /// Each part's time.
    pub phases: Vec<Phase>,
    /// Everything that failed.
    pub findings: Vec<Finding>,
    /// What could not be decided.
    pub undecided: Vec<Finding>,
    /// The plan's verification queries and their results.
    pub verify: Vec<verify::VerifyResult>,
    /// Who and what the isolation checks covered.
    pub coverage: isolation::Coverage,
    /// What the write probes covered.
    pub writes: writes::WriteCoverage,
    /// The leak search, when it ran.
    pub search: Option<search::SearchReport>,
    /// The catalog audit (only the acceptances used, when the audit part did not run).
    pub audit: Vec<audit::AuditFinding>,
    /// The rollback proof, when it ran.
    pub rollback: Option<integrity::RollbackReport>,
}

/// The integrity part: the integrity pass's findings and the plan's own
/// verification queries. It runs on the migrated data as the migration left
/// it, before the pipeline writes the `[after]` tenants' rows.
pub async fn run_integrity(
    admin: &Client,
    scenario: &Scenario,
    integrity: &integrity::Integrity,
    parts: Parts,
) -> Result<Outcome> {
    let mut out = Outcome::default();
    if parts.integrity {
        let t = Instant::now();
        out.findings.extend(integrity.findings.iter().cloned());
        let (results, found) = verify::run(admin, &scenario.verify).await?;
        out.verify = results;
        out.findings.extend(found);
        out.ran.push(Part::Integrity);
        out.phases.push(Phase::since("verification queries", t));
    }
    Ok(out)
}

/// Runs the checks `parts` selects after the integrity part (whose outcome
/// `out` is), in pipeline order, and applies the scenario's acceptances the
/// same way whatever ran.
pub async fn run(cx: &Context<'_>, parts: Parts, mut out: Outcome) -> Result<Outcome> {
    if parts.isolation {
        let t = Instant::now();
        cx.progress.step("isolation");
        let (found, coverage) = isolation::run(cx).await?;
        out.findings.extend(found);
        out.coverage = coverage;
        out.ran.push(Part::Isolation);
        out.phases.push(Phase::since("isolation", t));
    }
    if parts.writes {
        let t = Instant::now();
        cx.progress.step("writes");
        let (found, coverage) = writes::run(cx).await?;
        out.findings.extend(found);
        out.writes = coverage;
        let (found, views) = paths::check(cx.admin, cx.subjects).await?;
        out.findings.extend(found);
        out.writes.views_checked = views;
        out.ran.push(Part::Writes);
        out.phases.push(Phase::since("writes", t));
    }
    if parts.search {
        let t = Instant::now();
        cx.progress.step("leak search");
        if let Some(report) = search::run_in(cx).await? {
            let (found, undecided) = search::judge(cx, &report);
            out.findings.extend(found);
            out.undecided.extend(undecided);
            out.search = Some(report);
            out.ran.push(Part::Search);
        }
        out.phases.push(Phase::since("leak search", t));
    }
    let t = Instant::now();
    if parts.audit {
        cx.progress.step("audit");
    }
    let mut catalog = audit::of_run(cx).await?;
    audit::mark_proven(&mut catalog, &out.findings);
    let before = out.findings.len();
    out.findings = audit::absorb_accepted(&catalog, std::mem::take(&mut out.findings));
    if parts.audit {
        out.findings.extend(audit::failing(&catalog));
        out.ran.push(Part::Audit);
        out.phases.push(Phase::since("audit", t));
    } else if out.findings.len() < before {
        // The acceptances that explained a finding, so the report says why it is gone.
        catalog.retain(|a| a.accepted.is_some() && a.proven_by.is_some());
    } else {
        catalog.clear();
    }
    out.audit = catalog;
    if parts.rollback {
        if let Some((copy, file)) = cx.rollback {
            cx.progress.step("rollback");
            let proof =
                integrity::rollback_on(copy, file, cx.pre_migration, cx.statement_timeout).await?;
            out.phases.push(Phase {
                name: "rollback".into(),
                elapsed: proof.elapsed,
            });
            out.findings.extend(proof.proof.findings.iter().cloned());
            out.ran.push(Part::Rollback);
            out.rollback = Some(proof);
        }
    }
    cx.progress.done();
    Ok(out)
}
