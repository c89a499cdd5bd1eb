//! A summary's whole state, kept in a shard's partial run folder (`shard.json`) and added up by
//! `truce merge`: counts, the exact fixed-point sums, and the histograms' integer counts, so
//! that the merged summary is the one a single run of every rollout makes, bit for bit.

use serde::{Deserialize, Serialize};

use super::{Hists, Summary};
use crate::stats::Histogram;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct State {
    pub n: u64,
    /// Rollout-months simulated (`Summary::months_simulated`).
    #[serde(default)]
    pub months_simulated: u64,
    pub counts: [u64; 6],
    pub ceasefire_at: Vec<u64>,
    pub settlement_at: Vec<u64>,
    /// The fixed-point sums (`runner::to_fixed`), as decimal text: an `i128` is beyond what a
    /// JSON number holds exactly.
    pub sums: Vec<String>,
    pub area: Vec<Histogram>,
    pub costs: Vec<Histogram>,
    pub final_area: Histogram,
}

impl Summary {
    /// The state of a summary whose histograms are merged (after a run).
    pub fn state(&self) -> State {
        let h = self.hists();
        State {
            n: self.n,
            months_simulated: self.months_simulated,
            counts: self.counts,
            ceasefire_at: self.ceasefire_at.clone(),
            settlement_at: self.settlement_at.clone(),
            sums: self.sums.iter().map(i128::to_string).collect(),
            // Every month, those past the settled ones repeating its last.
            area: (0..self.months).map(|m| h.area[h.month_of(m)].clone()).collect(),
            costs: (0..self.months)
                .flat_map(|m| (0..self.n_actors).map(move |a| h.month_of(m) * self.n_actors + a))
                .map(|i| h.costs[i].clone())
                .collect(),
            final_area: h.final_area.clone(),
        }
    }

    /// Adds another summary's state of the same model (a shard's), or says why it cannot be.
    pub fn absorb(&mut self, s: &State) -> Result<(), String> {
        let h = self.merged.as_mut().ok_or("the summary's histograms are split")?;
        let shape = |what: &str, got: usize, want: usize| {
            if got == want { Ok(()) } else { Err(format!("`{what}` has {got} entries, the scenario's summary {want}")) }
        };
        shape("ceasefire_at", s.ceasefire_at.len(), self.ceasefire_at.len())?;
        shape("settlement_at", s.settlement_at.len(), self.settlement_at.len())?;
        shape("sums", s.sums.len(), self.sums.len())?;
        shape("area", s.area.len(), h.area.len())?;
        shape("costs", s.costs.len(), h.costs.len())?;
        let like = |got: &[Histogram], want: &[Histogram], what: &str| match got.iter().zip(want).position(|(g, w)| !g.is_like(w)) {
            Some(i) => Err(format!("`{what}[{i}]` is not a histogram this scenario's summary makes")),
            None => Ok(()),
        };
        like(&s.area, &h.area, "area")?;
        like(&s.costs, &h.costs, "costs")?;
        like(std::slice::from_ref(&s.final_area), std::slice::from_ref(&h.final_area), "final_area")?;
        let sums: Vec<i128> = s
            .sums
            .iter()
            .map(|t| t.parse::<i128>().map_err(|_| format!("`sums` holds {t:?}, not a whole number")))
            .collect::<Result<_, _>>()?;
        self.n += s.n;
        self.months_simulated += s.months_simulated;
        for (a, b) in self.counts.iter_mut().zip(&s.counts) {
            *a += b;
        }
        for (a, b) in self.ceasefire_at.iter_mut().zip(&s.ceasefire_at) {
            *a += b;
        }
        for (a, b) in self.settlement_at.iter_mut().zip(&s.settlement_at) {
            *a += b;
        }
        for (a, b) in self.sums.iter_mut().zip(&sums) {
            *a += b;
        }
        // The state's histograms are settled (the repeated months counted in): they add to
        // the months' own, and no tails.
        h.merge(&Hists {
            area: s.area.clone(),
            costs: s.costs.clone(),
            final_area: s.final_area.clone(),
            tail_area: Vec::new(),
            tail_costs: Vec::new(),
        });
        self.settled = std::cell::OnceCell::new();
        Ok(())
    }
}
