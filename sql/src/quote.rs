//! The one place a name or a value becomes SQL text.
//!
//! Identifiers are always quoted: PostgreSQL's own `quote_ident()` leaves
//! plain lower-case words bare, which is right only with the server's
//! keyword list at hand (a column called `user` left bare silently reads
//! the role name). Quoting every identifier costs nothing and keeps the
//! exact spelling. Literals are escaped by `postgres_protocol`, which also
//! handles backslashes under any `standard_conforming_strings`.

use std::fmt;

/// `name` as a quoted identifier: `"name"`, inner double quotes doubled.
pub fn ident(name: &str) -> String {
    postgres_protocol::escape::escape_identifier(name)
}

/// `value` as a string literal (`'it''s'`, or `E'…'` when it holds a backslash).
pub fn literal(value: &str) -> String {
    postgres_protocol::escape::escape_literal(value)
}

/// Identifiers joined by `, `, each quoted.
pub fn idents<S: AsRef<str>>(names: &[S]) -> String {
    names
        .iter()
        .map(|n| ident(n.as_ref()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A relation name, possibly schema-qualified, as a scenario writes it.
///
/// Each part is taken with its exact spelling (no case folding): `clients`,
/// `Weird Table`, `public.order`. A part may be double-quoted to hold a dot
/// or to start with a quote (`"a.b"`, `"say ""hi"""`); inside quotes `""`
/// is one quote. [`Name::sql`] renders it quoted, ready for a statement or
/// a `::regclass` cast.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Name {
    /// The schema, when the text named one.
    pub schema: Option<String>,
    /// The relation.
    pub name: String,
}

/// Why a text is not a relation name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameError {
    /// The text as given.
    pub text: String,
    /// What is wrong with it.
    pub reason: &'static str,
}

impl fmt::Display for NameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "`{}` is not a table name: {} (write `table` or `schema.table`; double-quote a part that holds a dot)",
            self.text, self.reason
        )
    }
}

impl std::error::Error for NameError {}

impl Name {
    /// A name in no particular schema (the search path decides).
    pub fn bare(name: impl Into<String>) -> Name {
        Name {
            schema: None,
            name: name.into(),
        }
    }

    /// Reads `text` as `name` or `schema.name` (see the type's rules).
    pub fn parse(text: &str) -> Result<Name, NameError> {
        let err = |reason| NameError {
            text: text.to_string(),
            reason,
        };
        if text.contains('\0') {
            return Err(err("it holds a NUL character"));
        }
        let mut parts = Vec::new();
        let mut rest = text;
        loop {
            let (part, after) = if let Some(quoted) = rest.strip_prefix('"') {
                let (part, used) = unquote(quoted).ok_or_else(|| err("a quote is not closed"))?;
                (part, &quoted[used..])
            } else {
                let end = rest.find('.').unwrap_or(rest.len());
                (rest[..end].to_string(), &rest[end..])
            };
            if part.is_empty() {
                return Err(err("a part of it is empty"));
            }
            parts.push(part);
            match after.strip_prefix('.') {
                Some(next) => rest = next,
                None if after.is_empty() => break,
                None => return Err(err("text follows a closing quote")),
            }
        }
        match <[String; 2]>::try_from(parts) {
            Ok([schema, name]) => Ok(Name {
                schema: Some(schema),
                name,
            }),
            Err(parts) if parts.len() == 1 => Ok(Name::bare(parts.into_iter().next().unwrap())),
            Err(_) => Err(err("it has more than two dot-separated parts")),
        }
    }

    /// The name as SQL: `"schema"."name"` or `"name"`.
    pub fn sql(&self) -> String {
        match &self.schema {
            Some(s) => format!("{}.{}", ident(s), ident(&self.name)),
            None => ident(&self.name),
        }
    }
}

impl fmt::Display for Name {
    /// The name as a person reads it: `schema.name`, unquoted.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.schema {
            Some(s) => write!(f, "{s}.{}", self.name),
            None => f.write_str(&self.name),
        }
    }
}

/// The text of a quoted identifier whose opening quote is already consumed,
/// and how many bytes of `s` it used (through the closing quote).
fn unquote(s: &str) -> Option<(String, usize)> {
    let mut out = String::new();
    let mut chars = s.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c != '"' {
            out.push(c);
        } else if chars.peek().is_some_and(|(_, n)| *n == '"') {
            chars.next();
            out.push('"');
        } else {
            return Some((out, i + 1));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_are_always_quoted_and_keep_their_spelling() {
        assert_eq!(ident("order"), r#""order""#);
        assert_eq!(ident("user"), r#""user""#);
        assert_eq!(ident("Weird Table"), r#""Weird Table""#);
        assert_eq!(ident(r#"a"b"#), r#""a""b""#);
        assert_eq!(idents(&["a", "B"]), r#""a", "B""#);
    }

    #[test]
    fn literals_are_escaped() {
        assert_eq!(literal("it's"), "'it''s'");
        assert_eq!(literal(r"a\b"), r" E'a\\b'");
    }

    #[test]
    fn names_parse_with_their_exact_spelling() {
        assert_eq!(Name::parse("clients").unwrap(), Name::bare("clients"));
        assert_eq!(
            Name::parse("Weird Table").unwrap().sql(),
            r#""Weird Table""#
        );
        let n = Name::parse("public.order").unwrap();
        assert_eq!(n.schema.as_deref(), Some("public"));
        assert_eq!(n.sql(), r#""public"."order""#);
        assert_eq!(n.to_string(), "public.order");
        let dotted = Name::parse(r#"app."a.b""#).unwrap();
        assert_eq!(dotted.name, "a.b");
        assert_eq!(Name::parse(r#""say ""hi""""#).unwrap().name, r#"say "hi""#);
        assert_eq!(Name::parse(r#"it"s"#).unwrap().name, r#"it"s"#);
    }

    #[test]
    fn injection_through_a_name_stays_a_name() {
        let n = Name::parse("x; DROP TABLE y; --").unwrap();
        assert_eq!(n.sql(), r#""x; DROP TABLE y; --""#);
    }

    #[test]
    fn malformed_names_are_refused_with_a_reason() {
        for bad in ["", "a.", ".a", "a.b.c", "\"open", "\"a\"b", "a\0b"] {
            let e = Name::parse(bad).unwrap_err();
            assert!(e.to_string().contains("is not a table name"), "{bad}: {e}");
        }
    }
}
