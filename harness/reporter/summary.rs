//! The table at the end of the human report: one row per scenario and
//! part, with passed and failed counts, coloured when stdout is a terminal.

use super::cases::{self, Case};
use super::Document;
use comfy_table::{presets::UTF8_FULL_CONDENSED, Cell, Color, ContentArrangement, Table};

/// `(suite, cases, passed, failed)` per suite, in first-seen order. A case
/// that is neither (undecided: nothing failed, nothing proven) counts in
/// `cases` only.
pub fn by_suite(cases: &[Case<'_>]) -> Vec<(&'static str, usize, usize, usize)> {
    let mut out: Vec<(&'static str, usize, usize, usize)> = Vec::new();
    for c in cases {
        let passed = usize::from(c.passed());
        let failed = usize::from(!c.failures.is_empty());
        match out.iter_mut().find(|(s, ..)| *s == c.suite) {
            Some(row) => {
                row.1 += 1;
                row.2 += passed;
                row.3 += failed;
            }
            None => out.push((c.suite, 1, passed, failed)),
        }
    }
    out
}

/// The summary table of `doc`, then its verdict line.
pub fn table(doc: &Document, color: bool) -> String {
    let mut t = Table::new();
    t.load_style(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(["scenario", "part", "checks", "passed", "failed", ""]);
    if !color {
        t.force_no_tty();
    } else {
        t.enforce_styling();
    }
    // A suite with an undecided case (nothing failed, nothing proven) is not a pass.
    let status = |failed: bool, undecided: bool| {
        let (text, hue) = match (failed, undecided) {
            (true, _) => ("FAIL", Color::Red),
            (false, true) => ("UNDECIDED", Color::Yellow),
            (false, false) => ("PASS", Color::Green),
        };
        let cell = Cell::new(text);
        if color {
            cell.fg(hue)
        } else {
            cell
        }
    };
    for o in &doc.scenarios {
        let name = o.name();
        let all = cases::of_outcome(o);
        for (suite, total, passed, failed) in by_suite(&all) {
            t.add_row(vec![
                Cell::new(&name),
                Cell::new(suite),
                Cell::new(total),
                Cell::new(passed),
                Cell::new(failed),
                status(failed > 0, passed + failed < total),
            ]);
        }
        if o.error.is_some() {
            t.add_row(vec![
                Cell::new(&name),
                Cell::new("error"),
                Cell::new(""),
                Cell::new(""),
                Cell::new(""),
                status(true, false),
            ]);
        }
    }
    format!(
        "{t}\nverdict: {} (exit {})\n",
        doc.verdict.to_uppercase(),
        doc.exit_code
    )
}
