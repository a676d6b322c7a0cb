//! Is the load driver ever what a load benchmark measures? Two ratios,
//! measured in one run on one server:
//!
//! - the driver against pgbench: the same statement (pgbench's own
//!   `SELECT abalance FROM pgbench_accounts WHERE aid = :aid` over a random
//!   aid), the same clients and duration, pgbench with `-M prepared`; the
//!   goal is driver TPS ÷ pgbench TPS ≥ 1.0;
//! - impersonated against plain: that statement in the driver's request
//!   envelope (BEGIN, statement, ROLLBACK in one round trip) with and without
//!   the impersonation (`set_config` of role and JWT claims); the goal is
//!   ≥ 0.85, so that RLS overhead measured by the load benchmark is RLS's.
//!
//! pgbench and the driver alternate over several rounds so that drift lands
//! on both.

use super::driver::{Arg, Caller, Load, Pool, Target};
use super::seeder::{pgbench, pgbench_output, run_pgbench};
use super::stats::{ratio_interval, Interval};
use crate::error::{Error, Result};
use crate::provision::{self, Options};
use serde::Serialize;
use std::sync::Arc;
use std::time::Duration;

/// The statement both sides run.
const STATEMENT: &str = "SELECT abalance FROM pgbench_accounts WHERE aid = $1";

/// The figures of one efficiency run.
#[derive(Debug, Clone, Serialize)]
pub struct Efficiency {
    /// Where it ran.
    pub server: String,
    /// Concurrent clients on both sides.
    pub clients: usize,
    /// Seconds per slice.
    pub seconds: f64,
    /// pgbench TPS per round.
    pub pgbench_tps: Vec<f64>,
    /// Driver TPS per round.
    pub driver_tps: Vec<f64>,
    /// Driver ÷ pgbench (goal ≥ 1.0).
    pub driver_vs_pgbench: Interval,
    /// Plain requests in the envelope, TPS per round.
    pub plain_tps: Vec<f64>,
    /// Impersonated requests in the envelope, TPS per round.
    pub impersonated_tps: Vec<f64>,
    /// Impersonated ÷ plain (goal ≥ 0.85).
    pub impersonated_vs_plain: Interval,
}

impl Efficiency {
    /// The figures for people.
    pub fn human(&self) -> String {
        let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len().max(1) as f64;
        let goal = |i: &Interval, g: f64| if i.estimate >= g { "met" } else { "NOT met" };
        format!(
            "driver efficiency on {server}, {clients} clients, {rounds} rounds x {secs:.1} s\n  pgbench -M prepared: {pg:>9.0} tps\n  harness driver:      {dr:>9.0} tps   ratio {r:.2} [{rl:.2}, {rh:.2}] (goal >= 1.0: {rg}; the statement autocommitted, as pgbench runs it)\n  in BEGIN … ROLLBACK:     {pl:>9.0} tps\n  same, impersonated:      {im:>9.0} tps   ratio {i:.2} [{il:.2}, {ih:.2}] (goal >= 0.85: {ig})\n",
            server = self.server,
            clients = self.clients,
            rounds = self.pgbench_tps.len(),
            secs = self.seconds,
            pg = mean(&self.pgbench_tps),
            dr = mean(&self.driver_tps),
            r = self.driver_vs_pgbench.estimate,
            rl = self.driver_vs_pgbench.low,
            rh = self.driver_vs_pgbench.high,
            rg = goal(&self.driver_vs_pgbench, 1.0),
            pl = mean(&self.plain_tps),
            im = mean(&self.impersonated_tps),
            i = self.impersonated_vs_plain.estimate,
            il = self.impersonated_vs_plain.low,
            ih = self.impersonated_vs_plain.high,
            ig = goal(&self.impersonated_vs_plain, 0.85),
        )
    }
}

/// Runs both comparisons on a server provisioned per `options`.
pub async fn run(
    options: &Options,
    clients: usize,
    seconds: f64,
    rounds: usize,
) -> Result<Efficiency> {
    let pgbench_bin = pgbench(options.pg_bin.as_deref())?;
    let db = provision::provision(options).await?;
    run_pgbench(&pgbench_bin, "dtgvp", 1, &db).await?;
    let accounts = 100_000;
    let aids: Arc<Vec<String>> = Arc::new((1..=accounts).map(|a: u32| a.to_string()).collect());
    let user = db.config().get_user().unwrap_or("postgres").to_string();
    let claims = serde_json::json!({ "sub": uuid::Uuid::nil(), "role": user }).to_string();
    let impersonate = format!(
        "BEGIN; SELECT set_config('role', {}, true), set_config('request.jwt.claims', {}, true)",
        postgres_protocol::escape::escape_literal(&user),
        postgres_protocol::escape::escape_literal(&claims)
    );
    let target = |name: &str, begin: Option<String>| Target {
        name: name.into(),
        db: 0,
        sql: STATEMENT.into(),
        callers: vec![Caller {
            begin,
            args: vec![Arg::AnyOf(aids.clone())],
        }],
    };
    let targets = [
        target("autocommit", None),
        target("plain", Some("BEGIN".into())),
        target("impersonated", Some(impersonate)),
    ];
    let mut pool = Pool::open(&[db.config().clone()], clients, &targets, None, 1).await?;
    let slice = Duration::from_secs_f64(seconds);
    let load = Load::Closed { workers: clients };
    let mut out = Efficiency {
        server: db.description.clone(),
        clients,
        seconds,
        pgbench_tps: vec![],
        driver_tps: vec![],
        driver_vs_pgbench: ratio_interval(&[]),
        plain_tps: vec![],
        impersonated_tps: vec![],
        impersonated_vs_plain: ratio_interval(&[]),
    };
    for _ in 0..rounds.max(2) {
        out.pgbench_tps
            .push(pgbench_load(&pgbench_bin, &db, clients, seconds).await?);
        out.driver_tps.push(pool.run(0, load, slice).await.tps());
        out.plain_tps.push(pool.run(1, load, slice).await.tps());
        out.impersonated_tps
            .push(pool.run(2, load, slice).await.tps());
    }
    let ratios = |a: &[f64], b: &[f64]| {
        ratio_interval(&a.iter().zip(b).map(|(x, y)| x / y).collect::<Vec<_>>())
    };
    out.driver_vs_pgbench = ratios(&out.driver_tps, &out.pgbench_tps);
    out.impersonated_vs_plain = ratios(&out.impersonated_tps, &out.plain_tps);
    Ok(out)
}

/// pgbench with the driver's statement for `seconds`; its TPS.
async fn pgbench_load(
    bin: &std::path::Path,
    db: &provision::Database,
    clients: usize,
    seconds: f64,
) -> Result<f64> {
    let dir =
        tempfile::tempdir().map_err(|e| Error::env(format!("temp dir: {e}"), "check /tmp"))?;
    let script = dir.path().join("select.sql");
    std::fs::write(
        &script,
        "\\set aid random(1, 100000)\nSELECT abalance FROM pgbench_accounts WHERE aid = :aid;\n",
    )
    .map_err(|e| Error::env(format!("writing {}: {e}", script.display()), "check /tmp"))?;
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(clients)
        .to_string();
    let (clients, secs) = (
        clients.to_string(),
        (seconds.ceil().max(1.0) as u64).to_string(),
    );
    let script = script.to_string_lossy().to_string();
    let args = [
        "-n", "-M", "prepared", "-c", &clients, "-j", &threads, "-T", &secs, "-f", &script,
    ];
    let out = pgbench_output(bin, &args, db).await?;
    let text = String::from_utf8_lossy(&out.stdout);
    text.lines()
        .find(|l| l.starts_with("tps = "))
        .and_then(|l| l.split_whitespace().nth(2))
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| {
            Error::env(
                format!(
                    "pgbench printed no tps: {}",
                    String::from_utf8_lossy(&out.stderr).trim()
                ),
                "read pgbench's message above",
            )
        })
}
