//! The local backend: `initdb` and `postgres` from this machine's binaries,
//! in a temp directory, on a free port of 127.0.0.1 plus a unix socket.
//!
//! Durability is off (fsync, synchronous_commit, full_page_writes): the data
//! lives for one run, and seeding is several times faster without it. As
//! root the server runs as the `postgres` system user (PostgreSQL refuses to
//! run as root), switched to directly rather than through sudo.

use super::{cleanup, loopback_config, orphans, Server, SERVER_SETTINGS};
use crate::error::{Error, Result};
use std::fs::File;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Finds the directory holding `initdb` and `postgres`: the explicit one,
/// then `pg_config --bindir`, then `PATH`, then `/usr/lib/postgresql/*/bin`
/// (newest first).
pub fn find_bin_dir(explicit: Option<&Path>) -> Result<PathBuf> {
    let usable = |d: &Path| d.join("initdb").is_file() && d.join("postgres").is_file();
    if let Some(d) = explicit {
        return if usable(d) {
            Ok(d.to_path_buf())
        } else {
            Err(Error::env(format!("--pg-bin {}: no initdb and postgres there", d.display()), "point --pg-bin (TENANT_HARNESS_PG_BIN) at the directory holding initdb and postgres"))
        };
    }
    let mut candidates = Vec::new();
    if let Ok(out) = Command::new("pg_config").arg("--bindir").output() {
        if out.status.success() {
            candidates.push(PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()));
        }
    }
    if let Some(path) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&path) {
            // Follow a symlinked initdb to the directory that also holds postgres.
            if let Ok(real) = std::fs::canonicalize(dir.join("initdb")) {
                if let Some(parent) = real.parent() {
                    candidates.push(parent.to_path_buf());
                }
            }
        }
    }
    let mut versioned: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
        .collect();
    versioned.sort_by_key(|p| {
        std::cmp::Reverse(
            p.parent()
                .and_then(|v| v.file_name())
                .and_then(|v| v.to_str())
                .and_then(|v| v.parse::<u32>().ok())
                .unwrap_or(0),
        )
    });
    candidates.extend(versioned);
    candidates.into_iter().find(|d| usable(d)).ok_or_else(|| {
        Error::env("no PostgreSQL server binaries (initdb, postgres) found via pg_config, PATH or /usr/lib/postgresql/*/bin", "apt-get install postgresql, or pass --pg-bin DIR")
    })
}

/// Starts a server from `pg_bin` (or the binaries found), its data directory
/// under `data_dir` (or [`data_root`]), and returns it.
pub(crate) async fn start(pg_bin: Option<&Path>, data_dir: Option<PathBuf>) -> Result<Server> {
    let bin = find_bin_dir(pg_bin)?;
    let root = data_dir.unwrap_or_else(data_root);
    tokio::task::spawn_blocking(move || start_blocking(&bin, &root))
        .await
        .map_err(|e| {
            Error::env(
                format!("starting local PostgreSQL: {e}"),
                "see the message above",
            )
        })?
}

/// The uid/gid to run the server as: the `postgres` system user when we are root.
fn run_as() -> Result<Option<(nix::unistd::Uid, nix::unistd::Gid)>> {
    if !nix::unistd::geteuid().is_root() {
        return Ok(None);
    }
    match nix::unistd::User::from_name("postgres") {
        Ok(Some(u)) => Ok(Some((u.uid, u.gid))),
        _ => Err(Error::env(
            "running as root, and PostgreSQL refuses to run as root, but there is no `postgres` system user to run it as",
            "apt-get install postgresql (it creates the user) or: useradd --system --home /var/lib/postgresql postgres",
        )),
    }
}

/// What the teardown removes: the server (once started) and the temp dir.
/// Registered as soon as the directory exists, so a signal at any later
/// moment still cleans up.
#[derive(Default)]
struct Footprint {
    child: Option<Child>,
    dir: Option<tempfile::TempDir>,
}

/// The variable that names where data directories go.
pub const DATA_DIR_ENV: &str = "TENANT_HARNESS_DATA_DIR";

/// Where the data directory goes: `TENANT_HARNESS_DATA_DIR` when set, else
/// /dev/shm when it is a writable tmpfs with room to spare, else TMPDIR.
/// The data lives for one run and is never fsynced, so memory is the right
/// place: on this project's machine copying a template database takes
/// 15-30 ms there and 260-330 ms on disk (see README, Library).
pub fn data_root() -> PathBuf {
    if let Some(dir) = std::env::var_os(DATA_DIR_ENV).filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    let shm = Path::new("/dev/shm");
    let roomy = nix::sys::statvfs::statvfs(shm)
        .is_ok_and(|s| s.blocks_available().saturating_mul(s.fragment_size()) >= 2 << 30);
    if roomy && nix::unistd::access(shm, nix::unistd::AccessFlags::W_OK).is_ok() {
        shm.to_path_buf()
    } else {
        std::env::temp_dir()
    }
}

fn start_blocking(bin: &Path, data_root: &Path) -> Result<Server> {
    let owner = run_as()?;
    for gone in orphans::sweep(data_root) {
        eprintln!(
            "tenant-harness: removed {}, left by a run that was killed",
            gone.display()
        );
    }
    let dir = tempfile::Builder::new()
        .prefix("tenant-harness-")
        .tempdir_in(data_root)
        .map_err(|e| {
            Error::env(
                format!(
                    "cannot create a data directory in {}: {e}",
                    data_root.display()
                ),
                "point TENANT_HARNESS_DATA_DIR at a writable directory",
            )
        })?;
    let root = dir.path().to_path_buf();
    orphans::mark_owner(&root).map_err(|e| {
        Error::env(
            format!("writing {}: {e}", root.join("owner").display()),
            "point TENANT_HARNESS_DATA_DIR at a writable directory",
        )
    })?;
    let footprint = Arc::new(Mutex::new(Footprint {
        child: None,
        dir: Some(dir),
    }));
    let guard = cleanup::register(format!("local PostgreSQL in {}", root.display()), {
        let footprint = footprint.clone();
        move || {
            let mut f = footprint.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(mut c) = f.child.take() {
                stop(&mut c);
            }
            drop(f.dir.take());
        }
    });
    let io_err = |what: &str, e: std::io::Error| {
        Error::env(
            format!("{what} in {}: {e}", root.display()),
            "check free space and permissions of TMPDIR",
        )
    };
    std::fs::set_permissions(&root, std::fs::Permissions::from_mode(0o700))
        .map_err(|e| io_err("chmod", e))?;
    let password = uuid::Uuid::new_v4().simple().to_string();
    let pwfile = root.join("pwfile");
    std::fs::write(&pwfile, &password).map_err(|e| io_err("writing the password file", e))?;
    if let Some((uid, gid)) = owner {
        for p in [root.as_path(), pwfile.as_path()] {
            nix::unistd::chown(p, Some(uid), Some(gid)).map_err(|e| {
                Error::env(
                    format!("chown {} to postgres: {e}", p.display()),
                    "run as root or as a non-root user",
                )
            })?;
        }
    }
    let data = root.join("data");
    let command = |name: &str| {
        let mut c = Command::new(bin.join(name));
        c.current_dir(&root).env("LC_ALL", "C").env_remove("PGDATA");
        if let Some((uid, gid)) = owner {
            c.uid(uid.as_raw()).gid(gid.as_raw()).env("HOME", &root);
        }
        c
    };
    // initdb is tracked like the server, so a signal during it stops it too.
    let initdb_log = root.join("initdb.log");
    let log = File::create(&initdb_log).map_err(|e| io_err("creating the initdb log", e))?;
    let mut initdb = command("initdb");
    initdb
        .arg("-D")
        .arg(&data)
        .args([
            "-U",
            "postgres",
            "-E",
            "UTF8",
            "--no-locale",
            "--no-sync",
            "--auth-local=trust",
            "--auth-host=scram-sha-256",
        ])
        .arg(format!("--pwfile={}", pwfile.display()))
        .stdin(Stdio::null())
        .stdout(
            log.try_clone()
                .map_err(|e| io_err("opening the initdb log", e))?,
        )
        .stderr(log);
    let child = orphans::spawn(initdb).map_err(|e| {
        Error::env(
            format!("running {}: {e}", bin.join("initdb").display()),
            "check --pg-bin",
        )
    })?;
    footprint.lock().unwrap_or_else(|e| e.into_inner()).child = Some(child);
    let status = loop {
        let mut f = footprint.lock().unwrap_or_else(|e| e.into_inner());
        match f.child.as_mut().map(|c| c.try_wait()) {
            Some(Ok(Some(status))) => {
                f.child = None;
                break status;
            }
            Some(Ok(None)) => {}
            _ => return Err(Error::env("initdb was interrupted", "run again")),
        }
        drop(f);
        std::thread::sleep(Duration::from_millis(10));
    };
    let _ = std::fs::remove_file(&pwfile);
    if !status.success() {
        return Err(Error::env(
            format!("initdb failed ({status}): {}", tail(&initdb_log)),
            "check that the binaries work (initdb --version) and TMPDIR is writable",
        ));
    }

    // Ports can be taken between choosing and binding; a few tries cover it.
    let mut last_error = String::new();
    for _ in 0..3 {
        let port = free_port().map_err(|e| io_err("finding a free port", e))?;
        let log_path = root.join("postgres.log");
        let log = File::create(&log_path).map_err(|e| io_err("creating the server log", e))?;
        if let Some((uid, gid)) = owner {
            let _ = nix::unistd::chown(&log_path, Some(uid), Some(gid));
        }
        let mut postgres = command("postgres");
        postgres
            .arg("-D")
            .arg(&data)
            .args(["-p", &port.to_string(), "-h", "127.0.0.1", "-k"])
            .arg(&root)
            .args(SERVER_SETTINGS)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log);
        let child = orphans::spawn(postgres).map_err(|e| {
            Error::env(
                format!("starting {}: {e}", bin.join("postgres").display()),
                "check --pg-bin",
            )
        })?;
        footprint.lock().unwrap_or_else(|e| e.into_inner()).child = Some(child);
        match wait_ready(&footprint, port) {
            Ok(()) => {
                let description =
                    format!("local PostgreSQL ({}) on 127.0.0.1:{port}", bin.display());
                let config = loopback_config(port, &password);
                return Ok(Server {
                    admin: config,
                    description,
                    guard,
                });
            }
            Err(msg) => {
                if let Some(mut c) = footprint
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .child
                    .take()
                {
                    stop(&mut c);
                }
                last_error = format!("{msg}\n{}", tail(&log_path));
            }
        }
    }
    Err(Error::env(
        format!("the local PostgreSQL server did not start: {last_error}"),
        "read the server log lines above",
    ))
}

/// Fast shutdown (SIGINT), then SIGKILL if it takes more than ten seconds.
fn stop(child: &mut Child) {
    let pid = nix::unistd::Pid::from_raw(child.id() as i32);
    let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGINT);
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    let _ = child.wait();
}

fn free_port() -> std::io::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

/// Waits until the server accepts TCP connections, or says why not.
fn wait_ready(footprint: &Mutex<Footprint>, port: u16) -> Result<(), String> {
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        {
            let mut f = footprint.lock().unwrap_or_else(|e| e.into_inner());
            match f.child.as_mut().map(|c| c.try_wait()) {
                Some(Ok(Some(status))) => {
                    f.child = None;
                    return Err(format!("postgres exited with {status}"));
                }
                None => return Err("interrupted".into()),
                _ => {}
            }
        }
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    Err("postgres did not accept connections within 60 s".into())
}

fn tail(log: &Path) -> String {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(10)..].join("\n")
}
