//! Schema-driven, deterministic data generation for multi-tenant PostgreSQL
//! schemas, streamed into the server through binary `COPY`.
//!
//! The crate knows nothing about scenarios or isolation: it is given a
//! [`plan::SeedPlan`] (which tables, how many rows, which column names the
//! owning user) and a seed, reads the catalog of the live schema
//! ([`catalog`]), and fills the tables in foreign-key order with values that
//! fit each column's type and name ([`generate`]). The same seed always
//! yields the same rows, whatever order the tables are loaded in, because
//! every table draws from its own stream ([`rng`]).

#![warn(missing_docs)]

pub mod bulk;
pub mod catalog;
pub mod copy;
pub mod generate;
pub mod layout;
mod names;
pub mod plan;
pub mod rng;
pub mod users;
pub mod value;

pub use plan::{SeedOutcome, SeedPlan, TablePlan};
pub use users::User;
pub use value::Value;

/// What can go wrong while seeding; every variant names the table (and the
/// column where there is one) so the message points at the schema to fix.
#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    /// A table named by the plan does not exist in the database.
    #[error("table `{table}` does not exist in the database (check the scenario's table list against before.sql)")]
    NoSuchTable {
        /// The name as given.
        table: String,
    },
    /// A column the plan relies on (owner, user id, e-mail) is missing.
    #[error("table `{table}` has no column `{column}`")]
    NoSuchColumn {
        /// Schema-qualified table.
        table: String,
        /// The missing column.
        column: String,
    },
    /// A NOT NULL column of a type the generator cannot produce and without a default.
    #[error("cannot generate values for `{table}.{column}` of type {ty}: it is NOT NULL without a default; give it a default or make it NULL-able")]
    Unsupported {
        /// Schema-qualified table.
        table: String,
        /// Column name.
        column: String,
        /// The type as `format_type()` prints it.
        ty: String,
    },
    /// A NOT NULL foreign key points at a table the plan does not seed.
    #[error("`{table}.{column}` is a NOT NULL foreign key to `{target}`, which the plan does not seed: add `{target}` to the scenario's tables")]
    UnseededParent {
        /// Schema-qualified table.
        table: String,
        /// The referencing column.
        column: String,
        /// The table it references.
        target: String,
    },
    /// Tables whose NOT NULL foreign keys form a cycle cannot be loaded in order.
    #[error("NOT NULL foreign keys form a cycle between {tables:?}; make one of them NULL-able")]
    Cycle {
        /// The tables on the cycle.
        tables: Vec<String>,
    },
    /// The server rejected a catalog query or the COPY stream.
    #[error("seeding `{table}`: {}", describe(source))]
    Db {
        /// Schema-qualified table.
        table: String,
        #[source]
        /// The server's or the driver's error.
        source: tokio_postgres::Error,
    },
}

impl SeedError {
    pub(crate) fn db(table: &str) -> impl FnOnce(tokio_postgres::Error) -> SeedError + '_ {
        move |source| SeedError::Db {
            table: table.to_string(),
            source,
        }
    }
}

/// A database error as a person needs it: SQLSTATE, message and detail
/// (the driver's own `Display` says only "db error").
pub fn describe(e: &tokio_postgres::Error) -> String {
    match e.as_db_error() {
        Some(d) => {
            let mut s = format!("{} {}: {}", d.severity(), d.code().code(), d.message());
            if let Some(detail) = d.detail() {
                s.push_str(&format!(" ({detail})"));
            }
            s
        }
        None => e.to_string(),
    }
}
