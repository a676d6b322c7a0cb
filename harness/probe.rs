//! Probes: a script of statements, each run as a chosen identity in its own
//! subtransaction, sent to the server in one round trip.
//!
//! Write checks and the property-based leak search need many small
//! experiments ("insert this as Alice, then look as the harness whether it
//! landed, then try that as Bob") whose errors must not end the transaction
//! and whose effects must all be undone. A PL/pgSQL function in the harness's
//! schema runs the script: per step it sets `role`, `request.jwt.claims`
//! and the tenant setting transaction-locally (as PostgREST does; switching
//! back is allowed because the *session* user is the harness's superuser),
//! runs the statement with `EXECUTE` inside `BEGIN … EXCEPTION` (a
//! savepoint), and reports the outcome: rows affected, the first value
//! returned, or the SQLSTATE and message. The caller wraps the whole
//! script in a transaction that it rolls back, so no probe changes the data.

use crate::core::names::HARNESS_SCHEMA as SCHEMA;
use crate::error::{Error, Result};
use postgres_types::Type;
use serde::Serialize;
use serde_json::{json, Value as Json};
use tokio_postgres::Client;

/// SQLSTATE of "insufficient privilege", which is also what a row-level
/// security violation raises: the only error that counts as a denial.
pub const DENIED: &str = "42501";

/// Who runs a step.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct As {
    /// The role (`None`: the harness itself, which bypasses RLS, to look).
    pub role: Option<String>,
    /// `request.jwt.claims`, as JSON text.
    pub claims: Option<String>,
    /// A tenant setting `(name, value)`.
    pub setting: Option<(String, String)>,
}

impl As {
    /// The harness itself: a superuser, to look behind RLS.
    pub fn harness() -> As {
        As::default()
    }
}

/// One statement of a probe.
#[derive(Debug, Clone, Serialize)]
pub struct Step {
    /// Who runs it.
    pub who: As,
    /// The statement, with literals inlined.
    pub sql: String,
    /// Whether it returns a value to report (a query, or DML with RETURNING).
    pub returns: bool,
}

impl Step {
    /// `sql` run by `who`, reporting rows affected.
    pub fn exec(who: &As, sql: impl Into<String>) -> Step {
        Step {
            who: who.clone(),
            sql: sql.into(),
            returns: false,
        }
    }

    /// `sql` run by `who`, reporting the first column of its first row.
    pub fn value(who: &As, sql: impl Into<String>) -> Step {
        Step {
            who: who.clone(),
            sql: sql.into(),
            returns: true,
        }
    }
}

/// What one step did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Outcome {
    /// The statement succeeded.
    pub ok: bool,
    /// SQLSTATE of the error, when it failed.
    pub sqlstate: Option<String>,
    /// The error message, when it failed.
    pub message: Option<String>,
    /// Rows affected (or returned).
    pub rows: i64,
    /// The first column of the first row, as text, for value steps.
    pub value: Option<String>,
}

/// What refused a statement with SQLSTATE 42501: PostgreSQL raises the same
/// code for a missing privilege and for a row-level security violation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Denial {
    /// No GRANT: the role may not use the object at all.
    Privilege,
    /// A policy refused the row (WITH CHECK, or a command with no policy).
    Policy,
}

impl Outcome {
    /// Refused by privileges or a policy (SQLSTATE 42501).
    pub fn denied(&self) -> bool {
        self.sqlstate.as_deref() == Some(DENIED)
    }

    /// Which of the two a 42501 was, told apart by the server's message
    /// (`permission denied for table …` against `… row-level security …`).
    pub fn denial(&self) -> Option<Denial> {
        if !self.denied() {
            return None;
        }
        let message = self.message.as_deref().unwrap_or_default();
        Some(if message.contains("row-level security") {
            Denial::Policy
        } else {
            Denial::Privilege
        })
    }

    /// Succeeded and touched at least one row.
    pub fn landed(&self) -> bool {
        self.ok && self.rows > 0
    }

    /// Short text for reports: `ok, 1 row`, `42501 new row violates …`.
    pub fn describe(&self) -> String {
        if self.ok {
            format!("ok, {} row(s)", self.rows)
        } else {
            format!(
                "{} {}",
                self.sqlstate.as_deref().unwrap_or("?"),
                self.message.as_deref().unwrap_or("")
            )
        }
    }
}

/// Installs the probe function into the harness's schema (idempotent).
pub async fn install(admin: &Client) -> Result<()> {
    let sql = format!(
        r#"CREATE SCHEMA IF NOT EXISTS {SCHEMA};
CREATE OR REPLACE FUNCTION {SCHEMA}.probe(steps jsonb)
RETURNS TABLE(ok boolean, state text, message text, nrows bigint, val text)
LANGUAGE plpgsql AS $probe$
DECLARE
  s jsonb;
  n bigint;
  v text;
BEGIN
  -- Probes change data; they must run inside the caller's transaction, which it rolls back.
  IF current_setting('tenant_harness.in_probe', true) IS DISTINCT FROM 'on' THEN
    RAISE EXCEPTION 'tenant_harness.probe runs only inside a transaction that set tenant_harness.in_probe';
  END IF;
  FOR s IN SELECT e FROM jsonb_array_elements(steps) AS e LOOP
    PERFORM set_config('role', coalesce(s->>'role', 'none'), true);
    IF s->>'claims' IS NOT NULL THEN
      PERFORM set_config('request.jwt.claims', s->>'claims', true);
    END IF;
    IF s->>'setting' IS NOT NULL THEN
      PERFORM set_config(s->>'setting', s->>'value', true);
    END IF;
    BEGIN
      v := NULL;
      IF (s->>'returns')::boolean THEN
        EXECUTE s->>'sql' INTO v;
      ELSE
        EXECUTE s->>'sql';
      END IF;
      GET DIAGNOSTICS n = ROW_COUNT;
      ok := true; state := NULL; message := NULL; nrows := n; val := v;
    EXCEPTION WHEN OTHERS THEN
      GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, message = MESSAGE_TEXT;
      ok := false; nrows := 0; val := NULL;
    END;
    PERFORM set_config('role', 'none', true);
    RETURN NEXT;
  END LOOP;
END
$probe$;
REVOKE ALL ON FUNCTION {SCHEMA}.probe(jsonb) FROM PUBLIC;"#
    );
    admin
        .batch_execute(&sql)
        .await
        .map_err(Error::db("installing the probe function"))
}

fn encode(steps: &[Step]) -> Json {
    Json::Array(
        steps
            .iter()
            .map(|s| {
                let mut o = json!({ "sql": s.sql, "returns": s.returns });
                if let Some(r) = &s.who.role {
                    o["role"] = json!(r);
                }
                if let Some(c) = &s.who.claims {
                    o["claims"] = json!(c);
                }
                if let Some((k, v)) = &s.who.setting {
                    o["setting"] = json!(k);
                    o["value"] = json!(v);
                }
                o
            })
            .collect(),
    )
}

/// Runs `steps` in one transaction on `client`, rolls it back, and returns
/// one outcome per step. `client` must be a superuser connection that is
/// not in a transaction.
pub async fn run(client: &Client, steps: &[Step]) -> Result<Vec<Outcome>> {
    let script = encode(steps);
    let sql = format!("SELECT ok, state, message, nrows, val FROM {SCHEMA}.probe($1)");
    // query_typed: no prepare round trip, so the three messages leave in
    // this order and the probe cannot run outside the transaction.
    let params: [(&(dyn postgres_types::ToSql + Sync), Type); 1] = [(&script, Type::JSONB)];
    let (begin, rows, rollback) = tokio::join!(
        client.batch_execute("BEGIN; SET LOCAL tenant_harness.in_probe = 'on'"),
        client.query_typed(&sql, &params),
        client.batch_execute("ROLLBACK"),
    );
    begin.map_err(Error::db("starting a probe"))?;
    let rows = rows.map_err(Error::db("running a probe"))?;
    rollback.map_err(Error::db("rolling a probe back"))?;
    Ok(rows
        .iter()
        .map(|r| Outcome {
            ok: r.get(0),
            sqlstate: r.get(1),
            message: r.get(2),
            rows: r.get(3),
            value: r.get(4),
        })
        .collect())
}

/// `s` as an SQL string literal (standard_conforming_strings is on in every supported server).
pub fn literal(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_two_kinds_of_42501_are_told_apart_by_their_message() {
        let refused = |message: &str| Outcome {
            ok: false,
            sqlstate: Some(DENIED.into()),
            message: Some(message.into()),
            rows: 0,
            value: None,
        };
        assert_eq!(
            refused("permission denied for table invoices").denial(),
            Some(Denial::Privilege)
        );
        assert_eq!(
            refused("new row violates row-level security policy for table \"invoices\"").denial(),
            Some(Denial::Policy)
        );
        let other = Outcome {
            sqlstate: Some("23505".into()),
            ..refused("duplicate key")
        };
        assert_eq!(other.denial(), None);
    }

    #[test]
    fn steps_encode_who_runs_them() {
        let who = As {
            role: Some("authenticated".into()),
            claims: Some("{\"sub\":\"x\"}".into()),
            setting: None,
        };
        let j = encode(&[
            Step::exec(&who, "DELETE FROM t"),
            Step::value(&As::harness(), "SELECT 1"),
        ]);
        assert_eq!(j[0]["role"], "authenticated");
        assert_eq!(j[0]["returns"], false);
        assert!(j[1].get("role").is_none(), "the harness runs as itself");
        assert_eq!(j[1]["returns"], true);
    }
}
