//! Learning (MODEL.md §4.4): each actor's belief about the mean monthly front change is a
//! conjugate normal mean, updated with its own noisy reading of each month's change. The prior's
//! bias therefore shrinks as w₀/(w₀ + n): the principle of convergence (Slantchev 2003).
//!
//! With `beliefs = "beta"` the belief is instead the attacker's chance of winning a battle, a
//! beta-bernoulli mean updated with each month's win (the front moved toward the defender's
//! side) or loss, without noise: mean = (s·prior_mean + wins)/(s + battles). Two actors with the
//! same prior weight s then disagree by exactly (a₁ − a₂)/(s + n) after n battles.

use super::rollout::Rng;
use rand::RngExt;
use rand_distr::StandardNormal;

use super::Model;
use super::rollout::Scratch;

impl Scratch {
    pub(crate) fn learn(&mut self, model: &Model, change: f64, rng: &mut Rng) {
        if self.beta_beliefs(model) {
            let won = if change > 0.0 { 1.0 } else { 0.0 };
            for i in 0..model.n_actors() {
                let w = self.belief_weight[i];
                self.belief[i] = (w * self.belief[i] + won) / (w + 1.0);
                self.belief_weight[i] = w + 1.0;
            }
            return;
        }
        let sd = self.p[model.slots.gain_sd];
        for (i, a) in model.slots.actors.iter().enumerate() {
            let z: f64 = rng.sample(StandardNormal);
            let seen = change + self.p[a.noise] * sd * z;
            let w = self.belief_weight[i];
            self.belief[i] = (w * self.belief[i] + seen) / (w + 1.0);
            self.belief_weight[i] = w + 1.0;
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::model::Scratch;
    use crate::model::rollout::{Keys, Rng};
    use rand::{RngExt as _, SeedableRng};
    use rand_distr::StandardNormal;

    /// The normal belief update of docs/model.md §5, recomputed here: each actor reads the
    /// month's change with its own noise (noise · gain_sd · z, the z drawn in actor order) and
    /// moves its mean to (w · belief + reading)/(w + 1), its weight to w + 1.
    #[test]
    fn a_normal_belief_moves_by_its_update() {
        let model = crate::model::testing::baseline();
        let mut x = Scratch::new(&model);
        x.reset(&model, Keys::new(3, 1));
        assert!(!x.beta_beliefs(&model), "the baseline uses normal beliefs");
        let sd = x.p[model.slots.gain_sd];
        assert!(sd > 0.0);
        for (month, change) in [(1, 310.0), (2, -40.0), (3, 0.0)] {
            x.month = month;
            let (belief, weight) = (x.belief.clone(), x.belief_weight.clone());
            let mut zs = Rng::seed_from_u64(month as u64);
            let mut rng = Rng::seed_from_u64(month as u64);
            x.learn(&model, change, &mut rng);
            for (i, a) in model.slots.actors.iter().enumerate() {
                let z: f64 = zs.sample(StandardNormal);
                let reading = change + x.p[a.noise] * sd * z;
                let want = (weight[i] * belief[i] + reading) / (weight[i] + 1.0);
                assert!((x.belief[i] - want).abs() < 1e-9, "month {month}, actor {i}: {} vs {want}", x.belief[i]);
                assert_eq!(x.belief_weight[i], weight[i] + 1.0);
            }
        }
    }

    /// The beta update: a month whose front moved toward the defender's side (change > 0) is a
    /// battle the attacker won; no change, or a move the other way, is a loss. Every actor's mean
    /// moves to (w · belief + won)/(w + 1), with no noise and no draw.
    #[test]
    fn a_beta_belief_counts_wins_and_losses() {
        let model = crate::model::testing::shipped("validation/convergence.toml", &["battlefield.beliefs=\"beta\""]);
        let mut x = Scratch::new(&model);
        x.reset(&model, Keys::new(5, 2));
        assert!(x.beta_beliefs(&model));
        for (month, change, won) in [(1, 1.0, 1.0), (2, 0.0, 0.0), (3, -2.0, 0.0), (4, 1e-9, 1.0)] {
            x.month = month;
            let (belief, weight) = (x.belief.clone(), x.belief_weight.clone());
            let mut rng = Rng::seed_from_u64(month as u64);
            x.learn(&model, change, &mut rng);
            for i in 0..model.n_actors() {
                let want = (weight[i] * belief[i] + won) / (weight[i] + 1.0);
                assert!((x.belief[i] - want).abs() < 1e-12, "month {month}, actor {i}: {} vs {want}", x.belief[i]);
                assert_eq!(x.belief_weight[i], weight[i] + 1.0);
            }
            // No random number is used: the generator is where it was.
            assert_eq!(rng.random::<u64>(), Rng::seed_from_u64(month as u64).random::<u64>());
        }
    }
}
