//! Negotiation (MODEL.md §4.5–4.6).
//!
//! A proposal is the capability × salience weighted compromise of the signatories' current
//! demands, pulled toward the proposer's ideal and perturbed by noise. Each signatory accepts
//! when the deal is worth at least its perceived value of fighting on, after pressure along the
//! influence graph and a random swing. Demands rise with perceived success and fall with cost.
//! A mediator with no progress for its patience window may walk away and abandon its client.

use super::rollout::Rng;
use rand::RngExt;
use rand_distr::StandardNormal;

use super::rollout::{Phase, Scratch};
use super::{Model, Observer, Story};
use crate::scenario::{DealKind, LinkKind};

/// Longest planning horizon an actor projects the front over, in months.
const MAX_HORIZON: f64 = 120.0;

/// Candidates a proposer weighs between the natural proposal and its ideal, less one.
const CANDIDATES: usize = 4;

/// An actor's view of fighting on.
#[derive(Debug, Clone, Copy)]
pub(crate) struct WarOutlook {
    /// Its value per month of its horizon: V_war / W.
    pub per_month: f64,
    /// Its perceived monthly chance that the war is decided (λ_A + λ_D).
    pub q: f64,
    /// Its planning horizon H, in months.
    pub horizon: f64,
    /// Σ_{τ≤H} δ^τ: the discounted months of its horizon.
    pub w: f64,
    /// The chance a deal survives the US reversal months of its horizon, spread over it per month.
    pub reversal_survive: f64,
    /// Its utility of the status quo on the current line, per month.
    pub status_quo: f64,
    /// The signatories' average salience on the issues a ceasefire leaves open.
    pub open: f64,
    /// During a ceasefire: its value of the ceasefire in force, per month (the alternative to a
    /// package); otherwise `per_month`.
    pub alternative: f64,
}

impl WarOutlook {
    /// Its perceived chance that the war is decided within its horizon.
    pub fn p_decided(&self) -> f64 {
        1.0 - (1.0 - self.q).powi(self.horizon as i32)
    }
}

/// Σ_{τ=1..h} a^τ, for real h ≥ 1, given a^h.
fn geometric(a: f64, h: f64, a_h: f64) -> f64 {
    if (a - 1.0).abs() < 1e-12 { h } else { a * (1.0 - a_h) / (1.0 - a) }
}

/// Σ_{τ=1..h} τ·a^τ, for real h ≥ 1, given a^h.
fn weighted_month(a: f64, h: f64, a_h: f64) -> f64 {
    if (a - 1.0).abs() < 1e-12 { h * (h + 1.0) / 2.0 } else { a * (1.0 - (h + 1.0) * a_h + h * a_h * a) / ((1.0 - a) * (1.0 - a)) }
}

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
        let protocol = self.p[sl.protocol] as usize;
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
                self.p[sl.protocol] = 0.0;
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

    /// The proposer's package (MODEL.md §4a): the compromise of current demands pulled toward
    /// its ideal and perturbed is the natural proposal; from it toward its own ideal, it tables
    /// the candidate it values most among those it expects every signatory to accept, else the
    /// one nearest the natural proposal that it would sign itself. Territory is pinned to the
    /// line during a ceasefire, else kept within what the front can bear. Returns false if the
    /// proposer would sign none of them (it tables nothing it would reject).
    fn build_offer(&mut self, model: &Model, proposer: usize, pin_line: bool, rng: &mut Rng) -> bool {
        let sl = &model.slots;
        let ni = model.n_issues();
        if self.p[sl.proposer_mode] == 1.0 && self.informed_offer(model, pin_line) {
            return true;
        }
        self.compute_compromise(model);
        let pull = self.p[sl.proposer_pull];
        let noise = self.p[sl.proposal_noise];
        let a = &sl.actors[proposer];
        for k in 0..ni {
            let z: f64 = rng.sample(StandardNormal);
            let x = (1.0 - pull) * self.compromise[k] + pull * self.p[a.ideal + k] + noise * z;
            self.compromise[k] = x.clamp(0.0, 1.0);
        }
        let kind = DealKind::Package;
        let mut fallback = None;
        for step in (0..=CANDIDATES).rev() {
            let t = step as f64 / CANDIDATES as f64;
            self.place_candidate(model, proposer, t, pin_line);
            if self.stance(model, proposer, kind) < 0.0 {
                continue;
            }
            fallback = Some(t);
            // The signatory that refused the last candidate is asked first (the answer is the
            // same in any order; this order asks fewer).
            let first = self.refuser;
            let passes = (first == proposer || first >= model.n_actors() || self.stance(model, first, kind) >= 0.0)
                && model.scenario.signatories.iter().all(|&j| {
                    let ok = j == proposer || j == first || self.stance(model, j, kind) >= 0.0;
                    if !ok {
                        self.refuser = j;
                    }
                    ok
                });
            if passes {
                return true;
            }
        }
        match fallback {
            Some(t) => {
                self.place_candidate(model, proposer, t, pin_line);
                true
            }
            None => false,
        }
    }

    /// Candidate `t` on the way from the natural proposal (in `compromise`, t = 0) to the
    /// proposer's ideal (t = 1), into `offer`.
    fn place_candidate(&mut self, model: &Model, proposer: usize, t: f64, pin_line: bool) {
        let ideal = model.slots.actors[proposer].ideal;
        for k in 0..model.n_issues() {
            self.offer[k] = (1.0 - t) * self.compromise[k] + t * self.p[ideal + k];
        }
        if pin_line {
            self.offer[model.scenario.territory_issue] = self.line;
        } else {
            self.bear_terms(model);
        }
    }

    /// Keeps a proposal's territory term between what the defender could expect to retake and
    /// what the attacker could expect to take by fighting on over their horizons (MODEL.md §4a):
    /// a deal starts from the line of contact, moved at most by what the front could bring.
    fn bear_terms(&mut self, model: &Model) {
        let sc = &model.scenario;
        let claimed = self.p[model.slots.claimed_km2];
        let (att, def) = (sc.attacker, sc.defender);
        let take = self.belief[att].max(0.0) * self.horizon_of(model, att) / claimed;
        let retake = (-self.belief[def]).max(0.0) * self.horizon_of(model, def) / claimed;
        let t = sc.territory_issue;
        let (lo, hi) = ((self.line - retake).max(0.0), (self.line + take).min(1.0));
        self.offer[t] = self.offer[t].clamp(lo, hi);
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

    /// Outlooks and stances are worked out afresh: a new round, or threats carried out.
    pub(crate) fn forget_outlooks(&mut self) {
        self.war_cache.fill(None);
        self.stance_memo.fill(None);
        self.open_cache = None;
        self.front_cache = None;
    }

    /// The belligerents' drains and the front's hazards now (`war_drains`, `front_hazards`), once
    /// per round.
    fn front_now(&mut self, model: &Model) -> (f64, f64, f64, f64) {
        if let Some(f) = self.front_cache {
            return f;
        }
        let (d_att, d_def) = self.war_drains(model);
        let (bt, ct) = self.front_hazards(model);
        let f = (d_att, d_def, bt, ct);
        self.front_cache = Some(f);
        f
    }

    /// The open share (`open_share`), once per round.
    fn open_now(&mut self, model: &Model) -> f64 {
        match self.open_cache {
            Some(v) => v,
            None => {
                let v = self.open_share(model);
                self.open_cache = Some(v);
                v
            }
        }
    }

    /// Actor `i`'s value, per month of its horizon, of `self.offer` as a deal of kind `kind`,
    /// and of its alternative: going on fighting, or, during a ceasefire, the ceasefire as it is.
    ///
    /// A deal fails within the horizon with the perceived chance ρ (commitment doubt and the
    /// breakdown hazard its terms leave). Then the actor is back at war, and what it conceded
    /// against the status quo stays conceded (the commitment problem: the other side keeps what
    /// it was given): v(deal) = (1 − ρ)·u(x) + ρ·(v̄_war + min(0, u(x) − u(status quo))).
    pub(crate) fn deal_and_alternative(&mut self, model: &Model, i: usize, kind: DealKind) -> (f64, f64) {
        let war = self.outlook_of(model, i);
        let rho = self.deal_risk(model, i, kind, &self.offer, &war);
        let offer = std::mem::take(&mut self.offer);
        let u = self.utility(model, i, &offer);
        self.offer = offer;
        let deal = (1.0 - rho) * u + rho * (war.per_month + (u - war.status_quo).min(0.0));
        if kind == DealKind::Package { (deal, war.alternative) } else { (deal, war.per_month) }
    }

    /// Actor `i`'s outlook on the war, and during a ceasefire its value of the ceasefire in
    /// force, worked out once per round.
    fn outlook_of(&mut self, model: &Model, i: usize) -> WarOutlook {
        if let Some(w) = self.war_cache[i] {
            return w;
        }
        let mut w = self.war_outlook(model, i);
        if matches!(self.phase, Phase::Ceasefire) && self.has_terms {
            let terms = std::mem::take(&mut self.terms);
            let rho = self.deal_risk(model, i, DealKind::Ceasefire, &terms, &w);
            let u = self.utility(model, i, &terms);
            self.terms = terms;
            w.alternative = (1.0 - rho) * u + rho * (w.per_month + (u - w.status_quo).min(0.0));
        }
        self.war_cache[i] = Some(w);
        w
    }

    /// ρ: the share of a deal's value over actor `i`'s horizon that it expects to lose to the
    /// deal failing: it may not be honoured at all (its commitment doubt), or break down month by
    /// month with the hazard the engine applies to such a deal (MODEL.md §4.7), the reversal
    /// months included. Months are weighted by the discount factor, so a deal that holds for a
    /// year before it fails is worth that year.
    fn deal_risk(&self, model: &Model, i: usize, kind: DealKind, terms: &[f64], war: &WarOutlook) -> f64 {
        let sl = &model.slots;
        let (base, open) = match kind {
            DealKind::Ceasefire => (self.p[sl.ceasefire_hazard], war.open),
            DealKind::Package => (self.p[sl.settlement_hazard], 0.0),
        };
        let guarantees = model.guarantees_issue.map(|k| 1.0 - terms[k]).unwrap_or(0.0);
        let h = (base * (1.0 + self.p[sl.unresolved_effect] * open) * (1.0 - self.p[sl.guarantee_effect] * guarantees)).clamp(0.0, 1.0);
        let horizon = war.horizon;
        let survive = (1.0 - h) * war.reversal_survive;
        // The deal holds month τ with chance (1 − doubt)·survive^τ; weighted by the discount
        // factor as the months it is worth, the share of its value that fails is ρ.
        let a = self.p[sl.actors[i].patience] * survive;
        let w = war.w.max(1e-12);
        // geometric(a, H, a^H) / W in one division.
        let held = if (a - 1.0).abs() < 1e-12 { horizon / w } else { a * (1.0 - a.powi(horizon as i32)) / ((1.0 - a) * w) };
        // Written guarantees answer the doubts of the side they protect (the defender and its
        // patrons); the attacker's doubt is about the guarantors' reversals, weighed above.
        let assured = if model.side[i] > 0.0 { 0.0 } else { self.p[sl.guarantee_effect] * guarantees };
        let doubt = self.p[sl.actors[i].commitment_doubt] * (1.0 - assured);
        1.0 - (1.0 - doubt) * held
    }

    /// A ceasefire on the current line, tabled only if the proposer would sign it itself.
    fn offer_ceasefire<O: Observer>(&mut self, model: &Model, proposer: usize, by: &str, rng: &mut Rng, obs: &mut O) -> bool {
        self.build_ceasefire(model);
        self.stance(model, proposer, DealKind::Ceasefire) >= 0.0
            && self.table(model, DealKind::Ceasefire, Some(proposer), by, "talks", rng, obs)
    }

    /// A ceasefire on the current line: every other issue stays where it is.
    fn build_ceasefire(&mut self, model: &Model) {
        for (k, &s) in model.slots.status_quo.iter().enumerate() {
            self.offer[k] = self.p[s];
        }
        self.offer[model.scenario.territory_issue] = self.line;
    }

    /// Actor `i`'s planning horizon H in whole months: its `horizon`, or 1/(1 − patience), at
    /// most 120, rounded to the nearest month.
    pub(crate) fn horizon_of(&self, model: &Model, i: usize) -> f64 {
        let a = &model.slots.actors[i];
        let h = self.p[a.horizon];
        let h = if h > 0.0 { h } else { (1.0 / (1.0 - self.p[a.patience])).min(MAX_HORIZON) };
        // Nearest whole month, halves up, without a call to libm's round (h is positive, and
        // below 2^51 adding ½ is exact).
        if h < 2f64.powi(51) { ((h + 0.5) as i64 as f64).max(1.0) } else { h.round() }
    }

    /// The perceived monthly chances that the war is decided for the attacker (the defender's
    /// endurance or front gives way) and for the defender (the attacker's endurance gives way),
    /// as actor `i` sees them: the engine's own drains and shocks against the remaining
    /// endurance, the rival's endurance seen through `rival_bias`, plus a decisive battle
    /// (`decisive_hazard`) won by the attacker with the actor's `win_belief`.
    pub(crate) fn decision_hazards(&mut self, model: &Model, i: usize) -> (f64, f64) {
        let sc = &model.scenario;
        let sl = &model.slots;
        let (att, def) = (sc.attacker, sc.defender);
        let side = model.side[i];
        let rival = 1.0 + self.p[sl.actors[i].rival_bias];
        let e_def = self.endurance[def].max(0.0) * if side > 0.0 { rival } else { 1.0 };
        let e_att = self.endurance[att].max(0.0) * if side < 0.0 { rival } else { 1.0 };
        let (d_att, d_def, bt, ct) = self.front_now(model);
        let (mut to_def, mut to_att) = (d_def, d_att);
        if !self.forts(model) {
            // A shock takes at most what is left: a breakthrough that exhausts the defender ends it.
            to_def += bt * self.p[sl.breakthrough_shock].min(e_def);
            to_att += ct * self.p[sl.counter_shock].min(e_att);
        }
        let rate = |d: f64, e: f64| if e <= 0.0 { 1.0 } else { (d / e).clamp(0.0, 1.0) };
        let decisive = self.p[sl.decisive_hazard];
        let w = if self.beta_beliefs(model) { self.belief[i] } else { self.p[sl.actors[i].win_belief] };
        let lam_a = (rate(to_def, e_def) + decisive * w).min(1.0);
        let lam_d = (rate(to_att, e_att) + decisive * (1.0 - w)).min(1.0);
        (lam_a, lam_d)
    }

    /// Actor `i`'s value of fighting on (MODEL.md §4a): over its horizon H with its discount
    /// factor δ, with the chance S_τ = (1 − q)^τ that the war is still undecided in month τ
    /// (q = λ_A + λ_D), the line projected at the trend it believes in while undecided, the
    /// winner's demands once decided, and its monthly cost paid while undecided. All sums have
    /// closed forms (geometric series), so a decision costs no loop over months.
    pub(crate) fn war_outlook(&mut self, model: &Model, i: usize) -> WarOutlook {
        let sc = &model.scenario;
        let sl = &model.slots;
        let a = &sl.actors[i];
        let delta = self.p[a.patience];
        let h = self.horizon_of(model, i);
        let (lam_a, lam_d) = self.decision_hazards(model, i);
        let q = (lam_a + lam_d).min(1.0);
        let w = match self.w_memo[i] {
            (d, hh, w) if d == delta && hh == h => w,
            _ => {
                let w = geometric(delta, h, delta.powi(h as i32));
                self.w_memo[i] = (delta, h, w);
                w
            }
        };
        let alive = delta * (1.0 - q);
        let alive_h = alive.powi(h as i32);
        let g = geometric(alive, h, alive_h);
        // Σ δ^τ S_{τ−1}: month τ's cost is paid if the war was undecided when it began.
        let paid = if q >= 1.0 { delta } else { g / (1.0 - q) };
        let share_a = if q > 0.0 { lam_a / q } else { 0.5 };
        // The line while undecided, at the survival-weighted mean month ahead.
        let tau = if g > 0.0 { weighted_month(alive, h, alive_h) / g } else { 1.0 };
        let projected = (self.line + self.belief[i] * tau / self.p[sl.claimed_km2]).clamp(0.0, 1.0);
        // Four utilities in one pass over the issues (as `utility` computes each): the status quo
        // on the line, the status quo with the projected line, and the loser's worst terms — a
        // decided war ends with every issue at the winner's end of its scale.
        let r = self.p[a.risk];
        let loss = |d: f64| if r == 1.0 { d } else { d.powf(r) };
        let (mut sq, mut open, mut att, mut def, mut weight) = (0.0, 0.0, 0.0, 0.0, 0.0);
        for (k, &q_k) in sl.status_quo.iter().enumerate() {
            let s = self.p[a.salience + k];
            let ideal = self.p[a.ideal + k];
            let (now, ahead) = if k == sc.territory_issue { (self.line, projected) } else { (self.p[q_k], self.p[q_k]) };
            sq += s * loss((now - ideal).abs());
            open += s * loss((ahead - ideal).abs());
            att += s * loss((1.0 - ideal).abs());
            def += s * loss(ideal.abs());
            weight += s;
        }
        let norm = if weight > 0.0 { -1.0 / weight } else { 0.0 };
        let (u_sq, u_open, u_att, u_def) = (sq * norm, open * norm, att * norm, def * norm);
        let cost = self.p[a.cost_weight] * self.drain_for_decisions(model, i) / self.endurance[i].max(0.05) + self.p[a.war_cost];
        let value = g * u_open + (w - g) * (share_a * u_att + (1.0 - share_a) * u_def) - cost * paid;
        let per_month = if w > 0.0 { value / w } else { 0.0 };
        // The reversal months within the horizon, spread over it as a monthly hazard.
        let end = (self.month as f64 + h).min(model.horizon() as f64) as usize;
        let reversals = model.reversal_months_between(self.month as usize + 1, end) as f64;
        let rh = self.p[sl.reversal_hazard];
        let reversal_survive = match self.reversal_memo[i] {
            _ if reversals == 0.0 => 1.0,
            (r, hh, z, v) if r == reversals && hh == h && z == rh => v,
            _ => {
                let v = (1.0 - rh).powf(reversals / h);
                self.reversal_memo[i] = (reversals, h, rh, v);
                v
            }
        };
        WarOutlook { per_month, q, horizon: h, w, reversal_survive, status_quo: u_sq, open: self.open_now(model), alternative: per_month }
    }

    /// The monthly drain an actor weighs when it decides: what the war takes from it now (at
    /// the start, before any fighting, what it will take).
    fn drain_for_decisions(&mut self, model: &Model, i: usize) -> f64 {
        let sc = &model.scenario;
        if i == sc.attacker || i == sc.defender {
            let (d_att, d_def, _, _) = self.front_now(model);
            if i == sc.attacker { d_att } else { d_def }
        } else {
            let a = &model.slots.actors[i];
            if self.drain_now[i] > 0.0 { self.drain_now[i] } else { self.p[a.drain] * self.aid_now[i] }
        }
    }

    /// Tables `self.offer` to every signatory; applies the deal if all accept, else the threats.
    /// Its author (`proposer`) signs what it tabled: it proposed it because it would.
    #[allow(clippy::too_many_arguments)]
    fn table<O: Observer>(
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

#[cfg(test)]
mod tests {
    use super::{geometric, weighted_month};
    use crate::model::rollout::{Keys, Rng};
    use crate::model::{Model, Scratch};
    use rand::SeedableRng;

    fn shipped(file: &str) -> Model {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios").join(file);
        Model::new(crate::scenario::load(&path, &Default::default()).expect("the scenario loads"))
    }

    fn baseline() -> Model {
        shipped("baseline.toml")
    }

    /// A ceasefire's ρ is docs/model.md §5's: the breakdown hazard the engine applies to it (base
    /// × (1 + unresolved · open share) × (1 − guarantee effect · G)), with the reversal months of
    /// the horizon spread over it, and the defender's doubt lowered by the guarantees.
    #[test]
    fn a_ceasefires_risk_is_the_engines_hazard_as_perceived() {
        let model = baseline();
        let mut x = Scratch::new(&model);
        x.reset(&model, Keys::new(2, 0));
        x.month = 10;
        x.forget_outlooks();
        let def = model.scenario.defender;
        let sl = &model.slots;
        x.build_ceasefire(&model);
        let war = x.outlook_of(&model, def);
        let rho = x.deal_risk(&model, def, crate::scenario::DealKind::Ceasefire, &x.offer.clone(), &war);
        let g = 1.0 - x.offer[model.guarantees_issue.unwrap()];
        let ge = x.p[sl.guarantee_effect];
        let h = x.p[sl.ceasefire_hazard] * (1.0 + x.p[sl.unresolved_effect] * x.open_share(&model)) * (1.0 - ge * g);
        let horizon = x.horizon_of(&model, def);
        let reversals = model.reversal_months_between(11, 10 + horizon as usize) as f64;
        let survive = (1.0 - h) * (1.0 - x.p[sl.reversal_hazard]).powf(reversals / horizon);
        let delta = x.p[sl.actors[def].patience];
        let held: f64 =
            (1..=horizon as i32).map(|t| (delta * survive).powi(t)).sum::<f64>() / (1..=horizon as i32).map(|t| delta.powi(t)).sum::<f64>();
        let doubt = x.p[sl.actors[def].commitment_doubt] * (1.0 - ge * g);
        let want = 1.0 - (1.0 - doubt) * held;
        assert!(reversals > 0.0, "the test month should see the 2026-11 reversal within the horizon");
        assert!((rho - want).abs() < 1e-9, "ρ = {rho}, by the equation {want}");
    }

    /// The decision hazards are docs/model.md §5's, a decisive battle included (0 < hazard < 1):
    /// λ_A = (d_D + b·min(s_b, Ê_D))/Ê_D + h·w, λ_D = (d_A + k·min(s_k, Ê_A))/Ê_A + h·(1 − w).
    #[test]
    fn decision_hazards_follow_their_equation() {
        let model = baseline();
        let mut x = Scratch::new(&model);
        x.reset(&model, Keys::new(3, 0));
        x.forget_outlooks();
        let sl = &model.slots;
        let (att, def) = (model.scenario.attacker, model.scenario.defender);
        x.p[sl.decisive_hazard] = 0.1;
        for i in [att, def] {
            x.p[sl.actors[i].win_belief] = 0.3;
            let (lam_a, lam_d) = x.decision_hazards(&model, i);
            let (d_att, d_def) = x.war_drains(&model);
            let (bt, ct) = x.front_hazards(&model);
            let rival = 1.0 + x.p[sl.actors[i].rival_bias];
            let e_def = x.endurance[def] * if i == att { rival } else { 1.0 };
            let e_att = x.endurance[att] * if i == def { rival } else { 1.0 };
            let want_a = (d_def + bt * x.p[sl.breakthrough_shock].min(e_def)) / e_def + 0.1 * 0.3;
            let want_d = (d_att + ct * x.p[sl.counter_shock].min(e_att)) / e_att + 0.1 * 0.7;
            assert!(
                (lam_a - want_a).abs() < 1e-12 && (lam_d - want_d).abs() < 1e-12,
                "actor {i}: ({lam_a}, {lam_d}) vs ({want_a}, {want_d})"
            );
        }
    }

    /// The proposer's package (docs/model.md §5): the natural proposal is the compromise pulled
    /// toward its ideal plus noise; from it toward its ideal it tables the candidate it values
    /// most among those every signatory accepts, else the one nearest the natural proposal it
    /// would sign itself. Checked against a search written out here, at several states.
    #[test]
    fn the_proposer_tables_the_best_candidate_that_passes() {
        use rand_distr::StandardNormal;
        let models = [baseline(), shipped("endgame.toml")];
        let mut seen = [0usize; 2];
        for seed in 0..40u64 {
            let model = &models[seed as usize % 2];
            let sl = &model.slots;
            let us = model.scenario.mediator.unwrap();
            let mut x = Scratch::new(model);
            x.reset(model, Keys::new(seed, 0));
            x.month = 1 + seed as u32 % 20;
            x.line = 0.8 + 0.004 * seed as f64;
            x.forget_outlooks();
            let mut rng = Rng::seed_from_u64(100 + seed);
            let mut copy = Rng::seed_from_u64(100 + seed);
            x.compute_compromise(model);
            let pull = x.p[sl.proposer_pull];
            let noise = x.p[sl.proposal_noise];
            let natural: Vec<f64> = (0..model.n_issues())
                .map(|k| {
                    let z: f64 = rand::RngExt::sample(&mut copy, StandardNormal);
                    ((1.0 - pull) * x.compromise[k] + pull * x.p[sl.actors[us].ideal + k] + noise * z).clamp(0.0, 1.0)
                })
                .collect();
            let tabled = x.build_offer(model, us, false, &mut rng);
            let offer = x.offer.clone();
            assert_eq!(x.compromise, natural, "the natural proposal at seed {seed}");
            let (mut best, mut nearest) = (None, None);
            for step in (0..=super::CANDIDATES).rev() {
                let t = step as f64 / super::CANDIDATES as f64;
                x.place_candidate(model, us, t, false);
                if x.stance(model, us, crate::scenario::DealKind::Package) < 0.0 {
                    continue;
                }
                nearest = Some(t);
                let all = model.scenario.signatories.iter().all(|&j| x.stance(model, j, crate::scenario::DealKind::Package) >= 0.0);
                if all && best.is_none() {
                    best = Some(t);
                }
            }
            let want = best.or(nearest);
            assert_eq!(tabled, want.is_some(), "seed {seed}");
            if let Some(t) = want {
                x.place_candidate(model, us, t, false);
                assert_eq!(offer, x.offer, "seed {seed}: expected the candidate at t = {t}");
                seen[best.is_some() as usize] += 1;
            }
        }
        assert!(seen[0] > 0 && seen[1] > 0, "the states should include both a passing and a failing search: {seen:?}");
    }

    /// Demands move by docs/model.md §5's equation: d ← d + rate·[S·(g − d) − K·(d − c)], with
    /// S = max(0, side·m/gain_sd), K = cost_weight·12·drain/max(E, 0.05), c the compromise.
    #[test]
    fn demands_move_by_their_equation() {
        let model = baseline();
        let mut x = Scratch::new(&model);
        x.reset(&model, Keys::new(1, 0));
        let (att, def) = (model.scenario.attacker, model.scenario.defender);
        let ni = model.n_issues();
        // A state where both arms act: Russia sees success, Ukraine sees Russia losing ground.
        x.belief[att] = 400.0;
        x.belief[def] = -100.0;
        for (i, (d, e)) in [(0.03, 1.2), (0.02, 0.5), (0.01, 0.9), (0.005, 0.02)].into_iter().enumerate() {
            x.drain_now[i] = d;
            x.endurance[i] = e;
        }
        for (j, v) in x.demands.iter_mut().enumerate() {
            *v = 0.1 + 0.8 * ((j * 7) % 11) as f64 / 10.0;
        }
        let before = x.demands.clone();
        x.compute_compromise(&model);
        let c = x.compromise.clone();
        x.move_demands(&model);
        let sd = x.p[model.slots.gain_sd];
        for (i, a) in model.slots.actors.iter().enumerate() {
            let side = model.side[i];
            let rate = x.p[a.demand_rate];
            let s = (side * x.belief[i] / sd).max(0.0);
            let k = x.p[a.cost_weight] * 12.0 * x.drain_now[i] / x.endurance[i].max(0.05);
            for q in 0..ni {
                let d = before[i * ni + q];
                let goal = if side > 0.0 {
                    1.0
                } else if side < 0.0 {
                    0.0
                } else {
                    x.p[a.ideal + q]
                };
                let want = if rate == 0.0 { d } else { (d + rate * (s * (goal - d) - k * (d - c[q]))).clamp(0.0, 1.0) };
                assert!((x.demands[i * ni + q] - want).abs() < 1e-12, "actor {i} issue {q}: {} vs {want}", x.demands[i * ni + q]);
            }
        }
        assert!(x.demands != before, "no demand moved");
    }

    /// The closed forms equal the sums they stand for, at δ = 1 (the special branch) too.
    #[test]
    fn the_closed_forms_equal_their_sums() {
        for a in [0.3, 0.9, 0.97, 1.0] {
            for h in [1, 2, 12, 33] {
                let sum: f64 = (1..=h).map(|t| f64::powi(a, t)).sum();
                let weighted: f64 = (1..=h).map(|t| t as f64 * f64::powi(a, t)).sum();
                let a_h = f64::powi(a, h);
                let (g, w) = (geometric(a, h as f64, a_h), weighted_month(a, h as f64, a_h));
                assert!((g - sum).abs() <= 1e-9 * sum, "Σ a^τ at a = {a}, h = {h}: {g} vs {sum}");
                assert!((w - weighted).abs() <= 1e-9 * weighted, "Σ τ a^τ at a = {a}, h = {h}: {w} vs {weighted}");
            }
        }
    }

    /// The acceptance rule of docs/model.md §5 on real states, recomputed here link by link:
    /// alignment adds weight × the source's margin; a link from an actor that wants the deal to one
    /// that refuses pushes weight × pressure × lever (its aid for aid links, else 1), (1 + blame)
    /// times harder from the mediator on the blamed signatory (the one furthest from accepting);
    /// the deal passes iff every signatory's margin + pressure + volatility · z ≥ 0, the z drawn
    /// in signatory order, and a proposer signs what it tabled.
    #[test]
    fn the_acceptance_rule_adds_pressure_alignment_and_blame_by_its_equation() {
        use crate::model::Quiet;
        use crate::scenario::LinkKind;
        use rand::RngExt as _;
        use rand_distr::StandardNormal;
        let model = baseline();
        let sc = &model.scenario;
        let sl = &model.slots;
        let us = sc.actor_index("us").unwrap();
        let mut pushed = 0;
        let mut passed = [0, 0];
        for key in 0..400u64 {
            let mut x = Scratch::new(&model);
            x.reset(&model, Keys::new(7, key));
            x.month = 1 + (key % 30) as u32;
            x.forget_outlooks();
            x.p[sl.actors[us].pressure] = 0.3;
            x.p[sl.blame] = 0.5;
            x.build_ceasefire(&model);
            let kind = crate::scenario::DealKind::Ceasefire;
            let margin: Vec<f64> = (0..model.n_actors()).map(|i| x.stance(&model, i, kind)).collect();
            let mediator = sc.mediator.filter(|_| !x.walked);
            let blamed = sc.signatories.iter().copied().filter(|&i| Some(i) != mediator).min_by(|&a, &b| margin[a].total_cmp(&margin[b]));
            let mut want = vec![0.0; model.n_actors()];
            for l in &sc.links {
                let w = x.p[l.weight];
                if l.kind == LinkKind::Alignment {
                    want[l.to] += w * margin[l.from];
                } else if margin[l.from] >= 0.0 && margin[l.to] < 0.0 {
                    let lever = if matches!(l.kind, LinkKind::Aid | LinkKind::Intelligence) { x.aid_now[l.from] } else { 1.0 };
                    let blame = if Some(l.from) == mediator && Some(l.to) == blamed { 1.0 + x.p[sl.blame] } else { 1.0 };
                    let amount = w * x.p[sl.actors[l.from].pressure] * lever * blame;
                    if amount > 0.0 {
                        want[l.to] += amount;
                        pushed += 1;
                    }
                }
            }
            let proposer = if key % 3 == 0 { Some(sc.defender) } else { None };
            let seed = 1000 + key;
            let mut zs = Rng::seed_from_u64(seed);
            let passes = sc.signatories.iter().all(|&i| {
                let z: f64 = zs.sample(StandardNormal);
                Some(i) == proposer || margin[i] + want[i] + x.p[sl.actors[i].volatility] * z >= 0.0
            });
            let mut rng = Rng::seed_from_u64(seed);
            let got = x.table(&model, kind, proposer, "test", "test", &mut rng, &mut Quiet);
            for i in 0..model.n_actors() {
                assert!((x.pressure[i] - want[i]).abs() < 1e-12, "key {key}, actor {i}: pressure {} vs {}", x.pressure[i], want[i]);
            }
            assert_eq!(got, passes, "key {key}: the deal's fate");
            passed[got as usize] += 1;
        }
        assert!(pushed > 20, "too few states with a pressure link at work ({pushed}) to test the rule");
        assert!(passed[0] > 20 && passed[1] > 20, "both fates should occur: {passed:?}");
    }
}
