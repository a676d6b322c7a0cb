//! One self-contained HTML page (no scripts, no fetched styles: it opens
//! offline and from a CI artifact): per scenario, the parts' table, each
//! failure, and for a benchmark two plots drawn by plotters as inline SVG:
//! latency before and after per query (median with a whisker to p99), and
//! the overhead per query with its 95 % interval against the limit.

use super::cases;
use super::Document;
use crate::bench::LoadReport;
use plotters::prelude::*;
use std::fmt::Write as _;

/// `doc` as an HTML page.
pub fn render(doc: &Document) -> String {
    let mut o = String::new();
    let _ = write!(
        o,
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>tenant-harness {cmd}: {verdict}</title>\
         <style>body{{font-family:system-ui,sans-serif;margin:2em;max-width:70em}}\
         table{{border-collapse:collapse;margin:1em 0}}td,th{{border:1px solid #ccc;padding:.2em .6em;text-align:left}}\
         .pass{{color:#17803d}}.fail{{color:#c22}}.undecided{{color:#a60}}pre{{white-space:pre-wrap;background:#f6f6f6;padding:.5em}}\
         figure{{margin:1em 0}}</style></head><body>\n<h1>tenant-harness {cmd}: <span class=\"{verdict}\">{verdict}</span></h1>\n<p>{tool}, exit code {code}</p>\n",
        cmd = esc(&doc.command),
        verdict = doc.verdict,
        tool = esc(&doc.tool),
        code = doc.exit_code
    );
    for s in &doc.scenarios {
        let all = cases::of_outcome(s);
        let class = if s.exit_code() == 0 { "pass" } else { "fail" };
        let _ = writeln!(
            o,
            "<h2>{} <span class=\"{class}\">{class}</span></h2>",
            esc(&s.name())
        );
        if let Some(r) = &s.checks {
            let _ = writeln!(
                o,
                "<p>PostgreSQL {} ({}), seed {}. Replay: <code>{}</code></p>",
                esc(&r.server_version),
                esc(&r.backend),
                r.seed,
                esc(&r.replay)
            );
        }
        if let Some(e) = &s.error {
            let _ = writeln!(
                o,
                "<p class=\"fail\">Could not be judged (exit {}):</p><pre>{}</pre>",
                e.exit_code,
                esc(&e.message)
            );
        }
        if !all.is_empty() {
            let _ = writeln!(
                o,
                "<table><tr><th>part</th><th>checks</th><th>passed</th><th>failed</th></tr>"
            );
            for (suite, total, passed, failed) in super::summary::by_suite(&all) {
                let class = match (failed, passed + failed < total) {
                    (0, false) => "pass",
                    (0, true) => "undecided",
                    _ => "fail",
                };
                let _ = writeln!(
                    o,
                    "<tr><td>{suite}</td><td>{total}</td><td>{}</td><td class=\"{class}\">{failed}</td></tr>",
                    passed
                );
            }
            let _ = writeln!(o, "</table>");
        }
        for c in all.iter().filter(|c| !c.failures.is_empty()) {
            let _ = writeln!(o, "<h3 class=\"fail\">{}: {}</h3>", c.suite, esc(&c.name));
            for f in &c.failures {
                let _ = writeln!(o, "<pre>{}</pre>", esc(&f.text()));
            }
        }
        if let Some(b) = &s.bench {
            bench_section(&mut o, b);
        }
    }
    o.push_str("</body></html>\n");
    o
}

fn bench_section(o: &mut String, b: &LoadReport) {
    let _ = writeln!(
        o,
        "<h3>Load benchmark: {} rows, {} actors</h3>",
        b.rows, b.actors
    );
    let _ = writeln!(
        o,
        "<table><tr><th>query</th><th>before req/s</th><th>after req/s</th><th>before p50 / p99 ms</th><th>after p50 / p99 ms</th><th>after/before (95 %)</th><th>limit</th></tr>"
    );
    for q in &b.queries {
        let class = if q.passed { "pass" } else { "fail" };
        let _ = writeln!(
            o,
            "<tr><td>{}</td><td>{:.0}</td><td>{:.0}</td><td>{:.2} / {:.2}</td><td>{:.2} / {:.2}</td><td class=\"{class}\">{:.2}× ({:.2}–{:.2})</td><td>{:.2}×</td></tr>",
            esc(&q.name),
            q.before.tps,
            q.after.tps,
            q.before.p50_ms,
            q.before.p99_ms,
            q.after.p50_ms,
            q.after.p99_ms,
            q.ratio.estimate,
            q.ratio.low,
            q.ratio.high,
            q.max_overhead
        );
    }
    let _ = writeln!(o, "</table>");
    for svg in [latency_plot(b), overhead_plot(b)].into_iter().flatten() {
        let _ = writeln!(o, "<figure>{svg}</figure>");
    }
}

/// Median latency before and after per query, whiskers to p99 (log scale).
fn latency_plot(b: &LoadReport) -> Option<String> {
    if b.queries.is_empty() {
        return None;
    }
    let names: Vec<String> = b.queries.iter().map(|q| q.name.clone()).collect();
    let lows = b
        .queries
        .iter()
        .flat_map(|q| [q.before.p50_ms, q.after.p50_ms]);
    let highs = b
        .queries
        .iter()
        .flat_map(|q| [q.before.p99_ms, q.after.p99_ms]);
    let low = lows.fold(f64::INFINITY, f64::min).max(0.001) / 2.0;
    let high = highs.fold(0.0_f64, f64::max).max(low * 4.0) * 2.0;
    let n = names.len();
    let mut svg = String::new();
    {
        let root =
            SVGBackend::with_string(&mut svg, (900, 120 + 50 * n as u32)).into_drawing_area();
        root.fill(&WHITE).ok()?;
        let mut chart = ChartBuilder::on(&root)
            .caption(
                "Latency per query: median, whisker to p99 (ms, log scale)",
                ("sans-serif", 18),
            )
            .margin(10)
            .x_label_area_size(35)
            .y_label_area_size(260)
            .build_cartesian_2d((low..high).log_scale(), -0.5..(n as f64 - 0.5))
            .ok()?;
        chart
            .configure_mesh()
            .y_labels(n)
            .y_label_formatter(&|y| label(&names, *y))
            .x_desc("ms")
            .draw()
            .ok()?;
        for (side, color, offset) in [("before", BLUE, -0.15), ("after", RED, 0.15)] {
            // (row, median, p99) per query, kept above the log axis's floor.
            let points: Vec<(f64, f64, f64)> = b
                .queries
                .iter()
                .enumerate()
                .map(|(i, q)| {
                    let f = if side == "before" {
                        &q.before
                    } else {
                        &q.after
                    };
                    (i as f64 + offset, f.p50_ms.max(low), f.p99_ms.max(low))
                })
                .collect();
            chart
                .draw_series(points.iter().map(|&(y, p50, p99)| {
                    ErrorBar::new_horizontal(y, p50, p50, p99, color.filled(), 8)
                }))
                .ok()?
                .label(side)
                .legend(move |(x, y)| Circle::new((x, y), 4, color.filled()));
            chart
                .draw_series(
                    points
                        .iter()
                        .map(|&(y, p50, _)| Circle::new((p50, y), 4, color.filled())),
                )
                .ok()?;
        }
        chart
            .configure_series_labels()
            .border_style(BLACK)
            .background_style(WHITE.mix(0.8))
            .draw()
            .ok()?;
        root.present().ok()?;
    }
    Some(svg)
}

/// after ÷ before per query with its 95 % interval, and the limit.
fn overhead_plot(b: &LoadReport) -> Option<String> {
    if b.queries.is_empty() {
        return None;
    }
    let names: Vec<String> = b.queries.iter().map(|q| q.name.clone()).collect();
    let n = names.len();
    let high = b
        .queries
        .iter()
        .map(|q| q.ratio.high.max(q.max_overhead))
        .fold(1.0_f64, f64::max)
        * 1.15;
    let mut svg = String::new();
    {
        let root =
            SVGBackend::with_string(&mut svg, (900, 120 + 40 * n as u32)).into_drawing_area();
        root.fill(&WHITE).ok()?;
        let mut chart = ChartBuilder::on(&root)
            .caption(
                "Overhead per query: after ÷ before mean latency, 95 % interval; dashed: limit",
                ("sans-serif", 18),
            )
            .margin(10)
            .x_label_area_size(35)
            .y_label_area_size(260)
            .build_cartesian_2d(0.0..high, -0.5..(n as f64 - 0.5))
            .ok()?;
        chart
            .configure_mesh()
            .y_labels(n)
            .y_label_formatter(&|y| label(&names, *y))
            .x_desc("after ÷ before")
            .draw()
            .ok()?;
        chart
            .draw_series(b.queries.iter().enumerate().map(|(i, q)| {
                let color = if q.passed { GREEN } else { RED };
                let y = i as f64;
                Rectangle::new(
                    [(0.0, y - 0.3), (q.ratio.estimate, y + 0.3)],
                    color.mix(0.6).filled(),
                )
            }))
            .ok()?;
        chart
            .draw_series(b.queries.iter().enumerate().map(|(i, q)| {
                ErrorBar::new_horizontal(
                    i as f64,
                    q.ratio.low,
                    q.ratio.estimate,
                    q.ratio.high,
                    BLACK.filled(),
                    10,
                )
            }))
            .ok()?;
        for (i, q) in b.queries.iter().enumerate() {
            let y = i as f64;
            chart
                .draw_series(DashedLineSeries::new(
                    [(q.max_overhead, y - 0.45), (q.max_overhead, y + 0.45)],
                    4,
                    3,
                    BLACK.stroke_width(2),
                ))
                .ok()?;
        }
        root.present().ok()?;
    }
    Some(svg)
}

/// The query name at a y-axis tick, blank between queries.
fn label(names: &[String], y: f64) -> String {
    let i = y.round();
    if (y - i).abs() > 0.01 || i < 0.0 {
        return String::new();
    }
    names.get(i as usize).cloned().unwrap_or_default()
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
