//! A report as a list of test cases: what JUnit, Markdown and the summary
//! table show. One case per check and subject (a table, a verification
//! query, an audit rule's object, a benchmark query), so that CI lists each
//! failure on its own line and a case keeps its name from run to run.
//!
//! Every finding lands in exactly one case: a finding no planned case
//! claims gets a case of its own, so nothing a check found can go missing
//! from a CI report.

use crate::bench::LoadReport;
use crate::checks::{CheckId, Finding};
use crate::report::{Part, Report};

/// One test case.
#[derive(Debug, Clone)]
pub struct Case<'a> {
    /// Its group: `integrity`, `isolation`, `writes`, `leak search`, `audit`, `rollback`, `bench`.
    pub suite: &'static str,
    /// Its name within the suite (a table, a query, `rule: object`).
    pub name: String,
    /// What failed; empty when it passed.
    pub failures: Vec<Failure<'a>>,
    /// A line worth showing even when it passed (an accepted audit finding, a ratio).
    pub note: Option<String>,
    /// Nothing failed, but nothing was proven either: never shown as passed.
    pub undecided: bool,
}

/// One reason a case failed.
#[derive(Debug, Clone)]
pub enum Failure<'a> {
    /// A finding of the checks.
    Finding(&'a Finding),
    /// A benchmark verdict (query over its limit, failed requests).
    Text(String),
}

impl Failure<'_> {
    /// A one-line title for the failure.
    pub fn title(&self) -> String {
        match self {
            Failure::Finding(f) => {
                let mut t = f.check.to_string();
                if let Some(a) = &f.actor {
                    t.push_str(&format!(" as {a}"));
                }
                t
            }
            Failure::Text(t) => t.lines().next().unwrap_or_default().to_string(),
        }
    }

    /// The whole text.
    pub fn text(&self) -> String {
        match self {
            Failure::Finding(f) => {
                let mut t = format!("{}: {}", f.check, f.message);
                if let Some(a) = &f.actor {
                    t.push_str(&format!("\n  actor: {a}"));
                }
                if let Some(r) = &f.row {
                    t.push_str(&format!("\n  example row: {r}"));
                }
                t
            }
            Failure::Text(t) => t.clone(),
        }
    }
}

impl Case<'_> {
    /// Whether nothing failed and something was proven.
    pub fn passed(&self) -> bool {
        self.failures.is_empty() && !self.undecided
    }
}

/// Every case of one scenario's outcome: its checks', then its benchmark's.
pub fn of_outcome(o: &super::Outcome) -> Vec<Case<'_>> {
    let mut all = o.checks.as_ref().map(of_checks).unwrap_or_default();
    if let Some(b) = &o.bench {
        all.extend(of_bench(b));
    }
    all
}

/// The cases of a checks report.
pub fn of_checks(report: &Report) -> Vec<Case<'_>> {
    let mut cases: Vec<Case<'_>> = Vec::new();
    let plan = |cases: &mut Vec<Case<'_>>, suite: &'static str, name: String| {
        cases.push(Case {
            suite,
            name,
            failures: Vec::new(),
            note: None,
            undecided: false,
        });
    };
    let tables: Vec<&str> = report.integrity.iter().map(|t| t.table.as_str()).collect();
    let ran = |p: Part| report.parts.contains(&p);
    if ran(Part::Integrity) {
        for t in &tables {
            plan(&mut cases, Part::Integrity.suite(), t.to_string());
        }
        plan(&mut cases, Part::Integrity.suite(), "tenants".into());
        for v in &report.verify {
            plan(
                &mut cases,
                Part::Integrity.suite(),
                format!("verify: {}", v.name),
            );
        }
    }
    if ran(Part::Isolation) {
        for t in &tables {
            plan(&mut cases, Part::Isolation.suite(), t.to_string());
        }
    }
    if ran(Part::Writes) {
        for t in &tables {
            plan(&mut cases, Part::Writes.suite(), t.to_string());
        }
    }
    if ran(Part::Search) {
        plan(&mut cases, Part::Search.suite(), "leak search".into());
        if let (Some(last), Some(u)) = (cases.last_mut(), report.undecided.first()) {
            last.note = Some(format!("undecided ({}): {}", u.check, u.message));
            last.undecided = true;
        }
    }
    if ran(Part::Audit) {
        for a in &report.audit {
            let name = format!("{}: {}", a.rule, a.object);
            plan(&mut cases, Part::Audit.suite(), name.clone());
            if let Some(last) = cases.last_mut() {
                last.note = match (&a.accepted, a.fails()) {
                    (Some(r), _) => Some(format!("accepted: {r}")),
                    (None, false) => Some(format!("{} level: {}", a.level, a.detail)),
                    (None, true) => None,
                };
            }
        }
    }
    if ran(Part::Rollback) {
        for t in &tables {
            plan(&mut cases, Part::Rollback.suite(), t.to_string());
        }
    }
    for f in &report.findings {
        let suite = f.check.part().suite();
        let name = match (f.check, f.check.part(), &f.table) {
            (CheckId::VerifyFailed | CheckId::VerifyError, _, _) => report
                .verify
                .iter()
                .find(|v| f.message.contains(&format!("`{}`", v.name)))
                .map(|v| format!("verify: {}", v.name)),
            (CheckId::Audit(rule), _, Some(object)) => Some(format!("{rule}: {object}")),
            (_, Part::Search, _) => Some("leak search".into()),
            (_, _, Some(t)) => Some(t.clone()),
            (_, Part::Integrity, None) => Some("tenants".into()),
            _ => None,
        }
        .unwrap_or_else(|| f.check.to_string());
        match cases
            .iter_mut()
            .find(|c| c.suite == suite && c.name == name)
        {
            Some(c) => c.failures.push(Failure::Finding(f)),
            None => cases.push(Case {
                suite,
                name,
                failures: vec![Failure::Finding(f)],
                note: None,
                undecided: false,
            }),
        }
    }
    cases
}

/// The cases of a load benchmark: one per workload query, and the online run.
pub fn of_bench(report: &LoadReport) -> Vec<Case<'_>> {
    let mut cases: Vec<Case<'_>> = report
        .queries
        .iter()
        .map(|q| {
            let ratio = format!(
                "after/before {:.2}x (95 % {:.2}–{:.2}), limit {:.2}x; {:.0} → {:.0} req/s",
                q.ratio.estimate,
                q.ratio.low,
                q.ratio.high,
                q.max_overhead,
                q.before.tps,
                q.after.tps
            );
            let mut failures = Vec::new();
            if !q.passed {
                let mut why = format!("{}: {ratio}", q.name);
                for (side, f) in [("before", &q.before), ("after", &q.after)] {
                    if f.failed > 0 {
                        why.push_str(&format!(
                            "\n{} {side} requests failed: {}",
                            f.failed,
                            f.first_error.as_deref().unwrap_or("")
                        ));
                    }
                }
                for a in &q.advice {
                    why.push_str(&format!(
                        "\n{} {}: {}\n  fix: {}",
                        a.table, a.policy, a.cause, a.rewrite
                    ));
                }
                failures.push(Failure::Text(why));
            }
            Case {
                suite: "bench",
                name: q.name.clone(),
                failures,
                note: Some(ratio),
                undecided: false,
            }
        })
        .collect();
    for b in &report.broken {
        cases.push(Case {
            suite: "bench",
            name: b.name.clone(),
            failures: vec![Failure::Text(format!(
                "{}: the migration broke it: {}",
                b.name, b.message
            ))],
            note: None,
            undecided: false,
        });
    }
    if let Some(o) = &report.online {
        cases.push(Case {
            suite: "bench",
            name: "migration under load".into(),
            failures: if o.passed() {
                Vec::new()
            } else {
                vec![Failure::Text(o.human())]
            },
            note: None,
            undecided: false,
        });
    }
    cases
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_finding_lands_in_exactly_one_case_of_its_parts_suite() {
        let mut report = crate::reporter::snapshots::report();
        report.findings = CheckId::ALL
            .iter()
            .map(|id| Finding::new(*id, format!("{id} happened")).table("clients"))
            .chain([Finding::new(CheckId::Audit("fk_without_tenant"), "x")
                .table("notes notes_doc_fkey")])
            .collect();
        let cases = of_checks(&report);
        for f in &report.findings {
            let holding: Vec<&Case<'_>> = cases
                .iter()
                .filter(|c| {
                    c.failures
                        .iter()
                        .any(|x| matches!(x, Failure::Finding(g) if std::ptr::eq(*g, f)))
                })
                .collect();
            assert_eq!(holding.len(), 1, "{}", f.check);
            assert_eq!(holding[0].suite, f.check.part().suite(), "{}", f.check);
        }
        assert_eq!(CheckId::PrivilegeTruncate.part().suite(), "writes");
        assert_eq!(CheckId::EscalationOwnTenant.part().suite(), "writes");
        assert_eq!(CheckId::SearchDivergence.part().suite(), "leak search");
    }
}
