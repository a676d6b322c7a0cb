//! The pre-migration snapshot: one md5 per row of every tenant table,
//! keyed by primary key, with the tenant group its owner belongs to, kept
//! in the harness's schema of the run's database. It is taken after
//! seeding and before the migration, and every check compares against it.

use crate::core::names::HARNESS_SCHEMA as SCHEMA;
use crate::error::{Error, Result};
use crate::scenario::Scenario;
use crate::seed::SeededUser;
use tenant_seed::catalog;
use tokio_postgres::Client;

/// One table before the migration.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct TableSnapshot {
    /// Schema-qualified name.
    pub table: String,
    /// The scenario's name for it.
    pub short: String,
    /// Primary key columns (rows are followed by them).
    pub primary_key: Vec<String>,
    /// The columns hashed: all that existed before the migration.
    pub columns: Vec<String>,
    /// Rows before the migration.
    pub rows: u64,
    /// The snapshot table: `(pk, hash, grp)`.
    pub snap: String,
    /// The oracle's table for isolation: `(pk, grp)` of every row a tenant should see.
    pub expected: String,
}

/// Every tenant table before the migration.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct Snapshot {
    /// One entry per scenario table, in scenario order.
    pub tables: Vec<TableSnapshot>,
    /// Every table of the database before the migration (outside the system schemas).
    pub pre_tables: Vec<String>,
}

impl Snapshot {
    /// The snapshot without `tables` (scenario names): what the checks after
    /// integrity read, once the tables the migration dropped are findings.
    pub fn without(&self, tables: &[String]) -> Snapshot {
        Snapshot {
            tables: self
                .tables
                .iter()
                .filter(|t| !tables.contains(&t.short))
                .cloned()
                .collect(),
            pre_tables: self.pre_tables.clone(),
        }
    }
}

/// `pk` as one text expression: the column, or a row of the columns.
pub(crate) fn key_expr(pk: &[String]) -> String {
    match pk {
        [one] => format!("{}::text", tenant_sql::ident(one)),
        many => format!(
            "ROW({})::text",
            many.iter()
                .map(|c| tenant_sql::ident(c))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// Takes the pre-migration snapshot of the scenario's tables.
pub async fn snapshot(
    client: &Client,
    scenario: &Scenario,
    users: &[SeededUser],
) -> Result<Snapshot> {
    let ids: Vec<String> = users.iter().map(|u| u.id.to_string()).collect();
    let groups: Vec<String> = users.iter().map(|u| u.group.clone()).collect();
    client
        .batch_execute(&format!("CREATE SCHEMA IF NOT EXISTS {SCHEMA}"))
        .await
        .map_err(Error::db("creating the harness schema"))?;
    store_map(client, "user_groups", ("user_id", "grp"), &ids, &groups).await?;
    let fixed_group = crate::seed::group_of(&scenario.tenancy.grouping, "");
    let mut out = Snapshot {
        tables: Vec::new(),
        pre_tables: user_tables(client).await?,
    };
    for (i, spec) in scenario.tables.iter().enumerate() {
        let info = catalog::load(client, &spec.sql).await?;
        if info.primary_key.is_empty() {
            return Err(Error::Scenario {
                file: scenario.toml_path(),
                line: Some(spec.line),
                message: format!("table `{}` has no primary key, so its rows cannot be followed through the migration; add one in before.sql", spec.name),
            });
        }
        let owner = if let Some(u) = scenario.users.as_ref().filter(|u| u.table == spec.name) {
            Some(u.id.clone())
        } else {
            spec.owner.clone()
        };
        let columns: Vec<String> = info.columns.iter().map(|c| c.name.clone()).collect();
        let snap = format!("{SCHEMA}.snap_{i}");
        let group = match &owner {
            Some(o) => format!(
                "coalesce(g.grp, 'unknown-owner:' || coalesce(t.{}::text, 'NULL'))",
                tenant_sql::ident(o)
            ),
            // CREATE TABLE AS takes no parameters: the fixed group goes in as a literal.
            None => format!("{}::text", tenant_sql::literal(&fixed_group)),
        };
        let join = owner.as_deref().map_or(String::new(), |o| {
            format!(
                "LEFT JOIN {SCHEMA}.user_groups g ON g.user_id = t.{}::text",
                tenant_sql::ident(o)
            )
        });
        let sql = format!(
            "CREATE UNLOGGED TABLE {snap} AS SELECT {key} AS pk, md5(ROW({cols})::text) AS hash, {group} AS grp FROM {table} t {join}",
            key = prefixed_key(&info.primary_key, "t"),
            cols = columns.iter().map(|c| format!("t.{}", tenant_sql::ident(c))).collect::<Vec<_>>().join(", "),
            table = info.name,
        );
        client
            .batch_execute(&sql)
            .await
            .map_err(Error::db(format!("snapshot of {}", info.name)))?;
        client
            .batch_execute(&format!("ALTER TABLE {snap} ADD PRIMARY KEY (pk)"))
            .await
            .map_err(Error::db(format!("indexing the snapshot of {}", info.name)))?;
        let rows: i64 = client
            .query_one(&format!("SELECT count(*) FROM {snap}"), &[])
            .await
            .map_err(Error::db("counting the snapshot"))?
            .get(0);
        out.tables.push(TableSnapshot {
            table: info.name,
            short: spec.name.clone(),
            primary_key: info.primary_key,
            columns,
            rows: rows as u64,
            expected: format!("{SCHEMA}.expected_{i}"),
            snap,
        });
    }
    Ok(out)
}

/// Tables outside the system schemas and the harness's own, schema-qualified.
pub async fn user_tables(client: &Client) -> Result<Vec<String>> {
    let rows = client
        .query(
            "SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema', $1) \
             AND n.nspname NOT LIKE 'pg\\_%' ORDER BY 1",
            &[&SCHEMA],
        )
        .await
        .map_err(Error::db("listing tables"))?;
    Ok(rows.iter().map(|r| r.get(0)).collect())
}

/// The primary key expression over the table alias `alias`.
pub(crate) fn prefixed_key(pk: &[String], alias: &str) -> String {
    match pk {
        [one] => format!("{alias}.{}::text", tenant_sql::ident(one)),
        many => format!(
            "ROW({})::text",
            many.iter()
                .map(|c| format!("{alias}.{}", tenant_sql::ident(c)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// (Re)creates `{SCHEMA}.{name}(key text PRIMARY KEY, value text NOT NULL)` holding `keys` → `values`.
pub(crate) async fn store_map(
    client: &Client,
    name: &str,
    (key, value): (&str, &str),
    keys: &[String],
    values: &[String],
) -> Result<()> {
    let table = format!("{SCHEMA}.{name}");
    client
        .batch_execute(&format!("DROP TABLE IF EXISTS {table}; CREATE UNLOGGED TABLE {table} ({key} text PRIMARY KEY, {value} text NOT NULL)"))
        .await
        .map_err(Error::db(format!("creating {table}")))?;
    client
        .execute(
            &format!("INSERT INTO {table} SELECT * FROM unnest($1::text[], $2::text[])"),
            &[&keys, &values],
        )
        .await
        .map_err(Error::db(format!("filling {table}")))?;
    Ok(())
}
