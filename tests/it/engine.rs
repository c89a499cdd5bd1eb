//! The engine: required behaviour of the shipped scenarios, calibration of the battlefield,
//! reproducibility, overrides, and the run folder.

use std::fs;

use truce::model::{Model, MonthView, Observer, Outcome, Quiet, Scratch, run_rollout};
use truce::runner::{self, RunConfig};
use truce::summary::Summary;

use crate::common::{load, root, tempdir, tol_p, truce};

const SHIPPED: &[&str] = &[
    "scenarios/baseline.toml",
    "scenarios/endgame.toml",
    "scenarios/fight_and_talk.toml",
    "scenarios/istanbul_2025-05.toml",
    "scenarios/plan28_2025-12.toml",
];

/// Outcome probabilities of a scenario at N rollouts (seed fixed).
fn outcomes(path: &str, sets: &[&str], n: u64, seed: u64) -> (Summary, Model) {
    let model = Model::new(load(path, sets));
    let mut summary = Summary::new(&model);
    let cfg = RunConfig { n, seed, threads: 2, first: 0 };
    runner::run(&model, &cfg, |c| -> Result<(), ()> { Ok(summary.add(c)) }, |_| {}).unwrap();
    (summary, model)
}

/// The most likely outcome must beat the runner-up by more than 4 sd of their difference
/// (multinomial: var(p̂1 − p̂2) = (p1 + p2 − (p1 − p2)²)/N), and stay below 95% by 4 sd.
fn assert_most_likely(path: &str, expected: Outcome, n: u64) {
    let (s, _) = outcomes(path, &[], n, 1);
    let mut ranked: Vec<(Outcome, f64)> = Outcome::ALL.iter().map(|&o| (o, s.p(o))).collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1));
    let (top, p1) = ranked[0];
    let (_, p2) = ranked[1];
    let sd_diff = ((p1 + p2 - (p1 - p2).powi(2)) / n as f64).sqrt();
    assert_eq!(top, expected, "{path}: most likely is {top:?} ({p1}), expected {expected:?}; all: {ranked:?}");
    assert!(p1 - p2 > 4.0 * sd_diff, "{path}: {top:?} {p1} is not clearly above the runner-up {p2}");
    assert!(p1 + tol_p(p1, n) < 0.95, "{path}: {top:?} has p = {p1}, not below 95%");
}

#[test]
fn endgame_makes_settlement_most_likely_but_not_certain() {
    assert_most_likely("scenarios/endgame.toml", Outcome::Settlement, 10_000);
}

#[test]
fn fight_and_talk_makes_war_at_the_horizon_most_likely_but_not_certain() {
    assert_most_likely("scenarios/fight_and_talk.toml", Outcome::FightAndTalk, 10_000);
}

/// Each shipped scenario gives at least three outcomes p ≥ 1%, each established with 4 sd to spare.
#[test]
fn every_shipped_scenario_has_three_outcomes_of_one_percent() {
    let n = 20_000;
    for path in SHIPPED {
        let (s, _) = outcomes(path, &[], n, 2);
        let clear: Vec<(Outcome, f64)> = Outcome::ALL.iter().map(|&o| (o, s.p(o))).filter(|&(_, p)| p - tol_p(p, n) >= 0.01).collect();
        assert!(clear.len() >= 3, "{path}: only {clear:?} are clearly at 1% or more");
    }
}

/// Records the area each month and whether the month was fought.
struct Front {
    changes: Vec<f64>,
    last: Option<(f64, bool)>,
}

impl Observer for Front {
    fn month(&mut self, v: &MonthView<'_>) {
        if let Some((area, _)) = self.last
            && v.at_war
        {
            self.changes.push(v.area_km2 - area);
        }
        self.last = Some((v.area_km2, v.at_war));
    }
}

/// The battlefield step against its equation (docs/model.md §3): with the balance's effect
/// switched off (elasticity 0), no breakthroughs or counter-offensives and the level held still
/// (gain_drift 0; its random walk has mean 0 but would widen the test's error tenfold), the
/// monthly change is gain_mean + gain_sd·ε with ε an AR(1) of mean 0, so over all months fought
/// its mean is the mean of the drawn gain_mean: 220 km² in the baseline (normal [220, 12]). The
/// tolerance is 4 standard errors of the per-rollout means (independent across rollouts, whatever
/// the autocorrelation within one); 50 km² more or less would be many more than 4 of them.
#[test]
fn the_monthly_front_change_has_the_mean_of_its_equation() {
    let sets = [
        "battlefield.elasticity=0",
        "battlefield.gain_drift=0",
        "battlefield.breakthrough_hazard=0",
        "battlefield.counter_hazard=0",
        "negotiation.talks_rate=0",
        "hazards.escalation=0",
        "actors.ukraine.endurance=1000",
        "actors.russia.endurance=1000",
    ];
    let model = Model::new(load("scenarios/baseline.toml", &sets));
    let mut scratch = Scratch::new(&model);
    let n = 5_000;
    let mut means = Vec::new();
    for i in 0..n {
        let mut f = Front { changes: Vec::new(), last: None };
        run_rollout(&model, 3, i, &mut scratch, &mut f);
        assert_eq!(f.changes.len(), model.horizon() as usize, "every month is fought");
        means.push(f.changes.iter().sum::<f64>() / f.changes.len() as f64);
    }
    let mean = means.iter().sum::<f64>() / n as f64;
    let se = (means.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64).sqrt() / (n as f64).sqrt();
    let expected = 220.0;
    assert!((mean - expected).abs() <= 4.0 * se, "mean monthly change {mean:.1} km², expected {expected} ± {:.1}", 4.0 * se);
    assert!(4.0 * se < 50.0 / 1.5, "the test must be able to see a shift of 50 km²: 4 se = {:.1}", 4.0 * se);
}

fn read(dir: &std::path::Path, file: &str) -> String {
    fs::read_to_string(dir.join(file)).unwrap_or_else(|e| panic!("{}: {e}", dir.join(file).display()))
}

#[test]
fn outputs_are_identical_for_1_2_and_4_threads() {
    let tmp = tempdir();
    let mut outputs = Vec::new();
    for t in ["1", "2", "4"] {
        let out = tmp.path().join(format!("t{t}"));
        truce().args(["run", "scenarios/endgame.toml", "-n", "3000", "--threads", t, "--no-charts", "--out"]).arg(&out).assert().success();
        outputs.push(["runs.csv", "timeseries.csv", "summary.json", "summary.csv", "scenario.resolved.toml"].map(|f| read(&out, f)));
    }
    assert_eq!(outputs[0], outputs[1], "1 vs 2 threads");
    assert_eq!(outputs[0], outputs[2], "1 vs 4 threads");
    let manifest: serde_json::Value = serde_json::from_str(&read(&tmp.path().join("t4"), "manifest.json")).unwrap();
    assert_eq!(manifest["threads"], 4);
    assert_eq!(manifest["seed"], 20250516);
}

#[test]
fn different_seeds_give_different_rollouts() {
    let model = Model::new(load("scenarios/fight_and_talk.toml", &[]));
    let mut s = Scratch::new(&model);
    let a: Vec<f64> = (0..50).map(|i| run_rollout(&model, 1, i, &mut s, &mut truce::model::Quiet).final_area_km2).collect();
    let b: Vec<f64> = (0..50).map(|i| run_rollout(&model, 2, i, &mut s, &mut truce::model::Quiet).final_area_km2).collect();
    let same = a.iter().zip(&b).filter(|(x, y)| x == y).count();
    assert!(same < 5, "{same} of 50 rollouts identical across seeds");
    // And the same (seed, index) gives the same rollout, whatever ran before on this scratch.
    let again = run_rollout(&model, 1, 7, &mut s, &mut truce::model::Quiet);
    assert_eq!(again.final_area_km2, a[7]);
}

/// An override is recorded in the manifest, and moves results the way the model says: without
/// US pressure, fewer endgame packages are signed (pressure adds to a refusing side's margin).
#[test]
fn override_is_recorded_and_moves_results() {
    let tmp = tempdir();
    let (base, with) = (tmp.path().join("base"), tmp.path().join("with"));
    let n = "10000";
    truce().args(["run", "scenarios/endgame.toml", "-n", n, "--no-charts", "--out"]).arg(&base).assert().success();
    truce()
        .args(["run", "scenarios/endgame.toml", "-n", n, "--no-charts", "--set", "actors.us.pressure=0", "--out"])
        .arg(&with)
        .assert()
        .success();
    let manifest: serde_json::Value = serde_json::from_str(&read(&with, "manifest.json")).unwrap();
    assert_eq!(manifest["overrides"][0], "--set actors.us.pressure=0");
    let entry = manifest["params"].as_array().unwrap().iter().find(|p| p["path"] == "actors.us.pressure").unwrap();
    assert_eq!(entry["value"], "0");
    assert!(entry["source"].as_str().unwrap().starts_with("--set"));
    let p = |dir: &std::path::Path| {
        let s: serde_json::Value = serde_json::from_str(&read(dir, "summary.json")).unwrap();
        s["outcomes"]["settlement"]["p"].as_f64().unwrap()
    };
    let (p0, p1) = (p(&base), p(&with));
    let tol = tol_p(p0, 10_000) + tol_p(p1, 10_000);
    assert!(p0 - p1 > tol, "settlement without pressure {p1} is not clearly below {p0}");
}

/// `runs.csv` of a run of `scenario` (N rollouts, `seed`, no charts), with the folder that holds it.
fn runs_csv(scenario: &str, n: u64, seed: u64) -> (tempfile::TempDir, String) {
    let tmp = tempdir();
    let out = tmp.path().join("run");
    truce().args(["run", scenario, "-n", &n.to_string(), "--seed", &seed.to_string(), "--no-charts", "--out"]).arg(&out).assert().success();
    let runs = read(&out, "runs.csv");
    (tmp, runs)
}

#[test]
fn trace_reproduces_the_row_of_run() {
    let (_tmp, runs) = runs_csv("scenarios/endgame.toml", 300, 11);
    let mut rdr = csv::Reader::from_reader(runs.as_bytes());
    let header = rdr.headers().unwrap().clone();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    for k in [0usize, 17, 123] {
        let mut rdr = csv::Reader::from_reader(runs.as_bytes());
        let row = rdr.records().nth(k).unwrap().unwrap();
        let json =
            truce().args(["trace", "scenarios/endgame.toml", "--seed", "11", "--json", "--rollout", &k.to_string()]).output().unwrap();
        assert!(json.status.success());
        let t: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
        assert_eq!(t["outcome"], row[col("outcome")], "rollout {k}");
        assert_eq!(format!("{:.1}", t["final_area_km2"].as_f64().unwrap()), row[col("final_area_km2")], "rollout {k}");
        let month = |v: &serde_json::Value| v.as_u64().map(|m| m.to_string()).unwrap_or_default();
        assert_eq!(month(&t["settlement_month"]), row[col("settlement_month")], "rollout {k}");
    }
}

/// `trace --find OUTCOME` tells the first rollout of `runs.csv` that ends so, for each outcome the
/// run has; an outcome it does not know is refused with exit code 2 and the list of outcomes.
#[test]
fn trace_find_is_the_first_row_of_run_with_that_outcome() {
    let (_tmp, runs) = runs_csv("scenarios/fight_and_talk.toml", 400, 5);
    let mut rdr = csv::Reader::from_reader(runs.as_bytes());
    let col = rdr.headers().unwrap().iter().position(|h| h == "outcome").unwrap();
    let mut first: Vec<(String, usize)> = Vec::new();
    for (k, row) in rdr.records().enumerate() {
        let o = row.unwrap()[col].to_string();
        if !first.iter().any(|(f, _)| *f == o) {
            first.push((o, k));
        }
    }
    assert!(first.len() >= 2, "the run has several outcomes: {first:?}");
    for (outcome, k) in &first {
        let json = truce().args(["trace", "scenarios/fight_and_talk.toml", "--seed", "5", "--json", "--find", outcome]).output().unwrap();
        assert!(json.status.success(), "{outcome}");
        let t: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
        assert_eq!((t["rollout"].as_u64(), t["outcome"].as_str()), (Some(*k as u64), Some(outcome.as_str())), "{outcome}");
    }
    let bad = truce().args(["trace", "scenarios/fight_and_talk.toml", "--find", "peace"]).output().unwrap();
    assert_eq!(bad.status.code(), Some(2));
    let e = String::from_utf8_lossy(&bad.stderr);
    assert!(e.contains("--find peace: not an outcome; expected one of settlement"), "{e}");
}

#[test]
fn the_resolved_scenario_repeats_the_run() {
    let tmp = tempdir();
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    truce()
        .args(["run", "scenarios/fight_and_talk.toml", "-n", "500", "--no-charts", "--set", "actors.europe.aid=1.1", "--out"])
        .arg(&a)
        .assert()
        .success();
    truce().args(["run", "-n", "500", "--no-charts", "--out"]).arg(&b).arg(a.join("scenario.resolved.toml")).assert().success();
    assert_eq!(read(&a, "runs.csv"), read(&b, "runs.csv"));
    assert_eq!(read(&a, "timeseries.csv"), read(&b, "timeseries.csv"));
}

#[test]
fn bad_input_leaves_the_previous_output_untouched() {
    let tmp = tempdir();
    let out = tmp.path().join("run");
    truce().args(["run", "scenarios/baseline.toml", "-n", "100", "--no-charts", "--out"]).arg(&out).assert().success();
    let before = read(&out, "runs.csv");
    truce().args(["run", "scenarios/baseline.toml", "-n", "100", "--set", "actors.us.aid=-1", "--out"]).arg(&out).assert().code(2);
    assert_eq!(read(&out, "runs.csv"), before);
    // A second good run replaces the folder whole, and nothing temporary is left beside it.
    truce().args(["run", "scenarios/baseline.toml", "-n", "50", "--no-charts", "--out"]).arg(&out).assert().success();
    assert_eq!(read(&out, "runs.csv").lines().count(), 51);
    let names: Vec<String> = fs::read_dir(tmp.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    assert_eq!(names, vec!["run".to_string()]);
}

#[test]
fn runs_csv_has_the_documented_columns() {
    let tmp = tempdir();
    let out = tmp.path().join("run");
    truce().args(["run", "scenarios/endgame.toml", "-n", "20", "--no-charts", "--out"]).arg(&out).assert().success();
    let runs = read(&out, "runs.csv");
    let header = runs.lines().next().unwrap();
    for col in [
        "rollout",
        "outcome",
        "ceasefire_month",
        "settlement_month",
        "terms.territory",
        "final_area_km2",
        "final_area_pct",
        "final_line",
        "cost.russia",
        "utility.us",
        "walked_away",
        "abandoned",
        "breakdowns",
        "p.actors.russia.bias",
        "p.actors.ukraine.ideal.territory",
    ] {
        assert!(header.split(',').any(|h| h == col), "runs.csv lacks {col}: {header}");
    }
    let ts = read(&out, "timeseries.csv");
    for metric in ["area_km2", "p_at_war", "p_ceasefire", "p_settled", "cost.europe"] {
        assert!(ts.lines().any(|l| l.split(',').nth(2) == Some(metric)), "timeseries.csv lacks {metric}");
    }
    let summary: serde_json::Value = serde_json::from_str(&read(&out, "summary.json")).unwrap();
    let keys: Vec<&str> = summary["outcomes"].as_object().unwrap().keys().map(|k| k.as_str()).collect();
    assert_eq!(keys.len(), 6);
    let total: f64 = summary["outcomes"].as_object().unwrap().values().map(|o| o["p"].as_f64().unwrap()).sum();
    assert!((total - 1.0).abs() < 1e-9);
}

#[test]
fn every_shipped_scenario_passes_check_and_prints_its_table() {
    for path in SHIPPED {
        let out = truce().args(["check", path]).output().unwrap();
        assert!(out.status.success(), "{path}: {}", String::from_utf8_lossy(&out.stderr));
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.contains("actor parameter") && text.contains("actors.russia.patience"), "{path}: no table");
        assert!(text.contains(".toml:"), "{path}: the table names no source lines");
    }
    // A --set shows as the source of the value it sets.
    let out = truce().args(["check", "scenarios/baseline.toml", "--set", "actors.us.patience=0.9"]).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let line = text.lines().find(|l| l.starts_with("actors.us.patience ")).unwrap();
    assert!(line.contains("0.9") && line.contains("--set actors.us.patience=0.9"), "{line}");
}

#[test]
fn preferences_are_read_per_actor() {
    // Guards a bug where every actor silently got the default ideal and salience.
    let sc = load("scenarios/baseline.toml", &[]);
    let v = |p: &str| sc.param(p).unwrap().central();
    assert_eq!(v("actors.russia.ideal.territory"), 1.0);
    assert_eq!(v("actors.ukraine.ideal.territory"), 0.15);
    assert_eq!(v("actors.russia.salience.nato"), 0.25);
}

#[test]
fn graph_prints_dot() {
    let out = truce().args(["graph", "scenarios/baseline.toml"]).output().unwrap();
    assert!(out.status.success());
    let dot = String::from_utf8(out.stdout).unwrap();
    assert!(dot.contains("digraph") && dot.contains("United States") && dot.contains("sanctions"), "{dot}");
    // Four links and the two patrons' aid (US and Europe to Ukraine), as on the influence chart,
    // in the chart's palette (aid links bluish green, patrons' aid blue).
    assert_eq!(dot.matches("->").count(), 6, "{dot}");
    assert_eq!(dot.matches("patron aid").count(), 2, "{dot}");
    assert!(dot.contains("label=\"aid 1\" color=\"#009E73\"") && dot.contains("color=\"#0072B2\" style=dashed"), "{dot}");
}

#[test]
fn shipped_scenarios_live_in_the_repo() {
    for path in SHIPPED {
        assert!(root().join(path).exists(), "{path} missing");
    }
}

/// The date rules of docs/scenarios.md: an event dated in the start month happens in month 1;
/// one dated before the start never fires (with a warning); a recurring window that opened
/// before the start fires from month 1 to its end; a proposal dated before the start is never
/// tabled. And the resolved file keeps them.
#[test]
fn date_rules_are_the_documented_ones() {
    let check = truce().args(["check", "tests/bad/base/dates.toml"]).output().unwrap();
    let warnings = String::from_utf8_lossy(&check.stderr);
    assert!(warnings.contains("events.before is dated before the start (2025-04) and never fires"), "{warnings}");
    assert!(warnings.contains("proposals.early is dated before the start and is never tabled"), "{warnings}");
    let tmp = tempdir();
    let out = tmp.path().join("run");
    truce().args(["run", "tests/bad/base/dates.toml", "-n", "50", "--no-charts", "--out"]).arg(&out).assert().success();
    for file in ["tests/bad/base/dates.toml".to_string(), out.join("scenario.resolved.toml").display().to_string()] {
        for rollout in 0..5 {
            let o = truce().args(["trace", &file, "--rollout", &rollout.to_string()]).output().unwrap();
            let text = String::from_utf8_lossy(&o.stdout);
            // (month, event label) for every event line; a month's first line carries the date.
            let mut month = String::new();
            let mut fired = Vec::new();
            for line in text.lines() {
                if line.len() > 7 && line.as_bytes()[4] == b'-' && line[..4].chars().all(|c| c.is_ascii_digit()) {
                    month = line[..7].to_string();
                }
                if let Some(label) = line.split("event: ").nth(1) {
                    fired.push((month.clone(), label.trim().to_string()));
                }
            }
            let at = |label: &str| fired.iter().filter(|(_, l)| l == label).map(|(m, _)| m.as_str()).collect::<Vec<_>>();
            assert_eq!(at("At the start"), ["2025-06"], "{file} rollout {rollout}:\n{text}");
            assert!(at("Before the start").is_empty(), "{file} rollout {rollout}:\n{text}");
            // The window (2025-03 … 2025-07) fires in each simulated month of it while the
            // rollout lasts; month 1 is 2025-06.
            let window = at("Window from before");
            assert!(!window.is_empty() && window[0] == "2025-06" && window.iter().all(|m| *m <= "2025-07"), "{file}: {window:?}");
            assert!(!text.contains("tabled proposal `early`"), "{file} rollout {rollout}:\n{text}");
        }
    }
}

/// Structural uncertainty (MODEL.md §6): a setting drawn per rollout is exactly the fixed
/// setting it drew. Rollout i of the scenario with `protocol = { choice = … }` must equal, in
/// every recorded result, rollout i of the scenario with the protocol fixed at rollout i's draw
/// (the draw comes from the parameter stream's own region, so nothing else moves), and the
/// choices come in their proportions.
#[test]
fn a_drawn_setting_is_exactly_the_fixed_setting_it_drew() {
    let mixed = Model::new(load("scenarios/baseline.toml", &[r#"negotiation.protocol={choice=["package","stepwise"],p=[0.6,0.4]}"#]));
    let fixed = [
        Model::new(load("scenarios/baseline.toml", &[r#"negotiation.protocol="package""#])),
        Model::new(load("scenarios/baseline.toml", &[r#"negotiation.protocol="stepwise""#])),
    ];
    let col = mixed.uncertain.iter().position(|&i| mixed.scenario.params[i].path == "negotiation.protocol").unwrap();
    let (mut s_mixed, mut s_fixed) = (Scratch::new(&mixed), [Scratch::new(&fixed[0]), Scratch::new(&fixed[1])]);
    let n = 3000u64;
    let mut package = 0;
    let mut settled = [0u64; 2];
    for i in 0..n {
        let r = run_rollout(&mixed, 7, i, &mut s_mixed, &mut truce::model::Quiet);
        let k = r.drawn[col] as usize;
        package += (k == 0) as u64;
        let f = run_rollout(&fixed[k], 7, i, &mut s_fixed[k], &mut truce::model::Quiet);
        assert_eq!(
            (r.outcome, r.ceasefire_month, r.settlement_month, r.final_area_km2, &r.costs, &r.terms),
            (f.outcome, f.ceasefire_month, f.settlement_month, f.final_area_km2, &f.costs, &f.terms),
            "rollout {i} (drew choice {k})"
        );
        settled[k] += (r.outcome == Outcome::Settlement) as u64;
    }
    let p = package as f64 / n as f64;
    assert!((p - 0.6).abs() < tol_p(0.6, n), "package drawn in {p} of rollouts");
    // The structures differ, so the choice matters: the mixture is not either one alone.
    assert!(settled[0] > 0, "{settled:?}");
}

/// The manifest records the SHA-256 of every scenario file read (the file and the parents it
/// extends, and `--with` files), computed independently here from the files on disk.
#[test]
fn the_manifest_hashes_every_file_read() {
    use sha2::{Digest, Sha256};
    let tmp = tempdir();
    let with = tmp.path().join("over.toml");
    fs::write(&with, "[actors.us]\npressure = 0.03\n").unwrap();
    let out = tmp.path().join("run");
    truce()
        .args(["run", "scenarios/endgame.toml", "-n", "100", "--no-charts", "--with"])
        .arg(&with)
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let manifest: serde_json::Value = serde_json::from_str(&read(&out, "manifest.json")).unwrap();
    let files = manifest["files"].as_array().unwrap();
    let hex = |bytes: &[u8]| Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect::<String>();
    // The scenario chain, the --with file, and the history series the baseline names.
    for want in [
        root().join("scenarios/endgame.toml"),
        root().join("scenarios/baseline.toml"),
        with.clone(),
        root().join("data/territory_monthly.csv"),
    ] {
        let name = want.file_name().unwrap().to_string_lossy().into_owned();
        let entry =
            files.iter().find(|f| f["path"].as_str().unwrap().ends_with(&name)).unwrap_or_else(|| panic!("{name} not in {files:?}"));
        assert_eq!(entry["sha256"].as_str().unwrap(), hex(&fs::read(&want).unwrap()), "{name}");
    }
    assert_eq!(files.len(), 4, "{files:?}");
}

/// A technical deal (MODEL.md §4.6) lowers every signatory's commitment doubt by its `trust`:
/// with trust 1, from the month it fires the scenario is exactly the one whose signatories never
/// doubted (rollout by rollout, on common random numbers). A short truce quiets the front for its
/// months without ending the war, and both are counted in the record.
#[test]
fn technical_deals_build_trust_and_short_truces_quiet_the_front() {
    let deal = Model::new(load("tests/bad/base/truces.toml", &[]));
    let trusting = Model::new(load("tests/bad/base/no_doubts.toml", &[]));
    let (mut a, mut b) = (Scratch::new(&deal), Scratch::new(&trusting));
    let mut quiet_checked = 0;
    for i in 0..400 {
        let r = run_rollout(&deal, 5, i, &mut a, &mut WarMonths::default());
        let s = run_rollout(&trusting, 5, i, &mut b, &mut Quiet);
        assert_eq!(
            (r.outcome, r.ceasefire_month, r.settlement_month, r.final_area_km2, &r.terms, r.short_truces),
            (s.outcome, s.ceasefire_month, s.settlement_month, s.final_area_km2, &s.terms, s.short_truces),
            "rollout {i}"
        );
        assert_eq!((r.technical_deals, r.first_technical_deal_month), (1, Some(1)), "rollout {i}");
        assert_eq!((s.technical_deals, s.first_technical_deal_month), (0, None));
        // At war when the truce began (month 2): months 2 and 3 are quiet and still at war.
        let mut w = WarMonths::default();
        run_rollout(&deal, 5, i, &mut a, &mut w);
        if w.at_war.get(2) == Some(&true) && w.at_war.get(1) == Some(&true) {
            assert_eq!(r.short_truces, 1, "rollout {i}");
            assert_eq!(w.area[2], w.area[1], "rollout {i}: the front moved in the truce's first month");
            if w.at_war.get(3) == Some(&true) {
                assert_eq!(w.area[3], w.area[2], "rollout {i}: the front moved in the truce's second month");
            }
            quiet_checked += 1;
        } else if w.at_war.get(1) == Some(&false) {
            assert_eq!(r.short_truces, 0, "rollout {i}: no truce outside a war");
        }
    }
    assert!(quiet_checked > 50, "only {quiet_checked} rollouts were at war when the truce came");
}

/// Area and phase by month.
#[derive(Default)]
struct WarMonths {
    area: Vec<f64>,
    at_war: Vec<bool>,
}

impl Observer for WarMonths {
    fn month(&mut self, v: &MonthView<'_>) {
        self.area.push(v.area_km2);
        self.at_war.push(v.at_war);
    }
}

/// The run's printout phrases the medians for the case: with no talks, no rollout has a
/// ceasefire or a settlement, and it says so rather than "in the 0% that signed one".
#[test]
fn the_printout_says_when_no_rollout_had_a_ceasefire() {
    let tmp = tempdir();
    let out = truce()
        .args(["run", "scenarios/baseline.toml", "-n", "200", "--no-charts", "--set", "negotiation.talks_rate=0", "--out"])
        .arg(tmp.path().join("r"))
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("never within the horizon  (no rollout had one)"), "{text}");
    assert!(text.contains("never within the horizon  (no rollout signed one)"), "{text}");
    assert!(!text.contains("in the 0"), "{text}");
}

/// `truce check` prints its tables aligned — every row of the actor × parameter table as wide
/// as its header, however long a key or a name — and lists each setting once, links numbered.
#[test]
fn check_tables_are_aligned_and_settings_distinct() {
    let out = truce().args(["check", "scenarios/baseline.toml"]).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let head = lines.iter().position(|l| l.starts_with("actor parameter")).expect("the actor table");
    let width = lines[head].chars().count();
    for l in lines[head + 1..].iter().take_while(|l| !l.starts_with('(')) {
        assert_eq!(l.chars().count(), width, "misaligned row: {l:?}");
    }
    let settings: Vec<&str> = lines.iter().filter(|l| l.starts_with("links[")).map(|l| l.split_whitespace().next().unwrap()).collect();
    assert!(settings.contains(&"links[1].from") && settings.contains(&"links[4].to"), "{settings:?}");
    let mut unique = settings.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), settings.len(), "a setting is listed twice: {settings:?}");
}
