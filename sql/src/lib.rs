//! The SQL text tenant-harness reads and writes, in one crate that every
//! other depends on and that depends on nothing of theirs.
//!
//! - [`split`](mod@split): statements of a SQL file with their lines, knowing what psql
//!   knows about quotes, comments and dollar-quoted bodies.
//! - [`quote`]: the one place an identifier or a literal becomes SQL text.
//!   Everything that puts a name or a value from a scenario, a catalog or a
//!   generated row into a statement goes through it, so a table called
//!   `order`, `"Weird Table"` or `x; DROP TABLE y; --` is a name, never code.

pub mod quote;
pub mod split;

pub use quote::{ident, literal, Name};
pub use split::{split, Statement};
