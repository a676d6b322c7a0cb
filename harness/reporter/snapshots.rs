//! Snapshot tests of the reporters: a fixed report with a failure, an
//! accepted audit finding and an undecided leak search, rendered in every
//! text format and compared with the files under `reporter/snapshots/`.
//! Run with `TENANT_HARNESS_UPDATE_SNAPSHOTS=1` to rewrite them after an
//! intended change, then read the diff.

use super::{render, Document, Format, Outcome};
use crate::checks::audit::{AuditFinding, Level};
use crate::checks::integrity::TableIntegrity;
use crate::checks::{CheckId, Finding, Part};
use crate::redact::Redactor;
use crate::report::Report;
use std::path::{Path, PathBuf};

fn table(name: &str, misassigned: u64) -> TableIntegrity {
    TableIntegrity {
        table: name.into(),
        rows_before: 10,
        rows_after: 10,
        lost: 0,
        changed: 0,
        added: 0,
        null_tenant: 0,
        misassigned,
    }
}

/// A fixed report: two failures, an accepted audit finding, an undecided search.
pub(super) fn report() -> Report {
    Report {
        format_version: 1,
        scenario: "snap".into(),
        backend: "local".into(),
        server: "local PostgreSQL".into(),
        server_version: "15".into(),
        seed: 7,
        replay: "tenant-harness run scenarios/snap --seed 7".into(),
        parts: vec![Part::Integrity, Part::Isolation, Part::Search, Part::Audit],
        phases: Vec::new(),
        seeding: None,
        migrations: Vec::new(),
        integrity: vec![table("clients", 0), table("Weird Table", 2)],
        tenants: Default::default(),
        verify: Vec::new(),
        after: None,
        isolation: Default::default(),
        rollback: None,
        search: None,
        writes: Default::default(),
        audit: vec![AuditFinding {
            rule: "fk_without_tenant".into(),
            level: Level::Warning,
            object: "notes notes_doc_fkey".into(),
            detail: "FOREIGN KEY (doc) REFERENCES docs(id)".into(),
            proven_by: Some(CheckId::WriteChildOfForeignParent),
            accepted: Some("keys are random".into()),
        }],
        findings: vec![
            Finding::new(
                CheckId::IntegrityMisassigned,
                "2 row(s) are not in their owner's tenant",
            )
            .table("Weird Table")
            .row(Some("42"))
            .count(2),
            Finding::new(CheckId::IsolationForeignRows, "sees 3 row(s) of tenant b")
                .table("clients")
                .actor("a@example.com")
                .count(3),
        ],
        undecided: vec![Finding::new(
            CheckId::SearchNothingJudged,
            "the leak search judged no case: no identity to act as",
        )],
        verdict: "fail".into(),
    }
}

fn document() -> Document {
    let mut o = Outcome::new(Path::new("scenarios/snap"));
    o.checks = Some(report());
    let mut doc = Document::new("check", vec![o]);
    doc.tool = "tenant-harness (snapshot)".into();
    doc
}

fn check(name: &str, text: &str) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("harness/reporter/snapshots")
        .join(name);
    if std::env::var_os("TENANT_HARNESS_UPDATE_SNAPSHOTS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; run with TENANT_HARNESS_UPDATE_SNAPSHOTS=1 to write it",
            path.display()
        )
    });
    assert_eq!(
        text,
        want,
        "{name} changed; if intended, rerun with TENANT_HARNESS_UPDATE_SNAPSHOTS=1 and read the diff"
    );
}

#[test]
fn markdown_is_as_snapshotted() {
    check(
        "report.md",
        &render(&document(), Format::Markdown, &Redactor::new([]), false),
    );
}

#[test]
fn junit_is_as_snapshotted() {
    check(
        "junit.xml",
        &render(&document(), Format::Junit, &Redactor::new([]), false),
    );
}

#[test]
fn the_human_report_is_as_snapshotted() {
    check(
        "human.txt",
        &render(&document(), Format::Human, &Redactor::new([]), false),
    );
}

#[test]
fn json_is_as_snapshotted() {
    check(
        "report.json",
        &render(&document(), Format::Json, &Redactor::new([]), false),
    );
}
