use super::{Keys, PARAMS, Phase, Scratch, TALKS, WORLD};
use crate::model::{Model, Outcome};
use rand::RngExt;

use crate::model::testing::shipped;

/// Month 0 is set from the parameters as docs/model.md says: the area held at the start
/// (at most the country), the line as the share of the claim, each actor's endurance, demands
/// at its ideal, belief at the expected gain plus its bias in gain sds, prior weight; and in
/// forts the front at its starting position, kept off the ends.
#[test]
fn a_rollout_starts_from_its_parameters() {
    let m = shipped("baseline.toml", &["actors.ukraine.bias=-0.7", "actors.us.prior_weight=11"]);
    let sl = &m.slots;
    let mut x = Scratch::new(&m);
    x.area = 1.0;
    x.month = 9;
    x.phase = Phase::Settled;
    x.cost.fill(3.0);
    x.reset(&m, Keys::new(4, 2));
    let p = x.p.clone();
    assert_eq!((x.month, x.phase), (0, Phase::War));
    assert_eq!(x.area, p[sl.start_km2].min(p[sl.ukraine_km2]));
    assert_eq!(x.line, (x.area / p[sl.claimed_km2]).min(1.0));
    // The balance and expected gain of the opening state (their equations are the policies'
    // test's): aid as given before any fatigue.
    assert_eq!(x.balance, x.strength_balance(&m));
    assert!(x.aid_now.iter().any(|&a| a > 0.0), "the patrons give aid from the start");
    let drift0 = x.expected_gain(&m);
    let ni = m.n_issues();
    for (i, a) in sl.actors.iter().enumerate() {
        assert_eq!(x.endurance[i], p[a.endurance]);
        assert_eq!(x.cost[i], 0.0);
        assert_eq!(x.belief[i], drift0 + p[a.bias] * p[sl.gain_sd], "actor {i}");
        assert_eq!(x.belief_weight[i], p[a.prior_weight]);
        assert_eq!(&x.demands[i * ni..(i + 1) * ni], &p[a.ideal..a.ideal + ni]);
    }
    let ukraine = m.scenario.actors.iter().position(|a| a.id == "ukraine").unwrap();
    assert!(x.belief[ukraine] < drift0, "a negative bias sees Russia gaining slower");
    // forts: the front at round(forts_start), at least 1 and at most N − 1, its area the
    // matching share of the claim.
    for (start, pos) in [("3", 3), ("1.4", 1), ("10", 9), ("9.6", 9), ("6.6", 7)] {
        let f = shipped("validation/forts.toml", &[&format!("battlefield.forts_start={start}")]);
        let mut y = Scratch::new(&f);
        y.reset(&f, Keys::new(1, 1));
        assert_eq!(y.forts_pos, pos, "start {start}");
        let claimed = y.p[f.slots.claimed_km2];
        assert_eq!(y.area, pos as f64 / 10.0 * claimed);
        assert_eq!(y.line, (y.area / claimed).min(1.0));
    }
}

/// The record of a rollout: the terms in force (a deal's, or a decided war's: every issue at
/// the winner's end), and each actor's utility of the terms it ended on — the deal's, or with
/// none the status quo on the line.
#[test]
fn a_record_carries_the_terms_it_ended_on() {
    let m = shipped("baseline.toml", &[]);
    let ni = m.n_issues();
    let mut x = Scratch::new(&m);
    x.reset(&m, Keys::new(2, 8));
    x.line = 0.31;
    let war_terms: Vec<f64> = (0..ni).map(|k| if k == m.scenario.territory_issue { 0.31 } else { x.p[m.slots.status_quo[k]] }).collect();
    let utilities = |x: &Scratch, t: &[f64]| (0..m.n_actors()).map(|i| x.utility(&m, i, t)).collect::<Vec<_>>();
    let r = x.record(&m, 7, Outcome::FightAndTalk, vec![]);
    assert_eq!((r.index, r.terms.clone()), (7, None));
    assert_eq!(r.utility, utilities(&x, &war_terms));
    assert_eq!(r.final_line, 0.31);
    assert_eq!(x.record(&m, 7, Outcome::UkraineCollapse, vec![]).terms, Some(vec![1.0; ni]));
    assert_eq!(x.record(&m, 7, Outcome::RussiaExhaustion, vec![]).utility, utilities(&x, &vec![0.0; ni]));
    // A ceasefire without agreed terms (none recorded) reports none; with terms, those.
    assert_eq!(x.record(&m, 7, Outcome::Ceasefire, vec![]).terms, None);
    let deal: Vec<f64> = (0..ni).map(|k| 0.1 + 0.13 * k as f64).collect();
    x.terms.copy_from_slice(&deal);
    x.has_terms = true;
    let r = x.record(&m, 7, Outcome::Settlement, vec![0.5]);
    assert_eq!((r.terms.as_deref(), r.drawn.as_slice()), (Some(deal.as_slice()), &[0.5][..]));
    assert_eq!(r.utility, utilities(&x, &deal));
}

/// u_i(x) = −Σ_k s_ik |x_k − ideal_ik|^r_i / Σ_k s_ik (docs/model.md §1), linear and not.
#[test]
fn utility_is_the_salience_weighted_loss() {
    let m = shipped("baseline.toml", &[]);
    let ni = m.n_issues();
    let mut x = Scratch::new(&m);
    x.reset(&m, Keys::new(1, 1));
    let offer: Vec<f64> = (0..ni).map(|k| (0.9 - 0.17 * k as f64).abs()).collect();
    for r in [1.0, 2.0, 0.5] {
        for (i, a) in m.slots.actors.iter().enumerate() {
            x.p[a.risk] = r;
            let (mut loss, mut weight) = (0.0, 0.0);
            for (k, o) in offer.iter().enumerate() {
                let s = x.p[a.salience + k];
                loss += s * (o - x.p[a.ideal + k]).abs().powf(r);
                weight += s;
            }
            let want = -loss / weight;
            assert!((x.utility(&m, i, &offer) - want).abs() < 1e-12, "actor {i}, r = {r}");
        }
    }
    // The saliences are weights: scaling an actor's leaves its utility as it was, and with none
    // at all the actor cares about nothing (0, not 0/0).
    let a = &m.slots.actors[0];
    let before = x.utility(&m, 0, &offer);
    assert!(before < 0.0);
    for k in 0..ni {
        x.p[a.salience + k] *= 2.5;
    }
    assert!((x.utility(&m, 0, &offer) - before).abs() < 1e-12, "saliences scaled by 2.5");
    x.p[a.salience..a.salience + ni].fill(0.0);
    assert_eq!(x.utility(&m, 0, &offer), 0.0);
}

fn first(keys: Keys, purpose: usize, region: u64) -> u64 {
    keys.stream(purpose, region).random::<u64>()
}

/// A region's generator depends on its key alone, and every part of the key changes it.
#[test]
fn a_regions_numbers_are_a_function_of_its_key() {
    let k = Keys::new(7, 3);
    assert_eq!(first(k, WORLD, 5), first(Keys::new(7, 3), WORLD, 5));
    let base = first(k, WORLD, 5);
    for other in
        [first(k, TALKS, 5), first(k, PARAMS, 5), first(k, WORLD, 6), first(Keys::new(8, 3), WORLD, 5), first(Keys::new(7, 4), WORLD, 5)]
    {
        assert_ne!(base, other);
    }
}

/// Neighbouring keys give unrelated numbers: over 20,000 (rollout, month) pairs the uniforms
/// of the world and the talks of the same month, of month m and m + 1, and of rollout i and
/// i + 1 are uncorrelated (|r| < 4/√N) and each has mean ½ within 4 sd/√N.
#[test]
fn neighbouring_keys_give_uncorrelated_uniforms() {
    let n = 20_000usize;
    let u = |keys: Keys, p: usize, m: u64| keys.stream(p, m).random::<f64>();
    let corr = |x: &[f64], y: &[f64]| {
        let (mx, my) = (x.iter().sum::<f64>() / n as f64, y.iter().sum::<f64>() / n as f64);
        let sxy: f64 = x.iter().zip(y).map(|(a, b)| (a - mx) * (b - my)).sum();
        let sxx: f64 = x.iter().map(|a| (a - mx).powi(2)).sum();
        let syy: f64 = y.iter().map(|b| (b - my).powi(2)).sum();
        sxy / (sxx * syy).sqrt()
    };
    let (mut w, mut t, mut next_month, mut next_rollout) = (vec![], vec![], vec![], vec![]);
    for j in 0..n as u64 {
        let (i, m) = (j / 40, j % 40);
        w.push(u(Keys::new(1, i), WORLD, m));
        t.push(u(Keys::new(1, i), TALKS, m));
        next_month.push(u(Keys::new(1, i), WORLD, m + 1));
        next_rollout.push(u(Keys::new(1, i + 1), WORLD, m));
    }
    let bound = 4.0 / (n as f64).sqrt();
    for (name, y) in [("talks", &t), ("next month", &next_month), ("next rollout", &next_rollout)] {
        let r = corr(&w, y);
        assert!(r.abs() < bound, "world vs {name}: r = {r:.4} (bound {bound:.4})");
    }
    let mean = w.iter().sum::<f64>() / n as f64;
    assert!((mean - 0.5).abs() < 4.0 * (1.0f64 / 12.0).sqrt() / (n as f64).sqrt(), "mean {mean}");
}

/// The hashes behind the keys are the published ones: SplitMix64's output function (the first
/// three outputs of a generator seeded with 0) and FNV-1a, 64 bits (its reference vectors).
#[test]
fn the_keys_hashes_are_splitmix64_and_fnv1a() {
    let golden = 0x9E37_79B9_7F4A_7C15u64;
    assert_eq!(super::mix(0), 0xE220_A839_7B1D_CDAF);
    assert_eq!(super::mix(golden), 0x6E78_9E6A_A1B9_65F4);
    assert_eq!(super::mix(golden.wrapping_mul(2)), 0x06C4_5D18_8009_454F);
    for (text, hash) in [("", 0xcbf2_9ce4_8422_2325u64), ("a", 0xaf63_dc4c_8601_ec8c), ("foobar", 0x8594_4171_f739_67e8)] {
        assert_eq!(super::param_region(text), hash, "FNV-1a of {text:?}");
    }
}

/// A region's generator is seeded as `Keys::stream` documents, so that every stream (and with
/// it every output) changes only on purpose: the first three numbers of xoshiro256++ (the
/// third is the first to read the third word) from the four words, computed for these keys
/// by an independent script (Python) from the description.
#[test]
fn a_regions_generator_is_seeded_as_documented() {
    let cases = [
        ((7, 3), PARAMS, 5, 0x2918_f0c7_c502_a701u64, 0xda1e_9711_d1f6_db9cu64, 0xb8c1_08ef_c538_64e9),
        ((7, 3), WORLD, 5, 0xf4ae_7522_deef_35ef, 0x3418_6f3c_5c2f_7e41, 0xb90d_0476_81de_cbdd),
        ((7, 3), TALKS, 5, 0xe6cf_6cde_8b20_6585, 0x810d_5b5f_b2ba_0d18, 0x6509_931b_a3be_c181),
        ((7, 3), WORLD, 6, 0x8c08_d745_c7dc_1558, 0xdaf7_29ed_0ad3_3597, 0x9d58_bf1a_1971_d7bb),
        ((0, 0), WORLD, 0, 0xdba9_e074_983e_0691, 0x24cb_7d1a_8eb3_058b, 0x13fd_7e39_a70c_6648),
        ((u64::MAX, 12_345), TALKS, 40, 0xb2d3_11f0_8f24_e91f, 0xcc4a_2862_440e_122f, 0xd9ea_2529_878f_75de),
    ];
    for ((seed, index), purpose, region, one, two, three) in cases {
        let mut g = Keys::new(seed, index).stream(purpose, region);
        let got = (g.random::<u64>(), g.random::<u64>(), g.random::<u64>());
        assert_eq!(got, (one, two, three), "seed {seed}, rollout {index}, purpose {purpose}, region {region}");
    }
}

/// What an observer is told, month by month, with every story.
#[derive(Default)]
struct Watch {
    /// (month, at war, ceasefire, settled, ended, area) of each view, `rest`'s included.
    views: Vec<(u32, [bool; 4], f64)>,
    /// The month of each `rest` call's view.
    rests: Vec<u32>,
    /// The month of each offer.
    offers: Vec<u32>,
}

impl crate::model::Observer for Watch {
    fn month(&mut self, v: &crate::model::MonthView<'_>) {
        self.views.push((v.month, [v.at_war, v.ceasefire, v.settled, v.ended], v.area_km2));
    }
    fn rest(&mut self, v: &crate::model::MonthView<'_>, horizon: u32) {
        self.rests.push(v.month);
        for m in v.month + 1..=horizon {
            self.month(&crate::model::MonthView { month: m, ..*v });
        }
    }
    fn wants_story(&self) -> bool {
        true
    }
    fn story(&mut self, month: u32, entry: crate::model::Story) {
        if let crate::model::Story::Offer { .. } = entry {
            self.offers.push(month);
        }
    }
}

fn watched(m: &Model, seed: u64, index: u64) -> (Watch, crate::model::Record) {
    let mut s = Scratch::new(m);
    let mut w = Watch::default();
    let rec = super::run_rollout(m, seed, index, &mut s, &mut w);
    (w, rec)
}

/// The observer's contract (`Observer`): months 0 to the horizon, each once and in order, each
/// view in exactly one phase; before the first ceasefire, settlement or end every month is at
/// war, and the last month is in the phase of the outcome; `rest` is called once, from the end
/// month, only when a rollout ended before the horizon. Talks go on during a ceasefire and are
/// never held once settled: in a rollout without a breakdown, no offer follows a month of
/// settlement, and offers follow months of ceasefire (under `stepwise`, where ceasefires come
/// first; under `package`, where settlements do).
#[test]
fn each_month_is_reported_once_in_its_phase() {
    let mut seen = [0usize; 3];
    for protocol in ["stepwise", "package"] {
        let m = shipped("baseline.toml", &[&format!("negotiation.protocol=\"{protocol}\"")]);
        let h = m.horizon();
        for index in 0..300 {
            let (w, rec) = watched(&m, 11, index);
            let months: Vec<u32> = w.views.iter().map(|v| v.0).collect();
            assert_eq!(months, (0..=h).collect::<Vec<_>>(), "rollout {index}");
            for (month, flags, _) in &w.views {
                assert_eq!(flags.iter().filter(|&&f| f).count(), 1, "rollout {index} month {month}: {flags:?}");
            }
            let first_change = [rec.ceasefire_month, rec.settlement_month, rec.end_month].into_iter().flatten().min().unwrap_or(h + 1);
            assert!(w.views.iter().take_while(|v| v.0 < first_change).all(|v| v.1[0]), "rollout {index}: at war before {first_change}");
            let last = w.views.last().unwrap().1;
            let want = match rec.outcome {
                Outcome::FightAndTalk => 0,
                Outcome::Ceasefire => 1,
                Outcome::Settlement => 2,
                _ => 3,
            };
            assert!(last[want], "rollout {index}: {:?} ends in {last:?}", rec.outcome);
            let early = rec.end_month.filter(|&e| e < h);
            assert_eq!(w.rests, early.into_iter().collect::<Vec<_>>(), "rollout {index}: rest from the end month");
            seen[0] += usize::from(early.is_some());
            for &o in &w.offers {
                assert!(o >= 1, "rollout {index}: no opening round by default");
                let before = w.views[o as usize - 1].1;
                assert!(!before[3], "rollout {index}: an offer after the end");
                if rec.breakdowns == 0 {
                    assert!(!before[2], "{protocol} rollout {index}: an offer in month {o} of a settlement");
                    seen[1] += usize::from(before[1]);
                }
            }
            seen[2] += usize::from(w.views.iter().any(|v| v.1[2]) && rec.breakdowns == 0);
        }
    }
    assert!(seen.iter().all(|&n| n > 0), "early ends, offers in a ceasefire, settlements kept: {seen:?}");
}

/// `negotiation.opening_round` is the chance of a round of talks in month 0, before any
/// fighting: at 1 every rollout opens with an offer.
#[test]
fn an_opening_round_is_held_at_its_chance() {
    let m = shipped("baseline.toml", &["negotiation.opening_round=1"]);
    for index in 0..50 {
        let (w, _) = watched(&m, 2, index);
        assert_eq!(w.offers.first(), Some(&0), "rollout {index}");
    }
}

/// A short truce (docs/scenarios.md) keeps the front still from the month it fires to the month
/// before `truce_until`, and the war is fought again in that month.
#[test]
fn a_short_truce_stills_the_front_for_its_months() {
    let m = crate::model::events::tests::with_event("kind = \"short_truce\"\nmonths = 3\n");
    let fired = m.scenario.events.iter().find(|e| e.id == "t").unwrap().month as u32;
    let until = fired + 3;
    let mut seen = 0;
    for index in 0..60 {
        let (w, rec) = watched(&m, 4, index);
        assert_eq!(rec.short_truces, 1, "rollout {index}");
        if !w.views[..=until as usize].iter().all(|v| v.1[0]) {
            continue; // a deal or an end during the truce
        }
        seen += 1;
        let area = |k: u32| w.views[k as usize].2;
        for k in fired..until {
            assert_eq!(area(k), area(k - 1), "rollout {index}: the front moved in month {k} of the truce");
        }
        assert_ne!(area(until), area(until - 1), "rollout {index}: the front is still in month {until}");
    }
    assert!(seen >= 20, "{seen} rollouts at war through the truce");
}

/// The endurance race's figure (MODEL.md §4a): an actor's perceived chance that the war is
/// decided within its horizon, where one breakthrough of chance b a month ends it, is
/// 1 − (1 − b)^H.
#[test]
fn the_perceived_chance_of_a_decision_is_that_of_one_breakthrough() {
    for b in [0.02, 0.1] {
        let m = shipped("validation/endurance_race.toml", &[&format!("battlefield.breakthrough_hazard={b}")]);
        let h = m.horizon() as i32;
        let got = super::perceived_decided_at_start(&m, 3, 0, m.scenario.defender);
        let want = 1.0 - (1.0f64 - b).powi(h);
        assert!((got - want).abs() < 1e-12 && want > 0.0 && want < 1.0, "b = {b}: {got} against {want}");
    }
}
