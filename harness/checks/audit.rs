//! Catalog audit: named rules read from the system catalogs after the
//! migration, in the spirit of Supabase's splinter lints, plus the
//! multi-tenant rules splinter does not have (tenant-scoped keys, tenant
//! defaults, grants that RLS does not govern).
//!
//! A rule finds *suspicious structure*; the dynamic checks find *behaviour*.
//! When a dynamic finding reproduces an audit finding on the same object
//! (see [`mark_proven`]), the audit finding is marked proven. The verdict
//! fails on error-level rules and on proven findings; warnings are shown
//! but do not fail, and a scenario may accept a finding with a reason
//! (`[[audit.accept]]`), which the report keeps visible.
//!
//! Rules only look at schemas an API could expose: the system schemas,
//! the Supabase-managed schemas and the harness's own schema are skipped.

use super::{CheckId, Finding};
use crate::error::{Error, Result};
use serde::Serialize;
use tokio_postgres::Client;

/// How serious a rule is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Worth knowing, never fails the run.
    Info,
    /// Fails the run only when a dynamic check proves it.
    Warning,
    /// Fails the run.
    Error,
}

impl std::fmt::Display for Level {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Level::Info => "info",
            Level::Warning => "warning",
            Level::Error => "error",
        })
    }
}

/// One audit rule. Its SQL returns `(object, detail)` rows and may use
/// `p.tables` (tenant tables as regclass[]), `p.roles` (API roles that exist),
/// `p.col` (tenant column) and `exposed(nspname)`.
pub struct Rule {
    /// Stable id; splinter's name where splinter has the rule.
    pub id: &'static str,
    /// How serious it is.
    pub level: Level,
    /// Catalog entries (../shared/docs/isolation-bug-catalog.md) it answers.
    pub catalog: &'static [u8],
    /// What it finds.
    pub what: &'static str,
    /// Why that matters.
    pub why: &'static str,
    /// How to fix it.
    pub fix: &'static str,
    /// Only meaningful when requests reach the database as API roles (not `via = "app"`).
    pub needs_api_roles: bool,
    sql: &'static str,
}

/// The parameters every rule sees, and the schemas it may look at.
const PRELUDE: &str = "WITH p AS (SELECT $1::text[]::regclass[] AS tables, \
    ARRAY(SELECT rolname::text FROM pg_roles WHERE rolname = ANY($2::text[])) AS roles, $3::text AS col) ";

/// Schemas no application owns: never audited.
pub(crate) const SKIPPED_SCHEMAS: &str = "('pg_catalog','information_schema','pg_toast','tenant_harness','auth','extensions','storage','graphql','graphql_public','realtime','vault','pgsodium','pgsodium_masks','supabase_functions','supabase_migrations','net','cron','pgbouncer')";

/// Every rule, in report order.
pub static RULES: &[Rule] = &[
    Rule {
        id: "rls_disabled_in_public",
        level: Level::Error,
        catalog: &[1, 28, 29],
        what: "a table the API roles may read or write has row level security disabled",
        why: "every row is visible to (and writable by) every user of every tenant",
        fix: "ALTER TABLE … ENABLE ROW LEVEL SECURITY and add tenant policies, or revoke the API roles' privileges",
        needs_api_roles: true,
        sql: "SELECT c.oid::regclass::text, 'granted to ' || string_agg(DISTINCT r, ', ') \
              FROM p CROSS JOIN pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace, unnest(p.roles) r \
              WHERE c.relkind IN ('r','p') AND NOT c.relrowsecurity AND n.nspname NOT IN SKIPPED \
                AND has_table_privilege(r, c.oid, 'SELECT,INSERT,UPDATE,DELETE') GROUP BY 1",
    },
    Rule {
        id: "policy_exists_rls_disabled",
        level: Level::Error,
        catalog: &[2, 45],
        what: "policies exist on a table whose row level security is disabled",
        why: "the policies are ignored: whoever holds a privilege sees every tenant's rows",
        fix: "ALTER TABLE … ENABLE ROW LEVEL SECURITY",
        needs_api_roles: false,
        sql: "SELECT c.oid::regclass::text, 'policies ' || string_agg(pol.polname, ', ' ORDER BY pol.polname) \
              FROM p CROSS JOIN pg_policy pol JOIN pg_class c ON c.oid = pol.polrelid JOIN pg_namespace n ON n.oid = c.relnamespace \
              WHERE NOT c.relrowsecurity AND n.nspname NOT IN SKIPPED GROUP BY 1",
    },
    Rule {
        id: "rls_enabled_no_policy",
        level: Level::Warning,
        catalog: &[3],
        what: "row level security is enabled but the table has no policy",
        why: "every request is silently denied; the usual \"fix\" is disabling RLS",
        fix: "add the tenant policies the migration meant to create",
        needs_api_roles: true,
        sql: "SELECT c.oid::regclass::text, 'no policy, so the API roles see nothing' \
              FROM p CROSS JOIN pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
              WHERE c.relkind IN ('r','p') AND c.relrowsecurity AND n.nspname NOT IN SKIPPED \
                AND NOT EXISTS (SELECT 1 FROM pg_policy WHERE polrelid = c.oid) \
                AND EXISTS (SELECT 1 FROM unnest(p.roles) r WHERE has_table_privilege(r, c.oid, 'SELECT,INSERT,UPDATE,DELETE'))",
    },
    Rule {
        id: "force_rls_missing",
        level: Level::Error,
        catalog: &[4, 5],
        what: "the role requests run as owns a tenant table that does not FORCE row level security",
        why: "a table's owner bypasses its policies unless FORCE is set: the application sees every tenant",
        fix: "ALTER TABLE … FORCE ROW LEVEL SECURITY, or let another role own the table",
        needs_api_roles: true,
        sql: "SELECT c.oid::regclass::text, 'owned by ' || pg_get_userbyid(c.relowner) || ', which ' || string_agg(DISTINCT r, ', ') || ' acts as' \
              FROM p CROSS JOIN pg_class c, unnest(p.roles) r \
              WHERE c.oid = ANY(p.tables) AND NOT c.relforcerowsecurity AND pg_has_role(r, c.relowner, 'USAGE') GROUP BY c.oid, c.relowner",
    },
    Rule {
        id: "rls_policy_always_true",
        level: Level::Error,
        catalog: &[7],
        what: "a policy whose USING or WITH CHECK is literally true (for SELECT: on a tenant table)",
        why: "it grants every row to everyone it applies to, and permissive policies are OR'ed",
        fix: "replace it with a tenant predicate, or drop it",
        needs_api_roles: false,
        sql: "SELECT c.oid::regclass::text || ' policy ' || pol.polname, \
                     CASE pol.polcmd WHEN 'r' THEN 'SELECT' WHEN 'a' THEN 'INSERT' WHEN 'w' THEN 'UPDATE' WHEN 'd' THEN 'DELETE' ELSE 'ALL' END || ' is always true' \
              FROM p CROSS JOIN pg_policy pol JOIN pg_class c ON c.oid = pol.polrelid JOIN pg_namespace n ON n.oid = c.relnamespace \
              WHERE n.nspname NOT IN SKIPPED AND pol.polpermissive \
                AND (pg_get_expr(pol.polqual, pol.polrelid) = 'true' OR pg_get_expr(pol.polwithcheck, pol.polrelid) = 'true') \
                AND (pol.polcmd <> 'r' OR c.oid = ANY(p.tables))",
    },
    Rule {
        id: "multiple_permissive_policies",
        level: Level::Warning,
        catalog: &[8, 50],
        what: "several permissive policies for the same role and command on one table",
        why: "they are OR'ed: a leftover or broader one widens access, and each is evaluated per row",
        fix: "merge them into one policy per role and command, or make the extra ones RESTRICTIVE",
        needs_api_roles: false,
        sql: "SELECT c.oid::regclass::text, cmd || ' for ' || rol || ': ' || string_agg(pol.polname, ', ' ORDER BY pol.polname) \
              FROM p CROSS JOIN pg_policy pol JOIN pg_class c ON c.oid = pol.polrelid JOIN pg_namespace n ON n.oid = c.relnamespace, \
                   unnest(CASE pol.polcmd WHEN 'r' THEN ARRAY['SELECT'] WHEN 'a' THEN ARRAY['INSERT'] WHEN 'w' THEN ARRAY['UPDATE'] WHEN 'd' THEN ARRAY['DELETE'] ELSE ARRAY['SELECT','INSERT','UPDATE','DELETE'] END) cmd, \
                   LATERAL (SELECT CASE WHEN o = 0 THEN 'public' ELSE pg_get_userbyid(o) END AS rol FROM unnest(pol.polroles) o) r \
              WHERE pol.polpermissive AND n.nspname NOT IN SKIPPED \
              GROUP BY c.oid, cmd, rol HAVING count(*) > 1",
    },
    Rule {
        id: "policy_without_to",
        level: Level::Warning,
        catalog: &[9],
        what: "a policy on a tenant table without a TO clause (it applies to PUBLIC, anon included)",
        why: "anon and every other role get whatever the policy grants; a bug in it is reachable without signing in",
        fix: "CREATE POLICY … TO authenticated (or the application's role)",
        needs_api_roles: true,
        sql: "SELECT c.oid::regclass::text || ' policy ' || pol.polname, 'applies to PUBLIC' \
              FROM p CROSS JOIN pg_policy pol JOIN pg_class c ON c.oid = pol.polrelid \
              WHERE c.oid = ANY(p.tables) AND pol.polroles = '{0}'",
    },
    Rule {
        id: "with_check_weaker_than_using",
        level: Level::Error,
        catalog: &[11],
        what: "an UPDATE/ALL policy whose USING pins the tenant column but whose WITH CHECK does not",
        why: "a user may update their own row into another tenant",
        fix: "drop the WITH CHECK (USING is then used) or make it pin the tenant column the same way",
        needs_api_roles: false,
        sql: "SELECT c.oid::regclass::text || ' policy ' || pol.polname, 'WITH CHECK (' || pg_get_expr(pol.polwithcheck, pol.polrelid) || ')' \
              FROM p CROSS JOIN pg_policy pol JOIN pg_class c ON c.oid = pol.polrelid \
              WHERE c.oid = ANY(p.tables) AND pol.polcmd IN ('w','*') AND pol.polwithcheck IS NOT NULL \
                AND pg_get_expr(pol.polqual, pol.polrelid) ~ ('\\m' || p.col || '\\M') \
                AND pg_get_expr(pol.polwithcheck, pol.polrelid) !~ ('\\m' || p.col || '\\M')",
    },
    Rule {
        id: "insert_check_without_tenant",
        level: Level::Error,
        catalog: &[12],
        what: "a permissive INSERT/ALL policy on a tenant table whose WITH CHECK does not mention the tenant column",
        why: "it lets a user write rows into any tenant (ownership injection), OR'ed with the other policies",
        fix: "WITH CHECK (tenant column = the caller's tenant)",
        needs_api_roles: false,
        sql: "SELECT c.oid::regclass::text || ' policy ' || pol.polname, \
                     coalesce('WITH CHECK (' || pg_get_expr(coalesce(pol.polwithcheck, pol.polqual), pol.polrelid) || ')', 'no WITH CHECK') \
              FROM p CROSS JOIN pg_policy pol JOIN pg_class c ON c.oid = pol.polrelid \
              WHERE c.oid = ANY(p.tables) AND pol.polpermissive AND pol.polcmd IN ('a','*') \
                AND coalesce(pg_get_expr(coalesce(pol.polwithcheck, pol.polqual), pol.polrelid), '') !~ ('\\m' || p.col || '\\M')",
    },
    Rule {
        id: "rls_references_user_metadata",
        level: Level::Error,
        catalog: &[18],
        what: "a policy reads user_metadata / raw_user_meta_data",
        why: "users edit their own user_metadata: they choose their tenant",
        fix: "read tenancy from app_metadata, a membership table, or a custom access-token hook",
        needs_api_roles: false,
        sql: "SELECT c.oid::regclass::text || ' policy ' || pol.polname, 'reads user-editable metadata' \
              FROM p CROSS JOIN pg_policy pol JOIN pg_class c ON c.oid = pol.polrelid JOIN pg_namespace n ON n.oid = c.relnamespace \
              WHERE n.nspname NOT IN SKIPPED AND concat(pg_get_expr(pol.polqual, pol.polrelid), ' ', pg_get_expr(pol.polwithcheck, pol.polrelid)) ~* '(user_metadata|raw_user_meta_data)'",
    },
    Rule {
        id: "auth_rls_initplan",
        level: Level::Warning,
        catalog: &[46],
        what: "a policy calls auth.<function>() or current_setting() directly, not as (SELECT …)",
        why: "it can be evaluated once per row instead of once per statement, and blocks index use",
        fix: "wrap the call: (SELECT auth.uid()), (SELECT current_setting(…))",
        needs_api_roles: false,
        sql: "SELECT c.oid::regclass::text || ' policy ' || pol.polname, 'calls ' || (regexp_match(e, '(auth\\.\\w+\\(\\)|current_setting\\([^)]*\\))'))[1] || ' unwrapped' \
              FROM p CROSS JOIN pg_policy pol JOIN pg_class c ON c.oid = pol.polrelid JOIN pg_namespace n ON n.oid = c.relnamespace, \
                   LATERAL (SELECT regexp_replace(concat(pg_get_expr(pol.polqual, pol.polrelid), ' ', pg_get_expr(pol.polwithcheck, pol.polrelid)), \
                            'SELECT \\(*(auth\\.\\w+\\(\\)|current_setting\\([^)]*\\))', '', 'g') AS e) x \
              WHERE n.nspname NOT IN SKIPPED AND e ~ '(auth\\.\\w+\\(\\)|current_setting\\()'",
    },
    Rule {
        id: "current_setting_without_missing_ok",
        level: Level::Warning,
        catalog: &[15, 16],
        what: "current_setting('…') without missing_ok in a policy or function",
        why: "an unset setting raises an error, and code that works around it tends to fail open",
        fix: "current_setting('…', true), and treat NULL or '' as no tenant",
        needs_api_roles: false,
        sql: "SELECT c.oid::regclass::text || ' policy ' || pol.polname, (regexp_match(e, 'current_setting\\(''[^'']*''(::text)?\\)'))[1] \
              FROM p CROSS JOIN pg_policy pol JOIN pg_class c ON c.oid = pol.polrelid JOIN pg_namespace n ON n.oid = c.relnamespace, \
                   LATERAL (SELECT concat(pg_get_expr(pol.polqual, pol.polrelid), ' ', pg_get_expr(pol.polwithcheck, pol.polrelid)) AS e) x \
              WHERE n.nspname NOT IN SKIPPED AND e ~ 'current_setting\\(''[^'']*''(::text)?\\)' \
              UNION ALL \
              SELECT f.oid::regprocedure::text, 'calls current_setting without missing_ok' \
              FROM p CROSS JOIN pg_proc f JOIN pg_namespace n ON n.oid = f.pronamespace \
              WHERE n.nspname NOT IN SKIPPED AND f.prosrc ~* 'current_setting\\s*\\(\\s*''[^'']*''\\s*\\)'",
    },
    Rule {
        id: "security_definer_view",
        level: Level::Error,
        catalog: &[22, 35],
        what: "a view the API roles may read runs with its owner's rights (no security_invoker)",
        why: "the owner usually bypasses RLS, so the view returns every tenant's rows",
        fix: "ALTER VIEW … SET (security_invoker = true), or revoke SELECT from the API roles",
        needs_api_roles: true,
        sql: "SELECT c.oid::regclass::text, 'owned by ' || pg_get_userbyid(c.relowner) || ', readable by ' || string_agg(DISTINCT r, ', ') \
              FROM p CROSS JOIN pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace, unnest(p.roles) r \
              WHERE c.relkind = 'v' AND n.nspname NOT IN SKIPPED \
                AND NOT coalesce(c.reloptions @> '{security_invoker=true}' OR c.reloptions @> '{security_invoker=on}', false) \
                AND has_table_privilege(r, c.oid, 'SELECT') GROUP BY c.oid, c.relowner",
    },
    Rule {
        id: "materialized_view_in_api",
        level: Level::Warning,
        catalog: &[23],
        what: "a materialized view the API roles may read",
        why: "materialized views cannot carry RLS: every tenant's rows are readable",
        fix: "revoke SELECT from the API roles, or move it to an unexposed schema",
        needs_api_roles: true,
        sql: "SELECT c.oid::regclass::text, 'readable by ' || string_agg(DISTINCT r, ', ') \
              FROM p CROSS JOIN pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace, unnest(p.roles) r \
              WHERE c.relkind IN ('m','f') AND n.nspname NOT IN SKIPPED AND has_table_privilege(r, c.oid, 'SELECT') GROUP BY 1",
    },
    Rule {
        id: "security_definer_function_executable",
        level: Level::Warning,
        catalog: &[24, 26],
        what: "a SECURITY DEFINER function the API roles may execute",
        why: "it runs with its owner's rights; without its own tenant check it reads or writes across tenants",
        fix: "SECURITY INVOKER where possible; otherwise check the caller's tenant inside and REVOKE EXECUTE FROM PUBLIC, anon",
        needs_api_roles: true,
        sql: "SELECT f.oid::regprocedure::text, 'executable by ' || string_agg(DISTINCT r, ', ') \
              FROM p CROSS JOIN pg_proc f JOIN pg_namespace n ON n.oid = f.pronamespace, unnest(p.roles) r \
              WHERE f.prosecdef AND n.nspname NOT IN SKIPPED AND has_function_privilege(r, f.oid, 'EXECUTE') GROUP BY 1",
    },
    Rule {
        id: "security_definer_search_path",
        level: Level::Error,
        catalog: &[25],
        what: "a SECURITY DEFINER function without a fixed search_path",
        why: "a caller who can create objects earlier in the search_path runs code with the owner's rights",
        fix: "ALTER FUNCTION … SET search_path = ''",
        needs_api_roles: false,
        sql: "SELECT f.oid::regprocedure::text, 'no SET search_path' \
              FROM p CROSS JOIN pg_proc f JOIN pg_namespace n ON n.oid = f.pronamespace \
              WHERE f.prosecdef AND n.nspname NOT IN SKIPPED \
                AND NOT EXISTS (SELECT 1 FROM unnest(f.proconfig) s WHERE s LIKE 'search_path=%')",
    },
    Rule {
        id: "leakproof_function",
        level: Level::Warning,
        catalog: &[35, 49],
        what: "a user-defined function marked LEAKPROOF",
        why: "the planner may run it on rows before the policy filters them; if it can raise or log, it leaks them",
        fix: "drop LEAKPROOF unless the function provably reveals nothing about its arguments",
        needs_api_roles: false,
        sql: "SELECT f.oid::regprocedure::text, 'LEAKPROOF' \
              FROM p CROSS JOIN pg_proc f JOIN pg_namespace n ON n.oid = f.pronamespace \
              WHERE f.proleakproof AND n.nspname NOT IN SKIPPED",
    },
    Rule {
        id: "unique_without_tenant",
        level: Level::Warning,
        catalog: &[32, 34],
        what: "a unique constraint or index on a tenant table that does not include the tenant column",
        why: "a duplicate-key error tells one tenant that a value exists in another (and lets it squat values)",
        fix: "make it UNIQUE (tenant column, …)",
        needs_api_roles: false,
        sql: "SELECT c.oid::regclass::text || ' ' || i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) \
              FROM p CROSS JOIN pg_index i JOIN pg_class c ON c.oid = i.indrelid \
              JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = p.col \
              WHERE c.oid = ANY(p.tables) AND i.indisunique AND NOT i.indisprimary AND NOT (a.attnum = ANY(i.indkey))",
    },
    Rule {
        id: "fk_without_tenant",
        level: Level::Warning,
        catalog: &[33],
        what: "a foreign key between tenant tables that does not include the tenant column",
        why: "foreign keys ignore RLS: a user can attach rows to another tenant's parent and probe which ids exist",
        fix: "UNIQUE (tenant column, id) on the parent and FOREIGN KEY (tenant column, parent_id) REFERENCES parent (tenant column, id)",
        needs_api_roles: false,
        sql: "SELECT k.conrelid::regclass::text || ' ' || k.conname, pg_get_constraintdef(k.oid) \
              FROM p CROSS JOIN pg_constraint k JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attname = p.col \
              WHERE k.contype = 'f' AND k.conrelid = ANY(p.tables) AND k.confrelid = ANY(p.tables) AND NOT (a.attnum = ANY(k.conkey))",
    },
    Rule {
        id: "constant_tenant_default",
        level: Level::Warning,
        catalog: &[39, 40],
        what: "the tenant column defaults to a constant",
        why: "every row inserted without a tenant lands in that one tenant",
        fix: "drop the default after the backfill, or default to the caller's tenant from the JWT or setting",
        needs_api_roles: false,
        sql: "SELECT c.oid::regclass::text || '.' || a.attname, 'DEFAULT ' || pg_get_expr(d.adbin, d.adrelid) \
              FROM p CROSS JOIN pg_attrdef d JOIN pg_class c ON c.oid = d.adrelid \
              JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum \
              WHERE c.oid = ANY(p.tables) AND a.attname = p.col AND pg_get_expr(d.adbin, d.adrelid) !~ '\\('",
    },
    Rule {
        id: "nullable_tenant_column",
        level: Level::Error,
        catalog: &[14],
        what: "the tenant column of a tenant table accepts NULL",
        why: "NULL-tenant rows are invisible to everyone, or visible to everyone under an `IS NULL OR` policy",
        fix: "ALTER TABLE … ALTER COLUMN … SET NOT NULL after the backfill",
        needs_api_roles: false,
        sql: "SELECT c.oid::regclass::text || '.' || a.attname, 'NULL allowed' \
              FROM p CROSS JOIN pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = p.col \
              WHERE c.oid = ANY(p.tables) AND NOT a.attnotnull",
    },
    Rule {
        id: "api_role_table_privileges",
        level: Level::Error,
        catalog: &[27],
        what: "TRUNCATE, REFERENCES or TRIGGER on a tenant table granted to an API role",
        why: "RLS does not govern them: TRUNCATE empties every tenant, REFERENCES and TRIGGER reach other tenants' rows",
        fix: "REVOKE TRUNCATE, REFERENCES, TRIGGER ON … FROM the API roles",
        needs_api_roles: true,
        sql: "SELECT c.oid::regclass::text, string_agg(DISTINCT r || ' ' || priv, ', ') \
              FROM p CROSS JOIN pg_class c, unnest(p.roles) r, unnest(ARRAY['TRUNCATE','REFERENCES','TRIGGER']) priv \
              WHERE c.oid = ANY(p.tables) AND has_table_privilege(r, c.oid, priv) GROUP BY 1",
    },
    Rule {
        id: "shared_sequence_default",
        level: Level::Info,
        catalog: &[36],
        what: "a tenant table's key comes from one sequence shared by all tenants",
        why: "consecutive ids reveal other tenants' activity and make ids guessable",
        fix: "UUID keys, or per-tenant numbering where numbers are shown",
        needs_api_roles: false,
        sql: "SELECT c.oid::regclass::text || '.' || a.attname, 'DEFAULT ' || pg_get_expr(d.adbin, d.adrelid) \
              FROM p CROSS JOIN pg_attrdef d JOIN pg_class c ON c.oid = d.adrelid \
              JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum \
              WHERE c.oid = ANY(p.tables) AND pg_get_expr(d.adbin, d.adrelid) ~ '^nextval\\('",
    },
    Rule {
        id: "unpatched_server",
        level: Level::Warning,
        catalog: &[37],
        what: "the server predates fixes of known row-level-security bugs (CVE-2024-10976, CVE-2023-39418)",
        why: "correct policies still leak on it",
        fix: "upgrade to at least 13.17, 14.14, 15.9, 16.5 or 17.1",
        needs_api_roles: false,
        sql: "SELECT 'server', current_setting('server_version') FROM p CROSS JOIN (SELECT current_setting('server_version_num')::int AS v) s \
              WHERE (s.v / 10000 = 13 AND s.v < 130017) OR (s.v / 10000 = 14 AND s.v < 140014) OR (s.v / 10000 = 15 AND s.v < 150009) \
                 OR (s.v / 10000 = 16 AND s.v < 160005) OR (s.v / 10000 = 17 AND s.v < 170001) OR s.v < 130000",
    },
];

/// A finding of the audit.
#[derive(Debug, Clone, Serialize)]
pub struct AuditFinding {
    /// The rule's id.
    pub rule: String,
    /// The rule's level.
    pub level: Level,
    /// The object: table, `table policy name`, index, function signature.
    pub object: String,
    /// What the catalog says about it.
    pub detail: String,
    /// A dynamic check reproduced it (the `check` id that did).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proven_by: Option<CheckId>,
    /// The scenario accepts it, with this reason.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub accepted: Option<String>,
}

impl AuditFinding {
    /// Whether it fails the run.
    pub fn fails(&self) -> bool {
        self.accepted.is_none() && (self.level == Level::Error || self.proven_by.is_some())
    }

    /// The rule it came from.
    pub fn rule(&self) -> &'static Rule {
        rule(&self.rule).expect("findings come from RULES")
    }
}

/// The rule with `id`.
pub fn rule(id: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.id == id)
}

pub use crate::scenario::Accept;

/// Refuses a scenario whose `[[audit.accept]]` names a rule the audit does
/// not have (a typo would otherwise accept nothing, silently).
pub fn validate_accepts(scenario: &crate::scenario::Scenario) -> Result<()> {
    for a in &scenario.audit_accept {
        if rule(&a.rule).is_none() {
            let known: Vec<&str> = RULES.iter().map(|r| r.id).collect();
            return Err(Error::Scenario {
                file: scenario.toml_path(),
                line: Some(a.line),
                message: format!(
                    "key `audit.accept.rule`: no audit rule `{}`; the rules are {}",
                    a.rule,
                    known.join(", ")
                ),
            });
        }
    }
    Ok(())
}

/// What the audit needs to know about the run.
pub struct Context<'a> {
    /// Tenant tables, schema-qualified.
    pub tables: &'a [String],
    /// The roles API requests run as (empty with `via = "app"`).
    pub api_roles: &'a [String],
    /// The tenant column.
    pub tenant_column: &'a str,
    /// Accepted findings.
    pub accept: &'a [Accept],
}

/// Runs every rule against the database `client` is connected to.
pub async fn run(client: &Client, cx: &Context<'_>) -> Result<Vec<AuditFinding>> {
    let mut out = Vec::new();
    for r in RULES {
        if r.needs_api_roles && cx.api_roles.is_empty() {
            continue;
        }
        let sql = format!(
            "{PRELUDE}{}",
            r.sql
                .replace("NOT IN SKIPPED", &format!("NOT IN {SKIPPED_SCHEMAS}"))
        );
        let rows = client
            .query(&sql, &[&cx.tables, &cx.api_roles, &cx.tenant_column])
            .await
            .map_err(Error::db(format!("audit rule {}", r.id)))?;
        for row in rows {
            let object: String = row.get(0);
            let accepted = cx
                .accept
                .iter()
                .find(|a| a.rule == r.id && a.object.as_ref().is_none_or(|o| *o == object))
                .map(|a| a.reason.clone());
            out.push(AuditFinding {
                rule: r.id.into(),
                level: r.level,
                object,
                detail: row.get::<_, Option<String>>(1).unwrap_or_default(),
                proven_by: None,
                accepted,
            });
        }
    }
    out.sort_by(|a, b| b.level.cmp(&a.level).then(a.rule.cmp(&b.rule)));
    Ok(out)
}

/// The audit of a run's migrated database: its tenant tables, the API
/// roles of its identity model, its acceptances.
pub async fn of_run(cx: &super::Context<'_>) -> Result<Vec<AuditFinding>> {
    let tables: Vec<String> = cx.snapshot.tables.iter().map(|t| t.table.clone()).collect();
    let api_roles: Vec<String> = [
        cx.scenario.identity.role(),
        cx.scenario.identity.anon_role(),
    ]
    .into_iter()
    .flatten()
    .map(str::to_string)
    .collect();
    run(
        cx.admin,
        &Context {
            tables: &tables,
            api_roles: &api_roles,
            tenant_column: &cx.scenario.tenancy.column,
            accept: &cx.scenario.audit_accept,
        },
    )
    .await
}

/// Marks the audit findings that `dynamic` findings reproduce: a finding
/// whose check proves the rule ([`CheckId::proves`]) on the same table, and,
/// where both name one, the same object (foreign key, index, policy). A
/// read that leaks cannot tell which policy let it through, so it proves
/// the table's policy findings; a write probe through a foreign key proves
/// that key and no other.
pub fn mark_proven(audit: &mut [AuditFinding], dynamic: &[Finding]) {
    for a in audit.iter_mut() {
        if let Some(d) = dynamic.iter().find(|d| proves(d, a)) {
            a.proven_by = Some(d.check);
        }
    }
}

/// Whether dynamic finding `d` reproduces audit finding `a`.
fn proves(d: &Finding, a: &AuditFinding) -> bool {
    let Some(table) = d.table.as_deref() else {
        return false;
    };
    let (head, item) = split_object(&a.object);
    d.check.proves().contains(&a.rule.as_str())
        && same_table(head, table)
        && match (item, d.object.as_deref()) {
            (Some(item), Some(object)) => same_item(item, object),
            _ => true,
        }
}

/// An audit object as its table and the item within it: `t policy p` →
/// (`t`, `p`), `t t_sku_key` → (`t`, `t_sku_key`), `t.col` → (`t`, `col`).
/// The table is SQL text (`"Weird Table"`): a space inside quotes is part of it.
fn split_object(object: &str) -> (&str, Option<&str>) {
    let mut quoted = false;
    let end = object.char_indices().find(|&(_, c)| {
        if c == '"' {
            quoted = !quoted;
        }
        c == ' ' && !quoted
    });
    let Some((i, _)) = end else {
        return (object, None);
    };
    let (table, rest) = (&object[..i], &object[i + 1..]);
    (table, Some(rest.strip_prefix("policy ").unwrap_or(rest)))
}

/// Whether an audit item (a name as the catalog prints it, perhaps quoted
/// or schema-qualified) is the object a dynamic finding names (a raw name).
fn same_item(item: &str, object: &str) -> bool {
    item == object || tenant_sql::Name::parse(item).is_ok_and(|n| n.name == object)
}

/// A table name without its schema and quotes: `public."a b"` → `a b`.
fn bare(name: &str) -> String {
    tenant_sql::Name::parse(name).map_or_else(|_| name.to_string(), |n| n.name)
}

/// Whether audit table text `head` (`public.t`, `t`) is the table a dynamic
/// finding names (`t` or `public.t`), or a column of it (`t.col`).
fn same_table(head: &str, table: &str) -> bool {
    head == table || bare(head) == bare(table) || head.starts_with(&format!("{table}."))
}

/// `dynamic` without the findings that reproduce an audit finding the
/// scenario accepts: accepting a rule for an object accepts its proof too
/// (the audit finding keeps `proven_by`, so the report still shows it).
/// Only checks with one audit cause ([`CheckId::proves_alone`]) are
/// absorbed, and only by the accepted finding on their own object.
pub fn absorb_accepted(audit: &[AuditFinding], dynamic: Vec<Finding>) -> Vec<Finding> {
    dynamic
        .into_iter()
        .filter(|d| {
            !(d.check.proves_alone() && audit.iter().any(|a| a.accepted.is_some() && proves(d, a)))
        })
        .collect()
}

/// Findings of the audit as report findings (those that fail the run).
pub fn failing(audit: &[AuditFinding]) -> Vec<Finding> {
    audit
        .iter()
        .filter(|a| a.fails())
        .map(|a| {
            let why = match &a.proven_by {
                Some(c) => format!("proven by {c}"),
                None => format!("{} level", a.level),
            };
            let (table, item) = split_object(&a.object);
            let finding = Finding::new(
                CheckId::Audit(a.rule().id),
                format!(
                    "{}: {} ({}); {}. Fix: {}",
                    a.object,
                    a.detail,
                    why,
                    a.rule().why,
                    a.rule().fix
                ),
            )
            .table(a.object.clone());
            match item {
                Some(i) if table != a.object => finding.object(i),
                _ => finding,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_ids_are_unique_and_documented() {
        let mut ids: Vec<&str> = RULES.iter().map(|r| r.id).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), RULES.len());
        for r in RULES {
            assert!(!r.what.is_empty() && !r.why.is_empty() && !r.fix.is_empty());
            assert!(!r.catalog.is_empty(), "{} names no catalog entry", r.id);
        }
    }

    #[test]
    fn the_readme_documents_every_rule() {
        let readme = include_str!("../../README.md");
        for r in RULES {
            assert!(
                readme.contains(&format!("| `{}` | {} |", r.id, r.level)),
                "README's audit table lacks {} ({})",
                r.id,
                r.level
            );
        }
    }

    fn finding(rule: &str, level: Level, object: &str) -> AuditFinding {
        AuditFinding {
            rule: rule.into(),
            level,
            object: object.into(),
            detail: String::new(),
            proven_by: None,
            accepted: None,
        }
    }

    fn fks() -> Vec<AuditFinding> {
        vec![
            finding(
                "fk_without_tenant",
                Level::Warning,
                "public.notes notes_doc_fkey",
            ),
            finding(
                "fk_without_tenant",
                Level::Warning,
                "public.notes notes_author_fkey",
            ),
            finding(
                "fk_without_tenant",
                Level::Warning,
                "public.other other_doc_fkey",
            ),
        ]
    }

    fn through(fk: &str) -> Finding {
        Finding::new(CheckId::WriteChildOfForeignParent, "x")
            .table("notes")
            .object(fk)
    }

    #[test]
    fn a_dynamic_finding_proves_its_own_key_only() {
        let mut audit = fks();
        assert!(audit.iter().all(|a| !a.fails()));
        mark_proven(&mut audit, &[through("notes_doc_fkey")]);
        assert!(audit[0].fails(), "the key the probe went through");
        assert!(!audit[1].fails(), "another key of the same table");
        assert!(!audit[2].fails(), "another table");
        assert_eq!(failing(&audit).len(), 1);
        assert_eq!(
            failing(&audit)[0].check,
            CheckId::Audit("fk_without_tenant")
        );
    }

    #[test]
    fn accepting_one_key_does_not_hide_a_leak_through_another() {
        let mut audit = fks();
        audit[0].accepted = Some("ids are random".into());
        let dynamic = vec![through("notes_doc_fkey"), through("notes_author_fkey")];
        mark_proven(&mut audit, &dynamic);
        let left = absorb_accepted(&audit, dynamic);
        assert_eq!(left.len(), 1);
        assert_eq!(left[0].object.as_deref(), Some("notes_author_fkey"));
        assert!(audit[1].fails());
    }

    #[test]
    fn a_read_leak_proves_the_tables_policy_findings() {
        let mut audit = vec![
            finding(
                "rls_policy_always_true",
                Level::Warning,
                "public.notes policy open",
            ),
            finding(
                "rls_policy_always_true",
                Level::Warning,
                "public.other policy open",
            ),
        ];
        let leak = Finding::new(CheckId::IsolationForeignRows, "x").table("notes");
        mark_proven(&mut audit, std::slice::from_ref(&leak));
        assert_eq!(audit[0].proven_by, Some(CheckId::IsolationForeignRows));
        assert!(audit[1].proven_by.is_none());
        // A read leak has more than one possible cause: accepting one never absorbs it.
        audit[0].accepted = Some("x".into());
        assert_eq!(absorb_accepted(&audit, vec![leak]).len(), 1);
    }

    #[test]
    fn objects_split_into_table_and_item() {
        assert_eq!(split_object("public.t policy p"), ("public.t", Some("p")));
        assert_eq!(split_object("t t_sku_key"), ("t", Some("t_sku_key")));
        assert_eq!(split_object("public.t"), ("public.t", None));
        assert_eq!(bare(r#"public."a b""#), "a b");
        assert_eq!(bare(r#""x.y""#), "x.y");
        assert_eq!(
            split_object(r#""Weird Table" Weird Table_user_fkey"#),
            (r#""Weird Table""#, Some("Weird Table_user_fkey"))
        );
        assert_eq!(
            split_object(r#""o'brien ""notes""" policy open"#),
            (r#""o'brien ""notes""""#, Some("open"))
        );
        assert!(same_table(r#""Weird Table""#, "Weird Table"));
        assert!(same_item(r#"public."Weird Table_key""#, "Weird Table_key"));
    }

    #[test]
    fn accepted_findings_never_fail() {
        let mut a = finding("nullable_tenant_column", Level::Error, "public.t.tenant_id");
        assert!(a.fails());
        a.accepted = Some("phase 1 keeps it nullable".into());
        assert!(!a.fails());
    }
}
