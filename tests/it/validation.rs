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

/// The checks can fail: a wrong exact value is caught.
#[test]
fn a_wrong_answer_fails() {
    let checks = validate::forts(&dir(), 2_000, 5).unwrap();
    let c = &checks[0];
    assert!(c.pass && c.se > 0.0);
    // An exact value 10 standard errors off must fail the 4-standard-error rule.
    let wrong = Check { exact: c.exact + 10.0 * c.se, ..c.clone() };
    let recheck = (wrong.simulated - wrong.exact).abs() <= 4.0 * wrong.se;
    assert!(!recheck, "an error of 10 standard errors in P(reach N) should be caught");
}

#[test]
fn validate_command_prints_the_table() {
    let out = crate::common::truce().args(["validate", "-n", "2000"]).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(out.status.success(), "{text}\n{}", String::from_utf8_lossy(&out.stderr));
    for case in ["forts", "complete information", "mutual optimism", "convergence"] {
        assert!(text.contains(case), "{case} missing:\n{text}");
    }
    assert!(text.contains("checks pass"));
}
