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
        let n = crate::stats::round_to_i64(self.p[sl.forts_positions]);
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Quiet;
    use crate::model::rollout::Keys;
    use rand::SeedableRng;

    /// Records the front's story lines: (change, area).
    struct Fronts(Vec<(f64, f64)>);

    impl crate::model::Observer for Fronts {
        fn wants_story(&self) -> bool {
            true
        }

        fn story(&mut self, _month: u32, entry: Story) {
            if let Story::Front { change_km2, area_km2, .. } = entry {
                self.0.push((change_km2, area_km2));
            }
        }
    }

    use crate::model::testing::shipped;

    /// Months of the contest recomputed by docs/model.md's equations from the same draws: the
    /// drifting mean, the AR(1) noise, breakthroughs and counter-offensives with their shocks, the
    /// clamp to the country, the line, both sides' drains, and the ends (collapse, exhaustion,
    /// escalation). Hazards are raised so that every branch is taken within the months run.
    #[test]
    fn a_contest_month_follows_its_equations() {
        let sets = [
            "battlefield.gain_drift=30",
            "battlefield.gain_ar=0.4",
            "actors.us.sanctions=0.5",
            "hazards.escalation=0.02",
            "actors.russia.offensive=1.3",
            "actors.ukraine.mobilisation=0.8",
        ];
        let model = shipped("baseline.toml", &sets);
        let (sl, sc) = (&model.slots, &model.scenario);
        let (att, def) = (sc.attacker, sc.defender);
        let mut taken = [false; 4];
        for rollout in 0..40 {
            let mut x = Scratch::new(&model);
            x.reset(&model, Keys::new(11, rollout));
            x.p[sl.breakthrough_hazard] = 0.2;
            x.p[sl.counter_hazard] = 0.3;
            let mut rng = Rng::seed_from_u64(rollout);
            for month in 1..=60 {
                if !matches!(x.phase, Phase::War) {
                    break;
                }
                x.month = month;
                let (area, eps, drift) = (x.area, x.eps, x.drift);
                let (end, cost) = (x.endurance.clone(), x.cost.clone());
                x.balance = x.strength_balance(&model);
                let (bt, ct) = x.front_hazards(&model);
                // The hazards by their equation: breakthroughs likelier as the balance tilts and
                // as the defender's endurance runs down; counter-offensives as it tilts back.
                let worn = (1.0 - end[def] / x.p[sl.actors[def].endurance].max(1e-9)).clamp(0.0, 1.0);
                let want_bt = x.p[sl.breakthrough_hazard] * x.balance.min(10.0) * (1.0 + x.p[sl.fragility] * worn);
                assert!((bt - want_bt).abs() < 1e-15 && (ct - x.p[sl.counter_hazard] / x.balance.max(0.1)).abs() < 1e-15);
                let gain = x.expected_gain(&model);
                let mut replay = rng.clone();
                let change = x.fight_contest(&model, &mut rng, &mut Quiet);

                let p = &x.p;
                let w: f64 = replay.sample(StandardNormal);
                let drift = drift + p[sl.gain_drift] * w;
                let ar = p[sl.gain_ar];
                let z: f64 = replay.sample(StandardNormal);
                let eps = ar * eps + (1.0 - ar * ar).sqrt() * z;
                let mut want = gain + drift + p[sl.gain_sd] * eps;
                let (mut shock_att, mut shock_def) = (0.0, 0.0);
                if replay.random::<f64>() < bt {
                    want += p[sl.breakthrough_km2];
                    shock_def = p[sl.breakthrough_shock];
                    taken[0] = true;
                }
                if replay.random::<f64>() < ct {
                    want -= p[sl.counter_km2];
                    shock_att = p[sl.counter_shock];
                    taken[1] = true;
                }
                let new_area = (area + want).clamp(0.0, p[sl.ukraine_km2]);
                assert_eq!((x.drift, x.eps), (drift, eps));
                assert!((x.area - new_area).abs() < 1e-9 && (change - (new_area - area)).abs() < 1e-9, "month {month}");
                assert!((x.line - (new_area / p[sl.claimed_km2]).min(1.0)).abs() < 1e-12);
                let sa = &sl.actors;
                let sanctions: f64 =
                    (0..model.n_actors()).filter(|&j| j != att).map(|j| p[sa[j].sanctions] * p[sa[j].sanction_effect]).sum();
                assert!(sanctions > 0.0);
                let d_att = p[sa[att].drain] * p[sa[att].offensive] + sanctions;
                let d_def = p[sa[def].drain] * p[sa[def].mobilisation] * x.balance.clamp(0.25, 4.0).sqrt();
                assert_eq!(x.war_drains(&model), (d_att, d_def));
                assert!((x.endurance[att] - (end[att] - shock_att - d_att)).abs() < 1e-12);
                assert!((x.endurance[def] - (end[def] - shock_def - d_def)).abs() < 1e-12);
                assert!((x.cost[att] - (cost[att] + d_att)).abs() < 1e-12 && (x.cost[def] - (cost[def] + d_def)).abs() < 1e-12);
                assert_eq!((x.drain_now[att], x.drain_now[def]), (d_att, d_def));
                let ended = if x.endurance[def] <= 0.0 {
                    Some(Outcome::UkraineCollapse)
                } else if x.endurance[att] <= 0.0 {
                    Some(Outcome::RussiaExhaustion)
                } else {
                    let aid: f64 = x.aid_now.iter().sum();
                    let esc = p[sl.escalation] * (1.0 + p[sl.escalation_per_aid] * aid);
                    (replay.random::<f64>() < esc).then_some(Outcome::Escalation)
                };
                match ended {
                    Some(o) => {
                        assert_eq!(x.phase, Phase::Ended(o), "month {month}");
                        taken[if o == Outcome::Escalation { 2 } else { 3 }] = true;
                    }
                    None => assert_eq!(x.phase, Phase::War),
                }
                // The month used exactly the draws recomputed here.
                assert_eq!(replay.random::<u64>(), rng.clone().random::<u64>());
            }
        }
        assert_eq!(taken, [true; 4], "breakthrough, counter-offensive, escalation, an exhausted side");
    }

    /// The number of positions is read every month (an event may set it, a rollout may draw
    /// it, and one scratch state serves a worker's every rollout): the area is always the share
    /// of the positions of now.
    #[test]
    fn forts_positions_are_those_of_now() {
        let model = shipped("validation/forts.toml", &["battlefield.forts_positions=4", "battlefield.forts_start=2"]);
        let sl = &model.slots;
        let mut x = Scratch::new(&model);
        x.reset(&model, Keys::new(5, 0));
        let mut rng = Rng::seed_from_u64(3);
        for n in [4.0, 10.0, 8.0] {
            x.p[sl.forts_positions] = n;
            x.forts_pos = 2;
            x.phase = Phase::War;
            x.fight_forts(&model, &mut rng, &mut Fronts(Vec::new()));
            assert_eq!(x.area, x.forts_pos as f64 / n * x.p[sl.claimed_km2], "{n} positions");
        }
    }

    /// Smith and Stam's walk: one battle a month won with chance forts_p moves the front one
    /// position; the area is the share of positions held of the area claimed; each side drains
    /// by its tempo; the war ends at 0 or N.
    #[test]
    fn a_forts_month_moves_one_position() {
        // Tempos that differ, so that each side's drain is told apart.
        let sets = [
            "battlefield.forts_positions=4",
            "battlefield.forts_start=2",
            "actors.attacker.drain=0.01",
            "actors.defender.drain=0.02",
            "actors.attacker.offensive=1.5",
            "actors.defender.mobilisation=0.6",
        ];
        let model = shipped("validation/forts.toml", &sets);
        let (sl, sc) = (&model.slots, &model.scenario);
        let mut ends = [false; 2];
        for rollout in 0..20 {
            let mut x = Scratch::new(&model);
            x.reset(&model, Keys::new(5, rollout));
            assert_eq!(x.forts_pos, 2);
            let mut rng = Rng::seed_from_u64(rollout);
            while matches!(x.phase, Phase::War) {
                let (pos, end, before) = (x.forts_pos, x.endurance.clone(), x.area);
                let mut replay = rng.clone();
                let mut fronts = Fronts(Vec::new());
                let change = x.fight_forts(&model, &mut rng, &mut fronts);
                let won = replay.random::<f64>() < x.p[sl.forts_p];
                let pos = pos + if won { 1 } else { -1 };
                assert_eq!(x.forts_pos, pos);
                let area = pos as f64 / 4.0 * x.p[sl.claimed_km2];
                assert_eq!(x.area, area);
                assert_eq!(change, area - before);
                assert_eq!(fronts.0, vec![(area - before, area)], "the story tells the same change");
                assert!((x.line - (area / x.p[sl.claimed_km2]).min(1.0)).abs() < 1e-12);
                for (i, tempo) in [(sc.attacker, sl.actors[sc.attacker].offensive), (sc.defender, sl.actors[sc.defender].mobilisation)] {
                    let d = x.p[sl.actors[i].drain] * x.p[tempo];
                    assert!((x.endurance[i] - (end[i] - d)).abs() < 1e-12);
                }
                match pos {
                    4 => ends[0] = x.phase == Phase::Ended(Outcome::UkraineCollapse),
                    0 => ends[1] = x.phase == Phase::Ended(Outcome::RussiaExhaustion),
                    _ => assert_eq!(x.phase, Phase::War),
                }
            }
        }
        assert_eq!(ends, [true; 2], "both ends reached and named");
    }

    /// docs/model.md §3 under a ceasefire or a settlement: the front does not move, and each
    /// belligerent pays the peace share of its war-time drain at its own tempo (the attacker's
    /// offensive, the defender's mobilisation, the balance not counted), each patron the same
    /// share of its aid's bill; an actor that is neither pays nothing.
    #[test]
    fn a_month_of_peace_costs_the_peace_share() {
        let sets = ["actors.russia.offensive=1.3", "actors.ukraine.mobilisation=0.7", "battlefield.peace_drain=0.35"];
        let model = shipped("baseline.toml", &sets);
        let (sl, sc) = (&model.slots, &model.scenario);
        let mut x = Scratch::new(&model);
        x.reset(&model, Keys::new(2, 9));
        x.balance = 2.5;
        for (j, a) in x.aid_now.iter_mut().enumerate() {
            *a = 0.4 + 0.3 * j as f64;
        }
        let (area, line, end, cost, aid_years) = (x.area, x.line, x.endurance.clone(), x.cost.clone(), x.aid_years.clone());
        x.drain_now.fill(-1.0);
        x.keep_peace(&model);
        let share = x.p[sl.peace_drain];
        assert_eq!(share, 0.35);
        assert_eq!((x.area, x.line), (area, line));
        for i in 0..model.n_actors() {
            let a = &sl.actors[i];
            let want = if i == sc.attacker {
                x.p[a.drain] * x.p[a.offensive] * share
            } else if i == sc.defender {
                x.p[a.drain] * x.p[a.mobilisation] * share
            } else if model.patrons.contains(&i) {
                x.p[a.drain] * x.aid_now[i] * share
            } else {
                0.0
            };
            let id = &sc.actors[i].id;
            assert!(want > 0.0 || !model.patrons.contains(&i), "{id} pays something");
            assert!((end[i] - x.endurance[i] - want).abs() < 1e-15, "{id}: endurance down by {want}");
            assert!((x.cost[i] - cost[i] - want).abs() < 1e-15, "{id}: cost up by {want}");
            if want > 0.0 {
                assert!((x.drain_now[i] - want).abs() < 1e-15, "{id}: this month's drain");
            }
            let years = if model.patrons.contains(&i) { x.aid_now[i] / 12.0 } else { 0.0 };
            assert!((x.aid_years[i] - aid_years[i] - years).abs() < 1e-15, "{id}: years of aid");
        }
    }
}
