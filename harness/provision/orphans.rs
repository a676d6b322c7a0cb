//! What a run that was killed outright (SIGKILL, an OOM kill) leaves behind,
//! and how little that is.
//!
//! - Servers die with the harness: every child process is started with a
//!   parent-death signal. Linux sends it when the *thread* that forked the
//!   child ends, so children are forked by one thread that lives as long
//!   as the process ([`spawn`]), never by a pool thread that may retire.
//! - Each data directory names its owner (pid and start time); the next
//!   local run removes directories whose owner is gone ([`sweep`]), after
//!   stopping a server still running in one.

use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::sync::mpsc;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

/// The file in a data directory's root that names the run owning it.
const OWNER_FILE: &str = "owner";

type Job = (Command, mpsc::Sender<std::io::Result<Child>>);

/// Starts `cmd` from the spawner thread, with SIGKILL as its parent-death
/// signal: if the harness dies, so does the child.
pub(crate) fn spawn(cmd: Command) -> std::io::Result<Child> {
    static SPAWNER: OnceLock<Mutex<mpsc::Sender<Job>>> = OnceLock::new();
    let tx = SPAWNER.get_or_init(|| {
        let (tx, rx) = mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("tenant-harness-spawner".into())
            .spawn(move || {
                // Never returns while the process lives: the children's parent-death signal is tied to it.
                for (mut cmd, reply) in rx {
                    let _ = reply.send(spawn_here(&mut cmd));
                }
                loop {
                    std::thread::park();
                }
            })
            .expect("a thread can be started");
        Mutex::new(tx)
    });
    let (reply, answer) = mpsc::channel();
    tx.lock()
        .unwrap_or_else(|e| e.into_inner())
        .send((cmd, reply))
        .map_err(|_| std::io::Error::other("the spawner thread is gone"))?;
    answer
        .recv()
        .map_err(|_| std::io::Error::other("the spawner thread did not answer"))?
}

fn spawn_here(cmd: &mut Command) -> std::io::Result<Child> {
    use std::os::unix::process::CommandExt;
    // SAFETY: the closure runs in the forked child before exec and only
    // calls prctl(2), which is async-signal-safe.
    unsafe {
        cmd.pre_exec(|| {
            nix::sys::prctl::set_pdeathsig(nix::sys::signal::Signal::SIGKILL)
                .map_err(std::io::Error::from)
        });
    }
    cmd.spawn()
}

/// This process as `pid starttime` (the start time tells a reused pid apart).
fn me() -> String {
    format!(
        "{} {}",
        std::process::id(),
        start_time(std::process::id()).unwrap_or(0)
    )
}

/// A process's start time in clock ticks since boot, from /proc.
fn start_time(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name may hold spaces and parentheses: fields follow the last ')'.
    let after = &stat[stat.rfind(')')? + 2..];
    after.split_whitespace().nth(19)?.parse().ok()
}

/// Records this run as the owner of the data directory `root`.
pub(crate) fn mark_owner(root: &Path) -> std::io::Result<()> {
    std::fs::write(root.join(OWNER_FILE), me())
}

/// Whether the run named by an owner file's text still lives.
fn owner_alive(text: &str) -> bool {
    let mut parts = text.split_whitespace();
    let (Some(pid), Some(started)) = (
        parts.next().and_then(|p| p.parse::<u32>().ok()),
        parts.next().and_then(|s| s.parse::<u64>().ok()),
    ) else {
        return false;
    };
    start_time(pid) == Some(started)
}

/// Removes, under `data_root`, the data directories whose owning run is
/// gone, stopping a server still running in one. Directories without an
/// owner file (another tool's, or a run of an older harness) are left
/// alone. Returns what was removed.
pub(crate) fn sweep(data_root: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(data_root) else {
        return Vec::new();
    };
    let mut removed = Vec::new();
    for dir in entries.filter_map(|e| e.ok().map(|e| e.path())) {
        let ours = dir
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with("tenant-harness-"));
        let Ok(owner) = std::fs::read_to_string(dir.join(OWNER_FILE)) else {
            continue;
        };
        if !ours || owner_alive(&owner) {
            continue;
        }
        stop_orphan_server(&dir);
        if std::fs::remove_dir_all(&dir).is_ok() {
            removed.push(dir);
        }
    }
    removed
}

/// Stops the postmaster of `root/data`, if one still runs there.
fn stop_orphan_server(root: &Path) {
    let Ok(pidfile) = std::fs::read_to_string(root.join("data/postmaster.pid")) else {
        return;
    };
    let Some(pid) = pidfile
        .lines()
        .next()
        .and_then(|l| l.trim().parse::<i32>().ok())
    else {
        return;
    };
    // Only a postgres serving this very directory.
    let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
    if !String::from_utf8_lossy(&cmdline).contains(&*root.to_string_lossy()) {
        return;
    }
    let pid = nix::unistd::Pid::from_raw(pid);
    let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGQUIT);
    let deadline = Instant::now() + Duration::from_secs(5);
    while Instant::now() < deadline && nix::sys::signal::kill(pid, None).is_ok() {
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGKILL);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_owns_what_it_marks_and_a_dead_owner_is_swept() {
        assert!(owner_alive(&me()));
        assert!(!owner_alive("4194303 1"), "no such pid");
        assert!(
            !owner_alive(&format!("{} 1", std::process::id())),
            "a reused pid has another start time"
        );
        assert!(!owner_alive("garbage"));

        let root = tempfile::tempdir().unwrap();
        let live = root.path().join("tenant-harness-live");
        let dead = root.path().join("tenant-harness-dead");
        let foreign = root.path().join("tenant-harness-unmarked");
        for d in [&live, &dead, &foreign] {
            std::fs::create_dir(d).unwrap();
        }
        mark_owner(&live).unwrap();
        std::fs::write(dead.join(OWNER_FILE), "4194303 1").unwrap();
        assert_eq!(sweep(root.path()), vec![dead.clone()]);
        assert!(live.exists() && foreign.exists() && !dead.exists());
    }

    #[test]
    fn a_spawned_child_runs() {
        let mut child = spawn(Command::new("true")).unwrap();
        assert!(child.wait().unwrap().success());
    }
}
