//! Streaming statistics over rollouts in constant memory: counts, means, fixed-width histograms
//! for quantiles, and Wilson intervals.

/// A histogram of equal-width bins aligned on 0 (bin k holds [k·w, (k+1)·w)) that grows to
/// cover whatever values arrive, so no value is ever clamped into an edge bin.
///
/// Only the span between the lowest and highest bin seen is stored. When that span would
/// exceed `max_bins`, the width doubles (pairs of bins merge) until it fits; the width is
/// therefore a function of the smallest and largest value alone, and histograms filled from
/// the same values in any split and order merge to the same counts and width. `width()` is the
/// resolution of every quantile read from it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Histogram {
    width: f64,
    max_bins: usize,
    /// Index (at the current width) of `counts[0]`.
    first: i64,
    counts: Vec<u64>,
    total: u64,
    /// Values that are not numbers (never expected: outputs refuse them).
    invalid: u64,
}

impl Histogram {
    /// A histogram of bins `width` wide that coarsens past `max_bins` stored bins.
    pub fn new(width: f64, max_bins: usize) -> Histogram {
        assert!(width > 0.0 && width.is_finite() && max_bins >= 2);
        Histogram { width, max_bins, first: 0, counts: Vec::new(), total: 0, invalid: 0 }
    }

    /// The bins it holds now; never more than its `max_bins`, however many values it was given.
    pub fn bins_held(&self) -> usize {
        self.counts.len()
    }

    pub fn max_bins(&self) -> usize {
        self.max_bins
    }

    /// Bin width: the resolution of quantiles.
    pub fn width(&self) -> f64 {
        self.width
    }

    pub fn total(&self) -> u64 {
        self.total
    }

    /// Values that could not be binned (NaN or infinite).
    pub fn invalid(&self) -> u64 {
        self.invalid
    }

    fn index(&self, x: f64) -> i64 {
        // ⌊x / w⌋ without a call to libm's floor: truncate, then step down for negative fractions.
        let q = x / self.width;
        let k = q as i64;
        if (k as f64) > q { k - 1 } else { k }
    }

    pub fn add(&mut self, x: f64) {
        self.add_n(x, 1);
    }

    /// Adds `count` copies of `x`.
    #[inline]
    pub fn add_n(&mut self, x: f64, count: u64) {
        if x.is_finite() {
            // A bin below the first wraps to an index past any vector's end.
            let rel = self.index(x).wrapping_sub(self.first) as usize;
            if let Some(c) = self.counts.get_mut(rel) {
                *c += count;
                self.total += count;
                return;
            }
        }
        self.add_outside(x, count);
    }

    /// `add_n` of a value that is not a number or falls outside the bins held (which grow, or
    /// coarsen, to take it).
    #[cold]
    fn add_outside(&mut self, x: f64, count: u64) {
        if !x.is_finite() {
            self.invalid += count;
            self.total += count;
            return;
        }
        let mut k = self.index(x);
        if self.counts.is_empty() {
            self.first = k;
            self.counts.push(0);
        } else {
            let lo = self.first.min(k);
            let hi = (self.first + self.counts.len() as i64 - 1).max(k);
            self.fit(lo, hi);
            k = self.index(x);
            self.extend_to(k);
        }
        let rel = (k - self.first) as usize;
        self.counts[rel] += count;
        self.total += count;
    }

    /// Coarsens until bins `lo..=hi` (at the current width) fit in `max_bins`.
    fn fit(&mut self, mut lo: i64, mut hi: i64) {
        while (hi - lo + 1) as u128 > self.max_bins as u128 {
            self.coarsen();
            lo = lo.div_euclid(2);
            hi = hi.div_euclid(2);
        }
    }

    /// Doubles the width: bin k becomes bin ⌊k/2⌋.
    fn coarsen(&mut self) {
        if self.counts.is_empty() {
            self.width *= 2.0;
            return;
        }
        let new_first = self.first.div_euclid(2);
        let last = (self.first + self.counts.len() as i64 - 1).div_euclid(2);
        let mut merged = vec![0u64; (last - new_first + 1) as usize];
        for (i, &c) in self.counts.iter().enumerate() {
            let k = (self.first + i as i64).div_euclid(2);
            merged[(k - new_first) as usize] += c;
        }
        self.counts = merged;
        self.first = new_first;
        self.width *= 2.0;
    }

    /// Extends the stored span to include bin k (which fits, after `fit`).
    fn extend_to(&mut self, k: i64) {
        if k < self.first {
            // Shifted in place: the vector only reallocates when its capacity runs out.
            let extra = (self.first - k) as usize;
            self.counts.splice(0..0, std::iter::repeat_n(0u64, extra));
            self.first = k;
        } else {
            let need = (k - self.first + 1) as usize;
            if need > self.counts.len() {
                self.counts.resize(need, 0);
            }
        }
    }

    /// Adds another histogram's counts (made with the same initial width and `max_bins`).
    /// Whether a histogram read from a file could have been made like `like` (the same bin limit,
    /// a width that is `like`'s doubled some times, counts that add up): a damaged one is refused
    /// before it is merged.
    pub fn is_like(&self, like: &Histogram) -> bool {
        let mut w = like.width;
        while w < self.width {
            w *= 2.0;
        }
        self.max_bins == like.max_bins
            && w == self.width
            && self.counts.len() <= self.max_bins
            && self.counts.iter().try_fold(self.invalid, |a, &c| a.checked_add(c)) == Some(self.total)
    }

    pub fn merge(&mut self, other: &Histogram) {
        self.invalid += other.invalid;
        if other.counts.is_empty() {
            self.total += other.total;
            return;
        }
        let mut o = other.clone();
        while o.width < self.width {
            o.coarsen();
        }
        while self.width < o.width {
            self.coarsen();
        }
        let lo = if self.counts.is_empty() { o.first } else { self.first.min(o.first) };
        let hi = if self.counts.is_empty() {
            o.first + o.counts.len() as i64 - 1
        } else {
            (self.first + self.counts.len() as i64 - 1).max(o.first + o.counts.len() as i64 - 1)
        };
        // Coarsen both alike until the union fits.
        let (mut l, mut h) = (lo, hi);
        while (h - l + 1) as u128 > self.max_bins as u128 {
            self.coarsen();
            o.coarsen();
            l = l.div_euclid(2);
            h = h.div_euclid(2);
        }
        if self.counts.is_empty() {
            self.first = o.first;
        }
        self.extend_to(o.first);
        self.extend_to(o.first + o.counts.len() as i64 - 1);
        for (i, &c) in o.counts.iter().enumerate() {
            self.counts[(o.first + i as i64 - self.first) as usize] += c;
        }
        self.total += other.total;
    }

    fn valid(&self) -> u64 {
        self.total - self.invalid
    }

    /// Share of values ≤ x, interpolated linearly within x's bin.
    pub fn cdf(&self, x: f64) -> f64 {
        let n = self.valid();
        if n == 0 {
            return 0.0;
        }
        let pos = x / self.width - self.first as f64;
        if pos <= 0.0 {
            return 0.0;
        }
        let whole = (pos.floor() as usize).min(self.counts.len());
        let mut c: f64 = self.counts[..whole].iter().map(|&v| v as f64).sum();
        if whole < self.counts.len() {
            c += self.counts[whole] as f64 * (pos - whole as f64);
        }
        (c / n as f64).clamp(0.0, 1.0)
    }

    /// The q-quantile, interpolated linearly within its bin (so within one bin width of the
    /// exact empirical quantile).
    pub fn quantile(&self, q: f64) -> Option<f64> {
        quantile_of_counted_bins(&self.counts, self.valid(), self.first, self.width, q)
    }

    /// The quantiles at `qs` (ascending), each as `quantile` gives it, in one pass over the
    /// bins.
    pub fn quantiles<const K: usize>(&self, qs: [f64; K]) -> [Option<f64>; K] {
        quantiles_of_counted_bins(&self.counts, self.valid(), self.first, self.width, qs)
    }
}

/// The q-quantile of values counted in equal bins (`counts[i]` holds
/// [(first + i)·width, (first + i + 1)·width)), interpolated linearly within its bin: the one
/// rule of every quantile truce reads from binned counts (`Histogram`, the terms chart). `None`
/// when the bins are empty.
pub fn quantile_of_bins(counts: &[u64], first: i64, width: f64, q: f64) -> Option<f64> {
    quantile_of_counted_bins(counts, counts.iter().sum(), first, width, q)
}

/// `quantile_of_bins` when the total of `counts`, `n`, is known.
fn quantile_of_counted_bins(counts: &[u64], n: u64, first: i64, width: f64, q: f64) -> Option<f64> {
    quantiles_of_counted_bins(counts, n, first, width, [q])[0]
}

/// The rule of `quantile_of_bins` at several `qs` (ascending) in one pass: the scan for each
/// next target resumes where the last stopped (its bin is never before the last one's), and the
/// running count adds the same bins in the same order, so each equals its own scan.
fn quantiles_of_counted_bins<const K: usize>(counts: &[u64], n: u64, first: i64, width: f64, qs: [f64; K]) -> [Option<f64>; K] {
    let mut out = [None; K];
    if n == 0 {
        return out;
    }
    debug_assert!(qs.windows(2).all(|w| w[0] <= w[1]), "quantiles are asked in ascending order");
    let (mut i, mut cum) = (0, 0.0);
    for (slot, q) in out.iter_mut().zip(qs) {
        let target = q.clamp(0.0, 1.0) * n as f64;
        *slot = Some(loop {
            let Some(&c) = counts.get(i) else { break (first as f64 + counts.len() as f64) * width };
            let c = c as f64;
            if c > 0.0 && cum + c >= target {
                break (first as f64 + i as f64 + ((target - cum) / c).max(0.0)) * width;
            }
            cum += c;
            i += 1;
        });
    }
    out
}

/// `x.round() as i64` (halves away from zero) without a call to libm's `round`: truncate, then
/// step by the fraction, which the subtraction gives exactly. Equal for every `f64`: NaN gives
/// 0, and from 2⁵² up every value is whole (the cast saturates as `round`'s would).
pub fn round_to_i64(x: f64) -> i64 {
    let t = x as i64;
    if !(x.abs() < 4_503_599_627_370_496.0) {
        return t;
    }
    let f = x - t as f64;
    if f >= 0.5 {
        t + 1
    } else if f <= -0.5 {
        t - 1
    } else {
        t
    }
}

/// The `q`-quantile of sorted sample values (type 7 of Hyndman & Fan: linear between order
/// statistics), for values held whole (a distribution's draws); `NaN` when there are none.
/// Binned counts use [`quantile_of_bins`].
pub fn sample_quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let h = (sorted.len() - 1) as f64 * q.clamp(0.0, 1.0);
    let (lo, frac) = (h.floor() as usize, h - h.floor());
    let hi = (lo + 1).min(sorted.len() - 1);
    sorted[lo] + frac * (sorted[hi] - sorted[lo])
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

/// A share as truce prints it, in the terminal and on charts alike: one decimal (`85.6%`);
/// `0%` for exactly none; `<0.1%` for a share above 0 that one decimal would show as 0.0%.
pub fn percent(p: f64) -> String {
    if p <= 0.0 {
        "0%".to_string()
    } else if p * 100.0 < 0.05 {
        "<0.1%".to_string()
    } else {
        format!("{:.1}%", p * 100.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `round_to_i64` is `round() as i64` on halves, near halves, both signs, values past 2⁵²,
    /// the extremes, NaN and infinities, and 200,000 random values.
    #[test]
    fn rounding_without_libm_is_rounds() {
        let mut values = vec![0.0, -0.0, 0.5, -0.5, 2.5, -2.5, 0.49999999999999994, -0.49999999999999994, 4503599627370495.5];
        values.extend([9.3e18, -9.3e18, f64::MAX, f64::MIN_POSITIVE, f64::NAN, f64::INFINITY, f64::NEG_INFINITY]);
        let mut z = 0x9E37_79B9_7F4A_7C15u64;
        for _ in 0..100_000 {
            z = z.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            let scale = [1.0, 1e3, 1e9, 1e15, 1e17][(z % 5) as usize];
            values.extend([((z >> 11) as f64 / (1u64 << 53) as f64 - 0.5) * scale, (z % 1000) as f64 / 2.0 - 250.0]);
        }
        values.iter().for_each(|&x| assert_eq!(round_to_i64(x), x.round() as i64, "{x:e}"));
    }

    /// The bin index is ⌊x / w⌋ for values on both sides of 0, on and off bin edges.
    #[test]
    fn bin_index_is_the_floor() {
        let h = Histogram::new(25.0, 1000);
        for x in [-75.0, -50.1, -25.0, -24.9, -0.0, 0.0, 1e-300, 24.999, 25.0, 113_100.0, 116_505.0, 1.6e6, -1e15] {
            assert_eq!(h.index(x), (x / 25.0f64).floor() as i64, "x = {x}");
        }
    }

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
        let mut h = Histogram::new(0.1, 100_000);
        for i in 0..10_000 {
            h.add(i as f64 / 100.0);
        }
        assert!((h.quantile(0.5).unwrap() - 50.0).abs() < 0.1);
        assert!((h.quantile(0.05).unwrap() - 5.0).abs() < 0.1);
        // Values far outside the first ones are binned, not clamped to an edge.
        for _ in 0..30_000 {
            h.add(5_000.0);
        }
        assert_eq!(h.total(), 40_000);
        assert!((h.quantile(0.9).unwrap() - 5_000.0).abs() <= h.width(), "{:?}", h.quantile(0.9));
        assert!((h.quantile(0.1).unwrap() - 40.0).abs() <= h.width());
    }

    #[test]
    fn a_histogram_coarsens_past_its_bin_limit_and_merges_in_any_split() {
        let values: Vec<f64> = (0..5_000).map(|i| ((i * 7919) % 5_000) as f64 * 0.37 - 300.0).collect();
        let mut whole = Histogram::new(0.01, 1_000);
        for &v in &values {
            whole.add(v);
        }
        assert!(whole.width() > 0.01, "a span of ~1850 needs a coarser width than 0.01 within 1000 bins");
        for split in [1, 17, 2_500, 4_999] {
            let (a, b) = values.split_at(split);
            let mut ha = Histogram::new(0.01, 1_000);
            let mut hb = Histogram::new(0.01, 1_000);
            a.iter().for_each(|&v| ha.add(v));
            b.iter().for_each(|&v| hb.add(v));
            hb.merge(&ha);
            assert_eq!(hb.width(), whole.width(), "split {split}");
            assert_eq!(hb.counts, whole.counts, "split {split}");
            assert_eq!(hb.first, whole.first, "split {split}");
        }
    }

    /// Wilson score intervals against the worked examples of Newcombe (1998), "Two-sided
    /// confidence intervals for the single proportion", Statistics in Medicine 17:857–872,
    /// to the four decimals published; away from p = ½ and k = 0, where p(1 − p) and p² differ.
    #[test]
    fn wilson_matches_newcombes_examples() {
        for (k, n, lo, hi) in [(81, 263, 0.2553, 0.3662), (15, 148, 0.0624, 0.1605), (0, 20, 0.0, 0.1611), (1, 29, 0.0061, 0.1718)] {
            let (l, h) = wilson(k, n);
            assert!((l - lo).abs() < 5e-5 && (h - hi).abs() < 5e-5, "{k}/{n}: ({l:.4}, {h:.4}), published ({lo}, {hi})");
        }
        let (l, h) = wilson(29, 29);
        assert!((l - 0.8830).abs() < 5e-5 && h == 1.0, "{l} {h}");
    }

    /// The exact empirical q-quantile: the smallest value with at least a share q at or below it.
    fn exact_quantile(sorted: &[f64], q: f64) -> f64 {
        let k = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
        sorted[k - 1]
    }

    #[test]
    fn histogram_quantiles_and_cdf_are_within_one_bin_of_the_exact_values() {
        // A skewed sample with ties and a long tail, in an arbitrary order.
        let mut values: Vec<f64> = (0..5_000u64).map(|i| ((i * 7_919) % 5_000) as f64).map(|x| (x / 50.0).powi(2) * 0.37 - 40.0).collect();
        values.extend(std::iter::repeat_n(12.5, 300));
        let mut h = Histogram::new(0.5, 1 << 16);
        values.iter().for_each(|&v| h.add(v));
        let mut sorted = values.clone();
        sorted.sort_by(f64::total_cmp);
        let w = h.width();
        for q in [0.001, 0.05, 0.25, 0.5, 0.75, 0.95, 0.999] {
            let (got, want) = (h.quantile(q).unwrap(), exact_quantile(&sorted, q));
            assert!((got - want).abs() < w, "q = {q}: histogram {got}, exact {want}, bin {w}");
        }
        for x in [-40.0, -10.0, 0.0, 12.5, 100.0, 1_000.0, 3_000.0] {
            let exact = sorted.iter().filter(|&&v| v <= x).count() as f64 / sorted.len() as f64;
            // The CDF at x lies between the exact CDF one bin either side of x.
            let lo = sorted.iter().filter(|&&v| v <= x - w).count() as f64 / sorted.len() as f64;
            let hi = sorted.iter().filter(|&&v| v <= x + w).count() as f64 / sorted.len() as f64;
            let got = h.cdf(x);
            assert!(got >= lo - 1e-12 && got <= hi + 1e-12, "cdf({x}) = {got}, exact {exact}, bounds [{lo}, {hi}]");
        }
    }

    fn same(a: &Histogram, b: &Histogram, what: &str) {
        assert_eq!((a.width, a.first, &a.counts, a.total, a.invalid), (b.width, b.first, &b.counts, b.total, b.invalid), "{what}");
    }

    #[test]
    fn merging_equals_adding_everything_to_one_histogram() {
        // Values that force growth on both sides, coarsening, and a few that are not numbers.
        let mut values: Vec<f64> = (0..3_000u64).map(|i| ((i * 104_729) % 3_001) as f64 * 0.9 - 1_200.0).collect();
        values.extend([f64::NAN, f64::INFINITY, 7.0, f64::NAN]);
        let mut whole = Histogram::new(0.25, 4_096);
        values.iter().for_each(|&v| whole.add(v));
        assert_eq!(whole.invalid(), 3);
        assert_eq!(whole.total(), values.len() as u64);
        for split in [0, 1, 2, 1_500, 3_003, values.len()] {
            let (a, b) = values.split_at(split);
            let (mut ha, mut hb) = (Histogram::new(0.25, 4_096), Histogram::new(0.25, 4_096));
            a.iter().for_each(|&v| ha.add(v));
            b.iter().for_each(|&v| hb.add(v));
            let mut ab = ha.clone();
            ab.merge(&hb);
            same(&ab, &whole, &format!("a + b at {split}"));
            hb.merge(&ha);
            same(&hb, &whole, &format!("b + a at {split}"));
        }
        // add_n is n adds.
        let mut n = Histogram::new(0.25, 4_096);
        let mut one = Histogram::new(0.25, 4_096);
        n.add_n(3.3, 5);
        (0..5).for_each(|_| one.add(3.3));
        same(&n, &one, "add_n");
    }

    #[test]
    fn coarsening_happens_exactly_past_the_bin_limit() {
        // Ten bins of width 1 hold [0, 10) exactly; the width doubles only when an eleventh is
        // needed, on either side, whatever order the values come in.
        for order in [[0.5, 9.5], [9.5, 0.5]] {
            let mut h = Histogram::new(1.0, 10);
            order.iter().for_each(|&v| h.add(v));
            (1..9).for_each(|k| h.add(k as f64 + 0.5));
            assert_eq!((h.width(), h.first, h.counts.len()), (1.0, 0, 10), "ten bins fit in ten");
            let mut up = h.clone();
            up.add(10.5);
            assert_eq!(up.width(), 2.0, "an eleventh bin above coarsens");
            assert_eq!((up.first, up.counts.len()), (0, 6));
            let mut down = h.clone();
            down.add(-0.5);
            assert_eq!(down.width(), 2.0, "an eleventh bin below coarsens");
            assert_eq!((down.first, down.counts.len()), (-1, 6));
        }
        // Merges: a union of exactly ten bins stays at width 1, of eleven coarsens, in either
        // order and into an empty histogram.
        let filled = |range: std::ops::Range<i32>| {
            let mut h = Histogram::new(1.0, 10);
            range.for_each(|k| h.add(k as f64 + 0.5));
            h
        };
        for (x, y, width) in [
            (0..5, 5..10, 1.0),
            (5..10, 0..5, 1.0),
            (0..5, 5..11, 2.0),
            (6..11, 0..5, 2.0),
            (0..1, 9..10, 1.0),
            (9..10, 0..1, 1.0),
            (-10..-5, -5..0, 1.0),
            (-11..-5, -5..0, 2.0),
        ] {
            let mut a = filled(x.clone());
            a.merge(&filled(y.clone()));
            assert_eq!(a.width(), width, "{x:?} + {y:?}");
            let mut whole = filled(x.clone());
            y.clone().for_each(|k| whole.add(k as f64 + 0.5));
            same(&a, &whole, &format!("{x:?} + {y:?}"));
        }
        let mut empty = Histogram::new(1.0, 10);
        empty.merge(&filled(0..10));
        assert_eq!((empty.width(), empty.first, empty.counts.len(), empty.total()), (1.0, 0, 10, 10), "ten bins into an empty histogram");
        let mut empty = Histogram::new(1.0, 10);
        empty.merge(&filled(0..11));
        assert_eq!(empty.width(), 2.0);
    }

    #[test]
    fn values_that_are_not_numbers_are_counted_but_never_binned() {
        let mut h = Histogram::new(1.0, 100);
        for x in [1.0, 2.0, 3.0, 4.0] {
            h.add(x);
        }
        let before = (h.quantile(0.5), h.cdf(2.5));
        h.add(f64::NAN);
        h.add(f64::NEG_INFINITY);
        assert_eq!((h.total(), h.invalid()), (6, 2));
        assert_eq!((h.quantile(0.5), h.cdf(2.5)), before, "quantiles and the CDF are over the valid values");
        let mut empty = Histogram::new(1.0, 100);
        empty.add(f64::NAN);
        assert_eq!((empty.quantile(0.5), empty.cdf(0.0)), (None, 0.0));
    }

    #[test]
    fn quantile_and_cdf_on_known_bins() {
        // Bins of width 10: values 0..9 in [0, 10), 10..19 in [10, 20): counts 10 and 10.
        let mut h = Histogram::new(10.0, 100);
        (0..20).for_each(|i| h.add(i as f64));
        assert_eq!(h.quantile(0.0), Some(0.0));
        assert_eq!(h.quantile(0.25), Some(5.0));
        assert_eq!(h.quantile(0.5), Some(10.0));
        assert_eq!(h.quantile(0.75), Some(15.0));
        assert_eq!(h.quantile(1.0), Some(20.0));
        assert_eq!(h.cdf(-1.0), 0.0);
        assert_eq!(h.cdf(5.0), 0.25);
        assert_eq!(h.cdf(15.0), 0.75);
        assert_eq!(h.cdf(25.0), 1.0);
        // A negative range is binned on the same grid.
        let mut g = Histogram::new(10.0, 100);
        (0..20).for_each(|i| g.add(-(i as f64) - 0.5));
        assert_eq!(g.quantile(0.5), Some(-10.0));
        assert_eq!(g.width(), 10.0);
    }

    #[test]
    fn medians_at_even_totals() {
        // 4 values at months 1, 1, 2, 3: the lower median (the month where half is reached) is 1.
        assert_eq!(median_of_counts(&[0, 2, 1, 1]), Some(1));
        // 2 values at months 0 and 5.
        assert_eq!(median_of_counts(&[1, 0, 0, 0, 0, 1]), Some(0));
        // Odd: 1, 2, 3 → 2.
        assert_eq!(median_of_counts(&[0, 1, 1, 1]), Some(2));
    }

    #[test]
    fn medians() {
        assert_eq!(median_of_counts(&[0, 1, 1, 1]), Some(2));
        assert_eq!(median_of_counts(&[0, 0]), None);
    }
}
