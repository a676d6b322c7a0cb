//! Reporters: what a command found, rendered for a person (`human`), a
//! program (`json`), a CI system (`junit`) or a pull request (`markdown`),
//! plus an HTML page with plots. Reporters only read a [`Document`]; the
//! runner never formats, so a new format touches nothing upstream.
//!
//! Every rendering passes through a [`Redactor`] last, so the run's secrets
//! cannot reach a file or a terminal whatever a check put in a message.

pub mod cases;
pub mod html;
pub mod junit;
pub mod markdown;
pub mod summary;

#[cfg(test)]
pub(crate) mod snapshots;

use crate::bench::LoadReport;
use crate::error::{exit, Error, Result};
use crate::redact::Redactor;
use crate::report::Report;
use serde::Serialize;
use std::path::{Path, PathBuf};

/// Version of the JSON document's shape ([`Document`]). Additions of fields
/// keep the version; renaming or removing one raises it.
pub const FORMAT_VERSION: u32 = 1;

/// Everything one command found, over every scenario it ran: the input of
/// every reporter, and the JSON format as it is written.
#[derive(Debug, Clone, Serialize)]
pub struct Document {
    /// [`FORMAT_VERSION`].
    pub format_version: u32,
    /// `tenant-harness` and its version.
    pub tool: String,
    /// The command: `run`, `check`, `audit` or `bench`.
    pub command: String,
    /// `fail` when a scenario failed or could not be judged; else `undecided`
    /// when a check could not decide something; else `pass`.
    pub verdict: String,
    /// The process's exit code (see README: Exit codes).
    pub exit_code: i32,
    /// One entry per scenario, in the order they ran.
    pub scenarios: Vec<Outcome>,
}

/// What one scenario came to.
#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    /// The scenario's folder as given.
    pub dir: String,
    /// The checks' report, when checks ran.
    pub checks: Option<Report>,
    /// The load benchmark's report, when it ran.
    pub bench: Option<LoadReport>,
    /// Why the scenario could not be judged (bad scenario, no server, a failing statement).
    pub error: Option<RunError>,
    /// The scenario's verdict over its checks *and* its benchmark: `fail`,
    /// `undecided` or `pass` (set by [`Document::new`]).
    pub verdict: String,
}

/// An error that stopped a scenario before its verdict.
#[derive(Debug, Clone, Serialize)]
pub struct RunError {
    /// The message: file, line, statement and fix.
    pub message: String,
    /// Its exit code (1, 2 or 3).
    pub exit_code: i32,
}

impl From<&Error> for RunError {
    fn from(e: &Error) -> Self {
        RunError {
            message: e.to_string(),
            exit_code: e.exit_code(),
        }
    }
}

impl Outcome {
    /// An outcome for the scenario in `dir`, with nothing yet.
    pub fn new(dir: &Path) -> Outcome {
        Outcome {
            dir: dir.display().to_string(),
            checks: None,
            bench: None,
            error: None,
            verdict: String::new(),
        }
    }

    /// Whether its checks left something undecided.
    pub fn undecided(&self) -> bool {
        self.checks
            .as_ref()
            .is_some_and(|r| !r.undecided.is_empty())
    }

    /// The scenario's name (its folder's when it never loaded).
    pub fn name(&self) -> String {
        self.checks
            .as_ref()
            .map(|r| r.scenario.clone())
            .or_else(|| self.bench.as_ref().map(|b| b.scenario.clone()))
            .unwrap_or_else(|| {
                Path::new(&self.dir)
                    .file_name()
                    .map_or_else(|| self.dir.clone(), |n| n.to_string_lossy().into_owned())
            })
    }

    /// This scenario's exit code: the error's, else 1 on any failure, else 0.
    pub fn exit_code(&self) -> i32 {
        if let Some(e) = &self.error {
            return e.exit_code;
        }
        let failed = self.checks.as_ref().is_some_and(|r| !r.passed())
            || self.bench.as_ref().is_some_and(|b| !b.passed());
        if failed {
            exit::FINDINGS
        } else {
            exit::OK
        }
    }
}

impl Document {
    /// A document for `command` over `scenarios`; the verdict and exit code
    /// follow from them (the highest code wins: an environment error over a finding).
    pub fn new(command: &str, mut scenarios: Vec<Outcome>) -> Document {
        for o in &mut scenarios {
            o.verdict = match o.exit_code() {
                exit::OK if o.undecided() => "undecided",
                exit::OK => "pass",
                _ => "fail",
            }
            .into();
        }
        let exit_code = scenarios
            .iter()
            .map(Outcome::exit_code)
            .max()
            .unwrap_or(exit::OK);
        Document {
            format_version: FORMAT_VERSION,
            tool: format!("tenant-harness {}", env!("CARGO_PKG_VERSION")),
            command: command.into(),
            verdict: match exit_code {
                exit::OK if scenarios.iter().any(Outcome::undecided) => "undecided",
                exit::OK => "pass",
                _ => "fail",
            }
            .into(),
            exit_code,
            scenarios,
        }
    }

    /// Whether every scenario passed.
    pub fn passed(&self) -> bool {
        self.exit_code == exit::OK
    }
}

/// The format written to stdout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// The full report for a person, then a summary table.
    Human,
    /// The [`Document`] as JSON (`format_version` 1).
    Json,
    /// JUnit XML: one test case per check and subject.
    Junit,
    /// GitHub-flavoured Markdown: a summary table and the failures.
    Markdown,
}

impl Format {
    /// Every format, as named on a command line or in `TENANT_HARNESS_FORMAT`.
    pub const NAMES: &'static [&'static str] = &["human", "json", "junit", "markdown"];
}

impl std::str::FromStr for Format {
    type Err = crate::Error;

    /// `human`, `json`, `junit` or `markdown` (any case).
    fn from_str(s: &str) -> Result<Format, crate::Error> {
        match s.to_ascii_lowercase().as_str() {
            "human" => Ok(Format::Human),
            "json" => Ok(Format::Json),
            "junit" => Ok(Format::Junit),
            "markdown" => Ok(Format::Markdown),
            _ => Err(crate::Error::Usage(format!(
                "no format `{s}`: give one of {}",
                Format::NAMES.join(", ")
            ))),
        }
    }
}

/// `doc` rendered as `format`, secrets masked. `color` only affects `human`.
pub fn render(doc: &Document, format: Format, redactor: &Redactor, color: bool) -> String {
    let text = match format {
        Format::Human => human(doc, color),
        Format::Json => serde_json::to_string_pretty(doc).expect("the document serialises") + "\n",
        Format::Junit => junit::render(doc),
        Format::Markdown => markdown::render(doc),
    };
    redactor.apply(&text)
}

/// Each scenario's full report, then the summary table.
fn human(doc: &Document, color: bool) -> String {
    let mut out = String::new();
    for o in &doc.scenarios {
        if let Some(r) = &o.checks {
            out.push_str(&r.human());
            out.push('\n');
        }
        if let Some(b) = &o.bench {
            out.push_str(&b.human());
            out.push('\n');
        }
        if let Some(e) = &o.error {
            out.push_str(&format!("{}: error: {}\n\n", o.name(), e.message));
        }
    }
    let benches: Vec<LoadReport> = doc
        .scenarios
        .iter()
        .filter_map(|o| o.bench.clone())
        .collect();
    if benches.len() > 1 {
        out.push_str(&crate::bench::report::compare(&benches));
        out.push('\n');
    }
    out.push_str(&summary::table(doc, color));
    out
}

/// Writes every format into `dir` (created if missing): `report.json`,
/// `junit.xml`, `report.md` and `report.html`. Returns the files written.
pub fn write_dir(doc: &Document, dir: &Path, redactor: &Redactor) -> Result<Vec<PathBuf>> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| Error::Io { path, source }
    };
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let files = [
        ("report.json", render(doc, Format::Json, redactor, false)),
        ("junit.xml", render(doc, Format::Junit, redactor, false)),
        ("report.md", render(doc, Format::Markdown, redactor, false)),
        ("report.html", redactor.apply(&html::render(doc))),
    ];
    let mut written = Vec::new();
    for (name, text) in files {
        let path = dir.join(name);
        std::fs::write(&path, text).map_err(io(&path))?;
        written.push(path);
    }
    Ok(written)
}

/// Appends the Markdown summary to the file `GITHUB_STEP_SUMMARY` names,
/// when it is set (GitHub Actions shows it on the run's page).
pub fn append_step_summary(doc: &Document, redactor: &Redactor) -> Result<Option<PathBuf>> {
    let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|p| !p.is_empty()) else {
        return Ok(None);
    };
    let path = PathBuf::from(path);
    use std::io::Write as _;
    let text = render(doc, Format::Markdown, redactor, false);
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .and_then(|mut f| f.write_all(text.as_bytes()))
        .map_err(|source| Error::Io {
            path: path.clone(),
            source,
        })?;
    Ok(Some(path))
}
