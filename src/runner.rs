//! The Monte Carlo runner: rollouts in parallel, merged in rollout order.
//!
//! Rollouts are simulated in fixed chunks on a rayon pool; each wave of chunks is collected in
//! order and handed to the sink sequentially. Every floating-point sum therefore happens in the
//! same order whatever the number of threads, and outputs are byte-identical across thread counts.

use rayon::prelude::*;

use crate::model::{Model, MonthView, Observer, Record, Scratch, run_rollout};

/// Rollouts per chunk: large enough to amortise scheduling, small enough to balance load.
pub const CHUNK: usize = 256;

#[derive(Debug, Clone, Copy)]
pub struct RunConfig {
    pub n: u64,
    pub seed: u64,
    pub threads: usize,
    /// First rollout index (normally 0); lets a caller run a slice of the index space.
    pub first: u64,
}

/// Monthly figures per rollout: area, at war, ceasefire, settled, then cost per actor.
pub const SERIES_FIXED: usize = 4;

pub fn series_width(model: &Model) -> usize {
    SERIES_FIXED + model.n_actors()
}

/// The monthly figures of one chunk: for each rollout, a row per simulated month (month 0 to
/// the month it ended, or to the horizon), rollout after rollout. The months after a rollout
/// ended repeat its last row; they are not stored, and `row` returns that last row for them.
pub struct Chunk {
    pub records: Vec<Record>,
    /// The rows, `[rollout][month ≤ last][metric]`, concatenated.
    series: Vec<f64>,
    /// Where rollout r's rows start in `series` (in rows); one more entry than rollouts.
    starts: Vec<usize>,
    width: usize,
    /// Sums of every rollout's monthly figures over the chunk, `[month][metric]`, for months
    /// 0 … the last any of its rollouts simulated (the months after an end counted at their
    /// repeated value), in fixed point (`to_fixed`): exact, so they add up to the same total in
    /// any split and order. Every later month's sums are `after` (`sums_at` reads either).
    sums: Vec<i128>,
    after: Vec<i128>,
}

impl Chunk {
    /// A chunk from rows of every month to the horizon (`series`: `[rollout][month][metric]`),
    /// as a test or another engine may make them.
    pub fn from_full_series(model: &Model, records: Vec<Record>, series: Vec<f64>) -> Chunk {
        let last = vec![model.horizon() as usize; records.len()];
        Chunk::from_rows(model, records, series, &last)
    }

    /// A chunk from each rollout's rows to its last month (`last[r]`, the month it ended or the
    /// horizon), rollout after rollout, as the runner stores them.
    pub fn from_rows(model: &Model, records: Vec<Record>, series: Vec<f64>, last: &[usize]) -> Chunk {
        let width = series_width(model);
        assert_eq!(last.len(), records.len(), "a last month per rollout");
        assert!(last.iter().all(|&l| l <= model.horizon() as usize), "no row past the horizon");
        let mut starts = vec![0];
        for &l in last {
            starts.push(starts[starts.len() - 1] + l + 1);
        }
        assert_eq!(series.len(), starts[records.len()] * width, "a row per rollout and month to its last");
        let mut c = Chunk { records, series, starts, width, sums: Vec::new(), after: Vec::new() };
        c.sum();
        c
    }

    /// The sums of month `m` (`[metric]`), exact, in fixed point.
    pub fn sums_at(&self, m: usize) -> &[i128] {
        let w = self.width;
        if (m + 1) * w <= self.sums.len() { &self.sums[m * w..(m + 1) * w] } else { &self.after }
    }

    /// The last month rollout `r` simulated (its end, or the horizon).
    pub fn last_month(&self, r: usize) -> usize {
        self.starts[r + 1] - self.starts[r] - 1
    }

    /// Rollout `r`'s rows, month 0 to its last, `width` figures each.
    pub fn rows_of(&self, r: usize) -> &[f64] {
        &self.series[self.starts[r] * self.width..self.starts[r + 1] * self.width]
    }

    /// Rollout `r`'s figures in `month` (after its end: those of the month it ended).
    pub fn row(&self, r: usize, month: usize) -> &[f64] {
        let at = (self.starts[r] + month.min(self.last_month(r))) * self.width;
        &self.series[at..at + self.width]
    }

    /// The rollout-months the chunk simulated (months 1 … last of each rollout).
    pub fn months_simulated(&self) -> u64 {
        (0..self.records.len()).map(|r| self.last_month(r) as u64).sum()
    }

    /// The exact monthly sums: each stored row once, and each ended rollout's last row once
    /// more for every month after its end to the chunk's last simulated month, through a
    /// difference array over months (integers, so exact), not month by month; past that month
    /// every rollout has ended and the sums stay those of its last rows (`after`).
    fn sum(&mut self) {
        let w = self.width;
        let n = self.records.len();
        let top = (0..n).map(|r| self.last_month(r)).max().unwrap_or(0);
        let mut sums = vec![0i128; (top + 1) * w];
        let mut tail = vec![0i128; (top + 2) * w];
        for r in 0..n {
            let last = self.last_month(r);
            // The rollout's rows are contiguous and start at month 0, as the sums do.
            let rows = &self.series[self.starts[r] * w..self.starts[r + 1] * w];
            for (s, v) in sums.iter_mut().zip(rows) {
                *s += to_fixed(*v);
            }
            for (k, v) in self.row(r, last).iter().enumerate() {
                // From the month after its end (or past `top`, for a rollout that ran to it).
                tail[(last + 1) * w + k] += to_fixed(*v);
            }
        }
        let mut carry = vec![0i128; w];
        for m in 0..=top {
            for k in 0..w {
                carry[k] += tail[m * w + k];
                sums[m * w + k] += carry[k];
            }
        }
        // After `top`: every rollout's last row, the carry with the month after top's tails.
        for k in 0..w {
            carry[k] += tail[(top + 1) * w + k];
        }
        self.sums = sums;
        self.after = carry;
    }
}

/// Writes a rollout's rows into the chunk's series as its months arrive; after an absorbing
/// end (`rest`) nothing more is written.
struct SeriesWriter<'a> {
    series: &'a mut Vec<f64>,
}

impl Observer for SeriesWriter<'_> {
    fn month(&mut self, v: &MonthView<'_>) {
        self.series.extend_from_slice(&[v.area_km2, v.at_war as u8 as f64, v.ceasefire as u8 as f64, v.settled as u8 as f64]);
        self.series.extend_from_slice(v.costs);
    }

    fn rest(&mut self, _view: &MonthView<'_>, _horizon: u32) {}

    fn wants_beliefs(&self) -> bool {
        false
    }
}

/// Simulates rollouts `start..start + len` into a chunk whose series reuses `series` (a buffer
/// of an earlier chunk, emptied), so that a run allocates its buffers once, not per chunk.
fn simulate_chunk(model: &Model, cfg: &RunConfig, start: u64, len: usize, scratch: &mut Scratch, mut series: Vec<f64>) -> Chunk {
    let width = series_width(model);
    let months = model.horizon() as usize + 1;
    series.clear();
    series.reserve(len * width * months.min(64));
    let mut records = Vec::with_capacity(len);
    let mut starts = Vec::with_capacity(len + 1);
    starts.push(0);
    for i in 0..len {
        let mut obs = SeriesWriter { series: &mut series };
        records.push(run_rollout(model, cfg.seed, start + i as u64, scratch, &mut obs));
        starts.push(series.len() / width);
    }
    let mut c = Chunk { records, series, starts, width, sums: Vec::new(), after: Vec::new() };
    c.sum();
    c
}

/// The fixed-point scale of the monthly sums: 2⁻⁴⁸ (3.6 × 10⁻¹⁵). Every value is within ±10⁹,
/// so a sum of 10⁹ rollouts' values stays far inside an `i128`; the mean is the exact sum of the
/// values so rounded, divided once at the end, whatever the split of rollouts into chunks,
/// threads or shards.
pub const FIXED_SCALE: f64 = (1u64 << 48) as f64;

/// A value in the sums' fixed point (non-finite values, never expected, count as 0: they are
/// counted and refused by the summary's histograms).
pub fn to_fixed(v: f64) -> i128 {
    // The flags and the costs that have not moved: most values, at once.
    if v == 0.0 {
        return 0;
    }
    if v == 1.0 {
        return 1 << 48;
    }
    if !v.is_finite() {
        return 0;
    }
    if v.abs() >= 4.5e15 {
        return (v * FIXED_SCALE).round() as i128;
    }
    // round(v·2⁴⁸) without libm and f64 → i128: v = i + f (i whole, f of v's sign, both exact
    // while |v| < 2⁵²), f·2⁴⁸ is exact (a power of two) and below 2⁴⁸, and rounding half away
    // from zero of i·2⁴⁸ + g, i and g of one sign, is i·2⁴⁸ + round(g).
    let i = v as i64;
    let g = crate::stats::round_to_i64((v - i as f64) * FIXED_SCALE);
    ((i as i128) << 48) + g as i128
}

/// A fixed-point sum back as a number.
pub fn from_fixed(s: i128) -> f64 {
    s as f64 / FIXED_SCALE
}

/// Rollouts `cfg.first..cfg.first + cfg.n` on `cfg.threads` workers, each handed to `f` with the
/// worker's scratch and its index; the results come back in rollout order, so they do not
/// depend on the number of threads. For callers that watch rollouts with their own observer
/// (the validation's belief probes).
pub fn map_rollouts<T: Send>(model: &Model, cfg: &RunConfig, f: impl Fn(&mut Scratch, u64) -> T + Sync) -> Vec<T> {
    let pool = rayon::ThreadPoolBuilder::new().num_threads(cfg.threads.max(1)).build().expect("a thread pool can be built");
    pool.install(|| (0..cfg.n).into_par_iter().map_init(|| Scratch::new(model), |scratch, i| f(scratch, cfg.first + i)).collect())
}

/// Runs `cfg.n` rollouts and hands each chunk, in rollout order, to `sink`. `tick` is called
/// with the number of rollouts finished so far (for a progress bar).
pub fn run<E>(model: &Model, cfg: &RunConfig, sink: impl FnMut(&Chunk) -> Result<(), E>, tick: impl FnMut(u64)) -> Result<(), E> {
    run_with(model, cfg, &|_| {}, sink, tick)
}

/// As `run`, and also hands every chunk to `parallel` on the worker that simulated it, in no
/// particular order: for work whose result does not depend on order (integer histograms).
pub fn run_with<E>(
    model: &Model,
    cfg: &RunConfig,
    parallel: &(dyn Fn(&Chunk) + Sync),
    mut sink: impl FnMut(&Chunk) -> Result<(), E>,
    mut tick: impl FnMut(u64),
) -> Result<(), E> {
    let pool = rayon::ThreadPoolBuilder::new().num_threads(cfg.threads.max(1)).build().expect("a thread pool can be built");
    let n_chunks = cfg.n.div_ceil(CHUNK as u64) as usize;
    // Series buffers of chunks already handed to the sink, for the next wave to fill.
    let spare: std::sync::Mutex<Vec<Vec<f64>>> = std::sync::Mutex::new(Vec::new());
    let wave = (cfg.threads.max(1) * 4).max(1);
    let mut done = 0u64;
    for wave_start in (0..n_chunks).step_by(wave) {
        let wave_end = (wave_start + wave).min(n_chunks);
        let chunks: Vec<Chunk> = pool.install(|| {
            (wave_start..wave_end)
                .into_par_iter()
                .map_init(
                    || Scratch::new(model),
                    |scratch, c| {
                        let start = c as u64 * CHUNK as u64;
                        let len = (cfg.n - start).min(CHUNK as u64) as usize;
                        let buffer = spare.lock().unwrap_or_else(|e| e.into_inner()).pop().unwrap_or_default();
                        let chunk = simulate_chunk(model, cfg, cfg.first + start, len, scratch, buffer);
                        parallel(&chunk);
                        chunk
                    },
                )
                .collect()
        });
        for chunk in &chunks {
            sink(chunk)?;
            done += chunk.records.len() as u64;
        }
        spare.lock().unwrap_or_else(|e| e.into_inner()).extend(chunks.into_iter().map(|c| c.series));
        tick(done);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Chunks go to the sink in waves of four per thread, and `tick` hears the rollouts done
    /// after each wave: at 1 thread, 1,024 a wave; at 2, 2,048; the last wave ends at N.
    #[test]
    fn progress_is_reported_after_each_wave() {
        let model = crate::model::testing::shipped("validation/forts.toml", &["scenario.horizon_months=60"]);
        for (threads, want) in [(1, vec![1024, 2048, 3000]), (2, vec![2048, 3000])] {
            let cfg = RunConfig { n: 3000, seed: 1, threads, first: 0 };
            let mut ticks = Vec::new();
            let mut seen = 0u64;
            run(
                &model,
                &cfg,
                |c: &Chunk| -> Result<(), ()> {
                    seen += c.records.len() as u64;
                    Ok(())
                },
                |done| ticks.push(done),
            )
            .unwrap();
            assert_eq!(ticks, want, "{threads} threads");
            assert_eq!(seen, 3000);
        }
    }

    /// The fast rounding is `(v·2⁴⁸).round()`, half away from zero, for any finite value.
    #[test]
    fn fixed_point_rounds_as_the_plain_formula() {
        let plain = |v: f64| (v * FIXED_SCALE).round() as i128;
        let half = 0.5 / FIXED_SCALE;
        let mut values = vec![0.0, -0.0, 1.0, -1.0, half, -half, 3.0 * half, -3.0 * half, 118_700.25, -0.1, 1e9, -1e9, 4.6e15, 1e-300];
        let mut x = 0x9E37_79B9_7F4A_7C15u64;
        for _ in 0..100_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let scale = [1e-12, 1e-3, 1.0, 1e3, 1e6, 1e9][(x % 6) as usize];
            values.push(((x >> 11) as f64 / (1u64 << 53) as f64 - 0.5) * 2.0 * scale);
        }
        for v in values {
            assert_eq!(to_fixed(v), plain(v), "{v:e}");
        }
        assert_eq!(to_fixed(f64::NAN), 0);
    }
}
