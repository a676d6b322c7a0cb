//! Per-request latency of workload queries before and after the migration,
//! against a real PostgreSQL (the local backend), through the load
//! driver's own request path: criterion times batches of requests with
//! `iter_custom`, so connection setup and planning stay out of the figures.
//!
//! `cargo bench --bench load` (needs PostgreSQL binaries; see README).

use criterion::{criterion_group, criterion_main, Criterion};
use tenant_harness::bench::driver::{Arg, Caller, Pool, Target};
use tenant_harness::impersonate::begin_as;
use tenant_harness::{Backend, Harness};

const QUERIES: [&str; 3] = [
    "latest 50 clients",
    "orders per status",
    "latest orders with their client",
];

fn before_and_after(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let dir =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/supabase-org-to-tenant");
    let (harness, mut pool) = rt.block_on(async {
        let h = Harness::builder(&dir)
            .expect("scenario")
            .backend(Backend::Local)
            .benchmark(Some(50_000))
            .start()
            .await
            .expect("harness starts");
        let user = h.users()[0].clone();
        let actor = h.actor(&user).await.expect("actor");
        let begin = begin_as(&actor.who());
        let mut targets = Vec::new();
        for name in QUERIES {
            let q = h
                .scenario()
                .workload
                .iter()
                .find(|w| w.name == name)
                .expect("workload query");
            for (db, form, begin) in [
                (0, &q.before, "BEGIN".to_string()),
                (1, &q.after, begin.clone()),
            ] {
                let args = form
                    .params
                    .iter()
                    .map(|_| Arg::One(user.id.to_string()))
                    .collect();
                targets.push(Target {
                    name: name.into(),
                    db,
                    sql: form.sql.clone(),
                    callers: vec![Caller {
                        begin: Some(begin),
                        args,
                    }],
                });
            }
        }
        let dbs = [
            h.baseline().expect("baseline copy").config().clone(),
            h.database().config().clone(),
        ];
        let pool = Pool::open(&dbs, 1, &targets, None, h.seed())
            .await
            .expect("pool");
        (h, pool)
    });
    let mut g = c.benchmark_group("workload");
    g.sample_size(20);
    for (i, name) in QUERIES.iter().enumerate() {
        for (side, target) in [("before", 2 * i), ("after", 2 * i + 1)] {
            g.bench_function(format!("{name} ({side})"), |b| {
                b.iter_custom(|iters| rt.block_on(pool.time(target, iters)))
            });
        }
    }
    g.finish();
    drop(pool);
    harness.close();
}

criterion_group!(benches, before_and_after);
criterion_main!(benches);
