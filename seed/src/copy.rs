//! Streams generated rows into one table through binary `COPY`.
//!
//! Rows go to the server as they are made, so memory stays flat however
//! many rows a table gets; binary format skips text parsing on the server.

use crate::value::Value;
use crate::SeedError;
use futures_util::pin_mut;
use postgres_types::{ToSql, Type};
use tokio_postgres::binary_copy::BinaryCopyInWriter;
use tokio_postgres::Client;

/// Copies every row `next_row` yields into `table(columns)`; `next_row`
/// returns `Ok(None)` when done. Returns the number of rows written.
pub async fn copy_rows<F>(
    client: &Client,
    table: &str,
    columns: &[String],
    types: &[Type],
    mut next_row: F,
) -> Result<u64, SeedError>
where
    F: FnMut() -> Result<Option<Vec<Value>>, SeedError>,
{
    let cols = columns
        .iter()
        .map(|c| tenant_sql::ident(c))
        .collect::<Vec<_>>()
        .join(", ");
    let sink = client
        .copy_in(&format!("COPY {table} ({cols}) FROM STDIN (FORMAT binary)"))
        .await
        .map_err(SeedError::db(table))?;
    let writer = BinaryCopyInWriter::new(sink, types);
    pin_mut!(writer);
    while let Some(row) = next_row()? {
        let refs: Vec<&(dyn ToSql + Sync)> = row.iter().map(|v| v as &(dyn ToSql + Sync)).collect();
        writer
            .as_mut()
            .write(&refs)
            .await
            .map_err(SeedError::db(table))?;
    }
    writer.finish().await.map_err(SeedError::db(table))
}
