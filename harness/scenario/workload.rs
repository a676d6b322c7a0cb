//! The load benchmark's part of scenario.toml: `[bench]` (how long, how
//! many workers, the overhead threshold) and `[[workload]]` (the queries the
//! application runs, each in its pre-migration form as the application ran
//! it and its post-migration form as an impersonated user runs it).
//!
//! Workload SQL names its parameters (`:user`, `:tenant`, `:id`) instead of
//! numbering them, because the two forms of one query take different ones:
//! the pre-migration form filters by the owner (`org_id = :user`), the
//! post-migration form often by nothing at all (RLS does it). The harness
//! draws the values from the seeded actors and binds them to a prepared
//! statement, so the load driver never formats SQL per request.

use serde::Deserialize;
use serde_spanned::Spanned;
use std::ops::Range;

/// A value the harness fills per request from the acting user or tenant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Param {
    /// `:user`: the acting user's id (the owner value before the migration).
    User,
    /// `:tenant`: the acting user's tenant id after the migration.
    Tenant,
    /// `:id`: the primary key of a random row of the workload's table that
    /// the actor's tenant owns, drawn per request.
    Id,
}

impl Param {
    fn from_name(name: &str) -> Option<Param> {
        match name {
            "user" => Some(Param::User),
            "tenant" => Some(Param::Tenant),
            "id" => Some(Param::Id),
            _ => None,
        }
    }
}

/// One form of a workload query.
#[derive(Debug, Clone)]
pub struct Form {
    /// The SQL as written in scenario.toml.
    pub text: String,
    /// The SQL with `$1`, `$2`, … in place of the named parameters.
    pub sql: String,
    /// What `$1`, `$2`, … stand for.
    pub params: Vec<Param>,
}

impl Form {
    /// Parses named parameters out of `text`, leaving string literals, quoted
    /// identifiers, comments, dollar quotes (as the migration splitter reads
    /// them) and `::` casts alone.
    pub fn parse(text: &str) -> Result<Form, String> {
        let b = text.as_bytes();
        let mut sql = String::with_capacity(text.len());
        let mut params: Vec<Param> = Vec::new();
        let (mut i, mut copied) = (0, 0);
        while i < b.len() {
            if let Some(after) = tenant_sql::split::skip_non_code(text, i) {
                i = after;
                continue;
            }
            let next = b.get(i + 1).copied().unwrap_or(0);
            match b[i] {
                b'$' if next.is_ascii_digit() => {
                    return Err("positional parameters ($1) are not allowed: name them :user, :tenant or :id so that both forms can take different ones".into());
                }
                b':' if next == b':' => i += 2,
                b':' if next.is_ascii_alphabetic() => {
                    let name: String = text[i + 1..]
                        .chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                        .collect();
                    let param = Param::from_name(&name).ok_or_else(|| {
                        format!(
                            "unknown parameter :{name}; the parameters are :user, :tenant and :id"
                        )
                    })?;
                    let n = match params.iter().position(|p| *p == param) {
                        Some(at) => at + 1,
                        None => {
                            params.push(param);
                            params.len()
                        }
                    };
                    sql.push_str(&text[copied..i]);
                    sql.push_str(&format!("${n}"));
                    i += 1 + name.len();
                    copied = i;
                }
                _ => i += 1,
            }
        }
        sql.push_str(&text[copied..]);
        Ok(Form {
            text: text.to_string(),
            sql,
            params,
        })
    }

    /// The SQL with each parameter replaced by a quoted literal from `value`,
    /// for EXPLAIN and for the psql lines the report prints.
    pub fn with_literals(&self, value: impl Fn(Param) -> String) -> String {
        let mut out = self.sql.clone();
        // Highest number first, so that $1 does not eat the start of $10.
        for (i, p) in self.params.iter().enumerate().rev() {
            let literal = tenant_sql::literal(&value(*p));
            out = out.replace(&format!("${}", i + 1), &literal);
        }
        out
    }
}

/// One query of the application's workload.
#[derive(Debug, Clone)]
pub struct WorkloadSpec {
    /// Name, for reports.
    pub name: String,
    /// The table `:id` draws from (and whose plan matters most).
    pub table: Option<String>,
    /// As the application ran it before the migration: its own owner filter, no RLS.
    pub before: Form,
    /// As an impersonated user runs it after the migration, through RLS.
    pub after: Form,
    /// Mean-latency ratio after ÷ before this query must stay at or under.
    pub max_overhead: f64,
}

/// How the load benchmark runs, and its threshold.
#[derive(Debug, Clone)]
pub struct BenchSpec {
    /// Rows over all tables the data is scaled to for the benchmark (None:
    /// the scenario's own sizes). Plans change with size: a sequential scan
    /// that costs nothing at 10 k rows dominates at 1 M.
    pub rows: Option<u64>,
    /// Default for each query's `max_overhead` (seed 001: "queries < 2x baseline").
    pub max_overhead: f64,
    /// Users (or tenants) the requests are spread over.
    pub actors: usize,
    /// Concurrent connections of the closed loop.
    pub workers: usize,
    /// Seconds of one measured slice (one form of one query).
    pub seconds: f64,
    /// Before/after slice pairs per query; their spread gives the interval.
    pub rounds: usize,
    /// Unrecorded seconds before each query's first slice of each form.
    pub warmup_seconds: f64,
}

impl Default for BenchSpec {
    fn default() -> Self {
        BenchSpec {
            rows: None,
            max_overhead: 2.0,
            actors: 8,
            workers: 4,
            seconds: 2.0,
            rounds: 4,
            warmup_seconds: 0.5,
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct RawBench {
    rows: Option<u64>,
    max_overhead: Option<Spanned<f64>>,
    actors: Option<usize>,
    workers: Option<usize>,
    seconds: Option<Spanned<f64>>,
    rounds: Option<usize>,
    warmup_seconds: Option<f64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawWorkload {
    name: String,
    table: Option<Spanned<String>>,
    before: Spanned<String>,
    after: Spanned<String>,
    max_overhead: Option<Spanned<f64>>,
}

/// What validating the workload needs to know about the rest of the scenario.
pub(super) struct Context<'a> {
    pub tables: &'a [String],
    pub has_users: bool,
}

/// A validation error: where in scenario.toml (a byte span), and what.
pub(super) type Invalid = (Option<Range<usize>>, String);

/// Validates `[bench]` and `[[workload]]`; errors carry the span to report.
pub(super) fn build(
    bench: &RawBench,
    workload: &[RawWorkload],
    cx: &Context<'_>,
) -> Result<(BenchSpec, Vec<WorkloadSpec>), Invalid> {
    let defaults = BenchSpec::default();
    let threshold = |v: &Option<Spanned<f64>>, key: &str, default: f64| match v {
        Some(s) if !(*s.get_ref() >= 1.0 && s.get_ref().is_finite()) => Err((
            Some(s.span()),
            format!("key `{key}`: a ratio after ÷ before, at least 1.0 (1.1 means within 10 %)"),
        )),
        Some(s) => Ok(*s.get_ref()),
        None => Ok(default),
    };
    let max_overhead = threshold(
        &bench.max_overhead,
        "bench.max_overhead",
        defaults.max_overhead,
    )?;
    if let Some(s) = &bench.seconds {
        if s.get_ref().is_nan() || *s.get_ref() <= 0.0 {
            return Err((
                Some(s.span()),
                "key `bench.seconds`: must be above 0".into(),
            ));
        }
    }
    let spec = BenchSpec {
        rows: bench.rows,
        max_overhead,
        actors: bench.actors.unwrap_or(defaults.actors).max(1),
        workers: bench.workers.unwrap_or(defaults.workers).max(1),
        seconds: bench
            .seconds
            .as_ref()
            .map_or(defaults.seconds, |s| *s.get_ref()),
        rounds: bench.rounds.unwrap_or(defaults.rounds).max(2),
        warmup_seconds: bench
            .warmup_seconds
            .unwrap_or(defaults.warmup_seconds)
            .max(0.0),
    };
    let mut out = Vec::new();
    for w in workload {
        if let Some(t) = &w.table {
            if !cx.tables.contains(t.get_ref()) {
                return Err((
                    Some(t.span()),
                    format!(
                        "key `workload.table`: `{}` is not one of the scenario's [[tables]]",
                        t.get_ref()
                    ),
                ));
            }
        }
        let mut forms = Vec::new();
        for (key, text) in [("before", &w.before), ("after", &w.after)] {
            let form = Form::parse(text.get_ref()).map_err(|m| {
                (
                    Some(text.span()),
                    format!("key `workload.{key}` of `{}`: {m}", w.name),
                )
            })?;
            let problem = if form.params.contains(&Param::Id) && w.table.is_none() {
                Some(":id draws a row of the workload's table: add `table = \"…\"`")
            } else if form.params.contains(&Param::User) && !cx.has_users {
                Some(":user needs seeded users, and this scenario has no [users]")
            } else {
                None
            };
            if let Some(p) = problem {
                return Err((
                    Some(text.span()),
                    format!("key `workload.{key}` of `{}`: {p}", w.name),
                ));
            }
            forms.push(form);
        }
        let after = forms.pop().expect("two forms");
        let before = forms.pop().expect("two forms");
        out.push(WorkloadSpec {
            name: w.name.clone(),
            table: w.table.as_ref().map(|t| t.get_ref().clone()),
            before,
            after,
            max_overhead: threshold(&w.max_overhead, "workload.max_overhead", max_overhead)?,
        });
    }
    Ok((spec, out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn named_parameters_become_numbered_and_repeat() {
        let f = Form::parse(
            "SELECT a::text, ':user' FROM t /* :id */ WHERE o = :user AND t = :tenant::uuid OR o = :user -- :x\n AND $q$:id$q$ = 'x'",
        )
        .unwrap();
        assert_eq!(
            f.sql,
            "SELECT a::text, ':user' FROM t /* :id */ WHERE o = $1 AND t = $2::uuid OR o = $1 -- :x\n AND $q$:id$q$ = 'x'"
        );
        assert_eq!(f.params, vec![Param::User, Param::Tenant]);
        assert_eq!(
            f.with_literals(|p| format!("{p:?}")),
            "SELECT a::text, ':user' FROM t /* :id */ WHERE o = 'User' AND t = 'Tenant'::uuid OR o = 'User' -- :x\n AND $q$:id$q$ = 'x'"
        );
    }

    #[test]
    fn unknown_and_positional_parameters_are_refused() {
        assert!(Form::parse("SELECT :who").unwrap_err().contains(":who"));
        assert!(Form::parse("SELECT $1").unwrap_err().contains("positional"));
    }
}
