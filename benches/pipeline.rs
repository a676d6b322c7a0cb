//! Micro-benchmarks of the pipeline's CPU-bound hot paths: splitting
//! migration files into statements, generating seed rows, and the load
//! benchmark's own bookkeeping (parsing workload SQL, reading plans, the
//! ratio interval). Requests against a live server are in benches/load.rs.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::hint::black_box;
use tenant_harness::Scenario;
use tenant_sql::split;

fn split_migrations(c: &mut Criterion) {
    let dir =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/supabase-org-to-tenant");
    let scenario = Scenario::load(dir).expect("scenario");
    let sql: String = scenario
        .migrations
        .iter()
        .map(|m| m.sql.as_str())
        .collect::<Vec<_>>()
        .join("\n");
    let mut g = c.benchmark_group("migrate");
    g.throughput(Throughput::Bytes(sql.len() as u64));
    g.bench_function("split scenario migrations", |b| {
        b.iter(|| split(black_box(&sql)))
    });
    g.finish();

    // Large files: the time per byte must not grow with the size (linear).
    let mut g = c.benchmark_group("migrate large files");
    g.sample_size(10);
    for mb in [1usize, 4, 16] {
        let big = sql.repeat((mb << 20) / sql.len() + 1);
        g.throughput(Throughput::Bytes(big.len() as u64));
        g.bench_function(format!("split {mb} MB"), |b| {
            b.iter(|| split(black_box(&big)))
        });
    }
    g.finish();
}

fn generate_values(c: &mut Criterion) {
    use postgres_types::Type;
    use tenant_seed::catalog::Column;
    let cols = [
        Column::plain("id", Type::UUID),
        Column::plain("email", Type::TEXT),
        Column::plain("name", Type::TEXT),
        Column::plain("amount", Type::NUMERIC),
        Column::plain("created_at", Type::TIMESTAMPTZ),
    ];
    let mut rng = tenant_seed::rng::stream(1, "bench");
    let mut g = c.benchmark_group("seed");
    g.throughput(Throughput::Elements(1));
    g.bench_function("generate one 5-column row", |b| {
        let mut row = 0u64;
        b.iter(|| {
            row += 1;
            cols.iter()
                .map(|c| tenant_seed::generate::value(c, row, false, &mut rng))
                .collect::<Vec<_>>()
        })
    });
    g.finish();
}

fn load_hot_paths(c: &mut Criterion) {
    use tenant_harness::bench::{explain, stats};
    use tenant_harness::scenario::Form;
    let mut g = c.benchmark_group("bench");
    let sql = "SELECT o.order_number, c.name FROM orders o JOIN clients c ON c.id = o.client_id WHERE o.org_id = :user AND o.tenant_id = :tenant::uuid ORDER BY o.created_at DESC LIMIT 20";
    g.bench_function("parse a workload query", |b| {
        b.iter(|| Form::parse(black_box(sql)))
    });
    let doc = serde_json::json!([{ "Execution Time": 12.5, "Plan": {
        "Node Type": "Limit", "Actual Rows": 50, "Actual Loops": 1, "Plan Rows": 50,
        "Plans": [{ "Node Type": "Seq Scan", "Relation Name": "clients", "Parent Relationship": "Outer",
            "Actual Rows": 50, "Actual Loops": 1, "Plan Rows": 40, "Rows Removed by Filter": 20000,
            "Filter": "((org_id = auth.uid()) OR (hashed SubPlan 1))" }] } }]);
    let tables = vec!["clients".to_string()];
    g.bench_function("read an EXPLAIN plan", |b| {
        b.iter(|| explain::read(black_box(&doc), &tables))
    });
    let ratios: Vec<f64> = (0..8).map(|i| 1.0 + i as f64 / 10.0).collect();
    g.bench_function("ratio interval of 8 rounds", |b| {
        b.iter(|| stats::ratio_interval(black_box(&ratios)))
    });
    g.finish();
}

criterion_group!(benches, split_migrations, generate_values, load_hot_paths);
criterion_main!(benches);
