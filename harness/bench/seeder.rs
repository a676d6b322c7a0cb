//! `tenant-harness bench seed`: how fast the seeder loads a scenario scaled
//! to N rows, against `pgbench -i` on the same server in the same run, and
//! how much memory the harness process needed (peak RSS, which does not grow
//! with N because nothing per row is kept).
//!
//! pgbench -i is the yardstick because it is the stock way to bulk-load a
//! PostgreSQL server: client-side generated rows through COPY, then primary
//! keys. The seeder's tables carry their keys, foreign keys, CHECKs and
//! indexes during the load, so a ratio at or above 1.0 means the seeder is
//! never what limits a benchmark.

use crate::error::{Error, Result};
use crate::provision::{self, Options};
use crate::scenario::Scenario;
use crate::{migrate, seed, supabase};
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Rows pgbench -i writes per scale unit (pgbench_accounts).
const PGBENCH_ROWS_PER_SCALE: u64 = 100_000;

/// The figures of one benchmark run.
#[derive(Debug, Clone, Serialize)]
pub struct SeedBench {
    /// Scenario loaded.
    pub scenario: String,
    /// Server it ran on.
    pub server: String,
    /// Rows the seeder wrote.
    pub rows: u64,
    /// Seconds it took.
    pub seconds: f64,
    /// Seeder rows per second.
    pub rows_per_second: f64,
    /// Rows pgbench -i wrote (pgbench_accounts + branches + tellers).
    pub pgbench_rows: u64,
    /// Seconds pgbench -i took (generate + primary keys).
    pub pgbench_seconds: f64,
    /// pgbench rows per second.
    pub pgbench_rows_per_second: f64,
    /// Seeder rows/s ÷ pgbench rows/s; the goal is ≥ 1.0.
    pub ratio: f64,
    /// Bytes the seeder's tables and indexes take on the server.
    pub bytes: u64,
    /// Bytes pgbench's tables and indexes take.
    pub pgbench_bytes: u64,
    /// Seeder bytes/s ÷ pgbench bytes/s: the same comparison for rows of different widths.
    pub byte_ratio: f64,
    /// The seeder loading pgbench's own tables (same rows, same keys built after
    /// the load): seconds, and rows/s ÷ pgbench's rows/s.
    pub same_shape_seconds: f64,
    /// Seeder rows/s on pgbench's tables ÷ pgbench rows/s; the goal is ≥ 1.0.
    pub same_shape_ratio: f64,
    /// Peak resident memory of this process, in MiB; the goal is ≤ 200 for 10 M rows.
    pub peak_rss_mib: f64,
}

impl SeedBench {
    /// The benchmark for people.
    pub fn human(&self) -> String {
        format!(
            "seed benchmark: {scenario} on {server}\n  seeder:  {rows:>12} rows in {s:>7.2} s = {rps:>10.0} rows/s\n  pgbench: {prows:>12} rows in {ps:>7.2} s = {prps:>10.0} rows/s  (pgbench -i, generate + primary keys)\n  ratio seeder/pgbench: {ratio:.2} rows/s (goal >= 1.0: {r_ok}); {byte_ratio:.2} bytes/s ({mb:.0} MB vs {pmb:.0} MB loaded)\n  same rows as pgbench (its tables, keys built after the load): seeder {ss:.2} s, ratio {sr:.2} (goal >= 1.0: {s_ok})\n  peak RSS of the harness: {rss:.0} MiB (goal <= 200 MiB at 10 M rows: {m_ok})\n",
            scenario = self.scenario,
            server = self.server,
            rows = self.rows,
            s = self.seconds,
            rps = self.rows_per_second,
            prows = self.pgbench_rows,
            ps = self.pgbench_seconds,
            prps = self.pgbench_rows_per_second,
            ratio = self.ratio,
            byte_ratio = self.byte_ratio,
            mb = self.bytes as f64 / 1e6,
            pmb = self.pgbench_bytes as f64 / 1e6,
            r_ok = if self.ratio >= 1.0 { "met" } else { "NOT met" },
            rss = self.peak_rss_mib,
            ss = self.same_shape_seconds,
            sr = self.same_shape_ratio,
            s_ok = if self.same_shape_ratio >= 1.0 { "met" } else { "NOT met" },
            m_ok = if self.peak_rss_mib <= 200.0 { "met" } else { "NOT met" },
        )
    }
}

/// `scenario` with its row counts scaled so that all tables add up to about `rows`.
pub fn scaled(scenario: &Scenario, rows: u64) -> Scenario {
    let mut s = scenario.clone();
    let total: u64 = s
        .tables
        .iter()
        .map(|t| s.data.rows_for(&t.name))
        .sum::<u64>()
        .max(1);
    let factor = rows as f64 / total as f64;
    let names: Vec<String> = s.tables.iter().map(|t| t.name.clone()).collect();
    let rows_of: Vec<u64> = names
        .iter()
        .map(|n| ((s.data.rows_for(n) as f64 * factor).round() as u64).max(1))
        .collect();
    s.data.rows = names.into_iter().zip(rows_of).collect();
    if s.users.is_some() {
        s.data.users = s.data.users.max((rows / 5_000) as usize);
        s.data.shared_domain_users = s.data.shared_domain_users.max(s.data.users / 10);
    }
    s
}

/// Peak resident set size of this process (VmHWM), in MiB.
pub fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

/// Runs pgbench with `args` against `db` (connection options and password
/// added here) and returns its output.
pub(crate) async fn pgbench_output(
    pgbench: &Path,
    args: &[&str],
    db: &provision::Database,
) -> Result<std::process::Output> {
    let cfg = db.config();
    let host = match cfg.get_hosts().first() {
        Some(tokio_postgres::config::Host::Tcp(h)) => h.clone(),
        _ => "127.0.0.1".into(),
    };
    let port = cfg.get_ports().first().copied().unwrap_or(5432).to_string();
    tokio::process::Command::new(pgbench)
        .args(args)
        .args(["-h", &host, "-p", &port, "-U"])
        .arg(cfg.get_user().unwrap_or("postgres"))
        .arg(&db.name)
        .env(
            "PGPASSWORD",
            String::from_utf8_lossy(cfg.get_password().unwrap_or_default()).to_string(),
        )
        .output()
        .await
        .map_err(|e| {
            Error::env(
                format!("running {}: {e}", pgbench.display()),
                "check the pgbench binary",
            )
        })
}

/// Runs `pgbench -i -I steps -s scale` against `db`; returns its seconds.
pub(crate) async fn run_pgbench(
    pgbench: &Path,
    steps: &str,
    scale: u64,
    db: &provision::Database,
) -> Result<f64> {
    let t = Instant::now();
    let scale = scale.to_string();
    let out = pgbench_output(pgbench, &["-i", "-I", steps, "-q", "-s", &scale], db).await?;
    if !out.status.success() {
        return Err(Error::env(
            format!(
                "pgbench -i failed: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            ),
            "read pgbench's message above",
        ));
    }
    Ok(t.elapsed().as_secs_f64())
}

/// Bytes of `tables` and their indexes.
async fn total_bytes(client: &tokio_postgres::Client, tables: &[String]) -> Result<u64> {
    let row = client
        .query_one("SELECT coalesce(sum(pg_total_relation_size(to_regclass(t))), 0)::bigint FROM unnest($1::text[]) t", &[&tables])
        .await
        .map_err(Error::db("measuring table sizes"))?;
    Ok(row.get::<_, i64>(0) as u64)
}

/// Finds `pgbench` next to the server binaries, or on PATH.
pub(crate) fn pgbench(pg_bin: Option<&Path>) -> Result<PathBuf> {
    let dir = provision::local::find_bin_dir(pg_bin).ok();
    dir.map(|d| d.join("pgbench"))
        .filter(|p| p.is_file())
        .or_else(|| {
            std::env::split_paths(&std::env::var_os("PATH")?)
                .map(|d| d.join("pgbench"))
                .find(|p| p.is_file())
        })
        .ok_or_else(|| {
            Error::env(
                "pgbench not found next to the PostgreSQL binaries or on PATH",
                "apt-get install postgresql-client (or postgresql), or pass --pg-bin",
            )
        })
}

/// Runs the benchmark: the scenario scaled to `rows`, then pgbench -i at the nearest scale.
pub async fn seed(scenario: &Scenario, rows: u64, options: &Options) -> Result<SeedBench> {
    let pgbench = pgbench(options.pg_bin.as_deref())?;
    let scenario = scaled(scenario, rows);
    let db = provision::provision(options).await?;
    let admin = db.connect().await?;
    if scenario.supabase {
        supabase::install(&admin).await?;
    }
    migrate::apply(
        &admin,
        &scenario.before,
        false,
        migrate::DEFAULT_STATEMENT_TIMEOUT,
    )
    .await?;
    let started = Instant::now();
    let (_, outcome) = seed::run(db.config(), &scenario, scenario.data.seed).await?;
    let seconds = started.elapsed().as_secs_f64();
    let rss = peak_rss_mib();
    let bytes = total_bytes(
        &admin,
        &outcome
            .tables
            .iter()
            .map(|(t, _)| t.clone())
            .collect::<Vec<_>>(),
    )
    .await?;

    // pgbench in a database of its own beside the seeded one: drop, create
    // tables, generate, primary keys.
    let scale = (outcome.total_rows() / PGBENCH_ROWS_PER_SCALE).max(1);
    let target = db.sibling("pgbench").await?;
    let pgbench_seconds = run_pgbench(&pgbench, "dtgp", scale, &target).await?;

    // The seeder on pgbench's own tables: pgbench creates them with their
    // keys, the seeder fills them, dropping and rebuilding the keys as
    // pgbench builds its keys after its load.
    let shape = db.sibling("pgbench_shape").await?;
    run_pgbench(&pgbench, "dtp", scale, &shape).await?;
    let shape_plan = tenant_seed::SeedPlan {
        seed: scenario.data.seed,
        stream: "pgbench".into(),
        owners: Vec::new(),
        users: None,
        tables: [
            ("pgbench_branches", scale),
            ("pgbench_tellers", 10 * scale),
            ("pgbench_accounts", PGBENCH_ROWS_PER_SCALE * scale),
        ]
        .into_iter()
        .map(|(t, rows)| tenant_seed::TablePlan {
            table: t.into(),
            owner_column: None,
            rows,
            overrides: Vec::new(),
        })
        .collect(),
        distribution: tenant_seed::layout::Distribution::Uniform,
        null_fraction: 0.0,
        first_row: 0,
        concurrency: scenario.data.concurrency,
        bulk: true,
    };
    let same_shape = tenant_seed::plan::run(shape.config(), &shape_plan).await?;
    let same_shape_seconds = same_shape.elapsed.as_secs_f64();
    let pgbench_rows = scale * (PGBENCH_ROWS_PER_SCALE + 10 + 1);
    let pgbench_tables = [
        "public.pgbench_accounts",
        "public.pgbench_branches",
        "public.pgbench_tellers",
        "public.pgbench_history",
    ]
    .map(String::from);
    let pgbench_bytes = total_bytes(&target.connect().await?, &pgbench_tables).await?;
    let rows_per_second = outcome.total_rows() as f64 / seconds;
    let pgbench_rows_per_second = pgbench_rows as f64 / pgbench_seconds;
    Ok(SeedBench {
        scenario: scenario.name.clone(),
        server: db.description.clone(),
        rows: outcome.total_rows(),
        seconds,
        rows_per_second,
        pgbench_rows,
        pgbench_seconds,
        pgbench_rows_per_second,
        ratio: rows_per_second / pgbench_rows_per_second,
        bytes,
        pgbench_bytes,
        byte_ratio: (bytes as f64 / seconds) / (pgbench_bytes as f64 / pgbench_seconds),
        same_shape_seconds,
        same_shape_ratio: (same_shape.total_rows() as f64 / same_shape_seconds)
            / pgbench_rows_per_second,
        peak_rss_mib: rss,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scaling_keeps_proportions_and_reaches_the_total() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("scenarios/supabase-org-to-tenant");
        let s = Scenario::load(dir).unwrap();
        let big = scaled(&s, 1_000_000);
        let total: u64 = big.tables.iter().map(|t| big.data.rows_for(&t.name)).sum();
        assert!((990_000..=1_010_000).contains(&total), "{total}");
        let (orders, clients) = (
            big.data.rows_for("orders") as i64,
            big.data.rows_for("clients") as i64,
        );
        assert!(
            (orders - 2 * clients).abs() <= 1,
            "proportions kept: {orders} vs {clients}"
        );
        assert!(big.data.users >= 200);
        assert!(peak_rss_mib() > 0.0);
    }
}
