//! The model core: one rollout of a resolved scenario, month by month. Pure: no files, no
//! printing, no clocks, no global random generator. A rollout depends only on the scenario, the
//! master seed and the rollout index.

mod battlefield;
mod beliefs;
mod events;
mod floor;
mod negotiation;
mod policies;
mod postdeal;
mod rollout;
#[cfg(test)]
pub(crate) mod testing;

use crate::scenario::schema::{ActorKeySlots, SectionSlots, SettingSlots};
use crate::scenario::{Role, Scenario};
pub use floor::{Floor, rng_floor};
pub use rollout::{Scratch, perceived_decided_at_start, run_rollout};

/// How a rollout ends (MODEL.md §5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Outcome {
    Settlement,
    Ceasefire,
    FightAndTalk,
    UkraineCollapse,
    RussiaExhaustion,
    Escalation,
}

impl Outcome {
    pub const ALL: [Outcome; 6] = [
        Outcome::Settlement,
        Outcome::Ceasefire,
        Outcome::FightAndTalk,
        Outcome::UkraineCollapse,
        Outcome::RussiaExhaustion,
        Outcome::Escalation,
    ];

    /// The outcomes' names, in `ALL`'s order (the names of `summary.json`, `runs.csv` and the
    /// charts).
    pub const NAMES: [&'static str; 6] = {
        let mut names = [""; 6];
        let mut i = 0;
        while i < 6 {
            names[i] = Outcome::ALL[i].name();
            i += 1;
        }
        names
    };

    pub const fn name(self) -> &'static str {
        match self {
            Outcome::Settlement => "settlement",
            Outcome::Ceasefire => "ceasefire",
            Outcome::FightAndTalk => "fight_and_talk",
            Outcome::UkraineCollapse => "ukraine_collapse",
            Outcome::RussiaExhaustion => "russia_exhaustion",
            Outcome::Escalation => "escalation",
        }
    }

    pub fn parse(name: &str) -> Option<Outcome> {
        Outcome::ALL.into_iter().find(|o| o.name() == name)
    }
}

/// An outcome is written by its name.
impl serde::Serialize for Outcome {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

impl<'de> serde::Deserialize<'de> for Outcome {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Outcome, D::Error> {
        let name = String::deserialize(d)?;
        Outcome::parse(&name)
            .ok_or_else(|| serde::de::Error::custom(format!("`{name}` is not an outcome; one of {}", Outcome::NAMES.join(", "))))
    }
}

/// What one rollout leaves behind (MODEL.md §5).
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    pub index: u64,
    pub outcome: Outcome,
    pub ceasefire_month: Option<u32>,
    pub settlement_month: Option<u32>,
    /// Month the rollout was absorbed (collapse, exhaustion, escalation); `None` if it ran to the horizon.
    pub end_month: Option<u32>,
    /// Terms of the deal in force at the end (or imposed by a collapse), one per issue.
    pub terms: Option<Vec<f64>>,
    pub final_area_km2: f64,
    pub final_line: f64,
    pub costs: Vec<f64>,
    pub utility: Vec<f64>,
    pub walked_away: bool,
    pub abandoned: bool,
    pub breakdowns: u32,
    /// Technical deals made (MODEL.md §4.6) and the month of the first.
    pub technical_deals: u32,
    pub first_technical_deal_month: Option<u32>,
    /// Short truces that quieted the front (never a ceasefire outcome).
    pub short_truces: u32,
    /// Drawn values of the uncertain parameters, in `Model::uncertain` order.
    pub drawn: Vec<f64>,
}

/// Slots of one actor's parameters in the parameter vector: one per `schema::ACTOR` key (read
/// through `Deref`, e.g. `slots.patience`), and the first of its per-issue values.
#[derive(Debug, Clone)]
pub(crate) struct ActorSlots {
    keys: ActorKeySlots,
    /// First slot of `ideal.<issue>`; issues follow in order.
    pub ideal: usize,
    /// First slot of `salience.<issue>`; issues follow in order.
    pub salience: usize,
}

impl std::ops::Deref for ActorSlots {
    type Target = ActorKeySlots;
    fn deref(&self) -> &ActorKeySlots {
        &self.keys
    }
}

/// Where the model reads every parameter: the fixed sections' keys (through `Deref`, e.g.
/// `slots.gain_mean`), the named settings, each actor's and each issue's. All are declared once,
/// in `scenario::schema`.
#[derive(Debug, Clone)]
pub(crate) struct Slots {
    sections: SectionSlots,
    pub settings: SettingSlots,
    pub status_quo: Vec<usize>,
    pub actors: Vec<ActorSlots>,
}

impl std::ops::Deref for Slots {
    type Target = SectionSlots;
    fn deref(&self) -> &SectionSlots {
        &self.sections
    }
}

impl Slots {
    fn locate(s: &Scenario) -> Slots {
        let slot = |path: &str| s.param_index(path).unwrap_or_else(|| panic!("the schema defines {path}"));
        let first_issue = &s.issues[0].id;
        let actors = s
            .actors
            .iter()
            .map(|a| ActorSlots {
                keys: ActorKeySlots::locate(|k| slot(&format!("actors.{}.{k}", a.id))),
                ideal: slot(&format!("actors.{}.ideal.{first_issue}", a.id)),
                salience: slot(&format!("actors.{}.salience.{first_issue}", a.id)),
            })
            .collect();
        Slots {
            sections: SectionSlots::locate(slot),
            settings: SettingSlots::locate(slot),
            status_quo: s.issues.iter().map(|i| slot(&format!("issues.{}.status_quo", i.id))).collect(),
            actors,
        }
    }
}

/// A scenario compiled for fast rollouts: parameters as a flat vector, read through slots.
#[derive(Debug, Clone)]
pub struct Model {
    pub scenario: Scenario,
    pub(crate) slots: Slots,
    /// Central values of every parameter (distributions are replaced by draws per rollout).
    pub(crate) base: Vec<f64>,
    /// Indices of uncertain parameters, drawn per rollout in this order.
    pub uncertain: Vec<usize>,
    /// Where each uncertain parameter's draw starts in the parameter stream.
    pub(crate) uncertain_regions: Vec<u64>,
    /// Per actor: the side it is on (+1 attacker and its patrons, −1 defender and its patrons, 0 others).
    pub(crate) side: Vec<f64>,
    pub(crate) patrons: Vec<usize>,
    pub(crate) guarantees_issue: Option<usize>,
    pub(crate) is_reversal_month: Vec<bool>,
    /// `reversals_to[m]`: how many of months 1..=m are reversal months.
    reversals_to: Vec<u32>,
    /// Whether any rollout can ever negotiate: false when no proposal is scheduled and the
    /// talks rate and opening round are zero in every rollout (not drawn, and no event moves
    /// them). Then demands, which only talks read, are not moved, and the talks stream is never
    /// entered: the outputs are the same, the months cheaper (validation's `forts`).
    pub(crate) talks: bool,
}

impl Model {
    pub fn new(scenario: Scenario) -> Model {
        let s = &scenario;
        let slots = Slots::locate(s);
        let base: Vec<f64> = s.params.iter().map(|p| p.central()).collect();
        let uncertain = s.uncertain();
        let uncertain_regions = uncertain.iter().map(|&i| rollout::param_region(&s.params[i].path)).collect();
        let side = s
            .actors
            .iter()
            .map(|a| {
                let role_side = |r: Role| match r {
                    Role::Attacker => 1.0,
                    Role::Defender => -1.0,
                    _ => 0.0,
                };
                match (a.role, a.patron_of) {
                    (Role::Attacker | Role::Defender, _) => role_side(a.role),
                    (_, Some(client)) => role_side(s.actors[client].role),
                    _ => 0.0,
                }
            })
            .collect();
        let patrons = (0..s.actors.len()).filter(|&i| s.actors[i].patron_of.is_some()).collect();
        let guarantees_issue = s.issues.iter().position(|i| i.id == "guarantees");
        let mut is_reversal_month = vec![false; s.horizon as usize + 1];
        for &m in &s.reversal_months {
            if m >= 1 && (m as usize) < is_reversal_month.len() {
                is_reversal_month[m as usize] = true;
            }
        }
        let reversals_to = is_reversal_month
            .iter()
            .scan(0u32, |n, &r| {
                *n += r as u32;
                Some(*n)
            })
            .collect();
        let rates = [slots.talks_rate, slots.opening_round];
        let talks = !s.proposals.is_empty()
            || rates.iter().any(|&r| base[r] != 0.0 || uncertain.contains(&r))
            || s.events.iter().any(|e| e.effects.iter().any(|f| rates.contains(&f.param)));
        Model {
            slots,
            base,
            uncertain,
            uncertain_regions,
            side,
            patrons,
            guarantees_issue,
            is_reversal_month,
            reversals_to,
            talks,
            scenario,
        }
    }

    /// How many of months `from..=to` are reversal months (`postdeal.reversal_dates`).
    pub(crate) fn reversal_months_between(&self, from: usize, to: usize) -> usize {
        if from > to {
            return 0;
        }
        let to = to.min(self.reversals_to.len().saturating_sub(1));
        if from > to {
            return 0;
        }
        (self.reversals_to[to] - if from > 0 { self.reversals_to[from - 1] } else { 0 }) as usize
    }

    /// The area of the country, the area claimed and the area held at the start (central values).
    pub fn ukraine_km2(&self) -> f64 {
        self.base[self.slots.ukraine_km2]
    }

    pub fn claimed_km2(&self) -> f64 {
        self.base[self.slots.claimed_km2]
    }

    pub fn start_km2(&self) -> f64 {
        self.base[self.slots.start_km2]
    }

    /// Actor `a`'s ideal on issue `k` and the aid it gives (central values).
    pub fn ideal(&self, a: usize, k: usize) -> f64 {
        self.base[self.slots.actors[a].ideal + k]
    }

    pub fn aid(&self, a: usize) -> f64 {
        self.base[self.slots.actors[a].aid]
    }

    pub fn n_actors(&self) -> usize {
        self.scenario.actors.len()
    }

    pub fn n_issues(&self) -> usize {
        self.scenario.issues.len()
    }

    pub fn horizon(&self) -> u32 {
        self.scenario.horizon
    }
}

/// What a rollout reports as it goes. The runner collects monthly figures; `truce trace` also
/// narrates. The default methods do nothing, so the runner pays nothing for the narration.
pub trait Observer {
    /// Called for month 0 (the start) and after every simulated month.
    fn month(&mut self, _view: &MonthView<'_>) {}
    /// Called once when a rollout ended before the horizon (collapse, exhaustion, escalation):
    /// every month after `view.month`, to `horizon`, repeats `view`. By default each of those
    /// months is reported to `month`; an observer that can take them in one step says so here.
    fn rest(&mut self, view: &MonthView<'_>, horizon: u32) {
        for m in view.month + 1..=horizon {
            self.month(&MonthView { month: m, ..*view });
        }
    }
    /// Called when something worth telling happens; `note` builds the text only if wanted.
    fn wants_story(&self) -> bool {
        false
    }
    /// Whether the observer reads `MonthView::beliefs`. Beliefs act only through talks, so in a
    /// model that can never negotiate (`Model::talks`) they are updated only for an observer
    /// that reads them.
    fn wants_beliefs(&self) -> bool {
        true
    }
    fn story(&mut self, _month: u32, _entry: Story) {}
}

/// The state a month ends in, for observers.
pub struct MonthView<'a> {
    pub month: u32,
    pub area_km2: f64,
    pub at_war: bool,
    pub ceasefire: bool,
    pub settled: bool,
    pub costs: &'a [f64],
    pub ended: bool,
    /// Each actor's current belief: the mean monthly front change (km², `normal` beliefs) or the
    /// attacker's chance of winning a battle (`beta` beliefs).
    pub beliefs: &'a [f64],
}

/// One line of a rollout's story (`truce trace`).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Story {
    Event { id: String, label: String },
    TechnicalDeal { label: String },
    ShortTruce { label: String, months: u32 },
    Front { change_km2: f64, area_km2: f64, breakthrough: bool, counteroffensive: bool },
    Offer { by: String, deal: String, terms: Vec<f64>, tabled: String },
    Decision { actor: String, accepts: bool, deal_value: f64, war_value: f64, pressure: f64 },
    Pressure { from: String, to: String, kind: String, amount: f64 },
    ThreatCarriedOut { from: String, to: String, what: String },
    Deal { deal: String },
    WalkAway { mediator: String, abandons: bool },
    Breakdown { deal: String },
    End { outcome: String },
}

/// A no-op observer: it reads nothing.
pub struct Quiet;
impl Observer for Quiet {
    fn wants_beliefs(&self) -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::{MonthView, Observer};

    use crate::model::testing::baseline;

    /// What `Model::new` derives from the scenario: each actor's side (its own role's, or its
    /// client's for a patron), the patrons, the guarantees issue, and the count of reversal months
    /// in any span (against counting them one by one).
    #[test]
    fn the_model_derives_sides_patrons_and_reversal_months() {
        let m = baseline();
        let sc = &m.scenario;
        let id = |name: &str| sc.actors.iter().position(|a| a.id == name).unwrap();
        let (russia, ukraine, us, europe) = (id("russia"), id("ukraine"), id("us"), id("europe"));
        assert_eq!((m.side[russia], m.side[ukraine], m.side[us], m.side[europe]), (1.0, -1.0, -1.0, -1.0));
        assert_eq!(m.patrons, vec![us, europe]);
        assert_eq!(m.guarantees_issue, sc.issues.iter().position(|i| i.id == "guarantees"));
        assert!(m.guarantees_issue.is_some());
        let months = &sc.reversal_months;
        assert_eq!(months.len(), 2, "mid-terms and inauguration");
        let horizon = m.horizon() as usize;
        for from in 0..=horizon + 2 {
            for to in 0..=horizon + 2 {
                let want = months.iter().filter(|&&r| r >= 1 && from <= r as usize && r as usize <= to.min(horizon)).count();
                assert_eq!(m.reversal_months_between(from, to), want, "months {from}..={to}");
            }
        }
        for &r in months {
            assert!(m.is_reversal_month[r as usize]);
        }
        assert_eq!(m.is_reversal_month.iter().filter(|&&b| b).count(), 2);
    }

    /// The central values the reports read, against the numbers written in `scenarios/baseline.toml`,
    /// and every outcome's name parsed back to it.
    #[test]
    fn the_accessors_read_the_scenarios_central_values() {
        let m = baseline();
        let id = |name: &str| m.scenario.actors.iter().position(|a| a.id == name).unwrap();
        let territory = m.scenario.issues.iter().position(|i| i.id == "territory").unwrap();
        let nato = m.scenario.issues.iter().position(|i| i.id == "nato").unwrap();
        assert_eq!((m.ukraine_km2(), m.claimed_km2(), m.start_km2()), (603628.0, 135800.0, 116505.0));
        assert_eq!((m.ideal(id("us"), territory), m.ideal(id("us"), nato)), (0.88, 0.9));
        assert_eq!((m.ideal(id("ukraine"), territory), m.ideal(id("ukraine"), nato)), (0.15, 0.2));
        assert_eq!((m.aid(id("us")), m.aid(id("europe"))), (0.3, 1.8));
        for o in super::Outcome::ALL {
            assert_eq!(super::Outcome::parse(o.name()), Some(o));
        }
        assert_eq!(super::Outcome::parse("settled"), None);
        assert_eq!(super::Outcome::parse(""), None);
    }

    /// By default an observer is told every repeated month after an end, one by one, with the
    /// end's state.
    #[test]
    fn the_default_rest_reports_each_repeated_month() {
        struct Months(Vec<(u32, f64)>);
        impl Observer for Months {
            fn month(&mut self, v: &MonthView<'_>) {
                self.0.push((v.month, v.area_km2));
            }
        }
        let mut obs = Months(Vec::new());
        let view =
            MonthView { month: 5, area_km2: 12.5, at_war: false, ceasefire: false, settled: false, costs: &[], ended: true, beliefs: &[] };
        obs.rest(&view, 8);
        assert_eq!(obs.0, vec![(6, 12.5), (7, 12.5), (8, 12.5)]);
        assert!(!obs.wants_story());
        assert!(obs.wants_beliefs(), "an observer reads beliefs unless it says not");
    }
}
