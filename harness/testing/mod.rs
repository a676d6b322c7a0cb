//! A fresh, seeded and migrated database per test, in a fraction of a
//! second: the scenario is loaded, seeded and migrated once into a
//! *template* database, and every test gets its own copy
//! (`CREATE DATABASE … TEMPLATE`), dropped when the test's [`Harness`] is.
//!
//! The template is named after a hash of everything that shapes its data
//! (scenario.toml, every SQL file, the seed, this crate's version), so it is
//! rebuilt only when one of those changes:
//! - on a server given by `DATABASE_URL` (`--backend url`) the template
//!   stays on the server between runs, closed to connections, and the next
//!   run starts copying at once; older templates of the same scenario are
//!   dropped when a new one is built;
//! - with the local or docker backend the server lives as long as the test
//!   binary, so the template is built once per binary and everything is
//!   removed when it exits.
//!
//! ```no_run
//! use tenant_harness::testing::TestDatabases;
//!
//! #[tokio::test]
//! async fn members_see_only_their_tenant() {
//!     let dbs = TestDatabases::get("scenarios/supabase-org-to-tenant").await.unwrap();
//!     let mut h = dbs.harness().await.unwrap(); // a copy of its own, ~0.1 s
//!     h.assert_isolated().await;
//! }
//! ```

pub mod bench;

use crate::error::{Error, Result};
use crate::pipeline::TemplateState;
use crate::provision::{self, Database};
use crate::{Harness, HarnessBuilder};
use md5::{Digest, Md5};
use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, LazyLock, Mutex};
use std::time::Instant;
use tokio::sync::OnceCell;

/// Templates built (or found) by this process, by key.
type Cache = Mutex<HashMap<String, Arc<OnceCell<Arc<Template>>>>>;
static TEMPLATES: LazyLock<Cache> = LazyLock::new(|| Mutex::new(HashMap::new()));

/// Where a template lives and what is known about its data.
struct Template {
    /// Any database on the template's server, to create copies beside it.
    anchor: Database,
    name: String,
    state: TemplateState,
    /// Time to build the template, or to find it (a later run).
    prepared_ms: f64,
    reused: bool,
}

/// The template of one scenario; [`TestDatabases::harness`] hands out copies.
#[derive(Clone)]
pub struct TestDatabases {
    builder: HarnessBuilder,
    template: Arc<Template>,
}

impl TestDatabases {
    /// The template of the scenario in `dir`, with options from the
    /// environment (`TENANT_HARNESS_BACKEND`, `DATABASE_URL`, …): built on
    /// first use, shared by every test of the binary after that.
    pub async fn get(dir: impl AsRef<Path>) -> Result<TestDatabases> {
        TestDatabases::for_builder(Harness::builder(dir)?).await
    }

    /// The template of `builder`'s scenario, seed and options (a variant
    /// made with [`HarnessBuilder::migration`] gets a template of its own).
    pub async fn for_builder(builder: HarnessBuilder) -> Result<TestDatabases> {
        let key = key(&builder)?;
        let cell = TEMPLATES
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry(key.clone())
            .or_default()
            .clone();
        let template = cell
            .get_or_try_init(|| async { prepare(&builder, &key).await.map(Arc::new) })
            .await?
            .clone();
        Ok(TestDatabases { builder, template })
    }

    /// A harness on a fresh copy of the template: seeded, migrated, ready
    /// for [`Harness::check`], [`Harness::actor`] and the rest; the copy is
    /// dropped with the harness. The rollback proof is not available on a copy.
    pub async fn harness(&self) -> Result<Harness> {
        let t = &self.template;
        let name = provision::run_database_name();
        let db = t.anchor.create_from(&name, &t.name, "").await?;
        Harness::from_template(self.builder.clone(), db, t.state.clone()).await
    }

    /// The template database's name (`tenant_harness_tpl_` and the key).
    pub fn template_name(&self) -> &str {
        &self.template.name
    }

    /// Milliseconds this process spent building the template, or finding
    /// it on the server, and whether it was found (built by an earlier run).
    pub fn prepared(&self) -> (f64, bool) {
        (self.template.prepared_ms, self.template.reused)
    }
}

/// The template's key: a hash of the scenario's files, the seed and this
/// crate's version; 16 hex digits.
fn key(builder: &HarnessBuilder) -> Result<String> {
    let s = builder.scenario();
    let mut h = Md5::new();
    h.update(env!("CARGO_PKG_VERSION"));
    let toml = s.toml_path();
    let text = std::fs::read(&toml).map_err(|source| Error::Io { path: toml, source })?;
    h.update(&text);
    h.update(builder.effective_seed().to_le_bytes());
    let files = std::iter::once(&s.before)
        .chain(&s.migrations)
        .chain(&s.seed_sql)
        .chain(&s.after_sql);
    for f in files {
        h.update(f.name());
        h.update([0]);
        h.update(&f.sql);
        h.update([0]);
    }
    let digest = h.finalize();
    Ok(digest[..8].iter().map(|b| format!("{b:02x}")).collect())
}

/// Finds the template on the server (url backend, an earlier run) or builds it.
async fn prepare(builder: &HarnessBuilder, key: &str) -> Result<Template> {
    let t = Instant::now();
    let prefix = format!(
        "tenant_harness_tpl_{}_",
        short_name(&builder.scenario().name)
    );
    let name = format!("{prefix}{key}");
    let anchor = provision::provision(builder.provision_options()).await?;
    let admin = anchor.maintenance().await?;
    // Two test binaries may start at once: one builds, the other waits and reuses.
    let lock = i64::from_str_radix(&key[..15], 16).unwrap_or_default();
    admin
        .execute("SELECT pg_advisory_lock($1)", &[&lock])
        .await
        .map_err(Error::db("locking the template"))?;
    let found = admin
        .query_opt("SELECT 1 FROM pg_database WHERE datname = $1", &[&name])
        .await
        .map_err(Error::db("looking for the template"))?
        .is_some();
    let result = if found {
        read_state(&anchor, &name).await.map(|state| (state, true))
    } else {
        build(builder, &anchor, &admin, &prefix, &name)
            .await
            .map(|state| (state, false))
    };
    let _ = admin
        .execute("SELECT pg_advisory_unlock($1)", &[&lock])
        .await;
    let (state, reused) = result?;
    // The server (or, with the url backend, the anchor database) must
    // outlive every test of the binary; it goes at exit.
    let holder = anchor.handle();
    provision::cleanup::keep_until_exit(anchor);
    let anchor = holder;
    Ok(Template {
        anchor,
        name,
        state,
        prepared_ms: t.elapsed().as_secs_f64() * 1000.0,
        reused,
    })
}

/// Seeds and migrates a new database, stores what the checks need to know
/// inside it, renames it to `name` and closes it to connections.
async fn build(
    builder: &HarnessBuilder,
    anchor: &Database,
    admin: &tokio_postgres::Client,
    prefix: &str,
    name: &str,
) -> Result<TemplateState> {
    let mut b = builder.clone();
    b.rollback_copy = false;
    let work = anchor.sibling("template").await?;
    let work_name = work.name.clone();
    let harness = b.start_on(work, Instant::now()).await?;
    let state = harness.template_state();
    {
        let c = harness.admin();
        let json = serde_json::to_string(&state).expect("state serialises");
        c.batch_execute(&format!(
            "CREATE TABLE {s}.template_state (state jsonb NOT NULL)",
            s = crate::core::names::HARNESS_SCHEMA
        ))
        .await
        .map_err(Error::db("storing the template's state"))?;
        c.execute(
            &format!(
                "INSERT INTO {}.template_state VALUES ($1::text::jsonb)",
                crate::core::names::HARNESS_SCHEMA
            ),
            &[&json],
        )
        .await
        .map_err(Error::db("storing the template's state"))?;
    }
    let db = harness.into_template();
    // Older templates of this scenario are stale now.
    let stale: Vec<String> = admin
        .query(
            "SELECT datname FROM pg_database WHERE starts_with(datname, $1) AND datname <> $2",
            &[&prefix, &name],
        )
        .await
        .map_err(Error::db("listing stale templates"))?
        .iter()
        .map(|r| r.get(0))
        .collect();
    for old in stale {
        // Two round trips: DROP DATABASE refuses to run inside the implicit
        // transaction of a multi-statement query.
        let _ = admin
            .batch_execute(&format!(
                "ALTER DATABASE {} IS_TEMPLATE false",
                tenant_sql::ident(&old)
            ))
            .await;
        let _ = admin
            .batch_execute(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                tenant_sql::ident(&old)
            ))
            .await;
    }
    // The harness's connections are closing; the rename waits for them.
    let mut tries = 0;
    loop {
        match admin
            .batch_execute(&format!(
                "ALTER DATABASE {} RENAME TO {}",
                tenant_sql::ident(&work_name),
                tenant_sql::ident(name)
            ))
            .await
        {
            Ok(()) => break,
            Err(_) if tries < 100 => {
                tries += 1;
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            }
            Err(e) => return Err(Error::db(format!("renaming the template to {name}"))(e)),
        }
    }
    admin
        .batch_execute(&format!(
            "ALTER DATABASE {q} IS_TEMPLATE true; ALTER DATABASE {q} ALLOW_CONNECTIONS false",
            q = tenant_sql::ident(name)
        ))
        .await
        .map_err(Error::db(format!("closing template {name} to connections")))?;
    // The handle's guard would drop `work_name`, which no longer exists; the template stays.
    drop(db);
    Ok(state)
}

/// Reads the stored state of template `name` through a copy (the template
/// itself accepts no connections).
async fn read_state(anchor: &Database, name: &str) -> Result<TemplateState> {
    let copy = anchor
        .create_from(&provision::run_database_name(), name, "")
        .await?;
    let c = copy.connect().await?;
    let row = c
        .query_one(
            &format!(
                "SELECT state::text FROM {}.template_state",
                crate::core::names::HARNESS_SCHEMA
            ),
            &[],
        )
        .await
        .map_err(Error::db(format!("reading the state of template {name}")))?;
    serde_json::from_str(&row.get::<_, String>(0)).map_err(|e| {
        Error::env(
            format!("template {name} holds a state this version cannot read: {e}"),
            format!("drop it (DROP DATABASE {name}) and run again"),
        )
    })
}

/// The scenario's name as an identifier fragment.
fn short_name(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .take(24)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_changes_with_a_migration_and_the_seed_and_nothing_else() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/crm-tenant-scoped");
        let base = Harness::builder(dir).unwrap();
        let k = key(&base).unwrap();
        assert_eq!(k, key(&Harness::builder(dir).unwrap()).unwrap());
        assert_eq!(k.len(), 16);
        assert_ne!(k, key(&base.clone().seed(7)).unwrap());
        assert_ne!(
            k,
            key(&base.clone().migration("99_x.sql", "SELECT 1")).unwrap()
        );
    }

    #[test]
    fn scenario_names_become_identifier_fragments() {
        assert_eq!(
            short_name("Supabase org-to-tenant"),
            "supabase_org_to_tenant"
        );
    }
}
