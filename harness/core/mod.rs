//! Small pieces every stage of the pipeline may use and that use nothing
//! of the pipeline: the harness's own names in the database and how
//! durations are written. SQL text (splitting, quoting) lives in the
//! `tenant-sql` crate for the same reason.
//!
//! Nothing here imports another module of this crate; a test
//! (`tests/modules.rs`) keeps it so.

pub mod millis;
pub mod names;
pub mod phase;
