//! One scenario's rollouts reduced to what the analyses need: each rollout's outcome (in rollout
//! order, so that two runs can be paired rollout by rollout), the month of each first ceasefire,
//! and, on request, each rollout's drawn parameters.

use std::convert::Infallible;

use crate::model::{Model, Outcome};
use crate::runner::{self, RunConfig};
use crate::stats::median_of_counts;

use super::intervals::{Estimate, proportion};
use super::outcome_index;

/// The results of `n` rollouts of one model.
#[derive(Debug, Clone)]
pub struct Tally {
    /// Outcome of rollout i, as an index into `Outcome::ALL`.
    pub outcomes: Vec<u8>,
    /// Rollouts whose first ceasefire (or settlement) came in month m.
    pub ceasefire_at: Vec<u64>,
    /// Drawn uncertain parameters, rollout-major (`n × width`); empty unless asked for.
    pub drawn: Vec<f64>,
    pub width: usize,
}

impl Tally {
    pub fn n(&self) -> u64 {
        self.outcomes.len() as u64
    }

    pub fn count(&self, o: Outcome) -> u64 {
        let k = outcome_index(o) as u8;
        self.outcomes.iter().filter(|&&x| x == k).count() as u64
    }

    /// The share of rollouts ending in `o`, with its 95% Wilson interval.
    pub fn p(&self, o: Outcome) -> Estimate {
        proportion(self.count(o), self.n())
    }

    /// 1 where rollout i ends in `o`, else 0.
    pub fn indicator(&self, o: Outcome) -> Vec<bool> {
        let k = outcome_index(o) as u8;
        self.outcomes.iter().map(|&x| x == k).collect()
    }

    pub fn median_months_to_ceasefire(&self) -> Option<u32> {
        median_of_counts(&self.ceasefire_at)
    }
}

/// Runs rollouts 0..n of `model` under `seed`. `tick` gets the number of rollouts finished so far.
pub fn tally(model: &Model, n: u64, seed: u64, threads: usize, keep_drawn: bool, mut tick: impl FnMut(u64)) -> Tally {
    let width = model.uncertain.len();
    let mut t = Tally {
        outcomes: Vec::with_capacity(n as usize),
        ceasefire_at: vec![0; model.horizon() as usize + 1],
        drawn: Vec::with_capacity(if keep_drawn { n as usize * width } else { 0 }),
        width,
    };
    let cfg = RunConfig { n, seed, threads, first: 0 };
    let sink = |chunk: &runner::Chunk| -> Result<(), Infallible> {
        for r in &chunk.records {
            t.outcomes.push(outcome_index(r.outcome) as u8);
            if let Some(m) = r.ceasefire_month {
                t.ceasefire_at[m as usize] += 1;
            }
            if keep_drawn {
                t.drawn.extend_from_slice(&r.drawn);
            }
        }
        Ok(())
    };
    match runner::run(model, &cfg, sink, &mut tick) {
        Ok(()) => {}
        Err(never) => match never {},
    }
    t
}
