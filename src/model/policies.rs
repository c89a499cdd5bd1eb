//! Actors' levers for the month (MODEL.md §4.2): patrons' aid, bounded by their endurance and
//! worn down by fatigue; aid pauses carried out as threats; abandonment by a mediator that walked.

use super::Model;
use super::rollout::Scratch;

impl Scratch {
    /// Sets each patron's effective aid for the month.
    pub(crate) fn update_policies(&mut self, model: &Model) {
        let sc = &model.scenario;
        for &j in &model.patrons {
            let a = &model.slots.actors[j];
            let abandoned = self.abandoned && sc.mediator == Some(j);
            let paused = self.month < self.cut_until[j];
            let mut aid = if abandoned || paused { 0.0 } else { self.p[a.aid] };
            // Fatigue: the more it has given, the less it gives (Europe's support, MODEL.md §4.2).
            aid /= 1.0 + self.p[a.fatigue] * self.aid_years[j];
            // Aid winds down as the patron's own endurance runs out.
            aid *= (self.endurance[j] / 0.1).clamp(0.0, 1.0);
            self.aid_now[j] = aid;
        }
    }

    /// Total effective aid reaching `client`, in units of its own strength.
    pub(crate) fn aid_to(&self, model: &Model, client: usize) -> f64 {
        let sc = &model.scenario;
        model
            .patrons
            .iter()
            .filter(|&&j| sc.actors[j].patron_of == Some(client))
            .map(|&j| self.p[model.slots.actors[j].aid_effect] * self.aid_now[j])
            .sum()
    }

    /// Attacker's strength over the defender's, each including its patrons' aid (MODEL.md §4.3).
    pub(crate) fn strength_balance(&self, model: &Model) -> f64 {
        let sc = &model.scenario;
        let (att, def) = (sc.attacker, sc.defender);
        let sa = &model.slots.actors;
        let s_att = self.p[sa[att].capability] * self.p[sa[att].offensive] * (1.0 + self.aid_to(model, att));
        let s_def = self.p[sa[def].capability] * self.p[sa[def].mobilisation] * (1.0 + self.aid_to(model, def));
        if s_def <= 0.0 { f64::INFINITY } else { s_att / s_def }
    }

    /// Mean monthly front change at the current balance: gain_mean × balance^elasticity.
    pub(crate) fn expected_gain(&self, model: &Model) -> f64 {
        let sl = &model.slots;
        let b = self.balance.min(1e6);
        let e = self.p[sl.elasticity];
        self.p[sl.gain_mean] * if e == 1.0 { b } else { b.powf(e) }
    }

    /// Patrons pay for the aid they give, and their fatigue accumulates.
    pub(crate) fn pay_for_aid(&mut self, model: &Model, share: f64) {
        for &j in &model.patrons {
            let a = &model.slots.actors[j];
            let d = self.p[a.drain] * self.aid_now[j] * share;
            self.drain_now[j] = d;
            self.endurance[j] -= d;
            self.cost[j] += d;
            self.aid_years[j] += self.aid_now[j] / 12.0;
        }
    }
}
