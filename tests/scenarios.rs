//! Every seed plan as a scenario passes, with its rollback proved; and the
//! checks these scenarios add (single-tenant backfills, the application's
//! queries, the plans' own verification queries, rollbacks) each go red on
//! a known-bad variant, naming table and rows.

mod common;

use common::{checks, known_bad};
use std::path::PathBuf;
use tenant_harness::{Backend, Harness, HarnessBuilder, Report};

fn scenario(name: &str) -> HarnessBuilder {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(name);
    Harness::builder(dir)
        .expect("scenario loads")
        .backend(Backend::Local)
}

async fn run(b: HarnessBuilder) -> Report {
    let mut h = b.start().await.expect("migrates");
    let report = h.check_all().await.expect("checks run");
    h.close();
    report
}

async fn passes(name: &str) -> Report {
    let report = run(scenario(name)).await;
    assert!(report.passed(), "{}", report.human());
    assert!(
        report.rollback.is_some(),
        "every seed scenario has a rollback to prove"
    );
    report
}

#[tokio::test]
async fn supabase_org_to_tenant_passes_with_its_rollback() {
    let r = passes("supabase-org-to-tenant").await;
    assert_eq!(
        r.tenants.expected_groups, r.tenants.tenants,
        "one tenant per group"
    );
    let rb = r.rollback.unwrap();
    assert!(rb
        .proof
        .discarded
        .iter()
        .any(|a| a.object == "public.tenants" && a.is_table));
}

#[tokio::test]
async fn pos_default_tenant_passes_through_its_queries() {
    let r = passes("pos-default-tenant").await;
    assert_eq!(r.integrity.len(), 32);
    assert_eq!(
        r.after.as_ref().unwrap().tenants,
        ["acme-parts", "northside-auto"]
    );
    assert!(
        r.isolation.actors.is_empty(),
        "app-level filtering: no database identity"
    );
    assert_eq!(
        r.isolation.query_runs,
        6 * 3,
        "six queries for caps-automotive and the two new tenants"
    );
    assert!(r.verify.iter().all(|v| v.passed == Some(true)));
}

#[tokio::test]
async fn pos_default_tenant_rls_passes_per_tenant() {
    let r = passes("pos-default-tenant-rls").await;
    assert_eq!(
        r.isolation.actors,
        [
            "tenant caps-automotive",
            "tenant acme-parts",
            "tenant northside-auto"
        ]
    );
    assert_eq!(r.isolation.pairs, 3 * 32);
}

#[tokio::test]
async fn organizations_client_id_passes_and_reports_what_its_rollback_destroys() {
    let r = passes("organizations-client-id").await;
    let rb = r.rollback.unwrap();
    let discarded: Vec<&str> = rb
        .proof
        .discarded
        .iter()
        .map(|a| a.object.as_str())
        .collect();
    for o in [
        "public.organizations",
        "public.user_organizations",
        "uploads.client_id",
        "sellout_entries2.client_id",
    ] {
        assert!(discarded.contains(&o), "{o} in {discarded:?}");
    }
    assert_eq!(rb.proof.left_in_place, ["public.migration_log"]);
}

#[tokio::test]
async fn crm_tenant_scoped_passes_and_never_prints_credentials() {
    let r = passes("crm-tenant-scoped").await;
    assert_eq!(
        r.verify
            .iter()
            .filter(|v| v.name.starts_with("Test "))
            .count(),
        6
    );
    let json = serde_json::to_string(&r).unwrap();
    let human = r.human();
    for secret in [
        "mc-live-7f3a9c0e5b2d41",
        "sk_live_51PpcuStandInKey",
        "whsec_stripe_standin",
        "whsec-mc-88d1c2",
    ] {
        assert!(
            !json.contains(secret) && !human.contains(secret),
            "{secret} leaked into the report"
        );
    }
    assert!(human.contains("[redacted]"));
}

#[tokio::test]
async fn a_backfill_that_misses_owners_names_their_rows() {
    let r =
        run(scenario("supabase-org-to-tenant")
            .migration("99_miss.sql", &known_bad("null_tenant.sql")))
        .await;
    let f = r
        .findings_of("integrity.null-tenant")
        .next()
        .expect("NULL tenant finding");
    assert_eq!(f.table.as_deref(), Some("goals"));
    assert!(f.count > 0 && f.row.is_some(), "{}", f.message);
}

#[tokio::test]
async fn a_wrong_default_tenant_is_found() {
    let r = run(scenario("pos-default-tenant")
        .migration("99_typo.sql", &known_bad("pos_wrong_default.sql")))
    .await;
    let f = r
        .findings_of("integrity.wrong-tenant")
        .next()
        .expect("wrong tenant finding");
    assert!(
        f.message.contains("caps") && f.message.contains("caps-automotive"),
        "{}",
        f.message
    );
}

#[tokio::test]
async fn the_plans_own_validation_goes_red() {
    let r = run(scenario("pos-default-tenant")
        .migration("99_index.sql", &known_bad("pos_missing_index.sql")))
    .await;
    assert_eq!(checks(&r), ["verify.failed"], "{}", r.human());
    assert!(r.findings[0].message.contains("returned 31"));

    let r =
        run(scenario("crm-tenant-scoped")
            .migration("99_key.sql", &known_bad("crm_global_mc_id.sql")))
        .await;
    let f = r
        .findings_of("verify.error")
        .next()
        .unwrap_or_else(|| panic!("{}", r.human()));
    assert!(
        f.message.contains("Test 6") && f.message.contains("duplicate mc_id within one tenant"),
        "{}",
        f.message
    );
}

#[tokio::test]
async fn an_application_query_without_its_tenant_filter_is_caught() {
    let leaky = "SELECT id FROM payments WHERE status = 'succeeded' AND $1::uuid IS NOT NULL";
    let r =
        run(scenario("crm-tenant-scoped").query("payments (forgot the tenant)", "payments", leaky))
            .await;
    let f: Vec<_> = r.findings_of("isolation.query-foreign-rows").collect();
    assert_eq!(f.len(), 3, "one per tenant: {}", r.human());
    assert!(f
        .iter()
        .all(|f| f.table.as_deref() == Some("payments") && f.row.is_some()));

    let r = run(scenario("crm-tenant-scoped").query(
        "nothing",
        "payments",
        "SELECT id FROM payments WHERE tenant_id = $1 AND false",
    ))
    .await;
    assert_eq!(
        checks(&r),
        ["isolation.query-proves-nothing"],
        "{}",
        r.human()
    );
}

#[tokio::test]
async fn an_inactive_membership_that_grants_access_is_caught() {
    let r = run(scenario("organizations-client-id").migration(
        "99_policy.sql",
        &known_bad("orgs_policy_ignores_is_active.sql"),
    ))
    .await;
    let f: Vec<_> = r.findings_of("isolation.foreign-rows").collect();
    assert!(!f.is_empty(), "{}", r.human());
    assert!(f.iter().all(|f| f.table.as_deref() == Some("uploads")));
}

#[tokio::test]
async fn a_rollback_that_drops_data_is_caught_with_rows() {
    let base = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("scenarios/supabase-org-to-tenant/rollback.sql"),
    )
    .unwrap();
    let lossy = format!("{base}\n-- \"clean up\" while at it\nDELETE FROM public.tags WHERE id IN (SELECT id FROM public.tags ORDER BY id LIMIT 4);\nALTER TABLE public.contacts DROP COLUMN title;\n");
    let r = run(scenario("supabase-org-to-tenant").rollback(&lossy)).await;
    let lost = r
        .findings_of("rollback.rows-lost")
        .next()
        .unwrap_or_else(|| panic!("{}", r.human()));
    assert_eq!((lost.table.as_deref(), lost.count), (Some("tags"), 4));
    assert!(lost.row.is_some());
    assert!(r
        .findings_of("rollback.columns-dropped")
        .any(|f| f.table.as_deref() == Some("contacts")));

    let partial = base.replace(
        "ALTER TABLE public.goals DROP COLUMN IF EXISTS tenant_id;",
        "",
    );
    let r = run(scenario("supabase-org-to-tenant").rollback(&partial)).await;
    let f = r
        .findings_of("rollback.schema-not-restored")
        .next()
        .unwrap_or_else(|| panic!("{}", r.human()));
    assert!(f.message.contains("goals.tenant_id"));
}

#[tokio::test]
async fn children_in_another_tenant_than_their_parent_are_named() {
    let r = run(scenario("supabase-org-to-tenant")
        .migration("99_misassign.sql", &known_bad("misassign_rows.sql")))
    .await;
    let f = r
        .findings_of("integrity.child-tenant-mismatch")
        .next()
        .unwrap_or_else(|| panic!("{}", r.human()));
    assert_eq!(f.table.as_deref(), Some("deals"));
    assert!(f.row.is_some());
}

#[tokio::test]
async fn a_table_the_migration_drops_or_leaves_without_tenant_is_a_finding_also_with_after_data() {
    // pos-default-tenant writes [after] tenants' rows into every table; a
    // table without the tenant column (or gone) must be a finding about the
    // migration, not a broken scenario.
    let mut h = common::local_in("pos-default-tenant")
        .migration(
            "99_forgets.sql",
            "ALTER TABLE sync_conflicts DROP COLUMN tenant_id; DROP TABLE pending_operations;",
        )
        .start()
        .await
        .expect("the variant migrates");
    let report = h.check().await.expect("a finding, not an error");
    assert!(
        report
            .findings_of("integrity.no-tenant-column")
            .any(|f| f.table.as_deref() == Some("sync_conflicts")),
        "{}",
        report.human()
    );
    let dropped = report
        .findings_of("integrity.table-dropped")
        .find(|f| f.table.as_deref() == Some("pending_operations"))
        .unwrap_or_else(|| panic!("{}", report.human()));
    assert!(dropped.count > 0);
    assert_eq!(report.exit_code(), tenant_harness::exit::FINDINGS);
}

#[tokio::test]
async fn check_run_and_audit_give_one_verdict() {
    // The scenario accepts its foreign keys without the tenant; `check` (no
    // audit part) must accept the write probes through them as `run` does.
    let mut h = common::local_in("supabase-org-to-tenant")
        .search_cases(16)
        .start()
        .await
        .expect("migrates");
    let check = h.check_parts(tenant_harness::Parts::CHECK).await.unwrap();
    assert!(check.passed(), "check: {}", check.human());
    // Both kinds of 42501 occur and are told apart: TRUNCATE is revoked, foreign rows are refused by policies.
    assert!(
        check.writes.denied_by_privilege > 0 && check.writes.denied_by_policy > 0,
        "{:?}",
        check.writes
    );
    assert!(
        !check.audit.is_empty() && check.audit.iter().all(|a| a.accepted.is_some()),
        "the acceptances that explained a finding are listed, and only they: {:?}",
        check.audit
    );
    let audit = h.check_parts(tenant_harness::Parts::AUDIT).await.unwrap();
    assert!(audit.passed(), "audit: {}", audit.human());
    let all = h.check().await.unwrap();
    assert!(all.passed(), "run: {}", all.human());
}
