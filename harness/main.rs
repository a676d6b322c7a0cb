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
    /// Provision, seed, migrate, then check integrity and isolation; exit 0 when all holds.
    Run(RunArgs),
}

#[derive(clap::Args)]
struct RunArgs {
    /// Scenario folder (scenario.toml, before.sql, migrations/).
    scenario: PathBuf,
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
    /// Seed for all generated data (default: the scenario's).
    #[arg(long, env = env::SEED)]
    seed: Option<u64>,
    /// Also write the report as JSON to this file.
    #[arg(long)]
    json: Option<PathBuf>,
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
    };
    ExitCode::from(code as u8)
}

async fn run(args: RunArgs) -> i32 {
    let builder = match Harness::builder(&args.scenario) {
        Ok(b) => b,
        Err(e) => return fail(e),
    };
    let mut builder = builder
        .backend(args.backend)
        .image(args.image)
        .keep(args.keep)
        .pull(!args.no_pull);
    if let Some(dir) = args.pg_bin {
        builder = builder.pg_bin(dir);
    }
    if let Some(url) = args.database_url {
        builder = builder.database_url(url);
    }
    if let Some(seed) = args.seed {
        builder = builder.seed(seed);
    }
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
