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

/// The monthly figures of one chunk, rollout-major: `[rollout][month][metric]`.
pub struct Chunk {
    pub records: Vec<Record>,
    pub series: Vec<f64>,
    /// Sums of `series` over the chunk's rollouts, `[month][metric]`, in fixed point
    /// (`to_fixed`): exact, so they add up to the same total in any split and order.
    pub sums: Vec<i128>,
}

struct SeriesWriter<'a> {
    row: &'a mut [f64],
    width: usize,
}

impl Observer for SeriesWriter<'_> {
    fn month(&mut self, v: &MonthView<'_>) {
        let at = v.month as usize * self.width;
        let cell = &mut self.row[at..at + self.width];
        cell[0] = v.area_km2;
        cell[1] = v.at_war as u8 as f64;
        cell[2] = v.ceasefire as u8 as f64;
        cell[3] = v.settled as u8 as f64;
        cell[SERIES_FIXED..].copy_from_slice(v.costs);
    }
}

fn simulate_chunk(model: &Model, cfg: &RunConfig, start: u64, len: usize, scratch: &mut Scratch) -> Chunk {
    let width = series_width(model);
    let per_rollout = (model.horizon() as usize + 1) * width;
    let mut series = vec![0.0; len * per_rollout];
    let mut records = Vec::with_capacity(len);
    for (i, row) in series.chunks_mut(per_rollout).enumerate() {
        let mut obs = SeriesWriter { row, width };
        records.push(run_rollout(model, cfg.seed, start + i as u64, scratch, &mut obs));
    }
    let mut sums = vec![0i128; per_rollout];
    for row in series.chunks(per_rollout) {
        for (s, v) in sums.iter_mut().zip(row) {
            *s += to_fixed(*v);
        }
    }
    Chunk { records, series, sums }
}

/// The fixed-point scale of the monthly sums: 2⁻⁴⁸ (3.6 × 10⁻¹⁵). Every value is within ±10⁹,
/// so a sum of 10⁹ rollouts' values stays far inside an `i128`; the mean is the exact sum of the
/// values so rounded, divided once at the end, whatever the split of rollouts into chunks,
/// threads or shards.
pub const FIXED_SCALE: f64 = (1u64 << 48) as f64;

/// A value in the sums' fixed point (non-finite values, never expected, count as 0: they are
/// counted and refused by the summary's histograms).
pub fn to_fixed(v: f64) -> i128 {
    if v.is_finite() { (v * FIXED_SCALE).round() as i128 } else { 0 }
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
                        let chunk = simulate_chunk(model, cfg, cfg.first + start, len, scratch);
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
        tick(done);
    }
    Ok(())
}
