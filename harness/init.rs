//! `tenant-harness init`: a scenario folder from a project's migrations
//! folder, so a team starts from its own schema instead of a blank file.
//!
//! What can be read is read: the split between the schema as it is and
//! the migration under test (the first file that adds the tenant column),
//! the tenant column, Supabase or not, how identity reaches the database
//! (`auth.uid()`, a session setting), the users table and the column that
//! owned rows before (from the catalog of a throw-away database with the
//! pre-migration files applied), and how users were grouped into tenants
//! (from the backfill). What cannot be read is asked through [`Ask`]; with
//! no one to ask, the error names the flag that answers it.

use crate::error::{Error, Result};
use crate::provision::{self, Options};
use regex::Regex;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// What `init` may be told instead of inferring.
#[derive(Debug, Clone, Default)]
pub struct InitOptions {
    /// The migrations folder.
    pub migrations: PathBuf,
    /// The scenario folder to write.
    pub out: Option<PathBuf>,
    /// The scenario's name.
    pub name: Option<String>,
    /// First file of the migration under test.
    pub split_at: Option<String>,
    /// The tenant column.
    pub tenant_column: Option<String>,
    /// The pre-migration owner column.
    pub owner_column: Option<String>,
    /// `user`, `email_domain` or `single`.
    pub group_by: Option<String>,
    /// Overwrite an existing folder.
    pub force: bool,
}

/// Asks a person for what could not be inferred.
pub trait Ask {
    /// Picks one of `choices` (index); `flag` is the option that answers it without asking.
    fn choose(&mut self, question: &str, choices: &[String], flag: &str) -> Result<usize>;
}

/// Nobody to ask (CI, `--no-input`): every question is an error naming its flag.
pub struct NoInput;

impl Ask for NoInput {
    fn choose(&mut self, question: &str, choices: &[String], flag: &str) -> Result<usize> {
        Err(Error::Usage(format!(
            "{question} (could not be inferred; pass {flag}, one of: {})",
            choices.join(", ")
        )))
    }
}

/// What `init` wrote and what it inferred, for the person to review.
#[derive(Debug, Clone)]
pub struct Scaffold {
    /// The scenario folder.
    pub dir: PathBuf,
    /// One line per decision: what, from where.
    pub decisions: Vec<String>,
}

/// The migration files of `dir`, in the order they are applied (by name).
/// How many `ADD COLUMN` statements add each column (lower-cased), over all files.
fn added_columns(sql: &str) -> BTreeMap<String, usize> {
    let add_col = Regex::new(r"(?i)ADD\s+COLUMN\s+(?:IF\s+NOT\s+EXISTS\s+)?([a-z_][a-z0-9_]*)")
        .expect("regex");
    let mut added: BTreeMap<String, usize> = BTreeMap::new();
    for c in add_col.captures_iter(sql) {
        *added.entry(c[1].to_ascii_lowercase()).or_default() += 1;
    }
    added
}

/// The added columns whose name holds `tenant`, most often added first.
fn tenant_candidates(added: &BTreeMap<String, usize>) -> Vec<(&String, &usize)> {
    let mut cands: Vec<(&String, &usize)> =
        added.iter().filter(|(c, _)| c.contains("tenant")).collect();
    cands.sort_by_key(|(_, n)| std::cmp::Reverse(**n));
    cands
}

/// The first file that adds `tenant_column` or creates the tenants table:
/// where the migration under test starts.
fn first_tenant_file(files: &[(String, String)], tenant_column: &str) -> Option<usize> {
    let starts = Regex::new(&format!(
        r"(?i)(ADD\s+COLUMN\s+(?:IF\s+NOT\s+EXISTS\s+)?{col}\b|CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?(?:public\.)?tenants\b)",
        col = regex::escape(tenant_column)
    ))
    .expect("regex");
    files.iter().position(|(_, s)| starts.is_match(s))
}

/// How identity reaches the database, as the policies read it.
#[derive(Debug, PartialEq, Eq)]
enum Via {
    /// `auth.uid()` (Supabase, the token's `sub`).
    JwtSub,
    /// A session setting the migration's policies read.
    Setting(String),
    /// No policy reads an identity: the application filters.
    App,
}

fn identity_of(all_sql: &str, migration_sql: &str) -> Via {
    let setting = Regex::new(r"current_setting\(\s*'([a-z_]+\.[a-z_]+)'").expect("regex");
    if all_sql.contains("auth.uid()") {
        Via::JwtSub
    } else if let Some(c) = setting.captures(migration_sql) {
        Via::Setting(c[1].to_string())
    } else {
        Via::App
    }
}

/// How a backfill visibly groups users by e-mail domain.
#[derive(Debug, PartialEq, Eq)]
enum Grouped {
    /// `split_part(email, '@', 2)`.
    SplitPart,
    /// `email LIKE '%@domain'`.
    LikeDomain,
}

fn like_domain() -> Regex {
    Regex::new(r"(?i)LIKE\s+'%@([a-z0-9-]+(?:\.[a-z0-9-]+)+)'").expect("regex")
}

/// Whether the backfill groups users by e-mail domain, and how it shows.
fn backfill_grouping(migration_sql: &str) -> Option<Grouped> {
    if migration_sql.contains("split_part") && migration_sql.contains("'@'") {
        Some(Grouped::SplitPart)
    } else if like_domain().is_match(migration_sql) {
        Some(Grouped::LikeDomain)
    } else {
        None
    }
}

/// The e-mail domains the backfill names (whose users share a tenant), sorted.
fn shared_domains(migration_sql: &str) -> Vec<String> {
    let domain = Regex::new(r"'@?([a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,})'").expect("regex");
    let like = like_domain();
    let mut d: Vec<String> = domain
        .captures_iter(migration_sql)
        .chain(like.captures_iter(migration_sql))
        .map(|c| c[1].to_ascii_lowercase())
        .collect();
    d.sort();
    d.dedup();
    d
}

/// `text` as a TOML string value, escaped by the `toml` serializer (names
/// with quotes or backslashes stay names).
fn value(text: &str) -> String {
    toml::Value::String(text.to_string()).to_string()
}

fn sql_files(dir: &Path) -> Result<Vec<(String, String)>> {
    let entries = std::fs::read_dir(dir).map_err(|source| Error::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "sql"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).map_err(|source| Error::Io {
                path: p.clone(),
                source,
            })?;
            Ok((p.file_name().unwrap().to_string_lossy().into_owned(), text))
        })
        .collect()
}

/// Writes a scenario for `opts.migrations`, reading the pre-migration
/// schema on a server from `server`, asking `ask` for what it cannot infer.
pub async fn scaffold(opts: &InitOptions, server: &Options, ask: &mut dyn Ask) -> Result<Scaffold> {
    let files = sql_files(&opts.migrations)?;
    if files.is_empty() {
        return Err(Error::Usage(format!(
            "{}: no .sql files; pass the folder holding the migrations (e.g. supabase/migrations)",
            opts.migrations.display()
        )));
    }
    let all_sql: String = files
        .iter()
        .map(|(_, s)| s.as_str())
        .collect::<Vec<_>>()
        .join("\n");
    let mut decisions = Vec::new();

    // The tenant column: the column added to the most tables, named *tenant*.
    let added = added_columns(&all_sql);
    let tenant_column = match &opts.tenant_column {
        Some(c) => c.clone(),
        None => {
            let cands = tenant_candidates(&added);
            match cands.first() {
                Some((c, n)) => {
                    decisions.push(format!(
                        "tenant column `{c}`: added to {n} tables by the migrations"
                    ));
                    (*c).clone()
                }
                None => {
                    let choices: Vec<String> = added.keys().cloned().collect();
                    if choices.is_empty() {
                        return Err(Error::Usage(
                            "no migration adds a column; pass --tenant-column".into(),
                        ));
                    }
                    let i = ask.choose(
                        "Which column holds the tenant?",
                        &choices,
                        "--tenant-column",
                    )?;
                    choices[i].clone()
                }
            }
        }
    };

    // The split: the first file that adds the tenant column (or creates the tenants table).
    let split = match &opts.split_at {
        Some(f) => files.iter().position(|(n, _)| n == f).ok_or_else(|| {
            Error::Usage(format!(
                "--split-at {f}: no such file in {}",
                opts.migrations.display()
            ))
        })?,
        None => {
            let i = first_tenant_file(&files, &tenant_column).ok_or_else(|| {
                Error::Usage(format!(
                    "no file in {} adds `{tenant_column}` or creates `tenants`; pass --split-at FILE",
                    opts.migrations.display()
                ))
            })?;
            decisions.push(format!(
                "migration under test: {} and the {} file(s) after it (the first to add `{tenant_column}`); {} earlier file(s) become before.sql",
                files[i].0,
                files.len() - i - 1,
                i
            ));
            i
        }
    };
    let (before, migration) = files.split_at(split);
    let migration_sql: String = migration
        .iter()
        .map(|(_, s)| s.as_str())
        .collect::<Vec<_>>()
        .join("\n");

    // Supabase and identity.
    let supabase = opts
        .migrations
        .components()
        .any(|c| c.as_os_str() == "supabase")
        || all_sql.contains("auth.uid()")
        || all_sql.contains("auth.users");
    let identity = match identity_of(&all_sql, &migration_sql) {
        Via::JwtSub => {
            decisions.push("identity: jwt_sub (policies call auth.uid())".into());
            "via = \"jwt_sub\"\nrole = \"authenticated\"\nanon_role = \"anon\"".to_string()
        }
        Via::Setting(name) => {
            decisions.push(format!(
                "identity: the session setting `{name}` (read by the policies)"
            ));
            format!("via = \"setting\"\nsetting = {}\nrole = \"app_user\"   # the role the application connects as: check it", value(&name))
        }
        Via::App => {
            decisions.push(
                "identity: app (no policy reads an identity; the application filters)".into(),
            );
            "via = \"app\"".to_string()
        }
    };

    // The schema before the migration, read from a throw-away database.
    let db = provision::provision(server).await?;
    let c = db.connect().await?;
    if supabase {
        crate::supabase::install(&c).await?;
    }
    for (name, sql) in before {
        c.batch_execute(sql).await.map_err(|e| Error::Statement {
            file: opts.migrations.join(name),
            line: 1,
            statement: sql.lines().next().unwrap_or_default().to_string(),
            message: tenant_seed::describe(&e),
            hint: Some("init applies the files before the migration under test to read the schema; fix the file or pass --split-at".into()),
            is_migration: false,
        })?;
    }
    let rows = c
        .query(
            "SELECT c.relname::text, array_agg(a.attname::text ORDER BY a.attnum)
               FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
               JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
              WHERE n.nspname = 'public' AND c.relkind = 'r'
                AND EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conrelid = c.oid AND k.contype = 'p')
              GROUP BY c.relname ORDER BY c.relname",
            &[],
        )
        .await
        .map_err(Error::db("reading the pre-migration tables"))?;
    let tables: Vec<(String, Vec<String>)> = rows.iter().map(|r| (r.get(0), r.get(1))).collect();
    let auth_users: Option<String> = if supabase {
        c.query_opt(
            "SELECT c.relname::text FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid
              WHERE k.contype = 'f' AND k.confrelid = 'auth.users'::regclass
                AND c.relnamespace = 'public'::regnamespace
                AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'email')
              ORDER BY (c.relname IN ('profiles', 'users')) DESC, c.relname LIMIT 1",
            &[],
        )
        .await
        .map_err(Error::db("looking for the users table"))?
        .map(|r| r.get(0))
    } else {
        None
    };
    drop(c);
    drop(db);

    let users_table = auth_users.or_else(|| {
        tables
            .iter()
            .find(|(t, cols)| {
                (t == "users" || t == "profiles") && cols.iter().any(|c| c == "email")
            })
            .map(|(t, _)| t.clone())
    });
    if let Some(u) = &users_table {
        decisions.push(format!("users: table `{u}`"));
    }

    // Who owned rows before: the column most tables share among the usual names.
    let owner = match &opts.owner_column {
        Some(o) => Some(o.clone()),
        None => {
            let mut count: BTreeMap<&str, usize> = BTreeMap::new();
            for (_, cols) in &tables {
                for c in cols {
                    if [
                        "org_id",
                        "user_id",
                        "owner_id",
                        "account_id",
                        "organization_id",
                        "created_by",
                    ]
                    .contains(&c.as_str())
                    {
                        *count.entry(c).or_default() += 1;
                    }
                }
            }
            let best = count
                .iter()
                .max_by_key(|(_, n)| **n)
                .map(|(c, n)| (c.to_string(), *n));
            if let Some((c, n)) = &best {
                decisions.push(format!(
                    "owner column `{c}`: on {n} of {} tables",
                    tables.len()
                ));
            }
            best.map(|(c, _)| c)
        }
    };

    // How the backfill grouped users into tenants.
    let group_by = match (&opts.group_by, backfill_grouping(&migration_sql)) {
        (Some(g), _) => g.clone(),
        (None, Some(Grouped::SplitPart)) => {
            decisions.push(
                "grouping: email_domain (the backfill splits e-mail addresses at '@')".into(),
            );
            "email_domain".into()
        }
        (None, Some(Grouped::LikeDomain)) => {
            decisions.push("grouping: email_domain (the backfill matches e-mail domains with LIKE '%@…'; everyone else gets a tenant of their own)".into());
            "email_domain".into()
        }
        (None, None) if owner.is_none() || users_table.is_none() => {
            decisions.push("grouping: single (no owner column or users table: all existing rows belong to one tenant)".into());
            "single".into()
        }
        (None, None) => {
            let choices = vec![
                "user".to_string(),
                "email_domain".to_string(),
                "single".to_string(),
            ];
            let i = ask.choose(
                "How does the migration group existing users into tenants? (user: one tenant per user; email_domain: one per e-mail domain; single: everything into one tenant)",
                &choices,
                "--group-by",
            )?;
            choices[i].clone()
        }
    };
    let shared: Vec<String> = if group_by == "email_domain" {
        shared_domains(&migration_sql)
    } else {
        Vec::new()
    };
    let single_tenant = Regex::new(&format!(
        r"(?i){col}\s+[a-z ()0-9]*DEFAULT\s+'([^']+)'",
        col = regex::escape(&tenant_column)
    ))
    .expect("regex")
    .captures(&migration_sql)
    .map(|c| c[1].to_string());

    // The files.
    let name = opts.name.clone().unwrap_or_else(|| {
        std::env::current_dir()
            .ok()
            .and_then(|d| d.file_name().map(|n| n.to_string_lossy().into_owned()))
            .unwrap_or_else(|| "my-migration".into())
    });
    let dir = opts
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("tenant-harness").join(&name));
    if dir.join("scenario.toml").exists() && !opts.force {
        return Err(Error::Usage(format!(
            "{} already holds a scenario; pass --force to overwrite it or --out DIR",
            dir.display()
        )));
    }
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| Error::Io { path, source }
    };
    std::fs::create_dir_all(dir.join("migrations")).map_err(io(&dir))?;
    let mut before_sql =
        String::from("-- The schema before the migration under test, as init found it.\n");
    for (n, s) in before {
        let _ = write!(before_sql, "\n-- from {n}\n{s}\n");
    }
    let path = dir.join("before.sql");
    std::fs::write(&path, before_sql).map_err(io(&path))?;
    for (n, s) in migration {
        let path = dir.join("migrations").join(n);
        std::fs::write(&path, s).map_err(io(&path))?;
    }

    let mut toml = String::new();
    let _ = writeln!(
        toml,
        "# Written by `tenant-harness init` from {}.",
        opts.migrations.display()
    );
    let _ = writeln!(toml, "# What it inferred (check each line):");
    for d in &decisions {
        let _ = writeln!(toml, "#   - {d}");
    }
    let _ = writeln!(toml, "version = 1\nname = {}\n", value(&name));
    if supabase {
        let _ = writeln!(toml, "[database]\nsupabase = true\n");
    }
    let _ = writeln!(toml, "[identity]\n{identity}\n");
    if let (Some(u), true) = (&users_table, group_by != "single") {
        let _ = writeln!(
            toml,
            "[users]\ntable = {}\nid = \"id\"\nemail = \"email\"",
            value(u)
        );
        if supabase {
            let _ = writeln!(toml, "auth_users = true");
        }
        let _ = writeln!(toml);
    }
    let _ = writeln!(
        toml,
        "[tenancy]\ncolumn = {}\ngroup_by = {}",
        value(&tenant_column),
        value(&group_by)
    );
    match group_by.as_str() {
        "email_domain" => {
            let quoted: Vec<String> = shared.iter().map(|d| value(d)).collect();
            let _ = writeln!(
                toml,
                "shared_domains = [{}]   # domains whose users share one tenant",
                quoted.join(", ")
            );
        }
        "single" => match &single_tenant {
            Some(t) => {
                let _ = writeln!(toml, "tenant = {}", value(t));
            }
            None => {
                let _ = writeln!(toml, "tenant_query = \"SELECT id::text FROM public.tenants ORDER BY 1 LIMIT 1\"   # the tenant every existing row goes to: check it");
            }
        },
        _ => {}
    }
    let _ = writeln!(toml);
    let mut skipped = Vec::new();
    for (t, cols) in &tables {
        if t == "tenants" {
            continue;
        }
        let is_users = users_table.as_deref() == Some(t.as_str());
        let owned = owner.as_ref().filter(|o| cols.contains(o));
        if group_by != "single" && !is_users && owned.is_none() {
            skipped.push(t.clone());
            continue;
        }
        let _ = writeln!(toml, "[[tables]]\nname = {}", value(t));
        if let (Some(o), false) = (owned, is_users || group_by == "single") {
            let _ = writeln!(toml, "owner = {}", value(o));
        }
        let _ = writeln!(toml);
    }
    if !skipped.is_empty() {
        let _ = writeln!(
            toml,
            "# Not listed: no owner column, so who owned their rows is unknown: {}\n",
            skipped.join(", ")
        );
        decisions.push(format!(
            "left out (no owner column): {}",
            skipped.join(", ")
        ));
    }
    let seed: u64 = rand::random::<u32>() as u64;
    let _ = writeln!(
        toml,
        "[data]\nseed = {seed}\nusers = 20\nrows_per_table = 200\ndistribution = \"zipf\"\n\n[checks]\nisolation_users = 6"
    );
    let path = dir.join("scenario.toml");
    std::fs::write(&path, toml).map_err(io(&path))?;
    // What was written must load; if not, say so now rather than at `run`.
    crate::Scenario::load(&dir)?;
    Ok(Scaffold { dir, decisions })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tenant_column_is_the_tenant_named_column_added_most() {
        let sql = "ALTER TABLE a ADD COLUMN tenant_id uuid; ALTER TABLE b ADD COLUMN IF NOT EXISTS TENANT_ID uuid;\n\
                   alter table c add column legacy_tenant text; ALTER TABLE d ADD COLUMN note text;";
        let added = added_columns(sql);
        assert_eq!(added["tenant_id"], 2);
        let cands = tenant_candidates(&added);
        assert_eq!(cands[0].0, "tenant_id");
        assert_eq!(cands.len(), 2, "note is no candidate");
    }

    #[test]
    fn the_split_is_the_first_file_that_adds_the_tenant_or_creates_tenants() {
        let files = |v: &[&str]| -> Vec<(String, String)> {
            v.iter()
                .enumerate()
                .map(|(i, s)| (format!("{i}.sql"), s.to_string()))
                .collect()
        };
        let f = files(&[
            "CREATE TABLE x (id int)",
            "CREATE TABLE IF NOT EXISTS public.tenants (id uuid)",
            "ALTER TABLE x ADD COLUMN tenant_id uuid",
        ]);
        assert_eq!(first_tenant_file(&f, "tenant_id"), Some(1));
        let f = files(&[
            "CREATE TABLE x (id int)",
            "ALTER TABLE x ADD COLUMN tenant_id_old int",
            "ALTER TABLE x ADD COLUMN tenant_id uuid",
        ]);
        assert_eq!(
            first_tenant_file(&f, "tenant_id"),
            Some(2),
            "a longer name is another column"
        );
        assert_eq!(first_tenant_file(&f, "org_id"), None);
    }

    #[test]
    fn identity_follows_what_the_policies_read() {
        assert_eq!(identity_of("USING (org_id = auth.uid())", ""), Via::JwtSub);
        assert_eq!(
            identity_of(
                "x",
                "USING (tenant_id = current_setting('app.tenant_id')::uuid)"
            ),
            Via::Setting("app.tenant_id".into())
        );
        assert_eq!(identity_of("SELECT 1", "SELECT 1"), Via::App);
    }

    #[test]
    fn a_backfill_by_email_domain_is_recognised_with_its_domains() {
        let split = "UPDATE profiles SET tenant_id = t.id FROM tenants t WHERE t.domain = split_part(email, '@', 2) AND t.domain = 'myroihome.com'";
        assert_eq!(backfill_grouping(split), Some(Grouped::SplitPart));
        assert_eq!(shared_domains(split), ["myroihome.com"]);
        let like = "WHERE email LIKE '%@Acme.example.org' OR email LIKE '%@b.io'";
        assert_eq!(backfill_grouping(like), Some(Grouped::LikeDomain));
        assert_eq!(shared_domains(like), ["acme.example.org", "b.io"]);
        assert_eq!(backfill_grouping("UPDATE t SET tenant_id = owner_id"), None);
    }

    #[test]
    fn toml_values_are_escaped_by_the_serializer() {
        let v = value("o'brien \"notes\"\\x");
        let parsed: toml::Value = toml::from_str(&format!("k = {v}")).unwrap();
        assert_eq!(parsed["k"].as_str(), Some("o'brien \"notes\"\\x"));
    }
}
