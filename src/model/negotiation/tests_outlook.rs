//! Unit tests of an actor's outlook (docs/model.md §5) beyond the shipped scenarios' own
//! numbers: risk attitudes, weights, costs and hazards at their extremes, the memos, the deal
//! risk's limit, and an actor on neither side.

use super::tests::check_war_outlook;
use crate::model::rollout::{Keys, Phase};
use crate::model::{Model, Scratch};
use crate::scenario::DealKind;

fn shipped(file: &str) -> Model {
    crate::model::testing::shipped(file, &[])
}

/// H is the actor's own `horizon` if set, else 1/(1 − patience) capped at 120, to the nearest
/// whole month, halves up, at least 1.
#[test]
fn the_horizon_is_the_nearest_whole_month() {
    let model = shipped("baseline.toml");
    let a = &model.slots.actors[0];
    let mut x = Scratch::new(&model);
    x.reset(&model, Keys::new(1, 1));
    for (horizon, patience, want) in [
        (0.0, 0.9, 10.0),
        (0.0, 0.95, 20.0),
        (0.0, 0.99, 100.0),
        (0.0, 0.999, 120.0),
        (0.0, 0.0, 1.0),
        (7.5, 0.9, 8.0),
        (7.4, 0.9, 7.0),
        (0.3, 0.99, 1.0),
        (300.0, 0.5, 300.0),
    ] {
        x.p[a.horizon] = horizon;
        x.p[a.patience] = patience;
        assert_eq!(x.horizon_of(&model, 0), want, "horizon {horizon}, patience {patience}");
    }
}

/// The value of fighting on against its sum over the horizon in states the shipped scenarios
/// do not reach: risk attitudes other than linear, saliences summing to other than 1, a war
/// cost, patrons that paid nothing yet this month, and the hazards at q = 0 (forts with no
/// drains) and q = 1 (a decisive battle every month).
#[test]
fn the_value_of_fighting_on_holds_at_the_extremes() {
    let model = shipped("baseline.toml");
    let sl = &model.slots;
    for key in 0..8u64 {
        let mut x = Scratch::new(&model);
        x.reset(&model, Keys::new(8, key));
        x.month = 2 + key as u32 * 4;
        x.line = 0.3 + 0.08 * key as f64;
        x.p[sl.decisive_hazard] = if key == 7 { 1.0 } else { 0.03 };
        for (i, a) in sl.actors.iter().enumerate() {
            x.p[a.risk] = [1.0, 2.0, 0.5, 1.5][(i + key as usize) % 4];
            x.p[a.war_cost] = 0.002 * (i + 1) as f64;
            for k in 0..model.n_issues() {
                x.p[a.salience + k] *= 1.0 + 0.4 * ((i + k) % 3) as f64;
            }
            x.belief[i] = 90.0 * (i as f64 - 1.0) * (1.0 + key as f64);
            x.drain_now[i] = if key % 2 == 0 { 0.0 } else { 0.003 };
        }
        x.forget_outlooks();
        for i in 0..model.n_actors() {
            check_war_outlook(&model, &mut x, i, &format!("key {key}"));
        }
        if key == 7 {
            assert_eq!(x.war_outlook(&model, 0).q, 1.0, "a decisive battle every month");
        }
    }
    let forts = shipped("validation/forts.toml");
    let mut x = Scratch::new(&forts);
    x.reset(&forts, Keys::new(2, 2));
    x.forget_outlooks();
    for i in 0..forts.n_actors() {
        assert_eq!(x.war_outlook(&forts, i).q, 0.0, "forts without drains: nothing decides the war");
        check_war_outlook(&forts, &mut x, i, "forts");
    }
}

/// The outlook keeps Σδ^τ and the reversals' survival between calls: changing the patience, the
/// horizon, the reversal hazard or the month gives what a fresh state gives.
#[test]
fn the_outlooks_memos_never_return_a_stale_value() {
    let model = shipped("baseline.toml");
    let sl = &model.slots;
    let us = model.scenario.actor_index("us").unwrap();
    let a = &sl.actors[us];
    let mut x = Scratch::new(&model);
    x.reset(&model, Keys::new(3, 3));
    x.p[a.horizon] = 24.0;
    x.month = 10;
    let changes: [(&str, fn(&mut Scratch, &Model, usize)); 5] = [
        ("patience", |x, m, i| x.p[m.slots.actors[i].patience] = 0.93),
        ("horizon", |x, m, i| x.p[m.slots.actors[i].horizon] = 30.0),
        ("reversal hazard", |x, m, _| x.p[m.slots.reversal_hazard] = 0.3),
        ("month", |x, _, _| x.month = 15),
        ("shorter horizon", |x, m, i| x.p[m.slots.actors[i].horizon] = 5.0),
    ];
    let mut seen = vec![(x.war_outlook(&model, us).w, x.war_outlook(&model, us).reversal_survive)];
    for (what, change) in changes {
        change(&mut x, &model, us);
        x.forget_outlooks();
        let got = x.war_outlook(&model, us);
        let mut y = Scratch::new(&model);
        y.reset(&model, Keys::new(3, 3));
        y.p.clone_from(&x.p);
        y.month = x.month;
        let want = y.war_outlook(&model, us);
        assert_eq!((got.w, got.reversal_survive, got.per_month), (want.w, want.reversal_survive, want.per_month), "after the {what}");
        seen.push((got.w, got.reversal_survive));
    }
    for pair in seen.windows(2) {
        assert_ne!(pair[0], pair[1], "each change moves Σδ^τ or the survival: {seen:?}");
    }
}

/// With patience 1 and a deal that cannot break (no hazard, no reversal), the deal holds every
/// month of the horizon: ρ is the actor's commitment doubt alone (the limit of the closed form).
#[test]
fn a_deal_that_cannot_break_risks_only_the_doubt() {
    let model = shipped("baseline.toml");
    let sl = &model.slots;
    let att = model.scenario.attacker;
    let mut x = Scratch::new(&model);
    x.reset(&model, Keys::new(1, 4));
    x.p[sl.actors[att].patience] = 1.0;
    x.p[sl.settlement_hazard] = 0.0;
    x.p[sl.reversal_hazard] = 0.0;
    x.forget_outlooks();
    let war = x.war_outlook(&model, att);
    assert_eq!(war.w, war.horizon);
    let terms = vec![0.5; model.n_issues()];
    let rho = x.deal_risk(&model, att, DealKind::Package, &terms, &war);
    let doubt = x.p[sl.actors[att].commitment_doubt];
    assert!((rho - doubt).abs() < 1e-12, "ρ = {rho}, doubt {doubt}");
}

/// An actor on neither side (a mediator that is no one's patron) weighs both belligerents'
/// endurance as it is, whatever its `rival_bias`, and the written guarantees answer its doubt
/// as they answer the defender side's (only the attacker's side is not assured by them).
#[test]
fn an_actor_on_neither_side() {
    let mut model = shipped("baseline.toml");
    let sl = model.slots.clone();
    let us = model.scenario.actor_index("us").unwrap();
    model.side[us] = 0.0;
    let mut x = Scratch::new(&model);
    x.reset(&model, Keys::new(5, 1));
    x.month = 4;
    x.forget_outlooks();
    let unbiased = x.decision_hazards(&model, us);
    x.p[sl.actors[us].rival_bias] = 0.8;
    x.forget_outlooks();
    assert_eq!(x.decision_hazards(&model, us), unbiased);
    assert!(unbiased.0 > 0.0 && unbiased.1 > 0.0 && unbiased.0 + unbiased.1 < 1.0, "{unbiased:?}");
    let war = x.war_outlook(&model, us);
    let mut terms = vec![0.5; model.n_issues()];
    if let Some(g) = model.guarantees_issue {
        terms[g] = 0.2;
    }
    x.p[sl.actors[us].commitment_doubt] = 0.3;
    let neutral = x.deal_risk(&model, us, DealKind::Package, &terms, &war);
    let mut sided = model.clone();
    sided.side[us] = -1.0;
    assert_eq!(x.deal_risk(&sided, us, DealKind::Package, &terms, &war), neutral, "as the defender's side");
    sided.side[us] = 1.0;
    assert!(x.deal_risk(&sided, us, DealKind::Package, &terms, &war) > neutral + 0.01, "the attacker's side is not assured");
}

/// At war the alternative to a deal is fighting on, even with the terms of a deal that broke
/// down still on record; during a ceasefire it is the ceasefire in force.
#[test]
fn at_war_the_alternative_is_fighting_on_whatever_terms_are_on_record() {
    let model = shipped("baseline.toml");
    let mut x = Scratch::new(&model);
    x.reset(&model, Keys::new(2, 5));
    x.month = 8;
    x.terms.fill(0.3);
    x.has_terms = true;
    for phase in [Phase::War, Phase::Ceasefire] {
        x.phase = phase;
        x.forget_outlooks();
        for i in 0..model.n_actors() {
            let w = x.outlook_of(&model, i);
            assert_eq!(w.alternative == w.per_month, phase == Phase::War, "{phase:?}, actor {i}");
        }
    }
}
