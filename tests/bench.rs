//! The load benchmark end to end against a real PostgreSQL: the gate goes
//! red on the seeds' per-row policy form and the plan reader names the
//! policy and its rewrite; the rewritten variant loses both; the online run
//! names the statement that blocked the workload; a broken workload query
//! names the scenario file. Ratios are asserted only where the known-bad
//! form is an order of magnitude off, never as speed goals.

mod common;

use std::time::Duration;
use tenant_harness::bench::settings::Settings;
use tenant_harness::bench::{online, LoadReport};
use tenant_harness::scenario::{Form, WorkloadSpec};
use tenant_harness::{exit, Harness, Scenario};

/// Short slices: the test checks the machinery, the benchmark measures.
fn quick(h: &Harness) -> Settings {
    let mut s = Settings::from_scenario(h.scenario(), h.seed());
    s.seconds = 0.5;
    s.rounds = 2;
    s.warmup_seconds = 0.2;
    s.workers = 2;
    s
}

/// `scenario` (a folder under scenarios/) at 20 000 rows with only the workload query `query`.
fn only(scenario: &str, query: &str) -> Scenario {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(scenario);
    let mut s = Scenario::load(dir).expect("scenario loads");
    s.workload.retain(|w| w.name == query);
    assert_eq!(
        s.workload.len(),
        1,
        "{scenario} has a workload query {query}"
    );
    s
}

/// `s` seeded (scaled to `rows`), with a pre-migration copy, migrated.
async fn start(s: Scenario, rows: Option<u64>) -> Harness {
    Harness::for_scenario(s)
        .unwrap()
        .backend(tenant_harness::Backend::Local)
        .search_cases(0)
        .benchmark(rows)
        .start()
        .await
        .expect("starts")
}

async fn bench(s: Scenario, rows: u64) -> LoadReport {
    let mut h = start(s, Some(rows)).await;
    let settings = quick(&h);
    let report = h.bench(settings, None).await.expect("benchmark runs");
    h.close();
    report
}

#[tokio::test(flavor = "multi_thread")]
async fn the_seeds_membership_policy_fails_the_gate_and_its_rewrite_does_not() {
    const QUERY: &str = "latest orders with their client";
    let seeds = bench(only("supabase-org-to-tenant", QUERY), 20_000).await;
    let q = &seeds.queries[0];
    println!("{}", seeds.human());
    assert!(!q.passed && q.ratio.estimate > 2.0, "{q:#?}");
    assert!(!seeds.passed());
    assert_eq!(seeds.exit_code(), exit::FINDINGS);
    assert!(
        q.plan_after.flags.iter().any(|f| f.kind == "subplan"),
        "{:#?}",
        q.plan_after
    );
    assert!(q.plan_before.flags.is_empty(), "{:#?}", q.plan_before);
    let rewrite = q
        .advice
        .iter()
        .find(|a| a.table == "clients" && a.policy == "Users can view their clients")
        .unwrap_or_else(|| panic!("the clients policy is named: {:#?}", q.advice));
    assert_eq!(
        rewrite.rewrite,
        "tenant_id = (SELECT profiles.tenant_id FROM profiles WHERE profiles.id = (SELECT auth.uid()))"
    );
    assert!(q.before.requests > 0 && q.after.requests > 0 && q.after.failed == 0);

    let rewritten = bench(only("supabase-org-to-tenant-initplan", QUERY), 20_000).await;
    let r = &rewritten.queries[0];
    println!("{}", rewritten.human());
    assert!(
        !r.plan_after.flags.iter().any(|f| f.kind == "subplan"),
        "{:#?}",
        r.plan_after
    );
    assert!(r.advice.is_empty(), "{:#?}", r.advice);
    assert!(
        r.after.tps > 3.0 * q.after.tps,
        "the rewrite is an order of magnitude faster: {} vs {} req/s",
        r.after.tps,
        q.after.tps
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn online_names_the_statement_that_held_the_workload_up() {
    let s = only("supabase-org-to-tenant", "client by id").with_migration(
        "99_slow_lock.sql",
        "LOCK TABLE public.clients IN ACCESS EXCLUSIVE MODE;\nSELECT pg_sleep(0.6);\nCREATE INDEX clients_name ON public.clients (name);\n",
    );
    let mut h = start(s, None).await;
    let settings = quick(&h);
    let online = online::Settings {
        workers: 2,
        timeout: Duration::from_secs(5),
        margin: Duration::from_millis(300),
    };
    let report = h.bench(settings, Some(online)).await.expect("runs");
    h.close();
    let o = report.online.as_ref().expect("online report");
    println!("{}", o.human());
    let sleep = o
        .statements
        .iter()
        .find(|s| s.statement.starts_with("SELECT pg_sleep"))
        .expect("the sleep statement is listed");
    assert_eq!(sleep.file, "99_slow_lock.sql");
    assert!(
        sleep.blocked_ms >= 100.0 && sleep.most_blocked >= 1,
        "{sleep:#?}"
    );
    assert!(sleep.worst_latency_ms >= 100.0, "{sleep:#?}");
    let index = o
        .statements
        .iter()
        .find(|s| s.statement.starts_with("CREATE INDEX clients_name"))
        .expect("listed");
    assert!(index
        .safer
        .as_deref()
        .unwrap_or_default()
        .contains("CONCURRENTLY"));
    assert!(
        o.human()
            .contains("99_slow_lock.sql:2 SELECT pg_sleep(0.6)"),
        "{}",
        o.human()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_broken_workload_query_names_the_scenario_and_the_form() {
    let mut s = only("supabase-org-to-tenant", "client by id");
    s.workload.push(WorkloadSpec {
        name: "broken".into(),
        table: None,
        before: Form::parse("SELECT id FROM clients WHERE org_id = :user").unwrap(),
        after: Form::parse("SELECT no_such_column FROM clients").unwrap(),
        max_overhead: 2.0,
    });
    let mut h = start(s, None).await;
    let settings = quick(&h);
    let err = h
        .bench(settings, None)
        .await
        .expect_err("the query is broken");
    let msg = err.to_string();
    assert_eq!(err.exit_code(), exit::USAGE, "{msg}");
    assert!(
        msg.contains("scenario.toml")
            && msg.contains("`broken (after)`")
            && msg.contains("no_such_column"),
        "{msg}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_workload_query_the_migration_broke_is_a_finding_not_a_scenario_error() {
    let mut s = only("supabase-org-to-tenant", "client by id");
    s.workload.push(WorkloadSpec {
        name: "client notes".into(),
        table: None,
        before: Form::parse("SELECT notes FROM clients WHERE org_id = :user").unwrap(),
        after: Form::parse("SELECT notes FROM clients").unwrap(),
        max_overhead: 2.0,
    });
    let s = s.with_migration(
        "99_drops_notes.sql",
        "ALTER TABLE public.clients DROP COLUMN notes;",
    );
    let mut h = start(s, None).await;
    let settings = quick(&h);
    let report = h
        .bench(settings, None)
        .await
        .expect("a finding, not an error");
    println!("{}", report.human());
    assert_eq!(report.broken.len(), 1, "{:#?}", report.broken);
    assert_eq!(report.broken[0].name, "client notes");
    assert!(report.broken[0].message.contains("notes"));
    assert_eq!(report.queries.len(), 1, "the other query is still measured");
    assert_eq!(report.exit_code(), exit::FINDINGS);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_driver_is_measured_against_pgbench_and_plain_requests() {
    let options = tenant_harness::provision::Options {
        backend: tenant_harness::Backend::Local,
        ..Default::default()
    };
    let e = tenant_harness::bench::efficiency::run(&options, 2, 1.0, 2)
        .await
        .expect("runs");
    println!("{}", e.human());
    for v in [
        &e.pgbench_tps,
        &e.driver_tps,
        &e.plain_tps,
        &e.impersonated_tps,
    ] {
        assert_eq!(v.len(), 2);
        assert!(v.iter().all(|t| *t > 0.0), "{e:#?}");
    }
    assert!(
        e.driver_vs_pgbench.estimate.is_finite() && e.impersonated_vs_plain.estimate.is_finite()
    );
}
