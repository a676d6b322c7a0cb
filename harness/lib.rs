//! tenant-harness: an isolation test harness and load benchmark for
//! multi-tenant PostgreSQL migrations.
//!
//! It provisions a throw-away PostgreSQL ([`provision`]), loads a scenario's
//! pre-migration schema ([`scenario`], [`migrate`]), seeds realistic
//! multi-tenant data ([`seed`]), snapshots it ([`snapshot`]), runs the
//! migration under test, then the checks layer ([`checks`]) proves that
//! nothing was lost or misassigned and that every identity
//! ([`identities`], through real JWTs: [`impersonate`]) sees and changes
//! exactly its tenant's rows. [`Harness`] is the whole pipeline as a
//! library; the `tenant-harness` binary is a thin CLI over it. SQL text is
//! split and quoted by the `tenant-sql` crate; `tests/modules.rs` keeps the
//! modules' dependencies one-way.

#![warn(missing_docs)]

pub mod bench;
pub mod checks;
pub mod core;
pub mod error;
pub mod exit_codes;
pub mod identities;
pub mod impersonate;
pub mod init;
pub mod migrate;
mod pipeline;
pub mod probe;
pub mod progress;
pub mod provision;
pub mod redact;
pub mod report;
pub mod reporter;
pub mod scenario;
pub mod seed;
pub mod snapshot;
pub mod strategies;
pub mod supabase;
pub mod testing;

pub use checks::Parts;
pub use checks::{CheckId, Finding};
pub use error::{exit, Error, Result};
pub use pipeline::{env, Harness, HarnessBuilder};
pub use provision::Backend;
pub use report::Report;
pub use scenario::Scenario;
pub use seed::SeededUser;
