//! JUnit XML (quick-junit): a test suite per scenario and part, a test case
//! per check and subject ([`super::cases`]), so CI systems (GitHub, GitLab,
//! Jenkins) list each failure by name. A scenario that could not be judged
//! is one `error` case carrying the message.

use super::cases::{self, Case};
use super::Document;
use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};
use std::collections::BTreeMap;

/// `doc` as JUnit XML.
pub fn render(doc: &Document) -> String {
    let mut report = Report::new("tenant-harness");
    for o in &doc.scenarios {
        let scenario = o.name();
        let all = cases::of_outcome(o);
        let mut suites: BTreeMap<&str, Vec<TestCase>> = BTreeMap::new();
        for c in &all {
            suites
                .entry(c.suite)
                .or_default()
                .push(test_case(&scenario, c));
        }
        if let Some(e) = &o.error {
            let mut status = TestCaseStatus::non_success(NonSuccessKind::Error);
            status.set_message(e.message.lines().next().unwrap_or_default());
            status.set_description(e.message.clone());
            let mut case = TestCase::new("scenario could not be judged", status);
            case.set_classname(format!("{scenario}.run"));
            suites.entry("run").or_default().push(case);
        }
        for (suite, cases) in suites {
            let mut s = TestSuite::new(format!("{scenario}: {suite}"));
            s.add_test_cases(cases);
            report.add_test_suite(s);
        }
    }
    report.to_string().expect("JUnit XML serialises")
}

fn test_case(scenario: &str, c: &Case<'_>) -> TestCase {
    let status = if c.passed() {
        TestCaseStatus::success()
    } else if c.failures.is_empty() {
        let mut s = TestCaseStatus::skipped();
        s.set_message(c.note.clone().unwrap_or_else(|| "undecided".into()));
        s
    } else {
        let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
        let titles: Vec<String> = c.failures.iter().map(|f| f.title()).collect();
        s.set_message(titles.join("; "));
        s.set_type(if c.failures.len() == 1 {
            "finding".to_string()
        } else {
            format!("{} findings", c.failures.len())
        });
        s.set_description(
            c.failures
                .iter()
                .map(|f| f.text())
                .collect::<Vec<_>>()
                .join("\n\n"),
        );
        s
    };
    let mut case = TestCase::new(c.name.clone(), status);
    case.set_classname(format!("{scenario}.{}", c.suite.replace(' ', "_")));
    if let Some(note) = &c.note {
        case.set_system_out(note.clone());
    }
    case
}
