//! The library's error type and the exit codes the CLI maps it to.
//!
//! Each variant carries what a person needs to fix the problem: the file and
//! line for scenario and migration errors, what to install or set for
//! environment errors.

use std::path::PathBuf;

pub use crate::exit_codes as exit;

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

    /// The harness itself failed: a panic, a broken invariant, a statement
    /// of its own that the server rejected. Never the migration's fault.
    #[error("internal error of tenant-harness (please report it): {0}")]
    Internal(String),

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
            Error::Environment { .. } | Error::Io { .. } => exit::ENVIRONMENT,
            Error::Db { source, .. } if is_environmental(source) => exit::ENVIRONMENT,
            Error::Db { .. } | Error::Internal(_) => exit::INTERNAL,
            Error::Impersonation(_) => exit::FINDINGS,
        }
    }

    /// Wraps a database error with what the harness was doing.
    pub(crate) fn db(context: impl Into<String>) -> impl FnOnce(tokio_postgres::Error) -> Error {
        let context = context.into();
        move |source| Error::Db { context, source }
    }

    /// Wraps a database error on SQL the scenario wrote (a `tenant_query`,
    /// a `tenants_query`): the scenario's to fix, with the server's reason.
    pub(crate) fn scenario_sql(
        file: PathBuf,
        what: impl Into<String>,
    ) -> impl FnOnce(tokio_postgres::Error) -> Error {
        let what = what.into();
        move |source| Error::Scenario {
            file,
            line: None,
            message: format!("{what} failed: {}", tenant_seed::describe(&source)),
        }
    }

    pub(crate) fn env(message: impl Into<String>, fix: impl Into<String>) -> Error {
        Error::Environment {
            message: message.into(),
            fix: fix.into(),
        }
    }
}

/// Whether a database error is the machine's doing rather than the
/// harness's: no SQLSTATE (the connection broke), or a class that says the
/// server went away, ran out of something or was stopped (08, 53, 57, 58).
/// Any other SQLSTATE on the harness's own SQL is a bug of the harness.
fn is_environmental(e: &tokio_postgres::Error) -> bool {
    match e.code() {
        None => true,
        Some(code) => ["08", "53", "57", "58"].contains(&&code.code()[..2]),
    }
}

/// The library's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    fn scenario() -> Error {
        Error::Scenario {
            file: "s/scenario.toml".into(),
            line: Some(3),
            message: "x".into(),
        }
    }

    fn statement(is_migration: bool) -> Error {
        Error::Statement {
            file: "m.sql".into(),
            line: 1,
            statement: "SELECT 1".into(),
            message: "boom".into(),
            hint: None,
            is_migration,
        }
    }

    #[test]
    fn each_error_maps_to_whose_problem_it_is() {
        assert_eq!(
            statement(true).exit_code(),
            exit::FINDINGS,
            "a migration statement"
        );
        assert_eq!(statement(false).exit_code(), exit::USAGE, "before.sql");
        assert_eq!(scenario().exit_code(), exit::USAGE);
        assert_eq!(Error::Usage("--x".into()).exit_code(), exit::USAGE);
        assert_eq!(
            Error::env("no server", "install it").exit_code(),
            exit::ENVIRONMENT
        );
        assert_eq!(Error::Internal("a bug".into()).exit_code(), exit::INTERNAL);
        assert_ne!(exit::INTERNAL, exit::FINDINGS);
        assert_ne!(exit::INTERNAL, exit::ENVIRONMENT);
    }

    #[test]
    fn the_readme_documents_every_exit_code() {
        let readme = include_str!("../README.md");
        for code in [
            exit::OK,
            exit::FINDINGS,
            exit::USAGE,
            exit::ENVIRONMENT,
            exit::INTERNAL,
            exit::INTERRUPTED,
            exit::TERMINATED,
        ] {
            assert!(
                readme.contains(&format!("\n| {code} | ")),
                "README lacks exit code {code}"
            );
        }
    }
}
