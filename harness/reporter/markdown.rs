//! GitHub-flavoured Markdown for a pull request or a job summary: a verdict
//! line per scenario, a table of the parts, then every failure with what
//! it says, and the benchmark's queries.

use super::cases::{self, Case};
use super::Document;
use std::fmt::Write as _;

/// `doc` as Markdown.
pub fn render(doc: &Document) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "## tenant-harness {}: {}\n",
        doc.command,
        if doc.passed() { "✅ pass" } else { "❌ fail" }
    );
    for s in &doc.scenarios {
        let name = s.name();
        let all = cases::of_outcome(s);
        let mark = if s.exit_code() == 0 { "✅" } else { "❌" };
        let _ = writeln!(o, "### {mark} `{name}`\n");
        if let Some(r) = &s.checks {
            let _ = writeln!(
                o,
                "PostgreSQL {} ({}), seed {}; replay: `{}`\n",
                r.server_version, r.backend, r.seed, r.replay
            );
        }
        if let Some(e) = &s.error {
            let _ = writeln!(o, "**Could not be judged** (exit {}):\n", e.exit_code);
            let _ = writeln!(o, "```text\n{}\n```\n", e.message);
        }
        if !all.is_empty() {
            let _ = writeln!(o, "| part | checks | passed | failed |");
            let _ = writeln!(o, "|---|---:|---:|---:|");
            for (suite, total, passed, failed) in super::summary::by_suite(&all) {
                let _ = writeln!(
                    o,
                    "| {suite} | {total} | {} | {} |",
                    passed,
                    if failed > 0 {
                        format!("**{failed}**")
                    } else {
                        "0".into()
                    }
                );
            }
            let _ = writeln!(o);
        }
        if let Some(b) = &s.bench {
            let _ = writeln!(
                o,
                "| query | before req/s | after req/s | after/before (95 %) | limit | |"
            );
            let _ = writeln!(o, "|---|---:|---:|---:|---:|---|");
            for q in &b.queries {
                let _ = writeln!(
                    o,
                    "| {} | {:.0} | {:.0} | {:.2}× ({:.2}–{:.2}) | {:.2}× | {} |",
                    escape(&q.name),
                    q.before.tps,
                    q.after.tps,
                    q.ratio.estimate,
                    q.ratio.low,
                    q.ratio.high,
                    q.max_overhead,
                    if q.passed { "✅" } else { "❌" }
                );
            }
            let _ = writeln!(o);
        }
        let failing: Vec<&Case<'_>> = all.iter().filter(|c| !c.failures.is_empty()).collect();
        if !failing.is_empty() {
            let _ = writeln!(
                o,
                "<details open><summary>{} failing check(s)</summary>\n",
                failing.len()
            );
            for c in failing {
                let _ = writeln!(o, "- **{}: {}**", c.suite, escape(&c.name));
                for f in &c.failures {
                    let text = f.text().replace('\n', "\n    ");
                    let _ = writeln!(o, "  - {}", escape(&text));
                }
            }
            let _ = writeln!(o, "\n</details>\n");
        }
        for c in all.iter().filter(|c| c.undecided) {
            let _ = writeln!(
                o,
                "⚠️ **{}: {}** undecided: {}\n",
                c.suite,
                escape(&c.name),
                escape(c.note.as_deref().unwrap_or("nothing was proven"))
            );
        }
    }
    o
}

/// Keeps table cells and list items intact.
fn escape(s: &str) -> String {
    s.replace('|', "\\|").replace('<', "&lt;")
}
