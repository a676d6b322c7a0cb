//! The identity models other than `jwt_sub`: a tenant claim in the JWT, and
//! a session setting under an application role. Each passes when correct
//! and goes red when a policy leaks.

use std::path::PathBuf;
use tenant_harness::{Backend, Harness, HarnessBuilder, Report};

/// A fixture scenario from tests/fixtures/, on the local backend.
fn fixture(name: &str) -> HarnessBuilder {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    Harness::builder(dir).unwrap().backend(Backend::Local)
}

/// The fixture with `leak` appended as its last migration, checked.
async fn with_leak(name: &str, leak: &str) -> Report {
    let mut h = fixture(name)
        .migration("099_leak.sql", leak)
        .start()
        .await
        .unwrap();
    h.check().await.unwrap()
}

#[tokio::test]
async fn a_tenant_claim_isolates_and_a_leak_through_it_is_found() {
    let mut h = fixture("claim-identity").start().await.unwrap();
    let report = h.assert_isolated().await;
    assert!(
        report.isolation.actors.len() >= 4,
        "users of both shared domains and others, plus anon"
    );

    let leaky = "CREATE POLICY everyone ON public.projects FOR SELECT TO authenticated USING ((SELECT auth.jwt()) ->> 'tenant_id' IS NOT NULL);";
    let report = with_leak("claim-identity", leaky).await;
    let tables: Vec<_> = report
        .findings
        .iter()
        .map(|f| (f.check.as_str(), f.table.as_deref()))
        .collect();
    assert!(
        tables.contains(&("isolation.foreign-rows", Some("projects")))
            && tables.iter().all(|(check, table)| {
                *table == Some("projects")
                    // The leak proves the audit's finding of two permissive SELECT policies.
                    || (*check == "audit.multiple_permissive_policies"
                        && table.is_some_and(|t| t.ends_with("projects")))
            }),
        "{}",
        report.human()
    );
    assert!(
        report
            .findings
            .iter()
            .all(|f| f.actor.as_deref() != Some("anon")),
        "anon has no tenant claim and sees nothing"
    );
}

#[tokio::test]
async fn a_session_setting_isolates_and_a_leak_through_it_is_found() {
    let mut h = fixture("setting-identity").start().await.unwrap();
    let report = h.assert_isolated().await;
    assert_eq!(
        report.isolation.actors.len(),
        4,
        "no anon in the setting model"
    );

    let user = h.users()[0].clone();
    let actor = h.actor(&user).await.unwrap();
    assert_eq!(actor.role(), "app_user");
    let rows = actor
        .query("SELECT current_setting('app.tenant_id')", &[])
        .await
        .unwrap();
    let tenant: String = rows[0].get(0);
    let owner_tenant: String = h
        .admin()
        .query_one(
            "SELECT tenant_id::text FROM users WHERE id = $1",
            &[&user.id],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(
        tenant, owner_tenant,
        "the setting carries the user's own tenant"
    );

    let leaky = "CREATE POLICY fallback ON notes TO app_user USING (current_setting('app.tenant_id', true) IS NOT NULL);";
    let report = with_leak("setting-identity", leaky).await;
    assert!(
        report
            .findings_of("isolation.foreign-rows")
            .any(|f| f.table.as_deref() == Some("notes")),
        "{}",
        report.human()
    );
}
