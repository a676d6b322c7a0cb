//! Splits a SQL file into statements, keeping each statement's line.
//!
//! The harness runs statements one at a time so that a failure names the
//! exact statement and line, and so each can be timed. The splitter knows
//! what psql knows about where a `;` does not end a statement: quotes,
//! `E''` escapes, quoted identifiers, `--` and nested `/* */` comments,
//! and dollar-quoted bodies (`$$ … $$`, `$fn$ … $fn$`). It does not handle
//! SQL-standard `BEGIN ATOMIC … END` bodies or psql meta-commands; both are
//! rare in migration folders, and a statement split wrongly fails with its
//! line, so the problem shows.

/// One statement of a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    /// The text, without the trailing `;`.
    pub sql: String,
    /// 1-based line where the statement's first token is.
    pub line: usize,
}

/// The statements of `sql`, comments-only fragments dropped. Linear in the
/// size of `sql`: lines are counted once, as the scan moves forward.
pub fn split(sql: &str) -> Vec<Statement> {
    let b = sql.as_bytes();
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    // Lines before byte `counted`, so each statement's line costs only the bytes since the last.
    let (mut counted, mut line) = (0, 1);
    let mut push = |out: &mut Vec<Statement>, from: usize, to: usize| {
        let text = &sql[from..to];
        if let Some(offset) = first_token(text) {
            let at = from + offset;
            line += b[counted..at].iter().filter(|c| **c == b'\n').count();
            counted = at;
            out.push(Statement {
                sql: text[offset..].trim_end().to_string(),
                line,
            });
        }
    };
    while i < b.len() {
        if let Some(after) = skip_non_code(sql, i) {
            i = after;
        } else if b[i] == b';' {
            push(&mut out, start, i);
            i += 1;
            start = i;
        } else {
            i += 1;
        }
    }
    push(&mut out, start, b.len());
    out
}

/// If a string literal, quoted identifier, comment or dollar-quoted body
/// starts at byte `i` of `sql`, the index just after it: the places where
/// a `;` (or a `:name` parameter) is not code. Shared by the splitter and
/// the workload's parameter parser.
pub fn skip_non_code(sql: &str, i: usize) -> Option<usize> {
    let b = sql.as_bytes();
    match b[i] {
        b'\'' => {
            let escapes =
                i > 0 && (b[i - 1] == b'E' || b[i - 1] == b'e') && (i < 2 || !is_ident(b[i - 2]));
            Some(skip_quoted(b, i, b'\'', escapes))
        }
        b'"' => Some(skip_quoted(b, i, b'"', false)),
        b'-' if b.get(i + 1) == Some(&b'-') => Some(sql[i..].find('\n').map_or(b.len(), |p| i + p)),
        b'/' if b.get(i + 1) == Some(&b'*') => Some(skip_block_comment(b, i)),
        b'$' if i == 0 || !is_ident(b[i - 1]) => dollar_tag(b, i).map(|tag_end| {
            let tag = &sql[i..tag_end];
            sql[tag_end..]
                .find(tag)
                .map_or(b.len(), |p| tag_end + p + tag.len())
        }),
        _ => None,
    }
}

fn is_ident(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

/// Index after a `/* … */` comment starting at `i`; they nest in PostgreSQL.
fn skip_block_comment(b: &[u8], mut i: usize) -> usize {
    let mut depth = 0;
    while i < b.len() {
        if b[i] == b'/' && b.get(i + 1) == Some(&b'*') {
            depth += 1;
            i += 2;
        } else if b[i] == b'*' && b.get(i + 1) == Some(&b'/') {
            depth -= 1;
            i += 2;
            if depth == 0 {
                return i;
            }
        } else {
            i += 1;
        }
    }
    b.len()
}

/// Index after the closing quote (a doubled quote is an escaped one).
fn skip_quoted(b: &[u8], open: usize, q: u8, backslash: bool) -> usize {
    let mut i = open + 1;
    while i < b.len() {
        if backslash && b[i] == b'\\' {
            i += 2;
            continue;
        }
        if b[i] == q {
            if b.get(i + 1) == Some(&q) {
                i += 2;
                continue;
            }
            return i + 1;
        }
        i += 1;
    }
    b.len()
}

/// If a dollar-quote tag (`$$` or `$name$`) starts at `i`, the index after it.
fn dollar_tag(b: &[u8], i: usize) -> Option<usize> {
    let mut j = i + 1;
    while j < b.len()
        && (b[j].is_ascii_alphabetic() || b[j] == b'_' || (j > i + 1 && b[j].is_ascii_digit()))
    {
        j += 1;
    }
    (b.get(j) == Some(&b'$')).then_some(j + 1)
}

/// Offset of the first character that is not whitespace or comment.
fn first_token(text: &str) -> Option<usize> {
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i].is_ascii_whitespace() {
            i += 1;
        } else if b[i] == b'-' && b.get(i + 1) == Some(&b'-') {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
        } else if b[i] == b'/' && b.get(i + 1) == Some(&b'*') {
            i = skip_block_comment(b, i);
        } else {
            return Some(i);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(sql: &str) -> Vec<(usize, String)> {
        split(sql).into_iter().map(|s| (s.line, s.sql)).collect()
    }

    #[test]
    fn splits_on_semicolons_outside_quotes_comments_and_bodies() {
        let sql = "-- header; not a statement\nCREATE TABLE a (x text DEFAULT ';');\n\n/* a; /* nested; */ b; */\nINSERT INTO \"we;ird\" VALUES (E'it\\'s;');\nCREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $fn$\nBEGIN\n  RETURN 1; -- ;\nEND;\n$fn$;\nDO $$ BEGIN PERFORM 1; END $$;\nSELECT 1";
        let got = texts(sql);
        assert_eq!(got.len(), 5, "{got:#?}");
        assert_eq!(
            got[0],
            (2, "CREATE TABLE a (x text DEFAULT ';')".to_string())
        );
        assert_eq!(got[1].0, 5);
        assert!(got[2].1.starts_with("CREATE FUNCTION") && got[2].1.ends_with("$fn$"));
        assert_eq!(got[2].0, 6);
        assert_eq!(got[3], (11, "DO $$ BEGIN PERFORM 1; END $$".to_string()));
        assert_eq!(got[4], (12, "SELECT 1".to_string()));
    }

    #[test]
    fn lines_stay_right_over_many_statements() {
        let sql: String = (0..2000)
            .map(|i| format!("-- {i}\nINSERT INTO t VALUES ({i}, ';');\n"))
            .collect();
        let got = split(&sql);
        assert_eq!(got.len(), 2000);
        assert_eq!(got[0].line, 2);
        assert_eq!(got[1999].line, 4000);
    }

    #[test]
    fn positional_parameters_and_comment_only_files() {
        assert_eq!(texts("select $1; select 2;").len(), 2);
        assert!(split("-- nothing\n/* here */\n").is_empty());
    }
}
