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

use crate::checks::integrity::Integrity;
use crate::checks::isolation::Coverage;
use crate::checks::isolation::{self, Subject};
use crate::checks::CheckId;
use crate::checks::Finding;
use crate::checks::{audit, integrity, verify};
use crate::error::{Error, Result};
use crate::impersonate::{anon_claims, user_claims, Actor, JwtKeys};
use crate::migrate::{self, FileRun};
use crate::progress::Progress;
use crate::provision::{self, Backend, Database, Options};
use crate::report::Part;
use crate::report::{AfterSummary, Phase, Report, RollbackReport, SeedSummary};
use crate::scenario::{Identity, Scenario};
use crate::seed::SeededUser;
use crate::snapshot::Snapshot;
use crate::{bench, seed, supabase};
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
    /// `--replay`: the leak search's seed.
    pub const REPLAY: &str = "TENANT_HARNESS_REPLAY";
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
    search: SearchSettings,
    benchmark: bool,
    migrate: bool,
    /// Whether `start` keeps a copy of the migrated database for the rollback proof.
    pub(crate) rollback_copy: bool,
    progress: Progress,
}

/// Which checks [`Harness::check_parts`] runs.
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
}

/// How the property-based leak search runs.
#[derive(Debug, Clone)]
struct SearchSettings {
    cases: u32,
    replay: Option<u64>,
    persist: Option<PathBuf>,
}

impl HarnessBuilder {
    /// All provisioning options at once (what the CLI's flags set).
    pub fn options(mut self, options: Options) -> Self {
        self.options = options;
        self
    }

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

    /// Cases of the property-based leak search (0 turns it off).
    pub fn search_cases(mut self, cases: u32) -> Self {
        self.search.cases = cases;
        self
    }

    /// Seed of the leak search (to replay a failure it printed).
    pub fn replay(mut self, seed: u64) -> Self {
        self.search.replay = Some(seed);
        self
    }

    /// Prepares a load benchmark instead of the checks: the data is scaled
    /// to `[bench] rows` (or `rows`), and a copy of the seeded database is
    /// kept from before the migration so [`Harness::bench`] can run both
    /// forms of the workload side by side. The rollback copy is skipped.
    pub fn benchmark(mut self, rows: Option<u64>) -> Self {
        self.benchmark = true;
        if let Some(rows) = rows.or(self.scenario.bench.rows) {
            self.scenario = crate::bench::scaled(&self.scenario, rows);
        }
        self
    }

    /// Scales the scenario's data to about `rows` rows over all tables.
    pub fn rows(mut self, rows: u64) -> Self {
        self.scenario = crate::bench::scaled(&self.scenario, rows);
        self
    }

    /// Whether [`HarnessBuilder::start`] runs the migrations (on by
    /// default; off gives a seeded pre-migration database, `tenant-harness seed`).
    pub fn migrate(mut self, migrate: bool) -> Self {
        self.migrate = migrate;
        self
    }

    /// File where the leak search persists failing cases (proptest regressions)
    /// and from which it replays them first.
    pub fn persist_failures(mut self, path: impl Into<PathBuf>) -> Self {
        self.search.persist = Some(path.into());
        self
    }

    /// Where the run reports its steps ([`Progress::hidden`] unless set:
    /// the CLI passes [`Progress::auto`]).
    pub fn progress(mut self, progress: Progress) -> Self {
        self.progress = progress;
        self
    }

    /// The HS256 secret tokens are signed with.
    pub fn jwt_secret(mut self, secret: impl Into<String>) -> Self {
        self.jwt_secret = Some(secret.into());
        self
    }

    /// Replaces the scenario's rollback script (a variant under test).
    pub fn rollback(mut self, sql: &str) -> Self {
        let path = self.scenario.dir.join("rollback.sql");
        self.scenario.rollback = Some(crate::scenario::SqlFile {
            path,
            sql: sql.to_string(),
        });
        self
    }

    /// Appends a migration file after the scenario's own (a variant under test).
    pub fn migration(mut self, name: &str, sql: &str) -> Self {
        self.scenario = self.scenario.with_migration(name, sql);
        self
    }

    /// Leaves out one of the scenario's migration files (a variant under test).
    pub fn without_migration(mut self, name: &str) -> Self {
        self.scenario = self.scenario.without_migration(name);
        self
    }

    /// Adds one of the application's tenant-parameterised queries (`$1` is
    /// the tenant) to those the scenario lists.
    pub fn query(mut self, name: &str, table: &str, sql: &str) -> Self {
        self.scenario.queries.push(crate::scenario::QuerySpec {
            name: name.into(),
            table: table.into(),
            sql: sql.into(),
            key: None,
        });
        self
    }

    /// The scenario as loaded.
    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    /// The seed the data will be generated from.
    pub(crate) fn effective_seed(&self) -> u64 {
        self.seed.unwrap_or(self.scenario.data.seed)
    }

    /// Where PostgreSQL will come from.
    pub(crate) fn provision_options(&self) -> &Options {
        &self.options
    }

    /// Provisions PostgreSQL, loads the schema, seeds, snapshots and runs the migrations.
    pub async fn start(self) -> Result<Harness> {
        audit::validate_accepts(&self.scenario)?;
        let t = Instant::now();
        self.progress.scenario_step(
            &self.scenario.name,
            format!("provisioning ({})", self.options.backend),
        );
        let db = provision::provision(&self.options).await?;
        self.start_on(db, t).await
    }

    /// [`HarnessBuilder::start`] on a database already provisioned at `t`.
    pub(crate) async fn start_on(self, db: Database, t: Instant) -> Result<Harness> {
        audit::validate_accepts(&self.scenario)?;
        let seed = self.seed.unwrap_or(self.scenario.data.seed);
        let scenario = self.scenario;
        let progress = self.progress;
        progress.note(format!(
            "tenant-harness: scenario {} with seed {seed} (replay: --seed {seed} or {}={seed})",
            scenario.name,
            env::SEED
        ));
        let keys = match self.jwt_secret.or_else(|| scenario.jwt_secret.clone()) {
            Some(s) => JwtKeys::new(s),
            None => JwtKeys::random(),
        };
        let mut phases = Vec::new();
        let mut t = t;
        let mut lap = |name: &str, phases: &mut Vec<Phase>| {
            phases.push(Phase {
                name: name.into(),
                elapsed: t.elapsed(),
            });
            t = Instant::now();
        };

        let admin = db.connect().await?;
        let server_version = db.server_version().await?;
        lap("provision", &mut phases);
        progress.scenario_step(&scenario.name, "loading the pre-migration schema");
        if scenario.supabase {
            supabase::install(&admin).await?;
            lap("supabase objects", &mut phases);
        }
        migrate::apply(&admin, &scenario.before, false).await?;
        lap("before.sql", &mut phases);
        progress.step(format!("seeding (seed {seed})"));
        let (users, outcome) = seed::run(db.config(), &scenario, seed).await?;
        if let Some(sql) = &scenario.seed_sql {
            migrate::apply(&admin, sql, false).await?;
        }
        let seeding = SeedSummary::from(&outcome);
        lap("seed", &mut phases);
        admin
            .batch_execute("ANALYZE")
            .await
            .map_err(Error::db("ANALYZE after seeding"))?;
        let snapshot = crate::snapshot::snapshot(&admin, &scenario, &users).await?;
        lap("snapshot", &mut phases);
        // The benchmark's pre-migration side: a copy taken now (nothing may be connected meanwhile).
        let (admin, baseline) = if self.benchmark {
            drop(admin);
            let copy = db.fork("baseline").await?;
            lap("copy for the benchmark", &mut phases);
            (db.connect().await?, Some(copy))
        } else {
            (admin, None)
        };
        let mut migrations = Vec::new();
        let to_run = if self.migrate {
            &scenario.migrations[..]
        } else {
            &[]
        };
        for (i, file) in to_run.iter().enumerate() {
            progress.step(format!(
                "migrating {}/{}: {}",
                i + 1,
                scenario.migrations.len(),
                file.name()
            ));
            migrations.push(migrate::apply(&admin, file, true).await?);
        }
        lap("migrations", &mut phases);
        // The rollback is proved on a copy, so the checks keep the migrated state.
        let (admin, rollback_db) =
            if scenario.rollback.is_some() && !self.benchmark && self.migrate && self.rollback_copy
            {
                drop(admin);
                let fork = db.fork("rollback").await?;
                lap("copy for rollback", &mut phases);
                (db.connect().await?, Some(fork))
            } else {
                (admin, None)
            };
        Ok(Harness {
            progress,
            search: self.search,
            baseline,
            rollback_db,
            after: None,
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
            options,
            seed: var(env::SEED).and_then(|s| s.parse().ok()),
            jwt_secret: var(env::JWT_SECRET),
            search: SearchSettings {
                cases: scenario.checks.search_cases,
                replay: var(env::REPLAY).and_then(|s| s.parse().ok()),
                persist: None,
            },
            benchmark: false,
            migrate: true,
            rollback_copy: true,
            progress: Progress::hidden(),
            scenario,
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

    /// The tenant value the oracle assigns to `group` (after [`Harness::check`]
    /// or by reading the migrated data now).
    async fn tenant_of(&self, group: &str) -> Result<String> {
        if let Some(t) = self
            .after
            .as_ref()
            .and_then(|a| a.tenants.iter().find(|t| seed::after_group(t) == group))
        {
            return Ok(t.clone());
        }
        let found = match &self.integrity {
            Some(i) => i.tenant_of_group.get(group).cloned(),
            None => integrity::verify(&self.admin, &self.scenario, &self.snapshot, &self.users)
                .await?
                .tenant_of_group
                .get(group)
                .cloned(),
        };
        Ok(found.unwrap_or_default())
    }

    /// A handle that queries as `user`, with a real token, through RLS.
    pub async fn actor(&self, user: &SeededUser) -> Result<Actor> {
        let Some(role) = self.scenario.identity.role().map(str::to_string) else {
            return Err(Error::Impersonation(
                "identity.via = \"app\": the database has no per-user identity to act as".into(),
            ));
        };
        let client = self.db.connect().await?;
        // The tenant claim or setting carries the tenant the oracle says the user's group has.
        let extra = match &self.scenario.identity {
            Identity::JwtSub { .. } | Identity::App => None,
            Identity::JwtClaim { claim, .. } => {
                Some((claim.as_str(), self.tenant_of(&user.group).await?))
            }
            Identity::Setting { setting, .. } => {
                return Ok(Actor::from_setting(
                    client,
                    &role,
                    setting,
                    &self.tenant_of(&user.group).await?,
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

    /// `user` signed in with a token whose user-editable `user_metadata`
    /// names `tenant`, another tenant's value (JWT identity models only).
    pub async fn actor_with_forged_metadata(
        &self,
        user: &SeededUser,
        tenant: &str,
    ) -> Result<Option<Actor>> {
        let (Some(role), Identity::JwtSub { .. }) =
            (self.scenario.identity.role(), &self.scenario.identity)
        else {
            return Ok(None);
        };
        let client = self.db.connect().await?;
        let claims = crate::impersonate::with_forged_metadata(
            user_claims(&user.id, &user.email, role, None),
            tenant,
        );
        let token = self.keys.mint(&claims)?;
        let label = format!("{} (user_metadata names tenant {tenant})", user.email);
        Actor::from_token(client, &self.keys, &token, &self.scenario.identity, label).map(Some)
    }

    /// A handle for tenant `value` in the session-setting identity model.
    pub async fn tenant_actor(&self, value: &str) -> Result<Option<Actor>> {
        let Identity::Setting { setting, role } = &self.scenario.identity else {
            return Ok(None);
        };
        let client = self.db.connect().await?;
        Ok(Some(Actor::from_setting(
            client,
            role,
            setting,
            value,
            format!("tenant {value}"),
        )))
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
        let outcome = seed::run_after(self.db.config(), &self.scenario, self.seed, &tenants)
            .await?
            .unwrap_or_default();
        if let Some(sql) = &self.scenario.after_sql {
            migrate::apply(&self.admin, sql, false).await?;
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

    /// The tenant groups the checks cover: those of the sampled users, the
    /// pre-existing tenant of a single-tenant scenario, and the `[after]` tenants.
    fn checked_groups(&self) -> Vec<String> {
        let sample =
            isolation::sample_users(&self.users, self.scenario.checks.isolation_users, self.seed);
        let mut groups: Vec<String> = Vec::new();
        let single = matches!(
            self.scenario.tenancy.grouping,
            crate::scenario::Grouping::Single { .. }
        );
        let candidates = sample
            .iter()
            .map(|u| u.group.clone())
            .chain(single.then(|| seed::group_of(&self.scenario.tenancy.grouping, "")))
            .chain(
                self.after
                    .iter()
                    .flat_map(|a| a.tenants.iter().map(|t| seed::after_group(t))),
            );
        for g in candidates {
            if !groups.contains(&g) {
                groups.push(g);
            }
        }
        groups
    }

    /// Who the isolation check impersonates: a spread of users (or, in the
    /// session-setting model, one identity per tenant), the `[after]`
    /// tenants, and anon.
    async fn subjects(&self) -> Result<Vec<Subject>> {
        let mut subjects = Vec::new();
        if self.scenario.identity == Identity::App {
            return Ok(subjects);
        }
        let sample =
            isolation::sample_users(&self.users, self.scenario.checks.isolation_users, self.seed);
        if let Identity::Setting { .. } = self.scenario.identity {
            for g in self.checked_groups() {
                let tenant = self.tenant_of(&g).await?;
                let actor = self.tenant_actor(&tenant).await?.expect("setting identity");
                subjects.push(Subject {
                    group: Some(g),
                    actor,
                    user: None,
                });
            }
        } else {
            for user in &sample {
                subjects.push(Subject {
                    group: Some(user.group.clone()),
                    actor: self.actor(user).await?,
                    user: Some(user.id),
                });
            }
        }
        // A user whose self-editable user_metadata names another tenant must still see only their own.
        if let Some(user) = sample.first() {
            let other = self.checked_groups().into_iter().find(|g| *g != user.group);
            if let Some(other) = other {
                let tenant = self.tenant_of(&other).await?;
                if let Some(actor) = self.actor_with_forged_metadata(user, &tenant).await? {
                    subjects.push(Subject {
                        group: Some(user.group.clone()),
                        actor,
                        user: Some(user.id),
                    });
                }
            }
        }
        // A signed-in user the migration gave no tenant (a fresh sign-up): must see nothing.
        if let (Some(role), Identity::JwtSub { .. } | Identity::JwtClaim { .. }) =
            (self.scenario.identity.role(), &self.scenario.identity)
        {
            let id = uuid::Uuid::from_u64_pair(self.seed, u64::MAX);
            let token = self.keys.mint(&user_claims(
                &id,
                "no-tenant@tenant-harness.invalid",
                role,
                None,
            ))?;
            subjects.push(Subject {
                group: None,
                actor: Actor::from_token(
                    self.db.connect().await?,
                    &self.keys,
                    &token,
                    &self.scenario.identity,
                    "a signed-in user with no tenant",
                )?,
                user: None,
            });
        }
        if let Some(anon) = self.anon().await? {
            subjects.push(Subject {
                group: None,
                actor: anon,
                user: None,
            });
        }
        Ok(subjects)
    }

    /// Tokens that must be rejected before reaching the database, as
    /// PostgREST rejects them: a bad signature and an expired one. Returns
    /// the findings (a token that passed) and the labels of those rejected.
    fn check_rejected_tokens(&self) -> Result<(Vec<Finding>, Vec<String>)> {
        let Some(role) = self.scenario.identity.role() else {
            return Ok((Vec::new(), Vec::new()));
        };
        let id = uuid::Uuid::from_u64_pair(self.seed, 1);
        let claims = user_claims(&id, "probe@tenant-harness.invalid", role, None);
        let mut expired = claims.clone();
        expired["exp"] = serde_json::json!(chrono::Utc::now().timestamp() - 60);
        let cases = [
            (
                "a token with a bad signature",
                JwtKeys::random().mint(&claims)?,
            ),
            ("an expired token", self.keys.mint(&expired)?),
        ];
        let mut findings = Vec::new();
        let mut rejected = Vec::new();
        for (label, token) in cases {
            match self.keys.verify(&token) {
                Err(_) => rejected.push(label.to_string()),
                Ok(_) => findings.push(Finding::new(
                    CheckId::IdentityTokenAccepted,
                    format!(
                        "{label} was accepted; it must be rejected before reaching the database"
                    ),
                )),
            }
        }
        Ok((findings, rejected))
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
        let mut ran = Vec::new();
        let mut findings: Vec<Finding> = Vec::new();
        let mut undecided: Vec<Finding> = Vec::new();
        let lap = |name: &str, t: Instant, phases: &mut Vec<Phase>| {
            phases.push(Phase {
                name: name.into(),
                elapsed: t.elapsed(),
            });
        };
        // Integrity always runs: the isolation oracle needs its tenant mapping.
        let t = Instant::now();
        self.progress.step("integrity");
        let integrity =
            integrity::verify(&self.admin, &self.scenario, &self.snapshot, &self.users).await?;
        let mut verify = Vec::new();
        if parts.integrity {
            findings.extend(integrity.findings.clone());
            let (results, verify_findings) =
                verify::run(&self.admin, &self.scenario.verify).await?;
            verify = results;
            findings.extend(verify_findings);
            ran.push(Part::Integrity);
            lap("integrity", t, &mut phases);
        }
        self.integrity = Some(integrity);

        let mut coverage = Coverage::default();
        let mut writes = crate::checks::writes::WriteCoverage::default();
        let mut search = None;
        if parts.isolation || parts.writes || parts.search {
            let subjects = self.prepare_subjects(&mut phases).await?;
            if parts.isolation {
                let t = Instant::now();
                self.progress.step("isolation");
                findings.extend(self.check_isolation(&subjects, &mut coverage).await?);
                ran.push(Part::Isolation);
                lap("isolation", t, &mut phases);
            }
            if parts.writes {
                let t = Instant::now();
                self.progress.step("writes");
                let (write_findings, w) = self.check_writes(&subjects).await?;
                writes = w;
                findings.extend(write_findings);
                let (path_findings, view_pairs) =
                    crate::checks::paths::check(&self.admin, &subjects).await?;
                findings.extend(path_findings);
                writes.views_checked = view_pairs;
                ran.push(Part::Writes);
                lap("writes", t, &mut phases);
            }
            if parts.search {
                let t = Instant::now();
                self.progress.step("leak search");
                search = self.search_leaks(&subjects).await?;
                if let Some((f, s)) = search.as_ref().and_then(|s| Some((s.failure.as_ref()?, s))) {
                    findings.push(
                        Finding::new(
                            CheckId::SearchDivergence,
                            format!(
                                "{} (shrunk; replay: tenant-harness run {} --seed {} --replay {}). As psql, connected as a superuser to the run's database:\n{}",
                                f.reason,
                                self.scenario.dir.display(),
                                self.seed,
                                s.seed,
                                f.psql
                            ),
                        )
                        .table(&f.table),
                    );
                }
                if let Some(why) = search.as_ref().and_then(|s| s.nothing_to_judge.as_ref()) {
                    undecided.push(Finding::new(
                        CheckId::SearchNothingJudged,
                        format!("the leak search judged no case: {why}"),
                    ));
                }
                if search.is_some() {
                    ran.push(Part::Search);
                }
                lap("leak search", t, &mut phases);
            }
        }
        // The scenario's acceptances belong to the findings, whatever the
        // command: the catalog is read always, its own findings reported
        // only when the audit part runs (else just the acceptances used).
        let t = Instant::now();
        if parts.audit {
            self.progress.step("audit");
        }
        let mut audit = self.audit().await?;
        audit::mark_proven(&mut audit, &findings);
        let before = findings.len();
        findings = audit::absorb_accepted(&audit, findings);
        if parts.audit {
            findings.extend(audit::failing(&audit));
            ran.push(Part::Audit);
            lap("audit", t, &mut phases);
        } else {
            audit.retain(|a| a.accepted.is_some() && a.proven_by.is_some());
            if findings.len() == before {
                audit.clear();
            }
        }
        let mut rollback = None;
        if parts.rollback {
            self.progress.step("rollback");
            if let Some(rb) = self.prove_rollback().await? {
                phases.push(Phase {
                    name: "rollback".into(),
                    elapsed: rb.elapsed,
                });
                findings.extend(rb.proof.findings.clone());
                ran.push(Part::Rollback);
                rollback = Some(rb);
            }
        }
        self.progress.done();

        let integrity = self.integrity.as_ref().expect("set above");
        let tables = if parts.integrity {
            integrity.tables.clone()
        } else {
            Vec::new()
        };
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
            parts: ran,
            phases,
            seeding: Some(self.seeding.clone()),
            migrations: self.migrations.clone(),
            integrity: tables,
            tenants: integrity.tenants.clone(),
            verify,
            after: self.after.clone(),
            isolation: coverage,
            rollback,
            search,
            writes,
            audit,
            verdict: Report::verdict_of(&findings, &undecided).into(),
            findings,
            undecided,
        })
    }

    /// Writes the `[after]` tenants, builds the isolation oracle and returns
    /// who the checks impersonate (needs the integrity pass's tenant mapping).
    async fn prepare_subjects(&mut self, phases: &mut Vec<Phase>) -> Result<Vec<Subject>> {
        if self.integrity.is_none() {
            self.integrity = Some(
                integrity::verify(&self.admin, &self.scenario, &self.snapshot, &self.users).await?,
            );
        }
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
            &self.snapshot,
            &after_tenants,
            &roles,
        )
        .await?;
        self.subjects().await
    }

    /// The identities, tables and tenants of the migrated database for your
    /// own property tests ([`crate::strategies`]); `tables` limits the tables
    /// in play (empty: up to six of the scenario's).
    pub async fn arena(&mut self, tables: &[&str]) -> Result<crate::strategies::Arena> {
        let mut phases = Vec::new();
        let subjects = self.prepare_subjects(&mut phases).await?;
        let mut snapshot = self.snapshot.clone();
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

    /// The read side: every subject against every table, the rejected
    /// tokens, and the application's own tenant-parameterised queries.
    async fn check_isolation(
        &self,
        subjects: &[Subject],
        coverage: &mut Coverage,
    ) -> Result<Vec<Finding>> {
        let (mut findings, cov) = isolation::check(&self.admin, subjects, &self.snapshot).await?;
        *coverage = cov;
        let (token_findings, rejected) = self.check_rejected_tokens()?;
        findings.extend(token_findings);
        coverage.rejected_tokens = rejected;
        if self.scenario.identity.role().is_some() && self.scenario.supabase {
            coverage.exempt.push("service_role (BYPASSRLS)".into());
        }
        if !self.scenario.queries.is_empty() {
            let mut tenants: Vec<(String, String)> = Vec::new();
            for g in self.checked_groups() {
                let tenant = self.tenant_of(&g).await?;
                tenants.push((g, tenant));
            }
            findings.extend(
                isolation::check_queries(
                    &self.admin,
                    &self.scenario,
                    &self.snapshot,
                    &tenants,
                    coverage,
                )
                .await?,
            );
        }
        Ok(findings)
    }

    /// Runs the scenario's rollback script on a copy of the migrated
    /// database and proves every pre-existing row is back unchanged, with
    /// the pre-migration schema; reports what the rollback threw away.
    /// `None` when the scenario has no rollback.sql.
    pub async fn prove_rollback(&mut self) -> Result<Option<RollbackReport>> {
        let (Some(fork), Some(file)) = (&self.rollback_db, &self.scenario.rollback) else {
            return Ok(None);
        };
        let t = Instant::now();
        let c = fork.connect().await?;
        let added = integrity::added_objects(&c, &self.snapshot).await?;
        let run = migrate::apply(&c, file, true).await?;
        let proof = integrity::prove_rollback(&c, &self.snapshot, added).await?;
        Ok(Some(RollbackReport {
            run,
            proof,
            elapsed: t.elapsed(),
        }))
    }

    /// The write, side-channel and privilege probes for `subjects`: each
    /// aims at the next checked tenant that is not its own.
    async fn check_writes(
        &self,
        subjects: &[Subject],
    ) -> Result<(Vec<Finding>, crate::checks::writes::WriteCoverage)> {
        let tenant_of = self.tenant_map();
        let targets: Vec<crate::checks::writes::Target> = subjects
            .iter()
            .map(|s| crate::checks::writes::Target {
                subject: s,
                own_tenant: s
                    .group
                    .as_ref()
                    .map(|g| tenant_of.get(g).cloned().unwrap_or_default()),
            })
            .collect();
        crate::checks::writes::check(
            &self.admin,
            &targets,
            &self.snapshot,
            &self.scenario.tenancy.column,
            self.scenario.users.as_ref().map(|u| u.table.as_str()),
            &tenant_of,
            self.seed,
        )
        .await
    }

    /// Every known tenant group and its tenant value: the migrated ones
    /// (after [`Harness::check`]'s integrity pass) and the `[after]` ones.
    fn tenant_map(&self) -> std::collections::BTreeMap<String, String> {
        let mut tenant_of = self
            .integrity
            .as_ref()
            .map(|i| i.tenant_of_group.clone())
            .unwrap_or_default();
        for t in self.after.iter().flat_map(|a| &a.tenants) {
            tenant_of.insert(seed::after_group(t), t.clone());
        }
        tenant_of
    }

    /// The property-based leak search over `subjects` (`None` when turned off).
    async fn search_leaks(
        &self,
        subjects: &[Subject],
    ) -> Result<Option<crate::checks::search::SearchReport>> {
        if self.search.cases == 0 || subjects.is_empty() {
            return Ok(None);
        }
        let tenant_of = self.tenant_map();
        let seed = self.search.replay.unwrap_or(self.seed);
        self.progress.note(format!(
            "tenant-harness: leak search: {} cases, seed {seed} (replay: --replay {seed} or {}={seed})",
            self.search.cases,
            env::REPLAY
        ));
        let report = crate::checks::search::run(
            self.db.connect().await?,
            subjects,
            &self.snapshot,
            &tenant_of,
            &self.scenario.tenancy.column,
            &crate::checks::search::Options {
                cases: self.search.cases,
                seed,
                persist: self.search.persist.clone(),
                max_tables: 6,
            },
        )
        .await?;
        Ok(Some(report))
    }

    /// The catalog audit of the migrated database (no dynamic proof: see
    /// [`Harness::check`], which marks the findings its checks reproduce).
    pub async fn audit(&self) -> Result<Vec<audit::AuditFinding>> {
        let tables: Vec<String> = self
            .snapshot
            .tables
            .iter()
            .map(|t| t.table.clone())
            .collect();
        let api_roles: Vec<String> = [
            self.scenario.identity.role(),
            self.scenario.identity.anon_role(),
        ]
        .into_iter()
        .flatten()
        .map(str::to_string)
        .collect();
        audit::run(
            &self.admin,
            &audit::Context {
                tables: &tables,
                api_roles: &api_roles,
                tenant_column: &self.scenario.tenancy.column,
                accept: &self.scenario.audit_accept,
            },
        )
        .await
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
        let Some(baseline) = &self.baseline else {
            return Err(Error::env(
                "this harness kept no copy of the data from before the migration",
                "start it with Harness::builder(..).benchmark(None)",
            ));
        };
        if self.integrity.is_none() {
            self.integrity = Some(
                integrity::verify(&self.admin, &self.scenario, &self.snapshot, &self.users).await?,
            );
        }
        let actors = self.bench_actors().await?;
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

    /// Who the workload runs as: a sample of users (or one identity per
    /// tenant when identity is a session setting or the application's own filter).
    async fn bench_actors(&self) -> Result<Vec<bench::targets::Actor>> {
        let tenant_of = self.tenant_map();
        let mut actors = Vec::new();
        let n = self.scenario.bench.actors;
        match &self.scenario.identity {
            Identity::JwtSub { .. } | Identity::JwtClaim { .. } => {
                for user in isolation::sample_users(&self.users, n, self.seed) {
                    let actor = self.actor(user).await?;
                    actors.push(bench::targets::Actor {
                        label: actor.label.clone(),
                        user: Some(user.id.to_string()),
                        tenant: tenant_of.get(&user.group).cloned().unwrap_or_default(),
                        begin_after: crate::impersonate::begin_as(&actor.who()),
                        role: Some(actor.role().to_string()),
                    });
                }
            }
            Identity::Setting { .. } | Identity::App => {
                for g in self.checked_groups().into_iter().take(n) {
                    let tenant = tenant_of.get(&g).cloned().unwrap_or_default();
                    let actor = self.tenant_actor(&tenant).await?;
                    let user = self
                        .users
                        .iter()
                        .find(|u| u.group == g)
                        .map(|u| u.id.to_string());
                    actors.push(bench::targets::Actor {
                        label: format!("tenant {tenant}"),
                        user,
                        begin_after: actor.as_ref().map_or_else(
                            || "BEGIN".to_string(),
                            |a| crate::impersonate::begin_as(&a.who()),
                        ),
                        role: actor.as_ref().map(|a| a.role().to_string()),
                        tenant,
                    });
                }
            }
        }
        Ok(actors)
    }
}
