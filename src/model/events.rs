//! Scheduled and random events (MODEL.md §4.1). An event fires on its month (or, if recurring,
//! in any month of its window) with its probability, if its conditions hold; its effects set,
//! scale or add to parameters by path.

use super::rollout::Rng;
use rand::RngExt;

use super::rollout::{Phase, Scratch};
use super::{Model, Observer, Story};
use crate::scenario::schema::MAGNITUDE;
use crate::scenario::{EffectOp, EventKind, StateVar, Target};

impl Scratch {
    pub(crate) fn fire_events<O: Observer>(&mut self, model: &Model, rng: &mut Rng, obs: &mut O) {
        let month = self.month as i32;
        for (e, event) in model.scenario.events.iter().enumerate() {
            let due = if event.recurring {
                month >= event.month && event.until.is_none_or(|u| month <= u)
            } else {
                event.month >= 0 && month == event.month.max(1) && !self.fired[e]
            };
            if !due {
                continue;
            }
            // One draw per due event, whether or not its conditions hold, keeps the world stream
            // aligned across scenarios that differ only in conditions.
            let u = rng.random::<f64>();
            if u >= self.p[event.probability] || !event.when.iter().all(|c| c.op.holds(self.read(c.target), c.value)) {
                continue;
            }
            self.fired[e] = true;
            for eff in &event.effects {
                let param = &model.scenario.params[eff.param];
                let v = &mut self.p[eff.param];
                *v = match eff.op {
                    EffectOp::Set => eff.value,
                    EffectOp::Scale => *v * eff.value,
                    EffectOp::Add => *v + eff.value,
                }
                .clamp(param.min.max(-MAGNITUDE), param.max.min(MAGNITUDE));
            }
            match event.kind {
                EventKind::Plain => {
                    if obs.wants_story() {
                        obs.story(self.month, Story::Event { id: event.id.clone(), label: event.label.clone() });
                    }
                }
                EventKind::TechnicalDeal { trust } => {
                    // A little trust (every signatory doubts deals less) and a mediator kept at
                    // the table: the rounds without progress start again.
                    let keep = 1.0 - self.p[trust];
                    for &i in &model.scenario.signatories {
                        let d = model.slots.actors[i].commitment_doubt;
                        self.p[d] *= keep;
                    }
                    self.no_progress = 0;
                    self.technical_deals += 1;
                    self.first_technical_deal.get_or_insert(self.month);
                    if obs.wants_story() {
                        obs.story(self.month, Story::TechnicalDeal { label: event.label.clone() });
                    }
                }
                EventKind::ShortTruce { months } if self.phase == Phase::War => {
                    let months = self.p[months].round().max(1.0) as u32;
                    self.truce_until = self.truce_until.max(self.month + months);
                    self.short_truces += 1;
                    if obs.wants_story() {
                        obs.story(self.month, Story::ShortTruce { label: event.label.clone(), months });
                    }
                }
                EventKind::ShortTruce { .. } => {}
            }
        }
    }

    fn read(&self, target: Target) -> f64 {
        let flag = |b: bool| if b { 1.0 } else { 0.0 };
        match target {
            Target::Param(i) => self.p[i],
            Target::State(s) => match s {
                StateVar::Month => self.month as f64,
                StateVar::Line => self.line,
                StateVar::AreaKm2 => self.area,
                StateVar::AtWar => flag(self.phase == Phase::War),
                StateVar::Ceasefire => flag(self.phase == Phase::Ceasefire),
                StateVar::Settled => flag(self.phase == Phase::Settled),
                StateVar::WalkedAway => flag(self.walked),
                StateVar::Abandoned => flag(self.abandoned),
                StateVar::Breakdowns => self.breakdowns as f64,
            },
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use crate::model::rollout::{Keys, Rng};
    use crate::model::{Model, Quiet, Scratch};
    use rand::SeedableRng;

    /// The baseline with one sure event in its first month (2025-05) with these effects.
    fn with_events(effects: &str) -> Model {
        with_event(&format!("effects = [{effects}]\n"))
    }

    /// The baseline with one sure event in its first month, with these further keys.
    pub(crate) fn with_event(keys: &str) -> Model {
        let dir = tempfile::tempdir().unwrap();
        let base = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/baseline.toml");
        let text = format!(
            "[scenario]\nextends = {:?}\nname = \"events_test\"\n\n[[events]]\nid = \"t\"\ndate = \"2025-05\"\nprobability = 1\n{keys}",
            base.display().to_string()
        );
        let path = dir.path().join("s.toml");
        std::fs::write(&path, text).unwrap();
        Model::new(crate::scenario::load(&path, &Default::default()).expect("the test scenario loads"))
    }

    /// A short truce of 3 months fired in month 2 keeps the front quiet through month 4: the
    /// month it fires and the two after it.
    #[test]
    fn a_short_truce_lasts_its_months_from_the_month_it_fires() {
        let model = with_event("kind = \"short_truce\"\nmonths = 3\n");
        let mut x = Scratch::new(&model);
        x.reset(&model, Keys::new(1, 0));
        x.month = 2;
        let e = model.scenario.events.iter().position(|e| e.id == "t").unwrap();
        let mut fresh = model.clone();
        fresh.scenario.events[e].month = 2;
        let mut rng = Rng::seed_from_u64(9);
        x.fire_events(&fresh, &mut rng, &mut Quiet);
        assert_eq!(x.truce_until, 2 + 3);
        assert_eq!(x.short_truces, 1);
    }

    /// docs/scenarios.md's state paths read the state: each flag is 1 in its phase and 0 in the
    /// others, and the counts and positions are the scratch state's own.
    #[test]
    fn state_paths_read_the_state() {
        use crate::model::rollout::Phase;
        use crate::scenario::{StateVar, Target};
        let model = with_events("{ add = \"actors.us.sanctions\", value = 0.1 }");
        let mut x = Scratch::new(&model);
        x.reset(&model, Keys::new(1, 0));
        x.month = 7;
        x.line = 0.31;
        x.area = 120_001.5;
        x.breakdowns = 2;
        let read = |x: &Scratch, s: StateVar| x.read(Target::State(s));
        for (phase, flags) in [(Phase::War, [1.0, 0.0, 0.0]), (Phase::Ceasefire, [0.0, 1.0, 0.0]), (Phase::Settled, [0.0, 0.0, 1.0])] {
            x.phase = phase;
            assert_eq!([read(&x, StateVar::AtWar), read(&x, StateVar::Ceasefire), read(&x, StateVar::Settled)], flags, "{phase:?}");
        }
        assert_eq!((read(&x, StateVar::Month), read(&x, StateVar::Line), read(&x, StateVar::AreaKm2)), (7.0, 0.31, 120_001.5));
        assert_eq!(read(&x, StateVar::Breakdowns), 2.0);
        let i = model.scenario.param_index("actors.us.pressure").unwrap();
        assert_eq!(x.read(Target::Param(i)), x.p[i]);
    }

    /// docs/scenarios.md's three effects: set to X, multiply by X, add X, each kept in range.
    #[test]
    fn effects_set_scale_and_add_by_their_definition() {
        let model = with_events(
            "{ set = \"actors.us.pressure\", value = 0.07 }, { scale = \"actors.europe.aid\", by = 0.5 }, \
             { add = \"actors.us.sanctions\", value = 0.15 }, { add = \"actors.russia.patience\", value = 5 }",
        );
        let sc = &model.scenario;
        let idx = |p: &str| sc.param_index(p).unwrap();
        let mut x = Scratch::new(&model);
        x.reset(&model, Keys::new(1, 0));
        let before: Vec<f64> = x.p.clone();
        x.month = 1;
        let mut rng = Rng::seed_from_u64(9);
        x.fire_events(&model, &mut rng, &mut Quiet);
        assert_eq!(x.p[idx("actors.us.pressure")], 0.07);
        assert_eq!(x.p[idx("actors.europe.aid")], before[idx("actors.europe.aid")] * 0.5);
        assert_eq!(x.p[idx("actors.us.sanctions")], before[idx("actors.us.sanctions")] + 0.15);
        // Kept in range: a patience pushed past 1 stops at the range's top.
        let top = sc.params[idx("actors.russia.patience")].max;
        assert_eq!(x.p[idx("actors.russia.patience")], top);
        // Fired once: the month after, its parameters do not change again.
        let after = x.p.clone();
        x.month = 2;
        x.fire_events(&model, &mut rng, &mut Quiet);
        for p in ["actors.us.pressure", "actors.europe.aid", "actors.us.sanctions", "actors.russia.patience"] {
            assert_eq!(x.p[idx(p)], after[idx(p)], "{p} changed again");
        }
    }
}
