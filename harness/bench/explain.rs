//! Reads EXPLAIN (ANALYZE, BUFFERS) of each workload query before and after
//! the migration, and says why the after form is slower: which plan node,
//! which policy put it there, and the rewrite that removes it.
//!
//! The signs it looks for are the ones the seeds' policies produce:
//! - a sequential scan of a tenant table where the baseline used an index
//!   (a policy the planner cannot turn into an index condition);
//! - a SubPlan, hashed or not: a membership test such as
//!   `tenant_id IN (SELECT tenant_id FROM profiles WHERE id = auth.uid())`
//!   checked against every row, where `tenant_id = (SELECT …)` would be an
//!   InitPlan computed once and used as an index key;
//! - `auth.uid()`, `current_setting()` or a tenant function left in a
//!   row filter, i.e. called per row;
//! - many rows removed by a filter for the few returned.

use crate::error::{Error, Result};
use regex::Regex;
use serde::Serialize;
use serde_json::Value as Json;
use std::sync::LazyLock;
use tokio_postgres::{Client, SimpleQueryMessage};

/// Rows a node must read before a sequential scan or a filter is worth flagging.
const ROWS_WORTH_FLAGGING: f64 = 1000.0;

/// What one plan says, reduced to what the report needs.
#[derive(Debug, Clone, Serialize, Default)]
pub struct PlanFacts {
    /// Execution time EXPLAIN ANALYZE measured, in ms.
    pub execution_ms: f64,
    /// Shared buffers hit plus read by the whole plan.
    pub buffers: u64,
    /// Node types from the root down, e.g. `Limit > Index Scan on clients`.
    pub outline: String,
    /// The signs of a slow tenant filter found in it.
    pub flags: Vec<Flag>,
    /// Every relation the plan reads.
    pub relations: Vec<String>,
}

/// A sign of a slow tenant filter.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Flag {
    /// `seq-scan`, `subplan`, `per-row-call`, `rows-removed` or `misestimate`.
    pub kind: &'static str,
    /// The relation the node reads, when it reads one.
    pub relation: Option<String>,
    /// What was seen, with numbers.
    pub detail: String,
}

/// Why a policy makes the plan slow, and the form that does not.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Advice {
    /// The table.
    pub table: String,
    /// The policy (or `index` when it is a missing index).
    pub policy: String,
    /// What in the policy causes it.
    pub cause: String,
    /// The fix, as SQL where it can be written out.
    pub rewrite: String,
}

/// Runs `sql` under EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) after `begin`
/// (which opens the transaction, impersonating if it does), and rolls back.
pub async fn explain(client: &Client, begin: &str, sql: &str) -> Result<Json> {
    let text = format!("{begin}; EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) {sql}");
    let result = client.simple_query(&text).await;
    let _ = client.batch_execute("ROLLBACK").await;
    let messages = result.map_err(Error::db(format!("EXPLAIN of {sql}")))?;
    let plan = messages
        .iter()
        .filter_map(|m| match m {
            SimpleQueryMessage::Row(r) if r.columns()[0].name() == "QUERY PLAN" => r.get(0),
            _ => None,
        })
        .next_back()
        .ok_or_else(|| Error::env(format!("EXPLAIN of {sql} returned no plan"), "report this"))?;
    serde_json::from_str(plan)
        .map_err(|e| Error::env(format!("EXPLAIN output unreadable: {e}"), "report this"))
}

/// Reads an EXPLAIN JSON document; `tenant_tables` are the relations whose
/// sequential scans count.
pub fn read(doc: &Json, tenant_tables: &[String]) -> PlanFacts {
    let top = doc.get(0).unwrap_or(doc);
    let mut facts = PlanFacts {
        execution_ms: top["Execution Time"].as_f64().unwrap_or(0.0),
        ..PlanFacts::default()
    };
    let mut outline = Vec::new();
    walk(&top["Plan"], tenant_tables, &mut facts, &mut outline, 0);
    facts.outline = outline.join(" > ");
    let mut seen = Vec::new();
    facts.flags.retain(|f| {
        let new = !seen.contains(&(f.kind, f.detail.clone()));
        seen.push((f.kind, f.detail.clone()));
        new
    });
    facts
}

fn walk(
    node: &Json,
    tables: &[String],
    facts: &mut PlanFacts,
    outline: &mut Vec<String>,
    depth: usize,
) {
    let kind = node["Node Type"].as_str().unwrap_or("?");
    let relation = node["Relation Name"].as_str().map(str::to_string);
    let loops = node["Actual Loops"].as_f64().unwrap_or(1.0).max(1.0);
    let rows = node["Actual Rows"].as_f64().unwrap_or(0.0) * loops;
    let removed = node["Rows Removed by Filter"].as_f64().unwrap_or(0.0) * loops;
    if depth == 0 {
        facts.buffers = node["Shared Hit Blocks"].as_u64().unwrap_or(0)
            + node["Shared Read Blocks"].as_u64().unwrap_or(0);
    }
    let parent = node["Parent Relationship"].as_str().unwrap_or("");
    let label = match (&relation, parent) {
        (Some(r), "InitPlan") => format!("InitPlan: {kind} on {r}"),
        (Some(r), "SubPlan") => format!("SubPlan: {kind} on {r}"),
        (Some(r), _) => format!("{kind} on {r}"),
        (None, "InitPlan" | "SubPlan") => format!("{parent}: {kind}"),
        (None, _) => kind.to_string(),
    };
    if outline.len() < 8 {
        outline.push(label);
    }
    if let Some(r) = &relation {
        if !facts.relations.contains(r) {
            facts.relations.push(r.clone());
        }
    }
    let is_tenant_table = relation.as_ref().is_some_and(|r| {
        tables
            .iter()
            .any(|t| t == r || t.ends_with(&format!(".{r}")))
    });
    if kind == "Seq Scan" && is_tenant_table && rows + removed >= ROWS_WORTH_FLAGGING {
        facts.flags.push(Flag {
            kind: "seq-scan",
            relation: relation.clone(),
            detail: format!(
                "sequential scan of {} reads {:.0} rows ({:.0} kept) over {loops:.0} loop(s)",
                relation.as_deref().unwrap_or("?"),
                rows + removed,
                rows
            ),
        });
    }
    let busy = rows + removed >= ROWS_WORTH_FLAGGING;
    let estimated = node["Plan Rows"].as_f64().unwrap_or(0.0) * loops;
    if relation.is_some() && rows >= ROWS_WORTH_FLAGGING && rows > 10.0 * estimated.max(1.0) {
        facts.flags.push(Flag {
            kind: "misestimate",
            relation: relation.clone(),
            detail: format!(
                "the planner expected {estimated:.0} rows of {} and got {rows:.0}: its statistics are missing or stale",
                relation.as_deref().unwrap_or("?")
            ),
        });
    }
    if parent == "SubPlan" && loops > 1.0 {
        let name = node["Subplan Name"].as_str().unwrap_or("SubPlan");
        facts.flags.push(Flag {
            kind: "subplan",
            relation: relation.clone(),
            detail: format!(
                "{name} runs {loops:.0} times, once per outer row{}: an InitPlan would run once per statement",
                relation.as_ref().map(|r| format!(" (reading {r})")).unwrap_or_default()
            ),
        });
    }
    if let (Some(filter), true) = (node["Filter"].as_str(), busy) {
        let shown = readable(filter);
        if filter.contains("SubPlan") {
            facts.flags.push(Flag {
                kind: "subplan",
                relation: relation.clone(),
                detail: format!(
                    "{:.0} rows of {} tested one by one against a subplan: {shown}",
                    rows + removed,
                    relation.as_deref().unwrap_or("?")
                ),
            });
        }
        if let Some(call) = PER_ROW_CALL.find(&shown) {
            facts.flags.push(Flag {
                kind: "per-row-call",
                relation: relation.clone(),
                detail: format!(
                    "{} is evaluated for each of {:.0} rows of {}",
                    call.as_str(),
                    rows + removed,
                    relation.as_deref().unwrap_or("?")
                ),
            });
        }
        if removed >= ROWS_WORTH_FLAGGING && removed > 10.0 * rows {
            facts.flags.push(Flag {
                kind: "rows-removed",
                relation: relation.clone(),
                detail: format!(
                    "the filter removed {removed:.0} rows of {} to keep {rows:.0}",
                    relation.as_deref().unwrap_or("?")
                ),
            });
        }
    }
    if let Some(children) = node["Plans"].as_array() {
        for c in children {
            walk(c, tables, facts, outline, depth + 1);
        }
    }
}

/// A filter as people write it: auth.uid() as PostgreSQL inlines it is
/// put back, and long texts are cut.
fn readable(filter: &str) -> String {
    let text = INLINED_UID.replace_all(filter, "auth.uid()");
    if text.chars().count() > 200 {
        format!("{}…", text.chars().take(200).collect::<String>())
    } else {
        text.into_owned()
    }
}

/// Supabase's auth.uid() after the planner inlined it.
static INLINED_UID: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\(COALESCE\(NULLIF\(current_setting\('request\.jwt\.claim\.sub'.*?->> 'sub'::text\)\)\)::uuid")
        .expect("valid regex")
});

/// A call that should be computed once per statement: an auth helper,
/// `current_setting(…)` or a tenant function.
const CALL: &str = r"auth\.\w+\(\)|current_setting\([^)]*\)|(?:public\.)?\w*tenant\w*\(\)";

/// Such a call anywhere (in a row filter it runs per row).
static PER_ROW_CALL: LazyLock<Regex> = LazyLock::new(|| Regex::new(CALL).expect("valid regex"));

/// Such a call wrapped as `( SELECT call`, which makes it an InitPlan.
static WRAPPED_CALL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(&format!(r"\( SELECT \(?(?:{CALL})")).expect("valid regex"));

/// `col IN (SELECT x FROM t WHERE (k = auth.uid()))` as pg_get_expr prints it.
static MEMBERSHIP: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\(?(\w+) IN \( SELECT ([\w.]+) FROM ([\w.]+)(?: \w+)? WHERE \(?([\w.]+) = \(?(auth\.\w+\(\)|current_setting\([^)]*\)(?:::\w+)?)\)?\)*",
    )
    .expect("valid regex")
});

/// Why each policy of `table` (for `command`: `r` select, `a` insert, `w`
/// update, `d` delete) can slow a tenant-filtered query, and what fixes it;
/// also a missing index on the tenant column.
pub async fn advise(
    client: &Client,
    table: &str,
    command: char,
    tenant_column: &str,
) -> Result<Vec<Advice>> {
    let rows = client
        .query(
            "SELECT pol.polname::text, coalesce(pg_get_expr(pol.polqual, pol.polrelid), pg_get_expr(pol.polwithcheck, pol.polrelid), '') \
             FROM pg_policy pol WHERE pol.polrelid = to_regclass($1) AND pol.polcmd IN ('*', $2::\"char\") ORDER BY 1",
            &[&table, &(command as i8)],
        )
        .await
        .map_err(Error::db(format!("reading the policies of {table}")))?;
    let mut out = Vec::new();
    for r in rows {
        let (policy, expr): (String, String) = (r.get(0), r.get(1));
        out.extend(diagnose(table, &policy, &expr));
    }
    let row = client
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0] \
                            WHERE i.indrelid = to_regclass($1) AND a.attname = $2), \
                    EXISTS (SELECT 1 FROM pg_stats s JOIN pg_class c ON c.relname = s.tablename \
                            JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = s.schemaname \
                            WHERE c.oid = to_regclass($1) AND s.attname = $2)",
            &[&table, &tenant_column],
        )
        .await
        .map_err(Error::db(format!("reading the indexes and statistics of {table}")))?;
    let (indexed, has_stats): (bool, bool) = (row.get(0), row.get(1));
    if !has_stats {
        out.push(Advice {
            table: table.into(),
            policy: "statistics".into(),
            cause: format!("{tenant_column} has no statistics: the migration added it and nothing has analyzed {table} since (adding a column changes no rows, so autovacuum will not either), so the planner guesses the selectivity of every tenant filter"),
            rewrite: format!("ANALYZE {table}; as the migration's last statement"),
        });
    }
    if !indexed {
        out.push(Advice {
            table: table.into(),
            policy: "index".into(),
            cause: format!(
                "no index leads with {tenant_column}, so every tenant filter reads the whole table"
            ),
            rewrite: format!("CREATE INDEX CONCURRENTLY ON {table} ({tenant_column});"),
        });
    }
    Ok(out)
}

/// The advice for one policy expression (pure, so it is unit-tested).
pub fn diagnose(table: &str, policy: &str, expr: &str) -> Vec<Advice> {
    let flat = expr.split_whitespace().collect::<Vec<_>>().join(" ");
    let expr = flat.as_str();
    let mut out = Vec::new();
    let advice = |cause: String, rewrite: String| Advice {
        table: table.into(),
        policy: policy.into(),
        cause,
        rewrite,
    };
    if let Some(m) = MEMBERSHIP.captures(expr) {
        let call = &m[5];
        out.push(advice(
            format!("`{}` is a membership subquery: the planner tests it per row as a (hashed) SubPlan and cannot use it as an index key", m[0].trim_start_matches('(')),
            format!(
                "{} = (SELECT {} FROM {} WHERE {} = (SELECT {call}))",
                &m[1], &m[2], &m[3], &m[4]
            ),
        ));
    } else if expr.contains(" IN ( SELECT") || expr.contains("ANY (SELECT") {
        out.push(advice(
            "a membership subquery (IN (SELECT …)) is tested per row as a SubPlan".into(),
            "compare to a scalar subquery computed once: tenant_column = (SELECT … LIMIT 1), with auth calls as (SELECT auth.uid())".into(),
        ));
    }
    // What is left once the wrapped calls are taken out are the unwrapped ones.
    let unwrapped = WRAPPED_CALL.replace_all(expr, "");
    if let Some(call) = PER_ROW_CALL.find(&unwrapped) {
        out.push(advice(
            format!(
                "{} is called directly, so it may run once per row",
                call.as_str()
            ),
            format!("wrap it: (SELECT {})", call.as_str()),
        ));
    }
    if expr.contains(" OR ") && out.is_empty() {
        out.push(advice(
            "an OR of two tests: neither can drive an index scan on its own".into(),
            "drop the legacy branch once the backfill is verified, or test the tenant column alone"
                .into(),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seeds_membership_policy_gets_its_initplan_rewrite() {
        let expr = "((org_id = auth.uid()) OR (tenant_id IN ( SELECT profiles.tenant_id FROM profiles WHERE (profiles.id = auth.uid()))))";
        let advice = diagnose("clients", "Users can view their clients", expr);
        assert_eq!(advice.len(), 2, "{advice:#?}");
        assert_eq!(
            advice[0].rewrite,
            "tenant_id = (SELECT profiles.tenant_id FROM profiles WHERE profiles.id = (SELECT auth.uid()))"
        );
        assert!(advice[1].cause.contains("auth.uid()"), "{advice:#?}");
    }

    #[test]
    fn the_rewritten_form_gets_no_advice() {
        let expr = "(tenant_id = ( SELECT current_tenant_id() AS current_tenant_id))";
        assert_eq!(diagnose("clients", "p", expr), vec![]);
        let expr = "(tenant_id = ( SELECT profiles.tenant_id FROM profiles WHERE (profiles.id = ( SELECT auth.uid() AS uid))))";
        assert_eq!(diagnose("clients", "p", expr), vec![]);
    }

    #[test]
    fn a_hashed_subplan_over_a_seq_scan_is_flagged() {
        let doc: Json = serde_json::json!([{ "Execution Time": 12.5, "Plan": {
            "Node Type": "Limit", "Actual Rows": 50, "Actual Loops": 1, "Shared Hit Blocks": 90,
            "Plans": [{ "Node Type": "Seq Scan", "Relation Name": "clients", "Parent Relationship": "Outer",
                "Actual Rows": 50, "Actual Loops": 1, "Rows Removed by Filter": 20000,
                "Filter": "((org_id = auth.uid()) OR (hashed SubPlan 1))",
                "Plans": [{ "Node Type": "Index Scan", "Relation Name": "profiles", "Parent Relationship": "SubPlan",
                    "Subplan Name": "SubPlan 1", "Actual Rows": 1, "Actual Loops": 1 }] }] } }]);
        let facts = read(&doc, &["clients".into()]);
        let kinds: Vec<&str> = facts.flags.iter().map(|f| f.kind).collect();
        assert_eq!(
            kinds,
            ["seq-scan", "subplan", "per-row-call", "rows-removed"]
        );
        assert_eq!(
            facts.outline,
            "Limit > Seq Scan on clients > SubPlan: Index Scan on profiles"
        );
        assert_eq!(facts.buffers, 90);
    }
}
