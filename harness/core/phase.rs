//! A timed step of the pipeline, as every report lists them.

use serde::Serialize;
use std::time::{Duration, Instant};

/// One timed phase of the pipeline.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct Phase {
    /// Pipeline step, e.g. `seed`.
    pub name: String,
    #[serde(with = "crate::core::millis")]
    /// Wall-clock time.
    pub elapsed: Duration,
}

impl Phase {
    /// The phase `name`, which started at `t` and ends now.
    pub fn since(name: &str, t: Instant) -> Phase {
        Phase {
            name: name.into(),
            elapsed: t.elapsed(),
        }
    }
}
