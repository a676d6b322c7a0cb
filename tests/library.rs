//! The library as users' own `cargo test` uses it: a database per test
//! from a template, the template kept on a server between runs, and the
//! proptest strategies pointed at a schema.

mod common;

use common::{copy_dir, known_bad, local, scenario_dir};
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestRng, TestRunner};
use tenant_harness::testing::TestDatabases;
use tenant_harness::Backend;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_test_gets_its_own_copy_and_the_checks_judge_each_copy() {
    let dbs = TestDatabases::for_builder(local()).await.expect("template");
    let again = TestDatabases::for_builder(local()).await.expect("cached");
    assert_eq!(dbs.template_name(), again.template_name());
    assert_eq!(
        dbs.prepared().0,
        again.prepared().0,
        "the second call reuses the process's template instead of building one"
    );

    let mut spoiled = dbs.harness().await.expect("a copy");
    let mut clean = dbs.harness().await.expect("another copy");
    assert_ne!(spoiled.database().name, clean.database().name);
    spoiled
        .admin()
        .batch_execute(
            "DELETE FROM public.tags WHERE ctid IN (SELECT ctid FROM public.tags LIMIT 3)",
        )
        .await
        .unwrap();
    assert_eq!(
        tags(spoiled.admin()).await + 3,
        tags(clean.admin()).await,
        "a copy's writes never reach another copy"
    );
    let red = spoiled.check().await.expect("checks run");
    assert!(
        red.findings
            .iter()
            .any(|f| f.check == "integrity.rows-lost" && f.table.as_deref() == Some("tags")),
        "{:?}",
        red.findings
    );
    let green = clean.check().await.expect("checks run");
    assert!(green.passed(), "{}", green.human());
}

async fn tags(c: &tokio_postgres::Client) -> i64 {
    c.query_one("SELECT count(*) FROM public.tags", &[])
        .await
        .unwrap()
        .get(0)
}

/// `tenant-harness bench template` against one server, as two runs would.
fn template_run(url: &str, scenario: &std::path::Path) -> serde_json::Value {
    let json = tempfile::NamedTempFile::new().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_tenant-harness"))
        .args(["bench", "template", "--backend", "url", "--databases", "3"])
        .arg("--database-url")
        .arg(url)
        .arg(scenario)
        .arg("--json")
        .arg(json.path())
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&std::fs::read(json.path()).unwrap()).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_template_on_a_server_is_reused_by_the_next_run_and_rebuilt_when_a_file_changes() {
    let server = tenant_harness::provision::provision(&tenant_harness::provision::Options {
        backend: Backend::Local,
        ..Default::default()
    })
    .await
    .expect("a server");
    let url = server.url(true);
    let first = template_run(&url, &scenario_dir());
    assert_eq!(first["reused"], false);
    let second = template_run(&url, &scenario_dir());
    assert_eq!(second["reused"], true, "{second}");

    let changed = tempfile::tempdir().unwrap();
    copy_dir(&scenario_dir(), changed.path());
    std::fs::write(
        changed.path().join("migrations/99_comment.sql"),
        "COMMENT ON TABLE public.tags IS 'changed';",
    )
    .unwrap();
    let third = template_run(&url, changed.path());
    assert_eq!(
        third["reused"], false,
        "a changed file builds a new template"
    );
    let c = server.connect().await.unwrap();
    let templates: i64 = c
        .query_one(
            "SELECT count(*) FROM pg_database WHERE datname LIKE 'tenant\\_harness\\_tpl\\_%'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(
        templates, 1,
        "the stale template of the scenario is dropped"
    );
}

/// Runs `cases` cases of the arena's strategy; the shrunk leak, if any.
async fn hunt(arena: &tenant_harness::strategies::Arena, cases: u32) -> Option<String> {
    let rt = tokio::runtime::Handle::current();
    let strategy = arena.cases();
    let mut runner = TestRunner::new_with_rng(
        Config {
            cases,
            failure_persistence: None,
            ..Config::default()
        },
        TestRng::from_seed(RngAlgorithm::ChaCha, &[7; 32]),
    );
    let result = tokio::task::block_in_place(|| {
        runner.run(&strategy, |case| match rt.block_on(arena.check(&case)) {
            Ok(None) => Ok(()),
            Ok(Some(leak)) => Err(TestCaseError::fail(leak.to_string())),
            Err(e) => Err(TestCaseError::fail(e.to_string())),
        })
    });
    result.err().map(|e| e.to_string())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_strategies_find_a_cross_tenant_insert_and_nothing_in_the_plan() {
    let mut good = local().search_cases(0).start().await.expect("starts");
    let arena = good.arena(&["clients"]).await.expect("arena");
    assert_eq!(arena.tables(), vec!["clients".to_string()]);
    assert!(arena.tenants() >= 2 && !arena.identities().is_empty());
    assert_eq!(hunt(&arena, 48).await, None);

    let mut bad = local()
        .search_cases(0)
        .migration(
            "99_clients_insert_anywhere.sql",
            &known_bad("clients_insert_anywhere.sql"),
        )
        .start()
        .await
        .expect("starts");
    let arena = bad.arena(&["clients"]).await.expect("arena");
    let leak = hunt(&arena, 256).await.expect("a leak is found");
    assert!(leak.contains("clients"), "{leak}");
    assert!(leak.contains("reproduce in psql"), "{leak}");
}
