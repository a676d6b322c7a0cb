//! Micro-benchmarks of the pipeline's CPU-bound hot paths: splitting
//! migration files into statements, and generating seed rows. (Benchmarks
//! against a live server come with the load benchmark.)

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::hint::black_box;
use tenant_harness::migrate::split::split;
use tenant_harness::Scenario;

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

criterion_group!(benches, split_migrations, generate_values);
criterion_main!(benches);
