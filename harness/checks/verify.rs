//! The migration plan's own verification queries (`[[verify]]`): the
//! distribution by tenant, NULL counts, constraint checks the seeds list.
//! Each runs after the migration as the superuser; its result goes into the
//! report, and a stated expectation that does not hold is a finding.
//!
//! Columns whose names say they hold secrets (keys, tokens, passwords,
//! credentials) are redacted: the report never carries them.

use super::CheckId;
use crate::checks::Finding;
use crate::error::Result;
use crate::redact::{is_secret_column, MASK};
use crate::scenario::VerifySpec;
use serde::Serialize;
use tokio_postgres::{Client, SimpleQueryMessage};

/// How many result rows the report keeps per query.
const MAX_ROWS: usize = 50;

/// One verification query and what it returned.
#[derive(Debug, Clone, Serialize)]
pub struct VerifyResult {
    /// Name, from the scenario.
    pub name: String,
    /// Column names of the (last) result.
    pub columns: Vec<String>,
    /// Up to 50 rows, as text; secret columns redacted.
    pub rows: Vec<Vec<String>>,
    /// The expected first value, when the scenario states one.
    pub expect: Option<String>,
    /// Whether it held; `None` without an expectation.
    pub passed: Option<bool>,
}

/// Runs every query; a failing one is a finding, not an abort.
pub async fn run(
    client: &Client,
    specs: &[VerifySpec],
) -> Result<(Vec<VerifyResult>, Vec<Finding>)> {
    let mut results = Vec::new();
    let mut findings = Vec::new();
    for spec in specs {
        let mut r = VerifyResult {
            name: spec.name.clone(),
            columns: vec![],
            rows: vec![],
            expect: spec.expect.clone(),
            passed: None,
        };
        match client.simple_query(&spec.sql).await {
            Ok(messages) => {
                for m in messages {
                    match m {
                        SimpleQueryMessage::RowDescription(cols) => {
                            r.columns = cols.iter().map(|c| c.name().to_string()).collect();
                            r.rows.clear();
                        }
                        SimpleQueryMessage::Row(row) if r.rows.len() < MAX_ROWS => {
                            r.rows.push(
                                (0..row.len())
                                    .map(|i| {
                                        if r.columns.get(i).is_some_and(|c| is_secret_column(c)) {
                                            MASK.to_string()
                                        } else {
                                            row.get(i).unwrap_or("NULL").to_string()
                                        }
                                    })
                                    .collect(),
                            );
                        }
                        _ => {}
                    }
                }
                if let Some(want) = &spec.expect {
                    let got = r
                        .rows
                        .first()
                        .and_then(|row| row.first())
                        .map_or("(no rows)", String::as_str);
                    let ok = got == want;
                    r.passed = Some(ok);
                    if !ok {
                        findings.push(Finding::new(
                            CheckId::VerifyFailed,
                            format!("`{}` returned {got}, the plan expects {want}", spec.name),
                        ));
                    }
                }
            }
            Err(e) => {
                r.passed = Some(false);
                let msg = e.as_db_error().map_or(e.to_string(), |d| {
                    format!("{} {}", d.code().code(), d.message())
                });
                findings.push(Finding::new(
                    CheckId::VerifyError,
                    format!("`{}` failed: {msg}", spec.name),
                ));
            }
        }
        results.push(r);
    }
    Ok((results, findings))
}
