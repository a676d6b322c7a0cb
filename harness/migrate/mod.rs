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
            let withheld = withheld_row(client, &e).await;
            let mut err = statement_error(file, &stmt, &e, is_migration, timeout);
            if let (
                Some(why),
                Error::Statement {
                    message, statement, ..
                },
            ) = (withheld, &mut err)
            {
                // The statement's literals are that row's values: withheld with it.
                *message = withhold_failing_row(message, &why);
                *statement = mask_literals(statement);
            }
            return Err(err);
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

/// Why the row a server message shows ("Failing row contains (…)") must be
/// withheld, if it must: its table has credential-named columns, or its
/// columns cannot be read (a table the rolled-back file created).
async fn withheld_row(client: &Client, e: &tokio_postgres::Error) -> Option<String> {
    let db = e.as_db_error()?;
    if !db
        .detail()
        .is_some_and(|d| d.contains("Failing row contains"))
    {
        return None;
    }
    let (Some(schema), Some(table)) = (db.schema(), db.table()) else {
        return Some("its table is not named".into());
    };
    let columns: Vec<String> = client
        .query(
            "SELECT a.attname::text FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid \
             JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE n.nspname = $1 AND c.relname = $2 AND a.attnum > 0 AND NOT a.attisdropped",
            &[&schema, &table],
        )
        .await
        .ok()?
        .iter()
        .map(|r| r.get(0))
        .collect();
    if columns.is_empty() {
        return Some(format!(
            "the columns of {schema}.{table} cannot be read after the rollback"
        ));
    }
    let secret: Vec<&str> = columns
        .iter()
        .map(String::as_str)
        .filter(|c| crate::redact::is_secret_column(c))
        .collect();
    (!secret.is_empty()).then(|| {
        format!(
            "{schema}.{table} has credential columns ({})",
            secret.join(", ")
        )
    })
}

/// `message` with the values of its "Failing row contains (…)" replaced by why they are withheld.
fn withhold_failing_row(message: &str, why: &str) -> String {
    let Some(at) = message.find("Failing row contains (") else {
        return message.to_string();
    };
    let open = at + "Failing row contains ".len();
    // The tuple ends at the last ')' of the detail, which closes the message's own parenthesis too.
    let end = message[open..]
        .rfind(')')
        .map_or(message.len(), |p| open + p);
    let close = message[open..end].rfind(')').map_or(end, |p| open + p + 1);
    format!(
        "{}(values withheld: {why}; run the file in psql to see the row){}",
        &message[..open],
        &message[close..]
    )
}

/// `sql` with the text of every string literal masked (quotes, comments and
/// dollar bodies read as the splitter reads them).
fn mask_literals(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut i = 0;
    while i < sql.len() {
        match split::skip_non_code(sql, i) {
            Some(end) if sql.as_bytes()[i] == b'\'' => {
                out.push('\'');
                out.push_str(crate::redact::MASK);
                out.push('\'');
                i = end;
            }
            Some(end) => {
                out.push_str(&sql[i..end]);
                i = end;
            }
            None => {
                let c = sql[i..].chars().next().expect("in bounds");
                out.push(c);
                i += c.len_utf8();
            }
        }
    }
    out
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
    fn a_failing_row_is_withheld_with_the_reason() {
        let msg = "ERROR 23514: new row for relation \"integrations\" violates check constraint \"c\" (Failing row contains (1, acme, sk_live_abc, whsec_def).)";
        let out = withhold_failing_row(msg, "public.integrations has credential columns (api_key)");
        assert!(!out.contains("sk_live") && !out.contains("whsec"), "{out}");
        assert!(
            out.contains("values withheld: public.integrations has credential columns (api_key)")
        );
        assert!(out.starts_with("ERROR 23514: new row"), "{out}");
        assert!(out.ends_with(".)"), "{out}");
        assert_eq!(withhold_failing_row("no row here", "x"), "no row here");
        assert_eq!(
            mask_literals("INSERT INTO t VALUES (1, 'sk_live_x', E'a\\'b') -- 'c'"),
            "INSERT INTO t VALUES (1, '[redacted]', E'[redacted]') -- 'c'"
        );
    }

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
