//! Your own property test over your schema: the harness's strategies
//! generate rows for random tenants and random reads and writes by random
//! identities; proptest shrinks a leak to the smallest case.
//!
//! cargo run --example leak_hunt -- scenarios/supabase-org-to-tenant clients 200

use proptest::test_runner::{Config, TestCaseError, TestRunner};
use tenant_harness::Harness;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let dir = args
        .next()
        .unwrap_or_else(|| "scenarios/supabase-org-to-tenant".into());
    let table = args.next().unwrap_or_else(|| "clients".into());
    let cases: u32 = args.next().map_or(Ok(200), |n| n.parse())?;

    let mut h = Harness::builder(&dir)?.search_cases(0).start().await?;
    let arena = h.arena(&[table.as_str()]).await?;
    println!(
        "{} identities, tables {:?}, {} tenants; seed {}",
        arena.identities().len(),
        arena.tables(),
        arena.tenants(),
        h.seed()
    );
    let rt = tokio::runtime::Handle::current();
    let strategy = arena.cases();
    let mut runner = TestRunner::new(Config::with_cases(cases));
    let result = tokio::task::block_in_place(|| {
        runner.run(&strategy, |case| match rt.block_on(arena.check(&case)) {
            Ok(None) => Ok(()),
            Ok(Some(leak)) => Err(TestCaseError::fail(leak.to_string())),
            Err(e) => Err(TestCaseError::fail(e.to_string())),
        })
    });
    match result {
        Ok(()) => println!("{cases} cases, no leak"),
        Err(e) => println!("leak (shrunk):\n{e}"),
    }
    Ok(())
}
