//! The library's error type and the exit codes the CLI maps it to.
//!
//! Each variant carries what a person needs to fix the problem: the file and
//! line for scenario and migration errors, what to install or set for
//! environment errors.

use std::path::PathBuf;

/// Exit codes, stable and documented in README.
pub mod exit {
    /// Every check held.
    pub const OK: i32 = 0;
    /// A finding: a check failed, or a migration statement failed.
    pub const FINDINGS: i32 = 1;
    /// Usage error or a malformed scenario.
    pub const USAGE: i32 = 2;
    /// The environment: no PostgreSQL could be provisioned or reached.
    pub const ENVIRONMENT: i32 = 3;
    /// Interrupted (Ctrl-C / SIGTERM); everything provisioned was removed.
    pub const INTERRUPTED: i32 = 130;
}

/// Everything the harness can fail with before it has a verdict.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The scenario folder or one of its files is malformed.
    #[error("{}{}: {message}", file.display(), line.map(|l| format!(":{l}")).unwrap_or_default())]
    Scenario {
        /// The scenario file at fault.
        file: PathBuf,
        /// 1-based line, when known.
        line: Option<usize>,
        /// What is wrong and how to fix it.
        message: String,
    },

    /// A statement of a migration (or of before.sql) failed on the server.
    #[error("{}:{line}: {message}\n  statement: {statement}{}", file.display(), hint.as_ref().map(|h| format!("\n  hint: {h}")).unwrap_or_default())]
    Statement {
        /// The SQL file.
        file: PathBuf,
        /// 1-based line of the failing statement (of the error position, when the server gives one).
        line: usize,
        /// The statement's first line.
        statement: String,
        /// Severity, SQLSTATE, message and detail from the server.
        message: String,
        /// What to do about it, from the server or the harness.
        hint: Option<String>,
        /// `before.sql` is the scenario's fault (exit 2), a migration is the finding (exit 1).
        is_migration: bool,
    },

    /// No PostgreSQL could be provisioned or reached.
    #[error("{message}\n  fix: {fix}")]
    Environment {
        /// What is missing or broken.
        message: String,
        /// What to install or set.
        fix: String,
    },

    /// Seeding failed (a schema the generator cannot fill).
    #[error("seeding: {0}")]
    Seed(#[from] tenant_seed::SeedError),

    /// Impersonation setup failed (bad token, unsafe role).
    #[error("impersonation: {0}")]
    Impersonation(String),

    /// The database failed in a way no more specific variant covers.
    #[error("{context}: {}", tenant_seed::describe(source))]
    Db {
        /// What the harness was doing.
        context: String,
        #[source]
        /// The server's or the driver's error.
        source: tokio_postgres::Error,
    },

    /// The command was given something it cannot work with; the message names the flag that fixes it.
    #[error("{0}")]
    Usage(String),

    /// A report could not be written.
    #[error("writing {}: {source}", path.display())]
    Io {
        /// The file that could not be written.
        path: PathBuf,
        #[source]
        /// Why.
        source: std::io::Error,
    },
}

impl Error {
    /// The process exit code for this error.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Scenario { .. } | Error::Seed(_) | Error::Usage(_) => exit::USAGE,
            Error::Statement { is_migration, .. } => {
                if *is_migration {
                    exit::FINDINGS
                } else {
                    exit::USAGE
                }
            }
            Error::Environment { .. } | Error::Db { .. } | Error::Io { .. } => exit::ENVIRONMENT,
            Error::Impersonation(_) => exit::FINDINGS,
        }
    }

    /// Wraps a database error with what the harness was doing.
    pub(crate) fn db(context: impl Into<String>) -> impl FnOnce(tokio_postgres::Error) -> Error {
        let context = context.into();
        move |source| Error::Db { context, source }
    }

    pub(crate) fn env(message: impl Into<String>, fix: impl Into<String>) -> Error {
        Error::Environment {
            message: message.into(),
            fix: fix.into(),
        }
    }
}

/// The library's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
