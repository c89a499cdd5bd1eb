//! Rolling-origin backtests (MODEL.md §8): the fan of the front is scored like a forecast at many
//! origins, against naive benchmarks scored by the same code.
//!
//! At each origin the battlefield is fitted on the data before it (none before a floor: the start
//! of the war of attrition the model describes), the scenario is started there from the observed
//! area, and the observed path at horizons 1 … H is scored against the simulated area:
//! the CRPS (continuous ranked probability score) of the rollouts' empirical distribution, the PIT
//! (where the observation falls in it) and whether it lies in the central 50% and 90% bands. Two
//! random walks — drift and sd of the 12 months before the origin, and of every month before it
//! from the floor —
//! are sampled and scored the same way.

use rand::SeedableRng;
use rand_distr::{Distribution, StandardNormal};
use rand_xoshiro::Xoshiro256PlusPlus;
use serde::Serialize;

use crate::calendar::YearMonth;
use crate::calibrate::{self as cal, Series, Trend};
use crate::model::Model;
use crate::runner::{self, RunConfig};

/// The forecasters scored: truce and the two random walks.
pub const MODELS: [&str; 3] = ["truce", "naive_12m", "naive_all"];

/// Bins of the PIT histogram (tenths).
pub const PIT_BINS: usize = 10;

/// The CRPS of the empirical distribution of `sorted` (ascending) at the observation `y`:
/// E|X − y| − ½·E|X − X′|, exactly, with E|X − X′| = (2/n²)·Σᵢ (2i − n − 1)·x₍ᵢ₎.
pub fn crps_sorted(sorted: &[f64], y: f64) -> f64 {
    let n = sorted.len() as f64;
    let (mut spread_to_y, mut pairs) = (0.0, 0.0);
    for (i, &x) in sorted.iter().enumerate() {
        spread_to_y += (x - y).abs();
        pairs += (2.0 * (i as f64 + 1.0) - n - 1.0) * x;
    }
    spread_to_y / n - pairs / (n * n)
}

/// The CRPS of a normal distribution N(μ, σ²) at `y` (Gneiting & Raftery 2007, eq. 5): the
/// closed form the sample CRPS is tested against.
pub fn crps_normal(mu: f64, sigma: f64, y: f64) -> f64 {
    let z = (y - mu) / sigma;
    let pdf = (-0.5 * z * z).exp() / (2.0 * std::f64::consts::PI).sqrt();
    sigma * (z * (2.0 * crate::validate::normal_cdf(z) - 1.0) + 2.0 * pdf - 1.0 / std::f64::consts::PI.sqrt())
}

/// The PIT of `y` in the empirical distribution of `sorted`: the share below it, ties counted half.
pub fn pit_sorted(sorted: &[f64], y: f64) -> f64 {
    let below = sorted.partition_point(|&x| x < y);
    let at_or_below = sorted.partition_point(|&x| x <= y);
    (below as f64 + 0.5 * (at_or_below - below) as f64) / sorted.len() as f64
}

/// The q-quantile of `sorted` by linear interpolation between order statistics (Hyndman & Fan's
/// type 7, R's default).
pub fn quantile_sorted(sorted: &[f64], q: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * q;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(sorted.len() - 1);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

/// One observation scored for one forecaster.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub origin: String,
    pub horizon: u32,
    pub model: &'static str,
    pub observed_km2: f64,
    pub crps: f64,
    pub pit: f64,
    pub in50: bool,
    pub in90: bool,
}

fn score(origin: YearMonth, horizon: u32, model: &'static str, sorted: &[f64], y: f64) -> Row {
    Row {
        origin: origin.to_string(),
        horizon,
        model,
        observed_km2: y,
        crps: crps_sorted(sorted, y),
        pit: pit_sorted(sorted, y),
        in50: quantile_sorted(sorted, 0.25) <= y && y <= quantile_sorted(sorted, 0.75),
        in90: quantile_sorted(sorted, 0.05) <= y && y <= quantile_sorted(sorted, 0.95),
    }
}

/// The monthly changes known at `origin`: those during the months before it, from `floor` on.
fn known_changes(series: &Series, origin: YearMonth, floor: YearMonth, last: Option<usize>) -> Vec<f64> {
    let before: Vec<f64> =
        series.windows(2).filter(|w| w[1].0 == w[0].0.plus(1) && w[0].0 >= floor && w[1].0 <= origin).map(|w| w[1].1 - w[0].1).collect();
    match last {
        Some(k) if before.len() > k => before[before.len() - k..].to_vec(),
        _ => before,
    }
}

/// The simulated area at horizons 1 … `horizon` of every rollout of `model`, sorted by horizon.
pub fn simulate(model: &Model, n: u64, seed: u64, threads: usize, horizon: u32) -> Vec<Vec<f64>> {
    let mut out = vec![Vec::with_capacity(n as usize); horizon as usize];
    let cfg = RunConfig { n, seed, threads, first: 0 };
    let _ = runner::run(
        model,
        &cfg,
        |c| -> Result<(), ()> {
            for r in 0..c.records.len() {
                for (h, v) in out.iter_mut().enumerate() {
                    v.push(c.row(r, h + 1)[0]);
                }
            }
            Ok(())
        },
        |_| {},
    );
    for v in &mut out {
        v.sort_by(f64::total_cmp);
    }
    out
}

/// A random walk's paths from `y0`: `n` paths of monthly steps N(drift, sd²), the area at each
/// horizon sorted. Seeded from (seed, origin), so a rerun draws the same paths.
pub fn random_walk(y0: f64, drift: f64, sd: f64, n: u64, horizon: u32, seed: u64, origin: YearMonth) -> Vec<Vec<f64>> {
    let index = (origin.year() as i64 * 12 + origin.month() as i64) as u64;
    let key = seed ^ index.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(key);
    let mut out = vec![Vec::with_capacity(n as usize); horizon as usize];
    for _ in 0..n {
        let mut y = y0;
        for v in out.iter_mut() {
            let z: f64 = StandardNormal.sample(&mut rng);
            y += drift + sd * z;
            v.push(y);
        }
    }
    for v in &mut out {
        v.sort_by(f64::total_cmp);
    }
    out
}

/// What was fitted and run at one origin.
#[derive(Debug, Clone, Serialize)]
pub struct Origin {
    pub origin: String,
    pub start_km2: f64,
    pub fit: cal::Fit,
    /// Drift and sd of the two random walks.
    pub naive_12m: (f64, f64),
    pub naive_all: (f64, f64),
}

/// The battlefield values of a fit as `--set` overrides.
pub fn fit_sets(fit: &cal::Fit) -> Vec<String> {
    use crate::scenario::schema::{PATH, set};
    vec![
        set(PATH.gain_mean, format!("{{normal=[{:.3}, {:.3}]}}", fit.gain_mean, fit.gain_mean_sd.max(1e-3))),
        set(PATH.gain_sd, format!("{:.3}", fit.gain_sd)),
        set(PATH.gain_ar, format!("{:.4}", fit.gain_ar)),
        set(PATH.gain_drift, format!("{:.3}", fit.gain_drift)),
    ]
}

/// Fits the battlefield for an origin on the months before it, none before `floor`: the constant
/// trend on the last 12 (the window of the 12-month random walk), the local level on all of them
/// (its filter weighs the recent months itself).
pub fn fit_at(series: &Series, origin: YearMonth, trend: Trend, jumps: cal::Jumps, floor: YearMonth) -> Result<cal::Fit, String> {
    let to = origin.plus(-1);
    match trend {
        Trend::Constant => cal::fit(series, origin, origin.plus(-12).max(floor), to, jumps),
        Trend::LocalLevel => cal::fit_local_level(series, origin, floor, to),
    }
}

/// Scores one origin: truce's rollouts of `model` (already started at the origin from the
/// observed area with the fitted battlefield) and the two random walks.
#[allow(clippy::too_many_arguments)]
pub fn score_origin(
    model: &Model,
    series: &Series,
    origin: YearMonth,
    floor: YearMonth,
    n: u64,
    seed: u64,
    threads: usize,
    horizon: u32,
) -> (Vec<Row>, (f64, f64), (f64, f64)) {
    let y0 = model.start_km2();
    let observed: Vec<(u32, f64)> =
        (1..=horizon).filter_map(|h| series.iter().find(|(m, _)| *m == origin.plus(h as i32)).map(|&(_, v)| (h, v))).collect();
    let mut rows = Vec::new();
    let sims = simulate(model, n, seed, threads, horizon);
    let walk = |k: Option<usize>| {
        let (mean, sd, _) = cal::moments(&known_changes(series, origin, floor, k));
        (mean, sd)
    };
    let (w12, wall) = (walk(Some(12)), walk(None));
    let naive12 = random_walk(y0, w12.0, w12.1, n, horizon, seed, origin);
    let naive_all = random_walk(y0, wall.0, wall.1, n, horizon, seed.wrapping_add(1), origin);
    for &(h, y) in &observed {
        let i = h as usize - 1;
        rows.push(score(origin, h, MODELS[0], &sims[i], y));
        rows.push(score(origin, h, MODELS[1], &naive12[i], y));
        rows.push(score(origin, h, MODELS[2], &naive_all[i], y));
    }
    (rows, w12, wall)
}

/// The scores summed up per forecaster.
#[derive(Debug, Clone, Serialize)]
pub struct ModelSummary {
    pub model: &'static str,
    /// Mean CRPS at horizons 1 … H (None where no origin has an observation).
    pub mean_crps: Vec<Option<f64>>,
    /// Mean CRPS over horizons 6 … 12 (the criterion that chooses the trend model).
    pub mean_crps_6_12: Option<f64>,
    pub pit_counts: [u64; PIT_BINS],
    pub coverage50: f64,
    pub coverage90: f64,
    pub scored: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct RollingSummary {
    pub horizon: u32,
    pub models: Vec<ModelSummary>,
    /// CRPS skill of truce, 1 − CRPS_truce / CRPS_naive, by horizon and over 6 … 12.
    pub skill_vs_naive_12m: Vec<Option<f64>>,
    pub skill_vs_naive_all: Vec<Option<f64>>,
    pub skill_6_12_vs_naive_12m: Option<f64>,
    pub skill_6_12_vs_naive_all: Option<f64>,
}

fn mean(v: impl Iterator<Item = f64>) -> Option<f64> {
    let (s, n) = v.fold((0.0, 0usize), |(s, n), x| (s + x, n + 1));
    (n > 0).then(|| s / n as f64)
}

pub fn summarise(rows: &[Row], horizon: u32) -> RollingSummary {
    let models: Vec<ModelSummary> = MODELS
        .iter()
        .map(|&m| {
            let mine: Vec<&Row> = rows.iter().filter(|r| r.model == m).collect();
            let mut pit_counts = [0u64; PIT_BINS];
            for r in &mine {
                pit_counts[((r.pit * PIT_BINS as f64) as usize).min(PIT_BINS - 1)] += 1;
            }
            let n = mine.len().max(1) as f64;
            ModelSummary {
                model: m,
                mean_crps: (1..=horizon).map(|h| mean(mine.iter().filter(|r| r.horizon == h).map(|r| r.crps))).collect(),
                mean_crps_6_12: mean(mine.iter().filter(|r| (6..=12).contains(&r.horizon)).map(|r| r.crps)),
                pit_counts,
                coverage50: mine.iter().filter(|r| r.in50).count() as f64 / n,
                coverage90: mine.iter().filter(|r| r.in90).count() as f64 / n,
                scored: mine.len(),
            }
        })
        .collect();
    let skill = |a: Option<f64>, b: Option<f64>| match (a, b) {
        (Some(a), Some(b)) if b > 0.0 => Some(1.0 - a / b),
        _ => None,
    };
    let by_h = |k: usize| (0..horizon as usize).map(|h| skill(models[0].mean_crps[h], models[k].mean_crps[h])).collect();
    RollingSummary {
        horizon,
        skill_vs_naive_12m: by_h(1),
        skill_vs_naive_all: by_h(2),
        skill_6_12_vs_naive_12m: skill(models[0].mean_crps_6_12, models[1].mean_crps_6_12),
        skill_6_12_vs_naive_all: skill(models[0].mean_crps_6_12, models[2].mean_crps_6_12),
        models,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The sample CRPS of many draws from N(μ, σ²) approaches the closed form; on a tiny sample
    /// it equals the definition E|X − y| − ½E|X − X′| computed over all pairs.
    #[test]
    fn sample_crps_matches_the_normal_closed_form_and_its_definition() {
        let xs = [3.0, -1.0, 4.0, 1.5];
        let mut sorted = xs;
        sorted.sort_by(f64::total_cmp);
        let y = 2.0;
        let direct = xs.iter().map(|x| (x - y).abs()).sum::<f64>() / 4.0
            - 0.5 * xs.iter().flat_map(|a| xs.iter().map(move |b| (a - b).abs())).sum::<f64>() / 16.0;
        assert!((crps_sorted(&sorted, y) - direct).abs() < 1e-12);
        let (mu, sigma) = (100.0, 40.0);
        let draws = random_walk(mu, 0.0, sigma, 200_000, 1, 7, YearMonth::parse("2024-01").unwrap());
        // The walk's first step from μ with drift 0 is N(μ, σ²).
        for y in [100.0, 60.0, 190.0] {
            let (s, exact) = (crps_sorted(&draws[0], y), crps_normal(mu, sigma, y));
            // The sample CRPS is a mean of |X − y| less a U-statistic: its error is of order σ/√n.
            assert!((s - exact).abs() < 4.0 * sigma / (200_000f64).sqrt(), "y = {y}: sample {s}, exact {exact}");
        }
        // The closed form at the mean: σ(√2 − 1)/√π.
        let at_mean = sigma * (2f64.sqrt() - 1.0) / std::f64::consts::PI.sqrt();
        assert!((crps_normal(mu, sigma, mu) - at_mean).abs() < 1e-9);
    }

    #[test]
    fn pit_and_quantiles_of_a_small_sample() {
        let s = [1.0, 2.0, 2.0, 3.0];
        assert_eq!(pit_sorted(&s, 2.0), 0.5);
        assert_eq!(pit_sorted(&s, 0.0), 0.0);
        assert_eq!(pit_sorted(&s, 9.0), 1.0);
        assert_eq!(quantile_sorted(&s, 0.5), 2.0);
        assert_eq!(quantile_sorted(&s, 0.0), 1.0);
        assert_eq!(quantile_sorted(&s, 1.0), 3.0);
        assert!((quantile_sorted(&s, 0.25) - 1.75).abs() < 1e-12);
    }

    /// Observations drawn from the forecast distribution itself have uniform PITs: over 2,000
    /// draws each tenth holds 200 within 4 binomial sd, and the 50% and 90% bands cover their
    /// share within 4 sd.
    #[test]
    fn the_pit_of_draws_from_the_forecast_is_uniform() {
        let origin = YearMonth::parse("2024-01").unwrap();
        let fan = random_walk(0.0, 5.0, 30.0, 4_000, 3, 11, origin);
        let truth = random_walk(0.0, 5.0, 30.0, 2_000, 3, 12, origin);
        let mut rows = Vec::new();
        for (k, &y) in truth[2].iter().enumerate() {
            let mut r = score(origin, 3, MODELS[0], &fan[2], y);
            r.origin = k.to_string();
            rows.push(r);
        }
        let s = summarise(&rows, 3);
        let n = rows.len() as f64;
        let sd_bin = (n * 0.1 * 0.9).sqrt();
        for (b, &c) in s.models[0].pit_counts.iter().enumerate() {
            assert!((c as f64 - 0.1 * n).abs() < 4.0 * sd_bin, "bin {b}: {c} of {n}");
        }
        for (cov, p) in [(s.models[0].coverage50, 0.5), (s.models[0].coverage90, 0.9)] {
            assert!((cov - p).abs() < 4.0 * (p * (1.0 - p) / n).sqrt(), "coverage {cov} vs {p}");
        }
    }
}
