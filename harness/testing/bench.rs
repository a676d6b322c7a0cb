//! How long a test waits for its database: [`TestDatabases::harness`]
//! timed over many copies of one scenario's template, against the goal of a
//! median of 150 ms. Dropping a copy is timed apart: it happens after the
//! test, on the test's clock too.

use crate::error::Result;
use crate::testing::TestDatabases;
use crate::HarnessBuilder;
use serde::Serialize;
use std::fmt::Write as _;
use std::time::Instant;

/// The goal for the median time to a ready database, ms.
pub const GOAL_MS: f64 = 150.0;

/// Figures of `bench template`.
#[derive(Debug, Clone, Serialize)]
pub struct TemplateBench {
    /// Scenario name.
    pub scenario: String,
    /// Rows in the template.
    pub rows: u64,
    /// Time to build the template (or find it, when an earlier run left it on the server), ms.
    pub prepared_ms: f64,
    /// Whether the template was found rather than built.
    pub reused: bool,
    /// Copies made.
    pub databases: usize,
    /// Median time to a ready database (copy made, connected), ms.
    pub median_ms: f64,
    /// 90th percentile, ms.
    pub p90_ms: f64,
    /// Slowest, ms.
    pub max_ms: f64,
    /// Median time to drop a copy, ms.
    pub drop_median_ms: f64,
    /// [`GOAL_MS`].
    pub goal_ms: f64,
    /// Whether the median met the goal.
    pub met: bool,
}

/// Builds (or finds) the template of `builder`'s scenario, then times `n` copies.
pub async fn run(builder: HarnessBuilder, n: usize) -> Result<TemplateBench> {
    let scenario = builder.scenario().name.clone();
    let dbs = TestDatabases::for_builder(builder).await?;
    let (prepared_ms, reused) = dbs.prepared();
    let mut ready = Vec::new();
    let mut dropped = Vec::new();
    let mut rows = 0;
    for _ in 0..n.max(1) {
        let t = Instant::now();
        let h = dbs.harness().await?;
        ready.push(t.elapsed().as_secs_f64() * 1000.0);
        rows = h.seeded_rows();
        let t = Instant::now();
        h.close();
        dropped.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    let q = |v: &mut Vec<f64>, p: f64| {
        v.sort_by(f64::total_cmp);
        v[((v.len() - 1) as f64 * p).round() as usize]
    };
    let median_ms = q(&mut ready, 0.5);
    Ok(TemplateBench {
        scenario,
        rows,
        prepared_ms,
        reused,
        databases: ready.len(),
        median_ms,
        p90_ms: q(&mut ready, 0.9),
        max_ms: q(&mut ready, 1.0),
        drop_median_ms: q(&mut dropped, 0.5),
        goal_ms: GOAL_MS,
        met: median_ms <= GOAL_MS,
    })
}

impl TemplateBench {
    /// The figures for people.
    pub fn human(&self) -> String {
        let mut o = String::new();
        let _ = writeln!(
            o,
            "template of {} ({} rows): {} in {:.0} ms",
            self.scenario,
            self.rows,
            if self.reused {
                "found on the server"
            } else {
                "built"
            },
            self.prepared_ms
        );
        let _ = writeln!(
            o,
            "time to a ready database over {} copies: median {:.1} ms, p90 {:.1} ms, max {:.1} ms (goal: median <= {:.0} ms: {})",
            self.databases,
            self.median_ms,
            self.p90_ms,
            self.max_ms,
            self.goal_ms,
            if self.met { "met" } else { "NOT met" }
        );
        let _ = writeln!(o, "dropping a copy: median {:.1} ms", self.drop_median_ms);
        o
    }
}
