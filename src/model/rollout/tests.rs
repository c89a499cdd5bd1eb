use super::{Keys, PARAMS, Phase, Scratch, TALKS, WORLD};
use crate::model::{Model, Outcome};
use rand::RngExt;

fn model(file: &str, sets: &[&str]) -> Model {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(file);
    let overrides = crate::scenario::Overrides { sets: sets.iter().map(|s| s.to_string()).collect(), withs: vec![] };
    Model::new(crate::scenario::load(&path, &overrides).unwrap())
}

/// Month 0 is set from the parameters as docs/model.md says: the area held at the start
/// (at most the country), the line as the share of the claim, each actor's endurance, demands
/// at its ideal, belief at the expected gain plus its bias in gain sds, prior weight; and in
/// forts the front at its starting position, kept off the ends.
#[test]
fn a_rollout_starts_from_its_parameters() {
    let m = model("scenarios/baseline.toml", &["actors.ukraine.bias=-0.7", "actors.us.prior_weight=11"]);
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
        let f = model("scenarios/validation/forts.toml", &[&format!("battlefield.forts_start={start}")]);
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
    let m = model("scenarios/baseline.toml", &[]);
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
    let m = model("scenarios/baseline.toml", &[]);
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
