//! One rollout: the state it carries and the order of a month (MODEL.md §4).

use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};

use super::{Model, MonthView, Observer, Outcome, Record, Story};

/// Phase of the war within a rollout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Phase {
    War,
    Ceasefire,
    Settled,
    Ended(Outcome),
}

/// Everything a rollout changes, allocated once per worker and reused: a month allocates nothing.
pub struct Scratch {
    pub(crate) p: Vec<f64>,
    pub(crate) month: u32,
    pub(crate) area: f64,
    pub(crate) line: f64,
    pub(crate) phase: Phase,
    pub(crate) endurance: Vec<f64>,
    pub(crate) cost: Vec<f64>,
    /// This month's endurance drain per actor (the cost signal of decisions).
    pub(crate) drain_now: Vec<f64>,
    /// Belief about the mean monthly front change (km²) and its weight in months of evidence.
    pub(crate) belief: Vec<f64>,
    pub(crate) belief_weight: Vec<f64>,
    /// Current demands, actors × issues.
    pub(crate) demands: Vec<f64>,
    pub(crate) aid_now: Vec<f64>,
    pub(crate) aid_years: Vec<f64>,
    pub(crate) cut_until: Vec<u32>,
    pub(crate) eps: f64,
    /// The random-walk part of the mean monthly gain (km²/month), `battlefield.gain_drift`.
    pub(crate) drift: f64,
    /// Position of the front in the `forts` battlefield (0 … N).
    pub(crate) forts_pos: i64,
    pub(crate) end_month: Option<u32>,
    pub(crate) balance: f64,
    pub(crate) terms: Vec<f64>,
    pub(crate) has_terms: bool,
    pub(crate) walked: bool,
    pub(crate) abandoned: bool,
    pub(crate) no_progress: u32,
    pub(crate) breakdowns: u32,
    pub(crate) technical_deals: u32,
    pub(crate) first_technical_deal: Option<u32>,
    pub(crate) short_truces: u32,
    /// The front is quiet (a short truce) in months before this one.
    pub(crate) truce_until: u32,
    pub(crate) first_ceasefire: Option<u32>,
    pub(crate) settlement_month: Option<u32>,
    pub(crate) fired: Vec<bool>,
    // Work space of negotiation.
    pub(crate) compromise: Vec<f64>,
    pub(crate) offer: Vec<f64>,
    pub(crate) margin: Vec<f64>,
    pub(crate) pressure: Vec<f64>,
    /// Each actor's value of fighting on, worked out once per round of talks (it does not
    /// depend on the offer).
    pub(crate) war_cache: Vec<Option<super::negotiation::WarOutlook>>,
    /// Each actor's last stance this round, with the offer and kind it was on (a memo: the
    /// proposer's search and the table ask the same question twice).
    pub(crate) stance_memo: Vec<Option<(bool, f64)>>,
    pub(crate) stance_offer: Vec<f64>,
    /// The signatory that last refused a proposer's candidate (asked first next time).
    pub(crate) refuser: usize,
    pub(crate) open_cache: Option<f64>,
    pub(crate) front_cache: Option<(f64, f64, f64, f64)>,
}

impl Scratch {
    pub fn new(model: &Model) -> Scratch {
        let (na, ni) = (model.n_actors(), model.n_issues());
        Scratch {
            p: model.base.clone(),
            month: 0,
            area: 0.0,
            line: 0.0,
            phase: Phase::War,
            endurance: vec![0.0; na],
            cost: vec![0.0; na],
            drain_now: vec![0.0; na],
            belief: vec![0.0; na],
            belief_weight: vec![0.0; na],
            demands: vec![0.0; na * ni],
            aid_now: vec![0.0; na],
            aid_years: vec![0.0; na],
            cut_until: vec![0; na],
            eps: 0.0,
            drift: 0.0,
            forts_pos: 0,
            end_month: None,
            balance: 1.0,
            terms: vec![0.0; ni],
            has_terms: false,
            walked: false,
            abandoned: false,
            no_progress: 0,
            breakdowns: 0,
            technical_deals: 0,
            first_technical_deal: None,
            short_truces: 0,
            truce_until: 0,
            first_ceasefire: None,
            settlement_month: None,
            fired: vec![false; model.scenario.events.len()],
            compromise: vec![0.0; ni],
            offer: vec![0.0; ni],
            margin: vec![0.0; na],
            pressure: vec![0.0; na],
            war_cache: vec![None; na],
            stance_memo: vec![None; na],
            stance_offer: vec![0.0; na * model.n_issues()],
            refuser: usize::MAX,
            open_cache: None,
            front_cache: None,
        }
    }
}

/// The random streams of one rollout. Each is a ChaCha8 generator keyed by the master seed and a
/// purpose (parameters, world, talks), with the stream number set to the rollout index.
///
/// Within a stream, every month and every uncertain parameter reads from its own fixed region
/// (the generator is moved there with `set_word_pos`). So rollout i of two scenarios, or of one
/// scenario with an override, draws the same numbers for the same month and the same parameter
/// even when one has settled and the other fights on, or one draws a parameter the other fixes:
/// common random numbers, which make paired comparisons precise.
pub(crate) struct Streams {
    pub params: ChaCha8Rng,
    pub world: ChaCha8Rng,
    pub talks: ChaCha8Rng,
}

impl Streams {
    pub fn new(seed: u64, index: u64) -> Streams {
        let make = |purpose: u64| {
            let mut r = ChaCha8Rng::seed_from_u64(seed ^ purpose.wrapping_mul(0x9E37_79B9_7F4A_7C15));
            r.set_stream(index);
            r
        };
        Streams { params: make(1), world: make(2), talks: make(3) }
    }

    /// Moves the world and talks streams to the region of month `m` (2^20 words per month, far
    /// more than a month uses).
    pub fn enter_month(&mut self, m: u32) {
        let pos = u128::from(m) << MONTH_REGION_BITS;
        self.world.set_word_pos(pos);
        self.talks.set_word_pos(pos);
    }
}

const MONTH_REGION_BITS: u32 = 20;
/// Words reserved for each uncertain parameter's draw (rejection samplers stay far below).
const PARAM_REGION_BITS: u32 = 12;

/// Where in the parameter stream a parameter's draws start: a hash of its path, so that the
/// draw does not depend on which other parameters are uncertain (FNV-1a, 32 bits).
pub(crate) fn param_region(path: &str) -> u128 {
    let mut h: u32 = 0x811c_9dc5;
    for b in path.bytes() {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    u128::from(h) << PARAM_REGION_BITS
}

/// Runs rollout `index` of `model` under master `seed`, reporting months to `obs`.
/// Actor `actor`'s perceived chance, at the start of rollout `index`, that the war is decided
/// within its horizon: the figure its value of going on uses (MODEL.md §4a). For validation.
pub fn perceived_decided_at_start(model: &Model, seed: u64, index: u64, actor: usize) -> f64 {
    let mut s = Scratch::new(model);
    let mut rng = Streams::new(seed, index);
    s.reset(model, &mut rng.params);
    s.war_outlook(model, actor).p_decided()
}

pub fn run_rollout<O: Observer>(model: &Model, seed: u64, index: u64, s: &mut Scratch, obs: &mut O) -> Record {
    let mut rng = Streams::new(seed, index);
    let drawn = s.reset(model, &mut rng.params);
    rng.enter_month(0);
    // An opening round of talks, before any fighting (the bargaining of Fearon's model).
    if rng.talks.random::<f64>() < s.p[model.slots.opening_round] {
        s.hold_round(model, &mut rng.talks, obs);
    }
    report_month(model, s, obs);
    while s.month < model.horizon() {
        s.month += 1;
        rng.enter_month(s.month);
        s.step(model, &mut rng, obs);
        report_month(model, s, obs);
        if matches!(s.phase, Phase::Ended(_)) {
            break;
        }
    }
    // After an absorbing end the remaining months repeat the final state, so that monthly
    // statistics always average over every rollout.
    while s.month < model.horizon() {
        s.month += 1;
        report_month(model, s, obs);
    }
    let outcome = match s.phase {
        Phase::Ended(o) => o,
        Phase::Settled => Outcome::Settlement,
        Phase::Ceasefire => Outcome::Ceasefire,
        Phase::War => Outcome::FightAndTalk,
    };
    if obs.wants_story() {
        obs.story(s.month, Story::End { outcome: outcome.name().to_string() });
    }
    s.record(model, index, outcome, drawn)
}

fn report_month<O: Observer>(model: &Model, s: &Scratch, obs: &mut O) {
    let _ = model;
    obs.month(&MonthView {
        month: s.month,
        area_km2: s.area,
        at_war: s.phase == Phase::War,
        ceasefire: s.phase == Phase::Ceasefire,
        settled: s.phase == Phase::Settled,
        costs: &s.cost,
        ended: matches!(s.phase, Phase::Ended(_)),
        beliefs: &s.belief,
    });
}

impl Scratch {
    /// This rollout's battlefield is Smith and Stam's forts (a setting, which may be drawn per
    /// rollout like any uncertain parameter).
    pub(crate) fn forts(&self, model: &Model) -> bool {
        self.p[model.slots.battlefield_model] == 1.0
    }

    /// This rollout's actors learn with beta-bernoulli beliefs.
    pub(crate) fn beta_beliefs(&self, model: &Model) -> bool {
        self.p[model.slots.beliefs_model] == 1.0
    }

    /// Sets up month 0: parameters (with this rollout's draws), the front, beliefs, demands.
    pub(crate) fn reset(&mut self, model: &Model, rng: &mut ChaCha8Rng) -> Vec<f64> {
        self.p.copy_from_slice(&model.base);
        let mut drawn = Vec::with_capacity(model.uncertain.len());
        for (k, &i) in model.uncertain.iter().enumerate() {
            let param = &model.scenario.params[i];
            if let crate::scenario::ParamValue::Dist(d) = &param.value {
                rng.set_word_pos(model.uncertain_regions[k]);
                self.p[i] = d.sample(rng, param.min, param.max);
            }
            drawn.push(self.p[i]);
        }
        let sl = &model.slots;
        self.month = 0;
        self.area = self.p[sl.start_km2].min(self.p[sl.ukraine_km2]);
        if self.forts(model) {
            let n = self.p[sl.forts_positions].round();
            self.forts_pos = (self.p[sl.forts_start].round().clamp(1.0, n - 1.0)) as i64;
            self.area = self.forts_pos as f64 / n * self.p[sl.claimed_km2];
        }
        self.line = (self.area / self.p[sl.claimed_km2]).min(1.0);
        self.phase = Phase::War;
        self.eps = 0.0;
        self.drift = 0.0;
        self.end_month = None;
        self.has_terms = false;
        self.walked = false;
        self.abandoned = false;
        self.no_progress = 0;
        self.breakdowns = 0;
        self.technical_deals = 0;
        self.first_technical_deal = None;
        self.short_truces = 0;
        self.truce_until = 0;
        self.first_ceasefire = None;
        self.refuser = usize::MAX;
        self.forget_outlooks();
        self.settlement_month = None;
        self.fired.iter_mut().for_each(|f| *f = false);
        let ni = model.n_issues();
        for (i, a) in sl.actors.iter().enumerate() {
            self.endurance[i] = self.p[a.endurance];
            self.cost[i] = 0.0;
            self.drain_now[i] = 0.0;
            self.aid_now[i] = 0.0;
            self.aid_years[i] = 0.0;
            self.cut_until[i] = 0;
            for k in 0..ni {
                self.demands[i * ni + k] = self.p[a.ideal + k];
            }
        }
        self.update_policies(model);
        self.balance = self.strength_balance(model);
        let drift0 = self.expected_gain(model);
        let sd = self.p[sl.gain_sd];
        let beta = self.beta_beliefs(model);
        for (i, a) in sl.actors.iter().enumerate() {
            self.belief[i] = if beta { self.p[a.prior_mean] } else { drift0 + self.p[a.bias] * sd };
            self.belief_weight[i] = self.p[a.prior_weight];
        }
        drawn
    }

    /// One month (MODEL.md §4): events, policies, battlefield, learning, negotiation, post-deal.
    fn step<O: Observer>(&mut self, model: &Model, rng: &mut Streams, obs: &mut O) {
        self.fire_events(model, &mut rng.world, obs);
        self.update_policies(model);
        match self.phase {
            Phase::War if self.month < self.truce_until => {
                // A short truce: the front is quiet and the armies stay mobilised, as under a
                // ceasefire, but the war is not over and talks go on.
                self.keep_peace(model);
                self.move_demands(model);
                self.negotiate(model, &mut rng.talks, obs);
            }
            Phase::War => {
                let change = self.fight(model, &mut rng.world, obs);
                if matches!(self.phase, Phase::Ended(_)) {
                    return;
                }
                self.learn(model, change, &mut rng.world);
                self.move_demands(model);
                self.negotiate(model, &mut rng.talks, obs);
            }
            Phase::Ceasefire | Phase::Settled => {
                self.keep_peace(model);
                self.check_breakdown(model, &mut rng.world, obs);
                if self.phase == Phase::Ceasefire {
                    self.negotiate(model, &mut rng.talks, obs);
                }
            }
            Phase::Ended(_) => {}
        }
    }

    fn record(&self, model: &Model, index: u64, outcome: Outcome, drawn: Vec<f64>) -> Record {
        let ni = model.n_issues();
        let terms = match outcome {
            Outcome::Settlement | Outcome::Ceasefire if self.has_terms => Some(self.terms.clone()),
            // A decided war ends on the loser's worst terms (MODEL.md §4.3).
            Outcome::UkraineCollapse => Some(vec![1.0; ni]),
            Outcome::RussiaExhaustion => Some(vec![0.0; ni]),
            _ => None,
        };
        let final_terms: Vec<f64> = match &terms {
            Some(t) => t.clone(),
            None => self.war_terms(model),
        };
        let utility = (0..model.n_actors()).map(|i| self.utility(model, i, &final_terms)).collect();
        Record {
            index,
            outcome,
            ceasefire_month: self.first_ceasefire,
            settlement_month: self.settlement_month,
            end_month: self.end_month,
            terms,
            final_area_km2: self.area,
            final_line: self.line,
            costs: self.cost.clone(),
            utility,
            walked_away: self.walked,
            abandoned: self.abandoned,
            breakdowns: self.breakdowns,
            technical_deals: self.technical_deals,
            first_technical_deal_month: self.first_technical_deal,
            short_truces: self.short_truces,
            drawn,
        }
    }

    /// The terms of no deal: the line of control and every other issue at its status quo.
    fn war_terms(&self, model: &Model) -> Vec<f64> {
        let mut t: Vec<f64> = model.slots.status_quo.iter().map(|&s| self.p[s]).collect();
        t[model.scenario.territory_issue] = self.line;
        t
    }

    /// Spatial utility u_i(x) = −Σ_k ŝ_ik |x_k − ideal_ik|^r_i, saliences normalised (MODEL.md §3).
    pub(crate) fn utility(&self, model: &Model, i: usize, x: &[f64]) -> f64 {
        let a = &model.slots.actors[i];
        let r = self.p[a.risk];
        let mut total = 0.0;
        let mut weight = 0.0;
        for (k, xk) in x.iter().enumerate() {
            let s = self.p[a.salience + k];
            let d = (xk - self.p[a.ideal + k]).abs();
            total += s * if r == 1.0 { d } else { d.powf(r) };
            weight += s;
        }
        if weight > 0.0 { -total / weight } else { 0.0 }
    }
}
