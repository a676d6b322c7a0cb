//! The pipeline as a library: what `tenant-harness run` does, callable from
//! a user's own `cargo test`.
//!
//! ```no_run
//! # async fn demo() -> tenant_harness::Result<()> {
//! use tenant_harness::Harness;
//! let mut h = Harness::builder("scenarios/supabase-org-to-tenant")?.start().await?;
//! h.assert_isolated().await;          // panics with the report on any finding
//! let someone = h.users()[0].clone();
//! let me = h.actor(&someone).await?;  // query as that user, through RLS
//! let rows = me.query("SELECT id FROM clients", &[]).await.expect("select");
//! # let _ = rows; Ok(()) }
//! ```
//!
//! Data flows one way: provision → Supabase objects → before.sql → seed →
//! snapshot → migrations ([`HarnessBuilder::start`], in `builder.rs`), then
//! integrity → the `[after]` tenants → identities → the checks layer
//! ([`crate::checks::run`]) → report ([`Harness::check_parts`]). This module
//! only orchestrates: every check lives in `checks/`, every identity in
//! `identities.rs`.

mod builder;
pub mod env;

pub use builder::HarnessBuilder;

use crate::checks::integrity::{self, Integrity};
use crate::checks::{self, CheckId, Parts, SearchSettings};
use crate::error::{Error, Result};
use crate::identities::{Identities, Subject};
use crate::impersonate::{Actor, JwtKeys};
use crate::migrate::{self, FileRun};
use crate::progress::Progress;
use crate::provision::Database;
use crate::report::{AfterSummary, Phase, Report, SeedSummary};
use crate::scenario::Scenario;
use crate::seed::SeededUser;
use crate::snapshot::Snapshot;
use crate::{bench, seed};
use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;
use tokio_postgres::Client;

/// What the checks need to know about a seeded, migrated database besides
/// the database itself; stored inside a template so a later run can use it.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub(crate) struct TemplateState {
    pub seed: u64,
    pub snapshot: Snapshot,
    pub users: Vec<SeededUser>,
    pub seeding: SeedSummary,
    pub migrations: Vec<FileRun>,
    pub phases: Vec<Phase>,
    pub server_version: String,
}

/// A provisioned, seeded and migrated database, ready to be checked.
/// Dropping it removes everything it provisioned.
pub struct Harness {
    progress: Progress,
    statement_timeout: std::time::Duration,
    search: SearchSettings,
    scenario: Scenario,
    admin: Client,
    seed: u64,
    users: Vec<SeededUser>,
    snapshot: Snapshot,
    keys: JwtKeys,
    phases: Vec<Phase>,
    seeding: SeedSummary,
    migrations: Vec<FileRun>,
    server_version: String,
    integrity: Option<Integrity>,
    /// Tenants written after the migration, once they are.
    after: Option<AfterSummary>,
    // Last, in this order: the copies go before the database, the database before its server.
    rollback_db: Option<Database>,
    baseline: Option<Database>,
    db: Database,
}

impl Harness {
    /// A builder for the scenario folder `dir`, with options from the environment
    /// (`TENANT_HARNESS_BACKEND`, `TENANT_HARNESS_IMAGE`, `DATABASE_URL`, …);
    /// a malformed variable is a usage error naming it.
    pub fn builder(dir: impl AsRef<Path>) -> Result<HarnessBuilder> {
        Harness::for_scenario(Scenario::load(dir)?)
    }

    /// A builder for an already loaded scenario, with options from the environment.
    pub fn for_scenario(scenario: Scenario) -> Result<HarnessBuilder> {
        let from = env::read()?;
        Ok(HarnessBuilder {
            options: from.options,
            seed: from.seed,
            jwt_secret: from.jwt_secret,
            search: SearchSettings {
                cases: scenario.checks.search_cases,
                replay: from.replay,
                persist: None,
            },
            benchmark: false,
            migrate: true,
            rollback_copy: true,
            progress: Progress::hidden(),
            statement_timeout: from.statement_timeout,
            scenario,
        })
    }

    /// The seeded users, each with the tenant group the scenario assigns.
    pub fn users(&self) -> &[SeededUser] {
        &self.users
    }

    /// The scenario under test.
    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    /// The run's database.
    pub fn database(&self) -> &Database {
        &self.db
    }

    /// The copy of the seeded data from before the migration (harnesses
    /// started with [`HarnessBuilder::benchmark`]).
    pub fn baseline(&self) -> Option<&Database> {
        self.baseline.as_ref()
    }

    /// Masks this run's secrets (the JWT secret, the database password) in
    /// any text: every reporter applies it.
    pub fn redactor(&self) -> crate::redact::Redactor {
        crate::redact::Redactor::new(
            [Some(self.keys.secret_text()), self.db.password()]
                .into_iter()
                .flatten(),
        )
    }

    /// A superuser connection to the run's database (for setup, never for checks).
    pub fn admin(&self) -> &Client {
        &self.admin
    }

    /// Rows seeded over all tables before the migration.
    pub fn seeded_rows(&self) -> u64 {
        self.seeding.total_rows
    }

    /// The seed the data was generated from.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// Every known tenant group and its tenant value: the integrity pass's
    /// mapping (kept once a check computed it, else read from the migrated
    /// data now) and the `[after]` tenants.
    async fn tenants(&self) -> Result<BTreeMap<String, String>> {
        if self.integrity.is_some() {
            return Ok(self.tenant_map());
        }
        let mut tenant_of =
            integrity::verify(&self.admin, &self.scenario, &self.snapshot, &self.users)
                .await?
                .tenant_of_group;
        for t in self.after_tenants() {
            tenant_of.insert(seed::after_group(t), t.clone());
        }
        Ok(tenant_of)
    }

    /// The integrity pass's result, computed once per harness.
    async fn integrity(&mut self) -> Result<&Integrity> {
        if self.integrity.is_none() {
            self.integrity = Some(
                integrity::verify(&self.admin, &self.scenario, &self.snapshot, &self.users).await?,
            );
        }
        Ok(self.integrity.as_ref().expect("set above"))
    }

    /// The snapshot the checks after integrity read: without the tables the
    /// migration dropped (each is an `integrity.table-dropped` finding).
    fn live_snapshot(&self) -> Snapshot {
        let dropped: Vec<String> = self
            .integrity
            .iter()
            .flat_map(|i| &i.findings)
            .filter(|f| f.check == CheckId::IntegrityTableDropped)
            .filter_map(|f| f.table.clone())
            .collect();
        self.snapshot.without(&dropped)
    }

    /// The `[after]` tenants' values, once written.
    fn after_tenants(&self) -> &[String] {
        self.after.as_ref().map_or(&[][..], |a| &a.tenants)
    }

    /// Who can be impersonated, given the tenant each group got.
    fn identities<'a>(&'a self, tenant_of: &'a BTreeMap<String, String>) -> Identities<'a> {
        Identities {
            scenario: &self.scenario,
            db: &self.db,
            keys: &self.keys,
            users: &self.users,
            seed: self.seed,
            tenant_of,
            after: self.after_tenants(),
        }
    }

    /// A handle that queries as `user`, with a real token, through RLS.
    pub async fn actor(&self, user: &SeededUser) -> Result<Actor> {
        let tenants = self.tenants().await?;
        self.identities(&tenants).actor(user).await
    }

    /// `user` signed in with a token whose user-editable `user_metadata`
    /// names `tenant`, another tenant's value (JWT identity models only).
    pub async fn actor_with_forged_metadata(
        &self,
        user: &SeededUser,
        tenant: &str,
    ) -> Result<Option<Actor>> {
        let tenants = BTreeMap::new();
        self.identities(&tenants)
            .actor_with_forged_metadata(user, tenant)
            .await
    }

    /// A handle for tenant `value` in the session-setting identity model.
    pub async fn tenant_actor(&self, value: &str) -> Result<Option<Actor>> {
        let tenants = BTreeMap::new();
        self.identities(&tenants).tenant_actor(value).await
    }

    /// A handle that queries with the anon key, if the identity model has one.
    pub async fn anon(&self) -> Result<Option<Actor>> {
        let tenants = BTreeMap::new();
        self.identities(&tenants).anon().await
    }

    /// Writes the `[after]` tenants' data once, after the integrity check.
    async fn write_after_tenants(&mut self, phases: &mut Vec<Phase>) -> Result<()> {
        let Some(spec) = self.scenario.after.clone() else {
            return Ok(());
        };
        if self.after.is_some() {
            return Ok(());
        }
        let t = Instant::now();
        let tenants = match &spec.tenants_query {
            Some(q) => self
                .admin
                .query(q.as_str(), &[])
                .await
                .map_err(Error::scenario_sql(
                    self.scenario.toml_path(),
                    format!("[after] tenants_query `{q}`"),
                ))?
                .iter()
                .filter_map(|r| r.get::<_, Option<String>>(0))
                .collect(),
            None => spec.tenants.clone(),
        };
        if tenants.is_empty() {
            return Err(Error::Scenario {
                file: self.scenario.toml_path(),
                line: None,
                message: "section [after]: no tenants to write data for".into(),
            });
        }
        let unwritable: Vec<String> = self
            .integrity
            .iter()
            .flat_map(|i| &i.findings)
            .filter(|f| {
                matches!(
                    f.check,
                    CheckId::IntegrityNoTenantColumn | CheckId::IntegrityTableDropped
                )
            })
            .filter_map(|f| f.table.clone())
            .collect();
        let outcome = seed::run_after(
            self.db.config(),
            &self.scenario,
            self.seed,
            &tenants,
            &unwritable,
        )
        .await?
        .unwrap_or_default();
        if let Some(sql) = &self.scenario.after_sql {
            migrate::apply(&self.admin, sql, false, self.statement_timeout).await?;
        }
        self.admin
            .batch_execute("ANALYZE")
            .await
            .map_err(Error::db("ANALYZE after writing more tenants"))?;
        phases.push(Phase {
            name: "after-migration tenants".into(),
            elapsed: t.elapsed(),
        });
        self.after = Some(AfterSummary {
            tenants,
            seeding: SeedSummary::from(&outcome),
        });
        Ok(())
    }

    /// Runs the integrity checks, the plan's verification queries, then
    /// (after writing the `[after]` tenants' data) the isolation checks,
    /// the application's queries, the write probes, the leak search and the
    /// catalog audit, and returns the report. Read-only but for the
    /// `[after]` data, written once. [`Harness::check_parts`] runs a selection.
    pub async fn check(&mut self) -> Result<Report> {
        self.check_parts(Parts {
            rollback: false,
            ..Parts::ALL
        })
        .await
    }

    /// Every check and the rollback proof, in one report (`tenant-harness run`).
    pub async fn check_all(&mut self) -> Result<Report> {
        self.check_parts(Parts::ALL).await
    }

    /// The checks `parts` selects, in pipeline order, in one report whose
    /// `parts` field names what ran (so reporters tell "passed" from "not run").
    pub async fn check_parts(&mut self, parts: Parts) -> Result<Report> {
        let mut phases = self.phases.clone();
        // Integrity always runs (fresh: the data may have changed since the
        // last check): the isolation oracle needs its tenant mapping.
        let t = Instant::now();
        self.progress.step("integrity");
        self.integrity = Some(
            integrity::verify(&self.admin, &self.scenario, &self.snapshot, &self.users).await?,
        );
        if parts.integrity {
            phases.push(Phase::since("integrity", t));
        }
        let integrity = self.integrity.as_ref().expect("set above");
        let first = checks::run_integrity(&self.admin, &self.scenario, integrity, parts).await?;
        let subjects = if parts.needs_identities() {
            self.prepare_subjects(&mut phases).await?
        } else {
            Vec::new()
        };
        let tenant_of = self.tenant_map();
        let ids = self.identities(&tenant_of);
        let checked: Vec<(String, String)> = ids
            .checked_groups()
            .into_iter()
            .map(|g| {
                let t = ids.tenant(&g);
                (g, t)
            })
            .collect();
        let live = self.live_snapshot();
        let cx = checks::Context {
            admin: &self.admin,
            db: &self.db,
            scenario: &self.scenario,
            snapshot: &live,
            pre_migration: &self.snapshot,
            subjects: &subjects,
            tenant_of: &tenant_of,
            checked: &checked,
            rejected_tokens: crate::impersonate::rejected_tokens(
                &self.keys,
                &self.scenario.identity,
                self.seed,
            )?,
            seed: self.seed,
            search: &self.search,
            rollback: self
                .rollback_db
                .as_ref()
                .zip(self.scenario.rollback.as_ref()),
            statement_timeout: self.statement_timeout,
            progress: &self.progress,
        };
        let integrity = self.integrity.as_ref().expect("set above");
        let out = checks::run(&cx, parts, first).await?;
        phases.extend(out.phases);
        Ok(Report {
            format_version: 1,
            scenario: self.scenario.name.clone(),
            backend: self.db.backend.to_string(),
            server: self.db.description.clone(),
            server_version: self.server_version.clone(),
            seed: self.seed,
            replay: format!(
                "tenant-harness run {} --seed {}",
                self.scenario.dir.display(),
                self.seed
            ),
            parts: out.ran,
            phases,
            seeding: Some(self.seeding.clone()),
            migrations: self.migrations.clone(),
            integrity: if parts.integrity {
                integrity.tables.clone()
            } else {
                Vec::new()
            },
            tenants: integrity.tenants.clone(),
            verify: out.verify,
            after: self.after.clone(),
            isolation: out.coverage,
            rollback: out.rollback,
            search: out.search,
            writes: out.writes,
            audit: out.audit,
            verdict: Report::verdict_of(&out.findings, &out.undecided).into(),
            findings: out.findings,
            undecided: out.undecided,
        })
    }

    /// Writes the `[after]` tenants, builds the isolation oracle and returns
    /// who the checks impersonate (needs the integrity pass's tenant mapping).
    async fn prepare_subjects(&mut self, phases: &mut Vec<Phase>) -> Result<Vec<Subject>> {
        self.integrity().await?;
        self.write_after_tenants(phases).await?;
        let after_tenants: Vec<String> =
            self.after.iter().flat_map(|a| a.tenants.clone()).collect();
        let roles: Vec<&str> = [
            self.scenario.identity.role(),
            self.scenario.identity.anon_role(),
        ]
        .into_iter()
        .flatten()
        .collect();
        integrity::build_expected(
            &self.admin,
            &self.scenario,
            &self.live_snapshot(),
            &after_tenants,
            &roles,
        )
        .await?;
        let tenants = self.tenants().await?;
        self.identities(&tenants).subjects().await
    }

    /// The identities, tables and tenants of the migrated database for your
    /// own property tests ([`crate::strategies`]); `tables` limits the tables
    /// in play (empty: up to six of the scenario's).
    pub async fn arena(&mut self, tables: &[&str]) -> Result<crate::strategies::Arena> {
        let mut phases = Vec::new();
        let subjects = self.prepare_subjects(&mut phases).await?;
        let mut snapshot = self.live_snapshot();
        if !tables.is_empty() {
            snapshot.tables.retain(|t| {
                tables.contains(&t.short.as_str()) || tables.contains(&t.table.as_str())
            });
        }
        let client = self.db.connect().await?;
        crate::probe::install(&client).await?;
        let world = crate::checks::search::world(
            &client,
            &subjects,
            &snapshot,
            &self.tenant_map(),
            &self.scenario.tenancy.column,
            self.seed,
            if tables.is_empty() { 6 } else { tables.len() },
        )
        .await?;
        Ok(crate::strategies::Arena {
            world: std::sync::Arc::new(world),
            client: std::sync::Arc::new(client),
        })
    }

    /// Every known tenant group and its tenant value: the migrated ones
    /// (after [`Harness::check`]'s integrity pass) and the `[after]` ones.
    fn tenant_map(&self) -> BTreeMap<String, String> {
        let mut tenant_of = self
            .integrity
            .as_ref()
            .map(|i| i.tenant_of_group.clone())
            .unwrap_or_default();
        for t in self.after_tenants() {
            tenant_of.insert(seed::after_group(t), t.clone());
        }
        tenant_of
    }

    /// Runs [`Harness::check`] and panics with the report if anything failed.
    pub async fn assert_isolated(&mut self) -> Report {
        match self.check().await {
            Ok(report) if report.passed() => report,
            Ok(report) => panic!("tenant-harness found problems:\n{}", report.human()),
            Err(e) => panic!("tenant-harness could not check (seed {}): {e}", self.seed),
        }
    }

    /// Removes everything the run provisioned (also done on drop).
    pub fn close(self) {}

    /// What a template stores about this harness's data.
    pub(crate) fn template_state(&self) -> TemplateState {
        TemplateState {
            seed: self.seed,
            snapshot: self.snapshot.clone(),
            users: self.users.clone(),
            seeding: self.seeding.clone(),
            migrations: self.migrations.clone(),
            phases: self.phases.clone(),
            server_version: self.server_version.clone(),
        }
    }

    /// The database alone, every connection of the harness closing.
    pub(crate) fn into_template(self) -> Database {
        self.db
    }

    /// A harness on `db`, a copy of a template whose state is `state`.
    pub(crate) async fn from_template(
        builder: HarnessBuilder,
        db: Database,
        state: TemplateState,
    ) -> Result<Harness> {
        let admin = db.connect().await?;
        let keys = match builder
            .jwt_secret
            .or_else(|| builder.scenario.jwt_secret.clone())
        {
            Some(s) => JwtKeys::new(s),
            None => JwtKeys::random(),
        };
        Ok(Harness {
            progress: builder.progress,
            statement_timeout: builder.statement_timeout,
            search: builder.search,
            scenario: builder.scenario,
            admin,
            seed: state.seed,
            users: state.users,
            snapshot: state.snapshot,
            keys,
            phases: state.phases,
            seeding: state.seeding,
            migrations: state.migrations,
            server_version: state.server_version,
            integrity: None,
            after: None,
            rollback_db: None,
            baseline: None,
            db,
        })
    }

    /// The load benchmark: the scenario's `[[workload]]` before and after
    /// the migration, interleaved, with plans read and thresholds judged;
    /// with `online`, also the migration applied again, on a fresh copy of
    /// the seeded data, while the pre-migration workload runs. Needs a
    /// harness started with [`HarnessBuilder::benchmark`].
    pub async fn bench(
        &mut self,
        settings: bench::settings::Settings,
        online: Option<bench::online::Settings>,
    ) -> Result<bench::LoadReport> {
        self.integrity().await?;
        let Some(baseline) = &self.baseline else {
            return Err(Error::env(
                "this harness kept no copy of the data from before the migration",
                "start it with Harness::builder(..).benchmark(None)",
            ));
        };
        let tenant_of = self.tenant_map();
        let actors = bench::targets::actors(&self.identities(&tenant_of)).await?;
        let pools = bench::targets::id_pools(&self.admin, &self.scenario, &actors).await?;
        let rows = self.seeding.total_rows;
        let mut report = bench::load::run(bench::load::Input {
            scenario: &self.scenario,
            before: baseline,
            after: &self.db,
            actors: actors.clone(),
            settings,
            rows,
            pools: &pools,
            progress: &self.progress,
        })
        .await?;
        self.progress.done();
        if let Some(o) = online {
            self.progress
                .status("online: applying the migration under the pre-migration load");
            let copy = baseline.fork("online").await?;
            report.online = Some(
                bench::online::on_copy(&copy, &self.scenario, &actors, &pools, &o, self.seed)
                    .await?,
            );
        }
        Ok(report)
    }
}
