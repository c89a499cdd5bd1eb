//! Properties of every valid run: for random valid scenarios (the shipped and validation
//! scenarios, with random `--set` overrides and extra actors from a `--with` file),
//! (1) `run`, `plot` and `trace` never panic, (2) no output holds a NaN or an infinity, and
//! (3) `scenario.resolved.toml` repeats the run byte for byte.

use std::fs;
use std::path::Path;
use std::process::Output;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};

use crate::common::{root, tempdir, truce};

const SCENARIOS: &[&str] = &[
    "scenarios/baseline.toml",
    "scenarios/endgame.toml",
    "scenarios/fight_and_talk.toml",
    "scenarios/istanbul_2025-05.toml",
    "scenarios/plan28_2025-12.toml",
    "scenarios/validation/forts.toml",
    "scenarios/validation/complete_information.toml",
    "scenarios/validation/mutual_optimism.toml",
    "scenarios/validation/convergence.toml",
    "scenarios/validation/backtest_2024-05.toml",
];

/// One `--set` for parameter `param` of the scenario, from two random numbers in [0, 1).
fn override_for(p: &truce::scenario::Param, u: f64, v: f64) -> String {
    if let Some(names) = p.names {
        let k = ((u * names.len() as f64) as usize).min(names.len() - 1);
        if v < 0.5 || names.len() < 2 {
            return format!("{}=\"{}\"", p.path, names[k]);
        }
        // A setting drawn per rollout between two of its names.
        let other = names[(k + 1) % names.len()];
        let w = (v * 100.0).round() / 100.0;
        return format!("{}={{choice=[\"{}\",\"{other}\"],p=[{w},{}]}}", p.path, names[k], (100.0 - w * 100.0).round() / 100.0);
    }
    let central = p.central();
    // A span of plausible values: the range where it is finite, else around the value.
    let lo = if p.min.is_finite() { p.min } else { central - 2.0 * central.abs() - 1.0 };
    let hi = if p.max.is_finite() { p.max } else { 3.0 * central.abs() + 1.0 };
    let (lo, hi) = (lo.max(-1e6), hi.min(1e6));
    let a = lo + u * (hi - lo);
    if v < 0.7 {
        format!("{}={a}", p.path)
    } else {
        // A uniform distribution inside the range.
        let b = a + (hi - a) * (v - 0.7) / 0.3;
        if b > a { format!("{}={{uniform=[{a},{b}]}}", p.path) } else { format!("{}={a}", p.path) }
    }
}

fn text_of(o: &Output) -> String {
    format!("{}\n{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

/// Every file under `dir` that truce writes as text, with its name.
fn text_files(dir: &Path, out: &mut Vec<(String, String)>) {
    for e in fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            text_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "csv" || x == "json" || x == "toml" || x == "svg") {
            out.push((p.display().to_string(), fs::read_to_string(&p).unwrap()));
        }
    }
}

/// A non-finite number in a CSV cell, a JSON value (`null` where serde would hide a NaN is
/// checked by parsing), or a token of a TOML or SVG file.
fn non_finite(name: &str, text: &str) -> Option<String> {
    let bad = |t: &str| matches!(t.trim_matches(['"', '-', '+']).to_ascii_lowercase().as_str(), "nan" | "inf" | "infinity");
    if name.ends_with(".csv") {
        return text.lines().flat_map(|l| l.split(',')).find(|c| bad(c)).map(str::to_string);
    }
    if name.ends_with(".json") {
        let v: serde_json::Value = serde_json::from_str(text).ok()?;
        fn walk(v: &serde_json::Value, path: &str, out: &mut Option<String>) {
            match v {
                serde_json::Value::Object(m) => m.iter().for_each(|(k, x)| walk(x, &format!("{path}.{k}"), out)),
                serde_json::Value::Array(a) => a.iter().enumerate().for_each(|(i, x)| walk(x, &format!("{path}[{i}]"), out)),
                // The numeric fields of summary.json are never optional but for the medians.
                serde_json::Value::Null if !path.contains("median_months") => *out = Some(format!("null at {path}")),
                _ => {}
            }
        }
        let mut out = None;
        walk(&v, "", &mut out);
        return out;
    }
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '.' || c == '-')).find(|t| bad(t)).map(str::to_string)
}

fn check_case(scenario: &str, picks: &[(usize, f64, f64)], extra_actors: usize, seed: u64) -> Result<(), TestCaseError> {
    let base = truce::scenario::load(&root().join(scenario), &truce::scenario::Overrides::default()).unwrap();
    let sets: Vec<String> = picks.iter().map(|&(i, u, v)| override_for(&base.params[i % base.params.len()], u, v)).collect();
    let tmp = tempdir();
    let with = tmp.path().join("extra.toml");
    let mut with_text = String::new();
    for k in 0..extra_actors {
        with_text += &format!("[actors.extra{k}]\nrole = \"observer\"\ncapability = {}\n\n", 0.1 * (k + 1) as f64);
    }
    fs::write(&with, &with_text).unwrap();
    let mut args: Vec<String> = vec!["run".into(), scenario.into(), "-n".into(), "300".into(), "--seed".into(), seed.to_string()];
    for s in &sets {
        args.extend(["--set".into(), s.clone()]);
    }
    args.extend(["--with".into(), with.display().to_string()]);
    // Only valid scenarios are the property's domain; a refused combination is skipped.
    let check = truce().arg("check").args(&args[2 + 4..]).arg(scenario).output().unwrap();
    if check.status.code() == Some(2) {
        return Err(TestCaseError::reject("an invalid combination"));
    }
    let a = tmp.path().join("a");
    let out = truce().args(&args).args(["--size", "320x200", "--out"]).arg(&a).output().unwrap();
    let shown = format!("truce {} (and the extra actors file)\n{}", args.join(" "), text_of(&out));
    prop_assert!(out.status.code() == Some(0), "run failed: {shown}");
    // (1) plot and trace do not panic.
    let plot = truce().args(["plot", "--lang", "zh", "--size", "480x300"]).arg(&a).output().unwrap();
    prop_assert!(plot.status.code() == Some(0), "plot failed: {}\n{shown}", text_of(&plot));
    let mut trace_args = args.clone();
    trace_args[0] = "trace".into();
    trace_args.splice(2..4, ["--rollout".to_string(), (seed % 300).to_string()]);
    let tr = truce().args(&trace_args).output().unwrap();
    prop_assert!(tr.status.code() == Some(0), "trace failed: {}\n{shown}", text_of(&tr));
    // (2) nothing non-finite anywhere.
    let mut files = Vec::new();
    text_files(&a, &mut files);
    files.push(("trace".into(), String::from_utf8_lossy(&tr.stdout).into_owned()));
    for (name, text) in &files {
        if let Some(bad) = non_finite(name, text) {
            prop_assert!(false, "{name} holds a non-finite number `{bad}`\n{shown}");
        }
    }
    // (3) the resolved file repeats the run.
    let b = tmp.path().join("b");
    let again = truce()
        .arg("run")
        .arg(a.join("scenario.resolved.toml"))
        .args(["-n", "300", "--seed", &seed.to_string(), "--no-charts", "--out"])
        .arg(&b)
        .output()
        .unwrap();
    prop_assert!(again.status.code() == Some(0), "the resolved file does not run: {}\n{shown}", text_of(&again));
    for f in ["runs.csv", "timeseries.csv", "summary.json", "summary.csv", "scenario.resolved.toml"] {
        let (x, y) = (fs::read(a.join(f)).unwrap(), fs::read(b.join(f)).unwrap());
        prop_assert!(x == y, "{f} differs when the resolved file is run\n{shown}");
    }
    Ok(())
}

#[test]
fn every_valid_run_plots_traces_stays_finite_and_repeats_from_its_resolved_file() {
    let mut runner = TestRunner::new(Config { cases: 40, failure_persistence: None, max_global_rejects: 400, ..Config::default() });
    let strategy = (
        0..SCENARIOS.len(),
        prop::collection::vec((0usize..10_000, 0.0f64..1.0, 0.0f64..1.0), 0..5),
        prop_oneof![Just(0usize), Just(0), Just(1), Just(40)],
        0u64..1_000_000,
    );
    let result = runner.run(&strategy, |(s, picks, extra, seed)| check_case(SCENARIOS[s], &picks, extra, seed));
    if let Err(e) = result {
        panic!("{e}");
    }
}

#[test]
fn every_shipped_scenario_repeats_from_its_resolved_file() {
    for s in SCENARIOS {
        check_case(s, &[], 0, 20250516).unwrap_or_else(|e| panic!("{s}: {e}"));
    }
}

#[test]
fn a_drawn_setting_repeats_from_its_resolved_file() {
    let base = truce::scenario::load(&root().join("scenarios/baseline.toml"), &truce::scenario::Overrides::default()).unwrap();
    let protocol = base.params.iter().position(|p| p.path == "negotiation.protocol").unwrap();
    // u = 0.1 picks `package` first, v = 0.6 makes it a choice: package 0.6, stepwise 0.4.
    let picked = override_for(&base.params[protocol], 0.1, 0.6);
    assert_eq!(picked, r#"negotiation.protocol={choice=["package","stepwise"],p=[0.6,0.4]}"#);
    check_case("scenarios/baseline.toml", &[(protocol, 0.1, 0.6)], 0, 99).unwrap();
}
