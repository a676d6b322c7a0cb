//! Scenario format v1: a folder with `scenario.toml`, `before.sql`,
//! `migrations/*.sql` (applied in file-name order, the supabase/migrations
//! convention) and an optional `rollback.sql`.
//!
//! `scenario.toml` states what the isolation oracle needs without naming
//! any generated id: which tables hold tenant data and who owns each row
//! before the migration, how users group into tenants after it, how
//! identity reaches the database, and how much data to generate. The format
//! is documented in README.md; unknown keys are errors, so a typo is caught
//! with its line instead of silently ignored.

use crate::error::{Error, Result};
use serde::Deserialize;
use serde_spanned::Spanned;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub mod workload;
pub use workload::{BenchSpec, Form, Param, WorkloadSpec};

/// A finding the scenario accepts (`[[audit.accept]]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accept {
    /// Rule id (checked against the audit's rules before a run starts:
    /// `checks::audit::validate_accepts`).
    pub rule: String,
    /// Line of `rule` in scenario.toml, for messages.
    pub line: usize,
    /// The object, exactly as reported; `None` accepts every object of the rule.
    pub object: Option<String>,
    /// Why it is acceptable here (shown in the report).
    pub reason: String,
}

/// A loaded, validated scenario.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// The scenario folder.
    pub dir: PathBuf,
    /// Short name, for reports.
    pub name: String,
    /// Free text.
    pub description: String,
    /// Install Supabase's roles, `auth` schema and functions where missing.
    pub supabase: bool,
    /// HS256 secret from the scenario; `None` means the environment's or a random one.
    pub jwt_secret: Option<String>,
    /// How identity reaches the database.
    pub identity: Identity,
    /// The pre-migration users table; optional with `group_by = "single"`.
    pub users: Option<UsersSpec>,
    /// Tenant column and grouping.
    pub tenancy: Tenancy,
    /// Tables holding tenant data.
    pub tables: Vec<TableSpec>,
    /// Sizes and seed.
    pub data: DataSpec,
    /// Knobs of the checks.
    pub checks: ChecksSpec,
    /// Audit findings the scenario accepts, with reasons.
    pub audit_accept: Vec<Accept>,
    /// Data written after the migration for more tenants, so isolation has something to leak.
    pub after: Option<AfterSpec>,
    /// The application's tenant-parameterised queries (app-level filtering).
    pub queries: Vec<QuerySpec>,
    /// The plan's own verification queries, run after the migration.
    pub verify: Vec<VerifySpec>,
    /// How the load benchmark runs (`[bench]`).
    pub bench: BenchSpec,
    /// The application's queries, before and after the migration (`[[workload]]`).
    pub workload: Vec<WorkloadSpec>,
    /// `seed.sql`: the scenario's own SQL, run after the generated data is loaded.
    pub seed_sql: Option<SqlFile>,
    /// `after.sql`: the scenario's own SQL, run after the `[after]` tenants' data is written.
    pub after_sql: Option<SqlFile>,
    /// `before.sql`: the pre-migration schema.
    pub before: SqlFile,
    /// `migrations/*.sql` in file-name order.
    pub migrations: Vec<SqlFile>,
    /// `rollback.sql`, if present.
    pub rollback: Option<SqlFile>,
}

/// A SQL file of the scenario, read once.
#[derive(Debug, Clone)]
pub struct SqlFile {
    /// Where it was read from.
    pub path: PathBuf,
    /// Its text.
    pub sql: String,
}

impl SqlFile {
    /// The file name, for reports.
    pub fn name(&self) -> String {
        self.path.file_name().map_or_else(
            || self.path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        )
    }
}

/// How a request's identity reaches the database after the migration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Identity {
    /// A JWT whose `sub` is the user's id, read by `auth.uid()`.
    JwtSub {
        /// Role of impersonated users.
        role: String,
        /// Role of requests without a user.
        anon_role: String,
    },
    /// A JWT carrying the tenant in claim `claim` (besides `sub`).
    JwtClaim {
        /// The claim that carries the tenant.
        claim: String,
        /// Role of impersonated users.
        role: String,
        /// Role of requests without a user.
        anon_role: String,
    },
    /// The application filters by tenant in its SQL; the database enforces
    /// nothing, so only the scenario's `[[queries]]` are checked.
    App,
    /// A session setting such as `app.tenant_id`, set per transaction, under `role`.
    Setting {
        /// The setting's name, e.g. `app.tenant_id`.
        setting: String,
        /// Role of impersonated users.
        role: String,
    },
}

impl Identity {
    /// The database role impersonated users act as (none for `App`).
    pub fn role(&self) -> Option<&str> {
        match self {
            Identity::JwtSub { role, .. }
            | Identity::JwtClaim { role, .. }
            | Identity::Setting { role, .. } => Some(role),
            Identity::App => None,
        }
    }

    /// The role of a request without a user, if the model has one.
    pub fn anon_role(&self) -> Option<&str> {
        match self {
            Identity::JwtSub { anon_role, .. } | Identity::JwtClaim { anon_role, .. } => {
                Some(anon_role)
            }
            Identity::Setting { .. } | Identity::App => None,
        }
    }
}

/// The pre-migration users table.
#[derive(Debug, Clone)]
pub struct UsersSpec {
    /// Table name (search_path applies).
    pub table: String,
    /// The same name as SQL (see [`TableSpec::sql`]).
    pub sql: String,
    /// Column holding the user id.
    pub id: String,
    /// Column holding the e-mail address (the grouping reads it).
    pub email: String,
    /// Column holding a display name, if any.
    pub name: Option<String>,
    /// Mirror every user into `auth.users` (Supabase).
    pub auth_users: bool,
}

/// The tenant column and how users group into tenants.
#[derive(Debug, Clone)]
pub struct Tenancy {
    /// The column the migration adds to every tenant table.
    pub column: String,
    /// How users group into tenants.
    pub grouping: Grouping,
}

/// How users group into tenants after the migration, stated over
/// pre-migration data so that no generated id needs naming.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Grouping {
    /// Users at one of these domains share one tenant per domain; every other user has their own.
    EmailDomain {
        /// Lower-cased domains whose users share a tenant.
        shared_domains: Vec<String>,
    },
    /// Every user is their own tenant.
    PerUser,
    /// All pre-existing rows belong to one tenant.
    Single {
        /// The tenant value they must carry, if the scenario states it.
        tenant: Option<ExpectedTenant>,
    },
}

/// The tenant value pre-existing rows must carry after the migration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExpectedTenant {
    /// A literal, e.g. `caps-automotive`.
    Literal(String),
    /// A query run after the migration whose first value is the tenant, e.g.
    /// `SELECT id::text FROM tenants WHERE slug = 'ppcu'`.
    Query(String),
}

/// Tenants whose data the harness writes after the migration.
#[derive(Debug, Clone)]
pub struct AfterSpec {
    /// Literal tenant values.
    pub tenants: Vec<String>,
    /// Or a query listing them (first column, as text), run after the migration.
    pub tenants_query: Option<String>,
    /// Rows per table, over all these tenants.
    pub rows_per_table: u64,
    /// Per-table overrides.
    pub rows: BTreeMap<String, u64>,
}

/// A tenant-parameterised query of the application: `$1` is the tenant.
#[derive(Debug, Clone)]
pub struct QuerySpec {
    /// Name, for reports.
    pub name: String,
    /// The table whose rows it returns.
    pub table: String,
    /// The SQL, with `$1` for the tenant.
    pub sql: String,
    /// Result column holding the table's primary key (default: the first column).
    pub key: Option<String>,
}

/// A verification query of the migration plan, run after the migration.
#[derive(Debug, Clone)]
pub struct VerifySpec {
    /// Name, for reports.
    pub name: String,
    /// The SQL; its result goes into the report.
    pub sql: String,
    /// Expected first value (as text), when the plan states one.
    pub expect: Option<String>,
}

impl Scenario {
    /// The SQL form of table `name` as the scenario writes it: a declared
    /// table's, else `name` read as [`tenant_sql::Name`] (quoted whole when
    /// it cannot be read so, which then names no table and fails as such).
    pub fn table_sql(&self, name: &str) -> String {
        match self.tables.iter().find(|t| t.name == name) {
            Some(t) => t.sql.clone(),
            None => {
                tenant_sql::Name::parse(name).map_or_else(|_| tenant_sql::ident(name), |n| n.sql())
            }
        }
    }
}

/// A table that holds tenant data.
#[derive(Debug, Clone)]
pub struct TableSpec {
    /// Table name as the scenario writes it (search_path applies): the
    /// name reports show and other keys refer to.
    pub name: String,
    /// The same name as SQL, every part quoted ([`tenant_sql::Name`]): what
    /// addresses the table in a statement or a `::regclass` cast.
    pub sql: String,
    /// Column holding the owning user's id before the migration.
    pub owner: Option<String>,
    /// Line in scenario.toml, for messages about this table.
    pub line: usize,
    /// Generators the scenario sets for some columns.
    pub overrides: Vec<(String, tenant_seed::plan::Override)>,
}

/// Data sizes and the random seed.
#[derive(Debug, Clone)]
pub struct DataSpec {
    /// Seed of all generated data.
    pub seed: u64,
    /// How many users.
    pub users: usize,
    /// How many of them are at the shared domains.
    pub shared_domain_users: usize,
    /// Rows per table unless `rows` says otherwise.
    pub rows_per_table: u64,
    /// Per-table row counts.
    pub rows: BTreeMap<String, u64>,
    /// Share of NULLs in NULL-able non-key columns.
    pub null_fraction: f64,
    /// How rows spread over owners.
    pub distribution: tenant_seed::layout::Distribution,
    /// How many tables load at once.
    pub concurrency: usize,
}

impl DataSpec {
    /// Rows to generate for `table`.
    pub fn rows_for(&self, table: &str) -> u64 {
        self.rows.get(table).copied().unwrap_or(self.rows_per_table)
    }
}

/// Knobs of the checks.
#[derive(Debug, Clone)]
pub struct ChecksSpec {
    /// How many users (from different tenants) the isolation check impersonates.
    pub isolation_users: usize,
    /// Cases of the property-based leak search (0: off).
    pub search_cases: u32,
}

// ---- raw TOML shape ----

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    version: Spanned<u32>,
    /// A scenario folder (relative to this one) whose files this one reuses.
    base: Option<Spanned<String>>,
    name: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    database: RawDatabase,
    identity: RawIdentity,
    users: Option<RawUsers>,
    tenancy: RawTenancy,
    tables: Vec<RawTable>,
    data: RawData,
    #[serde(default)]
    checks: RawChecks,
    #[serde(default)]
    audit: RawAudit,
    after: Option<RawAfter>,
    #[serde(default)]
    queries: Vec<RawQuery>,
    #[serde(default)]
    verify: Vec<RawVerify>,
    #[serde(default)]
    bench: workload::RawBench,
    #[serde(default)]
    workload: Vec<workload::RawWorkload>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawAudit {
    #[serde(default)]
    accept: Vec<RawAccept>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAccept {
    rule: Spanned<String>,
    object: Option<String>,
    reason: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAfter {
    #[serde(default)]
    tenants: Vec<String>,
    tenants_query: Option<String>,
    #[serde(default = "default_after_rows")]
    rows_per_table: u64,
    #[serde(default)]
    rows: BTreeMap<String, u64>,
}

fn default_after_rows() -> u64 {
    100
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawQuery {
    name: String,
    table: Spanned<String>,
    sql: String,
    key: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawVerify {
    name: String,
    sql: String,
    expect: Option<toml::Value>,
}

#[derive(Deserialize, Clone, Copy, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
enum RawDistribution {
    #[default]
    Uniform,
    Zipf,
}

/// `"null"`, or a table with one of `values`, `range`, `template`.
#[derive(Deserialize)]
#[serde(untagged)]
enum RawOverride {
    Word(String),
    Spec(RawOverrideSpec),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOverrideSpec {
    values: Option<Vec<toml::Value>>,
    range: Option<[f64; 2]>,
    template: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawDatabase {
    #[serde(default)]
    supabase: bool,
    jwt_secret: Option<String>,
}

#[derive(Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
enum Via {
    JwtSub,
    JwtClaim,
    Setting,
    App,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIdentity {
    via: Spanned<Via>,
    #[serde(default = "default_role")]
    role: String,
    #[serde(default = "default_anon")]
    anon_role: String,
    claim: Option<String>,
    setting: Option<String>,
}

fn default_role() -> String {
    "authenticated".into()
}
fn default_anon() -> String {
    "anon".into()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawUsers {
    table: String,
    #[serde(default = "default_id")]
    id: String,
    #[serde(default = "default_email")]
    email: String,
    name: Option<String>,
    #[serde(default)]
    auth_users: bool,
}

fn default_id() -> String {
    "id".into()
}
fn default_email() -> String {
    "email".into()
}

#[derive(Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
enum GroupBy {
    EmailDomain,
    User,
    Single,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTenancy {
    column: String,
    group_by: Spanned<GroupBy>,
    #[serde(default)]
    shared_domains: Vec<String>,
    tenant: Option<String>,
    tenant_query: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTable {
    name: Spanned<String>,
    owner: Option<String>,
    #[serde(default)]
    columns: BTreeMap<String, Spanned<RawOverride>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawData {
    seed: u64,
    #[serde(default = "zero_spanned")]
    users: Spanned<usize>,
    #[serde(default = "zero_spanned")]
    shared_domain_users: Spanned<usize>,
    #[serde(default = "default_rows")]
    rows_per_table: u64,
    #[serde(default)]
    rows: BTreeMap<String, Spanned<u64>>,
    #[serde(default = "default_null_fraction")]
    null_fraction: Spanned<f64>,
    #[serde(default)]
    distribution: RawDistribution,
    #[serde(default = "default_zipf_s")]
    zipf_s: f64,
    #[serde(default = "default_concurrency")]
    concurrency: usize,
}

fn default_zipf_s() -> f64 {
    1.0
}
fn default_concurrency() -> usize {
    2
}

fn zero_spanned() -> Spanned<usize> {
    Spanned::new(0..0, 0)
}
fn default_rows() -> u64 {
    200
}
fn default_null_fraction() -> Spanned<f64> {
    Spanned::new(0..0, 0.1)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawChecks {
    #[serde(default = "default_isolation_users")]
    isolation_users: usize,
    #[serde(default = "default_search_cases")]
    search_cases: u32,
}

fn default_search_cases() -> u32 {
    256
}

impl Default for RawChecks {
    fn default() -> Self {
        RawChecks {
            isolation_users: default_isolation_users(),
            search_cases: default_search_cases(),
        }
    }
}

fn default_isolation_users() -> usize {
    6
}

/// 1-based line of byte offset `at` in `text`.
fn line_of(text: &str, at: usize) -> usize {
    text[..at.min(text.len())]
        .bytes()
        .filter(|b| *b == b'\n')
        .count()
        + 1
}

impl Scenario {
    /// Loads and validates the scenario folder `dir`.
    pub fn load(dir: impl AsRef<Path>) -> Result<Scenario> {
        let dir = dir.as_ref().to_path_buf();
        let toml_path = dir.join("scenario.toml");
        let text = std::fs::read_to_string(&toml_path).map_err(|e| Error::Scenario {
            file: toml_path.clone(),
            line: None,
            message: format!("cannot read: {e} (a scenario folder holds scenario.toml, before.sql and migrations/)"),
        })?;
        let fail = |span: Option<std::ops::Range<usize>>, message: String| Error::Scenario {
            file: toml_path.clone(),
            line: span.map(|s| line_of(&text, s.start)),
            message,
        };
        let raw: Raw =
            toml::from_str(&text).map_err(|e| fail(e.span(), e.message().to_string()))?;

        if *raw.version.get_ref() != 1 {
            return Err(fail(
                Some(raw.version.span()),
                format!(
                    "key `version`: unsupported version {}; this harness reads version 1",
                    raw.version.get_ref()
                ),
            ));
        }
        let mut audit_accept = Vec::new();
        for a in &raw.audit.accept {
            audit_accept.push(Accept {
                line: line_of(&text, a.rule.span().start),
                rule: a.rule.get_ref().clone(),
                object: a.object.clone(),
                reason: a.reason.clone(),
            });
        }
        let id = &raw.identity;
        let identity = match *id.via.get_ref() {
            Via::JwtSub => Identity::JwtSub { role: id.role.clone(), anon_role: id.anon_role.clone() },
            Via::JwtClaim => Identity::JwtClaim {
                claim: id.claim.clone().ok_or_else(|| fail(Some(id.via.span()), "key `identity.claim`: required when via = \"jwt_claim\" (the claim that carries the tenant)".into()))?,
                role: id.role.clone(),
                anon_role: id.anon_role.clone(),
            },
            Via::App => {
                if raw.queries.is_empty() {
                    return Err(fail(Some(id.via.span()), "key `identity.via`: \"app\" means the application filters in SQL; list its tenant-parameterised [[queries]] so there is something to check".into()));
                }
                Identity::App
            }
            Via::Setting => Identity::Setting {
                setting: id.setting.clone().ok_or_else(|| fail(Some(id.via.span()), "key `identity.setting`: required when via = \"setting\" (for example \"app.tenant_id\")".into()))?,
                role: id.role.clone(),
            },
        };
        let t = &raw.tenancy;
        let grouping = match *t.group_by.get_ref() {
            GroupBy::EmailDomain => {
                if t.shared_domains.is_empty() {
                    return Err(fail(
                        Some(t.group_by.span()),
                        "key `tenancy.shared_domains`: required when group_by = \"email_domain\""
                            .into(),
                    ));
                }
                Grouping::EmailDomain {
                    shared_domains: t
                        .shared_domains
                        .iter()
                        .map(|d| d.to_ascii_lowercase())
                        .collect(),
                }
            }
            GroupBy::User => Grouping::PerUser,
            GroupBy::Single => Grouping::Single {
                tenant: match (&t.tenant, &t.tenant_query) {
                    (Some(_), Some(_)) => {
                        return Err(fail(Some(t.group_by.span()), "keys `tenancy.tenant` and `tenancy.tenant_query`: give one of them, not both".into()))
                    }
                    (Some(v), None) => Some(ExpectedTenant::Literal(v.clone())),
                    (None, Some(q)) => Some(ExpectedTenant::Query(q.clone())),
                    (None, None) => None,
                },
            },
        };
        let d = &raw.data;
        if *d.users.get_ref() == 0 && raw.users.is_some() {
            return Err(fail(
                Some(d.users.span()),
                "key `data.users`: at least one user is needed".into(),
            ));
        }
        if d.shared_domain_users.get_ref() > d.users.get_ref() {
            return Err(fail(
                Some(d.shared_domain_users.span()),
                format!(
                    "key `data.shared_domain_users`: {} is more than data.users = {}",
                    d.shared_domain_users.get_ref(),
                    d.users.get_ref()
                ),
            ));
        }
        if !(0.0..=1.0).contains(d.null_fraction.get_ref()) {
            return Err(fail(
                Some(d.null_fraction.span()),
                "key `data.null_fraction`: must be between 0 and 1".into(),
            ));
        }
        if raw.tables.is_empty() {
            return Err(fail(
                None,
                "key `tables`: list at least one [[tables]] entry holding tenant data".into(),
            ));
        }
        let mut tables = Vec::new();
        for rt in &raw.tables {
            let mut overrides = Vec::new();
            for (column, spec) in &rt.columns {
                let bad = |what: &str| {
                    fail(
                        Some(spec.span()),
                        format!("key `tables.columns.{column}`: {what}"),
                    )
                };
                let o = match spec.get_ref() {
                    RawOverride::Word(w) if w == "null" => tenant_seed::plan::Override::Null,
                    RawOverride::Word(w) => return Err(bad(&format!("`{w}` is not a generator; use \"null\" or {{ values = [...] }}, {{ range = [lo, hi] }}, {{ template = \"...{{row}}...\" }}"))),
                    RawOverride::Spec(RawOverrideSpec { values: Some(v), range: None, template: None }) => {
                        tenant_seed::plan::Override::Values(v.iter().map(toml_text).collect())
                    }
                    RawOverride::Spec(RawOverrideSpec { values: None, range: Some([lo, hi]), template: None }) => tenant_seed::plan::Override::Range(*lo, *hi),
                    RawOverride::Spec(RawOverrideSpec { values: None, range: None, template: Some(t) }) => tenant_seed::plan::Override::Template(t.clone()),
                    RawOverride::Spec(_) => return Err(bad("give exactly one of `values`, `range`, `template`")),
                };
                overrides.push((column.clone(), o));
            }
            let sql = tenant_sql::Name::parse(rt.name.get_ref())
                .map_err(|e| fail(Some(rt.name.span()), format!("key `tables.name`: {e}")))?
                .sql();
            tables.push(TableSpec {
                name: rt.name.get_ref().clone(),
                sql,
                owner: rt.owner.clone(),
                line: line_of(&text, rt.name.span().start),
                overrides,
            });
        }
        for q in &raw.queries {
            if !tables.iter().any(|t| &t.name == q.table.get_ref()) {
                return Err(fail(
                    Some(q.table.span()),
                    format!(
                        "key `queries.table`: `{}` is not one of the scenario's [[tables]]",
                        q.table.get_ref()
                    ),
                ));
            }
        }
        if let Some(a) = &raw.after {
            if a.tenants.is_empty() == a.tenants_query.is_none() {
                return Err(fail(
                    None,
                    "section [after]: give `tenants` (a list) or `tenants_query`, exactly one"
                        .into(),
                ));
            }
        }
        for (name, rows) in &d.rows {
            if !tables.iter().any(|t| &t.name == name) {
                return Err(fail(
                    Some(rows.span()),
                    format!(
                        "key `data.rows.{name}`: `{name}` is not one of the scenario's [[tables]]"
                    ),
                ));
            }
        }
        if raw.users.is_none()
            && matches!(
                identity,
                Identity::JwtSub { .. } | Identity::JwtClaim { .. }
            )
        {
            return Err(fail(
                Some(raw.identity.via.span()),
                "section [users]: a JWT identity model impersonates users, so the scenario needs them".into(),
            ));
        }
        if raw.users.is_none() && !matches!(grouping, Grouping::Single { .. }) {
            return Err(fail(Some(t.group_by.span()), "section [users]: required unless tenancy.group_by = \"single\" (the grouping is stated over users)".into()));
        }
        if !matches!(grouping, Grouping::Single { .. }) {
            if let Some(t) = tables
                .iter()
                .find(|t| t.owner.is_none() && raw.users.as_ref().is_none_or(|u| t.name != u.table))
            {
                return Err(Error::Scenario {
                    file: toml_path.clone(),
                    line: Some(t.line),
                    message: format!("key `tables.owner`: table `{}` needs an owner column (who owned each row before the migration) unless tenancy.group_by = \"single\"", t.name),
                });
            }
        }

        // Files come from this folder, else from the base scenario's.
        let base_dir = match &raw.base {
            Some(b) => {
                let d = dir.join(b.get_ref());
                if !d.join("scenario.toml").is_file() {
                    return Err(fail(
                        Some(b.span()),
                        format!("key `base`: {} is not a scenario folder", d.display()),
                    ));
                }
                Some(d)
            }
            None => None,
        };
        let find = |name: &str| -> Option<PathBuf> {
            let own = dir.join(name);
            if own.exists() {
                return Some(own);
            }
            base_dir
                .as_ref()
                .map(|b| b.join(name))
                .filter(|p| p.exists())
        };
        let before = read_sql(&find("before.sql").unwrap_or_else(|| dir.join("before.sql")))?;
        let mut by_name: BTreeMap<std::ffi::OsString, PathBuf> = BTreeMap::new();
        let mut saw_folder = false;
        for folder in base_dir
            .iter()
            .map(|b| b.join("migrations"))
            .chain([dir.join("migrations")])
        {
            let Ok(entries) = std::fs::read_dir(&folder) else {
                continue;
            };
            saw_folder = true;
            for p in entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "sql"))
            {
                by_name.insert(p.file_name().expect("a file").to_os_string(), p);
            }
        }
        let mig_dir = dir.join("migrations");
        if !saw_folder {
            return Err(Error::Scenario {
                file: mig_dir,
                line: None,
                message: "cannot read the migrations folder".into(),
            });
        }
        if by_name.is_empty() {
            return Err(Error::Scenario {
                file: mig_dir,
                line: None,
                message: "no .sql files: the migration under test goes here".into(),
            });
        }
        let table_names: Vec<String> = tables.iter().map(|t| t.name.clone()).collect();
        let (bench, workload) = workload::build(
            &raw.bench,
            &raw.workload,
            &workload::Context {
                tables: &table_names,
                has_users: raw.users.is_some(),
            },
        )
        .map_err(|(span, message)| fail(span, message))?;
        let migrations = by_name
            .values()
            .map(|p| read_sql(p))
            .collect::<Result<Vec<_>>>()?;
        let optional = |name: &str| find(name).map(|p| read_sql(&p)).transpose();
        let seed_sql = optional("seed.sql")?;
        let after_sql = optional("after.sql")?;
        let rollback = optional("rollback.sql")?;

        Ok(Scenario {
            name: raw.name,
            description: raw.description,
            supabase: raw.database.supabase,
            jwt_secret: raw.database.jwt_secret,
            identity,
            users: raw.users.map(|u| UsersSpec {
                sql: tenant_sql::Name::parse(&u.table)
                    .map_or_else(|_| tenant_sql::ident(&u.table), |n| n.sql()),
                table: u.table,
                id: u.id,
                email: u.email,
                name: u.name,
                auth_users: u.auth_users,
            }),
            tenancy: Tenancy {
                column: raw.tenancy.column,
                grouping,
            },
            tables,
            data: DataSpec {
                seed: d.seed,
                users: *d.users.get_ref(),
                shared_domain_users: *d.shared_domain_users.get_ref(),
                rows_per_table: d.rows_per_table,
                rows: d
                    .rows
                    .iter()
                    .map(|(k, v)| (k.clone(), *v.get_ref()))
                    .collect(),
                null_fraction: *d.null_fraction.get_ref(),
                distribution: match d.distribution {
                    RawDistribution::Uniform => tenant_seed::layout::Distribution::Uniform,
                    RawDistribution::Zipf => {
                        tenant_seed::layout::Distribution::Zipf { s: d.zipf_s }
                    }
                },
                concurrency: d.concurrency.max(1),
            },
            after: raw.after.map(|a| AfterSpec {
                tenants: a.tenants,
                tenants_query: a.tenants_query,
                rows_per_table: a.rows_per_table,
                rows: a.rows,
            }),
            queries: raw
                .queries
                .into_iter()
                .map(|q| QuerySpec {
                    name: q.name,
                    table: q.table.into_inner(),
                    sql: q.sql,
                    key: q.key,
                })
                .collect(),
            verify: raw
                .verify
                .into_iter()
                .map(|v| VerifySpec {
                    name: v.name,
                    sql: v.sql,
                    expect: v.expect.as_ref().map(toml_text),
                })
                .collect(),
            bench,
            workload,
            seed_sql,
            after_sql,
            audit_accept,
            checks: ChecksSpec {
                isolation_users: raw.checks.isolation_users.max(2),
                search_cases: raw.checks.search_cases,
            },
            before,
            migrations,
            rollback,
            dir,
        })
    }

    /// Leaves out the migration file named `name` (a test states "the plan
    /// without its fix" this way). Panics if there is no such file, so a
    /// renamed file cannot turn the test into a no-op.
    pub fn without_migration(mut self, name: &str) -> Scenario {
        let before = self.migrations.len();
        self.migrations.retain(|m| m.name() != name);
        assert_eq!(
            self.migrations.len() + 1,
            before,
            "scenario {} has no migration {name}",
            self.name
        );
        self
    }

    /// Adds a migration file after the scenario's own, as if it were the
    /// last file of `migrations/`: how a test states a variant of a
    /// migration without copying the scenario.
    pub fn with_migration(mut self, name: &str, sql: &str) -> Scenario {
        self.migrations.push(SqlFile {
            path: self.dir.join("migrations").join(name),
            sql: sql.to_string(),
        });
        self
    }

    /// The scenario.toml path, for messages.
    pub fn toml_path(&self) -> PathBuf {
        self.dir.join("scenario.toml")
    }
}

/// A TOML scalar as the text SQL would print it.
fn toml_text(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn read_sql(path: &Path) -> Result<SqlFile> {
    let sql = std::fs::read_to_string(path).map_err(|e| Error::Scenario {
        file: path.to_path_buf(),
        line: None,
        message: format!("cannot read: {e}"),
    })?;
    Ok(SqlFile {
        path: path.to_path_buf(),
        sql,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, toml: &str) {
        std::fs::create_dir_all(dir.join("migrations")).unwrap();
        std::fs::write(dir.join("scenario.toml"), toml).unwrap();
        std::fs::write(dir.join("before.sql"), "create table t(id int);").unwrap();
        std::fs::write(dir.join("migrations/001.sql"), "select 1;").unwrap();
    }

    const GOOD: &str = r#"
version = 1
name = "s"
[identity]
via = "jwt_sub"
[users]
table = "profiles"
[tenancy]
column = "tenant_id"
group_by = "email_domain"
shared_domains = ["Example.com"]
[[tables]]
name = "clients"
owner = "org_id"
[data]
seed = 1
users = 4
shared_domain_users = 2
"#;

    #[test]
    fn a_good_scenario_loads_with_defaults() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), GOOD);
        let s = Scenario::load(dir.path()).unwrap();
        assert_eq!(
            s.identity,
            Identity::JwtSub {
                role: "authenticated".into(),
                anon_role: "anon".into()
            }
        );
        assert_eq!(
            s.tenancy.grouping,
            Grouping::EmailDomain {
                shared_domains: vec!["example.com".into()]
            }
        );
        assert_eq!(s.data.rows_for("clients"), 200);
        assert_eq!(s.migrations.len(), 1);
    }

    #[test]
    fn a_misspelled_key_is_reported_with_its_line() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), &GOOD.replace("group_by", "grup_by"));
        let err = Scenario::load(dir.path()).unwrap_err();
        let msg = err.to_string();
        assert!(
            matches!(err, Error::Scenario { line: Some(10), .. }),
            "{msg}"
        );
        assert!(
            msg.contains("scenario.toml:10") && msg.contains("grup_by"),
            "{msg}"
        );
        assert_eq!(err.exit_code(), crate::error::exit::USAGE);
    }

    #[test]
    fn a_jwt_model_without_users_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let single = GOOD
            .replace("[users]\ntable = \"profiles\"\n", "")
            .replace(
                "group_by = \"email_domain\"\nshared_domains = [\"Example.com\"]",
                "group_by = \"single\"",
            )
            .replace("owner = \"org_id\"\n", "");
        write(dir.path(), &single);
        let msg = Scenario::load(dir.path()).unwrap_err().to_string();
        assert!(msg.contains("[users]") && msg.contains(":5:"), "{msg}");
        write(
            dir.path(),
            &single.replace(
                "via = \"jwt_sub\"",
                "via = \"setting\"\nsetting = \"app.tenant_id\"\nrole = \"app\"",
            ),
        );
        assert!(
            Scenario::load(dir.path()).is_ok(),
            "a setting model needs no users"
        );
    }

    #[test]
    fn semantic_errors_name_key_and_line() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            &GOOD.replace("shared_domain_users = 2", "shared_domain_users = 9"),
        );
        let msg = Scenario::load(dir.path()).unwrap_err().to_string();
        assert!(
            msg.contains(":18:") && msg.contains("data.shared_domain_users"),
            "{msg}"
        );

        write(dir.path(), &GOOD.replace("owner = \"org_id\"\n", ""));
        let msg = Scenario::load(dir.path()).unwrap_err().to_string();
        assert!(msg.contains(":13:") && msg.contains("owner"), "{msg}");
    }
}
