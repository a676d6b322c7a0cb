//! The checks layer: one module per check family, each taking what the run
//! knows (the snapshot, the identities, the oracle) and returning typed
//! findings ([`Finding`] with a [`CheckId`]).
//!
//! - [`integrity`]: rows kept, tenant values assigned, the rollback proof;
//! - [`verify`]: the migration plan's own verification queries;
//! - [`isolation`]: what every identity reads, tokens, the application's queries;
//! - [`writes`]: write, side-channel and privilege probes;
//! - [`paths`]: views read with their owner's rights;
//! - [`search`]: the property-based leak search;
//! - [`audit`]: catalog rules, and which dynamic findings prove them;
//! - [`run`]: the checks a [`Parts`] selects, in pipeline order, and the
//!   one verdict every command shares (accepted findings accepted alike).

pub mod audit;
pub mod finding;
pub mod id;
pub mod integrity;
pub mod isolation;
pub mod paths;
pub mod search;
pub mod verify;
pub mod writes;

pub use finding::Finding;
pub use id::{CheckId, Part};
