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
//! snapshot → migrations (in `start`), then integrity → isolation → report
//! (in `check`).

use crate::error::{Error, Result};
use crate::finding::Finding;
use crate::impersonate::{anon_claims, user_claims, Actor, JwtKeys};
use crate::integrity::{Integrity, Snapshot};
use crate::isolation::{self, Subject};
use crate::migrate::{self, FileRun};
use crate::provision::{self, Backend, Database, Options};
use crate::report::{Phase, Report, SeedSummary};
use crate::scenario::{Identity, Scenario};
use crate::seed::SeededUser;
use crate::{integrity, seed, supabase};
use std::path::{Path, PathBuf};
use std::time::Instant;
use tokio_postgres::Client;

/// Environment variables the builder reads, so that `cargo test` can be
/// steered without code changes (the CLI's flags set the same things).
pub mod env {
    /// `--backend`: auto, docker, local or url.
    pub const BACKEND: &str = "TENANT_HARNESS_BACKEND";
    /// `--image`: the docker backend's image.
    pub const IMAGE: &str = "TENANT_HARNESS_IMAGE";
    /// `--pg-bin`: where initdb and postgres are.
    pub const PG_BIN: &str = "TENANT_HARNESS_PG_BIN";
    /// `--database-url`: the url backend's server.
    pub const DATABASE_URL: &str = "DATABASE_URL";
    /// `--seed`: replays a run's data.
    pub const SEED: &str = "TENANT_HARNESS_SEED";
    /// The HS256 secret tokens are signed with.
    pub const JWT_SECRET: &str = "TENANT_HARNESS_JWT_SECRET";
    /// Set to 1 to never pull images (air-gapped machines).
    pub const NO_PULL: &str = "TENANT_HARNESS_NO_PULL";
}

/// Configures a run; [`HarnessBuilder::start`] provisions and migrates.
#[derive(Debug, Clone)]
pub struct HarnessBuilder {
    scenario: Scenario,
    options: Options,
    seed: Option<u64>,
    jwt_secret: Option<String>,
}

impl HarnessBuilder {
    /// Which backend provisions PostgreSQL.
    pub fn backend(mut self, backend: Backend) -> Self {
        self.options.backend = backend;
        self
    }

    /// Image for the docker backend.
    pub fn image(mut self, image: impl Into<String>) -> Self {
        self.options.image = image.into();
        self
    }

    /// Directory with `initdb` and `postgres` for the local backend.
    pub fn pg_bin(mut self, dir: impl Into<PathBuf>) -> Self {
        self.options.pg_bin = Some(dir.into());
        self
    }

    /// Server URL for the url backend.
    pub fn database_url(mut self, url: impl Into<String>) -> Self {
        self.options.database_url = Some(url.into());
        self
    }

    /// Docker backend: whether a missing image may be pulled.
    pub fn pull(mut self, pull: bool) -> Self {
        self.options.pull = pull;
        self
    }

    /// Url backend: keep the run's database.
    pub fn keep(mut self, keep: bool) -> Self {
        self.options.keep = keep;
        self
    }

    /// Overrides the scenario's seed (to replay a run).
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = Some(seed);
        self
    }

    /// The HS256 secret tokens are signed with.
    pub fn jwt_secret(mut self, secret: impl Into<String>) -> Self {
        self.jwt_secret = Some(secret.into());
        self
    }

    /// Appends a migration file after the scenario's own (a variant under test).
    pub fn migration(mut self, name: &str, sql: &str) -> Self {
        self.scenario = self.scenario.with_migration(name, sql);
        self
    }

    /// The scenario as loaded.
    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    /// Provisions PostgreSQL, loads the schema, seeds, snapshots and runs the migrations.
    pub async fn start(self) -> Result<Harness> {
        let seed = self.seed.unwrap_or(self.scenario.data.seed);
        let scenario = self.scenario;
        eprintln!(
            "tenant-harness: scenario {} with seed {seed} (replay: --seed {seed} or {}={seed})",
            scenario.name,
            env::SEED
        );
        let keys = match self.jwt_secret.or_else(|| scenario.jwt_secret.clone()) {
            Some(s) => JwtKeys::new(s),
            None => JwtKeys::random(),
        };
        let mut phases = Vec::new();
        let mut t = Instant::now();
        let mut lap = |name: &str, phases: &mut Vec<Phase>| {
            phases.push(Phase {
                name: name.into(),
                elapsed: t.elapsed(),
            });
            t = Instant::now();
        };

        let db = provision::provision(&self.options).await?;
        let admin = db.connect().await?;
        let server_version = db.server_version().await?;
        lap("provision", &mut phases);
        if scenario.supabase {
            supabase::install(&admin).await?;
            lap("supabase objects", &mut phases);
        }
        migrate::apply(&admin, &scenario.before, false).await?;
        lap("before.sql", &mut phases);
        let (users, outcome) = seed::run(&admin, &scenario, seed).await?;
        let seeding = SeedSummary {
            total_rows: outcome.total_rows(),
            rows_per_second: outcome.total_rows() as f64 / outcome.elapsed.as_secs_f64().max(1e-9),
            tables: outcome.tables.clone(),
        };
        lap("seed", &mut phases);
        admin
            .batch_execute("ANALYZE")
            .await
            .map_err(Error::db("ANALYZE after seeding"))?;
        let snapshot = integrity::snapshot(&admin, &scenario).await?;
        lap("snapshot", &mut phases);
        let mut migrations = Vec::new();
        for file in &scenario.migrations {
            migrations.push(migrate::apply(&admin, file, true).await?);
        }
        lap("migrations", &mut phases);
        Ok(Harness {
            scenario,
            db,
            admin,
            seed,
            users,
            snapshot,
            keys,
            phases,
            seeding,
            migrations,
            server_version,
            integrity: None,
        })
    }
}

/// A provisioned, seeded and migrated database, ready to be checked.
/// Dropping it removes everything it provisioned.
pub struct Harness {
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
    // Last: dropped after the connections above.
    db: Database,
}

impl Harness {
    /// A builder for the scenario folder `dir`, with options from the environment
    /// (`TENANT_HARNESS_BACKEND`, `TENANT_HARNESS_IMAGE`, `DATABASE_URL`, …).
    pub fn builder(dir: impl AsRef<Path>) -> Result<HarnessBuilder> {
        Ok(Harness::for_scenario(Scenario::load(dir)?))
    }

    /// A builder for an already loaded scenario, with options from the environment.
    pub fn for_scenario(scenario: Scenario) -> HarnessBuilder {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        let mut options = Options::default();
        if let Some(b) = var(env::BACKEND) {
            options.backend =
                <Backend as clap::ValueEnum>::from_str(&b, true).unwrap_or(Backend::Auto);
        }
        if let Some(i) = var(env::IMAGE) {
            options.image = i;
        }
        options.pg_bin = var(env::PG_BIN).map(PathBuf::from);
        options.database_url = var(env::DATABASE_URL);
        options.pull = var(env::NO_PULL).is_none_or(|v| v == "0");
        HarnessBuilder {
            scenario,
            options,
            seed: var(env::SEED).and_then(|s| s.parse().ok()),
            jwt_secret: var(env::JWT_SECRET),
        }
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

    /// A superuser connection to the run's database (for setup, never for checks).
    pub fn admin(&self) -> &Client {
        &self.admin
    }

    /// The seed the data was generated from.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// A handle that queries as `user`, with a real token, through RLS.
    pub async fn actor(&self, user: &SeededUser) -> Result<Actor> {
        let client = self.db.connect().await?;
        let role = self.scenario.identity.role().to_string();
        let tenant = || async {
            let integrity = match &self.integrity {
                Some(i) => i.tenant_of_group.get(&user.group).cloned(),
                None => integrity::verify(&self.admin, &self.scenario, &self.snapshot, &self.users)
                    .await?
                    .tenant_of_group
                    .get(&user.group)
                    .cloned(),
            };
            Ok::<_, Error>(integrity.unwrap_or_default())
        };
        // The tenant claim or setting carries the tenant the oracle says the user's group has.
        let extra = match &self.scenario.identity {
            Identity::JwtSub { .. } => None,
            Identity::JwtClaim { claim, .. } => Some((claim.as_str(), tenant().await?)),
            Identity::Setting { setting, .. } => {
                return Ok(Actor::from_setting(
                    client,
                    &role,
                    setting,
                    &tenant().await?,
                    &user.email,
                ));
            }
        };
        let claims = user_claims(
            &user.id,
            &user.email,
            &role,
            extra.as_ref().map(|(k, v)| (*k, v.as_str())),
        );
        let token = self.keys.mint(&claims)?;
        Actor::from_token(
            client,
            &self.keys,
            &token,
            &self.scenario.identity,
            &user.email,
        )
    }

    /// A handle that queries with the anon key, if the identity model has one.
    pub async fn anon(&self) -> Result<Option<Actor>> {
        let Some(role) = self.scenario.identity.anon_role() else {
            return Ok(None);
        };
        let client = self.db.connect().await?;
        let token = self.keys.mint(&anon_claims(role))?;
        Actor::from_token(client, &self.keys, &token, &self.scenario.identity, "anon").map(Some)
    }

    /// Runs the integrity and isolation checks and returns the report.
    pub async fn check(&mut self) -> Result<Report> {
        let mut phases = self.phases.clone();
        let t = Instant::now();
        let integrity =
            integrity::verify(&self.admin, &self.scenario, &self.snapshot, &self.users).await?;
        phases.push(Phase {
            name: "integrity".into(),
            elapsed: t.elapsed(),
        });
        let mut findings: Vec<Finding> = integrity.findings.clone();
        self.integrity = Some(integrity);

        let t = Instant::now();
        let mut subjects = Vec::new();
        for user in
            isolation::sample_users(&self.users, self.scenario.checks.isolation_users, self.seed)
        {
            subjects.push(Subject {
                user: Some(user),
                actor: self.actor(user).await?,
            });
        }
        if let Some(anon) = self.anon().await? {
            subjects.push(Subject {
                user: None,
                actor: anon,
            });
        }
        let integrity = self.integrity.as_ref().expect("set above");
        let (iso_findings, coverage) =
            isolation::check(&subjects, &self.snapshot, integrity).await?;
        findings.extend(iso_findings);
        phases.push(Phase {
            name: "isolation".into(),
            elapsed: t.elapsed(),
        });

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
            phases,
            seeding: Some(self.seeding.clone()),
            migrations: self.migrations.clone(),
            integrity: integrity.tables.clone(),
            isolation: coverage,
            verdict: if findings.is_empty() { "pass" } else { "fail" }.into(),
            findings,
        })
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
}
