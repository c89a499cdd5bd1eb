//! Unit tests of the proposer's offers (docs/model.md §5): the candidates between the natural
//! proposal and the proposer's ideal, the territory the front can bear, and the informed
//! proposer's middle of the bargaining range, each recomputed here from the state.

use crate::model::rollout::Keys;
use crate::model::{Model, Scratch};
use crate::scenario::DealKind;

fn baseline(sets: &[&str]) -> Model {
    crate::model::testing::shipped("baseline.toml", sets)
}

/// An actor's planning horizon in whole months, as docs/model.md §5 defines it: its own
/// `horizon` if set, else 1/(1 − patience) capped at 120, to the nearest month (at least 1).
pub(super) fn horizon(x: &Scratch, model: &Model, i: usize) -> f64 {
    let a = &model.slots.actors[i];
    let h = x.p[a.horizon];
    let h = if h > 0.0 { h } else { (1.0 / (1.0 - x.p[a.patience])).min(120.0) };
    h.round().max(1.0)
}

/// Candidate t is (1 − t)·natural + t·ideal on every issue; its territory term is kept within
/// [line − retake, line + take], where take = max(0, attacker's belief)·H_A / claim and
/// retake = max(0, −defender's belief)·H_D / claim (beliefs in km² a month), or pinned to the
/// line during a ceasefire.
#[test]
fn a_candidate_lies_toward_the_ideal_within_what_the_front_can_bear() {
    let model = baseline(&["actors.russia.horizon=14", "actors.ukraine.patience=0.95"]);
    let sc = &model.scenario;
    let (att, def, terr) = (sc.attacker, sc.defender, sc.territory_issue);
    let us = sc.actor_index("us").unwrap();
    let ni = model.n_issues();
    let mut x = Scratch::new(&model);
    x.reset(&model, Keys::new(3, 1));
    let claimed = x.p[model.slots.claimed_km2];
    let ideal: Vec<f64> = (0..ni).map(|k| x.p[model.slots.actors[us].ideal + k]).collect();
    let mut bound = [0; 3];
    for (belief_att, belief_def) in [(400.0, -250.0), (-100.0, 120.0), (900.0, -30.0)] {
        x.belief[att] = belief_att;
        x.belief[def] = belief_def;
        x.line = 0.6;
        let take = f64::max(belief_att, 0.0) * horizon(&x, &model, att) / claimed;
        let retake = f64::max(-belief_def, 0.0) * horizon(&x, &model, def) / claimed;
        let (lo, hi) = ((0.6 - retake).max(0.0), (0.6 + take).min(1.0));
        for natural in [0.05, 0.62, 0.99] {
            for t in [0.0, 0.25, 0.7, 1.0] {
                for k in 0..ni {
                    x.compromise[k] = if k == terr { natural } else { 0.1 + 0.13 * k as f64 };
                }
                let raw: Vec<f64> = (0..ni).map(|k| (1.0 - t) * x.compromise[k] + t * ideal[k]).collect();
                x.place_candidate(&model, us, t, false);
                for k in (0..ni).filter(|&k| k != terr) {
                    assert!((x.offer[k] - raw[k]).abs() < 1e-15, "issue {k} at t = {t}");
                }
                let want = raw[terr].clamp(lo, hi);
                assert!((x.offer[terr] - want).abs() < 1e-15, "territory at t = {t}: {} vs {want}", x.offer[terr]);
                bound[usize::from(raw[terr] < lo) + 2 * usize::from(raw[terr] > hi)] += 1;
                x.place_candidate(&model, us, t, true);
                assert_eq!(x.offer[terr], 0.6, "pinned to the line");
                assert!((x.offer[(terr + 1) % ni] - raw[(terr + 1) % ni]).abs() < 1e-15);
            }
        }
    }
    assert!(bound.iter().all(|&b| b > 0), "inside, below and above the range all seen: {bound:?}");
}

/// An informed proposer (docs/model.md §5) offers the middle of the bargaining range on the
/// way from the defender's ideal (t = 0) to the attacker's (t = 1): the range found here on a
/// grid of 2,000 steps (the smallest t the attacker accepts, the largest the defender does),
/// and nothing when it is empty. `build_offer` tables that offer.
#[test]
fn an_informed_proposer_offers_the_middle_of_the_bargaining_range() {
    let model = baseline(&["negotiation.proposer=\"informed\""]);
    let sc = &model.scenario;
    let (att, def, terr) = (sc.attacker, sc.defender, sc.territory_issue);
    let us = sc.actor_index("us").unwrap();
    let ni = model.n_issues();
    let n = 2000;
    let mut seen = [0; 2];
    for key in 0..60u64 {
        let mut x = Scratch::new(&model);
        x.reset(&model, Keys::new(9, key));
        x.month = 1 + (key % 24) as u32;
        x.line = 0.5 + 0.005 * key as f64;
        for i in 0..model.n_actors() {
            x.belief[i] = 150.0 * ((key + i as u64) % 7) as f64 - 450.0;
        }
        if key % 3 == 0 {
            // Each belligerent sure it is winning, and doubtful of any deal: no range.
            x.belief[att] = 3000.0;
            x.belief[def] = -3000.0;
            for a in &model.slots.actors {
                x.p[a.commitment_doubt] = 0.9;
            }
        }
        x.forget_outlooks();
        let pin = key % 4 == 0;
        let (ia, id) = (model.slots.actors[att].ideal, model.slots.actors[def].ideal);
        let point = |x: &Scratch, t: f64| -> Vec<f64> {
            (0..ni).map(|k| if pin && k == terr { x.line } else { (1.0 - t) * x.p[id + k] + t * x.p[ia + k] }).collect()
        };
        let (mut t_a, mut t_d) = (None, None);
        for j in 0..=n {
            let t = j as f64 / n as f64;
            let o = point(&x, t);
            x.offer.copy_from_slice(&o);
            if t_a.is_none() && x.stance(&model, att, DealKind::Package) >= 0.0 {
                t_a = Some(t);
            }
            if x.stance(&model, def, DealKind::Package) >= 0.0 {
                t_d = Some(t);
            }
        }
        let step = 1.0 / n as f64;
        let got = x.informed_offer(&model, pin);
        let offer = x.offer.clone();
        match (t_a, t_d) {
            (Some(a), Some(d)) if a + 2.0 * step < d => {
                assert!(got, "key {key}: a range [{a}, {d}]");
                let k = (0..ni).filter(|&k| !(pin && k == terr)).max_by(|&j, &k| {
                    let gap = |k: usize| (x.p[ia + k] - x.p[id + k]).abs();
                    gap(j).total_cmp(&gap(k))
                });
                let k = k.unwrap();
                let t = (offer[k] - x.p[id + k]) / (x.p[ia + k] - x.p[id + k]);
                assert!((t - 0.5 * (a + d)).abs() <= step, "key {key}: t = {t}, the middle of [{a}, {d}]");
                let want = point(&x, t);
                for k in 0..ni {
                    assert!((offer[k] - want[k]).abs() < 1e-9, "key {key}, issue {k}");
                }
                let mut rng = <crate::model::rollout::Rng as rand::SeedableRng>::seed_from_u64(key);
                x.offer.fill(-1.0);
                assert!(x.build_offer(&model, us, pin, &mut rng));
                assert_eq!(x.offer, offer, "key {key}: build_offer tables the informed offer");
                seen[1] += 1;
            }
            (Some(a), Some(d)) if a <= d + 2.0 * step => {} // a range too narrow for the grid
            _ => {
                assert!(!got, "key {key}: no range ({t_a:?}, {t_d:?}), yet an offer");
                seen[0] += 1;
            }
        }
    }
    assert!(seen[0] > 0 && seen[1] > 0, "empty and open ranges both seen: {seen:?}");
}

/// A state where `refuser` turns down even its own ideal (fighting on is worth more to it than
/// any deal) or, with `doubt_one`, trusts no deal at all (commitment doubt 1, no guarantees:
/// every deal is worth exactly its alternative when it concedes nothing against the status
/// quo, so it is indifferent and accepts — a stance of 0 accepts, docs/model.md §5), and
/// `other` would accept anything (the war costs it dearly).
fn one_side_set(model: &Model, refuser: usize, other: usize, doubt_one: bool) -> Scratch {
    let sl = &model.slots;
    let mut x = Scratch::new(model);
    x.reset(model, Keys::new(4, 2));
    x.month = 3;
    x.p[sl.guarantee_effect] = 0.0;
    if doubt_one {
        x.p[sl.actors[refuser].commitment_doubt] = 1.0;
    } else {
        x.p[sl.actors[refuser].war_cost] = -10.0;
    }
    x.p[sl.actors[other].war_cost] = 10.0;
    x.forget_outlooks();
    x
}

/// The informed proposer tables nothing when a belligerent refuses even its own ideal, whoever
/// it is, and tables the middle of the range when that belligerent is merely indifferent there.
#[test]
fn an_informed_proposer_needs_both_ideals_accepted_by_their_owners() {
    let model = baseline(&["negotiation.proposer=\"informed\""]);
    let (att, def) = (model.scenario.attacker, model.scenario.defender);
    for (refuser, other) in [(att, def), (def, att)] {
        let mut x = one_side_set(&model, refuser, other, false);
        assert!(!x.informed_offer(&model, false), "actor {refuser} refuses everything, yet an offer");
        let mut x = one_side_set(&model, refuser, other, true);
        let ideal = model.slots.actors[refuser].ideal;
        x.offer.copy_from_slice(&x.p[ideal..ideal + model.n_issues()].to_vec());
        assert_eq!(x.stance(&model, refuser, crate::scenario::DealKind::Package), 0.0, "indifferent at its ideal");
        assert!(x.informed_offer(&model, false), "actor {refuser} indifferent at its ideal, yet no offer");
    }
}

/// A proposer indifferent to its own ideal (it trusts no deal, and its ideal concedes nothing)
/// still tables it when every signatory would accept: a stance of 0 is not a refusal.
#[test]
fn a_proposer_indifferent_to_its_ideal_still_tables_it() {
    let model = baseline(&["negotiation.proposer=\"compromise\""]);
    let sc = &model.scenario;
    let us = sc.actor_index("us").unwrap();
    let mut x = one_side_set(&model, us, sc.attacker, true);
    for &j in sc.signatories.iter().filter(|&&j| j != us) {
        x.p[model.slots.actors[j].war_cost] = 10.0;
    }
    // Beliefs that let the front bear any territory term, so the ideal is not clamped.
    x.belief[sc.attacker] = 1e6;
    x.belief[sc.defender] = -1e6;
    let mut rng = <crate::model::rollout::Rng as rand::SeedableRng>::seed_from_u64(5);
    assert!(x.build_offer(&model, us, false, &mut rng), "no offer");
    let ideal = model.slots.actors[us].ideal;
    assert_eq!(&x.offer[..], &x.p[ideal..ideal + model.n_issues()], "the ideal, the first candidate");
    assert_eq!(x.stance(&model, us, crate::scenario::DealKind::Package), 0.0);
}
