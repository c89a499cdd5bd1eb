//! Negotiation (MODEL.md §4.5–4.6).
//!
//! A proposal is the capability × salience weighted compromise of the signatories' current
//! demands, pulled toward the proposer's ideal and perturbed by noise. Each signatory accepts
//! when the deal is worth at least its perceived value of fighting on, after pressure along the
//! influence graph and a random swing. Demands rise with perceived success and fall with cost.
//! A mediator with no progress for its patience window may walk away and abandon its client.
//!
//! The parts: the round of talks and the acceptance rule here, the proposer's offers in
//! `proposer`, and each actor's value of fighting on and of a deal in `outlook`.

mod outlook;
mod proposer;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_outlook;
#[cfg(test)]
mod tests_proposer;
#[cfg(test)]
mod tests_round;

use super::rollout::Rng;
use rand::RngExt;
use rand_distr::StandardNormal;

use super::rollout::{Phase, Scratch};
use super::{Model, Observer, Story};
use crate::scenario::{DealKind, LinkKind};

pub(crate) use outlook::WarOutlook;

/// Longest planning horizon an actor projects the front over, in months.
const MAX_HORIZON: f64 = 120.0;

/// Candidates a proposer weighs between the natural proposal and its ideal, less one.
const CANDIDATES: usize = 4;

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
            // A side's maximum; an actor on neither side perceives no success (side 0 makes it
            // 0), so only the bite of costs moves its demands and its goal is never read.
            let goal = if side > 0.0 { 1.0 } else { 0.0 };
            let demands = &mut self.demands[i * ni..(i + 1) * ni];
            for (d, c) in demands.iter_mut().zip(&self.compromise[..ni]) {
                let up = success * (goal - *d);
                let down = bite * (*d - c);
                *d = (*d + rate * (up - down)).clamp(0.0, 1.0);
            }
        }
    }

    pub(super) fn compute_compromise(&mut self, model: &Model) {
        let ni = model.n_issues();
        // Signatory by signatory, each issue's sums taken in signatory order.
        let (num, den) = (&mut self.compromise[..ni], &mut self.compromise_weight[..ni]);
        num.fill(0.0);
        den.fill(0.0);
        for &i in &model.scenario.signatories {
            let a = &model.slots.actors[i];
            let capability = self.p[a.capability];
            let saliences = &self.p[a.salience..a.salience + ni];
            let demands = &self.demands[i * ni..(i + 1) * ni];
            for (((n, d), s), x) in num.iter_mut().zip(den.iter_mut()).zip(saliences).zip(demands) {
                let w = capability * s;
                *n += w * x;
                *d += w;
            }
        }
        for (k, (c, d)) in num.iter_mut().zip(den.iter()).enumerate() {
            *c = if *d > 0.0 { *c / d } else { self.p[model.slots.status_quo[k]] };
        }
    }

    /// A month's negotiation: tabled proposals due this month, then (maybe) a round of talks.
    pub(crate) fn negotiate<O: Observer>(&mut self, model: &Model, rng: &mut Rng, obs: &mut O) {
        self.forget_outlooks();
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
            if self.table(model, prop.kind, prop.by, by, &prop.id, rng, obs) {
                return;
            }
        }
        // A mediator that walked away may come back (engagement comes and goes, MODEL.md §4.6);
        // one draw every month keeps the stream aligned across scenarios.
        let back = rng.random::<f64>() < self.p[sl.return_rate];
        if self.walked && back {
            self.walked = false;
            self.abandoned = false;
            self.no_progress = 0;
            if obs.wants_story()
                && let Some(m) = sc.mediator
            {
                obs.story(
                    self.month,
                    Story::Event { id: "mediator_returns".into(), label: format!("{} comes back to the table", sc.actors[m].id) },
                );
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
    pub(crate) fn hold_round<O: Observer>(&mut self, model: &Model, rng: &mut Rng, obs: &mut O) {
        self.forget_outlooks();
        let sc = &model.scenario;
        let sl = &model.slots;
        let mediating = sc.mediator.filter(|_| !self.walked);
        let proposer = match mediating {
            Some(m) => m,
            None if rng.random::<f64>() < 0.5 => sc.attacker,
            None => sc.defender,
        };
        let by: &str = &sc.actors[proposer].id;
        let protocol = self.p[sl.settings.protocol] as usize;
        let agreed = match (self.phase, protocol) {
            (Phase::War, 0) => {
                (self.build_offer(model, proposer, false, rng)
                    && self.table(model, DealKind::Package, Some(proposer), by, "talks", rng, obs))
                    || (rng.random::<f64>() < self.p[sl.ceasefire_fallback] && self.offer_ceasefire(model, proposer, by, rng, obs))
            }
            (Phase::War, _) => self.offer_ceasefire(model, proposer, by, rng, obs),
            _ => {
                self.build_offer(model, proposer, true, rng) && self.table(model, DealKind::Package, Some(proposer), by, "talks", rng, obs)
            }
        };
        if !agreed && self.phase == Phase::War && mediating.is_some() {
            self.no_progress += 1;
            // After enough failed rounds a stepwise mediator moves to package talks (the US in
            // April 2025, 002 §四(二)).
            let switch = self.p[sl.switch_after];
            if protocol == 1 && switch > 0.0 && self.no_progress as f64 >= switch {
                self.p[sl.settings.protocol] = 0.0;
                if obs.wants_story() {
                    obs.story(
                        self.month,
                        Story::Event { id: "protocol_switch".into(), label: "the mediator moves to package talks".into() },
                    );
                }
            }
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

    /// Actor `i`'s stance on `self.offer` (MODEL.md §4a, docs/model.md §5): per month of its
    /// horizon, the value of the deal, honoured or not, less the value of the alternative.
    pub(crate) fn stance(&mut self, model: &Model, i: usize, kind: DealKind) -> f64 {
        let ni = model.n_issues();
        let package = kind == DealKind::Package;
        if let Some((k, v)) = self.stance_memo[i]
            && k == package
            && self.stance_offer[i * ni..][..ni] == self.offer[..]
        {
            return v;
        }
        let (deal, alternative) = self.deal_and_alternative(model, i, kind);
        let v = deal - alternative;
        self.stance_memo[i] = Some((package, v));
        self.stance_offer[i * ni..][..ni].copy_from_slice(&self.offer);
        v
    }

    /// A ceasefire on the current line, tabled only if the proposer would sign it itself.
    pub(super) fn offer_ceasefire<O: Observer>(&mut self, model: &Model, proposer: usize, by: &str, rng: &mut Rng, obs: &mut O) -> bool {
        self.build_ceasefire(model);
        self.stance(model, proposer, DealKind::Ceasefire) >= 0.0
            && self.table(model, DealKind::Ceasefire, Some(proposer), by, "talks", rng, obs)
    }

    /// A ceasefire on the current line: every other issue stays where it is.
    pub(super) fn build_ceasefire(&mut self, model: &Model) {
        for (k, &s) in model.slots.status_quo.iter().enumerate() {
            self.offer[k] = self.p[s];
        }
        self.offer[model.scenario.territory_issue] = self.line;
    }

    /// Tables `self.offer` to every signatory; applies the deal if all accept, else the threats.
    /// Its author (`proposer`) signs what it tabled: it proposed it because it would.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn table<O: Observer>(
        &mut self,
        model: &Model,
        kind: DealKind,
        proposer: Option<usize>,
        by: &str,
        tabled: &str,
        rng: &mut Rng,
        obs: &mut O,
    ) -> bool {
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
            let accepts = Some(i) == proposer || self.margin[i] + self.pressure[i] + swing >= 0.0;
            all &= accepts;
            if story {
                let (deal_value, alt) = self.deal_and_alternative(model, i, kind);
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
        // Threats are carried out against the blamed party, each with its author's follow-through;
        // they change the war's prospects, so every outlook is worked out afresh after them.
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
                self.forget_outlooks();
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

    pub(super) fn accept(&mut self, model: &Model, kind: DealKind) {
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
