//! Names that need quoting: a table called `Weird Table`, reserved words as
//! columns (`user`, `order`, `select`), a table whose name holds both kinds
//! of quote, and a scenario name that reads like an injection. PostgreSQL
//! accepts the first three, so the harness must seed, migrate and check
//! them; the last must stay a name and never run.

use std::path::PathBuf;
use tenant_harness::{Backend, Error, Harness, HarnessBuilder};

fn fixture() -> HarnessBuilder {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/weird-names");
    Harness::builder(dir).unwrap().backend(Backend::Local)
}

#[tokio::test]
async fn quoted_and_reserved_names_seed_migrate_and_check() {
    let mut h = fixture().start().await.unwrap();
    let report = h.assert_isolated().await;
    for table in ["users", "Weird Table", "o'brien \"notes\""] {
        let t = report
            .integrity
            .iter()
            .find(|t| t.table == table)
            .unwrap_or_else(|| panic!("{table} is not in the report:\n{}", report.human()));
        assert!(
            t.rows_before > 0 && t.rows_after == t.rows_before,
            "{table}"
        );
    }
    // The reserved-word owner column was filled with real owners, not the role name.
    let owners: i64 = h
        .admin()
        .query_one(
            r#"SELECT count(*) FROM "Weird Table" w JOIN users u ON u.id = w."user""#,
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(owners, 120);
    drop(h);

    // A leak on the quoted table is found and named as the scenario names it.
    let leak =
        r#"CREATE POLICY everyone ON "o'brien ""notes""" FOR SELECT TO app_user USING (true);"#;
    let mut h = fixture()
        .migration("099_leak.sql", leak)
        .start()
        .await
        .unwrap();
    let report = h.check().await.unwrap();
    assert!(
        report
            .findings_of("isolation.foreign-rows")
            .any(|f| f.table.as_deref() == Some("o'brien \"notes\"")),
        "{}",
        report.human()
    );
}

#[tokio::test]
async fn on_this_fixture_a_dropped_table_and_an_unkeyed_delete_go_red() {
    // Its own identity model (a session setting, no Supabase) and names that need quoting:
    // the migration drops one table and lets anyone delete from another.
    let bad = r#"DROP TABLE "o'brien ""notes""";
CREATE POLICY anyone_deletes ON "Weird Table" FOR DELETE TO app_user USING (true);"#;
    let mut h = fixture()
        .migration("099_bad.sql", bad)
        .start()
        .await
        .unwrap();
    let report = h.check().await.expect("findings, not an error");
    assert!(
        report
            .findings_of("integrity.table-dropped")
            .any(|f| f.table.as_deref() == Some("o'brien \"notes\"")),
        "{}",
        report.human()
    );
    let delete = report
        .findings_of("write.delete-foreign")
        .find(|f| f.table.as_deref() == Some("Weird Table"))
        .unwrap_or_else(|| panic!("{}", report.human()));
    assert!(
        delete
            .message
            .contains(r#"unkeyed `DELETE FROM public."Weird Table"`"#),
        "{}",
        delete.message
    );
    assert_eq!(report.exit_code(), tenant_harness::exit::FINDINGS);
}

#[tokio::test]
async fn a_table_name_that_reads_like_sql_stays_a_name() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/weird-names");
    let toml = std::fs::read_to_string(dir.join("scenario.toml"))
        .unwrap()
        .replace(
            "name = \"Weird Table\"",
            "name = \"x; DROP TABLE users; --\"",
        );
    let tmp = tempfile::tempdir().unwrap();
    for f in ["before.sql", "migrations/001_tenants.sql"] {
        let to = tmp.path().join(f);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(dir.join(f), to).unwrap();
    }
    std::fs::write(tmp.path().join("scenario.toml"), toml).unwrap();
    let err = match Harness::builder(tmp.path())
        .unwrap()
        .backend(Backend::Local)
        .start()
        .await
    {
        Err(e) => e,
        Ok(_) => panic!("a table that does not exist was accepted"),
    };
    assert_eq!(err.exit_code(), tenant_harness::exit::USAGE, "{err}");
    assert!(
        matches!(err, Error::Seed(_) | Error::Scenario { .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("x; DROP TABLE users; --"), "{err}");
}
