//! What the generator needs to know about a table, read from the live
//! catalog rather than parsed from SQL, so that whatever `before.sql` does
//! (domains, enums, ALTERs after CREATE) is seen as the server sees it.

use crate::SeedError;
use postgres_types::Type;
use tokio_postgres::Client;

/// One column of a table.
#[derive(Debug, Clone)]
pub struct Column {
    /// Column name.
    pub name: String,
    /// The type as the server reports it in a result column, so enums and
    /// domains carry their labels and base types.
    pub ty: Type,
    /// `format_type()` output, for messages.
    pub type_name: String,
    /// NOT NULL constraint.
    pub not_null: bool,
    /// Has a default (or is an identity column).
    pub has_default: bool,
    /// Identity `ALWAYS` or a generated column: COPY must not name it.
    pub generated: bool,
    /// `varchar(n)` / `char(n)` limit.
    pub max_len: Option<usize>,
    /// Values allowed by a single-column CHECK (`col IN (...)`), if any.
    pub allowed: Vec<String>,
    /// Inclusive numeric range a single-column CHECK allows (`col >= a AND col <= b`, `BETWEEN`).
    pub bounds: Option<(f64, f64)>,
}

/// A foreign key from this table.
#[derive(Debug, Clone)]
pub struct ForeignKey {
    /// Referencing columns, in key order.
    pub columns: Vec<String>,
    /// Schema-qualified target table, e.g. `public.profiles`.
    pub target: String,
    /// Referenced columns, in key order.
    pub target_columns: Vec<String>,
}

/// A table: columns, keys and references.
#[derive(Debug, Clone)]
pub struct TableInfo {
    /// Schema-qualified and quoted where needed, e.g. `public.clients`.
    pub name: String,
    /// Columns in table order, dropped ones excluded.
    pub columns: Vec<Column>,
    /// Primary key columns, empty when there is none.
    pub primary_key: Vec<String>,
    /// UNIQUE constraints and unique indexes other than the primary key.
    pub unique: Vec<Vec<String>>,
    /// Foreign keys, ordered by constraint name.
    pub foreign_keys: Vec<ForeignKey>,
}

impl Column {
    /// A NOT NULL column without default or constraints: for benchmarks and
    /// tests of the generator, where no catalog is at hand.
    pub fn plain(name: &str, ty: Type) -> Column {
        Column {
            name: name.into(),
            type_name: ty.name().into(),
            ty,
            not_null: true,
            has_default: false,
            generated: false,
            max_len: None,
            allowed: vec![],
            bounds: None,
        }
    }
}

impl TableInfo {
    /// The column named `name`.
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// The foreign key whose only column is `column`, if any.
    pub fn fk_of(&self, column: &str) -> Option<&ForeignKey> {
        self.foreign_keys
            .iter()
            .find(|fk| fk.columns.len() == 1 && fk.columns[0] == column)
    }
}

/// Resolves `name` (as a user would write it, search_path applies) to its
/// schema-qualified form, or `None` when no such table exists.
pub async fn qualify(client: &Client, name: &str) -> Result<Option<String>, SeedError> {
    let row = client
        .query_one(
            "SELECT (SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c \
             JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = to_regclass($1))",
            &[&name],
        )
        .await
        .map_err(SeedError::db(name))?;
    Ok(row.get(0))
}

/// Reads one table's catalog entry.
pub async fn load(client: &Client, name: &str) -> Result<TableInfo, SeedError> {
    let qualified = qualify(client, name)
        .await?
        .ok_or_else(|| SeedError::NoSuchTable {
            table: name.to_string(),
        })?;
    let err = SeedError::db(name);
    let rows = client
        .query(
            "SELECT a.attname::text, format_type(a.atttypid, a.atttypmod), a.attnotnull, \
                    a.atthasdef OR a.attidentity <> '', \
                    a.attidentity = 'a' OR a.attgenerated <> '', \
                    CASE WHEN a.atttypid IN ('varchar'::regtype, 'bpchar'::regtype) AND a.atttypmod > 4 \
                         THEN a.atttypmod - 4 END \
             FROM pg_attribute a \
             WHERE a.attrelid = $1::text::regclass AND a.attnum > 0 AND NOT a.attisdropped \
             ORDER BY a.attnum",
            &[&qualified],
        )
        .await
        .map_err(err)?;

    // The server's own idea of each column type (enum labels, domain base).
    let select_list = rows
        .iter()
        .map(|r| tenant_sql::ident(r.get::<_, &str>(0)))
        .collect::<Vec<_>>()
        .join(", ");
    let probe = client
        .prepare(&format!("SELECT {select_list} FROM {qualified} LIMIT 0"))
        .await
        .map_err(SeedError::db(name))?;

    let checks = client
        .query(
            "SELECT a.attname::text, pg_get_constraintdef(c.oid) FROM pg_constraint c \
             JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] \
             WHERE c.conrelid = $1::text::regclass AND c.contype = 'c' AND cardinality(c.conkey) = 1",
            &[&qualified],
        )
        .await
        .map_err(SeedError::db(name))?;

    let columns = rows
        .iter()
        .zip(probe.columns())
        .map(|(r, col)| {
            let name: String = r.get(0);
            let defs: Vec<&str> = checks
                .iter()
                .filter(|c| c.get::<_, &str>(0) == name)
                .map(|c| c.get(1))
                .collect();
            let allowed = defs.iter().flat_map(|d| check_literals(d)).collect();
            let bounds = defs
                .iter()
                .filter_map(|d| check_bounds(d, &name))
                .reduce(|a, b| (a.0.max(b.0), a.1.min(b.1)));
            Column {
                ty: col.type_().clone(),
                type_name: r.get(1),
                not_null: r.get(2),
                has_default: r.get(3),
                generated: r.get(4),
                max_len: r.get::<_, Option<i32>>(5).map(|n| n as usize),
                allowed,
                bounds,
                name,
            }
        })
        .collect();

    let index_rows = client
        .query(
            "SELECT i.indisprimary, array(SELECT a.attname::text FROM unnest(i.indkey) WITH ORDINALITY k(attnum, ord) \
                    JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum ORDER BY k.ord) \
             FROM pg_index i WHERE i.indrelid = $1::text::regclass AND i.indisunique AND i.indpred IS NULL \
             ORDER BY i.indexrelid",
            &[&qualified],
        )
        .await
        .map_err(SeedError::db(name))?;
    let mut primary_key = Vec::new();
    let mut unique = Vec::new();
    for r in index_rows {
        let cols: Vec<String> = r.get(1);
        if r.get(0) {
            primary_key = cols;
        } else {
            unique.push(cols);
        }
    }

    let fk_rows = client
        .query(
            "SELECT array(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY k(n, o) \
                    JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n ORDER BY k.o), \
                    format('%I.%I', tn.nspname, t.relname), \
                    array(SELECT a.attname::text FROM unnest(c.confkey) WITH ORDINALITY k(n, o) \
                    JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n ORDER BY k.o) \
             FROM pg_constraint c JOIN pg_class t ON t.oid = c.confrelid \
             JOIN pg_namespace tn ON tn.oid = t.relnamespace \
             WHERE c.conrelid = $1::text::regclass AND c.contype = 'f' ORDER BY c.conname",
            &[&qualified],
        )
        .await
        .map_err(SeedError::db(name))?;
    let foreign_keys = fk_rows
        .iter()
        .map(|r| ForeignKey {
            columns: r.get(0),
            target: r.get(1),
            target_columns: r.get(2),
        })
        .collect();

    Ok(TableInfo {
        name: qualified,
        columns,
        primary_key,
        unique,
        foreign_keys,
    })
}

/// The string literals of a CHECK such as
/// `CHECK ((status = ANY (ARRAY['a'::text, 'b'::text])))` or `CHECK (x IN ('a','b'))`.
/// Other checks (ranges, expressions) yield nothing: the generator's
/// defaults already satisfy the usual `>= 0` kind.
fn check_literals(def: &str) -> Vec<String> {
    let lower = def.to_ascii_lowercase();
    if !(lower.contains("any (array[") || lower.contains(" in (")) {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut chars = def.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\'' {
            let mut lit = String::new();
            while let Some(c) = chars.next() {
                if c == '\'' {
                    if chars.peek() == Some(&'\'') {
                        chars.next();
                        lit.push('\'');
                    } else {
                        break;
                    }
                } else {
                    lit.push(c);
                }
            }
            out.push(lit);
        }
    }
    out
}

/// The range a CHECK such as `CHECK ((year >= 2000) AND (year <= 2100))` or
/// `CHECK ((amount >= (0)::numeric))` allows `column`, if it is one of those shapes.
fn check_bounds(def: &str, column: &str) -> Option<(f64, f64)> {
    let mut lo = f64::NEG_INFINITY;
    let mut hi = f64::INFINITY;
    let mut found = false;
    let cleaned = def
        .replace(['(', ')'], " ")
        .replace("::numeric", " ")
        .replace("::integer", " ")
        .replace("::bigint", " ");
    let words: Vec<&str> = cleaned.split_whitespace().collect();
    for w in words.windows(3) {
        if w[0] != column {
            continue;
        }
        let Ok(n) = w[2].parse::<f64>() else { continue };
        match w[1] {
            ">=" => lo = lo.max(n),
            ">" => lo = lo.max(n + 1.0),
            "<=" => hi = hi.min(n),
            "<" => hi = hi.min(n - 1.0),
            _ => continue,
        }
        found = true;
    }
    (found && lo <= hi).then_some((lo, hi))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_bounds_reads_ranges() {
        assert_eq!(
            check_bounds("CHECK (((year >= 2000) AND (year <= 2100)))", "year"),
            Some((2000.0, 2100.0))
        );
        assert_eq!(
            check_bounds("CHECK ((amount >= (0)::numeric))", "amount"),
            Some((0.0, f64::INFINITY))
        );
        assert_eq!(
            check_bounds("CHECK ((month > 0) AND (month < 13))", "month"),
            Some((1.0, 12.0))
        );
        assert_eq!(
            check_bounds("CHECK ((status = ANY (ARRAY['a'::text])))", "status"),
            None
        );
    }

    #[test]
    fn check_literals_reads_any_array_and_in_lists() {
        assert_eq!(
            check_literals("CHECK ((status = ANY (ARRAY['new'::text, 'it''s'::text])))"),
            vec!["new", "it's"]
        );
        assert_eq!(check_literals("CHECK (kind IN ('a', 'b'))"), vec!["a", "b"]);
        assert!(check_literals("CHECK ((amount >= (0)::numeric))").is_empty());
    }
}
