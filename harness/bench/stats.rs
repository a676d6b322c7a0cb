//! The overhead ratio and its confidence interval.
//!
//! Each round measures one before slice and one after slice back to back,
//! so each round's ratio has the machine's drift of that moment in both its
//! numerator and denominator. Ratios multiply, so the interval is taken on
//! their logarithms (a Student t interval over the rounds) and mapped back:
//! 2× slower and 2× faster sit at the same distance from 1.

use serde::Serialize;

/// A ratio with its 95 % interval.
#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
pub struct Interval {
    /// Geometric mean of the rounds' ratios.
    pub estimate: f64,
    /// Lower bound of the 95 % interval.
    pub low: f64,
    /// Upper bound of the 95 % interval.
    pub high: f64,
}

impl Interval {
    /// Half-width of the interval relative to the estimate, e.g. 0.03 for ±3 %.
    pub fn relative_half_width(&self) -> f64 {
        (self.high - self.low) / 2.0 / self.estimate
    }
}

/// Two-sided 95 % Student t quantile for `dof` degrees of freedom.
fn t95(dof: usize) -> f64 {
    const TABLE: [f64; 30] = [
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160,
        2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056,
        2.052, 2.048, 2.045, 2.042,
    ];
    match dof {
        0 => f64::INFINITY,
        d if d <= 30 => TABLE[d - 1],
        _ => 1.96,
    }
}

/// The interval of the per-round ratios `ratios` (each after ÷ before).
pub fn ratio_interval(ratios: &[f64]) -> Interval {
    let logs: Vec<f64> = ratios
        .iter()
        .filter(|r| r.is_finite() && **r > 0.0)
        .map(|r| r.ln())
        .collect();
    let n = logs.len();
    if n == 0 {
        return Interval {
            estimate: f64::NAN,
            low: f64::NAN,
            high: f64::NAN,
        };
    }
    let mean = logs.iter().sum::<f64>() / n as f64;
    let var = if n > 1 {
        logs.iter().map(|l| (l - mean).powi(2)).sum::<f64>() / (n - 1) as f64
    } else {
        0.0
    };
    let half = t95(n - 1) * (var / n as f64).sqrt();
    let half = if half.is_finite() {
        half
    } else {
        f64::MAX.ln()
    };
    Interval {
        estimate: mean.exp(),
        low: (mean - half).exp(),
        high: (mean + half).exp(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_ratios_have_a_tight_interval_and_spread_ones_a_wide_one() {
        let same = ratio_interval(&[2.0, 2.0, 2.0]);
        assert!((same.estimate - 2.0).abs() < 1e-9 && (same.high - same.low).abs() < 1e-9);
        let spread = ratio_interval(&[1.0, 4.0]);
        assert!((spread.estimate - 2.0).abs() < 1e-9);
        assert!(spread.low < 0.1 && spread.high > 40.0, "{spread:?}");
        let symmetric = ratio_interval(&[0.5, 2.0]);
        assert!((symmetric.estimate - 1.0).abs() < 1e-9);
        assert!((symmetric.low * symmetric.high - 1.0).abs() < 1e-9);
    }
}
