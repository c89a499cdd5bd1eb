//! Each actor's view of fighting on (its horizon, the chance the war is decided, its costs)
//! and of a deal (what it risks), cached per month.

use super::*;

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
pub(super) fn geometric(a: f64, h: f64, a_h: f64) -> f64 {
    if (a - 1.0).abs() < 1e-12 { h } else { a * (1.0 - a_h) / (1.0 - a) }
}

/// Σ_{τ=1..h} τ·a^τ, for real h ≥ 1, given a^h.
pub(super) fn weighted_month(a: f64, h: f64, a_h: f64) -> f64 {
    if (a - 1.0).abs() < 1e-12 { h * (h + 1.0) / 2.0 } else { a * (1.0 - (h + 1.0) * a_h + h * a_h * a) / ((1.0 - a) * (1.0 - a)) }
}

impl Scratch {
    /// Outlooks and stances are worked out afresh: a new round, or threats carried out.
    pub(crate) fn forget_outlooks(&mut self) {
        self.war_cache.fill(None);
        self.stance_memo.fill(None);
        self.open_cache = None;
        self.front_cache = None;
    }

    /// The belligerents' drains and the front's hazards now (`war_drains`, `front_hazards`), once
    /// per round.
    pub(super) fn front_now(&mut self, model: &Model) -> (f64, f64, f64, f64) {
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
    pub(super) fn open_now(&mut self, model: &Model) -> f64 {
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
    pub(super) fn outlook_of(&mut self, model: &Model, i: usize) -> WarOutlook {
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
    pub(super) fn deal_risk(&self, model: &Model, i: usize, kind: DealKind, terms: &[f64], war: &WarOutlook) -> f64 {
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
        let ni = sl.status_quo.len();
        let (saliences, ideals) = (&self.p[a.salience..a.salience + ni], &self.p[a.ideal..a.ideal + ni]);
        for (k, ((&q_k, &s), &ideal)) in sl.status_quo.iter().zip(saliences).zip(ideals).enumerate() {
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
    pub(super) fn drain_for_decisions(&mut self, model: &Model, i: usize) -> f64 {
        let sc = &model.scenario;
        if i == sc.attacker || i == sc.defender {
            let (d_att, d_def, _, _) = self.front_now(model);
            if i == sc.attacker { d_att } else { d_def }
        } else {
            let a = &model.slots.actors[i];
            if self.drain_now[i] > 0.0 { self.drain_now[i] } else { self.p[a.drain] * self.aid_now[i] }
        }
    }
}
