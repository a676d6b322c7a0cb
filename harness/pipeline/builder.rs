//! Configuring a run ([`HarnessBuilder`]) and the first half of the
//! pipeline: provision → Supabase objects → before.sql → seed → snapshot →
//! migrations, which [`HarnessBuilder::start`] runs.

use super::env;
use super::Harness;
use crate::checks::{audit, SearchSettings};
use crate::error::{Error, Result};
use crate::impersonate::JwtKeys;
use crate::migrate;
use crate::progress::Progress;
use crate::provision::{self, Backend, Database, Options};
use crate::report::{Phase, SeedSummary};
use crate::scenario::Scenario;
use crate::{seed, supabase};
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// Configures a run; [`HarnessBuilder::start`] provisions and migrates.
#[derive(Debug, Clone)]
pub struct HarnessBuilder {
    pub(super) scenario: Scenario,
    pub(super) options: Options,
    pub(super) seed: Option<u64>,
    pub(super) jwt_secret: Option<String>,
    pub(super) search: SearchSettings,
    pub(super) benchmark: bool,
    pub(super) migrate: bool,
    /// Whether `start` keeps a copy of the migrated database for the rollback proof.
    pub(crate) rollback_copy: bool,
    pub(super) progress: Progress,
    /// How long one statement of a SQL file may run.
    pub(super) statement_timeout: Duration,
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

    /// Local backend: where the data directory goes (a test that checks for
    /// leftovers gives a directory of its own).
    pub fn data_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.options.data_dir = Some(dir.into());
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

    /// How long one statement of before.sql, the migrations and the other
    /// SQL files may run (default [`migrate::DEFAULT_STATEMENT_TIMEOUT`]); a
    /// migration statement past it is a finding naming it.
    pub fn statement_timeout(mut self, timeout: Duration) -> Self {
        self.statement_timeout = timeout;
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
        let timeout = self.statement_timeout;
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
        migrate::apply(&admin, &scenario.before, false, timeout).await?;
        lap("before.sql", &mut phases);
        progress.step(format!("seeding (seed {seed})"));
        let (users, outcome) = seed::run(db.config(), &scenario, seed).await?;
        if let Some(sql) = &scenario.seed_sql {
            migrate::apply(&admin, sql, false, timeout).await?;
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
            migrations.push(migrate::apply(&admin, file, true, timeout).await?);
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
            statement_timeout: timeout,
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
