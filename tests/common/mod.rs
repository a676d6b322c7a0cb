//! Shared helpers of the end-to-end tests. Every test runs against a real
//! PostgreSQL provisioned by the harness itself.
#![allow(dead_code)]

use std::path::PathBuf;
use tenant_harness::{Backend, Harness, HarnessBuilder, Report};

/// The scenario every known-bad variant starts from.
pub fn scenario_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scenarios/supabase-org-to-tenant")
}

/// A known-bad migration from tests/known-bad/.
pub fn known_bad(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/known-bad")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The scenario on the local backend (the fastest; docker has its own test).
pub fn local() -> HarnessBuilder {
    Harness::builder(scenario_dir())
        .expect("scenario loads")
        .backend(Backend::Local)
}

/// Runs the scenario with `file` (from tests/known-bad/) appended as its last migration.
pub async fn run_with(file: &str) -> Report {
    let mut h = local()
        .migration(&format!("99_{file}"), &known_bad(file))
        .start()
        .await
        .expect("the variant migrates");
    let report = h.check().await.expect("checks run");
    h.close();
    report
}

/// The distinct check ids of a report's findings.
pub fn checks(report: &Report) -> Vec<String> {
    let mut c: Vec<String> = report
        .findings
        .iter()
        .map(|f| f.check.to_string())
        .collect();
    c.sort();
    c.dedup();
    c
}

/// A scenario folder under scenarios/ on the local backend.
pub fn local_in(scenario: &str) -> HarnessBuilder {
    Harness::builder(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("scenarios")
            .join(scenario),
    )
    .expect("scenario loads")
    .backend(Backend::Local)
}

/// The audit findings of `rule` that fail the run, by object.
pub fn failing_audit(report: &Report, rule: &str) -> Vec<String> {
    report
        .audit
        .iter()
        .filter(|a| a.rule == rule && a.fails())
        .map(|a| a.object.clone())
        .collect()
}

/// Copies a folder tree (a scenario to vary in a temp dir).
pub fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}
