//! tenant-harness: an isolation test harness and load benchmark for
//! multi-tenant PostgreSQL migrations.
//!
//! It provisions a throw-away PostgreSQL ([`provision`]), loads a scenario's
//! pre-migration schema ([`scenario`], [`migrate`]), seeds realistic
//! multi-tenant data ([`seed`]), snapshots it, runs the migration under
//! test, then proves that nothing was lost or misassigned ([`integrity`])
//! and that every user sees exactly their tenant's rows ([`isolation`]),
//! impersonating users through real JWTs ([`impersonate`]). [`Harness`] is
//! the whole pipeline as a library; the `tenant-harness` binary is a thin
//! CLI over it.

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
