//! The command line: exit codes, messages, and nothing left behind after a
//! run, a failure or Ctrl-C.

mod common;

use common::{copy_dir, known_bad, scenario_dir};
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_tenant-harness"));
    c.env("TENANT_HARNESS_BACKEND", "local")
        // The load benchmark has tests of its own (tests/bench.rs).
        .env("TENANT_HARNESS_NO_BENCH", "1")
        .env_remove("GITHUB_STEP_SUMMARY");
    c
}

/// A directory of this test's own for data directories and temp files, so
/// that another harness running on the machine cannot fail a leftover check.
struct Sandbox(tempfile::TempDir);

impl Sandbox {
    fn new() -> Sandbox {
        let dir = tempfile::tempdir().unwrap();
        // The server runs as the postgres user when the tests run as root.
        std::fs::set_permissions(
            dir.path(),
            std::os::unix::fs::PermissionsExt::from_mode(0o777),
        )
        .unwrap();
        Sandbox(dir)
    }

    /// The CLI, its data directory and temp files in the sandbox.
    fn bin(&self) -> Command {
        let mut c = bin();
        c.env("TENANT_HARNESS_DATA_DIR", self.0.path())
            .env("TMPDIR", self.0.path());
        c
    }

    /// What the harness left in the sandbox, and the postgres processes serving it.
    fn footprint(&self) -> (BTreeSet<PathBuf>, BTreeSet<String>) {
        let dirs = std::fs::read_dir(self.0.path())
            .unwrap()
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with("tenant-harness-"))
            })
            .collect();
        let mine = self.0.path().to_string_lossy().to_string();
        let procs = std::fs::read_dir("/proc")
            .unwrap()
            .filter_map(|e| e.ok())
            .filter_map(|e| std::fs::read(e.path().join("cmdline")).ok())
            .map(|c| String::from_utf8_lossy(&c).replace('\0', " "))
            .filter(|c| c.contains("postgres") && c.contains(&mine))
            .collect();
        (dirs, procs)
    }

    /// Whether nothing is left: no directory, no server.
    fn is_clean(&self) -> bool {
        let (dirs, procs) = self.footprint();
        dirs.is_empty() && procs.is_empty()
    }

    fn has_server(&self) -> bool {
        self.footprint()
            .1
            .iter()
            .any(|c| c.contains("bin/postgres -D"))
    }

    /// The CLI with `args`, quiet, started in the sandbox once its server is up.
    fn spawn_until_server(&self, args: &[&std::ffi::OsStr]) -> std::process::Child {
        let child = self
            .bin()
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(120);
        while !self.has_server() {
            assert!(Instant::now() < deadline, "no server started");
            std::thread::sleep(Duration::from_millis(20));
        }
        child
    }
}

/// Sends `signal` to `child` and returns its exit code.
fn signal_child(child: &mut std::process::Child, signal: nix::sys::signal::Signal) -> Option<i32> {
    nix::sys::signal::kill(nix::unistd::Pid::from_raw(child.id() as i32), signal).unwrap();
    child.wait().unwrap().code()
}

fn copy_scenario(extra: Option<(&str, &str)>) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&scenario_dir(), dir.path());
    if let Some((name, sql)) = extra {
        std::fs::write(dir.path().join("migrations").join(name), sql).unwrap();
    }
    dir
}

#[test]
fn a_passing_run_exits_0_writes_json_and_leaves_nothing_behind() {
    let sandbox = Sandbox::new();
    let json = tempfile::NamedTempFile::new().unwrap();
    let out = sandbox
        .bin()
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
    assert!(sandbox.is_clean(), "{:?}", sandbox.footprint());
}

#[test]
fn a_known_bad_migration_exits_1_with_table_and_user() {
    let sandbox = Sandbox::new();
    let dir = copy_scenario(Some(("99_bad.sql", &known_bad("tags_without_rls.sql"))));
    let out = sandbox.bin().arg("run").arg(dir.path()).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("isolation.foreign-rows")
            && stdout.contains("table tags")
            && stdout.contains("actor anon"),
        "{stdout}"
    );
    assert!(sandbox.is_clean(), "{:?}", sandbox.footprint());
}

#[test]
fn a_failing_statement_exits_1_with_file_and_line() {
    let sandbox = Sandbox::new();
    let dir = copy_scenario(Some(("99_typo.sql", &known_bad("syntax_error.sql"))));
    let out = sandbox.bin().arg("run").arg(dir.path()).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("99_typo.sql:5") && stderr.contains("syntax error"),
        "{stderr}"
    );
    assert!(sandbox.is_clean(), "{:?}", sandbox.footprint());
}

#[test]
fn a_statement_past_the_timeout_is_a_finding_naming_it() {
    let sandbox = Sandbox::new();
    let dir = copy_scenario(Some((
        "99_forever.sql",
        "-- never ends\nSELECT pg_sleep(3600);\n",
    )));
    let started = Instant::now();
    let out = sandbox
        .bin()
        .arg("check")
        .arg(dir.path())
        .args(["--statement-timeout", "1", "--search-cases", "0"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("99_forever.sql:2")
            && stderr.contains("SELECT pg_sleep(3600)")
            && stderr.contains("statement timeout"),
        "{stderr}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(600),
        "it did not hang"
    );
    assert!(sandbox.is_clean(), "{:?}", sandbox.footprint());
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
fn an_internal_error_or_a_panic_exits_101_and_leaves_nothing_behind() {
    for fault in ["internal", "panic"] {
        let sandbox = Sandbox::new();
        let out = sandbox
            .bin()
            .arg("check")
            .arg(scenario_dir())
            .args(["--search-cases", "0"])
            .env("TENANT_HARNESS_FAULT", fault)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(101), "{fault}: {stderr}");
        assert!(stderr.contains("TENANT_HARNESS_FAULT"), "{fault}: {stderr}");
        if fault == "internal" {
            assert!(
                stderr.contains("internal error of tenant-harness"),
                "{stderr}"
            );
        }
        assert!(sandbox.is_clean(), "{fault}: {:?}", sandbox.footprint());
    }
}

#[test]
fn after_sigkill_the_server_dies_and_the_next_run_removes_the_directory() {
    let sandbox = Sandbox::new();
    let dir = scenario_dir();
    let mut child =
        sandbox.spawn_until_server(&["seed".as_ref(), dir.as_os_str(), "--hold".as_ref()]);
    // SIGKILL: no handler, no guard runs.
    assert_eq!(
        signal_child(&mut child, nix::sys::signal::Signal::SIGKILL),
        None
    );
    let deadline = Instant::now() + Duration::from_secs(15);
    while !sandbox.footprint().1.is_empty() {
        assert!(
            Instant::now() < deadline,
            "the server outlived the harness: {:?}",
            sandbox.footprint().1
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(
        sandbox.footprint().0.len(),
        1,
        "the directory is left, for now"
    );

    // The next local run sweeps it, and leaves nothing of its own.
    let out = sandbox
        .bin()
        .arg("seed")
        .arg(scenario_dir())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("left by a run that was killed"), "{stderr}");
    assert!(sandbox.is_clean(), "{:?}", sandbox.footprint());
}

/// Where in a run a signal arrives: what stderr shows (or the sandbox holds) first.
#[derive(Clone, Copy, Debug)]
enum Point {
    Provisioning,
    Seeding,
    LeakSearch,
    Benchmark,
}

/// Runs `args` in `sandbox` and sends `signal` at `point`; returns the exit code.
fn interrupt(
    sandbox: &Sandbox,
    args: &[&std::ffi::OsStr],
    point: Point,
    signal: nix::sys::signal::Signal,
) -> Option<i32> {
    use std::io::BufRead;
    let mut child = sandbox
        .bin()
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    let stderr = child.stderr.take().unwrap();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stderr)
            .lines()
            .map_while(Result::ok)
        {
            let _ = tx.send(line);
        }
    });
    let deadline = Instant::now() + Duration::from_secs(300);
    let mut seen = String::new();
    loop {
        assert!(Instant::now() < deadline, "{point:?} never came: {seen}");
        while let Ok(line) = rx.try_recv() {
            seen.push_str(&line);
            seen.push('\n');
        }
        let there = match point {
            Point::Provisioning => !sandbox.footprint().0.is_empty(),
            Point::Seeding => seen.contains("with seed"),
            Point::LeakSearch => seen.contains("leak search:"),
            Point::Benchmark => seen.contains("with seed") && sandbox.has_server(),
        };
        if there {
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    if matches!(point, Point::Benchmark) {
        // Well into the benchmark's seeding and rounds.
        std::thread::sleep(Duration::from_secs(4));
    }
    signal_child(&mut child, signal)
}

#[test]
fn a_signal_at_any_point_exits_128_plus_it_and_leaves_nothing() {
    use nix::sys::signal::Signal::{SIGINT, SIGTERM};
    let dir = copy_scenario(None);
    let regressions = dir.path().join("leak-search.regressions");
    let run: Vec<&std::ffi::OsStr> = vec![
        "run".as_ref(),
        "--no-bench".as_ref(),
        dir.path().as_os_str(),
    ];
    let bench: Vec<&std::ffi::OsStr> = vec![
        "bench".as_ref(),
        dir.path().as_os_str(),
        "--rows".as_ref(),
        "20000".as_ref(),
    ];
    for (args, point, signal, code) in [
        (&run, Point::Provisioning, SIGINT, 130),
        (&run, Point::Seeding, SIGTERM, 143),
        (&run, Point::LeakSearch, SIGINT, 130),
        (&run, Point::LeakSearch, SIGTERM, 143),
        (&bench, Point::Benchmark, SIGINT, 130),
    ] {
        let sandbox = Sandbox::new();
        let got = interrupt(&sandbox, args, point, signal);
        assert_eq!(got, Some(code), "{signal} at {point:?}");
        assert!(
            sandbox.is_clean(),
            "{signal} at {point:?}: {:?}",
            sandbox.footprint()
        );
        assert!(
            !regressions.exists(),
            "{signal} at {point:?} wrote the regressions file"
        );
    }
}

#[test]
fn seed_hold_is_removed_at_ctrl_c() {
    let sandbox = Sandbox::new();
    let dir = scenario_dir();
    let mut child = sandbox.spawn_until_server(&[
        "seed".as_ref(),
        "--migrated".as_ref(),
        "--hold".as_ref(),
        dir.as_os_str(),
    ]);
    // Held by now: seeded and migrated.
    std::thread::sleep(Duration::from_secs(3));
    assert_eq!(
        signal_child(&mut child, nix::sys::signal::Signal::SIGINT),
        Some(130)
    );
    assert!(sandbox.is_clean(), "{:?}", sandbox.footprint());
}

#[test]
fn a_panic_in_a_test_still_removes_the_server() {
    let sandbox = std::sync::Arc::new(Sandbox::new());
    let inside = sandbox.clone();
    let result = std::thread::spawn(move || {
        let rt = tokio::runtime::Runtime::new().unwrap();
        rt.block_on(async {
            let _h = common::local()
                .data_dir(inside.0.path())
                .start()
                .await
                .unwrap();
            assert!(inside.has_server());
            panic!("a user's test fails half-way");
        })
    })
    .join();
    assert!(result.is_err());
    assert!(sandbox.is_clean(), "{:?}", sandbox.footprint());
}

#[test]
fn every_report_format_names_the_failing_table_and_no_secret_appears() {
    let dir = copy_scenario(Some(("99_bad.sql", &known_bad("tags_without_rls.sql"))));
    let out_dir = tempfile::tempdir().unwrap();
    let summary = out_dir.path().join("step-summary.md");
    std::fs::write(&summary, "earlier step\n").unwrap();
    let secret = "jwt-secret-that-must-never-be-printed-0123456789";
    let out = bin()
        .arg("check")
        .arg(dir.path())
        .args(["--format", "junit", "--search-cases", "16", "--out"])
        .arg(out_dir.path().join("reports"))
        .env("TENANT_HARNESS_JWT_SECRET", secret)
        .env("GITHUB_STEP_SUMMARY", &summary)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let junit = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(junit.starts_with("<?xml"), "{junit}");
    // One case per table and part; the failing one carries the finding.
    let case = junit
        .split("<testcase ")
        .find(|c| c.contains("name=\"tags\"") && c.contains("isolation"))
        .expect("a test case for tags in the isolation suite");
    assert!(
        case.contains("<failure") && case.contains("isolation.foreign-rows"),
        "{case}"
    );
    assert!(
        junit.contains("name=\"clients\""),
        "passing tables are cases too"
    );

    let reports = out_dir.path().join("reports");
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(reports.join("report.json")).unwrap()).unwrap();
    assert_eq!(json["format_version"], 1);
    assert_eq!(json["command"], "check");
    assert_eq!(json["exit_code"], 1);
    assert_eq!(json["scenarios"][0]["checks"]["verdict"], "fail");
    let markdown = std::fs::read_to_string(reports.join("report.md")).unwrap();
    assert!(markdown.contains("isolation: tags"), "{markdown}");
    let html = std::fs::read_to_string(reports.join("report.html")).unwrap();
    assert!(html.contains("<html") && html.contains("tags"));
    let step = std::fs::read_to_string(&summary).unwrap();
    assert!(
        step.starts_with("earlier step\n") && step.contains("## tenant-harness check"),
        "the summary is appended: {step}"
    );

    let mut everything = format!(
        "{junit}{}{markdown}{html}{step}",
        String::from_utf8_lossy(&out.stderr)
    );
    everything.push_str(&std::fs::read_to_string(reports.join("report.json")).unwrap());
    everything.push_str(&std::fs::read_to_string(reports.join("junit.xml")).unwrap());
    assert!(
        !everything.contains(secret),
        "the JWT secret leaked into a report"
    );
}

#[test]
fn init_writes_a_scenario_that_runs_and_asks_for_what_it_cannot_infer() {
    let project = tempfile::tempdir().unwrap();
    let migrations = project.path().join("supabase/migrations");
    std::fs::create_dir_all(&migrations).unwrap();
    let scenario = scenario_dir();
    std::fs::copy(
        scenario.join("before.sql"),
        migrations.join("20250101000000_initial.sql"),
    )
    .unwrap();
    for e in std::fs::read_dir(scenario.join("migrations")).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), migrations.join(e.file_name())).unwrap();
    }
    let out = bin()
        .current_dir(project.path())
        .args(["init", "--no-input"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let dir = project
        .path()
        .join("tenant-harness")
        .join(project.path().file_name().unwrap());
    let toml = std::fs::read_to_string(dir.join("scenario.toml")).unwrap();
    for inferred in [
        "column = \"tenant_id\"",
        "group_by = \"email_domain\"",
        "shared_domains = [\"myroihome.com\"]",
        "via = \"jwt_sub\"",
        "table = \"profiles\"",
        "owner = \"org_id\"",
    ] {
        assert!(toml.contains(inferred), "{inferred} in\n{toml}");
    }
    assert_eq!(
        std::fs::read_dir(dir.join("migrations")).unwrap().count(),
        std::fs::read_dir(scenario.join("migrations"))
            .unwrap()
            .count(),
        "the files from the first that adds tenant_id on are the migration under test"
    );
    let out = bin()
        .arg("check")
        .arg(&dir)
        .args(["--search-cases", "0", "--format", "json"])
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&out.stderr)));
    assert_eq!(
        json["scenarios"][0]["error"],
        serde_json::Value::Null,
        "{json}"
    );
    assert!(
        json["scenarios"][0]["checks"]["integrity"]
            .as_array()
            .unwrap()
            .len()
            > 30
    );

    // A backfill that says nothing about how users map to tenants: asked, and without a terminal, named.
    let plain = tempfile::tempdir().unwrap();
    std::fs::write(
        plain.path().join("001_schema.sql"),
        "CREATE TABLE users (id int PRIMARY KEY, email text);\nCREATE TABLE notes (id int PRIMARY KEY, user_id int REFERENCES users);",
    )
    .unwrap();
    std::fs::write(
        plain.path().join("002_tenants.sql"),
        "CREATE TABLE tenants (id int PRIMARY KEY);\nALTER TABLE notes ADD COLUMN tenant_id int REFERENCES tenants;",
    )
    .unwrap();
    let out = bin()
        .arg("init")
        .arg(plain.path())
        .arg("--no-input")
        .arg("--out")
        .arg(plain.path().join("scenario"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("--group-by"), "{stderr}");
}

/// Everything a run wrote: stdout, stderr and every file under `dir`.
fn all_output(out: &std::process::Output, dir: &std::path::Path) -> String {
    let mut all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        all.push_str(&std::fs::read_to_string(e.path()).unwrap_or_default());
    }
    all
}

#[test]
fn secrets_in_a_failing_statement_or_a_failing_row_are_never_printed() {
    // Quotes, an ampersand and a '<' survive naive masking once escaped for JSON, XML or HTML.
    let jwt = r#"jwt&secret<"quoted"-0123456789"#;
    let cases = [
        (
            "ALTER DATABASE no_such_database SET \"app.jwt_secret\" TO 'jwt&secret<\"quoted\"-0123456789';",
            "jwt&secret",
        ),
        (
            "ALTER DATABASE no_such_database SET \"app.settings.jwt_secret\" TO 'unknown-to-the-harness-987654';",
            "unknown-to-the-harness",
        ),
        (
            "CREATE TABLE public.integrations (id int PRIMARY KEY, api_key text CHECK (length(api_key) < 5));\nINSERT INTO public.integrations VALUES (1, 'sk_live_0123456789abcdef');",
            "sk_live_0123",
        ),
    ];
    for (sql, leak) in cases {
        let sandbox = Sandbox::new();
        let dir = copy_scenario(Some(("99_secret.sql", sql)));
        let reports = tempfile::tempdir().unwrap();
        let out = sandbox
            .bin()
            .arg("check")
            .arg(dir.path())
            .args(["--search-cases", "0", "--out"])
            .arg(reports.path())
            .env("TENANT_HARNESS_JWT_SECRET", jwt)
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(1),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let all = all_output(&out, reports.path());
        assert!(
            all.contains("99_secret.sql"),
            "the failure is still named: {all}"
        );
        for needle in [leak.to_string(), serde_json::to_string(leak).unwrap()] {
            let needle = needle.trim_matches('"');
            assert!(!all.contains(needle), "{needle} leaked:\n{all}");
        }
        assert!(
            !all.contains("jwt&amp;secret") && !all.contains("jwt\\u0026"),
            "{all}"
        );
    }
}

#[test]
fn benchmark_flags_out_of_range_are_usage_errors_naming_the_flag() {
    for (flag, value) in [
        ("--seconds", "=-1"),
        ("--seconds", "=0"),
        ("--rate", "=0"),
        ("--rounds", "=0"),
        ("--sweep", "="),
        ("--sweep", "=1,0"),
        ("--workers", "=0"),
    ] {
        let out = bin()
            .args(["bench", "scenarios/pos-default-tenant"])
            .arg(format!("{flag}{value}"))
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{flag}{value}: {stderr}");
        assert!(stderr.contains(flag), "{flag}{value}: {stderr}");
    }
}
