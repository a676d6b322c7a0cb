//! Write isolation, side channels, privileges and the catalog audit, each
//! shown red on a known-bad migration (tests/known-bad/) and green on the
//! scenario as it stands.

mod common;

use common::{checks, failing_audit, local, local_in, run_with};

#[tokio::test]
async fn the_seeds_policies_without_the_fix_let_users_move_rows_change_tenant_and_truncate() {
    let mut h = local()
        .without_migration("20251204000001_harden_tenant_isolation.sql")
        .start()
        .await
        .expect("the plan migrates");
    let report = h.check().await.expect("checks run");
    let found = checks(&report);
    for check in [
        "write.update-moves-row",
        "escalation.own-tenant",
        "privilege.truncate",
        "audit.api_role_table_privileges",
    ] {
        assert!(
            found.contains(&check.to_string()),
            "{check} missing: {}",
            report.human()
        );
    }
    // Seed 001's additive INSERT policy: a row with one's own org_id goes into any tenant.
    assert!(report
        .findings_of("write.insert-foreign")
        .any(|f| f.message.contains("copy of an own row")));
    let escalation = report.findings_of("escalation.own-tenant").next().unwrap();
    assert_eq!(escalation.table.as_deref(), Some("profiles"));
    assert!(
        escalation
            .message
            .contains(r#"UPDATE public.profiles SET "tenant_id""#),
        "{}",
        escalation.message
    );
    let truncate = report
        .audit
        .iter()
        .find(|a| a.rule == "api_role_table_privileges")
        .unwrap();
    assert_eq!(
        truncate.proven_by.map(|c| c.as_str()),
        Some("privilege.truncate")
    );
    assert_eq!(report.exit_code(), 1);
}

#[tokio::test]
async fn an_insert_policy_that_checks_nothing_and_a_constant_default_are_caught() {
    let report = run_with("clients_insert_anywhere.sql").await;
    let found = checks(&report);
    for check in [
        "write.insert-foreign",
        "write.insert-default-foreign",
        "audit.rls_policy_always_true",
        "audit.insert_check_without_tenant",
        "audit.constant_tenant_default",
    ] {
        assert!(
            found.contains(&check.to_string()),
            "{check} missing: {}",
            report.human()
        );
    }
    assert!(report
        .findings
        .iter()
        .filter(|f| f.check.as_str().starts_with("write."))
        .all(|f| f.table.as_deref() == Some("clients")));
    let default = report
        .audit
        .iter()
        .find(|a| a.rule == "constant_tenant_default")
        .unwrap();
    assert!(
        default.proven_by.is_some(),
        "a warning proven by a probe fails the run"
    );
}

#[tokio::test]
async fn a_leftover_permissive_policy_without_to_leaks_to_anon() {
    let report = run_with("leftover_permissive_policy.sql").await;
    assert!(report
        .findings_of("isolation.foreign-rows")
        .any(|f| f.table.as_deref() == Some("contacts") && f.actor.as_deref() == Some("anon")));
    assert_eq!(
        failing_audit(&report, "multiple_permissive_policies"),
        ["contacts"],
        "{}",
        report.human()
    );
    // Which permissive policy without TO lets anon in is not knowable from
    // the catalog; the leftover one is among those the leak proves.
    assert!(failing_audit(&report, "policy_without_to")
        .contains(&"contacts policy Legacy: contacts are readable".to_string()));
}

#[tokio::test]
async fn the_audit_names_every_object_that_bypasses_rls() {
    let report = run_with("objects_around_rls.sql").await;
    let objects = |rule: &str| -> Vec<String> {
        report
            .audit
            .iter()
            .filter(|a| a.rule == rule)
            .map(|a| a.object.clone())
            .collect()
    };
    assert_eq!(objects("security_definer_view"), ["all_clients"]);
    // Read as each identity, the view returns other tenants' clients: proven.
    assert!(report
        .findings_of("path.view")
        .any(|f| f.table.as_deref() == Some("all_clients")));
    assert_eq!(
        report
            .audit
            .iter()
            .find(|a| a.rule == "security_definer_view")
            .unwrap()
            .proven_by
            .map(|c| c.as_str()),
        Some("path.view")
    );
    assert_eq!(objects("materialized_view_in_api"), ["client_counts"]);
    assert!(
        objects("security_definer_function_executable").contains(&"client_count_of(uuid)".into())
    );
    assert_eq!(
        objects("security_definer_search_path"),
        ["client_count_of(uuid)"]
    );
    assert_eq!(objects("leakproof_function"), ["checked_text(text)"]);
    assert_eq!(
        objects("current_setting_without_missing_ok"),
        [r#"cases policy Support staff read cases"#]
    );
    assert!(objects("auth_rls_initplan")
        .contains(&r#"cases policy Support staff read cases"#.to_string()));
    // notes has policies but no RLS, and Supabase's default privileges grant it to the API roles.
    let mut no_rls = objects("rls_disabled_in_public");
    no_rls.sort();
    assert_eq!(no_rls, ["events_2025", "notes", "tags_archive"]);
    assert_eq!(objects("policy_exists_rls_disabled"), ["notes"]);
    assert_eq!(objects("rls_enabled_no_policy"), ["drafts"]);
    for rule in [
        "security_definer_view",
        "security_definer_search_path",
        "rls_disabled_in_public",
        "policy_exists_rls_disabled",
    ] {
        assert!(
            checks(&report).contains(&format!("audit.{rule}")),
            "{rule} is error level"
        );
    }
}

#[tokio::test]
async fn a_global_unique_key_tells_one_client_what_another_has() {
    let mut h = local_in("organizations-client-id")
        .migration(
            "99_orgs_global_unique.sql",
            &common::known_bad("orgs_global_unique.sql"),
        )
        .start()
        .await
        .expect("the variant migrates");
    let report = h.check().await.expect("checks run");
    let f = report
        .findings_of("side-channel.unique")
        .find(|f| f.table.as_deref() == Some("uploads"))
        .unwrap_or_else(|| panic!("{}", report.human()));
    assert!(
        f.message.contains("uploads_external_ref_key"),
        "{}",
        f.message
    );
    assert_eq!(
        failing_audit(&report, "unique_without_tenant"),
        ["uploads uploads_external_ref_key"]
    );
    // The scenario's own global keys are accepted with a reason, and still shown.
    assert!(report
        .audit
        .iter()
        .any(|a| a.object == "users users_email_key" && a.accepted.is_some()));
}

#[tokio::test]
async fn the_leak_search_shrinks_a_cross_tenant_insert_to_a_psql_script_and_replays_it() {
    let dir = tempfile::tempdir().unwrap();
    let persist = dir.path().join("leaks.regressions");
    let run = |replay: u64| {
        let persist = persist.clone();
        async move {
            let mut h = local()
                .migration(
                    "99_clients_insert_anywhere.sql",
                    &common::known_bad("clients_insert_anywhere.sql"),
                )
                .search_cases(400)
                .replay(replay)
                .persist_failures(persist)
                .start()
                .await
                .expect("the variant migrates");
            h.check().await.expect("checks run")
        }
    };
    let report = run(7).await;
    let search = report.search.as_ref().expect("the search ran");
    let failure = search
        .failure
        .as_ref()
        .unwrap_or_else(|| panic!("{}", report.human()));
    assert_eq!(failure.table, "clients", "{}", failure.reason);
    assert!(failure
        .psql
        .starts_with("\\set ON_ERROR_ROLLBACK on\nBEGIN;"));
    assert!(
        failure.psql.contains("INSERT INTO public.clients")
            && failure.psql.ends_with("ROLLBACK;\n")
    );
    // Shrunk: a layout row or two and the one insert that must not land.
    assert!(
        failure
            .psql
            .lines()
            .filter(|l| l.starts_with("INSERT")
                || l.starts_with("UPDATE")
                || l.starts_with("DELETE")
                || l.starts_with("SELECT coalesce"))
            .count()
            <= 3,
        "{}",
        failure.psql
    );
    let finding = report
        .findings_of("search.divergence")
        .next()
        .expect("a finding");
    assert!(
        finding.message.contains("--replay 7"),
        "{}",
        finding.message
    );
    assert!(
        std::fs::read_to_string(&persist).is_ok_and(|s| s.contains("cc ")),
        "the failure is persisted"
    );

    let again = run(7).await;
    // Tenant ids are the migration's gen_random_uuid(); the case is the same.
    let case = |reason: &str| reason.split_once(") ").map(|(_, rest)| rest.to_string());
    assert_eq!(
        case(&again.search.unwrap().failure.unwrap().reason),
        case(&failure.reason),
        "the same seed finds the same minimal case"
    );
    println!("{}", failure.psql);
}

#[tokio::test]
async fn the_probes_prove_the_cross_tenant_references_and_global_keys_that_seed_003_keeps() {
    let mut h = local_in("pos-default-tenant-rls")
        .start()
        .await
        .expect("migrates");
    let report = h.check().await.expect("checks run");
    assert!(report.passed(), "accepted with reasons: {}", report.human());
    let proof = |rule: &str| {
        report
            .audit
            .iter()
            .filter(|a| a.rule == rule && a.accepted.is_some())
            .filter_map(|a| a.proven_by)
            .collect::<Vec<_>>()
    };
    assert!(proof("fk_without_tenant")
        .iter()
        .any(|c| c == "write.child-of-foreign-parent"));
    assert!(proof("unique_without_tenant")
        .iter()
        .any(|c| c == "side-channel.unique"));
    assert!(report
        .audit
        .iter()
        .any(|a| a.rule == "shared_sequence_default"));
    assert!(report.writes.denied > 0 && report.writes.scripts > 0);
}

#[tokio::test]
async fn an_unkeyed_delete_that_reaches_every_tenant_is_caught_though_the_keyed_one_is_not() {
    let report = run_with("delete_policy_true.sql").await;
    let unkeyed = report
        .findings_of("write.delete-foreign")
        .find(|f| f.table.as_deref() == Some("tags"))
        .unwrap_or_else(|| panic!("{}", report.human()));
    assert!(
        unkeyed
            .message
            .contains("unkeyed `DELETE FROM public.tags`")
            && unkeyed.message.contains("row(s) of other tenants"),
        "{}",
        unkeyed.message
    );
    assert!(
        !report
            .findings_of("write.delete-foreign")
            .any(|f| f.message.contains("WHERE")),
        "the keyed probe is refused, as PostgreSQL refuses it: {}",
        report.human()
    );
}
