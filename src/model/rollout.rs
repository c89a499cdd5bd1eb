//! One rollout: the state it carries and the order of a month (MODEL.md §4).

use rand::{RngExt, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

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
    /// Per issue: the compromise's sums of weights (`compute_compromise`).
    pub(crate) compromise_weight: Vec<f64>,
    /// Each actor's value of fighting on, worked out once per round of talks (it does not
    /// depend on the offer).
    pub(crate) war_cache: Vec<Option<super::negotiation::WarOutlook>>,
    /// Per actor, the last (δ, H, W = Σ δ^τ) worked out: W changes only when δ or H does.
    pub(crate) w_memo: Vec<(f64, f64, f64)>,
    /// Per actor, the last (reversal months, H, reversal hazard, survival) worked out.
    pub(crate) reversal_memo: Vec<(f64, f64, f64, f64)>,
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
            compromise_weight: vec![0.0; ni],
            war_cache: vec![None; na],
            w_memo: vec![(f64::NAN, f64::NAN, f64::NAN); na],
            reversal_memo: vec![(f64::NAN, f64::NAN, f64::NAN, f64::NAN); na],
            stance_memo: vec![None; na],
            stance_offer: vec![0.0; na * model.n_issues()],
            refuser: usize::MAX,
            open_cache: None,
            front_cache: None,
        }
    }
}

/// The generator behind every draw of a rollout: xoshiro256++ (rand_xoshiro), a small, fast
/// generator of high statistical quality whose whole state is set from a key.
pub(crate) type Rng = Xoshiro256PlusPlus;

/// What a rollout's random numbers are keyed by: the master seed and the rollout index.
///
/// Every region of a rollout — each month of the world and of the talks, and each uncertain
/// parameter (by a hash of its path) — has its own generator, whose state is a function of
/// (seed, purpose, rollout index, region) alone. So rollout i of two scenarios, or of one
/// scenario with an override, draws the same numbers for the same month and the same parameter
/// even when one has settled and the other fights on, or one draws a parameter the other fixes:
/// common random numbers, which make paired comparisons precise. Entering a region costs a few
/// multiplications; nothing is generated that is not used.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Keys {
    /// Mixes of the seed with each purpose (parameters, world, talks).
    purpose: [u64; 3],
    /// A mix of the rollout index.
    index: u64,
}

const PARAMS: usize = 0;
const WORLD: usize = 1;
const TALKS: usize = 2;

/// SplitMix64's output function: a bijection of 64-bit words that mixes every bit into every bit.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl Keys {
    pub fn new(seed: u64, index: u64) -> Keys {
        let purpose = |p: u64| mix(seed ^ mix(p));
        Keys { purpose: [purpose(1), purpose(2), purpose(3)], index: mix(index ^ 0xA076_1D64_78BD_642F) }
    }

    /// The generator of one region. Its four state words are mixes of (seed, purpose), the
    /// rollout index and the region, each word depending on all three: distinct keys give
    /// distinct states (but for chance coincidences of 128 bits), each word well mixed.
    fn stream(&self, purpose: usize, region: u64) -> Rng {
        let p = self.purpose[purpose];
        let r = mix(region ^ 0xE703_7ED1_A0B4_28DB);
        let w0 = mix(p ^ r);
        let w1 = mix(self.index ^ p.rotate_left(32) ^ r.rotate_left(17));
        let w2 = mix(w0 ^ self.index);
        let w3 = mix(w1 ^ p);
        let mut seed = [0u8; 32];
        for (chunk, w) in seed.chunks_exact_mut(8).zip([w0, w1, w2, w3]) {
            chunk.copy_from_slice(&w.to_le_bytes());
        }
        Rng::from_seed(seed)
    }

    /// The generator of an uncertain parameter's draw (`region`: a hash of its path).
    pub fn param(&self, region: u64) -> Rng {
        self.stream(PARAMS, region)
    }
}

/// The random streams of one rollout's current month: the world (battlefield, beliefs,
/// events, breakdowns) and the talks.
pub(crate) struct Streams {
    keys: Keys,
    pub world: Rng,
    pub talks: Rng,
}

impl Streams {
    pub fn new(keys: Keys) -> Streams {
        Streams { keys, world: keys.stream(WORLD, 0), talks: keys.stream(TALKS, 0) }
    }

    /// Moves the world stream, and the talks stream if `talks`, to the region of month `m`.
    pub fn enter_month(&mut self, m: u32, talks: bool) {
        self.world = self.keys.stream(WORLD, u64::from(m));
        if talks {
            self.talks = self.keys.stream(TALKS, u64::from(m));
        }
    }

    /// How many 64-bit words the world and the talks streams have given since they entered
    /// month `m`: counted by stepping a fresh copy of each month's generator until it reaches
    /// the current state (a count, not a guess at what the draws cost). `talks`: whether the
    /// talks stream entered the month (`Model::talks`); if not, it gave nothing.
    pub fn words_drawn(&self, m: u32, talks: bool) -> (u32, u32) {
        fn steps(mut fresh: Rng, now: &Rng) -> u32 {
            let mut k = 0;
            while fresh != *now {
                rand::Rng::next_u64(&mut fresh);
                k += 1;
                assert!(k < 1 << 24, "a month draws fewer than 2²⁴ words");
            }
            k
        }
        let world = steps(self.keys.stream(WORLD, u64::from(m)), &self.world);
        (world, if talks { steps(self.keys.stream(TALKS, u64::from(m)), &self.talks) } else { 0 })
    }
}

/// Which region of the parameter stream a parameter's draw comes from: a hash of its path, so
/// that the draw does not depend on which other parameters are uncertain (FNV-1a, 64 bits).
pub(crate) fn param_region(path: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in path.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// Runs rollout `index` of `model` under master `seed`, reporting months to `obs`.
/// Actor `actor`'s perceived chance, at the start of rollout `index`, that the war is decided
/// within its horizon: the figure its value of going on uses (MODEL.md §4a). For validation.
pub fn perceived_decided_at_start(model: &Model, seed: u64, index: u64, actor: usize) -> f64 {
    let mut s = Scratch::new(model);
    s.reset(model, Keys::new(seed, index));
    s.war_outlook(model, actor).p_decided()
}

pub fn run_rollout<O: Observer>(model: &Model, seed: u64, index: u64, s: &mut Scratch, obs: &mut O) -> Record {
    run_rollout_watched(model, seed, index, s, obs, |_, _| {})
}

/// `run_rollout`, calling `after(m, streams)` once month `m`'s draws are made (month 0: the
/// opening round), with the streams as the month left them: for the census of draws behind the
/// benchmark's random-number floor (`floor.rs`).
pub(crate) fn run_rollout_watched<O: Observer>(
    model: &Model,
    seed: u64,
    index: u64,
    s: &mut Scratch,
    obs: &mut O,
    mut after: impl FnMut(u32, &Streams),
) -> Record {
    let keys = Keys::new(seed, index);
    let drawn = s.reset(model, keys);
    let mut rng = Streams::new(keys);
    // An opening round of talks, before any fighting (the bargaining of Fearon's model).
    if model.talks && rng.talks.random::<f64>() < s.p[model.slots.opening_round] {
        s.hold_round(model, &mut rng.talks, obs);
    }
    after(0, &rng);
    report_month(model, s, obs);
    while s.month < model.horizon() {
        s.month += 1;
        rng.enter_month(s.month, model.talks);
        s.step(model, &mut rng, obs);
        after(s.month, &rng);
        report_month(model, s, obs);
        if matches!(s.phase, Phase::Ended(_)) {
            break;
        }
    }
    // After an absorbing end the remaining months repeat the final state, so that monthly
    // statistics always average over every rollout; the observer takes them in one step.
    if s.month < model.horizon() {
        obs.rest(&month_view(s), model.horizon());
        s.month = model.horizon();
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
    obs.month(&month_view(s));
}

fn month_view(s: &Scratch) -> MonthView<'_> {
    MonthView {
        month: s.month,
        area_km2: s.area,
        at_war: s.phase == Phase::War,
        ceasefire: s.phase == Phase::Ceasefire,
        settled: s.phase == Phase::Settled,
        costs: &s.cost,
        ended: matches!(s.phase, Phase::Ended(_)),
        beliefs: &s.belief,
    }
}

impl Scratch {
    /// This rollout's battlefield is Smith and Stam's forts (a setting, which may be drawn per
    /// rollout like any uncertain parameter).
    pub(crate) fn forts(&self, model: &Model) -> bool {
        self.p[model.slots.settings.battlefield_model] == 1.0
    }

    /// This rollout's actors learn with beta-bernoulli beliefs.
    pub(crate) fn beta_beliefs(&self, model: &Model) -> bool {
        self.p[model.slots.settings.beliefs_model] == 1.0
    }

    /// Sets up month 0: parameters (with this rollout's draws), the front, beliefs, demands.
    pub(crate) fn reset(&mut self, model: &Model, keys: Keys) -> Vec<f64> {
        self.p.copy_from_slice(&model.base);
        let mut drawn = Vec::with_capacity(model.uncertain.len());
        for (k, &i) in model.uncertain.iter().enumerate() {
            let param = &model.scenario.params[i];
            if let crate::scenario::ParamValue::Dist(d) = &param.value {
                let mut rng = keys.param(model.uncertain_regions[k]);
                self.p[i] = d.sample(&mut rng, param.min, param.max);
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
                if model.talks {
                    self.move_demands(model);
                    self.negotiate(model, &mut rng.talks, obs);
                }
            }
            Phase::War => {
                let change = self.fight(model, &mut rng.world, obs);
                if matches!(self.phase, Phase::Ended(_)) {
                    return;
                }
                // Beliefs act only through talks: without any, they are kept only for an
                // observer that reads them (learning is the month's last world draw, so skipping
                // it moves no other draw).
                if model.talks || obs.wants_beliefs() {
                    self.learn(model, change, &mut rng.world);
                }
                if model.talks {
                    self.move_demands(model);
                    self.negotiate(model, &mut rng.talks, obs);
                }
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
        let war_terms;
        let final_terms: &[f64] = match &terms {
            Some(t) => t,
            None => {
                war_terms = self.war_terms(model);
                &war_terms
            }
        };
        let utility = (0..model.n_actors()).map(|i| self.utility(model, i, final_terms)).collect();
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
        let n = x.len();
        let (salience, ideal) = (&self.p[a.salience..a.salience + n], &self.p[a.ideal..a.ideal + n]);
        let mut total = 0.0;
        let mut weight = 0.0;
        if r == 1.0 {
            for ((xk, s), c) in x.iter().zip(salience).zip(ideal) {
                total += s * (xk - c).abs();
                weight += s;
            }
        } else {
            for ((xk, s), c) in x.iter().zip(salience).zip(ideal) {
                total += s * (xk - c).abs().powf(r);
                weight += s;
            }
        }
        if weight > 0.0 { -total / weight } else { 0.0 }
    }
}

#[cfg(test)]
mod tests;
