//! Progress on stderr while a run works: one spinner naming the pipeline
//! step (provisioning, seeding, migrating, checking, benchmarking) and how
//! long the run has taken.
//!
//! It draws only for a person: when stderr is a terminal and no CI
//! variable is set. Otherwise it is hidden and the few lines worth keeping
//! in a log (the seed and how to replay it) go to stderr as plain lines, so
//! CI logs stay readable and `cargo test` output is not garbled.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::time::Duration;

/// A handle on the run's spinner; cheap to clone, every clone drives the same one.
#[derive(Clone, Debug)]
pub struct Progress {
    bar: ProgressBar,
}

impl Default for Progress {
    fn default() -> Self {
        Progress::hidden()
    }
}

impl Progress {
    /// Visible when stderr is a terminal and neither `CI` nor `NO_PROGRESS`
    /// is set (the CLI's choice); hidden otherwise.
    pub fn auto() -> Progress {
        let quiet = ["CI", "NO_PROGRESS"]
            .iter()
            .any(|v| std::env::var_os(v).is_some_and(|s| !s.is_empty()));
        if std::io::stderr().is_terminal() && !quiet {
            Progress::visible()
        } else {
            Progress::hidden()
        }
    }

    /// Never draws (the library's default: tests print their own output).
    pub fn hidden() -> Progress {
        Progress {
            bar: ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden()),
        }
    }

    fn visible() -> Progress {
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template(
                "{spinner:.cyan} [{elapsed:>4}] {prefix:.bold} {wide_msg}",
            )
            .expect("valid template"),
        );
        bar.enable_steady_tick(Duration::from_millis(120));
        Progress { bar }
    }

    /// Whether anything is drawn.
    pub fn is_visible(&self) -> bool {
        !self.bar.is_hidden()
    }

    /// Names the scenario shown in front of each step, and the step.
    pub fn scenario_step(&self, name: &str, what: impl Into<String>) {
        self.bar.set_prefix(name.to_string());
        self.step(what);
    }

    /// The step the run is in now, e.g. `seeding`.
    pub fn step(&self, what: impl Into<String>) {
        if self.is_visible() && self.bar.is_finished() {
            // A second scenario in the same command draws on the same line again.
            self.bar.reset();
            self.bar.enable_steady_tick(Duration::from_millis(120));
        }
        self.bar.set_message(what.into());
    }

    /// A line worth keeping in a log (the seed, how to replay): above the
    /// spinner when it is drawn, plain on stderr when it is not.
    pub fn note(&self, line: impl AsRef<str>) {
        if self.is_visible() {
            self.bar.suspend(|| eprintln!("{}", line.as_ref()));
        } else {
            eprintln!("{}", line.as_ref());
        }
    }

    /// A step worth a line in a CI log too (a benchmark query starting):
    /// the spinner's message when drawn, a plain stderr line when not.
    pub fn status(&self, line: impl Into<String>) {
        let line = line.into();
        if self.is_visible() {
            self.step(line);
        } else {
            eprintln!("tenant-harness: {line}");
        }
    }

    /// Clears the spinner (the report follows on stdout).
    pub fn done(&self) {
        self.bar.set_message("");
        if self.is_visible() {
            self.bar.finish_and_clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hidden_progress_draws_nothing_and_accepts_every_call() {
        let p = Progress::hidden();
        p.scenario_step("s", "provisioning");
        p.step("seeding");
        p.done();
        assert!(!p.is_visible());
    }
}
