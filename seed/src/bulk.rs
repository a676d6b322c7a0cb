//! Bulk loading the way pg_restore does it: the seeded tables' primary and
//! unique keys, indexes and foreign keys are dropped before the load and
//! recreated after it. Building an index once from sorted data is far
//! cheaper than maintaining it row by row (random UUID keys especially), and
//! a foreign key added to a full table is checked by one join instead of a
//! trigger call per row. Re-adding every constraint also validates the
//! generated data: a duplicate key or a dangling reference fails the load
//! with the constraint's name.
//!
//! CHECK and NOT NULL constraints and triggers stay in place. A key that a
//! table outside the load references is kept, since dropping it would mean
//! dropping that foreign key too.

use crate::SeedError;
use futures_util::future::try_join_all;
use tokio_postgres::{Client, Config};

/// What was dropped, and how to put it back.
#[derive(Debug, Default)]
pub struct Deferred {
    /// Per table: `ALTER TABLE … ADD CONSTRAINT` for keys, then `CREATE INDEX`.
    keys_and_indexes: Vec<(String, Vec<String>)>,
    /// `ALTER TABLE … ADD CONSTRAINT … FOREIGN KEY`, once every key exists.
    foreign_keys: Vec<(String, String)>,
}

/// Drops the keys, indexes and foreign keys of `tables` (schema-qualified).
pub async fn defer(client: &Client, tables: &[String]) -> Result<Deferred, SeedError> {
    let err = SeedError::db("bulk load preparation");
    let constraints = client
        .query(
            "SELECT format('%I.%I', n.nspname, t.relname), quote_ident(c.conname), c.contype::text, pg_get_constraintdef(c.oid), \
                    EXISTS (SELECT 1 FROM pg_constraint f JOIN pg_class ft ON ft.oid = f.conrelid JOIN pg_namespace fn ON fn.oid = ft.relnamespace \
                            WHERE f.contype = 'f' AND f.confrelid = c.conrelid AND NOT format('%I.%I', fn.nspname, ft.relname) = ANY($1)) \
             FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid JOIN pg_namespace n ON n.oid = t.relnamespace \
             WHERE format('%I.%I', n.nspname, t.relname) = ANY($1) AND c.contype IN ('p', 'u', 'f') AND t.relkind = 'r' \
             ORDER BY c.contype DESC, 1, 2",
            &[&tables],
        )
        .await
        .map_err(err)?;
    let indexes = client
        .query(
            "SELECT format('%I.%I', n.nspname, t.relname), format('%I.%I', n.nspname, ic.relname), pg_get_indexdef(i.indexrelid) \
             FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace \
             JOIN pg_class ic ON ic.oid = i.indexrelid \
             WHERE format('%I.%I', n.nspname, t.relname) = ANY($1) AND t.relkind = 'r' \
             AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid) ORDER BY 1, 2",
            &[&tables],
        )
        .await
        .map_err(SeedError::db("bulk load preparation"))?;

    let mut d = Deferred::default();
    let mut drops = Vec::new();
    let mut key_drops = Vec::new();
    let mut per_table: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for r in &constraints {
        let (table, name, kind, def, referenced_from_outside): (
            String,
            String,
            String,
            String,
            bool,
        ) = (r.get(0), r.get(1), r.get(2), r.get(3), r.get(4));
        let add = format!("ALTER TABLE {table} ADD CONSTRAINT {name} {def}");
        let drop = format!("ALTER TABLE {table} DROP CONSTRAINT {name}");
        if kind == "f" {
            drops.push(drop);
            d.foreign_keys.push((table, add));
        } else if !referenced_from_outside {
            key_drops.push(drop);
            per_table.entry(table).or_default().push(add);
        }
    }
    for r in &indexes {
        let (table, index, def): (String, String, String) = (r.get(0), r.get(1), r.get(2));
        drops.push(format!("DROP INDEX {index}"));
        per_table.entry(table).or_default().push(def);
    }
    // Foreign keys first (they depend on the keys), then indexes, then keys.
    drops.extend(key_drops);
    if !drops.is_empty() {
        client
            .batch_execute(&drops.join(";\n"))
            .await
            .map_err(SeedError::db("bulk load preparation"))?;
    }
    d.keys_and_indexes = per_table.into_iter().collect();
    Ok(d)
}

/// Puts everything back: keys and indexes table by table in parallel, then
/// the foreign keys. Fails on the first constraint the data violates.
pub async fn restore(
    config: &Config,
    deferred: Deferred,
    concurrency: usize,
) -> Result<(), SeedError> {
    let chunks: Vec<Vec<(String, Vec<String>)>> =
        split(deferred.keys_and_indexes, concurrency.max(1));
    try_join_all(chunks.into_iter().map(|chunk| async move {
        let client = connect(config).await?;
        client
            .batch_execute("SET maintenance_work_mem = '256MB'")
            .await
            .map_err(SeedError::db("bulk load"))?;
        for (table, statements) in chunk {
            client
                .batch_execute(&statements.join(";\n"))
                .await
                .map_err(SeedError::db(&table))?;
        }
        Ok::<_, SeedError>(())
    }))
    .await?;
    let client = connect(config).await?;
    for (table, add) in deferred.foreign_keys {
        client
            .batch_execute(&add)
            .await
            .map_err(SeedError::db(&table))?;
    }
    Ok(())
}

fn split<T>(items: Vec<T>, n: usize) -> Vec<Vec<T>> {
    let mut out: Vec<Vec<T>> = (0..n).map(|_| Vec::new()).collect();
    for (i, item) in items.into_iter().enumerate() {
        out[i % n].push(item);
    }
    out.retain(|c| !c.is_empty());
    out
}

async fn connect(config: &Config) -> Result<Client, SeedError> {
    let (client, conn) = config
        .connect(tokio_postgres::NoTls)
        .await
        .map_err(SeedError::db("bulk load"))?;
    tokio::spawn(async move {
        let _ = conn.await;
    });
    Ok(client)
}
