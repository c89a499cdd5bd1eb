//! Summaries across rollouts, accumulated chunk by chunk in rollout order: outcome counts,
//! cumulative ceasefire and settlement curves, monthly means and quantile bands.

use std::cell::OnceCell;
use std::sync::Mutex;

mod report;
mod state;
#[cfg(test)]
mod tests;

pub use report::*;
pub use state::State;

use crate::model::{Model, Outcome};
use crate::runner::{Chunk, SERIES_FIXED, series_width};
use crate::stats::{Histogram, median_of_counts, wilson};

/// Resolution of the area quantiles (km² per histogram bin), over the whole range of areas:
/// 65,536 bins of 25 km² span 1.6 million km², more than any country at war.
pub const AREA_BIN_KM2: f64 = 25.0;
const AREA_MAX_BINS: usize = 1 << 16;
/// Resolution of the cost quantiles (endurance units per bin) while the costs of one month span
/// less than 131 units; a wider span coarsens the bins (`cost_resolution`).
pub const COST_BIN: f64 = 0.002;
const COST_MAX_BINS: usize = 1 << 16;

pub struct Summary {
    pub n: u64,
    /// Rollout-months simulated (each rollout's months 1 … its end or the horizon): the work
    /// done, which the months repeated after an end are not.
    pub months_simulated: u64,
    pub counts: [u64; 6],
    /// Rollouts whose first ceasefire (or settlement) came in month m.
    pub ceasefire_at: Vec<u64>,
    pub settlement_at: Vec<u64>,
    /// Monthly sums per metric, month-major: `[month][metric]`, in the runner's fixed point
    /// (exact, so any split of the rollouts gives the same sums).
    sums: Vec<i128>,
    /// Quantile histograms, sharded so that workers can fill them in parallel: counts are
    /// integers, so the merged result does not depend on the order chunks arrive in.
    merged: Option<Hists>,
    /// The histograms with every ended rollout's repeated months counted in (`Hists::settle`),
    /// made when first read and dropped when anything is added.
    settled: OnceCell<Hists>,
    width: usize,
    months: usize,
    n_actors: usize,
}

#[derive(Clone)]
struct Hists {
    /// Per month: the values of the rollouts still running (or just ended) in that month.
    area: Vec<Histogram>,
    /// `[month][actor]`, as `area`.
    costs: Vec<Histogram>,
    final_area: Histogram,
    /// Per month m: the last values of the rollouts that ended in m before the horizon, which
    /// every later month repeats. Counted into those months once, by `settle`, instead of
    /// month by month for every rollout.
    tail_area: Vec<Histogram>,
    tail_costs: Vec<Histogram>,
}

impl Hists {
    fn merge(&mut self, other: &Hists) {
        let pairs = self.area.iter_mut().zip(&other.area).chain(self.costs.iter_mut().zip(&other.costs));
        let tails = self.tail_area.iter_mut().zip(&other.tail_area).chain(self.tail_costs.iter_mut().zip(&other.tail_costs));
        for (a, b) in pairs.chain(tails) {
            a.merge(b);
        }
        self.final_area.merge(&other.final_area);
    }

    /// The histograms of every month with the repeated months of ended rollouts counted in:
    /// month m gets the tails of every month before it. Counts are integers, so this equals
    /// adding each repeated value month by month. Past the last month that has values of its
    /// own or follows a tail, every month is the same: the result stops there, and `month_of`
    /// reads later months from it, so memory does not grow with the horizon.
    fn settle(&self, n_actors: usize) -> Hists {
        let months = self.area.len();
        let stride = n_actors.max(1);
        // `fill` counts the area and every cost for the same rollout-months and tails, so the
        // area's counts alone say which months change.
        let changes = |m: usize| self.area[m].total() > 0 || (m > 0 && self.tail_area[m - 1].total() > 0);
        let kept = (0..months).rev().find(|&m| changes(m)).unwrap_or(0) + 1;
        let mut out = Hists {
            area: self.area[..kept].to_vec(),
            costs: self.costs[..kept * n_actors].to_vec(),
            final_area: self.final_area.clone(),
            tail_area: Vec::new(),
            tail_costs: Vec::new(),
        };
        let carry = |hists: &mut [Histogram], tails: &[Histogram], stride: usize| {
            for k in 0..stride {
                let mut carried: Option<Histogram> = None;
                for (m, tail) in tails.iter().skip(k).step_by(stride).enumerate().take(hists.len() / stride) {
                    if let Some(c) = &carried {
                        hists[m * stride + k].merge(c);
                    }
                    if tail.total() > 0 {
                        match &mut carried {
                            Some(c) => c.merge(tail),
                            None => carried = Some(tail.clone()),
                        }
                    }
                }
            }
        };
        carry(&mut out.area, &self.tail_area, 1);
        if n_actors > 0 {
            carry(&mut out.costs, &self.tail_costs, stride);
        }
        out
    }

    /// The index in a settled `area` of month `m` (months past its end repeat its last).
    fn month_of(&self, m: usize) -> usize {
        m.min(self.area.len().saturating_sub(1))
    }
}

/// At most this many shards; fewer with fewer threads (each shard is a full set of histograms).
const MAX_SHARDS: usize = 8;

/// The quantile histograms of a `Summary`, split into shards for filling from worker threads.
/// Counts are integers, so the merged result does not depend on the order chunks arrive in.
pub struct Shards {
    shards: Vec<Mutex<Hists>>,
    months: usize,
    width: usize,
    n_actors: usize,
}

impl Shards {
    pub fn add(&self, chunk: &Chunk) {
        let shard = chunk.records.first().map(|r| (r.index as usize / crate::runner::CHUNK) % self.shards.len()).unwrap_or(0);
        let mut h = self.shards[shard].lock().unwrap_or_else(|e| e.into_inner());
        Summary::fill(&mut h, chunk, self.months, self.width, self.n_actors);
    }
}

impl Summary {
    pub fn new(model: &Model) -> Summary {
        let months = model.horizon() as usize + 1;
        let width = series_width(model);
        let area_h = Histogram::new(AREA_BIN_KM2, AREA_MAX_BINS);
        Summary {
            n: 0,
            months_simulated: 0,
            counts: [0; 6],
            ceasefire_at: vec![0; months],
            settlement_at: vec![0; months],
            sums: vec![0; months * width],
            merged: Some(Hists {
                area: vec![area_h.clone(); months],
                costs: vec![Histogram::new(COST_BIN, COST_MAX_BINS); months * model.n_actors()],
                final_area: area_h.clone(),
                tail_area: vec![area_h; months],
                tail_costs: vec![Histogram::new(COST_BIN, COST_MAX_BINS); months * model.n_actors()],
            }),
            settled: OnceCell::new(),
            width,
            months,
            n_actors: model.n_actors(),
        }
    }

    /// Histogram bins held now and the most they can ever hold (a bound set by the model's shape,
    /// not by how many rollouts were added): what "summaries stream in constant memory" rests on.
    pub fn bins_held(&self) -> (usize, usize) {
        let Some(h) = &self.merged else { return (0, 0) };
        let all = h.area.iter().chain(&h.costs).chain(std::iter::once(&h.final_area)).chain(&h.tail_area).chain(&h.tail_costs);
        all.fold((0, 0), |(held, max), x| (held + x.bins_held(), max + x.max_bins()))
    }

    /// Adds a chunk, all of it, on the calling thread. Chunks must arrive in rollout order.
    pub fn add(&mut self, chunk: &Chunk) {
        self.add_ordered(chunk);
        let mut h = self.merged.take().expect("add is not mixed with add_parallel");
        Self::fill(&mut h, chunk, self.months, self.width, self.n_actors);
        self.merged = Some(h);
        self.settled = OnceCell::new();
    }

    /// Moves the histograms out into shards that workers can fill in parallel (`Shards::add`);
    /// `join` brings them back. Meanwhile only `add_ordered` may be called.
    pub fn split(&mut self) -> Shards {
        self.split_for(MAX_SHARDS)
    }

    /// As `split`, with one shard per worker thread (up to the maximum) to bound memory.
    pub fn split_for(&mut self, threads: usize) -> Shards {
        let count = threads.clamp(1, MAX_SHARDS);
        let h = self.merged.take().expect("histograms are not already split");
        self.settled = OnceCell::new();
        Shards {
            shards: (0..count).map(|_| Mutex::new(h.clone())).collect(),
            months: self.months,
            width: self.width,
            n_actors: self.n_actors,
        }
    }

    pub fn join(&mut self, shards: Shards) {
        let mut it = shards.shards.into_iter().map(|m| m.into_inner().unwrap_or_else(|e| e.into_inner()));
        if let Some(mut first) = it.next() {
            for s in it {
                first.merge(&s);
            }
            self.merged = Some(first);
        }
        self.settled = OnceCell::new();
    }

    /// The ordered part: counts and the sums (exact, but kept here with the counts).
    pub fn add_ordered(&mut self, chunk: &Chunk) {
        self.months_simulated += chunk.months_simulated();
        for rec in &chunk.records {
            self.n += 1;
            let o = Outcome::ALL.iter().position(|x| *x == rec.outcome).unwrap_or(0);
            self.counts[o] += 1;
            if let Some(m) = rec.ceasefire_month {
                self.ceasefire_at[m as usize] += 1;
            }
            if let Some(m) = rec.settlement_month {
                self.settlement_at[m as usize] += 1;
            }
        }
        for (m, month) in self.sums.chunks_mut(self.width).enumerate() {
            for (s, v) in month.iter_mut().zip(chunk.sums_at(m)) {
                *s += v;
            }
        }
    }

    fn fill(h: &mut Hists, chunk: &Chunk, months: usize, width: usize, n_actors: usize) {
        let n = chunk.records.len();
        for rec in &chunk.records {
            h.final_area.add(rec.final_area_km2);
        }
        // Month by month over the chunk's rollouts still running: a month's few histograms stay
        // in cache while its values arrive (bin counts do not depend on the order values are
        // added in). A rollout that ended leaves its last values once, in its month's tails.
        // A run of equal values (a cost that does not move, a front at the same place) is added
        // in one step: the counts are the same.
        let top = (0..n).map(|r| chunk.last_month(r)).max().unwrap_or(0).min(months - 1);
        let mut runs = vec![(f64::NAN, 0u64); 1 + n_actors];
        // The rollouts by their last month, latest first: those still running in month m are a
        // prefix, which shrinks as the months go on.
        let mut running: Vec<usize> = (0..n).collect();
        running.sort_by_key(|&r| std::cmp::Reverse(chunk.last_month(r)));
        let lasts: Vec<usize> = running.iter().map(|&r| chunk.last_month(r)).collect();
        let rows: Vec<&[f64]> = running.iter().map(|&r| chunk.rows_of(r)).collect();
        let mut alive = n;
        for m in 0..=top {
            let costs = &mut h.costs[m * n_actors..(m + 1) * n_actors];
            let area = &mut h.area[m];
            while alive > 0 && lasts[alive - 1] < m {
                alive -= 1;
            }
            let at = m * width;
            for rows in &rows[..alive] {
                let row = &rows[at..at + width];
                add_to_run(&mut runs[0], row[0], area);
                for ((run, &x), hist) in runs[1..].iter_mut().zip(&row[SERIES_FIXED..]).zip(costs.iter_mut()) {
                    add_to_run(run, x, hist);
                }
            }
            end_run(&mut runs[0], area);
            for (run, hist) in runs[1..].iter_mut().zip(costs.iter_mut()) {
                end_run(run, hist);
            }
        }
        for r in 0..n {
            let last = chunk.last_month(r);
            if last + 1 < months {
                let row = chunk.row(r, last);
                h.tail_area[last].add(row[0]);
                for (a, hist) in h.tail_costs[last * n_actors..(last + 1) * n_actors].iter_mut().enumerate() {
                    hist.add(row[SERIES_FIXED + a]);
                }
            }
        }
    }

    fn hists(&self) -> &Hists {
        self.settled.get_or_init(|| self.merged.as_ref().expect("histograms are merged before they are read").settle(self.n_actors))
    }

    pub fn p(&self, o: Outcome) -> f64 {
        let i = Outcome::ALL.iter().position(|x| *x == o).unwrap_or(0);
        self.counts[i] as f64 / self.n.max(1) as f64
    }

    pub fn mean(&self, month: usize, metric: usize) -> f64 {
        crate::runner::from_fixed(self.sums[month * self.width + metric]) / self.n.max(1) as f64
    }

    pub fn area_quantile(&self, month: usize, q: f64) -> Option<f64> {
        let h = self.hists();
        h.area[h.month_of(month)].quantile(q)
    }

    /// Share of rollouts whose area at `month` is at most `km2`.
    pub fn area_cdf(&self, month: usize, km2: f64) -> f64 {
        let h = self.hists();
        h.area[h.month_of(month)].cdf(km2)
    }

    /// The area quantiles at `qs` (ascending) of `month`, in one pass.
    pub fn area_quantiles<const K: usize>(&self, month: usize, qs: [f64; K]) -> [Option<f64>; K] {
        let h = self.hists();
        h.area[h.month_of(month)].quantiles(qs)
    }

    /// Actor `actor`'s cost quantiles at `qs` (ascending) of `month`, in one pass.
    pub fn cost_quantiles<const K: usize>(&self, month: usize, actor: usize, qs: [f64; K]) -> [Option<f64>; K] {
        let h = self.hists();
        h.costs[h.month_of(month) * self.n_actors + actor].quantiles(qs)
    }

    /// The month whose histograms `month`'s are: months after every rollout's values stopped
    /// changing share the last changing month's (so their quantiles need not be read again).
    pub fn histogram_month(&self, month: usize) -> usize {
        self.hists().month_of(month)
    }

    pub fn cost_quantile(&self, month: usize, actor: usize, q: f64) -> Option<f64> {
        let h = self.hists();
        h.costs[h.month_of(month) * self.n_actors + actor].quantile(q)
    }

    pub fn final_area_quantile(&self, q: f64) -> Option<f64> {
        self.hists().final_area.quantile(q)
    }

    /// The coarsest bin width of the area histograms (25 km² unless areas spread over more
    /// than 1.6 million km²): every area quantile is within it of the exact one.
    pub fn area_resolution(&self) -> f64 {
        let h = self.hists();
        h.area.iter().chain([&h.final_area]).map(Histogram::width).fold(AREA_BIN_KM2, f64::max)
    }

    /// The coarsest bin width of the cost histograms.
    pub fn cost_resolution(&self) -> f64 {
        self.hists().costs.iter().map(Histogram::width).fold(COST_BIN, f64::max)
    }

    /// Values that no histogram could bin (not finite): a bug if ever non-zero.
    pub fn invalid_values(&self) -> u64 {
        let h = self.hists();
        // Months past the settled ones repeat the last, invalid values included.
        let repeated = (self.months - h.area.len()) as u64;
        let last = h.area.last().map_or(0, Histogram::invalid)
            + h.costs[h.costs.len().saturating_sub(self.n_actors)..].iter().map(Histogram::invalid).sum::<u64>();
        h.area.iter().chain(&h.costs).chain([&h.final_area]).map(Histogram::invalid).sum::<u64>() + repeated * last
    }

    pub fn months(&self) -> usize {
        self.months
    }

    /// The headline figures and curves, in the shape of `summary.json`.
    pub fn report(&self, model: &Model, seed: u64) -> Report {
        let sc = &model.scenario;
        let outcomes = Outcome::ALL
            .iter()
            .enumerate()
            .map(|(i, o)| {
                let (lo, hi) = wilson(self.counts[i], self.n);
                (
                    o.name().to_string(),
                    OutcomeStat { count: self.counts[i], p: self.counts[i] as f64 / self.n.max(1) as f64, ci95: [lo, hi] },
                )
            })
            .collect();
        let curve = |at: &[u64]| {
            let mut cum = 0;
            at.iter()
                .enumerate()
                .map(|(m, &c)| {
                    cum += c;
                    let (lo, hi) = wilson(cum, self.n);
                    CurvePoint {
                        month: m as u32,
                        date: sc.date(m as i32).to_string(),
                        p: cum as f64 / self.n.max(1) as f64,
                        ci95: [lo, hi],
                    }
                })
                .collect()
        };
        let ukraine = model.ukraine_km2();
        let claimed = model.claimed_km2();
        let median_area = self.final_area_quantile(0.5).unwrap_or(0.0);
        Report {
            truce_version: env!("CARGO_PKG_VERSION").to_string(),
            scenario: sc.name.clone(),
            title: sc.title.clone(),
            n: self.n,
            seed,
            start: sc.start.to_string(),
            horizon_months: sc.horizon,
            outcomes,
            ceasefire_by_month: curve(&self.ceasefire_at),
            settlement_by_month: curve(&self.settlement_at),
            median_months_to_ceasefire: median_of_counts(&self.ceasefire_at),
            median_months_to_settlement: median_of_counts(&self.settlement_at),
            final_area_km2: AreaStat {
                median: median_area,
                p05: self.final_area_quantile(0.05).unwrap_or(0.0),
                p95: self.final_area_quantile(0.95).unwrap_or(0.0),
                median_pct: 100.0 * median_area / ukraine,
            },
            ukraine_km2: ukraine,
            claimed_km2: claimed,
            quantile_resolution_km2: self.area_resolution(),
            cost_quantile_resolution: self.cost_resolution(),
            issues: sc
                .issues
                .iter()
                .map(|i| IssueInfo {
                    id: i.id.clone(),
                    label0: i.label0.clone(),
                    label1: i.label1.clone(),
                    name: i.name.clone(),
                    name_zh: i.name_zh.clone(),
                    label0_zh: i.label0_zh.clone(),
                    label1_zh: i.label1_zh.clone(),
                })
                .collect(),
            actors: sc
                .actors
                .iter()
                .enumerate()
                .map(|(ai, a)| ActorInfo {
                    id: a.id.clone(),
                    name: a.name.clone(),
                    name_zh: a.name_zh.clone(),
                    ideal: sc.issues.iter().enumerate().map(|(k, i)| (i.id.clone(), model.ideal(ai, k))).collect(),
                })
                .collect(),
            graph: Graph {
                nodes: sc.actors.iter().map(|a| a.id.clone()).collect(),
                edges: sc
                    .links
                    .iter()
                    .map(|l| Edge {
                        from: sc.actors[l.from].id.clone(),
                        to: sc.actors[l.to].id.clone(),
                        kind: l.kind.name().into(),
                        weight: sc.params[l.weight].central(),
                    })
                    .collect(),
                patrons: crate::graph::patron_ties(model)
                    .into_iter()
                    .map(|(p, c, aid)| Patron { from: sc.actors[p].id.clone(), to: sc.actors[c].id.clone(), aid })
                    .collect(),
            },
            history: sc.history.iter().map(|(m, km2)| HistoryPoint { date: m.to_string(), km2: *km2 }).collect(),
        }
    }
}

/// Counts `x` in a run of equal values (`run`: the value and how many times it came so far),
/// adding the run to `hist` in one step when a different value ends it. An empty run holds a
/// NaN: a NaN of the same bits joins it as its first value, as it would start a run.
fn add_to_run(run: &mut (f64, u64), x: f64, hist: &mut Histogram) {
    if x.to_bits() == run.0.to_bits() {
        run.1 += 1;
        return;
    }
    end_run(run, hist);
    *run = (x, 1);
}

/// Adds the run so far to `hist` and starts afresh (a month's end).
fn end_run(run: &mut (f64, u64), hist: &mut Histogram) {
    if run.1 > 0 {
        hist.add_n(run.0, run.1);
    }
    *run = (f64::NAN, 0);
}
