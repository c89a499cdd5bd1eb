//! Streaming statistics over rollouts in constant memory: counts, means, fixed-width histograms
//! for quantiles, and Wilson intervals.

/// A fixed-width histogram over [lo, lo + width × bins), with counts below and above.
#[derive(Debug, Clone)]
pub struct Histogram {
    pub lo: f64,
    pub width: f64,
    counts: Vec<u32>,
    below: u64,
    above: u64,
    total: u64,
}

impl Histogram {
    pub fn new(lo: f64, hi: f64, bins: usize) -> Histogram {
        let width = ((hi - lo) / bins as f64).max(f64::MIN_POSITIVE);
        Histogram { lo, width, counts: vec![0; bins], below: 0, above: 0, total: 0 }
    }

    pub fn add(&mut self, x: f64) {
        self.total += 1;
        let pos = (x - self.lo) / self.width;
        if pos < 0.0 || pos.is_nan() {
            self.below += 1;
        } else if pos as usize >= self.counts.len() {
            self.above += 1;
        } else {
            self.counts[pos as usize] += 1;
        }
    }

    /// Share of values ≤ x, interpolated linearly within x's bin.
    pub fn cdf(&self, x: f64) -> f64 {
        if self.total == 0 {
            return 0.0;
        }
        let pos = (x - self.lo) / self.width;
        let below_bins: f64 = if pos <= 0.0 {
            0.0
        } else {
            let whole = (pos.floor() as usize).min(self.counts.len());
            let mut c: f64 = self.counts[..whole].iter().map(|&v| v as f64).sum();
            if whole < self.counts.len() {
                c += self.counts[whole] as f64 * (pos - whole as f64);
            } else {
                c += self.above as f64;
            }
            c
        };
        ((self.below as f64 + below_bins) / self.total as f64).clamp(0.0, 1.0)
    }

    /// Adds another histogram's counts (same range and bins).
    pub fn merge(&mut self, other: &Histogram) {
        for (a, b) in self.counts.iter_mut().zip(&other.counts) {
            *a += b;
        }
        self.below += other.below;
        self.above += other.above;
        self.total += other.total;
    }

    pub fn total(&self) -> u64 {
        self.total
    }

    /// The q-quantile, interpolated linearly within its bin; values outside the range are
    /// reported at the range's edge.
    pub fn quantile(&self, q: f64) -> Option<f64> {
        if self.total == 0 {
            return None;
        }
        let target = q * self.total as f64;
        let mut cum = self.below as f64;
        if target <= cum {
            return Some(self.lo);
        }
        for (i, &c) in self.counts.iter().enumerate() {
            let c = c as f64;
            if c > 0.0 && cum + c >= target {
                let within = (target - cum) / c;
                return Some(self.lo + (i as f64 + within) * self.width);
            }
            cum += c;
        }
        Some(self.lo + self.counts.len() as f64 * self.width)
    }
}

/// Wilson score interval for `k` successes in `n` trials at 95%.
pub fn wilson(k: u64, n: u64) -> (f64, f64) {
    if n == 0 {
        return (0.0, 1.0);
    }
    let z = 1.959_963_984_540_054_f64;
    let n = n as f64;
    let p = k as f64 / n;
    let denom = 1.0 + z * z / n;
    let centre = (p + z * z / (2.0 * n)) / denom;
    let half = z * (p * (1.0 - p) / n + z * z / (4.0 * n * n)).sqrt() / denom;
    ((centre - half).max(0.0), (centre + half).min(1.0))
}

/// The median of a distribution given as counts per integer value (months).
pub fn median_of_counts(counts: &[u64]) -> Option<u32> {
    let total: u64 = counts.iter().sum();
    if total == 0 {
        return None;
    }
    let mut cum = 0;
    for (m, &c) in counts.iter().enumerate() {
        cum += c;
        if 2 * cum >= total {
            return Some(m as u32);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wilson_known_values() {
        // Reference: p = 0.5, n = 100 → (0.4038, 0.5962).
        let (lo, hi) = wilson(50, 100);
        assert!((lo - 0.4038).abs() < 1e-4 && (hi - 0.5962).abs() < 1e-4, "{lo} {hi}");
        let (lo, hi) = wilson(0, 10);
        assert_eq!(lo, 0.0);
        assert!((hi - 0.2775).abs() < 1e-4);
    }

    #[test]
    fn histogram_quantiles() {
        let mut h = Histogram::new(0.0, 100.0, 1000);
        for i in 0..10_000 {
            h.add(i as f64 / 100.0);
        }
        assert!((h.quantile(0.5).unwrap() - 50.0).abs() < 0.2);
        assert!((h.quantile(0.05).unwrap() - 5.0).abs() < 0.2);
        h.add(-5.0);
        h.add(500.0);
        assert_eq!(h.total(), 10_002);
    }

    #[test]
    fn medians() {
        assert_eq!(median_of_counts(&[0, 1, 1, 1]), Some(2));
        assert_eq!(median_of_counts(&[0, 0]), None);
    }
}
