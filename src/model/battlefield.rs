//! The battlefield (MODEL.md §4.3): a stochastic contest of strength that moves the front, rare
//! breakthroughs and counter-offensives, monthly costs that drain endurance, and the hazards that
//! end a war: a belligerent's collapse and escalation to a NATO–Russia clash.

use super::rollout::Rng;
use rand::RngExt;
use rand_distr::StandardNormal;

use super::rollout::{Phase, Scratch};
use super::{Model, Observer, Outcome, Story};

impl Scratch {
    /// Fights one month; returns the net change of the Russian-held area (km²).
    pub(crate) fn fight<O: Observer>(&mut self, model: &Model, rng: &mut Rng, obs: &mut O) -> f64 {
        let change = if self.forts(model) { self.fight_forts(model, rng, obs) } else { self.fight_contest(model, rng, obs) };
        if matches!(self.phase, Phase::Ended(_)) {
            self.end_month = Some(self.month);
        }
        change
    }

    /// Smith and Stam's random-walk war: one battle a month, won by the attacker with chance
    /// `forts_p`; the front moves one position; the war ends at position 0 or N.
    fn fight_forts<O: Observer>(&mut self, model: &Model, rng: &mut Rng, obs: &mut O) -> f64 {
        let sl = &model.slots;
        let n = self.p[sl.forts_positions].round() as i64;
        let won = rng.random::<f64>() < self.p[sl.forts_p];
        self.forts_pos += if won { 1 } else { -1 };
        let before = self.area;
        self.area = self.forts_pos as f64 / n as f64 * self.p[sl.claimed_km2];
        self.line = (self.area / self.p[sl.claimed_km2]).min(1.0);
        if obs.wants_story() {
            obs.story(
                self.month,
                Story::Front { change_km2: self.area - before, area_km2: self.area, breakthrough: false, counteroffensive: false },
            );
        }
        let sc = &model.scenario;
        for i in [sc.attacker, sc.defender] {
            let a = &sl.actors[i];
            let base = if i == sc.attacker { self.p[a.offensive] } else { self.p[a.mobilisation] };
            self.drain(i, self.p[a.drain] * base);
        }
        self.pay_for_aid(model, 1.0);
        if self.forts_pos >= n {
            self.phase = Phase::Ended(Outcome::UkraineCollapse);
        } else if self.forts_pos <= 0 {
            self.phase = Phase::Ended(Outcome::RussiaExhaustion);
        }
        self.area - before
    }

    fn fight_contest<O: Observer>(&mut self, model: &Model, rng: &mut Rng, obs: &mut O) -> f64 {
        let sl = &model.slots;
        let sc = &model.scenario;
        let (att, def) = (sc.attacker, sc.defender);
        self.balance = self.strength_balance(model);
        // The mean gain may wander as a random walk (a local-level trend), if gain_drift > 0.
        let w: f64 = rng.sample(StandardNormal);
        self.drift += self.p[sl.gain_drift] * w;
        let mean = self.expected_gain(model) + self.drift;
        // AR(1) noise with unit variance: gains come in runs, as the 2024 series does.
        let ar = self.p[sl.gain_ar];
        let z: f64 = rng.sample(StandardNormal);
        self.eps = ar * self.eps + (1.0 - ar * ar).sqrt() * z;
        let mut change = mean + self.p[sl.gain_sd] * self.eps;

        // Breakthroughs: likelier as the balance tilts and as the defender's endurance runs down.
        let (bt, ct) = self.front_hazards(model);
        let breakthrough = rng.random::<f64>() < bt;
        if breakthrough {
            change += self.p[sl.breakthrough_km2];
            self.endurance[def] -= self.p[sl.breakthrough_shock];
        }
        let counter = rng.random::<f64>() < ct;
        if counter {
            change -= self.p[sl.counter_km2];
            self.endurance[att] -= self.p[sl.counter_shock];
        }
        let before = self.area;
        self.area = (self.area + change).clamp(0.0, self.p[sl.ukraine_km2]);
        let change = self.area - before;
        self.line = (self.area / self.p[sl.claimed_km2]).min(1.0);
        if obs.wants_story() {
            obs.story(self.month, Story::Front { change_km2: change, area_km2: self.area, breakthrough, counteroffensive: counter });
        }

        // Costs: the attacker pays for its tempo and for sanctions; the defender for its
        // mobilisation, more so when it is outgunned.
        let (d_att, d_def) = self.war_drains(model);
        self.drain(att, d_att);
        self.drain(def, d_def);
        self.pay_for_aid(model, 1.0);

        if self.endurance[def] <= 0.0 {
            self.phase = Phase::Ended(Outcome::UkraineCollapse);
        } else if self.endurance[att] <= 0.0 {
            self.phase = Phase::Ended(Outcome::RussiaExhaustion);
        } else {
            let total_aid: f64 = self.aid_now.iter().sum();
            let esc = self.p[sl.escalation] * (1.0 + self.p[sl.escalation_per_aid] * total_aid);
            if rng.random::<f64>() < esc {
                self.phase = Phase::Ended(Outcome::Escalation);
            }
        }
        change
    }

    /// This month's endurance drain of the attacker (its tempo and the sanctions on it) and of
    /// the defender (its mobilisation, more so when outgunned).
    pub(crate) fn war_drains(&self, model: &Model) -> (f64, f64) {
        let sc = &model.scenario;
        let sa = &model.slots.actors;
        let (att, def) = (sc.attacker, sc.defender);
        let sanctions: f64 =
            (0..model.n_actors()).filter(|&j| j != att).map(|j| self.p[sa[j].sanctions] * self.p[sa[j].sanction_effect]).sum();
        let d_att = self.p[sa[att].drain] * self.p[sa[att].offensive] + sanctions;
        let d_def = self.p[sa[def].drain] * self.p[sa[def].mobilisation] * self.balance.clamp(0.25, 4.0).sqrt();
        (d_att, d_def)
    }

    /// This month's chances of a breakthrough (likelier as the balance tilts and the defender's
    /// endurance runs down) and of a counter-offensive.
    pub(crate) fn front_hazards(&self, model: &Model) -> (f64, f64) {
        let sl = &model.slots;
        let def = model.scenario.defender;
        let e0 = self.p[sl.actors[def].endurance].max(1e-9);
        let worn = (1.0 - self.endurance[def] / e0).clamp(0.0, 1.0);
        let bt = self.p[sl.breakthrough_hazard] * self.balance.min(10.0) * (1.0 + self.p[sl.fragility] * worn);
        let ct = self.p[sl.counter_hazard] / self.balance.max(0.1);
        (bt, ct)
    }

    fn drain(&mut self, i: usize, d: f64) {
        self.drain_now[i] = d;
        self.endurance[i] -= d;
        self.cost[i] += d;
    }

    /// Under a ceasefire or settlement the front is frozen and a share of the costs goes on.
    pub(crate) fn keep_peace(&mut self, model: &Model) {
        let sl = &model.slots;
        let sc = &model.scenario;
        let share = self.p[sl.peace_drain];
        for i in [sc.attacker, sc.defender] {
            let a = &sl.actors[i];
            let base = if i == sc.attacker { self.p[a.offensive] } else { self.p[a.mobilisation] };
            self.drain(i, self.p[a.drain] * base * share);
        }
        self.pay_for_aid(model, share);
    }
}
