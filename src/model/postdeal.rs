//! After a deal (MODEL.md §4.7): the commitment problem. A ceasefire or settlement breaks down
//! with a monthly hazard that rises with what is left unresolved, falls with the strength of the
//! guarantees, and jumps in months when a US policy reversal may undo commitments.

use super::rollout::Rng;
use rand::RngExt;

use super::rollout::{Phase, Scratch};
use super::{Model, Observer, Story};

impl Scratch {
    /// This month's breakdown hazard of the deal in force (docs/model.md §5), or `None` at war:
    /// h = base · (1 + unresolved_effect · open share) · (1 − guarantee_effect · G), plus the
    /// reversal hazard in a reversal month; G = 1 − the agreed guarantees term (0 without terms).
    pub(crate) fn breakdown_hazard(&self, model: &Model) -> Option<f64> {
        let sl = &model.slots;
        let (base, open) = match self.phase {
            Phase::Ceasefire => (self.p[sl.ceasefire_hazard], self.open_share(model)),
            Phase::Settled => (self.p[sl.settlement_hazard], 0.0),
            _ => return None,
        };
        let guarantees = match model.guarantees_issue {
            Some(k) if self.has_terms => 1.0 - self.terms[k],
            _ => 0.0,
        };
        let mut h = base * (1.0 + self.p[sl.unresolved_effect] * open) * (1.0 - self.p[sl.guarantee_effect] * guarantees);
        if model.is_reversal_month.get(self.month as usize).copied().unwrap_or(false) {
            h += self.p[sl.reversal_hazard];
        }
        Some(h)
    }

    pub(crate) fn check_breakdown<O: Observer>(&mut self, model: &Model, rng: &mut Rng, obs: &mut O) {
        let sl = &model.slots;
        let Some(h) = self.breakdown_hazard(model) else { return };
        // Both draws are made every month so that the stream does not depend on the outcome.
        let broke = rng.random::<f64>() < h;
        let to_war = rng.random::<f64>() < self.p[sl.relapse_to_war];
        if broke {
            let deal = if self.phase == Phase::Ceasefire { "ceasefire" } else { "settlement" };
            self.breakdowns += 1;
            self.no_progress = 0;
            if self.phase == Phase::Settled && !to_war {
                // The political terms lapse; the guns stay silent on the line: a frozen conflict.
                self.phase = Phase::Ceasefire;
                for (k, &s) in sl.status_quo.iter().enumerate() {
                    self.terms[k] = self.p[s];
                }
                self.terms[model.scenario.territory_issue] = self.line;
                if obs.wants_story() {
                    obs.story(
                        self.month,
                        Story::Breakdown { deal: "settlement (its political terms lapse; the ceasefire line holds)".into() },
                    );
                }
                return;
            }
            self.phase = Phase::War;
            self.has_terms = false;
            if obs.wants_story() {
                obs.story(self.month, Story::Breakdown { deal: deal.to_string() });
            }
        }
    }

    /// Salience-weighted share of the issues a ceasefire leaves open, averaged over signatories.
    pub(crate) fn open_share(&self, model: &Model) -> f64 {
        let sc = &model.scenario;
        let t = sc.territory_issue;
        let mut sum = 0.0;
        for &i in &sc.signatories {
            let a = &model.slots.actors[i];
            let total: f64 = self.p[a.salience..a.salience + model.n_issues()].iter().sum();
            if total > 0.0 {
                sum += 1.0 - self.p[a.salience + t] / total;
            }
        }
        if sc.signatories.is_empty() { 0.0 } else { sum / sc.signatories.len() as f64 }
    }
}

#[cfg(test)]
mod tests {
    use crate::model::Scratch;
    use crate::model::rollout::{Keys, Phase};

    use crate::model::testing::baseline;

    /// The post-deal hazard against its equation (docs/model.md §5), computed here from the
    /// parameters: a ceasefire with and without agreed terms, a settlement, a reversal month.
    #[test]
    fn the_breakdown_hazard_follows_its_equation() {
        let model = baseline();
        let sl = &model.slots;
        let mut x = Scratch::new(&model);
        x.reset(&model, Keys::new(4, 0));
        let g = model.guarantees_issue.expect("the baseline has a guarantees issue");
        x.month = 3;
        assert!(!model.is_reversal_month[3], "month 3 is no reversal month");
        x.phase = Phase::War;
        assert_eq!(x.breakdown_hazard(&model), None);

        x.phase = Phase::Ceasefire;
        x.has_terms = true;
        x.terms[g] = 0.3;
        let open = x.open_share(&model);
        assert!(open > 0.0 && open < 1.0);
        let (base, ue, ge) = (x.p[sl.ceasefire_hazard], x.p[sl.unresolved_effect], x.p[sl.guarantee_effect]);
        let want = base * (1.0 + ue * open) * (1.0 - ge * 0.7);
        assert!((x.breakdown_hazard(&model).unwrap() - want).abs() < 1e-15, "ceasefire with terms");
        x.has_terms = false;
        let want = base * (1.0 + ue * open);
        assert!((x.breakdown_hazard(&model).unwrap() - want).abs() < 1e-15, "ceasefire without terms: no guarantees");

        x.phase = Phase::Settled;
        x.has_terms = true;
        let want = x.p[sl.settlement_hazard] * (1.0 - ge * 0.7);
        assert!((x.breakdown_hazard(&model).unwrap() - want).abs() < 1e-15, "settlement: nothing left open");

        let reversal = model.is_reversal_month.iter().position(|&r| r).expect("the baseline has a reversal month");
        x.month = reversal as u32;
        let want = want + x.p[sl.reversal_hazard];
        assert!((x.breakdown_hazard(&model).unwrap() - want).abs() < 1e-15, "a reversal month adds its hazard");
    }

    /// The open share of docs/model.md §5, recomputed from the parameters by path: the mean over
    /// the signatories of 1 − (salience of territory) / (sum of saliences).
    #[test]
    fn the_open_share_is_the_signatories_mean_untouched_salience() {
        let model = baseline();
        let sc = &model.scenario;
        let mut x = Scratch::new(&model);
        x.reset(&model, Keys::new(4, 1));
        let value = |x: &Scratch, path: String| x.p[sc.param_index(&path).unwrap()];
        let want = |x: &Scratch| {
            let shares: Vec<f64> = sc
                .signatories
                .iter()
                .map(|&i| {
                    let id = &sc.actors[i].id;
                    let all: f64 = sc.issues.iter().map(|k| value(x, format!("actors.{id}.salience.{}", k.id))).sum();
                    1.0 - value(x, format!("actors.{id}.salience.territory")) / all
                })
                .collect();
            shares.iter().sum::<f64>() / shares.len() as f64
        };
        assert!((x.open_share(&model) - want(&x)).abs() < 1e-12);
        // A hand-made case: every signatory caring for territory alone leaves nothing open;
        // one caring for all six issues alike leaves 5/6 open.
        for &i in &sc.signatories {
            for k in &sc.issues {
                let path = format!("actors.{}.salience.{}", sc.actors[i].id, k.id);
                x.p[sc.param_index(&path).unwrap()] = if k.id == "territory" { 1.0 } else { 0.0 };
            }
        }
        assert_eq!(x.open_share(&model), 0.0);
        let first = &sc.actors[sc.signatories[0]].id;
        for k in &sc.issues {
            x.p[sc.param_index(&format!("actors.{first}.salience.{}", k.id)).unwrap()] = 1.0;
        }
        let n = sc.signatories.len() as f64;
        assert!((x.open_share(&model) - (5.0 / 6.0) / n).abs() < 1e-12);
    }

    /// A sure breakdown (hazard 1): a ceasefire goes back to war without terms; a settlement
    /// goes back to war when it relapses, else its political terms lapse to the status quo and
    /// a ceasefire holds on the line. Each counts one breakdown.
    #[test]
    fn a_breakdown_goes_where_docs_say() {
        use crate::model::Quiet;
        use crate::model::rollout::Rng;
        use rand::SeedableRng;
        let model = baseline();
        let sl = &model.slots;
        let t = model.scenario.territory_issue;
        let fresh = |phase: Phase, relapse: f64| {
            let mut x = Scratch::new(&model);
            x.reset(&model, Keys::new(4, 2));
            x.month = 3;
            x.phase = phase;
            x.has_terms = true;
            x.terms.iter_mut().for_each(|v| *v = 0.9);
            x.p[sl.ceasefire_hazard] = 1.0;
            x.p[sl.settlement_hazard] = 1.0;
            x.p[sl.relapse_to_war] = relapse;
            x
        };
        let mut rng = Rng::seed_from_u64(1);
        let mut x = fresh(Phase::Ceasefire, 0.0);
        x.check_breakdown(&model, &mut rng, &mut Quiet);
        assert_eq!((x.phase, x.has_terms, x.breakdowns), (Phase::War, false, 1));
        let mut x = fresh(Phase::Settled, 1.0);
        x.check_breakdown(&model, &mut rng, &mut Quiet);
        assert_eq!((x.phase, x.has_terms, x.breakdowns), (Phase::War, false, 1));
        let mut x = fresh(Phase::Settled, 0.0);
        x.check_breakdown(&model, &mut rng, &mut Quiet);
        assert_eq!((x.phase, x.breakdowns), (Phase::Ceasefire, 1));
        for (k, &s) in sl.status_quo.iter().enumerate() {
            let want = if k == t { x.line } else { x.p[s] };
            assert_eq!(x.terms[k], want, "term {k}");
        }
        // At war nothing breaks.
        let mut x = fresh(Phase::War, 0.0);
        x.check_breakdown(&model, &mut rng, &mut Quiet);
        assert_eq!((x.phase, x.breakdowns), (Phase::War, 0));

        // The story names the deal that broke.
        let told = |phase: Phase, relapse: f64, rng: &mut Rng| {
            let mut x = fresh(phase, relapse);
            let mut obs = Told(Vec::new());
            x.check_breakdown(&model, rng, &mut obs);
            obs.0
        };
        assert_eq!(told(Phase::Ceasefire, 0.0, &mut rng), ["ceasefire"]);
        assert_eq!(told(Phase::Settled, 1.0, &mut rng), ["settlement"]);
        assert_eq!(told(Phase::Settled, 0.0, &mut rng), ["settlement (its political terms lapse; the ceasefire line holds)"]);
    }

    /// The deals a story's breakdowns name.
    struct Told(Vec<String>);

    impl crate::model::Observer for Told {
        fn wants_story(&self) -> bool {
            true
        }
        fn story(&mut self, _month: u32, entry: crate::model::Story) {
            if let crate::model::Story::Breakdown { deal } = entry {
                self.0.push(deal);
            }
        }
    }

    /// The open share reads each signatory's territory salience wherever territory stands among
    /// the issues (here second, after a `nato` issue), and a signatory that cares for no issue
    /// leaves nothing open.
    #[test]
    fn the_open_share_finds_territory_anywhere_among_the_issues() {
        let dir = tempfile::tempdir().unwrap();
        let forts = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/validation/forts.toml");
        let text = std::fs::read_to_string(forts).unwrap();
        let nato = "[issues.nato]\nlabel0 = \"no\"\nlabel1 = \"yes\"\n\n[issues.territory]";
        let path = dir.path().join("s.toml");
        std::fs::write(&path, text.replacen("[issues.territory]", nato, 1)).unwrap();
        let model = crate::model::Model::new(crate::scenario::load(&path, &Default::default()).expect("the test scenario loads"));
        let sc = &model.scenario;
        assert_eq!((sc.territory_issue, sc.signatories.len()), (1, 2), "territory second; two signatories");
        let mut x = Scratch::new(&model);
        x.reset(&model, Keys::new(4, 3));
        let set = |x: &mut Scratch, id: &str, nato: f64, territory: f64| {
            for (k, v) in [("nato", nato), ("territory", territory)] {
                x.p[sc.param_index(&format!("actors.{id}.salience.{k}")).unwrap()] = v;
            }
        };
        let (a, d) = (&sc.actors[sc.signatories[0]].id, &sc.actors[sc.signatories[1]].id);
        set(&mut x, a, 3.0, 1.0);
        set(&mut x, d, 1.0, 1.0);
        assert!((x.open_share(&model) - (0.75 + 0.5) / 2.0).abs() < 1e-12, "{}", x.open_share(&model));
        set(&mut x, a, 0.0, 0.0);
        assert!((x.open_share(&model) - 0.5 / 2.0).abs() < 1e-12, "{}", x.open_share(&model));
    }
}
