//! How long and how hard the load benchmark measures.

use super::driver::Load;
use crate::scenario::Scenario;

/// How a load run goes (from `[bench]`, overridden by flags).
#[derive(Debug, Clone, serde::Serialize)]
pub struct Settings {
    /// Closed-loop workers (and open-loop connections).
    pub workers: usize,
    /// Seconds per measured slice.
    pub seconds: f64,
    /// Before/after pairs per query.
    pub rounds: usize,
    /// Unrecorded seconds per form before its first slice.
    pub warmup_seconds: f64,
    /// Open loop at this many requests per second instead of a closed loop.
    pub rate: Option<f64>,
    /// Worker counts of the concurrency sweep (empty: no sweep).
    pub sweep: Vec<usize>,
    /// Seed of every random choice (which actor, which row).
    pub seed: u64,
    /// Independent runs of the rounds per query, to show that runs agree.
    pub repeat: usize,
}

impl Settings {
    /// The scenario's `[bench]` settings with `seed`.
    pub fn from_scenario(scenario: &Scenario, seed: u64) -> Settings {
        let b = &scenario.bench;
        Settings {
            workers: b.workers,
            seconds: b.seconds,
            rounds: b.rounds,
            warmup_seconds: b.warmup_seconds,
            rate: None,
            sweep: Vec::new(),
            seed,
            repeat: 1,
        }
    }

    pub(crate) fn load(&self) -> Load {
        match self.rate {
            Some(rate) => Load::Open { rate },
            None => Load::Closed {
                workers: self.workers,
            },
        }
    }
}
