//! The proposer's offers: candidates between the natural proposal and its ideal, terms the
//! front can bear, and the informed proposer's middle of the bargaining range.

use super::*;

impl Scratch {
    /// The proposer's package (MODEL.md §4a): the compromise of current demands pulled toward
    /// its ideal and perturbed is the natural proposal; from it toward its own ideal, it tables
    /// the candidate it values most among those it expects every signatory to accept, else the
    /// one nearest the natural proposal that it would sign itself. Territory is pinned to the
    /// line during a ceasefire, else kept within what the front can bear. Returns false if the
    /// proposer would sign none of them (it tables nothing it would reject).
    pub(super) fn build_offer(&mut self, model: &Model, proposer: usize, pin_line: bool, rng: &mut Rng) -> bool {
        let sl = &model.slots;
        let ni = model.n_issues();
        if self.p[sl.settings.proposer_mode] == 1.0 && self.informed_offer(model, pin_line) {
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
    pub(super) fn place_candidate(&mut self, model: &Model, proposer: usize, t: f64, pin_line: bool) {
        let (ideal, ni) = (model.slots.actors[proposer].ideal, model.n_issues());
        for ((o, c), g) in self.offer[..ni].iter_mut().zip(&self.compromise[..ni]).zip(&self.p[ideal..ideal + ni]) {
            *o = (1.0 - t) * c + t * g;
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
    pub(super) fn bear_terms(&mut self, model: &Model) {
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
    pub(super) fn informed_offer(&mut self, model: &Model, pin_line: bool) -> bool {
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
}
