//! The engine reproduces the special cases of MODEL.md §8 within 4 standard errors, N = 10,000.

use truce::validate::{self, Check};

use crate::common::root;

const N: u64 = 10_000;

fn assert_all(checks: Vec<Check>) {
    assert!(checks.len() >= 3, "too few checks: {checks:?}");
    let failed: Vec<&Check> = checks.iter().filter(|c| !c.pass).collect();
    assert!(failed.is_empty(), "failed:\n{}", validate::table(&checks));
}

fn dir() -> std::path::PathBuf {
    root().join("scenarios/validation")
}

#[test]
fn random_walk_war_matches_gamblers_ruin() {
    assert_all(validate::forts(&dir(), N, 1).unwrap());
}

#[test]
fn complete_information_starts_no_war() {
    assert_all(validate::complete_information(&dir(), N, 2).unwrap());
}

#[test]
fn mutual_optimism_matches_the_normal_formula() {
    assert_all(validate::mutual_optimism(&dir(), N, 3).unwrap());
}

#[test]
fn beliefs_converge_as_beta_bernoulli() {
    assert_all(validate::convergence(&dir(), N, 4).unwrap());
}

/// The library's pass rule, not a copy of it, decides: an exact value 10 standard errors off
/// fails (a tolerance widened toward 40 se would pass it), one 3.9 se off passes (a tolerance
/// narrowed below 4 se would fail it), and a deterministic quantity must match to rounding.
#[test]
fn the_pass_rule_catches_a_wrong_answer() {
    let checks = validate::forts(&dir(), 2_000, 5).unwrap();
    let c = &checks[0];
    assert!(c.pass && c.se > 0.0);
    let judge = |exact: f64, simulated: f64, se: f64| Check::new(c.case, c.params.clone(), c.quantity, exact, simulated, se).pass;
    assert!(!judge(c.simulated + 10.0 * c.se, c.simulated, c.se), "an error of 10 standard errors should be caught");
    assert!(!judge(c.simulated - 10.0 * c.se, c.simulated, c.se));
    assert!(judge(c.simulated + 3.9 * c.se, c.simulated, c.se), "3.9 standard errors is within the rule");
    assert!(!judge(c.simulated + 4.1 * c.se, c.simulated, c.se), "4.1 standard errors is outside the rule");
    assert_eq!(validate::TOLERANCE_SE, 4.0, "docs/model.md and `truce validate` state 4 standard errors");
    assert!(!judge(0.5, 0.5 + 1e-6, 0.0), "a deterministic quantity must match to rounding");
    assert!(judge(0.5, 0.5 + 1e-12, 0.0));
}

#[test]
fn validate_command_prints_the_table() {
    let out = crate::common::truce().args(["validate", "-n", "2000"]).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(out.status.success(), "{text}\n{}", String::from_utf8_lossy(&out.stderr));
    for case in ["forts", "complete information", "mutual optimism", "convergence", "endurance race", "acceptance month"] {
        assert!(text.contains(case), "{case} missing:\n{text}");
    }
    assert!(text.contains("checks pass"));
}

/// The forecasting path's own checks: the perceived chance of a decided war equals the exact
/// 1 − (1 − b)^H to rounding and the simulated share within 4 se; every rollout of the
/// deterministic front accepts in the closed-form month (sd 0, so a month off fails).
#[test]
fn the_forecasting_mechanisms_meet_their_closed_forms() {
    let race = validate::endurance_race(&dir(), 4_000, 3).unwrap();
    assert_eq!(race.len(), 6);
    for c in &race {
        assert!(c.pass, "{} {}: exact {} simulated {} (se {})", c.params, c.quantity, c.exact, c.simulated, c.se);
    }
    let months = validate::acceptance_month(&dir(), 500, 3).unwrap();
    assert_eq!(months.len(), 3);
    for c in &months {
        assert!(c.pass && c.se == 0.0 && c.simulated == c.exact, "{}: exact {} simulated {} (se {})", c.params, c.exact, c.simulated, c.se);
    }
}

/// benches/forts_numpy.py, the NumPy side of the speed comparison, does the work of the shipped
/// forts scenario: its defaults are that file's N, k, p and horizon, and its answers are the
/// gambler's ruin within 4 standard errors (sd ½ for the win, 20 months for the duration).
#[test]
fn the_numpy_comparison_runs_the_shipped_forts_case() {
    let toml = std::fs::read_to_string(crate::common::root().join("scenarios/validation/forts.toml")).unwrap();
    for line in ["horizon_months = 1200", "forts_positions = 10", "forts_start = 5", "forts_p = 0.5"] {
        assert!(toml.lines().any(|l| l.trim_start().starts_with(line)), "forts.toml no longer has `{line}`: update benches/forts_numpy.py");
    }
    let n = 20_000.0f64;
    let out = std::process::Command::new(crate::notebook::python())
        .arg(crate::common::root().join("benches/forts_numpy.py"))
        .arg("20000")
        .output()
        .expect("python runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}{}", String::from_utf8_lossy(&out.stderr));
    let after = |key: &str| -> f64 {
        let at = text.find(key).unwrap_or_else(|| panic!("no `{key}` in {text}")) + key.len();
        text[at..].split_whitespace().next().unwrap().parse().unwrap()
    };
    let (win, duration) = (after("attacker wins"), after("mean duration"));
    assert!((win - 0.5).abs() <= 4.0 * 0.5 / n.sqrt(), "{text}");
    assert!((duration - 25.0).abs() <= 4.0 * 20.0 / n.sqrt(), "{text}");
}
