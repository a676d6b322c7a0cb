//! The `tenant-harness` command line: a thin layer over the library. It
//! turns flags (or their environment variables) into a [`HarnessBuilder`],
//! collects what each scenario came to into a [`Document`], hands that to
//! the reporters, and exits with the documented code: 0 pass, 1 findings,
//! 2 usage or a broken scenario, 3 environment, 130 interrupted.

use clap::builder::{PossibleValuesParser, TypedValueParser};
use clap::{Args, Parser, Subcommand};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use tenant_harness::progress::Progress;
use tenant_harness::provision::cleanup;
use tenant_harness::redact::Redactor;
use tenant_harness::reporter::{self, Document, Format, Outcome, RunError};
use tenant_harness::{env, exit, Backend, Harness, HarnessBuilder, Parts};

#[derive(Parser)]
#[command(
    name = "tenant-harness",
    version,
    about = "Isolation test harness and load benchmark for multi-tenant PostgreSQL migrations",
    long_about = "Isolation test harness and load benchmark for multi-tenant PostgreSQL migrations.\n\n\
        Each command provisions a throw-away PostgreSQL (docker, local binaries, or --database-url), \
        loads a scenario folder's pre-migration schema, seeds it, runs the migration under test and \
        judges it. Every option can also be set through the environment variable shown with it.",
    after_help = "Exit codes: 0 every check held; 1 a finding (a check failed, a query over its limit, \
        a migration statement failed); 2 usage error or a broken scenario; 3 environment (no PostgreSQL, \
        a file that cannot be written); 130 interrupted (everything provisioned was removed)."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Everything: integrity, isolation, write probes, leak search, audit and rollback, then the
    /// load benchmark when the scenario has a [[workload]].
    Run(RunArgs),
    /// Integrity and isolation only: rows kept, tenants assigned, every identity against every
    /// table, write probes and the leak search (no audit, rollback or benchmark).
    Check(CheckArgs),
    /// The catalog audit alone: the migrated schema read against the isolation bug catalog.
    Audit(AuditArgs),
    /// The load benchmark: the scenario's [[workload]] before and after the migration,
    /// interleaved; exit 1 when a query exceeds its limit. `bench seed` and `bench driver`
    /// measure the harness itself.
    Bench(Box<BenchArgs>),
    /// A seeded database to work with by hand: the pre-migration schema and data (and, with
    /// --migrated, the migration), its URL printed; --hold keeps it until Ctrl-C.
    Seed(SeedArgs),
    /// Scaffolds a scenario folder from a migrations folder (supabase/migrations or plain .sql
    /// files), asking only for what it cannot infer from the schema.
    Init(InitArgs),
}

/// Where PostgreSQL comes from; shared by every command that needs a server.
#[derive(Args, Clone)]
#[command(next_help_heading = "Server")]
struct ServerArgs {
    /// Where PostgreSQL comes from.
    #[arg(long, env = env::BACKEND, default_value = "auto", value_parser = PossibleValuesParser::new(Backend::NAMES).map(|s| s.parse::<Backend>().expect("a listed name")))]
    backend: Backend,
    /// Image for the docker backend.
    #[arg(long, env = env::IMAGE, default_value = tenant_harness::provision::DEFAULT_IMAGE)]
    image: String,
    /// Directory holding initdb and postgres (local backend).
    #[arg(long, env = env::PG_BIN)]
    pg_bin: Option<PathBuf>,
    /// Server for the url backend; the run creates and drops a database of its own there.
    #[arg(long, env = env::DATABASE_URL, hide_env_values = true)]
    database_url: Option<String>,
    /// Url backend: keep the run's database.
    #[arg(long, env = "TENANT_HARNESS_KEEP", value_parser = clap::builder::BoolishValueParser::new())]
    keep: bool,
    /// Docker backend: never pull a missing image (air-gapped machines).
    #[arg(long, env = env::NO_PULL, value_parser = clap::builder::BoolishValueParser::new())]
    no_pull: bool,
    /// Local backend: where the data directory goes (default /dev/shm when it has 2 GiB free, else TMPDIR).
    #[arg(long, env = env::DATA_DIR)]
    data_dir: Option<PathBuf>,
    /// Seconds one statement of before.sql, a migration or another SQL file may run (default 300);
    /// a migration statement past it is a finding naming it.
    #[arg(long, env = env::STATEMENT_TIMEOUT, value_parser = clap::value_parser!(u64).range(1..))]
    statement_timeout: Option<u64>,
}

impl ServerArgs {
    fn options(&self) -> tenant_harness::provision::Options {
        tenant_harness::provision::Options {
            backend: self.backend,
            image: self.image.clone(),
            pg_bin: self.pg_bin.clone(),
            database_url: self.database_url.clone(),
            keep: self.keep,
            pull: !self.no_pull,
            data_dir: self.data_dir.clone(),
        }
    }
}

/// How the report is written.
#[derive(Args, Clone)]
#[command(next_help_heading = "Report")]
struct OutputArgs {
    /// What stdout gets.
    #[arg(long, env = "TENANT_HARNESS_FORMAT", default_value = "human", value_parser = PossibleValuesParser::new(Format::NAMES).map(|s| s.parse::<Format>().expect("a listed name")))]
    format: Format,
    /// Also write every format into this folder: report.json, junit.xml, report.md, report.html.
    #[arg(long, env = "TENANT_HARNESS_OUT")]
    out: Option<PathBuf>,
    /// Also write the JSON report to this file.
    #[arg(long, env = "TENANT_HARNESS_JSON")]
    json: Option<PathBuf>,
    /// Colour in the human format: auto (when stdout is a terminal and NO_COLOR is unset), always, never.
    #[arg(long, env = "TENANT_HARNESS_COLOR", value_enum, default_value_t = Color::Auto)]
    color: Color,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Color {
    Auto,
    Always,
    Never,
}

/// Data and leak-search options shared by `run` and `check`.
#[derive(Args, Clone)]
#[command(next_help_heading = "Checks")]
struct CheckOptions {
    /// Seed for all generated data (default: the scenario's).
    #[arg(long, env = env::SEED)]
    seed: Option<u64>,
    /// Seed of the property-based leak search (a failure prints the one to replay).
    #[arg(long, env = env::REPLAY)]
    replay: Option<u64>,
    /// Cases of the leak search (default: the scenario's checks.search_cases, 256; 0 turns it off).
    #[arg(long, env = "TENANT_HARNESS_SEARCH_CASES")]
    search_cases: Option<u32>,
    /// Where the leak search persists failing cases and replays them first
    /// (default: leak-search.regressions in the scenario folder).
    #[arg(long, env = "TENANT_HARNESS_REGRESSIONS")]
    regressions: Option<PathBuf>,
}

#[derive(Args)]
struct RunArgs {
    #[command(flatten)]
    check: CheckArgs,
    /// Skip the load benchmark.
    #[arg(long, env = "TENANT_HARNESS_NO_BENCH", value_parser = clap::builder::BoolishValueParser::new())]
    no_bench: bool,
}

#[derive(Args)]
struct CheckArgs {
    /// Scenario folders (scenario.toml, before.sql, migrations/).
    #[arg(
        required = true,
        env = "TENANT_HARNESS_SCENARIOS",
        value_delimiter = ','
    )]
    scenarios: Vec<PathBuf>,
    #[command(flatten)]
    checks: CheckOptions,
    #[command(flatten)]
    server: ServerArgs,
    #[command(flatten)]
    output: OutputArgs,
}

#[derive(Args)]
struct AuditArgs {
    /// Scenario folders.
    #[arg(
        required = true,
        env = "TENANT_HARNESS_SCENARIOS",
        value_delimiter = ','
    )]
    scenarios: Vec<PathBuf>,
    /// Seed for all generated data (default: the scenario's).
    #[arg(long, env = env::SEED)]
    seed: Option<u64>,
    #[command(flatten)]
    server: ServerArgs,
    #[command(flatten)]
    output: OutputArgs,
}

#[derive(Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
struct BenchArgs {
    #[command(subcommand)]
    tool: Option<BenchTool>,
    #[command(flatten)]
    load: BenchLoadArgs,
}

#[derive(Subcommand)]
enum BenchTool {
    /// Seeder throughput against `pgbench -i` on the same server, and the harness's peak memory.
    Seed(BenchSeedArgs),
    /// The load driver against pgbench, and impersonated against plain requests.
    Driver(BenchDriverArgs),
    /// Time to a ready database per test from a seeded, migrated template (the library's
    /// `TestDatabases`); the goal is a median of 150 ms or less.
    Template(BenchTemplateArgs),
}

#[derive(Args)]
struct BenchLoadArgs {
    /// Scenario folders; several (e.g. a scenario and its rewritten-policy variant) share one report.
    #[arg(required = true)]
    scenarios: Vec<PathBuf>,
    /// Rows over all tables (default: the scenario's [bench] rows, else its own sizes).
    #[arg(long, env = "TENANT_HARNESS_BENCH_ROWS", value_parser = clap::value_parser!(u64).range(1..))]
    rows: Option<u64>,
    /// Seconds per measured slice (default: [bench] seconds).
    #[arg(long, env = "TENANT_HARNESS_BENCH_SECONDS", value_parser = positive_f64)]
    seconds: Option<f64>,
    /// Before/after pairs per query (default: [bench] rounds).
    #[arg(long, env = "TENANT_HARNESS_BENCH_ROUNDS", value_parser = at_least_one)]
    rounds: Option<usize>,
    /// Closed-loop workers (default: [bench] workers).
    #[arg(long, env = "TENANT_HARNESS_BENCH_WORKERS", value_parser = at_least_one)]
    workers: Option<usize>,
    /// Open loop at this many requests per second (latency from the scheduled start).
    #[arg(long, env = "TENANT_HARNESS_BENCH_RATE", value_parser = positive_f64)]
    rate: Option<f64>,
    /// Runs of the rounds per query; the report shows how far the runs' ratios differ.
    #[arg(long, default_value_t = 1, value_parser = at_least_one)]
    repeat: usize,
    /// Concurrency sweep: worker counts, e.g. 1,2,4,8.
    #[arg(long, value_delimiter = ',', num_args = 1.., value_parser = at_least_one)]
    sweep: Vec<usize>,
    /// Also apply the migration under the pre-migration workload and report each statement's impact.
    #[arg(long)]
    online: bool,
    /// statement_timeout of the workload during --online, in ms.
    #[arg(long, default_value_t = 2000)]
    online_timeout_ms: u64,
    /// Seed for all generated data and random choices (default: the scenario's).
    #[arg(long, env = env::SEED)]
    seed: Option<u64>,
    #[command(flatten)]
    server: ServerArgs,
    #[command(flatten)]
    output: OutputArgs,
}

#[derive(Args)]
struct BenchDriverArgs {
    /// Concurrent clients on both sides.
    #[arg(long, default_value_t = 4)]
    clients: usize,
    /// Seconds per slice (whole seconds: pgbench's -T).
    #[arg(long, default_value_t = 3.0)]
    seconds: f64,
    /// Rounds of pgbench / driver / plain / impersonated.
    #[arg(long, default_value_t = 3)]
    rounds: usize,
    #[command(flatten)]
    server: ServerArgs,
    /// Also write the figures as JSON to this file.
    #[arg(long)]
    json: Option<PathBuf>,
}

#[derive(Args)]
struct BenchSeedArgs {
    /// Scenario whose schema is loaded.
    #[arg(default_value = "scenarios/supabase-org-to-tenant")]
    scenario: PathBuf,
    /// Rows to load over all tables.
    #[arg(long, default_value_t = 1_000_000)]
    rows: u64,
    #[command(flatten)]
    server: ServerArgs,
    /// Also write the figures as JSON to this file.
    #[arg(long)]
    json: Option<PathBuf>,
}

#[derive(Args)]
struct BenchTemplateArgs {
    /// Scenario the template is built from.
    #[arg(default_value = "scenarios/supabase-org-to-tenant")]
    scenario: PathBuf,
    /// Databases to create from the template.
    #[arg(long, default_value_t = 30)]
    databases: usize,
    #[command(flatten)]
    server: ServerArgs,
    /// Also write the figures as JSON to this file.
    #[arg(long)]
    json: Option<PathBuf>,
}

#[derive(Args)]
struct SeedArgs {
    /// Scenario folder.
    scenario: PathBuf,
    /// Rows over all tables (default: the scenario's own sizes).
    #[arg(long, env = "TENANT_HARNESS_SEED_ROWS")]
    rows: Option<u64>,
    /// Also run the migration under test.
    #[arg(long)]
    migrated: bool,
    /// Keep the server and database until Ctrl-C (local and docker backends; with the url
    /// backend use --keep instead).
    #[arg(long)]
    hold: bool,
    /// Seed for all generated data (default: the scenario's).
    #[arg(long, env = env::SEED)]
    seed: Option<u64>,
    #[command(flatten)]
    server: ServerArgs,
}

#[derive(Args)]
struct InitArgs {
    /// The migrations folder: supabase/migrations, or any folder of .sql files applied in name order.
    #[arg(default_value = "supabase/migrations")]
    migrations: PathBuf,
    /// The scenario folder to write (default: tenant-harness/<name>).
    #[arg(long)]
    out: Option<PathBuf>,
    /// The scenario's name (default: the project folder's name).
    #[arg(long)]
    name: Option<String>,
    /// The first migration file of the migration under test (default: the first file that adds
    /// the tenant column); earlier files become the pre-migration schema.
    #[arg(long)]
    split_at: Option<String>,
    /// The tenant column (default: the column the migration adds to most tables, e.g. tenant_id).
    #[arg(long)]
    tenant_column: Option<String>,
    /// The column that owned rows before the migration (default: the one most business tables share, e.g. org_id).
    #[arg(long)]
    owner_column: Option<String>,
    /// How the migration's backfill groups existing users into tenants: user (one each), email_domain or single.
    #[arg(long, value_parser = ["user", "email_domain", "single"])]
    group_by: Option<String>,
    /// Never ask: fail (exit 2) naming the flag for anything that cannot be inferred.
    #[arg(long, env = "TENANT_HARNESS_NO_INPUT", value_parser = clap::builder::BoolishValueParser::new())]
    no_input: bool,
    /// Overwrite an existing scenario folder.
    #[arg(long)]
    force: bool,
    #[command(flatten)]
    server: ServerArgs,
}

#[tokio::main]
async fn main() -> ExitCode {
    // Ctrl-C at any point removes whatever the run has provisioned, then exits 130.
    cleanup::arm();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() {
                exit::USAGE as u8
            } else {
                exit::OK as u8
            });
        }
    };
    let code = match cli.command {
        Command::Run(RunArgs { check: a, no_bench }) => {
            let bench = (!no_bench).then(Default::default);
            judge(
                "run",
                &a.scenarios,
                Some(Parts::ALL),
                bench,
                &a.checks,
                &a.server,
                &a.output,
            )
            .await
        }
        Command::Check(a) => {
            judge(
                "check",
                &a.scenarios,
                Some(Parts::CHECK),
                None,
                &a.checks,
                &a.server,
                &a.output,
            )
            .await
        }
        Command::Audit(a) => {
            let checks = CheckOptions {
                seed: a.seed,
                replay: None,
                search_cases: Some(0),
                regressions: None,
            };
            judge(
                "audit",
                &a.scenarios,
                Some(Parts::AUDIT),
                None,
                &checks,
                &a.server,
                &a.output,
            )
            .await
        }
        Command::Bench(args) => match *args {
            BenchArgs { tool: Some(t), .. } => match t {
                BenchTool::Seed(a) => bench_seed(a).await,
                BenchTool::Driver(a) => bench_driver(a).await,
                BenchTool::Template(a) => bench_template(a).await,
            },
            BenchArgs { tool: None, load } => {
                let checks = CheckOptions {
                    seed: load.seed,
                    replay: None,
                    search_cases: Some(0),
                    regressions: None,
                };
                let plan = BenchPlan::from(&load);
                judge(
                    "bench",
                    &load.scenarios,
                    None,
                    Some(plan),
                    &checks,
                    &load.server,
                    &load.output,
                )
                .await
            }
        },
        Command::Seed(a) => seed(a).await,
        Command::Init(a) => init(a).await,
    };
    cleanup::hold_if_interrupted();
    ExitCode::from(code as u8)
}

/// A number of seconds or requests per second: finite and above zero.
fn positive_f64(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() && v > 0.0 => Ok(v),
        Ok(_) => Err(format!("{s}: give a number above 0")),
        Err(e) => Err(format!("{s}: {e}")),
    }
}

/// A count of rounds, workers or repeats: 1 or more.
fn at_least_one(s: &str) -> Result<usize, String> {
    match s.parse::<usize>() {
        Ok(n) if n >= 1 => Ok(n),
        Ok(_) => Err(format!("{s}: give 1 or more")),
        Err(e) => Err(format!("{s}: {e}")),
    }
}

/// The benchmark's overrides of the scenario's `[bench]` settings.
#[derive(Default)]
struct BenchPlan {
    rows: Option<u64>,
    seconds: Option<f64>,
    rounds: Option<usize>,
    workers: Option<usize>,
    rate: Option<f64>,
    repeat: usize,
    sweep: Vec<usize>,
    online: Option<u64>,
}

impl From<&BenchLoadArgs> for BenchPlan {
    fn from(a: &BenchLoadArgs) -> Self {
        BenchPlan {
            rows: a.rows,
            seconds: a.seconds,
            rounds: a.rounds,
            workers: a.workers,
            rate: a.rate,
            repeat: a.repeat,
            sweep: a.sweep.clone(),
            online: a.online.then_some(a.online_timeout_ms),
        }
    }
}

/// Runs `parts` of the checks and/or the benchmark on every scenario, then
/// reports the whole as one document. An error in one scenario is that
/// scenario's outcome; the others still run.
async fn judge(
    command: &str,
    scenarios: &[PathBuf],
    parts: Option<Parts>,
    bench: Option<BenchPlan>,
    checks: &CheckOptions,
    server: &ServerArgs,
    output: &OutputArgs,
) -> i32 {
    let progress = Progress::auto();
    let mut redactor = Redactor::default().with_url_password(server.database_url.as_deref());
    let mut outcomes = Vec::new();
    for dir in scenarios {
        // Secrets known before the run, so that an error before the harness
        // exists (a failing migration statement) is masked too.
        let known = [
            std::env::var(env::JWT_SECRET).ok(),
            tenant_harness::Scenario::load(dir)
                .ok()
                .and_then(|s| s.jwt_secret),
        ];
        redactor = redactor.merge(&Redactor::new(known.into_iter().flatten()));
        let mut outcome = Outcome::new(dir);
        if let Some(parts) = parts {
            match run_checks(dir, parts, checks, server, &progress).await {
                Ok((report, r)) => {
                    redactor = redactor.merge(&r);
                    outcome.checks = Some(report);
                }
                Err(e) => outcome.error = Some(redacted(&e, &redactor)),
            }
        }
        let has_workload = outcome.error.is_none()
            && tenant_harness::Scenario::load(dir).is_ok_and(|s| !s.workload.is_empty());
        if let Some(plan) = bench.as_ref().filter(|_| has_workload || parts.is_none()) {
            match run_bench(dir, plan, checks.seed, server, &progress).await {
                Ok((report, r)) => {
                    redactor = redactor.merge(&r);
                    outcome.bench = Some(report);
                }
                Err(e) => outcome.error = Some(redacted(&e, &redactor)),
            }
        }
        if let Some(e) = &outcome.error {
            cleanup::hold_if_interrupted();
            eprintln!("tenant-harness: error: {}", redactor.apply(&e.message));
        }
        outcomes.push(outcome);
    }
    let doc = Document::new(command, outcomes);
    emit(&doc, output, &redactor)
}

/// `e` for the document, its secrets masked while it is still plain text
/// (before a reporter escapes it for JSON, XML or HTML).
fn redacted(e: &tenant_harness::Error, redactor: &Redactor) -> RunError {
    let mut err = RunError::from(e);
    err.message = redactor.apply(&err.message);
    err
}

fn builder(
    dir: &Path,
    seed: Option<u64>,
    server: &ServerArgs,
    progress: &Progress,
) -> tenant_harness::Result<HarnessBuilder> {
    let mut b = Harness::builder(dir)?
        .options(server.options())
        .progress(progress.clone());
    if let Some(s) = server.statement_timeout {
        b = b.statement_timeout(std::time::Duration::from_secs(s));
    }
    if let Some(seed) = seed {
        b = b.seed(seed);
    }
    Ok(b)
}

async fn run_checks(
    dir: &Path,
    parts: Parts,
    o: &CheckOptions,
    server: &ServerArgs,
    progress: &Progress,
) -> tenant_harness::Result<(tenant_harness::Report, Redactor)> {
    let mut b = builder(dir, o.seed, server, progress)?;
    if let Some(replay) = o.replay {
        b = b.replay(replay);
    }
    if let Some(cases) = o.search_cases {
        b = b.search_cases(cases);
    }
    let regressions = o
        .regressions
        .clone()
        .unwrap_or_else(|| dir.join("leak-search.regressions"));
    let mut harness = b.persist_failures(regressions).start().await?;
    injected_fault()?;
    let report = harness.check_parts(parts).await?;
    Ok((report, harness.redactor()))
}

/// `TENANT_HARNESS_FAULT=internal|panic`: fails the run as a bug of the
/// harness would, once the server is up, so the harness's own tests can show
/// that such a failure exits 101 and leaves nothing behind. Unset in use.
fn injected_fault() -> tenant_harness::Result<()> {
    match std::env::var("TENANT_HARNESS_FAULT").as_deref() {
        Ok("internal") => Err(tenant_harness::Error::Internal(
            "fault injected by TENANT_HARNESS_FAULT=internal".into(),
        )),
        Ok("panic") => panic!("fault injected by TENANT_HARNESS_FAULT=panic"),
        _ => Ok(()),
    }
}

async fn run_bench(
    dir: &Path,
    plan: &BenchPlan,
    seed: Option<u64>,
    server: &ServerArgs,
    progress: &Progress,
) -> tenant_harness::Result<(tenant_harness::bench::LoadReport, Redactor)> {
    let mut harness = builder(dir, seed, server, progress)?
        .search_cases(0)
        .benchmark(plan.rows)
        .start()
        .await?;
    let mut settings = tenant_harness::bench::settings::Settings::from_scenario(
        harness.scenario(),
        harness.seed(),
    );
    settings.seconds = plan.seconds.unwrap_or(settings.seconds);
    settings.rounds = plan.rounds.unwrap_or(settings.rounds).max(2);
    settings.workers = plan.workers.unwrap_or(settings.workers).max(1);
    settings.rate = plan.rate;
    settings.sweep.clone_from(&plan.sweep);
    settings.repeat = plan.repeat.max(1);
    let online = plan
        .online
        .map(|ms| tenant_harness::bench::online::Settings {
            workers: settings.workers,
            timeout: std::time::Duration::from_millis(ms),
            margin: std::time::Duration::from_secs_f64(settings.seconds.min(2.0)),
        });
    let report = harness.bench(settings, online).await?;
    Ok((report, harness.redactor()))
}

/// Prints `doc` in the chosen format, writes the files asked for and the
/// GitHub job summary; returns the exit code.
fn emit(doc: &Document, output: &OutputArgs, redactor: &Redactor) -> i32 {
    // An interrupted run reports nothing: what failed after the signal is the teardown's doing.
    cleanup::hold_if_interrupted();
    let color = match output.color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
    };
    print!("{}", reporter::render(doc, output.format, redactor, color));
    let mut written = Vec::new();
    let mut result = Ok(());
    if let Some(dir) = &output.out {
        match reporter::write_dir(doc, dir, redactor) {
            Ok(files) => written.extend(files),
            Err(e) => result = Err(e),
        }
    }
    if let Some(path) = &output.json {
        let text = reporter::render(doc, Format::Json, redactor, false);
        match std::fs::write(path, text) {
            Ok(()) => written.push(path.clone()),
            Err(source) => {
                result = Err(tenant_harness::Error::Io {
                    path: path.clone(),
                    source,
                })
            }
        }
    }
    match reporter::append_step_summary(doc, redactor) {
        Ok(Some(path)) => written.push(path),
        Ok(None) => {}
        Err(e) => result = Err(e),
    }
    for w in &written {
        eprintln!("tenant-harness: wrote {}", w.display());
    }
    match result {
        Ok(()) => doc.exit_code,
        Err(e) => fail(e).max(doc.exit_code),
    }
}

fn fail(e: tenant_harness::Error) -> i32 {
    cleanup::hold_if_interrupted();
    eprintln!(
        "tenant-harness: error: {}",
        Redactor::new(std::env::var(env::JWT_SECRET).ok()).apply(&e.to_string())
    );
    e.exit_code()
}

async fn bench_seed(args: BenchSeedArgs) -> i32 {
    let scenario = match tenant_harness::Scenario::load(&args.scenario) {
        Ok(s) => s,
        Err(e) => return fail(e),
    };
    match tenant_harness::bench::seed(&scenario, args.rows, &args.server.options()).await {
        Ok(b) => {
            print!("{}", b.human());
            write_json(args.json.as_deref(), &b).unwrap_or(exit::OK)
        }
        Err(e) => fail(e),
    }
}

async fn bench_driver(args: BenchDriverArgs) -> i32 {
    match tenant_harness::bench::efficiency::run(
        &args.server.options(),
        args.clients,
        args.seconds,
        args.rounds,
    )
    .await
    {
        Ok(e) => {
            print!("{}", e.human());
            write_json(args.json.as_deref(), &e).unwrap_or(exit::OK)
        }
        Err(e) => fail(e),
    }
}

async fn bench_template(args: BenchTemplateArgs) -> i32 {
    let b = match Harness::builder(&args.scenario) {
        Ok(b) => b.options(args.server.options()),
        Err(e) => return fail(e),
    };
    match tenant_harness::testing::bench::run(b, args.databases).await {
        Ok(t) => {
            print!("{}", t.human());
            write_json(args.json.as_deref(), &t).unwrap_or(exit::OK)
        }
        Err(e) => fail(e),
    }
}

async fn seed(args: SeedArgs) -> i32 {
    let progress = Progress::auto();
    let mut b = match builder(&args.scenario, args.seed, &args.server, &progress) {
        Ok(b) => b.search_cases(0).migrate(args.migrated),
        Err(e) => return fail(e),
    };
    if let Some(rows) = args.rows {
        b = b.rows(rows);
    }
    let harness = match b.start().await {
        Ok(h) => h,
        Err(e) => return fail(e),
    };
    progress.done();
    let db = harness.database();
    let url_backend = db.backend == Backend::Url;
    println!(
        "seeded {} ({}) with seed {}: {} users; {}",
        harness.scenario().name,
        if args.migrated {
            "migrated"
        } else {
            "before the migration"
        },
        harness.seed(),
        harness.users().len(),
        db.description
    );
    // The throw-away server's password is printed: it is what `seed` is for, and it dies with the
    // server. The url backend's is the user's own, so it is left out.
    println!("url: {}", db.url(!url_backend));
    if args.hold && !url_backend {
        println!("holding the server until Ctrl-C; it is removed then");
        // The signal thread removes it and exits 130 (143 for SIGTERM).
        std::future::pending::<()>().await;
    } else if !args.server.keep || !url_backend {
        println!("(removed on exit: --hold keeps it until Ctrl-C; with --backend url, --keep keeps the database)");
    }
    harness.close();
    exit::OK
}

/// Asks on the terminal (dialoguer) for what `init` cannot infer.
struct Prompt;

impl tenant_harness::init::Ask for Prompt {
    fn choose(
        &mut self,
        question: &str,
        choices: &[String],
        flag: &str,
    ) -> tenant_harness::Result<usize> {
        dialoguer::Select::new()
            .with_prompt(format!("{question} [{flag}]"))
            .items(choices)
            .default(0)
            .interact()
            .map_err(|e| tenant_harness::Error::Usage(format!("{question}: {e}; pass {flag}")))
    }
}

async fn init(args: InitArgs) -> i32 {
    let opts = tenant_harness::init::InitOptions {
        migrations: args.migrations.clone(),
        out: args.out.clone(),
        name: args.name.clone(),
        split_at: args.split_at.clone(),
        tenant_column: args.tenant_column.clone(),
        owner_column: args.owner_column.clone(),
        group_by: args.group_by.clone(),
        force: args.force,
    };
    let interactive = !args.no_input
        && std::io::stdin().is_terminal()
        && std::io::stderr().is_terminal()
        && std::env::var_os("CI").is_none();
    let mut prompt = Prompt;
    let mut none = tenant_harness::init::NoInput;
    let ask: &mut dyn tenant_harness::init::Ask = if interactive { &mut prompt } else { &mut none };
    match tenant_harness::init::scaffold(&opts, &args.server.options(), ask).await {
        Ok(s) => {
            println!("wrote {}", s.dir.display());
            for d in &s.decisions {
                println!("  - {d}");
            }
            println!(
                "next: read {}/scenario.toml, then: tenant-harness run {}",
                s.dir.display(),
                s.dir.display()
            );
            exit::OK
        }
        Err(e) => fail(e),
    }
}

/// Writes `value` as JSON to `path` when there is one; `Some(exit code)` when that fails.
fn write_json(path: Option<&std::path::Path>, value: &impl serde::Serialize) -> Option<i32> {
    let path = path?;
    let text = serde_json::to_string_pretty(value).expect("serialises");
    match std::fs::write(path, text) {
        Ok(()) => None,
        Err(e) => {
            eprintln!("tenant-harness: error: writing {}: {e}", path.display());
            Some(exit::ENVIRONMENT)
        }
    }
}
