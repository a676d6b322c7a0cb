//! Applies SQL files: `before.sql` and each migration, every file in its own
//! transaction, statement by statement, timing each.
//!
//! Running statements one by one costs nothing noticeable and buys the two
//! things a person needs when a migration breaks: the exact statement and
//! its line in the file, with the server's message.

use tenant_sql::split;

use crate::error::{Error, Result};
use crate::scenario::SqlFile;
use serde::{Deserialize, Serialize};
use std::time::{Duration, Instant};
use tokio_postgres::error::ErrorPosition;
use tokio_postgres::Client;

/// How one file went.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FileRun {
    /// The file name.
    pub file: String,
    #[serde(with = "crate::core::millis")]
    /// Time for the whole file, commit included.
    pub elapsed: Duration,
    /// Each statement, in file order.
    pub statements: Vec<StatementRun>,
    /// The file's own BEGIN/COMMIT statements, folded into the harness's transaction.
    pub folded_transaction_control: usize,
    /// When the file began (to line it up with load running meanwhile).
    #[serde(skip, default = "Instant::now")]
    pub started: Instant,
}

/// One statement's timing.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StatementRun {
    /// 1-based line where the statement starts.
    pub line: usize,
    /// The statement's first line, shortened.
    pub summary: String,
    #[serde(with = "crate::core::millis")]
    /// Time the server took.
    pub elapsed: Duration,
    /// When it was sent (to line it up with load running meanwhile).
    #[serde(skip, default = "Instant::now")]
    pub started: Instant,
    /// The statement's full text.
    #[serde(skip)]
    pub sql: String,
}

/// How long one statement of a SQL file may run unless told otherwise: long
/// enough for a real backfill on test data, short enough that a statement
/// that never ends fails the run instead of hanging CI.
pub const DEFAULT_STATEMENT_TIMEOUT: Duration = Duration::from_secs(300);

/// Applies `file` in one transaction, each statement under `timeout`.
/// `is_migration` decides whether a failure is a finding (exit 1) or a
/// broken scenario (exit 2); a statement past the timeout fails so too.
pub async fn apply(
    client: &Client,
    file: &SqlFile,
    is_migration: bool,
    timeout: Duration,
) -> Result<FileRun> {
    let started = Instant::now();
    let ctx = format!("applying {}", file.path.display());
    // SET LOCAL: the file's own SET statement_timeout still wins after it.
    client
        .batch_execute(&format!(
            "BEGIN; SET LOCAL statement_timeout = {}",
            timeout.as_millis().max(1)
        ))
        .await
        .map_err(Error::db(ctx.clone()))?;
    let mut run = FileRun {
        file: file.name(),
        elapsed: Duration::ZERO,
        statements: vec![],
        folded_transaction_control: 0,
        started,
    };
    for stmt in split::split(&file.sql) {
        if is_transaction_control(&stmt.sql) {
            run.folded_transaction_control += 1;
            continue;
        }
        let t = Instant::now();
        if let Err(e) = client.batch_execute(&stmt.sql).await {
            let _ = client.batch_execute("ROLLBACK").await;
            return Err(statement_error(file, &stmt, &e, is_migration, timeout));
        }
        run.statements.push(StatementRun {
            line: stmt.line,
            summary: summary(&stmt.sql),
            elapsed: t.elapsed(),
            started: t,
            sql: stmt.sql.clone(),
        });
    }
    client.batch_execute("COMMIT").await.map_err(|e| {
        let last = split::Statement {
            sql: "COMMIT".into(),
            line: file.sql.lines().count().max(1),
        };
        statement_error(file, &last, &e, is_migration, timeout)
    })?;
    run.elapsed = started.elapsed();
    Ok(run)
}

/// BEGIN / START TRANSACTION / COMMIT / END written in the file itself.
fn is_transaction_control(sql: &str) -> bool {
    let words: Vec<String> = sql
        .split_whitespace()
        .take(2)
        .map(|w| w.to_ascii_uppercase())
        .collect();
    matches!(
        words
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>()
            .as_slice(),
        ["BEGIN"]
            | ["BEGIN", "TRANSACTION" | "WORK"]
            | ["START", "TRANSACTION"]
            | ["COMMIT"]
            | ["COMMIT", "TRANSACTION" | "WORK"]
            | ["END"]
            | ["END", "TRANSACTION" | "WORK"]
    )
}

fn summary(sql: &str) -> String {
    let first = sql.lines().next().unwrap_or_default().trim();
    if first.chars().count() > 100 {
        format!("{}…", first.chars().take(100).collect::<String>())
    } else if sql.contains('\n') {
        format!("{first} …")
    } else {
        first.to_string()
    }
}

fn statement_error(
    file: &SqlFile,
    stmt: &split::Statement,
    e: &tokio_postgres::Error,
    is_migration: bool,
    timeout: Duration,
) -> Error {
    let (message, mut hint, line) = match e.as_db_error() {
        Some(db) => {
            let mut line = stmt.line;
            if let Some(ErrorPosition::Original(pos)) = db.position() {
                let before: String = stmt
                    .sql
                    .chars()
                    .take((*pos as usize).saturating_sub(1))
                    .collect();
                line += before.matches('\n').count();
            }
            let mut msg = format!("{} {}: {}", db.severity(), db.code().code(), db.message());
            if let Some(d) = db.detail() {
                msg.push_str(&format!(" ({d})"));
            }
            (msg, db.hint().map(str::to_string), line)
        }
        None => (e.to_string(), None, stmt.line),
    };
    if e.code() == Some(&tokio_postgres::error::SqlState::QUERY_CANCELED) {
        hint = Some(format!(
            "the statement ran past the statement timeout ({} s; --statement-timeout or TENANT_HARNESS_STATEMENT_TIMEOUT): on real data it would hold its locks at least as long; batch it, or raise the timeout if it is meant to run so long",
            timeout.as_secs_f64()
        ));
    }
    if e.code() == Some(&tokio_postgres::error::SqlState::ACTIVE_SQL_TRANSACTION) {
        hint = Some("this statement cannot run inside a transaction; the harness runs each file in one, as `supabase db push` does: move it to a deploy step or drop CONCURRENTLY for the test".into());
    }
    Error::Statement {
        file: file.path.clone(),
        line,
        statement: summary(&stmt.sql),
        message,
        hint,
        is_migration,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transaction_control_is_recognised() {
        for s in [
            "BEGIN",
            "begin transaction",
            "COMMIT",
            "end",
            "START TRANSACTION ISOLATION LEVEL SERIALIZABLE",
        ] {
            assert!(is_transaction_control(s), "{s}");
        }
        for s in [
            "BEGIN ATOMIC",
            "COMMIT PREPARED 'x'",
            "create table begin_x()",
            "END IF",
        ] {
            assert!(!is_transaction_control(s), "{s}");
        }
    }
}
