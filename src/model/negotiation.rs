//! Negotiation (MODEL.md §4.5–4.6).
//!
//! A proposal is the capability × salience weighted compromise of the signatories' current
//! demands, pulled toward the proposer's ideal and perturbed by noise. Each signatory accepts
//! when the deal is worth at least its perceived value of fighting on, after pressure along the
//! influence graph and a random swing. Demands rise with perceived success and fall with cost.
//! A mediator with no progress for its patience window may walk away and abandon its client.

use rand::RngExt;
use rand::rngs::ChaCha8Rng;
use rand_distr::StandardNormal;

use super::rollout::{Phase, Scratch};
use super::{Model, Observer, Story};
use crate::scenario::{DealKind, LinkKind};

/// Longest planning horizon an actor projects the front over, in months.
const MAX_HORIZON: f64 = 120.0;

impl Scratch {
    /// Demands move each month of war: up toward the side's maximum with perceived success,
    /// down toward the compromise with the bite of costs.
    pub(crate) fn move_demands(&mut self, model: &Model) {
        let ni = model.n_issues();
        self.compute_compromise(model);
        let sd = self.p[model.slots.gain_sd].max(1e-9);
        for (i, a) in model.slots.actors.iter().enumerate() {
            let side = model.side[i];
            let rate = self.p[a.demand_rate];
            if rate == 0.0 {
                continue;
            }
            let success = (side * self.belief[i] / sd).max(0.0);
            let bite = self.p[a.cost_weight] * 12.0 * self.drain_now[i] / self.endurance[i].max(0.05);
            for k in 0..ni {
                let d = self.demands[i * ni + k];
                let goal = if side > 0.0 {
                    1.0
                } else if side < 0.0 {
                    0.0
                } else {
                    self.p[a.ideal + k]
                };
                let up = success * (goal - d);
                let down = bite * (d - self.compromise[k]);
                self.demands[i * ni + k] = (d + rate * (up - down)).clamp(0.0, 1.0);
            }
        }
    }

    fn compute_compromise(&mut self, model: &Model) {
        let ni = model.n_issues();
        for k in 0..ni {
            let (mut num, mut den) = (0.0, 0.0);
            for &i in &model.scenario.signatories {
                let a = &model.slots.actors[i];
                let w = self.p[a.capability] * self.p[a.salience + k];
                num += w * self.demands[i * ni + k];
                den += w;
            }
            self.compromise[k] = if den > 0.0 { num / den } else { self.p[model.slots.status_quo[k]] };
        }
    }

    /// A month's negotiation: tabled proposals due this month, then (maybe) a round of talks.
    pub(crate) fn negotiate<O: Observer>(&mut self, model: &Model, rng: &mut ChaCha8Rng, obs: &mut O) {
        let sc = &model.scenario;
        let sl = &model.slots;
        let ni = model.n_issues();
        for prop in &sc.proposals {
            if prop.month < 0 || prop.month.max(1) != self.month as i32 || !matches!(self.phase, Phase::War | Phase::Ceasefire) {
                continue;
            }
            if prop.kind == DealKind::Ceasefire && self.phase == Phase::Ceasefire {
                continue;
            }
            for k in 0..ni {
                self.offer[k] = self.p[prop.terms[k]];
            }
            if prop.kind == DealKind::Ceasefire || self.phase == Phase::Ceasefire {
                self.offer[sc.territory_issue] = self.line;
            }
            let by: &str = prop.by.map(|i| sc.actors[i].id.as_str()).unwrap_or("");
            if self.table(model, prop.kind, by, &prop.id, rng, obs) {
                return;
            }
        }
        let mut rate = self.p[sl.talks_rate];
        if self.walked {
            rate *= self.p[sl.rate_after_walkaway];
        }
        if rng.random::<f64>() >= rate {
            return;
        }
        self.hold_round(model, rng, obs);
    }

    /// One round of talks: the proposer tables what the protocol calls for; a mediator counts
    /// rounds without progress and may walk away.
    pub(crate) fn hold_round<O: Observer>(&mut self, model: &Model, rng: &mut ChaCha8Rng, obs: &mut O) {
        let sc = &model.scenario;
        let sl = &model.slots;
        let mediating = sc.mediator.filter(|_| !self.walked);
        let proposer = match mediating {
            Some(m) => m,
            None if rng.random::<f64>() < 0.5 => sc.attacker,
            None => sc.defender,
        };
        let by: &str = &sc.actors[proposer].id;
        let protocol = self.p[sl.protocol] as usize;
        let agreed = match (self.phase, protocol) {
            (Phase::War, 0) => {
                self.build_offer(model, proposer, false, rng);
                self.table(model, DealKind::Package, by, "talks", rng, obs)
                    || (rng.random::<f64>() < self.p[sl.ceasefire_fallback] && {
                        self.build_ceasefire(model);
                        self.table(model, DealKind::Ceasefire, by, "talks", rng, obs)
                    })
            }
            (Phase::War, _) => {
                self.build_ceasefire(model);
                self.table(model, DealKind::Ceasefire, by, "talks", rng, obs)
            }
            _ => {
                self.build_offer(model, proposer, true, rng);
                self.table(model, DealKind::Package, by, "talks", rng, obs)
            }
        };
        if !agreed && self.phase == Phase::War && mediating.is_some() {
            self.no_progress += 1;
            if self.no_progress as f64 >= self.p[sl.mediator_patience] && rng.random::<f64>() < self.p[sl.walkaway] {
                self.walked = true;
                let m = mediating.unwrap_or_default();
                self.abandoned = sc.actors[m].patron_of.is_some() && rng.random::<f64>() < self.p[sl.abandon];
                if obs.wants_story() {
                    obs.story(self.month, Story::WalkAway { mediator: sc.actors[m].id.clone(), abandons: self.abandoned });
                }
            }
        }
    }

    /// The compromise package, pulled toward the proposer and perturbed; territory pinned to the
    /// line of control during a ceasefire.
    fn build_offer(&mut self, model: &Model, proposer: usize, pin_line: bool, rng: &mut ChaCha8Rng) {
        let sl = &model.slots;
        if self.p[sl.proposer_mode] == 1.0 && self.informed_offer(model, pin_line) {
            return;
        }
        self.compute_compromise(model);
        let pull = self.p[sl.proposer_pull];
        let noise = self.p[sl.proposal_noise];
        let a = &sl.actors[proposer];
        for k in 0..model.n_issues() {
            let z: f64 = rng.sample(StandardNormal);
            let x = (1.0 - pull) * self.compromise[k] + pull * self.p[a.ideal + k] + noise * z;
            self.offer[k] = x.clamp(0.0, 1.0);
        }
        if pin_line {
            self.offer[model.scenario.territory_issue] = self.line;
        }
    }

    /// An informed proposer knows every side's threshold. On the line from the defender's ideal
    /// (t = 0) to the attacker's (t = 1) the attacker's stance rises with t and the defender's
    /// falls, so the bargaining range is an interval [t_A, t_D], found by bisection; the offer is
    /// its middle. Returns false when the range is empty (then a compromise is tabled instead).
    fn informed_offer(&mut self, model: &Model, pin_line: bool) -> bool {
        let (att, def) = (model.scenario.attacker, model.scenario.defender);
        let (ia, id) = (model.slots.actors[att].ideal, model.slots.actors[def].ideal);
        let t_issue = model.scenario.territory_issue;
        let place = |s: &mut Scratch, t: f64| {
            for k in 0..model.n_issues() {
                s.offer[k] = (1.0 - t) * s.p[id + k] + t * s.p[ia + k];
            }
            if pin_line {
                s.offer[t_issue] = s.line;
            }
        };
        let mut stance_at = |s: &mut Scratch, t: f64, i: usize| {
            place(s, t);
            s.stance(model, i, DealKind::Package)
        };
        if stance_at(self, 1.0, att) < 0.0 || stance_at(self, 0.0, def) < 0.0 {
            return false;
        }
        let bisect = |s: &mut Scratch, i: usize, rising: bool, stance_at: &mut dyn FnMut(&mut Scratch, f64, usize) -> f64| {
            let (mut lo, mut hi) = (0.0f64, 1.0f64);
            for _ in 0..60 {
                let mid = 0.5 * (lo + hi);
                let ok = stance_at(s, mid, i) >= 0.0;
                // Rising: find the smallest acceptable t; falling: the largest.
                if ok == rising {
                    hi = mid;
                } else {
                    lo = mid;
                }
            }
            if rising { hi } else { lo }
        };
        let t_a = if stance_at(self, 0.0, att) >= 0.0 { 0.0 } else { bisect(self, att, true, &mut stance_at) };
        let t_d = if stance_at(self, 1.0, def) >= 0.0 { 1.0 } else { bisect(self, def, false, &mut stance_at) };
        if t_a > t_d {
            return false;
        }
        place(self, 0.5 * (t_a + t_d));
        true
    }

    /// Actor `i`'s stance on `self.offer`: how much better the deal is than going on without it,
    /// discounted by its doubt that the deal will be honoured (more doubt when a ceasefire
    /// leaves core issues open).
    fn stance(&mut self, model: &Model, i: usize, kind: DealKind) -> f64 {
        let sc = &model.scenario;
        let a = &model.slots.actors[i];
        let mut doubt = self.p[a.commitment_doubt];
        if kind == DealKind::Ceasefire {
            let total: f64 = (0..model.n_issues()).map(|k| self.p[a.salience + k]).sum();
            let open = if total > 0.0 { 1.0 - self.p[a.salience + sc.territory_issue] / total } else { 0.0 };
            doubt = (doubt * (1.0 + open)).min(1.0);
        }
        let alt = self.value_of_no_deal(model, i);
        let offer = std::mem::take(&mut self.offer);
        let u = self.utility(model, i, &offer);
        self.offer = offer;
        (1.0 - doubt) * (u - alt)
    }

    /// A ceasefire on the current line: every other issue stays where it is.
    fn build_ceasefire(&mut self, model: &Model) {
        for (k, &s) in model.slots.status_quo.iter().enumerate() {
            self.offer[k] = self.p[s];
        }
        self.offer[model.scenario.territory_issue] = self.line;
    }

    /// What actor `i` expects from going on without this deal, per month: the front projected
    /// over its planning horizon at the trend it believes in, the other issues where they are,
    /// minus the bite of its costs. During a ceasefire the alternative is the ceasefire itself.
    fn value_of_no_deal(&mut self, model: &Model, i: usize) -> f64 {
        let sl = &model.slots;
        let a = &sl.actors[i];
        let cost = self.p[a.cost_weight] * self.drain_now[i] / self.endurance[i].max(0.05);
        if self.phase == Phase::Ceasefire && self.has_terms {
            self.outlook.copy_from_slice(&self.terms);
        } else if self.p[sl.war_value] == 1.0 {
            // The war as a lottery (Fearon 1995): the attacker wins, and imposes its ideal, with
            // the actor's subjective chance; otherwise the defender does; fighting costs war_cost.
            let sc = &model.scenario;
            let chance = if self.beta_beliefs(model) { self.belief[i] } else { self.p[a.win_belief] };
            let (ia, id) = (sl.actors[sc.attacker].ideal, sl.actors[sc.defender].ideal);
            for k in 0..model.n_issues() {
                self.outlook[k] = self.p[ia + k];
            }
            let outlook = std::mem::take(&mut self.outlook);
            let u_win = self.utility(model, i, &outlook);
            self.outlook = outlook;
            for k in 0..model.n_issues() {
                self.outlook[k] = self.p[id + k];
            }
            let outlook = std::mem::take(&mut self.outlook);
            let u_lose = self.utility(model, i, &outlook);
            self.outlook = outlook;
            return chance * u_win + (1.0 - chance) * u_lose - self.p[a.war_cost];
        } else {
            let sc = &model.scenario;
            let horizon = (1.0 / (1.0 - self.p[a.patience])).min(MAX_HORIZON);
            let projected = (self.line + self.belief[i] * horizon / self.p[sl.claimed_km2]).clamp(0.0, 1.0);
            // Momentum: the share of the remaining ground the war is expected to decide in the
            // winner's favour. The other issues are expected to move that far toward the
            // perceived winner's demands: a war that is being won buys leverage on everything.
            let (momentum, winner) = if projected >= self.line {
                ((projected - self.line) / (1.0 - self.line).max(1e-9), sc.attacker)
            } else {
                ((self.line - projected) / self.line.max(1e-9), sc.defender)
            };
            let momentum = momentum.clamp(0.0, 1.0);
            let ni = model.n_issues();
            for (k, &s) in sl.status_quo.iter().enumerate() {
                let q = self.p[s];
                self.outlook[k] = q + momentum * (self.demands[winner * ni + k] - q);
            }
            self.outlook[sc.territory_issue] = projected;
        }
        let outlook = std::mem::take(&mut self.outlook);
        let u = self.utility(model, i, &outlook);
        self.outlook = outlook;
        u - cost
    }

    /// Tables `self.offer` to every signatory; applies the deal if all accept, else the threats.
    fn table<O: Observer>(&mut self, model: &Model, kind: DealKind, by: &str, tabled: &str, rng: &mut ChaCha8Rng, obs: &mut O) -> bool {
        let sc = &model.scenario;
        let sl = &model.slots;
        let story = obs.wants_story();
        if story {
            let deal = if kind == DealKind::Package { "package" } else { "ceasefire" };
            obs.story(self.month, Story::Offer { by: by.to_string(), deal: deal.into(), terms: self.offer.clone(), tabled: tabled.into() });
        }
        for i in 0..model.n_actors() {
            self.margin[i] = self.stance(model, i, kind);
            self.pressure[i] = 0.0;
        }
        // Alignment: an actor leans toward the stance of those it is aligned with.
        for l in &sc.links {
            if l.kind == LinkKind::Alignment {
                self.pressure[l.to] += self.p[l.weight] * self.margin[l.from];
            }
        }
        // The mediator blames the signatory furthest from accepting.
        let mediator = sc.mediator.filter(|_| !self.walked);
        let blamed =
            sc.signatories.iter().copied().filter(|&i| Some(i) != mediator).min_by(|&x, &y| self.margin[x].total_cmp(&self.margin[y]));
        for l in &sc.links {
            if l.kind == LinkKind::Alignment || self.margin[l.from] < 0.0 || self.margin[l.to] >= 0.0 {
                continue;
            }
            let lever = match l.kind {
                LinkKind::Aid | LinkKind::Intelligence => self.aid_now[l.from],
                _ => 1.0,
            };
            let mut amount = self.p[l.weight] * self.p[sl.actors[l.from].pressure] * lever;
            if Some(l.from) == mediator && Some(l.to) == blamed {
                amount *= 1.0 + self.p[sl.blame];
            }
            if amount > 0.0 {
                self.pressure[l.to] += amount;
                if story {
                    obs.story(
                        self.month,
                        Story::Pressure {
                            from: sc.actors[l.from].id.clone(),
                            to: sc.actors[l.to].id.clone(),
                            kind: l.kind.name().into(),
                            amount,
                        },
                    );
                }
            }
        }
        let mut all = true;
        for &i in &sc.signatories {
            let z: f64 = rng.sample(StandardNormal);
            let swing = self.p[sl.actors[i].volatility] * z;
            let accepts = self.margin[i] + self.pressure[i] + swing >= 0.0;
            all &= accepts;
            if story {
                let alt = self.value_of_no_deal(model, i);
                let offer = std::mem::take(&mut self.offer);
                let deal_value = self.utility(model, i, &offer);
                self.offer = offer;
                obs.story(
                    self.month,
                    Story::Decision { actor: sc.actors[i].id.clone(), accepts, deal_value, war_value: alt, pressure: self.pressure[i] },
                );
            }
        }
        if all {
            self.accept(model, kind);
            if story {
                let deal = if self.phase == Phase::Settled { "settlement" } else { "ceasefire" };
                obs.story(self.month, Story::Deal { deal: deal.into() });
            }
            return true;
        }
        // Threats are carried out against the blamed party, each with its author's follow-through.
        if let Some(b) = blamed.filter(|&b| self.margin[b] < 0.0) {
            for l in &sc.links {
                if l.to != b || self.margin[l.from] < 0.0 || self.p[l.weight] <= 0.0 || self.p[sl.actors[l.from].pressure] <= 0.0 {
                    continue;
                }
                let what = match l.kind {
                    LinkKind::Aid | LinkKind::Intelligence if self.aid_now[l.from] > 0.0 => "aid pause",
                    LinkKind::Sanctions => "secondary sanctions",
                    _ => continue,
                };
                if rng.random::<f64>() >= self.p[sl.actors[l.from].followthrough] {
                    continue;
                }
                if what == "aid pause" {
                    self.cut_until[l.from] = self.month + 1 + self.p[sl.cut_months] as u32;
                } else {
                    let s = sl.actors[l.from].sanctions;
                    self.p[s] = (self.p[s] + self.p[sl.sanction_step]).min(1.0);
                }
                if story {
                    obs.story(
                        self.month,
                        Story::ThreatCarriedOut { from: sc.actors[l.from].id.clone(), to: sc.actors[b].id.clone(), what: what.into() },
                    );
                }
            }
        }
        false
    }

    fn accept(&mut self, model: &Model, kind: DealKind) {
        let sc = &model.scenario;
        let t = sc.territory_issue;
        self.first_ceasefire.get_or_insert(self.month);
        self.no_progress = 0;
        match (kind, self.phase) {
            (DealKind::Ceasefire, _) => self.phase = Phase::Ceasefire,
            (DealKind::Package, _) => {
                // A package may move the line: the agreed territory term becomes the new line.
                let claimed = self.p[model.slots.claimed_km2];
                self.area = (self.area + (self.offer[t] - self.line) * claimed).clamp(0.0, self.p[model.slots.ukraine_km2]);
                self.line = self.offer[t];
                self.phase = Phase::Settled;
                self.settlement_month.get_or_insert(self.month);
            }
        }
        self.terms.copy_from_slice(&self.offer);
        self.has_terms = true;
    }
}
