//! Learning (MODEL.md §4.4): each actor's belief about the mean monthly front change is a
//! conjugate normal mean, updated with its own noisy reading of each month's change. The prior's
//! bias therefore shrinks as w₀/(w₀ + n): the principle of convergence (Slantchev 2003).

use rand::RngExt;
use rand::rngs::ChaCha8Rng;
use rand_distr::StandardNormal;

use super::Model;
use super::rollout::Scratch;

impl Scratch {
    pub(crate) fn learn(&mut self, model: &Model, change: f64, rng: &mut ChaCha8Rng) {
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
