//! Values that fit a column's type and, where its name says what it holds,
//! its meaning: `email` gets an address, `amount` a price, `status` one of
//! the values its CHECK allows.

use crate::catalog::Column;
use crate::names::*;
use crate::rng::Rng;
use crate::value::Value;
use chrono::{DateTime, Duration, Utc};
use postgres_types::{Kind, Type};
use rand::seq::IndexedRandom;
use rand::Rng as _;
use rust_decimal::Decimal;

/// Length of generated `real[]` / `double precision[]` values.
pub const EMBEDDING_DIM: usize = 8;

/// Timestamps are spread over the two years before this instant, a fixed
/// point so that the same seed yields the same rows on any day.
pub fn epoch() -> DateTime<Utc> {
    DateTime::from_timestamp(1_764_547_200, 0).expect("valid epoch") // 2025-12-01T00:00:00Z
}

/// A value for `col` in row number `row` (0-based) of its table, or `None`
/// when the type is not one the generator knows. `unique` asks for a value
/// no other row of the table gets (the column is under a UNIQUE constraint).
pub fn value(col: &Column, row: u64, unique: bool, rng: &mut Rng) -> Option<Value> {
    let ty = match col.ty.kind() {
        Kind::Domain(base) => base.clone(),
        _ => col.ty.clone(),
    };
    if let Kind::Enum(labels) = ty.kind() {
        return labels.choose(rng).map(|l| Value::Enum(l.clone()));
    }
    if !col.allowed.is_empty() && is_text(&ty) {
        return col.allowed.choose(rng).map(|v| Value::Text(v.clone()));
    }
    let name = col.name.to_ascii_lowercase();
    let v = match ty {
        Type::UUID => Value::Uuid(uuid(rng)),
        Type::BOOL => Value::Bool(rng.random_bool(if name.starts_with("is_active") {
            0.9
        } else {
            0.5
        })),
        Type::INT2 => Value::I16(if unique {
            row as i16 + 1
        } else {
            int(&name, col.bounds, rng) as i16
        }),
        Type::INT4 => Value::I32(if unique {
            row as i32 + 1
        } else {
            int(&name, col.bounds, rng) as i32
        }),
        Type::INT8 => Value::I64(if unique {
            row as i64 + 1
        } else {
            int(&name, col.bounds, rng)
        }),
        Type::FLOAT4 => Value::F32(rng.random_range(0.0..1000.0)),
        Type::FLOAT8 => Value::F64(rng.random_range(0.0..1000.0)),
        Type::NUMERIC => Value::Numeric(numeric(&name, col.bounds, rng)),
        Type::DATE => Value::Date(timestamp(rng).date_naive()),
        Type::TIMESTAMP => Value::Timestamp(timestamp(rng).naive_utc()),
        Type::TIMESTAMPTZ => Value::TimestampTz(timestamp(rng)),
        Type::JSON | Type::JSONB => Value::Json(json(&name, rng)),
        // Embeddings are short unit-ish vectors; tags a few words.
        Type::FLOAT4_ARRAY => Value::F32Array(
            (0..EMBEDDING_DIM)
                .map(|_| rng.random_range(-1.0..1.0))
                .collect(),
        ),
        Type::FLOAT8_ARRAY => Value::F64Array(
            (0..EMBEDDING_DIM)
                .map(|_| rng.random_range(-1.0..1.0))
                .collect(),
        ),
        Type::TEXT_ARRAY | Type::VARCHAR_ARRAY => Value::TextArray(
            (0..rng.random_range(1..4))
                .map(|_| WORDS.choose(rng).unwrap().to_string())
                .collect(),
        ),
        ref t if is_text(t) => {
            let mut s = text(&name, row, rng);
            if unique {
                s = uniquify(&s, row);
            }
            if let Some(max) = col.max_len {
                truncate_keep_suffix(&mut s, max, unique.then_some(row));
            }
            Value::Text(s)
        }
        _ => return None,
    };
    Some(v)
}

/// A key value for row `row` of a primary-key column of type `ty`.
pub fn key(ty: &Type, row: u64, rng: &mut Rng) -> Option<Value> {
    Some(match *ty {
        Type::UUID => Value::Uuid(uuid(rng)),
        Type::INT2 => Value::I16(row as i16 + 1),
        Type::INT4 => Value::I32(row as i32 + 1),
        Type::INT8 => Value::I64(row as i64 + 1),
        ref t if is_text(t) => Value::Text(format!("k{:08}", row + 1)),
        _ => return None,
    })
}

/// A random version-4 UUID drawn from the seeded stream.
pub fn uuid(rng: &mut Rng) -> uuid::Uuid {
    uuid::Builder::from_random_bytes(rng.random()).into_uuid()
}

fn is_text(ty: &Type) -> bool {
    matches!(*ty, Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME) || ty.name() == "citext"
}

/// The range the column's name suggests, narrowed to what its CHECK allows
/// (or the CHECK's range alone, when the two do not meet).
fn within(lo: f64, hi: f64, bounds: Option<(f64, f64)>) -> (f64, f64) {
    match bounds {
        Some((blo, bhi)) if lo.max(blo) <= hi.min(bhi) => (lo.max(blo), hi.min(bhi)),
        Some((blo, bhi)) => (blo, if bhi.is_finite() { bhi } else { blo + 1000.0 }),
        None => (lo, hi),
    }
}

fn int(name: &str, bounds: Option<(f64, f64)>, rng: &mut Rng) -> i64 {
    let (lo, hi) = if name.contains("year") {
        (1950.0, 2025.0)
    } else if name == "month" {
        (1.0, 12.0)
    } else if name.contains("bed") || name.contains("bath") || name.contains("priority") {
        (1.0, 5.0)
    } else if name.contains("square") || name.contains("sqft") {
        (600.0, 4500.0)
    } else {
        (1.0, 999.0)
    };
    let (lo, hi) = within(lo, hi, bounds);
    rng.random_range(lo.ceil() as i64..=hi.floor().max(lo.ceil()) as i64)
}

fn numeric(name: &str, bounds: Option<(f64, f64)>, rng: &mut Rng) -> Decimal {
    let (lo, hi) = if name.contains("bath") {
        (1.0, 4.0)
    } else if name.contains("rate") || name.contains("percent") {
        (0.0, 100.0)
    } else {
        (10.0, 50_000.0)
    };
    let (lo, hi) = within(lo, hi, bounds);
    let cents = rng.random_range(
        (lo * 100.0).ceil() as i64..=(hi * 100.0).floor().max((lo * 100.0).ceil()) as i64,
    );
    if name.contains("bath") {
        Decimal::new(cents / 50 * 50, 2)
    } else {
        Decimal::new(cents, 2)
    }
}

fn timestamp(rng: &mut Rng) -> DateTime<Utc> {
    epoch() - Duration::seconds(rng.random_range(0..2 * 365 * 86_400))
}

fn json(name: &str, rng: &mut Rng) -> serde_json::Value {
    if name.contains("meta") || name.contains("config") || name.contains("settings") {
        serde_json::json!({ "source": *WORDS.choose(rng).unwrap(), "version": rng.random_range(1..4) })
    } else {
        serde_json::json!({})
    }
}

fn person(rng: &mut Rng) -> (&'static str, &'static str) {
    (FIRST.choose(rng).unwrap(), LAST.choose(rng).unwrap())
}

fn sentence(rng: &mut Rng, words: usize) -> String {
    let mut s: Vec<&str> = (0..words).map(|_| *WORDS.choose(rng).unwrap()).collect();
    let first = s[0].to_string();
    let cap = first[..1].to_uppercase() + &first[1..];
    s[0] = &cap;
    s.join(" ")
}

fn text(name: &str, row: u64, rng: &mut Rng) -> String {
    let (first, last) = person(rng);
    match name {
        n if n.contains("email") => format!(
            "{}.{}{}@{}",
            first.to_lowercase(),
            last.to_lowercase(),
            row,
            DOMAINS.choose(rng).unwrap()
        ),
        "first_name" => first.into(),
        "last_name" => last.into(),
        "name" | "full_name" | "display_name" | "agent_name" | "contact_name" => {
            format!("{first} {last}")
        }
        n if n.contains("company") || n.contains("organization") => {
            COMPANY.choose(rng).unwrap().to_string()
        }
        n if n.contains("phone") => format!(
            "+1-{}-555-{:04}",
            rng.random_range(200..999),
            rng.random_range(0..10_000)
        ),
        n if n.contains("address") || n == "street" => format!(
            "{} {}",
            rng.random_range(10..9999),
            STREETS.choose(rng).unwrap()
        ),
        "city" => CITIES.choose(rng).unwrap().0.into(),
        "state" => CITIES.choose(rng).unwrap().1.into(),
        n if n.contains("zip") || n.contains("postal") => {
            format!("{:05}", rng.random_range(10_000..99_999))
        }
        n if n.contains("color") => COLORS.choose(rng).unwrap().to_string(),
        n if n.contains("url") || n.contains("website") => {
            format!("https://{}", DOMAINS.choose(rng).unwrap())
        }
        n if n == "sku" || n.ends_with("_sku") => {
            format!("SKU-{:06}", rng.random_range(0..1_000_000))
        }
        n if n.contains("number") || n.ends_with("_no") || n.ends_with("_code") => {
            format!(
                "{}-{:06}",
                n[..2].to_uppercase(),
                rng.random_range(0..1_000_000)
            )
        }
        n if n.contains("description")
            || n.contains("body")
            || n.contains("content")
            || n.contains("notes") =>
        {
            sentence(rng, 12)
        }
        n if n.contains("title") || n.contains("subject") => sentence(rng, 4),
        _ => sentence(rng, 2),
    }
}

fn uniquify(s: &str, row: u64) -> String {
    match s.split_once('@') {
        Some((local, domain)) => format!("{local}.{row}@{domain}"),
        None => format!("{s} #{row}"),
    }
}

/// Cuts `s` to `max` characters, keeping the row suffix of unique values.
fn truncate_keep_suffix(s: &mut String, max: usize, row: Option<u64>) {
    if s.chars().count() <= max {
        return;
    }
    match row {
        Some(row) => {
            let suffix = format!("#{row}");
            let keep = max.saturating_sub(suffix.len());
            *s = s.chars().take(keep).collect::<String>() + &suffix;
        }
        None => *s = s.chars().take(max).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::stream;

    #[test]
    fn values_follow_the_column_meaning() {
        let mut rng = stream(1, "t");
        match value(&Column::plain("email", Type::TEXT), 3, true, &mut rng) {
            Some(Value::Text(s)) => assert!(s.contains('@') && s.contains(".3@"), "{s}"),
            other => panic!("{other:?}"),
        }
        let mut status = Column::plain("status", Type::TEXT);
        status.allowed = vec!["open".into(), "closed".into()];
        for _ in 0..20 {
            let v = value(&status, 0, false, &mut rng).unwrap();
            assert!(matches!(&v, Value::Text(s) if s == "open" || s == "closed"));
        }
        assert!(
            matches!(value(&Column::plain("tags", Type::TEXT_ARRAY), 0, false, &mut rng), Some(Value::TextArray(v)) if !v.is_empty())
        );
        assert!(
            matches!(value(&Column::plain("embedding", Type::FLOAT4_ARRAY), 0, false, &mut rng), Some(Value::F32Array(v)) if v.len() == EMBEDDING_DIM)
        );
        assert!(value(&Column::plain("shape", Type::POINT), 0, false, &mut rng).is_none());
    }

    #[test]
    fn varchar_limits_keep_unique_values_unique() {
        let mut rng = stream(1, "t");
        let mut c = Column::plain("description", Type::VARCHAR);
        c.max_len = Some(10);
        let a = value(&c, 1, true, &mut rng).unwrap();
        let b = value(&c, 2, true, &mut rng).unwrap();
        assert_ne!(a, b);
        assert!(matches!(&a, Value::Text(s) if s.chars().count() == 10));
    }
}
