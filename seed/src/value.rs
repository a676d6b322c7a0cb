//! One generated cell, whatever its PostgreSQL type.
//!
//! Binary COPY needs a `ToSql` per cell; a closed enum keeps the row a plain
//! `Vec<Value>` and lets enum labels and domains through, which the
//! standard `String`/`i32` impls refuse.

use bytes::BytesMut;
use chrono::{DateTime, NaiveDate, Utc};
use postgres_types::{to_sql_checked, IsNull, Kind, ToSql, Type};
use rust_decimal::Decimal;
use std::error::Error;

/// A generated value for one column.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// SQL NULL.
    Null,
    /// `boolean`.
    Bool(bool),
    /// `smallint`.
    I16(i16),
    /// `integer`.
    I32(i32),
    /// `bigint`.
    I64(i64),
    /// `real`.
    F32(f32),
    /// `double precision`.
    F64(f64),
    /// `numeric`.
    Numeric(Decimal),
    /// `text`, `varchar`, `char`.
    Text(String),
    /// A label of a PostgreSQL enum type.
    Enum(String),
    /// `uuid`.
    Uuid(uuid::Uuid),
    /// `date`.
    Date(NaiveDate),
    /// `timestamp`.
    Timestamp(chrono::NaiveDateTime),
    /// `timestamptz`.
    TimestampTz(DateTime<Utc>),
    /// `json`, `jsonb`.
    Json(serde_json::Value),
    /// `text[]`, `varchar[]`.
    TextArray(Vec<String>),
    /// `real[]` (embeddings).
    F32Array(Vec<f32>),
    /// `double precision[]`.
    F64Array(Vec<f64>),
}

impl ToSql for Value {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut BytesMut,
    ) -> Result<IsNull, Box<dyn Error + Sync + Send>> {
        // A domain is sent as its base type.
        if let Kind::Domain(base) = ty.kind() {
            return self.to_sql(base, out);
        }
        match self {
            Value::Null => Ok(IsNull::Yes),
            Value::Bool(v) => v.to_sql(ty, out),
            Value::I16(v) => v.to_sql(ty, out),
            Value::I32(v) => v.to_sql(ty, out),
            Value::I64(v) => v.to_sql(ty, out),
            Value::F32(v) => v.to_sql(ty, out),
            Value::F64(v) => v.to_sql(ty, out),
            Value::Numeric(v) => v.to_sql(ty, out),
            Value::Text(v) => v.to_sql(ty, out),
            Value::Enum(v) => {
                // Enum labels travel as their UTF-8 bytes in the binary format.
                out.extend_from_slice(v.as_bytes());
                Ok(IsNull::No)
            }
            Value::Uuid(v) => v.to_sql(ty, out),
            Value::Date(v) => v.to_sql(ty, out),
            Value::Timestamp(v) => v.to_sql(ty, out),
            Value::TimestampTz(v) => v.to_sql(ty, out),
            Value::Json(v) => v.to_sql(ty, out),
            Value::TextArray(v) => v.to_sql(ty, out),
            Value::F32Array(v) => v.to_sql(ty, out),
            Value::F64Array(v) => v.to_sql(ty, out),
        }
    }

    fn accepts(_: &Type) -> bool {
        // The generator picks the variant from the column's type, so any
        // mismatch is a generator bug that `to_sql` of the inner type reports.
        true
    }

    to_sql_checked!();
}

impl Value {
    /// The value as text, the way it is keyed in parent tables and reports.
    pub fn key_text(&self) -> String {
        match self {
            Value::Null => "NULL".into(),
            Value::Bool(v) => v.to_string(),
            Value::I16(v) => v.to_string(),
            Value::I32(v) => v.to_string(),
            Value::I64(v) => v.to_string(),
            Value::F32(v) => v.to_string(),
            Value::F64(v) => v.to_string(),
            Value::Numeric(v) => v.to_string(),
            Value::Text(v) | Value::Enum(v) => v.clone(),
            Value::Uuid(v) => v.to_string(),
            Value::Date(v) => v.to_string(),
            Value::Timestamp(v) => v.to_string(),
            Value::TimestampTz(v) => v.to_rfc3339(),
            Value::Json(v) => v.to_string(),
            Value::TextArray(v) => format!("{v:?}"),
            Value::F32Array(v) => format!("{v:?}"),
            Value::F64Array(v) => format!("{v:?}"),
        }
    }
}
