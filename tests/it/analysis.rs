//! The analysis commands: `compare` (paired intervals on common random numbers), `sweep`
//! (monotone curves, resuming), `sensitivity` (tornado, PRCC, designs) and the SALib notebook.
//!
//! Tolerances come from the sampling error: 4 standard deviations of the quantity checked.

use std::collections::HashMap;
use std::fs;
use std::path::Path;
use std::process::Command;

use truce::analysis::grid::{Grid, Vary};
use truce::analysis::hold::Base;
use truce::analysis::intervals::paired_difference;
use truce::analysis::tally::tally;
use truce::model::{Model, Outcome, Quiet, Scratch, run_rollout};
use truce::scenario::Overrides;

use crate::common::{root, tempdir, truce};

/// Rows of a CSV file as maps from column name to cell.
fn read_csv(path: &Path) -> Vec<HashMap<String, String>> {
    let mut r = csv::Reader::from_path(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let headers = r.headers().unwrap().clone();
    r.records().map(|rec| headers.iter().zip(rec.unwrap().iter()).map(|(h, v)| (h.to_string(), v.to_string())).collect()).collect()
}

/// Runs a command and returns its exit code, stdout and stderr.
fn run(cmd: &mut assert_cmd::Command) -> (i32, String, String) {
    let out = cmd.output().expect("truce runs");
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

/// Asserts that the command exits with `code` and that `stream` (its stdout for 0, else its
/// stderr) contains `says`.
fn expect(cmd: &mut assert_cmd::Command, code: i32, says: &str) {
    let (got, stdout, stderr) = run(cmd);
    assert_eq!(got, code, "exit code {got}, expected {code}\nstdout:\n{stdout}\nstderr:\n{stderr}");
    let text = if code == 0 { &stdout } else { &stderr };
    assert!(text.contains(says), "expected `{says}` in:\n{text}");
}

fn num(row: &HashMap<String, String>, col: &str) -> f64 {
    row[col].parse().unwrap_or_else(|_| panic!("`{col}` = `{}` is not a number", row[col]))
}

/// Width of the paired and of the unpaired interval of each `diff` row of compare.csv, by outcome.
fn widths(dir: &Path) -> Vec<(String, f64, f64, f64, f64)> {
    let rows = read_csv(&dir.join("compare.csv"));
    let p = |o: &str, s: &str| {
        rows.iter().find(|r| r["outcome"] == o && r["scenario"] == s && r["stat"] == "p").map(|r| num(r, "value")).unwrap()
    };
    rows.iter()
        .filter(|r| r["stat"] == "diff")
        .map(|r| {
            let o = r["outcome"].clone();
            let (pa, pb) = (p(&o, &r["vs"]), p(&o, &r["scenario"]));
            (o, pa, pb, num(r, "hi") - num(r, "lo"), num(r, "unpaired_hi") - num(r, "unpaired_lo"))
        })
        .collect()
}

// ---------------------------------------------------------------- compare

/// The paper's pair shares only part of its randomness: after the two scenarios' negotiations
/// diverge, their rollouts draw different numbers. Escalation, a monthly hazard drawn while the
/// war is fought, keeps a clear positive correlation, so its paired interval is narrower. Other
/// outcomes may be correlated either way between two different scenarios (a rollout that
/// settles in endgame may be one that would have frozen in fight-and-talk), so pairing is not
/// promised to narrow them; it must not make them wider than the correlation allows: the
/// paired width is at most √2 × the unpaired one (correlation −1 at equal variances).
#[test]
fn paired_intervals_are_narrower_on_the_papers_pair() {
    let tmp = tempdir();
    let out = tmp.path().join("cmp");
    let n = 10_000u64;
    expect(
        truce()
            .args([
                "compare",
                "scenarios/endgame.toml",
                "scenarios/fight_and_talk.toml",
                "-n",
                &n.to_string(),
                "--seed",
                "11",
                "--no-charts",
                "--out",
            ])
            .arg(&out),
        0,
        "fight_and_talk − endgame",
    );
    let w = widths(&out);
    assert_eq!(w.len(), 6, "one diff row per outcome: {w:?}");
    let mut compared = 0;
    for (o, pa, pb, paired, unpaired) in &w {
        if *pa <= 0.0 || *pa >= 1.0 || *pb <= 0.0 || *pb >= 1.0 {
            continue;
        }
        compared += 1;
        let ratio = paired / unpaired;
        assert!(ratio <= 2f64.sqrt() + 2.0 / (n as f64).sqrt(), "{o}: the paired interval is {ratio:.3} × the unpaired one");
        if o == "escalation" {
            assert!(ratio < 1.0, "escalation: paired {paired:.5} is not narrower than unpaired {unpaired:.5}");
        }
    }
    assert!(compared >= 4, "too few non-degenerate outcomes: {w:?}");
    for dir in ["endgame", "fight_and_talk"] {
        assert!(out.join(dir).join("runs.csv").is_file(), "no run folder for {dir}");
    }
}

/// A variant of one scenario shares almost all of its randomness with it: every
/// non-degenerate outcome's paired interval is narrower, and the labels are distinct.
#[test]
fn a_variant_pairs_tightly_with_its_scenario() {
    let tmp = tempdir();
    let out = tmp.path().join("cmp");
    truce()
        .args(["compare", "scenarios/baseline.toml", "--variant", "pressure=actors.us.pressure=0.03", "-n", "4000", "--no-charts", "--out"])
        .arg(&out)
        .assert()
        .success();
    let mut compared = 0;
    for (o, pa, pb, paired, unpaired) in widths(&out) {
        if pa > 0.0 && pa < 1.0 && pb > 0.0 && pb < 1.0 {
            compared += 1;
            assert!(paired < unpaired, "{o}: paired {paired:.5} is not narrower than unpaired {unpaired:.5}");
        }
    }
    assert!(compared >= 3, "too few non-degenerate outcomes");
    let json: serde_json::Value = serde_json::from_str(&fs::read_to_string(out.join("compare.json")).unwrap()).unwrap();
    let labels: Vec<&str> = json["subjects"].as_array().unwrap().iter().map(|s| s["label"].as_str().unwrap()).collect();
    assert_eq!(labels, ["baseline", "pressure"]);
}

#[test]
fn compare_needs_two_distinct_subjects() {
    let tmp = tempdir();
    let out = tmp.path().join("cmp");
    expect(truce().args(["compare", "scenarios/baseline.toml", "-n", "10", "--out"]).arg(&out), 2, "needs two scenarios or more");
    expect(
        truce().args(["compare", "scenarios/baseline.toml", "--variant", "baseline=actors.us.pressure=0.1", "-n", "10", "--out"]).arg(&out),
        2,
        "already taken",
    );
    // The same file twice gets two labels.
    truce()
        .args(["compare", "scenarios/baseline.toml", "scenarios/baseline.toml", "-n", "50", "--no-charts", "--out"])
        .arg(&out)
        .assert()
        .success();
    assert!(out.join("baseline").is_dir() && out.join("baseline_2").is_dir());
    assert!(
        !tmp.path().read_dir().unwrap().any(|e| e.unwrap().file_name().to_string_lossy().contains(".tmp-")),
        "a temporary folder was left"
    );
}

// ---------------------------------------------------------------- sweep

/// More US pressure on the parties makes a settlement more likely in the endgame scenario
/// (docs/model.md: pressure pushes a refusing party toward accepting). Each step of the curve
/// must not fall by more than 4 standard deviations of its paired difference.
#[test]
fn a_sweep_of_pressure_gives_a_monotone_settlement_curve() {
    let base = Base::load(&root().join("scenarios/endgame.toml"), &Overrides::default()).unwrap();
    let grid = Grid::new(&base, &[Vary::parse("actors.us.pressure=0..0.1:6").unwrap()]).unwrap();
    let (n, seed) = (2_000, 5);
    let ind: Vec<Vec<bool>> = (0..grid.points.len())
        .map(|i| {
            let m = Model::new(base.at("--vary", &grid.held(i)).unwrap());
            tally(&m, n, seed, 2, false, |_| {}).indicator(Outcome::Settlement)
        })
        .collect();
    for k in 1..ind.len() {
        let d = paired_difference(&ind[k - 1], &ind[k]);
        let sd = (d.hi - d.value) / truce::analysis::intervals::Z95;
        assert!(d.value > -4.0 * sd, "settlement falls by {:.4} (sd {sd:.4}) from point {} to {k}", -d.value, k - 1);
    }
    let share = |v: &[bool]| v.iter().filter(|&&b| b).count() as f64 / n as f64;
    let rise = share(&ind[ind.len() - 1]) - share(&ind[0]);
    let sd = (paired_difference(&ind[0], &ind[ind.len() - 1]).hi - rise) / truce::analysis::intervals::Z95;
    assert!(rise > 4.0 * sd, "no clear rise over the sweep: {rise:.4} (sd {sd:.4})");

    // The command gives the same figures as the library.
    let tmp = tempdir();
    let out = tmp.path().join("sweep");
    truce()
        .args(["sweep", "scenarios/endgame.toml", "--vary", "actors.us.pressure=0..0.1:6", "-n", "2000", "--seed", "5", "--out"])
        .arg(&out)
        .assert()
        .success();
    let rows = read_csv(&out.join("sweep.csv"));
    assert_eq!(rows.len(), 6);
    for (k, row) in rows.iter().enumerate() {
        assert_eq!(row["settlement"], format!("{:.5}", share(&ind[k])), "point {k}");
    }
    assert!(out.join("charts/sweep_outcomes.png").is_file());
}

/// A point's rollouts depend on nothing but the point: holding a drawn parameter at a value
/// leaves every other parameter's draw of rollout i as it was.
#[test]
fn holding_a_drawn_parameter_keeps_the_other_draws() {
    let base = Base::load(&root().join("scenarios/endgame.toml"), &Overrides::default()).unwrap();
    let sc = &base.scenario;
    let uncertain = sc.uncertain();
    assert!(uncertain.len() >= 2, "endgame has several uncertain parameters");
    let j = 1;
    let path = sc.params[uncertain[j]].path.clone();
    let held = Model::new(base.at("a test", &[(path.clone(), sc.params[uncertain[j]].central())]).unwrap());
    let free = Model::new(sc.clone());
    assert_eq!(held.uncertain, free.uncertain, "holding {path} changed the list of drawn parameters");
    let (mut s1, mut s2) = (Scratch::new(&free), Scratch::new(&held));
    for i in 0..200 {
        let a = run_rollout(&free, 9, i, &mut s1, &mut Quiet).drawn;
        let b = run_rollout(&held, 9, i, &mut s2, &mut Quiet).drawn;
        for k in 0..a.len() {
            if k == j {
                assert_eq!(b[k], sc.params[uncertain[j]].central());
            } else {
                assert_eq!(a[k], b[k], "rollout {i}: the draw of {} moved", sc.params[uncertain[k]].path);
            }
        }
    }
}

/// An interrupted sweep resumes from its finished points: only the missing ones run, and the
/// final sweep.csv and charts are byte-identical to a sweep run in one go.
#[test]
fn resume_runs_only_the_missing_points() {
    let tmp = tempdir();
    let args = |out: &Path| {
        let mut c = truce();
        // Six points, two parameters, so the heatmap is drawn too.
        c.args(["sweep", "scenarios/endgame.toml", "--vary", "actors.us.pressure=0..0.1:3", "--vary", "negotiation.talks_rate=0.2..0.6:2"]);
        c.args(["-n", "500", "--size", "800x500", "--out"]).arg(out);
        c
    };
    let fresh = tmp.path().join("fresh");
    args(&fresh).assert().success();
    let full = fs::read_to_string(fresh.join("sweep.csv")).unwrap();

    // Interrupted after two points, in the middle of writing the third row.
    let cut = tmp.path().join("cut");
    args(&cut).assert().success();
    let lines: Vec<&str> = full.lines().collect();
    let partial = format!("{}\n{}\n{}\n{}", lines[0], lines[1], lines[2], &lines[3][..lines[3].len() / 2]);
    fs::write(cut.join("sweep.csv"), partial).unwrap();
    let json_path = cut.join("sweep.json");
    let mut json: serde_json::Value = serde_json::from_str(&fs::read_to_string(&json_path).unwrap()).unwrap();
    json["progress"]["complete"] = serde_json::Value::Bool(false);
    fs::write(&json_path, json.to_string()).unwrap();

    // Without --resume an unfinished sweep is not overwritten.
    expect(&mut args(&cut), 2, "2 of 6 points done");
    // With a different N it cannot be resumed.
    expect(
        truce()
            .args([
                "sweep",
                "scenarios/endgame.toml",
                "--vary",
                "actors.us.pressure=0..0.1:3",
                "--vary",
                "negotiation.talks_rate=0.2..0.6:2",
                "-n",
                "400",
                "--no-charts",
                "--resume",
                "--out",
            ])
            .arg(&cut),
        2,
        "differs in its N",
    );

    expect(args(&cut).arg("--resume"), 0, "resuming: 2 of 6 points already done; running 4");
    let json: serde_json::Value = serde_json::from_str(&fs::read_to_string(&json_path).unwrap()).unwrap();
    assert_eq!(json["progress"]["ran"], 4);
    assert_eq!(json["progress"]["skipped"], 2);
    assert_eq!(json["progress"]["complete"], true);
    assert_eq!(fs::read_to_string(cut.join("sweep.csv")).unwrap(), full);
    // The charts are drawn from the figures sweep.csv holds, read back or just computed. (At
    // these settings the heatmap agrees even when they are not; the two-parameter sweep of
    // tests/it/shards_analyses.rs is the one that fails then.)
    for chart in ["sweep_heatmap.png", "sweep_heatmap.svg"] {
        assert!(
            fs::read(fresh.join("charts").join(chart)).unwrap() == fs::read(cut.join("charts").join(chart)).unwrap(),
            "{chart} differs"
        );
    }
}

#[test]
fn bad_vary_is_a_usage_error() {
    let tmp = tempdir();
    let out = tmp.path().join("s");
    let check = |vary: &str, says: &str| {
        expect(truce().args(["sweep", "scenarios/baseline.toml", "-n", "10", "--vary", vary, "--out"]).arg(&out), 2, says);
    };
    check("actors.us.presure=0..0.1:3", "did you mean `actors.us.pressure`?");
    check("actors.us.pressure=0.1..0:3", "LO must be below HI");
    check("actors.us.pressure=0..0.1:1", "STEPS must be at least 2");
    check("actors.us.pressure=0..20:3", "must be in [0, 10]");
    // A setting is varied by the index of its choice: 0.5 is none of them.
    check("negotiation.protocol=0..1:3", "is not a choice");
    check("negotiation.mediator=0..1:2", "text setting");
    check("actors.us.pressure=zero..1:2", "is not a number");
}

// ---------------------------------------------------------------- sensitivity

/// A drawn setting (the baseline's protocol) is held at its choices, printed by name; the
/// package end settles more than the stepwise end (packages can be signed at war).
#[test]
fn a_drawn_setting_is_held_at_its_choices_by_name() {
    let tmp = tempdir();
    let out = tmp.path().join("sens");
    let (code, stdout, stderr) = run(truce()
        .args(["sensitivity", "scenarios/baseline.toml", "--metric", "settlement", "-n", "2000", "--seed", "3", "--no-charts", "--out"])
        .arg(&out));
    assert_eq!(code, 0, "{stderr}");
    let line = stdout.lines().find(|l| l.starts_with("negotiation.protocol") && l.contains('%')).expect("a tornado row for the protocol");
    assert!(line.contains("package") && line.contains("stepwise"), "{line}");
    let tornado = read_csv(&out.join("tornado.csv"));
    let t = tornado.iter().find(|r| r["param"] == "negotiation.protocol").unwrap();
    assert_eq!((num(t, "p10"), num(t, "p90")), (0.0, 1.0), "tornado.csv keeps the choices' indices");
    assert!(num(t, "effect") < 0.0, "stepwise should settle less than package: {}", num(t, "effect"));
}

/// The tornado is sorted by the size of the effect, and parameters whose mechanism is clear
/// have the expected sign: the more endurance Ukraine has (`actors.ukraine.endurance`), the
/// less likely it sees its front or endurance give way within its horizon, so the more fighting
/// on is worth to it and the fewer settlements — in both measures; and the higher Russia's
/// demand on guarantees (`actors.russia.ideal.guarantees`), the further any deal is from what
/// it accepts — in the tornado, whose paired effect is the sharper measure (its PRCC, −0.011 at
/// N = 20,000 with the local-level front, is within sampling error of zero). Each must be below
/// zero by 4 standard deviations.
#[test]
fn sensitivity_ranks_the_parameters_with_the_expected_signs() {
    let tmp = tempdir();
    let out = tmp.path().join("sens");
    // N = 20,000 gives the test power: the PRCC of Ukraine's endurance (about −0.04) is then
    // more than 5 sd from zero.
    let n = 20_000.0;
    expect(
        truce().args(["sensitivity", "scenarios/endgame.toml", "--metric", "settlement", "-n", "20000", "--seed", "3", "--out"]).arg(&out),
        0,
        "partial rank correlation with settlement",
    );
    let tornado = read_csv(&out.join("tornado.csv"));
    let effects: Vec<f64> = tornado.iter().map(|r| num(r, "effect").abs()).collect();
    assert!(effects.windows(2).all(|w| w[0] >= w[1]), "tornado.csv is not sorted by |effect|: {effects:?}");
    let k = tornado.len() as f64;
    assert_eq!(k as usize, Base::load(&root().join("scenarios/endgame.toml"), &Overrides::default()).unwrap().scenario.uncertain().len());
    for path in ["actors.ukraine.endurance", "actors.russia.ideal.guarantees"] {
        let t = tornado.iter().find(|r| r["param"] == path).expect("the parameter is in the tornado");
        assert!(num(t, "p10") < num(t, "p90"));
        let sd = (num(t, "effect_hi") - num(t, "effect")) / truce::analysis::intervals::Z95;
        assert!(num(t, "effect") + 4.0 * sd < 0.0, "tornado effect of {path}: {} (sd {sd})", num(t, "effect"));
    }
    let path = "actors.ukraine.endurance";

    let prcc = read_csv(&out.join("sensitivity.csv"));
    let p = prcc.iter().find(|r| r["outcome"] == "settlement" && r["param"] == path).expect("a PRCC row");
    // Fisher's z has sd 1/√(N − 3 − (k − 1)); near 0 the PRCC's sd is about the same.
    let sd = 1.0 / (n - 3.0 - (k - 1.0)).sqrt();
    assert!(num(p, "prcc") + 4.0 * sd < 0.0, "PRCC of {path} with settlement: {}", num(p, "prcc"));
    assert_eq!(prcc.len(), 6 * k as usize, "one PRCC per parameter and outcome");
    assert!(out.join("charts/tornado.png").is_file());
}

/// A design file gets one result row per design row, its own columns echoed, and each row's
/// six probabilities add up to 1.
#[test]
fn a_design_gets_one_row_per_design_row() {
    let tmp = tempdir();
    let design = tmp.path().join("design.csv");
    fs::write(&design, "actors.us.pressure,negotiation.talks_rate\n0,0.3\n0.05,0.5\n0.1,0.7\n0.02,0.9\n").unwrap();
    let out = tmp.path().join("d");
    truce()
        .args(["sensitivity", "scenarios/baseline.toml", "-n", "300", "--design"])
        .arg(&design)
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let rows = read_csv(&out.join("design_results.csv"));
    assert_eq!(rows.len(), 4);
    assert_eq!(rows[1]["actors.us.pressure"], "0.05");
    assert_eq!(rows[3]["negotiation.talks_rate"], "0.9");
    for r in &rows {
        let total: f64 = Outcome::ALL.iter().map(|o| num(r, o.name())).sum();
        assert!((total - 1.0).abs() < 1e-4, "probabilities add up to {total}");
    }
    // The design's values act: each row is exactly the run with those values set (same seed,
    // same rollouts), and rows with different values differ.
    for (k, (pressure, rate)) in [(1, ("0.05", "0.5")), (2, ("0.1", "0.7"))] {
        let run = tmp.path().join(format!("run{k}"));
        truce()
            .args(["run", "scenarios/baseline.toml", "-n", "300", "--no-charts", "--set"])
            .arg(format!("actors.us.pressure={pressure}"))
            .arg("--set")
            .arg(format!("negotiation.talks_rate={rate}"))
            .arg("--out")
            .arg(&run)
            .assert()
            .success();
        let summary: serde_json::Value = serde_json::from_str(&fs::read_to_string(run.join("summary.json")).unwrap()).unwrap();
        for o in Outcome::ALL {
            let p = summary["outcomes"][o.name()]["p"].as_f64().unwrap();
            // design_results.csv writes 5 decimals.
            assert!(
                (num(&rows[k], o.name()) - p).abs() <= 5e-6,
                "design row {k}, {}: {} vs the run's {p}",
                o.name(),
                num(&rows[k], o.name())
            );
        }
    }
    let differ = Outcome::ALL.iter().any(|o| num(&rows[0], o.name()) != num(&rows[3], o.name()));
    assert!(differ, "rows with different values gave identical results");
    fs::write(&design, "actors.us.pressure,negotiation.talk_rate\n0,0.3\n").unwrap();
    expect(
        truce().args(["sensitivity", "scenarios/baseline.toml", "-n", "10", "--design"]).arg(&design).arg("--out").arg(&out),
        2,
        "did you mean `negotiation.talks_rate`?",
    );
}

// ---------------------------------------------------------------- notebook

/// notebooks/sensitivity_salib.ipynb makes a Sobol design with SALib, has `truce sensitivity
/// --design` evaluate it and analyses the result, headless.
#[test]
fn salib_notebook_executes() {
    let tmp = tempdir();
    let executed = tmp.path().join("salib.ipynb");
    let bin = assert_cmd::cargo::cargo_bin("truce");
    let out = Command::new(crate::notebook::python())
        .arg(root().join("notebooks/execute.py"))
        .arg(root().join("notebooks/sensitivity_salib.ipynb"))
        .arg("--out")
        .arg(&executed)
        .env("TRUCE_BIN", &bin)
        .env("TRUCE_WORK", tmp.path().join("work"))
        .env("MPLCONFIGDIR", tmp.path().join("mpl"))
        .output()
        .expect("python runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "notebook failed:\n{stderr}\n{}", String::from_utf8_lossy(&out.stdout));
    let ran: serde_json::Value = serde_json::from_str(&fs::read_to_string(&executed).unwrap()).unwrap();
    let text: String = ran["cells"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["outputs"].as_array().cloned().unwrap_or_default())
        .filter_map(|o| o["text"].as_array().map(|t| t.iter().filter_map(|l| l.as_str()).collect::<String>()))
        .collect();
    assert!(text.contains("design rows evaluated"), "the notebook did not report its design: {text}");
    // The indices the notebook computed: one row per explored parameter, each a finite share
    // within [0, 1] up to its bootstrap interval, and the total effect at least the first-order.
    let indices = read_csv(&tmp.path().join("work/sobol_indices.csv"));
    let mut names: Vec<&str> = indices.iter().map(|r| r["param"].as_str()).collect();
    names.sort();
    assert_eq!(names, ["actors.russia.drain", "actors.ukraine.drain", "actors.us.aid"], "{text}");
    for r in &indices {
        let (s1, st, c1, ct) = (num(r, "S1"), num(r, "ST"), num(r, "S1_conf"), num(r, "ST_conf"));
        assert!([s1, st, c1, ct].iter().all(|v| v.is_finite()), "{r:?}");
        assert!(st >= -ct && st <= 1.0 + ct, "ST out of [0, 1]: {r:?}");
        assert!(st + ct >= s1 - c1, "ST below S1 beyond their intervals: {r:?}");
    }
    let nb: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(root().join("notebooks/sensitivity_salib.ipynb")).unwrap()).unwrap();
    for cell in nb["cells"].as_array().unwrap().iter().filter(|c| c["cell_type"] == "code") {
        assert_eq!(cell["outputs"], serde_json::json!([]), "committed notebook has outputs");
    }
}

/// Outputs do not depend on the number of threads, for every command that runs rollouts:
/// compare, sweep, sensitivity (tornado and PRCC) and a design, at 1 and 2 threads.
#[test]
fn analyses_are_byte_identical_at_1_and_2_threads() {
    let tmp = crate::common::tempdir();
    let design = tmp.path().join("design.csv");
    std::fs::write(&design, "actors.us.pressure,negotiation.talks_rate\n0.01,0.3\n0.03,0.5\n").unwrap();
    let runs: Vec<(&str, Vec<String>, &[&str])> = vec![
        (
            "compare",
            ["compare", "scenarios/endgame.toml", "scenarios/fight_and_talk.toml", "-n", "1500", "--no-charts"].map(String::from).to_vec(),
            &["compare.csv", "endgame/runs.csv", "fight_and_talk/summary.json"],
        ),
        (
            "sweep",
            ["sweep", "scenarios/endgame.toml", "--vary", "actors.us.pressure=0..0.06:3", "-n", "1500", "--no-charts"]
                .map(String::from)
                .to_vec(),
            &["sweep.csv"],
        ),
        (
            "sensitivity",
            ["sensitivity", "scenarios/endgame.toml", "-n", "400", "--no-charts"].map(String::from).to_vec(),
            &["tornado.csv", "sensitivity.csv"],
        ),
        (
            "design",
            vec![
                "sensitivity".into(),
                "scenarios/baseline.toml".into(),
                "--design".into(),
                design.display().to_string(),
                "-n".into(),
                "800".into(),
            ],
            &["design_results.csv"],
        ),
    ];
    for (name, args, files) in runs {
        let mut texts = Vec::new();
        for t in ["1", "2"] {
            let out = tmp.path().join(format!("{name}-{t}"));
            truce().args(&args).args(["--threads", t, "--out"]).arg(&out).assert().success();
            texts.push(files.iter().map(|f| std::fs::read(out.join(f)).unwrap_or_else(|e| panic!("{name}: {f}: {e}"))).collect::<Vec<_>>());
        }
        for (k, f) in files.iter().enumerate() {
            assert!(texts[0][k] == texts[1][k], "{name}: {f} differs between 1 and 2 threads");
        }
    }
}
