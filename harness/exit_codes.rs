//! The process exit codes, stable and documented in README ("Exit codes").
//!
//! Each says whose problem a run found: the migration's (1), the scenario's
//! or the command line's (2), the machine's (3), or the harness's own
//! (101, the code a Rust panic exits with, so an escaped panic reads the
//! same). CI reads 1 as "the migration is bad": nothing else may produce it.

/// Every check held.
pub const OK: i32 = 0;
/// A finding about the migration: a check failed, or a migration statement failed.
pub const FINDINGS: i32 = 1;
/// Usage error or a malformed scenario.
pub const USAGE: i32 = 2;
/// The environment: no PostgreSQL could be provisioned or reached, or it went away.
pub const ENVIRONMENT: i32 = 3;
/// An internal error of the harness (a panic, a bug in its own SQL): report it.
pub const INTERNAL: i32 = 101;
/// Interrupted by Ctrl-C (SIGINT); everything provisioned was removed.
pub const INTERRUPTED: i32 = 130;
/// Terminated (SIGTERM, as CI runners stop a job); everything provisioned was removed.
pub const TERMINATED: i32 = 143;
