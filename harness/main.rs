//! The `tenant-harness` command line: a thin layer over the library that
//! turns flags into a [`HarnessBuilder`], prints the report and exits with
//! the documented code (0 pass, 1 findings, 2 usage, 3 environment).

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;
use tenant_harness::{env, exit, Backend, Harness};

#[derive(Parser)]
#[command(
    name = "tenant-harness",
    version,
    about = "Isolation test harness and load benchmark for multi-tenant PostgreSQL migrations"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Provision, seed, migrate, then check integrity, isolation and the rollback; exit 0 when all holds.
    Run(RunArgs),
    /// Benchmarks.
    #[command(subcommand)]
    Bench(BenchCommand),
}

#[derive(Subcommand)]
enum BenchCommand {
    /// Seeder throughput against `pgbench -i` on the same server, and the harness's peak memory.
    Seed(BenchSeedArgs),
    /// The scenario's workload before and after the migration; exit 1 when a query exceeds its limit.
    Load(BenchLoadArgs),
    /// The load driver against pgbench, and impersonated against plain requests.
    Driver(BenchDriverArgs),
}

#[derive(clap::Args)]
struct BenchLoadArgs {
    /// Scenario folders; several (e.g. a scenario and its rewritten-policy variant) share one report.
    #[arg(required = true)]
    scenarios: Vec<PathBuf>,
    /// Rows over all tables (default: the scenario's [bench] rows, else its own sizes).
    #[arg(long)]
    rows: Option<u64>,
    /// Seconds per measured slice (default: [bench] seconds).
    #[arg(long)]
    seconds: Option<f64>,
    /// Before/after pairs per query (default: [bench] rounds).
    #[arg(long)]
    rounds: Option<usize>,
    /// Closed-loop workers (default: [bench] workers).
    #[arg(long)]
    workers: Option<usize>,
    /// Open loop at this many requests per second (latency from the scheduled start).
    #[arg(long)]
    rate: Option<f64>,
    /// Runs of the rounds per query; the report shows how far the runs' ratios differ.
    #[arg(long, default_value_t = 1)]
    repeat: usize,
    /// Concurrency sweep: worker counts, e.g. 1,2,4,8.
    #[arg(long, value_delimiter = ',')]
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
    /// Also write the reports as JSON (an array, one per scenario) to this file.
    #[arg(long)]
    json: Option<PathBuf>,
}

#[derive(clap::Args)]
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

#[derive(clap::Args)]
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

/// Where PostgreSQL comes from; shared by every command that needs a server.
#[derive(clap::Args)]
struct ServerArgs {
    /// Where PostgreSQL comes from.
    #[arg(long, env = env::BACKEND, value_enum, default_value_t = Backend::Auto)]
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
    #[arg(long)]
    keep: bool,
    /// Docker backend: never pull a missing image (air-gapped machines).
    #[arg(long, env = env::NO_PULL, value_parser = clap::builder::BoolishValueParser::new())]
    no_pull: bool,
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
        }
    }
}

#[derive(clap::Args)]
struct RunArgs {
    /// Scenario folder (scenario.toml, before.sql, migrations/).
    scenario: PathBuf,
    #[command(flatten)]
    server: ServerArgs,
    /// Seed for all generated data (default: the scenario's).
    #[arg(long, env = env::SEED)]
    seed: Option<u64>,
    /// Also write the report as JSON to this file.
    #[arg(long)]
    json: Option<PathBuf>,
    /// Seed of the property-based leak search (a failure prints the one to replay).
    #[arg(long, env = env::REPLAY)]
    replay: Option<u64>,
    /// Cases of the leak search (default: the scenario's checks.search_cases, 256; 0 turns it off).
    #[arg(long, env = "TENANT_HARNESS_SEARCH_CASES")]
    search_cases: Option<u32>,
    /// Where the leak search persists failing cases and replays them first
    /// (default: leak-search.regressions in the scenario folder).
    #[arg(long)]
    regressions: Option<PathBuf>,
}

#[tokio::main]
async fn main() -> ExitCode {
    // Ctrl-C at any point removes whatever the run has provisioned, then exits 130.
    tenant_harness::provision::cleanup::arm();
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
        Command::Run(args) => run(args).await,
        Command::Bench(BenchCommand::Seed(args)) => bench_seed(args).await,
        Command::Bench(BenchCommand::Load(args)) => bench_load(args).await,
        Command::Bench(BenchCommand::Driver(args)) => bench_driver(args).await,
    };
    ExitCode::from(code as u8)
}

async fn run(args: RunArgs) -> i32 {
    let builder = match Harness::builder(&args.scenario) {
        Ok(b) => b,
        Err(e) => return fail(e),
    };
    let mut builder = builder.options(args.server.options());
    if let Some(seed) = args.seed {
        builder = builder.seed(seed);
    }
    if let Some(replay) = args.replay {
        builder = builder.replay(replay);
    }
    if let Some(cases) = args.search_cases {
        builder = builder.search_cases(cases);
    }
    let regressions = args
        .regressions
        .unwrap_or_else(|| args.scenario.join("leak-search.regressions"));
    builder = builder.persist_failures(regressions);
    let mut harness = match builder.start().await {
        Ok(h) => h,
        Err(e) => return fail(e),
    };
    let report = match harness.check_all().await {
        Ok(r) => r,
        Err(e) => return fail(e),
    };
    print!("{}", report.human());
    if let Some(path) = args.json {
        if let Err(e) = report.write_json(&path) {
            return fail(e);
        }
    }
    harness.close();
    report.exit_code()
}

fn fail(e: tenant_harness::Error) -> i32 {
    eprintln!("tenant-harness: error: {e}");
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

async fn bench_load(args: BenchLoadArgs) -> i32 {
    let mut reports = Vec::new();
    for dir in &args.scenarios {
        let builder = match Harness::builder(dir) {
            Ok(b) => b,
            Err(e) => return fail(e),
        };
        let mut builder = builder
            .options(args.server.options())
            .search_cases(0)
            .benchmark(args.rows);
        if let Some(seed) = args.seed {
            builder = builder.seed(seed);
        }
        let mut harness = match builder.start().await {
            Ok(h) => h,
            Err(e) => return fail(e),
        };
        let mut settings = tenant_harness::bench::load::Settings::from_scenario(
            harness.scenario(),
            harness.seed(),
        );
        settings.seconds = args.seconds.unwrap_or(settings.seconds);
        settings.rounds = args.rounds.unwrap_or(settings.rounds).max(2);
        settings.workers = args.workers.unwrap_or(settings.workers).max(1);
        settings.rate = args.rate;
        settings.sweep.clone_from(&args.sweep);
        settings.repeat = args.repeat.max(1);
        let online = args
            .online
            .then(|| tenant_harness::bench::online::Settings {
                workers: settings.workers,
                timeout: std::time::Duration::from_millis(args.online_timeout_ms),
                margin: std::time::Duration::from_secs_f64(settings.seconds.min(2.0)),
            });
        let report = match harness.bench(settings, online).await {
            Ok(r) => r,
            Err(e) => return fail(e),
        };
        print!("{}", report.human());
        harness.close();
        reports.push(report);
    }
    if reports.len() > 1 {
        print!("{}", tenant_harness::bench::report::compare(&reports));
    }
    if let Some(code) = write_json(args.json.as_deref(), &reports) {
        return code;
    }
    reports
        .iter()
        .map(|r| r.exit_code())
        .max()
        .unwrap_or(exit::OK)
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
