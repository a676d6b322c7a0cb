//! A fresh, seeded and migrated database per test, copied from a template:
//! what a user's `cargo test` does, as a program that prints the timings.
//!
//! cargo run --example per_test_database -- scenarios/supabase-org-to-tenant

use std::time::Instant;
use tenant_harness::testing::TestDatabases;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let dir = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "scenarios/supabase-org-to-tenant".into());
    let dbs = TestDatabases::get(&dir).await?;
    let (ms, reused) = dbs.prepared();
    println!(
        "template {}: {} in {ms:.0} ms",
        dbs.template_name(),
        if reused { "found" } else { "built" }
    );
    for _ in 0..3 {
        let t = Instant::now();
        let mut h = dbs.harness().await?;
        let ready = t.elapsed();
        let report = h.check().await?;
        println!(
            "copy {} ready in {:.0} ms; checks: {}",
            h.database().name,
            ready.as_secs_f64() * 1000.0,
            report.verdict
        );
    }
    Ok(())
}
