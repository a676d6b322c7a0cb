//! The url backend: an existing server the harness does not own.
//!
//! It creates a database with a unique name, works only inside it and drops
//! it at the end (`--keep` keeps it). The one thing it may add outside that
//! database are the Supabase roles, which PostgreSQL keeps per cluster: they
//! are created only where missing and never dropped, since another run or
//! the owner's own schema may use them.

use super::{connect, run_database_name, Backend, Database, Options};
use crate::error::{Error, Result};
use std::str::FromStr;
use tokio_postgres::Config;

/// Creates the run's database on the server at `opts.database_url`.
pub async fn create_database(opts: &Options) -> Result<Database> {
    let url = opts.database_url.as_deref().ok_or_else(|| {
        Error::env(
            "the url backend needs a server URL",
            "pass --database-url postgres://user:pass@127.0.0.1:5432/postgres or set DATABASE_URL",
        )
    })?;
    let admin = Config::from_str(url).map_err(|e| {
        Error::env(
            format!("DATABASE_URL is not a valid connection string: {e}"),
            "use the form postgres://user:password@host:port/dbname",
        )
    })?;
    let host = describe(&admin);
    let client = connect(&admin, &format!("connecting to {host} (DATABASE_URL)"))
        .await
        .map_err(|e| {
            Error::env(
                format!("cannot reach the server given by DATABASE_URL: {e}"),
                "check that the server runs and the URL's user, password and port are right",
            )
        })?;
    let name = run_database_name();
    client
        .batch_execute(&format!("CREATE DATABASE {}", tenant_sql::ident(&name)))
        .await
        .map_err(|e| {
            Error::env(
                format!(
                    "cannot create database {name} on {host}: {}",
                    tenant_seed::describe(&e)
                ),
                "the URL's role needs CREATEDB (or use the docker or local backend)",
            )
        })?;
    let mut config = admin.clone();
    config.dbname(&name);
    let guard = if opts.keep {
        eprintln!("tenant-harness: --keep: database {name} on {host} is left in place");
        None
    } else {
        Some(super::drop_database_guard(&admin, &name, &host))
    };
    Ok(Database {
        config,
        maintenance: admin,
        name,
        backend: Backend::Url,
        description: format!("server at {host}"),
        _database: guard,
        _server: None,
    })
}

/// `host:port` of a config, without credentials.
pub(crate) fn describe(c: &Config) -> String {
    let host = c
        .get_hosts()
        .first()
        .map(|h| match h {
            tokio_postgres::config::Host::Tcp(s) => s.clone(),
            tokio_postgres::config::Host::Unix(p) => p.display().to_string(),
        })
        .unwrap_or_else(|| "localhost".into());
    let port = c.get_ports().first().copied().unwrap_or(5432);
    format!("{host}:{port}")
}
