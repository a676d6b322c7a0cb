//! The environment variables the library reads, so that `cargo test` can be
//! steered without code changes (the CLI's flags set the same things), read
//! as strictly as the CLI reads them: a value that does not parse is a
//! usage error naming the variable, never silently ignored.

use crate::error::{Error, Result};
use crate::provision::{Backend, Options};
use std::path::PathBuf;

/// `--backend`: auto, docker, local or url.
pub const BACKEND: &str = "TENANT_HARNESS_BACKEND";
/// `--image`: the docker backend's image.
pub const IMAGE: &str = "TENANT_HARNESS_IMAGE";
/// `--pg-bin`: where initdb and postgres are.
pub const PG_BIN: &str = "TENANT_HARNESS_PG_BIN";
/// `--database-url`: the url backend's server.
pub const DATABASE_URL: &str = "DATABASE_URL";
/// `--seed`: replays a run's data.
pub const SEED: &str = "TENANT_HARNESS_SEED";
/// The HS256 secret tokens are signed with.
pub const JWT_SECRET: &str = "TENANT_HARNESS_JWT_SECRET";
/// `--replay`: the leak search's seed.
pub const REPLAY: &str = "TENANT_HARNESS_REPLAY";
/// Set to 1 to never pull images (air-gapped machines).
pub const NO_PULL: &str = "TENANT_HARNESS_NO_PULL";

/// `--data-dir`: where the local backend's data directory goes.
pub const DATA_DIR: &str = crate::provision::local::DATA_DIR_ENV;

/// `--statement-timeout`: seconds one statement of a SQL file may run.
pub const STATEMENT_TIMEOUT: &str = "TENANT_HARNESS_STATEMENT_TIMEOUT";

/// What the environment sets for a run.
#[derive(Debug, Clone)]
pub struct FromEnv {
    /// Where PostgreSQL comes from.
    pub options: Options,
    /// `TENANT_HARNESS_SEED`.
    pub seed: Option<u64>,
    /// `TENANT_HARNESS_JWT_SECRET`.
    pub jwt_secret: Option<String>,
    /// `TENANT_HARNESS_REPLAY`.
    pub replay: Option<u64>,
    /// `TENANT_HARNESS_STATEMENT_TIMEOUT`, else the default.
    pub statement_timeout: std::time::Duration,
}

/// Reads the environment; a malformed value is an error naming the variable.
pub fn read() -> Result<FromEnv> {
    read_with(|k| std::env::var(k).ok())
}

/// [`read`] over any source of variables (tests use a map).
pub fn read_with(get: impl Fn(&str) -> Option<String>) -> Result<FromEnv> {
    let var = |k: &str| get(k).filter(|v| !v.is_empty());
    let number = |k: &str| -> Result<Option<u64>> {
        var(k)
            .map(|v| {
                v.parse::<u64>().map_err(|_| {
                    Error::Usage(format!("{k}={v}: not a whole number; unset it or give one"))
                })
            })
            .transpose()
    };
    let mut options = Options::default();
    if let Some(b) = var(BACKEND) {
        options.backend = b
            .parse::<Backend>()
            .map_err(|e| Error::Usage(format!("{BACKEND}: {e}")))?;
    }
    if let Some(i) = var(IMAGE) {
        options.image = i;
    }
    options.pg_bin = var(PG_BIN).map(PathBuf::from);
    options.database_url = var(DATABASE_URL);
    options.data_dir = var(DATA_DIR).map(PathBuf::from);
    options.pull = match var(NO_PULL).as_deref() {
        None | Some("0") | Some("false") => true,
        Some("1") | Some("true") => false,
        Some(v) => {
            return Err(Error::Usage(format!(
                "{NO_PULL}={v}: give 1 (never pull) or 0"
            )))
        }
    };
    Ok(FromEnv {
        options,
        seed: number(SEED)?,
        jwt_secret: var(JWT_SECRET),
        replay: number(REPLAY)?,
        statement_timeout: match number(STATEMENT_TIMEOUT)? {
            Some(0) => {
                return Err(Error::Usage(format!(
                    "{STATEMENT_TIMEOUT}=0: give the seconds a statement may run (at least 1)"
                )))
            }
            Some(s) => std::time::Duration::from_secs(s),
            None => crate::migrate::DEFAULT_STATEMENT_TIMEOUT,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn read_map(pairs: &[(&str, &str)]) -> Result<FromEnv> {
        let m: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        read_with(|k| m.get(k).cloned())
    }

    #[test]
    fn good_values_are_read() {
        let e = read_map(&[(BACKEND, "Local"), (SEED, "7"), (NO_PULL, "1")]).unwrap();
        assert_eq!(e.options.backend, Backend::Local);
        assert_eq!(e.seed, Some(7));
        assert!(!e.options.pull);
        assert!(read_map(&[]).unwrap().options.pull);
    }

    #[test]
    fn malformed_values_name_their_variable() {
        for (k, v) in [
            (BACKEND, "podman"),
            (SEED, "abc"),
            (REPLAY, "-1"),
            (NO_PULL, "yes"),
        ] {
            let e = read_map(&[(k, v)]).unwrap_err();
            assert!(matches!(e, Error::Usage(_)), "{k}");
            assert!(e.to_string().contains(k), "{k}: {e}");
        }
    }
}
