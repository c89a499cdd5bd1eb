//! Intervals at 95%: Wilson for a proportion, and for a difference of two proportions either
//! paired (the same rollouts under two settings, common random numbers) or unpaired.

use serde::{Deserialize, Serialize};

use crate::stats::wilson;

/// z for a two-sided 95% interval.
pub const Z95: f64 = 1.959_963_984_540_054;

/// A figure with its 95% interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Estimate {
    pub value: f64,
    pub lo: f64,
    pub hi: f64,
}

impl Estimate {
    pub fn width(&self) -> f64 {
        self.hi - self.lo
    }
}

/// `k` of `n` with its Wilson score interval.
pub fn proportion(k: u64, n: u64) -> Estimate {
    let (lo, hi) = wilson(k, n);
    Estimate { value: k as f64 / n.max(1) as f64, lo, hi }
}

/// The mean of `b[i] − a[i]` over paired 0/1 indicators, ± z·sd(d)/√N, where sd is the sample
/// standard deviation of the per-rollout differences d. With common random numbers a and b are
/// positively correlated and this interval is narrower than the unpaired one.
pub fn paired_difference(a: &[bool], b: &[bool]) -> Estimate {
    assert_eq!(a.len(), b.len(), "paired samples have the same length");
    let n = a.len() as f64;
    if a.is_empty() {
        return Estimate { value: 0.0, lo: -1.0, hi: 1.0 };
    }
    let (mut sum, mut discordant) = (0i64, 0u64);
    for (&x, &y) in a.iter().zip(b) {
        let d = y as i64 - x as i64;
        sum += d;
        discordant += (d != 0) as u64;
    }
    let mean = sum as f64 / n;
    // Σd² is the number of discordant pairs, since each d is −1, 0 or 1.
    let var = if n > 1.0 { ((discordant as f64 - n * mean * mean) / (n - 1.0)).max(0.0) } else { 0.0 };
    let half = Z95 * (var / n).sqrt();
    Estimate { value: mean, lo: mean - half, hi: mean + half }
}

/// `pb − pa` for two independent samples of `na` and `nb`, ± z·√(pa(1−pa)/na + pb(1−pb)/nb).
pub fn unpaired_difference(pa: f64, na: u64, pb: f64, nb: u64) -> Estimate {
    let var = pa * (1.0 - pa) / na.max(1) as f64 + pb * (1.0 - pb) / nb.max(1) as f64;
    let half = Z95 * var.sqrt();
    let d = pb - pa;
    Estimate { value: d, lo: d - half, hi: d + half }
}

/// A number with one decimal and an explicit sign (− for negatives, + for positives), as
/// differences in percentage points are printed.
pub fn signed(v: f64) -> String {
    let r = (v * 10.0).round() / 10.0;
    if r == 0.0 {
        "0.0".into()
    } else if r < 0.0 {
        format!("−{:.1}", -r)
    } else {
        format!("+{r:.1}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signs() {
        assert_eq!(signed(-3.04), "−3.0");
        assert_eq!(signed(0.04), "0.0");
        assert_eq!(signed(12.25), "+12.3");
    }

    #[test]
    fn paired_interval_of_known_differences() {
        // d = (1, 0, 0, −1, 1, 1, 0, 0): mean 0.25, sample variance (4 − 8·0.0625)/7 = 0.5.
        let a = [false, true, false, true, false, false, true, false];
        let b = [true, true, false, false, true, true, true, false];
        let e = paired_difference(&a, &b);
        assert!((e.value - 0.25).abs() < 1e-12);
        let half = Z95 * (0.5f64 / 8.0).sqrt();
        assert!((e.hi - e.value - half).abs() < 1e-12, "{e:?}");
    }

    #[test]
    fn identical_samples_have_a_zero_width_interval() {
        let a = [true, false, true];
        let e = paired_difference(&a, &a);
        assert_eq!((e.value, e.lo, e.hi), (0.0, 0.0, 0.0));
    }

    /// A proportion is k/n with `stats::wilson`'s interval (tested against Newcombe's table
    /// there); its width is hi − lo.
    #[test]
    fn a_proportion_and_its_width() {
        let e = proportion(15, 148);
        assert_eq!(e.value, 15.0 / 148.0);
        assert_eq!((e.lo, e.hi), wilson(15, 148));
        assert_eq!(e.width(), e.hi - e.lo);
        assert_eq!(proportion(0, 0).value, 0.0);
    }

    /// No pairs: the whole range of a difference; one pair: no spread to estimate.
    #[test]
    fn paired_intervals_of_no_and_one_pair() {
        assert_eq!(paired_difference(&[], &[]), Estimate { value: 0.0, lo: -1.0, hi: 1.0 });
        assert_eq!(paired_difference(&[false], &[true]), Estimate { value: 1.0, lo: 1.0, hi: 1.0 });
        // Two discordant pairs of opposite signs: mean 0, variance (2 − 0)/1 = 2.
        let e = paired_difference(&[true, false], &[false, true]);
        let half = Z95 * (2.0f64 / 2.0).sqrt();
        assert_eq!(e.value, 0.0);
        assert!((e.hi - half).abs() < 1e-12 && (e.lo + half).abs() < 1e-12, "{e:?}");
    }

    #[test]
    fn unpaired_with_unequal_samples() {
        // 0.2 of 400 against 0.5 of 100: var = 0.16/400 + 0.25/100 = 0.0029.
        let e = unpaired_difference(0.2, 400, 0.5, 100);
        assert!((e.value - 0.3).abs() < 1e-12);
        assert!((e.hi - e.value - Z95 * 0.0029f64.sqrt()).abs() < 1e-12, "{e:?}");
        assert!((e.value - e.lo - Z95 * 0.0029f64.sqrt()).abs() < 1e-12, "{e:?}");
        // An empty sample counts as one, so nothing divides by zero.
        assert!(unpaired_difference(0.5, 0, 0.5, 0).hi.is_finite());
    }

    #[test]
    fn signs_round_to_one_decimal() {
        assert_eq!(signed(-0.04), "0.0");
        assert_eq!(signed(-0.05), "−0.1");
        assert_eq!(signed(0.06), "+0.1");
        assert_eq!(signed(7.0), "+7.0");
    }

    #[test]
    fn unpaired_is_symmetric_around_the_difference() {
        let e = unpaired_difference(0.5, 100, 0.6, 100);
        assert!((e.value - 0.1).abs() < 1e-12);
        assert!(((e.hi - e.value) - (e.value - e.lo)).abs() < 1e-12);
        assert!((e.hi - e.value - Z95 * (0.49f64 / 100.0).sqrt()).abs() < 1e-12);
    }
}
