//! Validation against known results (MODEL.md §8): the engine, configured by the scenarios in
//! `scenarios/validation/`, reproduces four special cases that have exact answers. Each check
//! compares a Monte Carlo estimate with the exact value; it passes within 4 standard errors.

use std::path::Path;

use crate::model::{Model, MonthView, Observer, Outcome, Record, run_rollout};
use crate::scenario::schema::{ACTOR_KEY, PATH, actor_path, set};
use crate::scenario::{self, Overrides, ScenarioError};

/// One comparison of a simulated quantity with its exact value.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Check {
    pub case: &'static str,
    pub params: String,
    pub quantity: &'static str,
    pub exact: f64,
    pub simulated: f64,
    /// Standard error of the estimate (0 when the simulated quantity is deterministic).
    pub se: f64,
    pub pass: bool,
}

/// A check passes when the simulated value is within this many standard errors of the exact one.
pub const TOLERANCE_SE: f64 = 4.0;

impl Check {
    /// A check of `simulated` (with standard error `se`) against `exact`, judged by the pass
    /// rule: a quantity that does not vary across rollouts (up to floating-point rounding) must
    /// match to rounding; a random one within `TOLERANCE_SE` standard errors.
    pub fn new(case: &'static str, params: String, quantity: &'static str, exact: f64, simulated: f64, se: f64) -> Check {
        let rounding = 1e-9 * (1.0 + exact.abs());
        let se = if se < rounding { 0.0 } else { se };
        let tol = if se > 0.0 { TOLERANCE_SE * se } else { rounding };
        Check { case, params, quantity, exact, simulated, se, pass: (simulated - exact).abs() <= tol }
    }

    /// The error in standard errors (0 when both are exact and equal).
    pub fn z(&self) -> f64 {
        if self.se > 0.0 {
            (self.simulated - self.exact) / self.se
        } else if (self.simulated - self.exact).abs() <= 1e-9 * (1.0 + self.exact.abs()) {
            0.0
        } else {
            f64::INFINITY
        }
    }
}

/// Standard normal CDF, Φ(x) = erfc(−x/√2)/2.
pub fn normal_cdf(x: f64) -> f64 {
    0.5 * erfc(-x / std::f64::consts::SQRT_2)
}

/// Complementary error function (Numerical Recipes' Chebyshev fit, relative error < 1.2e-7).
fn erfc(x: f64) -> f64 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let poly = -z * z - 1.265_512_23
        + t * (1.000_023_68
            + t * (0.374_091_96
                + t * (0.096_784_18
                    + t * (-0.186_288_06
                        + t * (0.278_868_07 + t * (-1.135_203_98 + t * (1.488_515_87 + t * (-0.822_152_23 + t * 0.170_872_77))))))));
    let r = t * poly.exp();
    if x >= 0.0 { r } else { 2.0 - r }
}

/// Gambler's ruin: P(reaching N from k) and the expected duration, with win chance p.
pub fn gamblers_ruin(n: f64, k: f64, p: f64) -> (f64, f64) {
    let q = 1.0 - p;
    if (p - 0.5).abs() < 1e-12 {
        return (k / n, k * (n - k));
    }
    let r = q / p;
    let reach = (1.0 - r.powf(k)) / (1.0 - r.powf(n));
    let duration = k / (q - p) - (n / (q - p)) * reach;
    (reach, duration)
}

/// Settlement month in the convergence case: the first n with (a₁ − a₂)/(s + n) ≤ c.
pub fn convergence_month(s: f64, a1: f64, a2: f64, c: f64) -> u32 {
    (0..100_000u32).find(|&n| (a1 - a2) / (s + n as f64) <= c).unwrap_or(u32::MAX)
}

/// Beliefs of the first two actors at chosen months.
#[derive(Default)]
struct BeliefProbe {
    months: Vec<u32>,
    seen: Vec<(u32, f64, f64)>,
}

impl Observer for BeliefProbe {
    fn month(&mut self, v: &MonthView<'_>) {
        if self.months.contains(&v.month) {
            self.seen.push((v.month, v.beliefs[0], v.beliefs[1]));
        }
    }
}

fn load(dir: &Path, file: &str, sets: &[String]) -> Result<Model, ScenarioError> {
    let overrides = Overrides { sets: sets.to_vec(), withs: vec![] };
    Ok(Model::new(scenario::load(&dir.join(file), &overrides)?))
}

/// Rollouts 0..n with their belief probes, in index order (so results do not depend on threads).
fn simulate(model: &Model, n: u64, seed: u64, probe_months: &[u32]) -> Vec<(Record, Vec<(u32, f64, f64)>)> {
    let threads = std::thread::available_parallelism().map(|t| t.get()).unwrap_or(1);
    let cfg = crate::runner::RunConfig { n, seed, threads, first: 0 };
    crate::runner::map_rollouts(model, &cfg, |scratch, i| {
        let mut probe = BeliefProbe { months: probe_months.to_vec(), seen: Vec::new() };
        let r = run_rollout(model, seed, i, scratch, &mut probe);
        (r, probe.seen)
    })
}

fn share(records: &[(Record, Vec<(u32, f64, f64)>)], pred: impl Fn(&Record) -> bool) -> f64 {
    records.iter().filter(|(r, _)| pred(r)).count() as f64 / records.len() as f64
}

fn se_p(p: f64, n: usize) -> f64 {
    (p * (1.0 - p) / n as f64).sqrt()
}

/// The sample mean and its standard error, sd/√n (sd with n − 1).
fn mean_se(xs: &[f64]) -> (f64, f64) {
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0).max(1.0);
    (mean, (var / n).sqrt())
}

/// Runs every validation case at several parameter sets; `dir` holds the validation scenarios.
pub fn run_all(dir: &Path, n: u64, seed: u64) -> Result<Vec<Check>, ScenarioError> {
    let mut out = Vec::new();
    out.extend(forts(dir, n, seed)?);
    out.extend(complete_information(dir, n, seed)?);
    out.extend(mutual_optimism(dir, n, seed)?);
    out.extend(convergence(dir, n, seed)?);
    out.extend(endurance_race(dir, n, seed)?);
    out.extend(acceptance_month(dir, n, seed)?);
    Ok(out)
}

pub fn forts(dir: &Path, n: u64, seed: u64) -> Result<Vec<Check>, ScenarioError> {
    let mut out = Vec::new();
    for (big_n, k, p) in [(10.0, 5.0, 0.5), (10.0, 3.0, 0.6), (20.0, 12.0, 0.45)] {
        let sets = vec![set(PATH.forts_positions, big_n), set(PATH.forts_start, k), set(PATH.forts_p, p)];
        let model = load(dir, "forts.toml", &sets)?;
        let recs = simulate(&model, n, seed, &[]);
        let params = format!("N={big_n} k={k} p={p}");
        let (reach, duration) = gamblers_ruin(big_n, k, p);
        let won = share(&recs, |r| r.outcome == Outcome::UkraineCollapse);
        out.push(Check::new("forts", params.clone(), "P(attacker reaches N)", reach, won, se_p(reach, recs.len())));
        // A war still running at the horizon has no duration; it counts as a failed check.
        let durations: Vec<f64> = recs.iter().map(|(r, _)| r.end_month.map_or(f64::INFINITY, f64::from)).collect();
        let (mean, se) = mean_se(&durations);
        out.push(Check::new("forts", params, "expected duration (months)", duration, mean, se));
    }
    Ok(out)
}

pub fn complete_information(dir: &Path, n: u64, seed: u64) -> Result<Vec<Check>, ScenarioError> {
    let mut out = Vec::new();
    for (p, c) in [(0.3, 0.02), (0.5, 0.05), (0.8, 0.1)] {
        let sets = vec![
            set(&actor_path("attacker", ACTOR_KEY.win_belief), p),
            set(&actor_path("defender", ACTOR_KEY.win_belief), p),
            set(&actor_path("attacker", ACTOR_KEY.war_cost), c),
            set(&actor_path("defender", ACTOR_KEY.war_cost), c),
        ];
        let model = load(dir, "complete_information.toml", &sets)?;
        let recs = simulate(&model, n, seed, &[]);
        let war = share(&recs, |r| r.ceasefire_month != Some(0));
        out.push(Check::new("complete information", format!("p={p} c_A=c_B={c}"), "P(war)", 0.0, war, 0.0));
    }
    Ok(out)
}

pub fn mutual_optimism(dir: &Path, n: u64, seed: u64) -> Result<Vec<Check>, ScenarioError> {
    let mut out = Vec::new();
    let p = 0.5;
    for (mu, sigma, c) in [(0.0, 0.1, 0.05), (0.05, 0.1, 0.05), (0.1, 0.15, 0.05)] {
        let sets = vec![
            set(&actor_path("attacker", ACTOR_KEY.win_belief), format!("{{normal=[{}, {sigma}]}}", p + mu)),
            set(&actor_path("defender", ACTOR_KEY.win_belief), format!("{{normal=[{}, {sigma}]}}", p - mu)),
            set(&actor_path("attacker", ACTOR_KEY.war_cost), c),
            set(&actor_path("defender", ACTOR_KEY.war_cost), c),
        ];
        let model = load(dir, "mutual_optimism.toml", &sets)?;
        let recs = simulate(&model, n, seed, &[]);
        let exact = 1.0 - normal_cdf((2.0 * c - 2.0 * mu) / (sigma * std::f64::consts::SQRT_2));
        let war = share(&recs, |r| r.ceasefire_month != Some(0));
        out.push(Check::new(
            "mutual optimism",
            format!("p={p} μ={mu} σ={sigma} c_A=c_B={c}"),
            "P(war)",
            exact,
            war,
            se_p(exact, recs.len()),
        ));
    }
    Ok(out)
}

pub fn convergence(dir: &Path, n: u64, seed: u64) -> Result<Vec<Check>, ScenarioError> {
    let mut out = Vec::new();
    for (s, m1, m2, c) in [(10.0, 0.8, 0.3, 0.06), (20.0, 0.7, 0.4, 0.0225), (4.0, 0.9, 0.2, 0.15)] {
        let sets = vec![
            set(&actor_path("attacker", ACTOR_KEY.prior_weight), s),
            set(&actor_path("defender", ACTOR_KEY.prior_weight), s),
            set(&actor_path("attacker", ACTOR_KEY.prior_mean), m1),
            set(&actor_path("defender", ACTOR_KEY.prior_mean), m2),
            set(&actor_path("attacker", ACTOR_KEY.war_cost), c),
            set(&actor_path("defender", ACTOR_KEY.war_cost), c),
        ];
        let model = load(dir, "convergence.toml", &sets)?;
        let (a1, a2) = (s * m1, s * m2);
        let t = convergence_month(s, a1, a2, 2.0 * c);
        let probes = probe_months(t);
        let recs = simulate(&model, n, seed, &probes);
        let params = format!("s={s} a₁={a1} a₂={a2} c_A=c_B={c}");
        for &m in &probes {
            let exact = (a1 - a2) / (s + m as f64);
            let gaps: Vec<f64> = recs.iter().filter_map(|(_, seen)| seen.iter().find(|x| x.0 == m).map(|x| x.1 - x.2)).collect();
            let (mean, se) = mean_se(&gaps);
            let worst = gaps.iter().map(|g| (g - exact).abs()).fold(0.0, f64::max);
            let label: &'static str = Box::leak(format!("disagreement after {m} battles").into_boxed_str());
            let check = Check::new("convergence", params.clone(), label, exact, mean, se);
            out.push(every_rollout_exact(check, worst, gaps.len(), recs.len()));
        }
        let months: Vec<f64> = recs.iter().map(|(r, _)| r.settlement_month.map_or(f64::INFINITY, f64::from)).collect();
        let (mean, se) = mean_se(&months);
        out.push(Check::new("convergence", params, "mean settlement month", t as f64, mean, se));
    }
    Ok(out)
}

/// The months before settlement month `t` at which the convergence case reads the beliefs: the
/// first, the middle and the last, each once.
fn probe_months(t: u32) -> Vec<u32> {
    let mut months: Vec<u32> = [1, t / 2, t.saturating_sub(1)].into_iter().filter(|&m| m >= 1 && m < t).collect();
    months.dedup();
    months
}

/// A deterministic disagreement must hold in every rollout, not only on average: the check
/// fails too when the worst rollout is off by 1e-9 or more, or when some rollout did not reach
/// the month (`seen` of `rollouts`).
fn every_rollout_exact(mut check: Check, worst: f64, seen: usize, rollouts: usize) -> Check {
    check.pass &= worst < 1e-9 && seen == rollouts;
    check
}

/// The endurance race (MODEL.md §4a): the perceived chance that the war is decided within the
/// horizon, worked out by the value of going on, against the share of simulated wars decided by
/// then, where one breakthrough ends the war (exactly 1 − (1 − b)^H).
pub fn endurance_race(dir: &Path, n: u64, seed: u64) -> Result<Vec<Check>, ScenarioError> {
    let mut out = Vec::new();
    for b in [0.02f64, 0.05, 0.1] {
        let model = load(dir, "endurance_race.toml", &[set(PATH.breakthrough_hazard, b)])?;
        let h = model.horizon();
        let exact = 1.0 - (1.0 - b).powi(h as i32);
        let defender = model.scenario.defender;
        let perceived = crate::model::perceived_decided_at_start(&model, seed, 0, defender);
        let params = format!("b={b} H={h}");
        out.push(Check::new("endurance race", params.clone(), "perceived P(decided within H)", exact, perceived, 0.0));
        let recs = simulate(&model, n, seed, &[]);
        // A rollout never runs past the horizon, so a war the breakthrough ended ended within it.
        let decided = share(&recs, |r| r.outcome == Outcome::UkraineCollapse);
        out.push(Check::new("endurance race", params, "simulated P(decided within H)", perceived, decided, se_p(perceived, recs.len())));
    }
    Ok(out)
}

/// The acceptance month under a deterministic front (MODEL.md §4a): the attacker accepts a
/// ceasefire on the line at the first month m with line_m ≥ I − (g·τ̄/C + c)/2.
pub fn acceptance_month(dir: &Path, n: u64, seed: u64) -> Result<Vec<Check>, ScenarioError> {
    let mut out = Vec::new();
    for g in [150.0, 200.0, 300.0] {
        let model = load(dir, "acceptance_month.toml", &[set(PATH.gain_mean, g)])?;
        let sc = &model.scenario;
        let value = |path: &str| sc.param(path).map(|p| p.central()).unwrap_or(f64::NAN);
        let attacker = |key: &str| value(&actor_path("attacker", key));
        let (delta, h) = (attacker(ACTOR_KEY.patience), attacker(ACTOR_KEY.horizon));
        let (c, ideal) = (attacker(ACTOR_KEY.war_cost), attacker("ideal.territory"));
        let (claimed, start) = (value(PATH.claimed_km2), value(PATH.start_km2));
        let (num, den) = (1..=h as i32).fold((0.0, 0.0), |(a, b), t| (a + t as f64 * delta.powi(t), b + delta.powi(t)));
        let tau = num / den;
        let threshold = ideal - (g * tau / claimed + c) / 2.0;
        let exact = ((threshold - start / claimed) * claimed / g).ceil().max(1.0);
        let recs = simulate(&model, n, seed, &[]);
        let months: Vec<f64> = recs.iter().map(|(r, _)| r.ceasefire_month.map_or(f64::INFINITY, f64::from)).collect();
        let (mean, se) = mean_se(&months);
        out.push(Check::new(
            "acceptance month",
            format!("g={g} I={ideal} c={c} δ={delta} H={h}"),
            "month of the first ceasefire",
            exact,
            mean,
            se,
        ));
    }
    Ok(out)
}

/// The checks as a table for a terminal.
pub fn table(checks: &[Check]) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    let _ =
        writeln!(s, "{:<22} {:<34} {:<32} {:>10} {:>10} {:>8}  result", "case", "parameters", "quantity", "exact", "simulated", "error/se");
    for c in checks {
        let z = c.z();
        let z = if z.is_finite() { format!("{z:+.2}") } else { "—".into() };
        let _ = writeln!(
            s,
            "{:<22} {:<34} {:<32} {:>10.4} {:>10.4} {:>8}  {}",
            c.case,
            c.params,
            c.quantity,
            c.exact,
            c.simulated,
            z,
            if c.pass { "pass" } else { "FAIL" }
        );
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas() {
        assert!((normal_cdf(0.0) - 0.5).abs() < 1e-7);
        assert!((normal_cdf(1.959_964) - 0.975).abs() < 1e-6);
        assert!((normal_cdf(-1.0) - 0.158_655_25).abs() < 1e-6);
        let (p, d) = gamblers_ruin(10.0, 5.0, 0.5);
        assert_eq!((p, d), (0.5, 25.0));
        // p → ½ limit of the general formula.
        let (p2, d2) = gamblers_ruin(10.0, 5.0, 0.500_001);
        assert!((p2 - 0.5).abs() < 1e-4 && (d2 - 25.0).abs() < 1e-3);
        assert_eq!(convergence_month(10.0, 8.0, 3.0, 0.12), 32);
    }

    /// Φ against the standard normal table (Abramowitz & Stegun, table 26.1, to 7 places), on
    /// both sides of 0 and far into the tails, where the fit's relative error must hold.
    #[test]
    fn the_normal_cdf_matches_the_published_table() {
        let table = [
            (0.1, 0.539_827_8),
            (0.5, 0.691_462_5),
            (1.0, 0.841_344_7),
            (1.5, 0.933_192_8),
            (2.0, 0.977_249_9),
            (2.5, 0.993_790_3),
            (3.0, 0.998_650_1),
        ];
        for (x, phi) in table {
            assert!((normal_cdf(x) - phi).abs() < 2e-7, "Φ({x}) = {} against {phi}", normal_cdf(x));
            let lower = 1.0 - phi;
            assert!((normal_cdf(-x) - lower).abs() < 2e-7, "Φ({}) = {} against {lower}", -x, normal_cdf(-x));
        }
        // Deep in the lower tail the fit keeps its relative error: Φ(−4) = 3.167 124e-5 and
        // Φ(−6) = 9.865 876e-10 (the same table).
        for (x, phi) in [(-4.0, 3.167_124e-5), (-6.0, 9.865_876e-10)] {
            assert!((normal_cdf(x) / phi - 1.0).abs() < 1e-6, "Φ({x}) = {:e} against {phi:e}", normal_cdf(x));
        }
    }

    /// The gambler's ruin against first-step analysis solved independently: P_j = p·P_{j+1} +
    /// q·P_{j−1} with P_0 = 0, P_N = 1, and D_j = 1 + p·D_{j+1} + q·D_{j−1} with D_0 = D_N = 0,
    /// by shooting on the second unknown (both linear in it).
    #[test]
    fn the_gamblers_ruin_solves_its_recurrences() {
        fn shoot(n: usize, p: f64, constant: f64, end: f64) -> Vec<f64> {
            let q = 1.0 - p;
            let run = |x1: f64| {
                let mut v = vec![0.0, x1];
                for j in 1..n {
                    v.push((v[j] - constant - q * v[j - 1]) / p);
                }
                v
            };
            let (a, b) = (run(0.0), run(1.0));
            let x1 = (end - a[n]) / (b[n] - a[n]);
            run(x1)
        }
        for (n, k, p) in [(10usize, 3usize, 0.6), (20, 12, 0.45), (7, 2, 0.3), (10, 5, 0.5)] {
            let reach = shoot(n, p, 0.0, 1.0)[k];
            let duration = shoot(n, p, 1.0, 0.0)[k];
            let (r, d) = gamblers_ruin(n as f64, k as f64, p);
            assert!((r - reach).abs() < 1e-9, "N={n} k={k} p={p}: P {r} against {reach}");
            assert!((d - duration).abs() < 1e-7, "N={n} k={k} p={p}: D {d} against {duration}");
        }
    }

    /// The first month the disagreement (a₁ − a₂)/(s + n) is at most c, counted by hand.
    #[test]
    fn the_convergence_month_is_the_first_within_the_gap() {
        // (4.5 − 1.5)/(5 + n) ≤ 0.3 first at n = 5 (3/10 = 0.3, exactly), and not at n = 4 (3/9).
        assert_eq!(convergence_month(5.0, 4.5, 1.5, 0.3), 5);
        // Already within at n = 0.
        assert_eq!(convergence_month(10.0, 1.0, 0.5, 0.05), 0);
        // Never within: the search's end.
        assert_eq!(convergence_month(1.0, 1.0, 0.0, 0.0), u32::MAX);
    }

    #[test]
    fn the_pass_rule_and_the_error_in_standard_errors() {
        let check = |exact: f64, simulated: f64, se: f64| Check::new("c", String::new(), "q", exact, simulated, se);
        // Random: within 4 standard errors passes, a little more fails; z is the signed error over se.
        assert!(check(0.5, 0.5 + 3.99 * 0.01, 0.01).pass);
        assert!(check(0.5, 0.5 - 3.99 * 0.01, 0.01).pass);
        assert!(!check(0.5, 0.5 + 4.01 * 0.01, 0.01).pass);
        assert!(!check(0.5, 0.5 - 4.01 * 0.01, 0.01).pass);
        assert!((check(0.5, 0.47, 0.01).z() + 3.0).abs() < 1e-9);
        // Deterministic (an se below rounding counts as 0): equal to rounding passes with z = 0,
        // anything more fails with z infinite.
        let exact = check(25.0, 25.0 + 1e-9, 1e-12);
        assert_eq!((exact.se, exact.pass, exact.z()), (0.0, true, 0.0));
        let off = check(25.0, 25.001, 0.0);
        assert!(!off.pass && off.z() == f64::INFINITY);
        // Rounding is relative to 1 + |exact|: at an exact 0, half of 1e-9 off is still exact.
        let near_zero = check(0.0, 5e-10, 0.0);
        assert_eq!((near_zero.pass, near_zero.z()), (true, 0.0));
        assert!(check(0.0, 2e-9, 0.0).z().is_infinite());
        // An se just above rounding is kept.
        assert_eq!(check(1.0, 1.0, 1e-6).se, 1e-6);
    }

    #[test]
    fn the_convergence_case_probes_and_demands_every_rollout() {
        assert_eq!(probe_months(32), [1, 16, 31]);
        assert_eq!(probe_months(3), [1, 2]);
        assert_eq!(probe_months(2), [1]);
        assert_eq!(probe_months(1), Vec::<u32>::new());
        let passing = || Check::new("convergence", String::new(), "gap", 0.25, 0.25, 0.0);
        assert!(passing().pass);
        assert!(every_rollout_exact(passing(), 5e-10, 100, 100).pass);
        assert!(!every_rollout_exact(passing(), 1e-9, 100, 100).pass, "one rollout off");
        assert!(!every_rollout_exact(passing(), 0.0, 99, 100).pass, "one rollout missing");
        let failing = Check::new("convergence", String::new(), "gap", 0.25, 0.3, 0.0);
        assert!(!every_rollout_exact(failing, 0.0, 100, 100).pass, "a failed mean stays failed");
    }

    #[test]
    fn the_sample_statistics() {
        let (mean, se) = mean_se(&[1.0, 2.0, 3.0, 6.0]);
        // mean 3, squared deviations 4 + 1 + 0 + 9 = 14 over n − 1 = 3, the se √(14/3)/√4.
        assert_eq!(mean, 3.0);
        assert!((se - (14.0f64 / 3.0).sqrt() / 2.0).abs() < 1e-12);
        assert_eq!(mean_se(&[2.0]), (2.0, 0.0));
        assert!((se_p(0.2, 400) - 0.02).abs() < 1e-12);
    }

    #[test]
    fn the_table_shows_each_check_and_its_verdict() {
        let checks =
            [Check::new("forts", "N=10".into(), "P", 0.5, 0.52, 0.01), Check::new("convergence", "s=4".into(), "month", 7.0, 8.0, 0.0)];
        let t = table(&checks);
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(lines.len(), 3, "{t}");
        assert!(lines[0].starts_with("case") && lines[0].ends_with("result"), "{t}");
        assert!(lines[1].starts_with("forts") && lines[1].contains("0.5000") && lines[1].contains("0.5200"), "{t}");
        assert!(lines[1].contains("+2.00") && lines[1].ends_with("pass"), "{t}");
        assert!(lines[2].contains('—') && lines[2].ends_with("FAIL"), "{t}");
    }
}
