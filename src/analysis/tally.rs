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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{self, Overrides};
    use std::path::Path;

    /// The tally holds, rollout by rollout, what the runner's records say: each outcome in rollout
    /// order, the months of first ceasefires counted once each, and the drawn parameters.
    #[test]
    fn a_tally_is_the_runners_records_reduced() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/baseline.toml");
        let model = Model::new(scenario::load(&path, &Overrides::default()).unwrap());
        let (n, seed) = (300, 11);
        let mut records = Vec::new();
        let cfg = RunConfig { n, seed, threads: 1, first: 0 };
        runner::run(
            &model,
            &cfg,
            |c: &runner::Chunk| -> Result<(), Infallible> {
                records.extend(c.records.iter().map(|r| (r.index, r.outcome, r.ceasefire_month, r.drawn.clone())));
                Ok(())
            },
            |_| {},
        )
        .unwrap();
        records.sort_by_key(|r| r.0);
        let t = tally(&model, n, seed, 2, true, |_| {});
        assert_eq!(t.n(), n);
        assert_eq!(t.width, model.uncertain.len());
        let mut months = vec![0u64; model.horizon() as usize + 1];
        for (i, (_, outcome, ceasefire, drawn)) in records.iter().enumerate() {
            assert_eq!(t.outcomes[i] as usize, outcome_index(*outcome), "rollout {i}");
            assert_eq!(&t.drawn[i * t.width..(i + 1) * t.width], drawn.as_slice(), "rollout {i}");
            if let Some(m) = ceasefire {
                months[*m as usize] += 1;
            }
        }
        let ceasefires: u64 = months.iter().sum();
        assert!(ceasefires > 10 && ceasefires < n, "the baseline has some ceasefires, not all: {ceasefires}");
        assert_eq!(t.ceasefire_at, months);
        assert_eq!(t.median_months_to_ceasefire(), median_of_counts(&months));
        for o in Outcome::ALL {
            let k = records.iter().filter(|r| r.1 == o).count() as u64;
            assert_eq!(t.count(o), k, "{o:?}");
            assert_eq!(t.indicator(o).iter().filter(|&&b| b).count() as u64, k);
        }
        // Without drawn parameters, nothing is kept, and the rest is the same.
        let lean = tally(&model, n, seed, 1, false, |_| {});
        assert!(lean.drawn.is_empty());
        assert_eq!((lean.outcomes, lean.ceasefire_at), (t.outcomes.clone(), t.ceasefire_at.clone()));
    }
}
