//! Unit tests of a round's parts (docs/model.md §5): the compromise, a stance and its memo, a
//! ceasefire offer, and what accepting a deal does to the state.

use crate::model::rollout::{Keys, Phase, Rng};
use crate::model::{Quiet, Scratch};
use crate::scenario::DealKind;
use rand::SeedableRng;

use crate::model::testing::baseline;

/// The compromise on issue k is the signatories' demands weighted by capability × salience,
/// Σ c_i s_ik d_ik / Σ c_i s_ik, and the status quo on an issue no signatory weighs.
#[test]
fn the_compromise_is_the_weighted_mean_of_the_demands() {
    let model = baseline();
    let sl = &model.slots;
    let ni = model.n_issues();
    let mut x = Scratch::new(&model);
    x.reset(&model, Keys::new(2, 3));
    for (j, d) in x.demands.iter_mut().enumerate() {
        *d = (0.07 * j as f64 + 0.05).fract();
    }
    // Nobody weighs the last issue.
    for &i in &model.scenario.signatories {
        x.p[sl.actors[i].salience + ni - 1] = 0.0;
        x.p[sl.actors[i].capability] *= 1.0 + 0.3 * i as f64;
    }
    x.compute_compromise(&model);
    for k in 0..ni {
        let (mut num, mut den) = (0.0, 0.0);
        for &i in &model.scenario.signatories {
            let a = &sl.actors[i];
            let w = x.p[a.capability] * x.p[a.salience + k];
            num += w * x.demands[i * ni + k];
            den += w;
        }
        let want = if den > 0.0 { num / den } else { x.p[sl.status_quo[k]] };
        assert!(k < ni - 1 || den == 0.0);
        assert!((x.compromise[k] - want).abs() < 1e-14, "issue {k}: {} vs {want}", x.compromise[k]);
    }
}

/// A stance is the deal's value less the alternative's, for the offer on the table and the
/// kind of deal: its memo returns the same number as working it out afresh, whatever the order
/// of actors, offers and kinds asked.
#[test]
fn a_stance_is_its_deal_less_its_alternative_whatever_was_asked_before() {
    let model = baseline();
    let ni = model.n_issues();
    let mut x = Scratch::new(&model);
    x.reset(&model, Keys::new(4, 4));
    x.month = 6;
    x.forget_outlooks();
    let offers: Vec<Vec<f64>> = (0..3).map(|o| (0..ni).map(|k| (0.2 + 0.3 * o as f64 + 0.05 * k as f64).min(1.0)).collect()).collect();
    let mut asked = 0;
    for round in 0..3 {
        for (o, offer) in offers.iter().enumerate() {
            for kind in [DealKind::Package, DealKind::Ceasefire] {
                for i in (0..model.n_actors()).rev().skip(round % 2) {
                    x.offer.copy_from_slice(offer);
                    let got = x.stance(&model, i, kind);
                    let (deal, alternative) = x.deal_and_alternative(&model, i, kind);
                    assert_eq!(got, deal - alternative, "round {round}, offer {o}, {kind:?}, actor {i}");
                    asked += 1;
                }
            }
        }
    }
    assert!(asked > 50);
}

/// A ceasefire on the line is tabled only if its proposer would sign it: then `offer_ceasefire`
/// is `table`'s answer on that offer; else nothing is tabled and no number is drawn.
#[test]
fn a_ceasefire_is_offered_only_by_a_proposer_that_would_sign_it() {
    let model = baseline();
    let sc = &model.scenario;
    let mut seen = [0; 2];
    for key in 0..80u64 {
        let fresh = || {
            let mut x = Scratch::new(&model);
            x.reset(&model, Keys::new(6, key));
            x.month = 1 + (key % 30) as u32;
            x.line = 0.4 + 0.006 * key as f64;
            x.forget_outlooks();
            x
        };
        let proposer = [sc.attacker, sc.defender, sc.actor_index("us").unwrap()][key as usize % 3];
        let mut x = fresh();
        x.build_ceasefire(&model);
        let signs = x.stance(&model, proposer, DealKind::Ceasefire) >= 0.0;
        let mut y = fresh();
        let (mut r1, mut r2) = (Rng::seed_from_u64(key), Rng::seed_from_u64(key));
        let got = y.offer_ceasefire(&model, proposer, "p", &mut r1, &mut Quiet);
        if signs {
            x.build_ceasefire(&model);
            let want = x.table(&model, DealKind::Ceasefire, Some(proposer), "p", "talks", &mut r2, &mut Quiet);
            assert_eq!(got, want, "key {key}");
            assert_eq!(y.phase, x.phase);
        } else {
            assert!(!got, "key {key}: the proposer would not sign");
            assert_eq!(y.phase, Phase::War);
        }
        assert_eq!(rand::Rng::next_u64(&mut r1), rand::Rng::next_u64(&mut r2), "key {key}: the same draws");
        seen[usize::from(signs)] += 1;
    }
    assert!(seen[0] > 0 && seen[1] > 0, "proposers that would and would not sign: {seen:?}");
}

/// Accepting: a ceasefire freezes the line; a package moves it to its territory term, the area
/// by the change times the claim (within the country), and settles. Either records the terms,
/// the first ceasefire month (kept from an earlier one) and clears the count of failed rounds.
#[test]
fn accepting_a_deal_sets_the_line_the_phase_and_the_terms() {
    let model = baseline();
    let sl = &model.slots;
    let t = model.scenario.territory_issue;
    let ni = model.n_issues();
    for (kind, first) in [(DealKind::Ceasefire, None), (DealKind::Package, None), (DealKind::Package, Some(2))] {
        for territory in [0.3, 0.95, 1.0] {
            let mut x = Scratch::new(&model);
            x.reset(&model, Keys::new(1, 7));
            x.month = 9;
            x.no_progress = 4;
            x.first_ceasefire = first;
            x.line = 0.8;
            x.area = 0.8 * x.p[sl.claimed_km2];
            if first.is_some() {
                x.phase = Phase::Ceasefire;
            }
            let offer: Vec<f64> = (0..ni).map(|k| if k == t { territory } else { 0.1 * k as f64 }).collect();
            x.offer.copy_from_slice(&offer);
            let area = x.area;
            x.accept(&model, kind);
            assert_eq!(x.terms, offer);
            assert!(x.has_terms);
            assert_eq!(x.no_progress, 0);
            assert_eq!(x.first_ceasefire, Some(first.unwrap_or(9)));
            if kind == DealKind::Ceasefire {
                assert_eq!((x.phase, x.line, x.area, x.settlement_month), (Phase::Ceasefire, 0.8, area, None));
            } else {
                let want = (area + (territory - 0.8) * x.p[sl.claimed_km2]).clamp(0.0, x.p[sl.ukraine_km2]);
                assert!((x.area - want).abs() < 1e-6, "area {} vs {want}", x.area);
                assert_eq!((x.phase, x.line, x.settlement_month), (Phase::Settled, territory, Some(9)));
            }
        }
    }
}

/// The offers of a round, as (by, deal), and what was tabled with which terms.
#[derive(Default)]
struct Offers(Vec<(String, String)>, Vec<(String, Vec<f64>)>);

impl crate::model::Observer for Offers {
    fn wants_story(&self) -> bool {
        true
    }
    fn story(&mut self, _month: u32, entry: crate::model::Story) {
        if let crate::model::Story::Offer { by, deal, terms, tabled } = entry {
            self.0.push((by, deal));
            self.1.push((tabled, terms));
        }
    }
}

/// A round's bookkeeping (docs/model.md §5): at war, a round without a deal adds one to the
/// mediator's count of failed rounds; under `stepwise` the mediator moves to package talks once
/// the count reaches `switch_after`, and walks away (abandoning its client, with `abandon` = 1)
/// once it reaches `mediator_patience` (with `walkaway` = 1). What is offered follows the
/// protocol: ceasefires under `stepwise`, a package under `package` followed by a ceasefire with
/// chance `ceasefire_fallback`; with the mediator gone, the attacker or the defender proposes.
#[test]
fn a_round_counts_failures_switches_and_walks_away() {
    let sets = [
        "negotiation.protocol=\"stepwise\"",
        "negotiation.switch_after=2",
        "negotiation.mediator_patience=4",
        "negotiation.walkaway=1",
        "negotiation.abandon=1",
    ];
    let model = crate::model::testing::shipped("baseline.toml", &sets);
    let sl = &model.slots;
    let sc = &model.scenario;
    let mediator = sc.mediator.unwrap();
    let (mut switched, mut walked, mut proposers) = (0, 0, std::collections::BTreeSet::new());
    for key in 0..40u64 {
        let mut x = Scratch::new(&model);
        x.reset(&model, Keys::new(12, key));
        x.month = 3;
        let mut rng = Rng::seed_from_u64(key);
        for round in 0..8 {
            let (count, protocol, gone) = (x.no_progress, x.p[sl.settings.protocol], x.walked);
            let mut offers = Offers::default();
            x.hold_round(&model, &mut rng, &mut offers);
            for (by, deal) in &offers.0 {
                let want = if protocol == 1.0 { "ceasefire" } else { "package" };
                assert!(deal == want || (protocol == 0.0 && deal == "ceasefire"), "key {key}, round {round}: a {deal} under {protocol}");
                if gone {
                    assert_ne!(by, &sc.actors[mediator].id);
                    proposers.insert(by.clone());
                } else {
                    assert_eq!(by, &sc.actors[mediator].id);
                }
            }
            if x.phase != Phase::War {
                assert_eq!(x.no_progress, 0, "a deal clears the count");
                break;
            }
            let count_now = if gone { count } else { count + 1 };
            assert_eq!(x.no_progress, count_now, "key {key}, round {round}");
            let switch = protocol == 1.0 && !gone && count_now >= 2;
            assert_eq!(x.p[sl.settings.protocol], if switch { 0.0 } else { protocol }, "key {key}, round {round}");
            switched += usize::from(switch && protocol == 1.0);
            let walks = !gone && count_now >= 4;
            assert_eq!(x.walked, gone || walks, "key {key}, round {round}");
            if walks {
                assert!(x.abandoned, "the US is Kyiv's patron: it abandons it");
                walked += 1;
            }
        }
    }
    assert!(switched > 0 && walked > 0, "{switched} switches, {walked} walkouts");
    assert_eq!(proposers.len(), 2, "both sides propose once the mediator is gone: {proposers:?}");
    // Under `package` a failed package is followed by a ceasefire only with the fallback's chance.
    for (fallback, any) in [(0.0, false), (1.0, true)] {
        let model = crate::model::testing::shipped(
            "baseline.toml",
            &["negotiation.protocol=\"package\"", &format!("negotiation.ceasefire_fallback={fallback}")],
        );
        let mut seen = false;
        for key in 0..40u64 {
            let mut x = Scratch::new(&model);
            x.reset(&model, Keys::new(13, key));
            x.month = 3;
            let mut offers = Offers::default();
            x.hold_round(&model, &mut Rng::seed_from_u64(key), &mut offers);
            assert_eq!(offers.0.first().map(|o| o.1.as_str()), Some("package"), "key {key}");
            seen |= offers.0.iter().any(|o| o.1 == "ceasefire");
        }
        assert_eq!(seen, any, "fallback {fallback}");
    }
}

/// A scenario's proposals are tabled in their month (month 0's in month 1), in order until one
/// is accepted, at war or in a ceasefire (not a ceasefire proposal then), never once settled;
/// a ceasefire, or any deal during a ceasefire, on the line. Talks held at `talks_rate` (here 0
/// or 1), cut by `rate_after_walkaway` once the mediator walked; a walked mediator comes back
/// at `return_rate`.
#[test]
fn proposals_are_tabled_in_their_month() {
    let mut model = crate::model::testing::shipped("plan28_2025-12.toml", &["negotiation.talks_rate=0"]);
    model.scenario.proposals[1].kind = DealKind::Ceasefire;
    let sc = model.scenario.clone();
    let t = sc.territory_issue;
    let mut tabled = 0;
    for month in 1..=3u32 {
        for phase in [Phase::War, Phase::Ceasefire, Phase::Settled] {
            for key in 0..6u64 {
                let mut x = Scratch::new(&model);
                x.reset(&model, Keys::new(14, key));
                (x.month, x.phase, x.line) = (month, phase, 0.8);
                let mut offers = Offers::default();
                x.negotiate(&model, &mut Rng::seed_from_u64(key), &mut offers);
                let due: Vec<_> = sc
                    .proposals
                    .iter()
                    .filter(|p| p.month >= 0 && p.month.max(1) as u32 == month && matches!(phase, Phase::War | Phase::Ceasefire))
                    .filter(|p| !(p.kind == DealKind::Ceasefire && phase == Phase::Ceasefire))
                    .collect();
                let got: Vec<&str> = offers.1.iter().map(|o| o.0.as_str()).collect();
                let want: Vec<&str> = due.iter().map(|p| p.id.as_str()).collect();
                let dealt = x.phase != phase;
                assert!(got.len() == want.len() || (dealt && got.len() < want.len()), "month {month}, {phase:?}: {got:?} of {want:?}");
                assert_eq!(got, want[..got.len()], "month {month}, {phase:?}");
                for ((_, terms), p) in offers.1.iter().zip(&due) {
                    for (k, term) in terms.iter().enumerate() {
                        let pinned = k == t && (p.kind == DealKind::Ceasefire || phase == Phase::Ceasefire);
                        let want = if pinned { 0.8 } else { x.p[p.terms[k]] };
                        assert_eq!(*term, want, "{} in month {month}, {phase:?}, issue {k}", p.id);
                    }
                    tabled += 1;
                }
            }
        }
    }
    assert!(tabled > 10, "{tabled} proposals tabled");
    // Talks at rate 1, or 1 × 0 once the mediator walked (unless it comes back).
    for (walked, back, round) in [(false, 0.0, true), (true, 0.0, false), (true, 1.0, true)] {
        let sets = ["negotiation.talks_rate=1", "negotiation.rate_after_walkaway=0", &format!("negotiation.return_rate={back}")];
        let model = crate::model::testing::shipped("baseline.toml", &sets);
        let mut x = Scratch::new(&model);
        x.reset(&model, Keys::new(15, 1));
        (x.month, x.walked, x.abandoned, x.no_progress) = (5, walked, walked, 3);
        let mut offers = Offers::default();
        x.negotiate(&model, &mut Rng::seed_from_u64(3), &mut offers);
        assert_eq!(!offers.0.is_empty(), round, "walked {walked}, return rate {back}");
        if walked {
            assert_eq!((x.walked, x.abandoned), (back == 0.0, back == 0.0), "walked {walked}, return rate {back}");
        }
    }
}

/// `switch_after = 0` means a stepwise mediator never moves to package talks, and with
/// `abandon = 0` a mediator that walks away never abandons its client.
#[test]
fn no_switch_at_zero_and_no_abandonment_at_zero() {
    let sets = [
        "negotiation.protocol=\"stepwise\"",
        "negotiation.switch_after=0",
        "negotiation.mediator_patience=3",
        "negotiation.walkaway=1",
        "negotiation.abandon=0",
    ];
    let model = crate::model::testing::shipped("baseline.toml", &sets);
    let sl = &model.slots;
    let mut walked = 0;
    for key in 0..20u64 {
        let mut x = Scratch::new(&model);
        x.reset(&model, Keys::new(16, key));
        x.month = 3;
        let mut rng = Rng::seed_from_u64(key);
        for _ in 0..6 {
            x.hold_round(&model, &mut rng, &mut Quiet);
            if x.phase != Phase::War {
                break;
            }
            assert_eq!(x.p[sl.settings.protocol], 1.0, "key {key}: still stepwise after {} failed rounds", x.no_progress);
            assert!(!x.abandoned, "key {key}: abandon = 0");
            walked += usize::from(x.walked);
        }
    }
    assert!(walked > 0, "some mediators walked away");
}
