//! Unit tests of the negotiation's equations against the engine's own numbers.

use super::outlook::{geometric, weighted_month};
use crate::model::rollout::{Keys, Rng};
use crate::model::{Model, Scratch};
use rand::SeedableRng;

use crate::model::testing::baseline;

fn shipped(file: &str) -> Model {
    crate::model::testing::shipped(file, &[])
}

/// A ceasefire's ρ is docs/model.md §5's: the breakdown hazard the engine applies to it (base
/// × (1 + unresolved · open share) × (1 − guarantee effect · G)), with the reversal months of
/// the horizon spread over it, and the defender's doubt lowered by the guarantees.
#[test]
fn a_ceasefires_risk_is_the_engines_hazard_as_perceived() {
    let model = baseline();
    let mut x = Scratch::new(&model);
    x.reset(&model, Keys::new(2, 0));
    x.month = 10;
    x.forget_outlooks();
    let def = model.scenario.defender;
    let sl = &model.slots;
    x.build_ceasefire(&model);
    let war = x.outlook_of(&model, def);
    let rho = x.deal_risk(&model, def, crate::scenario::DealKind::Ceasefire, &x.offer.clone(), &war);
    let g = 1.0 - x.offer[model.guarantees_issue.unwrap()];
    let ge = x.p[sl.guarantee_effect];
    let h = x.p[sl.ceasefire_hazard] * (1.0 + x.p[sl.unresolved_effect] * x.open_share(&model)) * (1.0 - ge * g);
    let horizon = x.horizon_of(&model, def);
    let reversals = model.reversal_months_between(11, 10 + horizon as usize) as f64;
    let survive = (1.0 - h) * (1.0 - x.p[sl.reversal_hazard]).powf(reversals / horizon);
    let delta = x.p[sl.actors[def].patience];
    let held: f64 =
        (1..=horizon as i32).map(|t| (delta * survive).powi(t)).sum::<f64>() / (1..=horizon as i32).map(|t| delta.powi(t)).sum::<f64>();
    let doubt = x.p[sl.actors[def].commitment_doubt] * (1.0 - ge * g);
    let want = 1.0 - (1.0 - doubt) * held;
    assert!(reversals > 0.0, "the test month should see the 2026-11 reversal within the horizon");
    assert!((rho - want).abs() < 1e-9, "ρ = {rho}, by the equation {want}");
}

/// The decision hazards are docs/model.md §5's, a decisive battle included (0 < hazard < 1):
/// λ_A = (d_D + b·min(s_b, Ê_D))/Ê_D + h·w, λ_D = (d_A + k·min(s_k, Ê_A))/Ê_A + h·(1 − w).
#[test]
fn decision_hazards_follow_their_equation() {
    let model = baseline();
    let mut x = Scratch::new(&model);
    x.reset(&model, Keys::new(3, 0));
    x.forget_outlooks();
    let sl = &model.slots;
    let (att, def) = (model.scenario.attacker, model.scenario.defender);
    x.p[sl.decisive_hazard] = 0.1;
    for i in [att, def] {
        x.p[sl.actors[i].win_belief] = 0.3;
        let (lam_a, lam_d) = x.decision_hazards(&model, i);
        let (d_att, d_def) = x.war_drains(&model);
        let (bt, ct) = x.front_hazards(&model);
        let rival = 1.0 + x.p[sl.actors[i].rival_bias];
        let e_def = x.endurance[def] * if i == att { rival } else { 1.0 };
        let e_att = x.endurance[att] * if i == def { rival } else { 1.0 };
        let want_a = (d_def + bt * x.p[sl.breakthrough_shock].min(e_def)) / e_def + 0.1 * 0.3;
        let want_d = (d_att + ct * x.p[sl.counter_shock].min(e_att)) / e_att + 0.1 * 0.7;
        assert!((lam_a - want_a).abs() < 1e-12 && (lam_d - want_d).abs() < 1e-12, "actor {i}: ({lam_a}, {lam_d}) vs ({want_a}, {want_d})");
    }
}

/// The proposer's package (docs/model.md §5): the natural proposal is the compromise pulled
/// toward its ideal plus noise; from it toward its ideal it tables the candidate it values
/// most among those every signatory accepts, else the one nearest the natural proposal it
/// would sign itself. Checked against a search written out here, at several states.
#[test]
fn the_proposer_tables_the_best_candidate_that_passes() {
    use rand_distr::StandardNormal;
    let models = [baseline(), shipped("endgame.toml")];
    let mut seen = [0usize; 2];
    let mut own_refusals = 0;
    for seed in 0..40u64 {
        let model = &models[seed as usize % 2];
        let sl = &model.slots;
        // The mediator, or a belligerent (which refuses some of its own candidates).
        let sc = &model.scenario;
        let us = [sc.mediator.unwrap(), sc.attacker, sc.defender][seed as usize / 2 % 3];
        let mut x = Scratch::new(model);
        x.reset(model, Keys::new(seed, 0));
        x.month = 1 + seed as u32 % 20;
        x.line = 0.8 + 0.004 * seed as f64;
        x.forget_outlooks();
        let mut rng = Rng::seed_from_u64(100 + seed);
        let mut copy = Rng::seed_from_u64(100 + seed);
        x.compute_compromise(model);
        let pull = x.p[sl.proposer_pull];
        let noise = x.p[sl.proposal_noise];
        let natural: Vec<f64> = (0..model.n_issues())
            .map(|k| {
                let z: f64 = rand::RngExt::sample(&mut copy, StandardNormal);
                ((1.0 - pull) * x.compromise[k] + pull * x.p[sl.actors[us].ideal + k] + noise * z).clamp(0.0, 1.0)
            })
            .collect();
        let tabled = x.build_offer(model, us, false, &mut rng);
        let offer = x.offer.clone();
        assert_eq!(x.compromise, natural, "the natural proposal at seed {seed}");
        let (mut best, mut nearest) = (None, None);
        for step in (0..=super::CANDIDATES).rev() {
            let t = step as f64 / super::CANDIDATES as f64;
            x.place_candidate(model, us, t, false);
            if x.stance(model, us, crate::scenario::DealKind::Package) < 0.0 {
                own_refusals += 1;
                continue;
            }
            nearest = Some(t);
            let all = model.scenario.signatories.iter().all(|&j| x.stance(model, j, crate::scenario::DealKind::Package) >= 0.0);
            if all && best.is_none() {
                best = Some(t);
            }
        }
        let want = best.or(nearest);
        assert_eq!(tabled, want.is_some(), "seed {seed}");
        if let Some(t) = want {
            x.place_candidate(model, us, t, false);
            assert_eq!(offer, x.offer, "seed {seed}: expected the candidate at t = {t}");
            seen[best.is_some() as usize] += 1;
        }
    }
    assert!(seen[0] > 0 && seen[1] > 0, "the states should include both a passing and a failing search: {seen:?}");
    assert!(own_refusals > 0, "some candidates its proposer would not sign");
}

/// Demands move by docs/model.md §5's equation: d ← d + rate·[S·(g − d) − K·(d − c)], with
/// S = max(0, side·m/gain_sd), K = cost_weight·12·drain/max(E, 0.05), c the compromise.
#[test]
fn demands_move_by_their_equation() {
    let model = baseline();
    let mut x = Scratch::new(&model);
    x.reset(&model, Keys::new(1, 0));
    let (att, def) = (model.scenario.attacker, model.scenario.defender);
    let ni = model.n_issues();
    // A state where both arms act: Russia sees success, Ukraine sees Russia losing ground.
    x.belief[att] = 400.0;
    x.belief[def] = -100.0;
    for (i, (d, e)) in [(0.03, 1.2), (0.02, 0.5), (0.01, 0.9), (0.005, 0.02)].into_iter().enumerate() {
        x.drain_now[i] = d;
        x.endurance[i] = e;
    }
    for (j, v) in x.demands.iter_mut().enumerate() {
        *v = 0.1 + 0.8 * ((j * 7) % 11) as f64 / 10.0;
    }
    let before = x.demands.clone();
    x.compute_compromise(&model);
    let c = x.compromise.clone();
    x.move_demands(&model);
    let sd = x.p[model.slots.gain_sd];
    for (i, a) in model.slots.actors.iter().enumerate() {
        let side = model.side[i];
        let rate = x.p[a.demand_rate];
        let s = (side * x.belief[i] / sd).max(0.0);
        let k = x.p[a.cost_weight] * 12.0 * x.drain_now[i] / x.endurance[i].max(0.05);
        for q in 0..ni {
            let d = before[i * ni + q];
            let goal = if side > 0.0 { 1.0 } else { 0.0 };
            let want = if rate == 0.0 { d } else { (d + rate * (s * (goal - d) - k * (d - c[q]))).clamp(0.0, 1.0) };
            assert!((x.demands[i * ni + q] - want).abs() < 1e-12, "actor {i} issue {q}: {} vs {want}", x.demands[i * ni + q]);
        }
    }
    assert!(x.demands != before, "no demand moved");
}

/// An actor on neither side perceives no success whatever it believes (S = 0), so its demands
/// never rise: with no costs biting they stay put, with costs they move toward the compromise.
#[test]
fn an_actor_on_neither_side_only_concedes() {
    let mut model = baseline();
    let us = model.scenario.actor_index("us").unwrap();
    model.side[us] = 0.0;
    let ni = model.n_issues();
    let mut x = Scratch::new(&model);
    x.reset(&model, Keys::new(3, 0));
    x.p[model.slots.actors[us].demand_rate] = 0.03;
    for belief in [-500.0, 500.0] {
        x.belief[us] = belief;
        x.drain_now[us] = 0.0;
        let before = x.demands[us * ni..(us + 1) * ni].to_vec();
        x.move_demands(&model);
        assert_eq!(&x.demands[us * ni..(us + 1) * ni], &before[..], "belief {belief}, no costs");
        x.drain_now[us] = 0.05;
        x.compute_compromise(&model);
        let c = x.compromise[..ni].to_vec();
        x.move_demands(&model);
        for q in 0..ni {
            let (b, d) = (before[q], x.demands[us * ni + q]);
            assert!((d - c[q]).abs() <= (b - c[q]).abs() + 1e-15, "belief {belief}, issue {q}: {b} → {d}, compromise {}", c[q]);
        }
        assert!(x.demands[us * ni..(us + 1) * ni] != before[..], "belief {belief}: the costs moved nothing");
    }
}

/// The closed forms equal the sums they stand for, at δ = 1 (the special branch) too.
#[test]
fn the_closed_forms_equal_their_sums() {
    for a in [0.3, 0.9, 0.97, 1.0] {
        for h in [1, 2, 12, 33] {
            let sum: f64 = (1..=h).map(|t| f64::powi(a, t)).sum();
            let weighted: f64 = (1..=h).map(|t| t as f64 * f64::powi(a, t)).sum();
            let a_h = f64::powi(a, h);
            let (g, w) = (geometric(a, h as f64, a_h), weighted_month(a, h as f64, a_h));
            assert!((g - sum).abs() <= 1e-9 * sum, "Σ a^τ at a = {a}, h = {h}: {g} vs {sum}");
            assert!((w - weighted).abs() <= 1e-9 * weighted, "Σ τ a^τ at a = {a}, h = {h}: {w} vs {weighted}");
        }
    }
}

/// The acceptance test's state `key` and the deal on the table: every actor presses and follows
/// through (Europe's alignment link must not push); every fifth state has the mediator gone (no
/// blame); some have a patron that gives no aid (it cannot pause it), an actor that does not
/// press, a link of no weight; ceasefires on the line and, every other state, packages between
/// the sides' ideals, some of them exactly what Europe wants (its alignment link then pulls).
fn acceptance_state(model: &Model, key: u64) -> (Scratch, crate::scenario::DealKind) {
    let sc = &model.scenario;
    let sl = &model.slots;
    let us = sc.actor_index("us").unwrap();
    let mut x = Scratch::new(model);
    x.reset(model, Keys::new(7, key));
    x.month = 1 + (key % 30) as u32;
    x.forget_outlooks();
    // Every actor presses and follows through (Europe's alignment link must not push), and
    // every fifth state has the mediator gone (no blame).
    for (i, a) in sl.actors.iter().enumerate() {
        x.p[a.pressure] = 0.1 + 0.1 * i as f64;
        x.p[a.followthrough] = 0.6;
    }
    x.p[sl.actors[us].pressure] = 0.3;
    x.p[sl.blame] = 0.5;
    x.walked = key % 5 == 4;
    // Some states with a patron that gives no aid (it cannot pause it), with an actor that
    // does not press, with a link of no weight.
    if key % 7 == 0 {
        x.aid_now[us] = 0.0;
    }
    if key % 6 == 1 {
        x.p[sl.actors[(key / 6) as usize % model.n_actors()].pressure] = 0.0;
    }
    if key % 8 == 3 {
        x.p[sc.links[(key / 8) as usize % sc.links.len()].weight] = 0.0;
    }
    // Ceasefires on the line and, every other state, packages between the sides' ideals.
    x.build_ceasefire(model);
    let mut kind = crate::scenario::DealKind::Ceasefire;
    if key % 2 == 1 {
        let t = (key % 9) as f64 / 8.0;
        let (ia, id) = (sl.actors[sc.attacker].ideal, sl.actors[sc.defender].ideal);
        for k in 0..model.n_issues() {
            x.offer[k] = (1.0 - t) * x.p[id + k] + t * x.p[ia + k];
        }
        kind = crate::scenario::DealKind::Package;
        if key % 4 == 3 {
            // Europe wants exactly this package (its alignment link to Kyiv then pulls).
            let europe = sc.actor_index("europe").unwrap();
            for k in 0..model.n_issues() {
                x.p[sl.actors[europe].ideal + k] = x.offer[k];
            }
        }
    }
    (x, kind)
}

/// The acceptance rule of docs/model.md §5 on real states, recomputed here link by link:
/// alignment adds weight × the source's margin; a link from an actor that wants the deal to one
/// that refuses pushes weight × pressure × lever (its aid for aid links, else 1), (1 + blame)
/// times harder from the mediator on the blamed signatory (the one furthest from accepting);
/// the deal passes iff every signatory's margin + pressure + volatility · z ≥ 0, the z drawn
/// in signatory order, and a proposer signs what it tabled.
#[test]
fn the_acceptance_rule_adds_pressure_alignment_and_blame_by_its_equation() {
    use crate::model::Quiet;
    use crate::scenario::LinkKind;
    use rand::RngExt as _;
    use rand_distr::StandardNormal;
    let model = baseline();
    let sc = &model.scenario;
    let sl = &model.slots;
    let (mut pushed, mut aligned, mut threats) = (0, 0, [0, 0]);
    let mut passed = [0, 0];
    for key in 0..400u64 {
        let (mut x, kind) = acceptance_state(&model, key);
        let margin: Vec<f64> = (0..model.n_actors()).map(|i| x.stance(&model, i, kind)).collect();
        let mediator = sc.mediator.filter(|_| !x.walked);
        let blamed = sc.signatories.iter().copied().filter(|&i| Some(i) != mediator).min_by(|&a, &b| margin[a].total_cmp(&margin[b]));
        let mut want = vec![0.0; model.n_actors()];
        for l in &sc.links {
            let w = x.p[l.weight];
            if l.kind == LinkKind::Alignment {
                want[l.to] += w * margin[l.from];
                aligned += usize::from(margin[l.from] >= 0.0 && margin[l.to] < 0.0);
            } else if margin[l.from] >= 0.0 && margin[l.to] < 0.0 {
                let lever = if matches!(l.kind, LinkKind::Aid | LinkKind::Intelligence) { x.aid_now[l.from] } else { 1.0 };
                let blame = if Some(l.from) == mediator && Some(l.to) == blamed { 1.0 + x.p[sl.blame] } else { 1.0 };
                let amount = w * x.p[sl.actors[l.from].pressure] * lever * blame;
                if amount > 0.0 {
                    want[l.to] += amount;
                    pushed += 1;
                }
            }
        }
        let proposer = if key % 3 == 0 { Some(sc.defender) } else { None };
        let seed = 1000 + key;
        let mut zs = Rng::seed_from_u64(seed);
        let z: Vec<f64> = sc.signatories.iter().map(|_| zs.sample(StandardNormal)).collect();
        let passes = sc
            .signatories
            .iter()
            .zip(&z)
            .all(|(&i, z)| Some(i) == proposer || margin[i] + want[i] + x.p[sl.actors[i].volatility] * z >= 0.0);
        // A refused deal: the threats against the blamed signatory (if it refuses), link by
        // link, each carried out with its author's follow-through (one draw per threat that
        // can be made): an aid pause of `cut_months` from next month, or a sanctions step.
        let (mut cut, mut sanctions) = (x.cut_until.clone(), sl.actors.iter().map(|a| x.p[a.sanctions]).collect::<Vec<_>>());
        if let Some(b) = blamed.filter(|&b| !passes && margin[b] < 0.0) {
            for l in &sc.links {
                let (from, w, p) = (l.from, x.p[l.weight], x.p[sl.actors[l.from].pressure]);
                let pause = matches!(l.kind, LinkKind::Aid | LinkKind::Intelligence) && x.aid_now[from] > 0.0;
                if l.to != b || margin[from] < 0.0 || w <= 0.0 || p <= 0.0 || !(pause || l.kind == LinkKind::Sanctions) {
                    continue;
                }
                if zs.random::<f64>() >= x.p[sl.actors[from].followthrough] {
                    continue;
                }
                threats[usize::from(pause)] += 1;
                if pause {
                    cut[from] = x.month + 1 + x.p[sl.cut_months] as u32;
                } else {
                    sanctions[from] = (sanctions[from] + x.p[sl.sanction_step]).min(1.0);
                }
            }
        }
        let mut rng = Rng::seed_from_u64(seed);
        let got = x.table(&model, kind, proposer, "test", "test", &mut rng, &mut Quiet);
        for i in 0..model.n_actors() {
            assert!((x.pressure[i] - want[i]).abs() < 1e-12, "key {key}, actor {i}: pressure {} vs {}", x.pressure[i], want[i]);
        }
        assert_eq!(got, passes, "key {key}: the deal's fate");
        assert_eq!(x.cut_until, cut, "key {key}: aid pauses");
        let now: Vec<f64> = sl.actors.iter().map(|a| x.p[a.sanctions]).collect();
        assert_eq!(now, sanctions, "key {key}: sanctions");
        if got {
            let phase = if key % 2 == 1 { crate::model::rollout::Phase::Settled } else { crate::model::rollout::Phase::Ceasefire };
            assert_eq!((x.phase, x.has_terms, x.first_ceasefire), (phase, true, Some(x.month)));
            assert_eq!(x.terms, x.offer, "key {key}: the terms are the offer");
        }
        passed[got as usize] += 1;
    }
    assert!(pushed > 20, "too few states with a pressure link at work ({pushed}) to test the rule");
    assert!(threats[0] > 5 && threats[1] > 5, "too few sanctions steps and aid pauses carried out ({threats:?})");
    assert!(aligned > 5, "too few states where an alignment link's source accepts and its target refuses ({aligned})");
    assert!(passed[0] > 20 && passed[1] > 20, "both fates should occur: {passed:?}");
}

/// An actor's value of fighting on (docs/model.md §5) summed month by month over its horizon,
/// without the closed forms: with S_τ = (1 − q)^τ the chance the war is undecided in month τ,
/// V = Σ δ^τ [S_τ u(line ahead) + (1 − S_τ)(share_A u(all ones) + (1 − share_A) u(all zeros))]
///   − cost · Σ δ^τ S_{τ−1},
/// the line ahead projected at the belief over the survival-weighted mean month, and the
/// outlook's value per month V / Σ δ^τ. Checked for every actor of the baseline at states with
/// a moving belief, costs that bite and a decisive-battle hazard.
#[test]
fn the_value_of_fighting_on_is_its_sum_over_the_horizon() {
    let model = baseline();
    let sl = &model.slots;
    for key in 0..6u64 {
        let mut x = Scratch::new(&model);
        x.reset(&model, Keys::new(5, key));
        x.month = 3 + key as u32 * 5;
        x.p[sl.decisive_hazard] = 0.02 * key as f64;
        x.line = 0.2 + 0.1 * key as f64;
        for i in 0..model.n_actors() {
            x.belief[i] = 150.0 * (i as f64 - 1.5) * (1.0 + key as f64);
            x.endurance[i] *= 0.9 - 0.1 * key as f64;
            x.drain_now[i] = 0.004 * (1 + i) as f64;
        }
        x.forget_outlooks();
        for i in 0..model.n_actors() {
            check_war_outlook(&model, &mut x, i, &format!("key {key}"));
        }
    }
    // In a reversal month itself, and the month before one: the first does not count it, the
    // second does.
    let reversal = model.is_reversal_month.iter().position(|&r| r).expect("the baseline has a reversal month") as u32;
    for month in [reversal, reversal - 1] {
        let mut x = Scratch::new(&model);
        x.reset(&model, Keys::new(5, 9));
        x.month = month;
        x.forget_outlooks();
        for i in 0..model.n_actors() {
            check_war_outlook(&model, &mut x, i, &format!("month {month}"));
        }
    }
}

/// Actor `i`'s outlook against its sum over the horizon (the test above), from the state as it
/// is: any risk attitude, saliences that need not sum to 1, a war cost, a patron's drain from
/// its aid when it paid nothing yet this month, and hazards from nothing (q = 0) to certain
/// (q = 1).
pub(super) fn check_war_outlook(model: &Model, x: &mut Scratch, i: usize, label: &str) {
    let (sl, sc) = (&model.slots, &model.scenario);
    let ni = model.n_issues();
    let a = &sl.actors[i];
    let out = x.war_outlook(model, i);
    let (lam_a, lam_d) = x.decision_hazards(model, i);
    let q = (lam_a + lam_d).min(1.0);
    let delta = x.p[a.patience];
    let h = x.horizon_of(model, i) as i32;
    let alive = |t: i32| (1.0 - q).powi(t);
    let w: f64 = (1..=h).map(|t| delta.powi(t)).sum();
    let g: f64 = (1..=h).map(|t| delta.powi(t) * alive(t)).sum();
    // With q = 1 the war is decided in the first month, and the line ahead weighs nothing.
    let ahead = if g > 0.0 {
        let tau = (1..=h).map(|t| t as f64 * delta.powi(t) * alive(t)).sum::<f64>() / g;
        (x.line + x.belief[i] * tau / x.p[sl.claimed_km2]).clamp(0.0, 1.0)
    } else {
        x.line
    };
    let terms =
        |territory: f64| -> Vec<f64> { (0..ni).map(|k| if k == sc.territory_issue { territory } else { x.p[sl.status_quo[k]] }).collect() };
    let (u_ahead, u_sq) = (x.utility(model, i, &terms(ahead)), x.utility(model, i, &terms(x.line)));
    let (u_att, u_def) = (x.utility(model, i, &vec![1.0; ni]), x.utility(model, i, &vec![0.0; ni]));
    let share_a = if q > 0.0 { lam_a / q } else { 0.5 };
    let drain = if i == sc.attacker || i == sc.defender {
        let (d_att, d_def) = x.war_drains(model);
        if i == sc.attacker { d_att } else { d_def }
    } else if x.drain_now[i] > 0.0 {
        x.drain_now[i]
    } else {
        x.p[a.drain] * x.aid_now[i]
    };
    let cost = x.p[a.cost_weight] * drain / x.endurance[i].max(0.05) + x.p[a.war_cost];
    let value: f64 = (1..=h)
        .map(|t| {
            let d = delta.powi(t);
            d * (alive(t) * u_ahead + (1.0 - alive(t)) * (share_a * u_att + (1.0 - share_a) * u_def)) - cost * d * alive(t - 1)
        })
        .sum();
    let tol = 1e-9 * value.abs().max(1.0);
    assert!((out.per_month - value / w).abs() < tol, "{label}, actor {i}: {} vs {}", out.per_month, value / w);
    assert!((out.status_quo - u_sq).abs() < 1e-12, "{label}, actor {i}: the status quo's utility");
    assert!((out.w - w).abs() < 1e-9 * w && out.q == q && out.horizon == h as f64, "{label}, actor {i}");
    assert!(out.alternative == out.per_month, "at war the alternative to a deal is fighting on");
    // The reversal months a deal made now would face: those after this month (a deal made this
    // month is first checked for breakdown next month), to the horizon or the scenario's end.
    let end = (x.month as i32 + h).min(model.horizon() as i32);
    let k = (x.month as i32 + 1..=end).filter(|&m| model.is_reversal_month[m as usize]).count();
    let survive = if k == 0 { 1.0 } else { (1.0 - x.p[sl.reversal_hazard]).powf(k as f64 / h as f64) };
    assert!((out.reversal_survive - survive).abs() < 1e-12, "{label}, actor {i}: {k} reversal months ahead");
}

/// A package's value (docs/model.md §5): (1 − ρ) u(x) + ρ (v_war + min(0, u(x) − u(status quo))),
/// with ρ the share of its value lost to its failing: the settlement hazard lowered by the
/// guarantees, the reversal months spread over the horizon, the actor's commitment doubt (the
/// defender's side's lowered by the guarantees). During a ceasefire the alternative to a package
/// is the ceasefire in force, valued the same way on its terms.
#[test]
fn a_packages_value_weighs_what_it_risks() {
    use crate::scenario::DealKind;
    let model = baseline();
    let sl = &model.slots;
    let sc = &model.scenario;
    let ni = model.n_issues();
    let gi = model.guarantees_issue.unwrap();
    let mut x = Scratch::new(&model);
    x.reset(&model, Keys::new(8, 1));
    x.month = 12;
    x.p[sl.guarantee_effect] = 0.4;
    let rho_of = |x: &mut Scratch, i: usize, kind: DealKind, terms: &[f64]| {
        let a = &sl.actors[i];
        let war = x.outlook_of(&model, i);
        let guar = 1.0 - terms[gi];
        let ge = x.p[sl.guarantee_effect];
        let h = match kind {
            DealKind::Package => x.p[sl.settlement_hazard] * (1.0 - ge * guar),
            DealKind::Ceasefire => x.p[sl.ceasefire_hazard] * (1.0 + x.p[sl.unresolved_effect] * x.open_share(&model)) * (1.0 - ge * guar),
        };
        let horizon = x.horizon_of(&model, i);
        let end = (x.month as usize + horizon as usize).min(model.horizon() as usize);
        let reversals = model.reversal_months_between(x.month as usize + 1, end) as f64;
        let survive = (1.0 - h) * (1.0 - x.p[sl.reversal_hazard]).powf(reversals / horizon);
        let delta = x.p[a.patience];
        let held: f64 =
            (1..=horizon as i32).map(|t| (delta * survive).powi(t)).sum::<f64>() / (1..=horizon as i32).map(|t| delta.powi(t)).sum::<f64>();
        let assured = if model.side[i] > 0.0 { 0.0 } else { ge * guar };
        let doubt = x.p[a.commitment_doubt] * (1.0 - assured);
        (1.0 - (1.0 - doubt) * held, war)
    };
    let offer: Vec<f64> = (0..ni).map(|k| 0.15 + 0.12 * k as f64).collect();
    x.forget_outlooks();
    x.offer.copy_from_slice(&offer);
    for i in 0..model.n_actors() {
        let (rho, war) = rho_of(&mut x, i, DealKind::Package, &offer);
        assert!(rho > 0.0 && rho < 1.0, "actor {i}: ρ = {rho}");
        let u = x.utility(&model, i, &offer);
        let want = (1.0 - rho) * u + rho * (war.per_month + (u - war.status_quo).min(0.0));
        let (deal, alternative) = x.deal_and_alternative(&model, i, DealKind::Package);
        assert!((deal - want).abs() < 1e-9, "actor {i}: deal {deal} vs {want}");
        assert_eq!(alternative, war.per_month);
        assert!((x.stance(&model, i, DealKind::Package) - (want - war.per_month)).abs() < 1e-9);
    }
    let russia = sc.attacker;
    let (rho_r, _) = rho_of(&mut x, russia, DealKind::Package, &offer);
    x.p[sl.guarantee_effect] = 0.0;
    x.forget_outlooks();
    let (rho_r0, _) = rho_of(&mut x, russia, DealKind::Package, &offer);
    assert!(rho_r < rho_r0, "guarantees lower the settlement hazard for every side");

    // A ceasefire in force with terms: the alternative to a package is its value.
    x.p[sl.guarantee_effect] = 0.4;
    x.phase = crate::model::rollout::Phase::Ceasefire;
    let terms: Vec<f64> = (0..ni).map(|k| 0.7 - 0.1 * k as f64).collect();
    x.terms.copy_from_slice(&terms);
    x.has_terms = true;
    x.forget_outlooks();
    for i in 0..model.n_actors() {
        let (rho, war) = rho_of(&mut x, i, DealKind::Ceasefire, &terms);
        let u = x.utility(&model, i, &terms);
        let want = (1.0 - rho) * u + rho * (war.per_month + (u - war.status_quo).min(0.0));
        let (_, alternative) = x.deal_and_alternative(&model, i, DealKind::Package);
        assert!((alternative - want).abs() < 1e-9, "actor {i}: the ceasefire's value {alternative} vs {want}");
    }
}
