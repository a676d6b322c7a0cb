//! Names the harness itself owns or skips in a database.

/// The schema holding the harness's snapshot, oracle and probe function in
/// the run's database. API roles may read only its key-and-group tables.
pub const HARNESS_SCHEMA: &str = "tenant_harness";

/// Schemas no application owns, as a SQL list: the system schemas, the
/// Supabase-managed ones and the harness's own. Never audited, never read
/// as part of the application's surface.
pub const SKIPPED_SCHEMAS: &str = "('pg_catalog','information_schema','pg_toast','tenant_harness','auth','extensions','storage','graphql','graphql_public','realtime','vault','pgsodium','pgsodium_masks','supabase_functions','supabase_migrations','net','cron','pgbouncer')";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_harness_skips_its_own_schema() {
        assert!(SKIPPED_SCHEMAS.contains(&format!("'{HARNESS_SCHEMA}'")));
    }
}
