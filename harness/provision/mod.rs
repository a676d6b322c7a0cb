//! A throw-away PostgreSQL for one run, behind one interface whatever the
//! backend: a container ([`docker`]), the machine's own binaries
//! ([`local`]), or an existing server given by URL ([`url`]).
//!
//! Every backend hands back a [`Database`]: a fresh database the run owns,
//! reached as a superuser on 127.0.0.1 (or the URL's host), and removed with
//! everything else the backend started when the `Database` is dropped.

pub mod cleanup;
pub mod docker;
pub mod local;
mod orphans;
pub mod url;

use crate::error::{Error, Result};
use std::fmt;
use std::path::PathBuf;
use tokio_postgres::{Client, Config, NoTls};

/// The official image the docker backend uses unless told otherwise.
pub const DEFAULT_IMAGE: &str = "postgres:16";

/// Where the PostgreSQL server comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// Docker when a daemon answers and the image is there (or can be pulled), else local binaries.
    Auto,
    /// A container from `--image`, published on 127.0.0.1 only.
    Docker,
    /// `initdb` + `postgres` from this machine, in a temp directory.
    Local,
    /// An existing server (`--database-url`); the run works in a database of its own.
    Url,
}

impl Backend {
    /// Every backend, as named on a command line or in `TENANT_HARNESS_BACKEND`.
    pub const NAMES: &'static [&'static str] = &["auto", "docker", "local", "url"];
}

impl std::str::FromStr for Backend {
    type Err = Error;

    /// `auto`, `docker`, `local` or `url` (any case).
    fn from_str(s: &str) -> Result<Backend> {
        match s.to_ascii_lowercase().as_str() {
            "auto" => Ok(Backend::Auto),
            "docker" => Ok(Backend::Docker),
            "local" => Ok(Backend::Local),
            "url" => Ok(Backend::Url),
            _ => Err(Error::Usage(format!(
                "no backend `{s}`: give one of {}",
                Backend::NAMES.join(", ")
            ))),
        }
    }
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Backend::Auto => "auto",
            Backend::Docker => "docker",
            Backend::Local => "local",
            Backend::Url => "url",
        })
    }
}

/// How to provision.
#[derive(Debug, Clone)]
pub struct Options {
    /// Which backend to use.
    pub backend: Backend,
    /// Image for the docker backend.
    pub image: String,
    /// Directory holding `initdb` and `postgres`, for the local backend.
    pub pg_bin: Option<PathBuf>,
    /// Server URL for the url backend.
    pub database_url: Option<String>,
    /// Url backend: keep the run's database instead of dropping it.
    pub keep: bool,
    /// Docker backend: pull the image when it is not present (off in air-gapped CI).
    pub pull: bool,
    /// Local backend: where the data directory goes (else
    /// `TENANT_HARNESS_DATA_DIR`, else `/dev/shm` when roomy, else TMPDIR).
    pub data_dir: Option<PathBuf>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            backend: Backend::Auto,
            image: DEFAULT_IMAGE.into(),
            pg_bin: None,
            database_url: None,
            keep: false,
            pull: true,
            data_dir: None,
        }
    }
}

/// Settings every provisioned server runs with: the data lives for one run,
/// so durability is traded for speed; checks open one connection per actor.
pub(crate) const SERVER_SETTINGS: [&str; 8] = [
    "-c",
    "fsync=off",
    "-c",
    "synchronous_commit=off",
    "-c",
    "full_page_writes=off",
    "-c",
    "max_connections=200",
];

/// Superuser `postgres` on 127.0.0.1:`port`, database `postgres`.
pub(crate) fn loopback_config(port: u16, password: &str) -> Config {
    let mut config = Config::new();
    config
        .host("127.0.0.1")
        .port(port)
        .user("postgres")
        .password(password)
        .dbname("postgres");
    config
}

/// A server the run started, reachable as a superuser.
pub(crate) struct Server {
    pub admin: Config,
    pub description: String,
    pub guard: cleanup::Guard,
}

/// The run's own database. Dropping it removes the database (url backend)
/// and the server or container that holds it (docker, local).
pub struct Database {
    config: Config,
    /// A connection to the server's maintenance database, for CREATE/DROP DATABASE.
    maintenance: Config,
    /// Name of the run's database.
    pub name: String,
    /// The backend actually used (never `Auto`).
    pub backend: Backend,
    /// Where it runs, for the report: image, binaries, host and port.
    pub description: String,
    // Field order is drop order: the database goes before its server.
    _database: Option<cleanup::Guard>,
    _server: Option<cleanup::Guard>,
}

impl Database {
    /// A new superuser connection to the run's database.
    pub async fn connect(&self) -> Result<Client> {
        connect(&self.config, &format!("connecting to {}", self.description)).await
    }

    /// Connection settings of the run's database (superuser).
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// A copy of this database (`CREATE DATABASE … TEMPLATE`), named after it
    /// with `suffix`, dropped when the returned handle is. Nothing may be
    /// connected to this database meanwhile; the server waits a few seconds
    /// for connections that are closing.
    pub async fn fork(&self, suffix: &str) -> Result<Database> {
        self.derive(suffix, &self.name.clone()).await
    }

    /// An empty database beside this one, named after it with `suffix`,
    /// dropped when the returned handle is.
    pub async fn sibling(&self, suffix: &str) -> Result<Database> {
        self.derive(suffix, "template0").await
    }

    async fn derive(&self, suffix: &str, template: &str) -> Result<Database> {
        self.create_from(&format!("{}_{suffix}", self.name), template, "")
            .await
    }

    /// A new database `name` on this database's server, copied from
    /// `template` with the given `CREATE DATABASE` options, dropped when the
    /// returned handle is.
    pub(crate) async fn create_from(
        &self,
        name: &str,
        template: &str,
        options: &str,
    ) -> Result<Database> {
        let c = connect(
            &self.maintenance,
            &format!("connecting to {}", self.description),
        )
        .await?;
        c.batch_execute(&format!(
            "CREATE DATABASE {} TEMPLATE {}{options}",
            tenant_sql::ident(name),
            tenant_sql::ident(template)
        ))
        .await
        .map_err(Error::db(format!(
            "creating database {name} from {template}"
        )))?;
        let mut config = self.config.clone();
        config.dbname(name);
        let guard = drop_database_guard(&self.maintenance, name, &self.description);
        Ok(Database {
            config,
            maintenance: self.maintenance.clone(),
            name: name.to_string(),
            backend: self.backend,
            description: self.description.clone(),
            _database: Some(guard),
            _server: None,
        })
    }

    /// Another handle on the same database that tears nothing down when
    /// dropped (the original keeps that job).
    pub(crate) fn handle(&self) -> Database {
        Database {
            config: self.config.clone(),
            maintenance: self.maintenance.clone(),
            name: self.name.clone(),
            backend: self.backend,
            description: self.description.clone(),
            _database: None,
            _server: None,
        }
    }

    /// A connection to the server's maintenance database (CREATE, DROP, ALTER DATABASE).
    pub(crate) async fn maintenance(&self) -> Result<Client> {
        connect(
            &self.maintenance,
            &format!("connecting to {}", self.description),
        )
        .await
    }

    /// A `postgres://` URL of the run's database; the password is left out
    /// unless `with_password` (it is the throw-away server's, or the
    /// user's own with the url backend).
    pub fn url(&self, with_password: bool) -> String {
        let host = match self.config.get_hosts().first() {
            Some(tokio_postgres::config::Host::Tcp(h)) => h.clone(),
            Some(tokio_postgres::config::Host::Unix(p)) => p.display().to_string(),
            None => "localhost".into(),
        };
        let port = self.config.get_ports().first().copied().unwrap_or(5432);
        let user = self.config.get_user().unwrap_or("postgres");
        let password = match self.config.get_password() {
            Some(p) if with_password => format!(":{}", String::from_utf8_lossy(p)),
            _ => String::new(),
        };
        format!("postgres://{user}{password}@{host}:{port}/{}", self.name)
    }

    /// The password the run connects with, for the report's redactor.
    pub(crate) fn password(&self) -> Option<String> {
        self.config
            .get_password()
            .map(|p| String::from_utf8_lossy(p).into_owned())
    }

    /// The server version, e.g. `15.18`.
    pub async fn server_version(&self) -> Result<String> {
        let c = self.connect().await?;
        let row = c
            .query_one("SHOW server_version", &[])
            .await
            .map_err(Error::db("reading server_version"))?;
        Ok(row
            .get::<_, String>(0)
            .split_whitespace()
            .next()
            .unwrap_or_default()
            .to_string())
    }
}

/// Connects and drives the connection on the runtime.
pub(crate) async fn connect(config: &Config, context: &str) -> Result<Client> {
    let (client, conn) = config
        .connect(NoTls)
        .await
        .map_err(Error::db(context.to_string()))?;
    tokio::spawn(async move {
        let _ = conn.await;
    });
    Ok(client)
}

/// Connects to a server that has just started: it accepts TCP a moment
/// before it accepts logins ("the database system is starting up").
async fn connect_ready(config: &Config, description: &str) -> Result<Client> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        match connect(config, &format!("connecting to {description}")).await {
            Ok(c) => return Ok(c),
            Err(_) if std::time::Instant::now() < deadline => {
                tokio::time::sleep(std::time::Duration::from_millis(50)).await
            }
            Err(e) => return Err(e),
        }
    }
}

/// Provisions a server per `opts` and creates the run's database on it.
pub async fn provision(opts: &Options) -> Result<Database> {
    let backend = match opts.backend {
        Backend::Auto => choose(opts).await?,
        b => b,
    };
    match backend {
        Backend::Docker => {
            on_server(
                docker::start(&opts.image, opts.pull).await?,
                Backend::Docker,
            )
            .await
        }
        Backend::Local => {
            on_server(
                local::start(opts.pg_bin.as_deref(), opts.data_dir.clone()).await?,
                Backend::Local,
            )
            .await
        }
        Backend::Url => url::create_database(opts).await,
        Backend::Auto => unreachable!("resolved above"),
    }
}

async fn on_server(server: Server, backend: Backend) -> Result<Database> {
    let name = run_database_name();
    let admin = connect_ready(&server.admin, &server.description).await?;
    admin
        .batch_execute(&format!("CREATE DATABASE {}", tenant_sql::ident(&name)))
        .await
        .map_err(Error::db(format!("creating database {name}")))?;
    let mut config = server.admin.clone();
    config.dbname(&name);
    Ok(Database {
        config,
        maintenance: server.admin.clone(),
        name,
        backend,
        description: server.description,
        _database: None,
        _server: Some(server.guard),
    })
}

/// Drops database `name` when dropped (or at a signal).
pub(crate) fn drop_database_guard(
    maintenance: &Config,
    name: &str,
    server: &str,
) -> cleanup::Guard {
    let (maintenance, db) = (maintenance.clone(), name.to_string());
    cleanup::register(format!("database {name} on {server}"), move || {
        cleanup::block_on_fresh(move || async move {
            if let Ok(c) = connect(&maintenance, "dropping a database of the run").await {
                let _ = c
                    .batch_execute(&format!(
                        "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                        tenant_sql::ident(&db)
                    ))
                    .await;
            }
        })
    })
}

/// A database name no other run uses: `tenant_harness_` and 12 hex digits.
pub(crate) fn run_database_name() -> String {
    format!(
        "tenant_harness_{}",
        &uuid::Uuid::new_v4().simple().to_string()[..12]
    )
}

/// Docker when it can serve the image, else local binaries, else a message
/// that says exactly what to install or set.
async fn choose(opts: &Options) -> Result<Backend> {
    let docker = docker::probe(&opts.image, opts.pull).await;
    if docker.is_ok() {
        return Ok(Backend::Docker);
    }
    let local = local::find_bin_dir(opts.pg_bin.as_deref());
    if local.is_ok() {
        return Ok(Backend::Local);
    }
    if opts.database_url.is_some() {
        return Ok(Backend::Url);
    }
    Err(Error::env(
        format!(
            "no PostgreSQL available: docker: {}; local: {}",
            docker.err().map_or_else(String::new, |e| e.to_string()),
            local.err().map_or_else(String::new, |e| e.to_string())
        ),
        "install the server binaries (apt-get install postgresql), or start Docker with a postgres image \
         (scripts/build-local-image builds one offline; set TENANT_HARNESS_IMAGE to it), \
         or point DATABASE_URL at a server and use --backend url",
    ))
}
