//! Who owns which row, and which key each row has, computed rather than
//! remembered.
//!
//! Seeding 10 M rows must not keep 10 M keys in memory, yet a child row
//! needs the key of a parent row with the same owner. So nothing is stored:
//! row `i` of a table has a key derived from (seed, table, i), and owners
//! get contiguous ranges of a seeded permutation of the row numbers, sized
//! by the owner distribution (uniform, or Zipf because real tenants are
//! skewed). A child of owner `o` picks a position in `o`'s range and maps it
//! back to a row number with the inverse permutation. Memory is
//! O(owners × tables), whatever the row count.

use crate::rng::Rng;
use rand::seq::SliceRandom;
use rand::Rng as _;

/// How rows spread over owners.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Distribution {
    /// Every owner gets about as many rows.
    Uniform,
    /// Owner of rank k gets a share proportional to 1 / k^s.
    Zipf {
        /// The exponent; 1.0 is the classic Zipf law.
        s: f64,
    },
}

/// Per-owner weights in a seeded order, so the largest owner is not always the first.
pub fn weights(owners: usize, dist: Distribution, rng: &mut Rng) -> Vec<f64> {
    let mut w: Vec<f64> = match dist {
        Distribution::Uniform => vec![1.0; owners],
        Distribution::Zipf { s } => (0..owners)
            .map(|k| 1.0 / ((k + 1) as f64).powf(s))
            .collect(),
    };
    w.shuffle(rng);
    w
}

/// The rows of one table laid out over owners.
#[derive(Debug, Clone)]
pub struct TableLayout {
    rows: u64,
    /// `starts[o]..starts[o + 1]` are owner `o`'s positions.
    starts: Vec<u64>,
    perm: AffinePermutation,
}

impl TableLayout {
    /// `rows` rows shared by owners in proportion to `weights` (largest
    /// remainder, so the counts add up exactly), shuffled by `rng`.
    pub fn new(rows: u64, weights: &[f64], rng: &mut Rng) -> TableLayout {
        let total: f64 = weights.iter().sum();
        let exact: Vec<f64> = weights
            .iter()
            .map(|w| {
                if total > 0.0 {
                    rows as f64 * w / total
                } else {
                    0.0
                }
            })
            .collect();
        let mut counts: Vec<u64> = exact.iter().map(|x| x.floor() as u64).collect();
        let mut left = rows - counts.iter().sum::<u64>();
        let mut by_remainder: Vec<usize> = (0..weights.len()).collect();
        by_remainder.sort_by(|&a, &b| {
            (exact[b] - exact[b].floor())
                .total_cmp(&(exact[a] - exact[a].floor()))
                .then(a.cmp(&b))
        });
        for &o in by_remainder.iter().cycle().take(weights.len().max(1) * 2) {
            if left == 0 || weights.is_empty() {
                break;
            }
            counts[o] += 1;
            left -= 1;
        }
        let mut starts = Vec::with_capacity(counts.len() + 1);
        let mut acc = 0;
        starts.push(0);
        for c in counts {
            acc += c;
            starts.push(acc);
        }
        TableLayout {
            rows,
            starts,
            perm: AffinePermutation::new(rows, rng),
        }
    }

    /// One row per owner, row `o` belonging to owner `o` (the users table).
    pub fn identity(owners: u64) -> TableLayout {
        TableLayout {
            rows: owners,
            starts: (0..=owners).collect(),
            perm: AffinePermutation::identity(owners),
        }
    }

    /// Number of rows.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// The owner of row `i`.
    pub fn owner_of(&self, i: u64) -> usize {
        let p = self.perm.apply(i);
        self.starts.partition_point(|&s| s <= p) - 1
    }

    /// How many rows owner `o` has.
    pub fn count_of(&self, o: usize) -> u64 {
        self.starts.get(o + 1).map_or(0, |end| end - self.starts[o])
    }

    /// A random row of owner `o`, or `None` if `o` has none.
    pub fn pick_of(&self, o: usize, rng: &mut Rng) -> Option<u64> {
        let n = self.count_of(o);
        (n > 0).then(|| self.perm.invert(self.starts[o] + rng.random_range(0..n)))
    }

    /// A random row of any owner, or `None` if the table is empty.
    pub fn pick_any(&self, rng: &mut Rng) -> Option<u64> {
        (self.rows > 0).then(|| rng.random_range(0..self.rows))
    }
}

/// `i ↦ (a·i + b) mod n` with `gcd(a, n) = 1`: a bijection on `0..n` that
/// scatters consecutive row numbers, with a cheap inverse.
#[derive(Debug, Clone, Copy)]
struct AffinePermutation {
    n: u64,
    a: u64,
    b: u64,
    a_inv: u64,
}

impl AffinePermutation {
    fn new(n: u64, rng: &mut Rng) -> AffinePermutation {
        if n <= 1 {
            return AffinePermutation::identity(n);
        }
        loop {
            let a = rng.random_range(1..n);
            if gcd(a, n) == 1 {
                let b = rng.random_range(0..n);
                return AffinePermutation {
                    n,
                    a,
                    b,
                    a_inv: mod_inverse(a, n),
                };
            }
        }
    }

    fn identity(n: u64) -> AffinePermutation {
        AffinePermutation {
            n,
            a: 1,
            b: 0,
            a_inv: 1,
        }
    }

    fn apply(&self, i: u64) -> u64 {
        if self.n <= 1 {
            return i;
        }
        ((self.a as u128 * i as u128 + self.b as u128) % self.n as u128) as u64
    }

    fn invert(&self, p: u64) -> u64 {
        if self.n <= 1 {
            return p;
        }
        let shifted = (p as u128 + self.n as u128 - self.b as u128) % self.n as u128;
        ((shifted * self.a_inv as u128) % self.n as u128) as u64
    }
}

fn gcd(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// `a⁻¹ mod n` for `gcd(a, n) = 1` (extended Euclid).
fn mod_inverse(a: u64, n: u64) -> u64 {
    let (mut t, mut new_t) = (0i128, 1i128);
    let (mut r, mut new_r) = (n as i128, a as i128);
    while new_r != 0 {
        let q = r / new_r;
        (t, new_t) = (new_t, t - q * new_t);
        (r, new_r) = (new_r, r - q * new_r);
    }
    (if t < 0 { t + n as i128 } else { t }) as u64
}

/// A 128-bit value derived from (seed, label, i): row keys that any table
/// can recompute without storing them. SplitMix64 finalisers, twice.
pub fn derived_bits(seed: u64, label: &str, i: u64) -> [u8; 16] {
    let base = seed ^ crate::rng::label_hash(label);
    let hi = splitmix(base.wrapping_add(i.wrapping_mul(2)));
    let lo = splitmix(base.wrapping_add(i.wrapping_mul(2)).wrapping_add(1));
    let mut out = [0u8; 16];
    out[..8].copy_from_slice(&hi.to_le_bytes());
    out[8..].copy_from_slice(&lo.to_le_bytes());
    out
}

fn splitmix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::stream;

    #[test]
    fn the_permutation_is_a_bijection_with_its_inverse() {
        let mut rng = stream(3, "t");
        for n in [1u64, 2, 7, 100, 1000, 1024] {
            let p = AffinePermutation::new(n, &mut rng);
            let mut seen = vec![false; n as usize];
            for i in 0..n {
                let x = p.apply(i);
                assert!(!seen[x as usize]);
                seen[x as usize] = true;
                assert_eq!(p.invert(x), i);
            }
        }
    }

    #[test]
    fn owners_get_their_share_and_picks_stay_with_the_owner() {
        let mut rng = stream(4, "t");
        let w = weights(10, Distribution::Zipf { s: 1.0 }, &mut rng);
        let layout = TableLayout::new(10_000, &w, &mut rng);
        let total: u64 = (0..10).map(|o| layout.count_of(o)).sum();
        assert_eq!(total, 10_000);
        let biggest = (0..10).map(|o| layout.count_of(o)).max().unwrap();
        let smallest = (0..10).map(|o| layout.count_of(o)).min().unwrap();
        assert!(
            biggest > 5 * smallest,
            "Zipf is skewed: {biggest} vs {smallest}"
        );
        let mut counted = [0u64; 10];
        for i in 0..10_000 {
            counted[layout.owner_of(i)] += 1;
        }
        assert!((0..10).all(|o| counted[o] == layout.count_of(o)));
        for o in 0..10 {
            for _ in 0..50 {
                let i = layout.pick_of(o, &mut rng).unwrap();
                assert_eq!(layout.owner_of(i), o);
            }
        }
    }

    #[test]
    fn uniform_shares_differ_by_at_most_one_and_keys_are_stable() {
        let mut rng = stream(5, "t");
        let w = weights(7, Distribution::Uniform, &mut rng);
        let layout = TableLayout::new(100, &w, &mut rng);
        let counts: Vec<u64> = (0..7).map(|o| layout.count_of(o)).collect();
        assert!(
            counts.iter().max().unwrap() - counts.iter().min().unwrap() <= 1,
            "{counts:?}"
        );
        assert_eq!(derived_bits(1, "a", 5), derived_bits(1, "a", 5));
        assert_ne!(derived_bits(1, "a", 5), derived_bits(1, "b", 5));
        assert_ne!(derived_bits(1, "a", 5), derived_bits(1, "a", 6));
        let id = TableLayout::identity(4);
        assert!((0..4)
            .all(|o| id.owner_of(o) == o as usize && id.pick_of(o as usize, &mut rng) == Some(o)));
    }
}
