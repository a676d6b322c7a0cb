//! Proptest strategies for hunting cross-tenant leaks in your own schema,
//! with your own properties and budgets.
//!
//! [`crate::Harness::arena`] reads the identities, tables and tenants of
//! your scenario's migrated database (your schema, your policies) into an
//! [`Arena`]. [`Arena::cases`] generates [`Case`]s: a few rows written for
//! random tenants, then random reads, inserts, updates, deletes and upserts
//! by random identities. [`Arena::check`] runs one case in a transaction
//! that is rolled back and compares every outcome with the promise of
//! tenancy (an identity sees and changes exactly its own tenant's rows);
//! proptest shrinks a failing case to the fewest rows and operations.
//!
//! ```no_run
//! use proptest::test_runner::{Config, TestRunner};
//! # async fn demo() -> tenant_harness::Result<()> {
//! let mut h = tenant_harness::Harness::builder("scenarios/crm-tenant-scoped")?.start().await?;
//! let arena = h.arena(&["contacts"]).await?;
//! let rt = tokio::runtime::Handle::current();
//! let strategy = arena.cases();
//! let mut runner = TestRunner::new(Config::with_cases(64));
//! let result = tokio::task::block_in_place(|| {
//!     runner.run(&strategy, |case| match rt.block_on(arena.check(&case)) {
//!         Ok(None) => Ok(()),
//!         Ok(Some(leak)) => Err(proptest::test_runner::TestCaseError::fail(leak.to_string())),
//!         Err(e) => Err(proptest::test_runner::TestCaseError::fail(e.to_string())),
//!     })
//! });
//! assert!(result.is_ok(), "{result:?}");
//! # Ok(()) }
//! ```

use crate::checks::search::World;
use crate::error::Result;
use proptest::strategy::Strategy;
use std::sync::Arc;
use tokio_postgres::Client;

pub use crate::checks::search::{Case, Failure as Leak, Op};

impl std::fmt::Display for Leak {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} (table {}); reproduce in psql as a superuser:\n{}",
            self.reason, self.table, self.psql
        )
    }
}

/// One operation by one of `identities` on one of `tables` for one of
/// `tenants` (indices; an [`Arena`] gives the sizes).
pub fn op(identities: usize, tables: usize, tenants: usize) -> impl Strategy<Value = Op> {
    crate::checks::search::op_strategy(identities.max(1), tables.max(1), tenants.max(1))
}

/// A case: 1-4 rows written for random tenants, then 1-7 operations.
pub fn case(identities: usize, tables: usize, tenants: usize) -> impl Strategy<Value = Case> {
    crate::checks::search::case_strategy(identities.max(1), tables.max(1), tenants.max(1))
}

/// The identities, tables and tenants of a migrated database, ready to run cases.
pub struct Arena {
    pub(crate) world: Arc<World>,
    pub(crate) client: Arc<Client>,
}

impl Arena {
    /// The identities in play (e-mail, tenant, `anon`).
    pub fn identities(&self) -> Vec<String> {
        self.world.dimensions().0
    }

    /// The tables in play.
    pub fn tables(&self) -> Vec<String> {
        self.world.dimensions().1
    }

    /// How many tenants the cases write rows for.
    pub fn tenants(&self) -> usize {
        self.world.dimensions().2
    }

    /// Cases sized for this arena.
    pub fn cases(&self) -> impl Strategy<Value = Case> {
        let (identities, tables, tenants) = self.world.dimensions();
        case(identities.len(), tables.len(), tenants)
    }

    /// Runs `case` in a transaction that is rolled back; `Some` when the
    /// database diverged from the promise of tenancy.
    pub async fn check(&self, case: &Case) -> Result<Option<Leak>> {
        self.world.try_case(&self.client, case).await
    }
}
