//! Deterministic random streams.
//!
//! Every consumer (the user list, each table) gets its own ChaCha stream
//! derived from the one run seed and a stable label. ChaCha8 is specified
//! and portable, unlike `StdRng`, so a printed seed replays the same data on
//! any machine and any version of `rand`.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// The generator every stream uses.
pub type Rng = ChaCha8Rng;

/// A stream for `label` under the run seed `seed`.
pub fn stream(seed: u64, label: &str) -> Rng {
    ChaCha8Rng::seed_from_u64(seed ^ label_hash(label))
}

/// A stable 64-bit hash of `label` (FNV-1a: unlike `DefaultHasher`, the
/// same across Rust releases, so a printed seed replays everywhere).
pub fn label_hash(label: &str) -> u64 {
    fnv1a(label.as_bytes())
}

fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng as _;

    #[test]
    fn same_seed_and_label_replay_the_same_stream() {
        let draw = |label: &str| {
            let mut r = stream(7, label);
            (0..8).map(|_| r.random::<u32>()).collect::<Vec<_>>()
        };
        assert_eq!(draw("clients"), draw("clients"));
        assert_ne!(draw("clients"), draw("orders"));
    }
}
