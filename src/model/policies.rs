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

#[cfg(test)]
mod tests {
    use crate::model::rollout::Keys;
    use crate::model::{Model, Scratch};

    use crate::model::testing::baseline;

    /// Aid, the balance of strength, the expected gain and the patrons' bill against docs/model.md
    /// §3, recomputed here from the parameters, on a state set by hand so that every term counts:
    /// aid given for years (fatigue), a patron's endurance below the 0.1 at which aid winds down,
    /// a pause, the mediator's abandonment, an elasticity other than 1.
    #[test]
    fn policies_follow_their_equations() {
        let model = baseline();
        let sc = &model.scenario;
        let sl = &model.slots;
        let id = |name: &str| sc.actors.iter().position(|a| a.id == name).unwrap();
        let (us, europe, russia, ukraine) = (id("us"), id("europe"), id("russia"), id("ukraine"));
        assert_eq!(sc.mediator, Some(us), "the baseline's mediator is the US");
        let mut x = Scratch::new(&model);
        x.reset(&model, Keys::new(9, 4));
        x.month = 7;
        for (j, years, endurance, fatigue) in [(us, 1.5, 0.04, 0.3), (europe, 2.5, 0.9, 0.6)] {
            x.aid_years[j] = years;
            x.endurance[j] = endurance;
            x.p[sl.actors[j].fatigue] = fatigue;
        }
        let p = x.p.clone();
        let a = |j: usize, years: f64, endurance: f64| {
            p[sl.actors[j].aid] / (1.0 + p[sl.actors[j].fatigue] * years) * (endurance / 0.1f64).min(1.0)
        };
        x.update_policies(&model);
        let (a_us, a_eu) = (a(us, 1.5, 0.04), a(europe, 2.5, 0.9));
        assert!(a_us > 0.0 && a_eu > 0.0);
        assert!((x.aid_now[us] - a_us).abs() < 1e-12, "US aid {} vs {a_us}", x.aid_now[us]);
        assert!((x.aid_now[europe] - a_eu).abs() < 1e-12, "Europe's aid {} vs {a_eu}", x.aid_now[europe]);

        // The balance: each side's capability × posture × (1 + the aid reaching it).
        let to_ukraine = p[sl.actors[us].aid_effect] * a_us + p[sl.actors[europe].aid_effect] * a_eu;
        assert!((x.aid_to(&model, ukraine) - to_ukraine).abs() < 1e-12);
        assert_eq!(x.aid_to(&model, russia), 0.0, "no patron aids Russia");
        let b = p[sl.actors[russia].capability] * p[sl.actors[russia].offensive]
            / (p[sl.actors[ukraine].capability] * p[sl.actors[ukraine].mobilisation] * (1.0 + to_ukraine));
        assert!((x.strength_balance(&model) - b).abs() < 1e-12, "balance {} vs {b}", x.strength_balance(&model));

        // The expected gain: gain_mean · B^elasticity.
        x.balance = b;
        x.p[sl.elasticity] = 1.7;
        let want = p[sl.gain_mean] * b.powf(1.7);
        assert!((x.expected_gain(&model) - want).abs() < 1e-9 * want.abs().max(1.0));

        // The bill: drain · aid · share off each patron's endurance into its cost; a twelfth of a
        // year of aid per month.
        let before = (x.endurance.clone(), x.cost.clone());
        x.pay_for_aid(&model, 0.4);
        for (j, aid) in [(us, a_us), (europe, a_eu)] {
            let d = p[sl.actors[j].drain] * aid * 0.4;
            assert!(d > 0.0);
            assert!((x.drain_now[j] - d).abs() < 1e-15);
            assert!((before.0[j] - x.endurance[j] - d).abs() < 1e-15);
            assert!((x.cost[j] - before.1[j] - d).abs() < 1e-15);
        }
        assert!((x.aid_years[us] - (1.5 + a_us / 12.0)).abs() < 1e-12);
        assert!((x.aid_years[europe] - (2.5 + a_eu / 12.0)).abs() < 1e-12);

        // A pause (until month 8, so still on in month 7) and the mediator's abandonment each cut
        // a patron's aid to nothing; a pause that has run out does not.
        x.cut_until[europe] = 8;
        x.abandoned = true;
        x.update_policies(&model);
        assert_eq!((x.aid_now[us], x.aid_now[europe]), (0.0, 0.0));
        x.cut_until[europe] = 7;
        x.abandoned = false;
        x.update_policies(&model);
        assert!(x.aid_now[us] > 0.0 && x.aid_now[europe] > 0.0);
    }

    /// The balance with aid reaching both sides and postures other than 1: Europe made Russia's
    /// patron, so each side's strength carries its own patrons' aid (docs/model.md §3).
    #[test]
    fn the_balance_counts_each_sides_posture_and_aid() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/baseline.toml");
        let mut scenario = crate::scenario::load(&path, &Default::default()).expect("the baseline loads");
        let id = |name: &str| scenario.actors.iter().position(|a| a.id == name).unwrap();
        let (us, europe, russia, ukraine) = (id("us"), id("europe"), id("russia"), id("ukraine"));
        scenario.actors[europe].patron_of = Some(russia);
        let model = Model::new(scenario);
        let sl = &model.slots;
        let mut x = Scratch::new(&model);
        x.reset(&model, Keys::new(3, 1));
        x.p[sl.actors[russia].offensive] = 1.3;
        x.p[sl.actors[ukraine].mobilisation] = 0.7;
        x.update_policies(&model);
        let p = &x.p;
        let (to_r, to_u) = (p[sl.actors[europe].aid_effect] * x.aid_now[europe], p[sl.actors[us].aid_effect] * x.aid_now[us]);
        assert!(to_r > 0.0 && to_u > 0.0, "both sides aided: {to_r}, {to_u}");
        assert!((x.aid_to(&model, russia) - to_r).abs() < 1e-12);
        assert!((x.aid_to(&model, ukraine) - to_u).abs() < 1e-12);
        let b = p[sl.actors[russia].capability] * 1.3 * (1.0 + to_r) / (p[sl.actors[ukraine].capability] * 0.7 * (1.0 + to_u));
        let got = x.strength_balance(&model);
        assert!((got - b).abs() < 1e-12 * b, "balance {got} vs {b}");
    }
}
