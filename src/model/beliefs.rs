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
