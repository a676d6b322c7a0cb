//! The command line: exit codes, messages, and nothing left behind after a
//! run, a failure or Ctrl-C.

mod common;

use common::{known_bad, scenario_dir};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The cleanup checks look at the whole machine; one at a time.
static SERIAL: Mutex<()> = Mutex::new(());

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_tenant-harness"));
    c.env("TENANT_HARNESS_BACKEND", "local");
    c
}

/// The harness's temp dirs and the postgres processes serving them.
fn footprint() -> (BTreeSet<PathBuf>, BTreeSet<String>) {
    let roots = [
        std::env::temp_dir(),
        tenant_harness::provision::local::data_root(),
    ];
    let dirs = roots
        .iter()
        .flat_map(|r| std::fs::read_dir(r).unwrap())
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("tenant-harness-"))
        })
        .collect();
    let procs = std::fs::read_dir("/proc")
        .unwrap()
        .filter_map(|e| e.ok())
        .filter_map(|e| std::fs::read(e.path().join("cmdline")).ok())
        .map(|c| String::from_utf8_lossy(&c).replace('\0', " "))
        .filter(|c| c.contains("postgres") && c.contains("tenant-harness-"))
        .collect();
    (dirs, procs)
}

fn copy_scenario(extra: Option<(&str, &str)>) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&scenario_dir(), dir.path());
    if let Some((name, sql)) = extra {
        std::fs::write(dir.path().join("migrations").join(name), sql).unwrap();
    }
    dir
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

#[test]
fn a_passing_run_exits_0_writes_json_and_leaves_nothing_behind() {
    let _g = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let before = footprint();
    let json = tempfile::NamedTempFile::new().unwrap();
    let out = bin()
        .arg("run")
        .arg(scenario_dir())
        .arg("--json")
        .arg(json.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("verdict: PASS"));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("seed 20251129"),
        "the seed is printed"
    );
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(json.path()).unwrap()).unwrap();
    assert_eq!(report["verdict"], "pass");
    assert_eq!(report["format_version"], 1);
    assert_eq!(footprint(), before);
}

#[test]
fn a_known_bad_migration_exits_1_with_table_and_user() {
    let _g = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let before = footprint();
    let dir = copy_scenario(Some(("99_bad.sql", &known_bad("tags_without_rls.sql"))));
    let out = bin().arg("run").arg(dir.path()).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("isolation.foreign-rows")
            && stdout.contains("table tags")
            && stdout.contains("actor anon"),
        "{stdout}"
    );
    assert_eq!(footprint(), before);
}

#[test]
fn a_failing_statement_exits_1_with_file_and_line() {
    let _g = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let before = footprint();
    let dir = copy_scenario(Some(("99_typo.sql", &known_bad("syntax_error.sql"))));
    let out = bin().arg("run").arg(dir.path()).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("99_typo.sql:5") && stderr.contains("syntax error"),
        "{stderr}"
    );
    assert_eq!(footprint(), before);
}

#[test]
fn a_broken_scenario_exits_2_naming_file_line_and_key() {
    let dir = copy_scenario(None);
    let toml = dir.path().join("scenario.toml");
    let text = std::fs::read_to_string(&toml)
        .unwrap()
        .replace("group_by =", "groupby =");
    std::fs::write(&toml, text).unwrap();
    let out = bin().arg("run").arg(dir.path()).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("scenario.toml:") && stderr.contains("groupby"),
        "{stderr}"
    );

    let out = bin()
        .args(["run", "--backend", "nonsense", "x"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "usage errors exit 2");
}

#[test]
fn no_postgres_exits_3_saying_what_to_install() {
    let out = bin()
        .arg("run")
        .arg(scenario_dir())
        .args(["--pg-bin", "/nonexistent"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("fix:"), "{stderr}");
}

#[test]
fn ctrl_c_stops_the_server_and_removes_the_temp_dir() {
    let _g = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let before = footprint();
    let mut child = bin()
        .arg("run")
        .arg(scenario_dir())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Wait until the run has a server of its own, then interrupt it.
    let deadline = Instant::now() + Duration::from_secs(60);
    while !footprint().1.iter().any(|c| c.contains("bin/postgres -D")) {
        assert!(Instant::now() < deadline, "no server started");
        std::thread::sleep(Duration::from_millis(20));
    }
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(child.id() as i32),
        nix::sys::signal::Signal::SIGINT,
    )
    .unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130));
    assert_eq!(footprint(), before);
}

#[test]
fn a_panic_in_a_test_still_removes_the_server() {
    let _g = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let before = footprint();
    let result = std::thread::spawn(|| {
        let rt = tokio::runtime::Runtime::new().unwrap();
        rt.block_on(async {
            let _h = common::local().start().await.unwrap();
            assert!(footprint().1.iter().any(|c| c.contains("bin/postgres -D")));
            panic!("a user's test fails half-way");
        })
    })
    .join();
    assert!(result.is_err());
    assert_eq!(footprint(), before);
}
