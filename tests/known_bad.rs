//! Every checker goes red on a known-bad migration, and names the table,
//! the actor and a row. The known-bad migrations are in tests/known-bad/.

mod common;

use common::{checks, known_bad, local, run_with};
use tenant_harness::Error;

#[tokio::test]
async fn the_scenario_passes_as_the_seeds_write_it() {
    let mut h = local().start().await.expect("scenario migrates");
    let report = h.assert_isolated().await;
    let tables = h.scenario().tables.len();
    assert!(
        tables >= 13,
        "profiles, seed 001's 12 business tables and seed 000's groups"
    );
    assert_eq!(report.integrity.len(), tables);
    assert!(report
        .integrity
        .iter()
        .all(|t| t.rows_before == t.rows_after && t.rows_before > 0));
    assert_eq!(
        report.isolation.pairs,
        report.isolation.actors.len() * tables
    );
    assert!(report.isolation.actors.iter().any(|a| a == "anon"));
}

#[tokio::test]
async fn a_table_left_without_rls_is_named_with_users_and_rows() {
    let report = run_with("tags_without_rls.sql").await;
    let found = checks(&report);
    assert!(
        found.contains(&"isolation.foreign-rows".to_string())
            && found.contains(&"audit.rls_disabled_in_public".to_string()),
        "{}",
        report.human()
    );
    for check in [
        "write.insert-foreign",
        "write.update-foreign",
        "write.delete-foreign",
        "write.upsert-foreign",
        "write.merge-foreign",
    ] {
        assert!(
            found.contains(&check.to_string()),
            "{check}: {}",
            report.human()
        );
    }
    // Every finding is about tags: reads, writes and the audit's rules.
    assert!(report
        .findings
        .iter()
        .all(|f| f.table.as_deref().is_some_and(|t| t.starts_with("tags"))));
    let findings: Vec<_> = report.findings_of("isolation.foreign-rows").collect();
    assert!(findings
        .iter()
        .all(|f| f.table.as_deref() == Some("tags") && f.row.is_some()));
    assert!(findings.iter().any(|f| f.actor.as_deref() == Some("anon")));
    assert!(findings
        .iter()
        .any(|f| f.actor.as_deref().is_some_and(|a| a.contains('@'))));
    assert_eq!(report.exit_code(), 1);
}

#[tokio::test]
async fn a_syntax_error_is_reported_with_file_and_line() {
    let err = local()
        .migration("99_syntax_error.sql", &known_bad("syntax_error.sql"))
        .start()
        .await
        .err()
        .expect("the migration fails");
    let msg = err.to_string();
    assert!(
        matches!(
            err,
            Error::Statement {
                line: 5,
                is_migration: true,
                ..
            }
        ),
        "{msg}"
    );
    assert!(
        msg.contains("99_syntax_error.sql:5") && msg.contains("syntax error"),
        "{msg}"
    );
    assert_eq!(err.exit_code(), 1);
}

#[tokio::test]
async fn deleted_rows_are_named() {
    let report = run_with("delete_rows.sql").await;
    assert_eq!(
        checks(&report),
        ["integrity.rows-lost"],
        "{}",
        report.human()
    );
    let f = report.findings_of("integrity.rows-lost").next().unwrap();
    assert_eq!((f.table.as_deref(), f.count), (Some("goals"), 3));
    assert!(f.row.is_some());
}

#[tokio::test]
async fn rewritten_values_are_named() {
    let report = run_with("rewrite_value.sql").await;
    assert_eq!(
        checks(&report),
        ["integrity.rows-changed"],
        "{}",
        report.human()
    );
    let f = report.findings_of("integrity.rows-changed").next().unwrap();
    assert_eq!((f.table.as_deref(), f.count), (Some("clients"), 2));
}

#[tokio::test]
async fn invented_rows_are_named() {
    let report = run_with("add_rows.sql").await;
    assert_eq!(
        checks(&report),
        ["integrity.rows-added"],
        "{}",
        report.human()
    );
    assert_eq!(
        report
            .findings_of("integrity.rows-added")
            .next()
            .unwrap()
            .table
            .as_deref(),
        Some("tags")
    );
}

#[tokio::test]
async fn null_tenant_ids_are_found_and_their_rows_go_missing() {
    let report = run_with("null_tenant.sql").await;
    let f = report
        .findings_of("integrity.null-tenant")
        .next()
        .expect("null tenant finding");
    assert_eq!(f.table.as_deref(), Some("goals"));
    let expected: i64 = {
        // Exactly the two missed owners' goals, no more and no fewer.
        let h = common::local().start().await.unwrap();
        h.admin()
            .query_one("SELECT count(*) FROM goals WHERE org_id IN (SELECT id FROM profiles ORDER BY id LIMIT 2)", &[])
            .await
            .unwrap()
            .get(0)
    };
    assert_eq!(f.count, expected as u64);
    assert!(
        checks(&report).iter().all(|c| c == "integrity.null-tenant"
            || c == "isolation.missing-rows"
            || c == "audit.nullable_tenant_column"),
        "{}",
        report.human()
    );
}

#[tokio::test]
async fn rows_in_another_owners_tenant_are_misassigned() {
    let report = run_with("misassign_rows.sql").await;
    let f = report
        .findings_of("integrity.misassigned")
        .next()
        .expect("misassigned finding");
    assert_eq!((f.table.as_deref(), f.count), (Some("deals"), 5));
    assert!(f.row.is_some());
}

#[tokio::test]
async fn one_tenant_for_everyone_is_a_merge() {
    let report = run_with("one_tenant_for_all.sql").await;
    let f = report
        .findings_of("integrity.tenants-merged")
        .next()
        .expect("merge finding");
    assert!(f.count > 2, "{}", report.human());
    assert!(
        report.findings_of("isolation.foreign-rows").count() > 0,
        "and users then see other tenants' rows"
    );
}

#[tokio::test]
async fn a_dropped_column_is_data_loss() {
    let report = run_with("drop_column.sql").await;
    assert_eq!(
        checks(&report),
        ["integrity.columns-dropped"],
        "{}",
        report.human()
    );
    assert_eq!(report.findings[0].table.as_deref(), Some("contacts"));
}

#[tokio::test]
async fn a_missing_tenant_column_is_found() {
    let report = run_with("no_tenant_column.sql").await;
    assert!(
        checks(&report).contains(&"integrity.no-tenant-column".to_string()),
        "{}",
        report.human()
    );
}

#[tokio::test]
async fn a_missing_read_policy_hides_own_rows() {
    let report = run_with("drop_select_policy.sql").await;
    // Without SELECT visibility an UPDATE finds no row either: a regression of own writes.
    assert_eq!(
        checks(&report),
        ["isolation.missing-rows", "write.own-rows-denied"],
        "{}",
        report.human()
    );
    assert!(report
        .findings
        .iter()
        .all(|f| f.table.as_deref() == Some("tasks")));
}

#[tokio::test]
async fn an_api_role_that_owns_a_table_is_refused() {
    let report = run_with("api_role_owns_table.sql").await;
    let f = report
        .findings_of("isolation.unsafe-role")
        .next()
        .expect("refusal");
    assert!(
        f.message.contains("owns") && f.message.contains("goals"),
        "{}",
        f.message
    );
}

#[tokio::test]
async fn an_error_is_reported_as_an_error_not_a_pass() {
    let report = run_with("policy_raises.sql").await;
    assert_eq!(checks(&report), ["isolation.error"], "{}", report.human());
    let f = report.findings_of("isolation.error").next().unwrap();
    assert!(f.message.contains("22012"), "{}", f.message);
    assert_eq!(f.table.as_deref(), Some("cases"));
}

#[tokio::test]
async fn a_policy_that_trusts_user_metadata_lets_a_user_pick_a_tenant() {
    let report = run_with("policy_trusts_user_metadata.sql").await;
    assert!(
        checks(&report).contains(&"audit.rls_references_user_metadata".to_string()),
        "{}",
        report.human()
    );
    let f: Vec<_> = report.findings_of("isolation.foreign-rows").collect();
    assert_eq!(
        f.len(),
        1,
        "only the actor who edited their metadata: {}",
        report.human()
    );
    assert_eq!(f[0].table.as_deref(), Some("clients"));
    assert!(
        f[0].actor
            .as_deref()
            .is_some_and(|a| a.contains("user_metadata"))
            && f[0].row.is_some()
    );
}
