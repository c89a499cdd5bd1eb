//! Damaged run folders stop the notebooks with one line that names the file and says what is wrong
//! (`notebooks/truce_runs.py`), never with a raw `KeyError` or `JSONDecodeError` traceback, and
//! never silently (a renamed field used to draw "never happened").
//!
//! One good run is copied into many damaged variants. The loader itself checks every variant in a
//! single Python process (fast); the whole notebook runs, through `execute.py`, on three of them.

use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};

use serde_json::{Value, json};

use crate::common::{root, tempdir, truce};
use crate::notebook::python;

const N: usize = 200;

/// A damaged copy of the good run: `file` is the file at fault, `expect` what the message must say.
struct Case {
    name: &'static str,
    file: &'static str,
    expect: &'static [&'static str],
    damage: fn(&Path),
}

fn read(dir: &Path, file: &str) -> String {
    fs::read_to_string(dir.join(file)).unwrap_or_else(|e| panic!("{}: {e}", dir.join(file).display()))
}

fn write(dir: &Path, file: &str, text: &str) {
    fs::write(dir.join(file), text).unwrap();
}

/// Edits summary.json as JSON. A string value "NaN" is written as the bare token `NaN`, which
/// Python's json module reads as a float NaN.
fn edit_summary(dir: &Path, f: impl FnOnce(&mut Value)) {
    let mut v: Value = serde_json::from_str(&read(dir, "summary.json")).unwrap();
    f(&mut v);
    let text = serde_json::to_string_pretty(&v).unwrap().replace("\"NaN\"", "NaN");
    write(dir, "summary.json", &text);
}

/// Edits a CSV file as lines of comma-separated cells (truce's CSV files quote nothing).
fn edit_csv(dir: &Path, file: &str, f: impl FnOnce(&mut Vec<Vec<String>>)) {
    let mut rows: Vec<Vec<String>> = read(dir, file).lines().map(|l| l.split(',').map(String::from).collect()).collect();
    f(&mut rows);
    let text: String = rows.iter().map(|r| r.join(",") + "\n").collect();
    write(dir, file, &text);
}

fn drop_column(rows: &mut [Vec<String>], name: &str) {
    let i = rows[0].iter().position(|c| c == name).unwrap_or_else(|| panic!("no column {name}"));
    for r in rows.iter_mut() {
        r.remove(i);
    }
}

fn set_cell(rows: &mut [Vec<String>], row: usize, pick: impl Fn(&str) -> bool, value: &str) {
    let i = rows[0].iter().position(|c| pick(c.as_str())).expect("the column exists");
    rows[row][i] = value.to_string();
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "summary_missing",
            file: "summary.json",
            expect: &["file is missing"],
            damage: |d| fs::remove_file(d.join("summary.json")).unwrap(),
        },
        Case {
            name: "summary_truncated",
            file: "summary.json",
            expect: &["is not valid JSON", "at line ", "column ", "cut short"],
            damage: |d| {
                let text = read(d, "summary.json");
                write(d, "summary.json", &text[..text.len() / 3]);
            },
        },
        Case { name: "summary_empty", file: "summary.json", expect: &["file is empty"], damage: |d| write(d, "summary.json", "") },
        Case {
            name: "summary_field_renamed",
            file: "summary.json",
            expect: &["field `settlement_by_month` is missing", "settlement_by_months"],
            damage: |d| {
                let text = read(d, "summary.json").replace("\"settlement_by_month\"", "\"settlement_by_months\"");
                write(d, "summary.json", &text);
            },
        },
        Case {
            name: "summary_outcome_missing",
            file: "summary.json",
            expect: &["field `outcomes.escalation` is missing"],
            damage: |d| edit_summary(d, |s| drop(s["outcomes"].as_object_mut().unwrap().remove("escalation"))),
        },
        Case {
            name: "summary_p_out_of_range",
            file: "summary.json",
            expect: &["field `outcomes.settlement.p`", "in [0, 1]", "1.5"],
            damage: |d| edit_summary(d, |s| s["outcomes"]["settlement"]["p"] = json!(1.5)),
        },
        Case {
            // serde_json writes a NaN as null.
            name: "summary_p_null",
            file: "summary.json",
            expect: &["field `ceasefire_by_month[3].p`", "null"],
            damage: |d| edit_summary(d, |s| s["ceasefire_by_month"][3]["p"] = Value::Null),
        },
        Case {
            name: "summary_ci_nan",
            file: "summary.json",
            expect: &["field `outcomes.ceasefire.ci95[1]`", "finite", "nan"],
            damage: |d| edit_summary(d, |s| s["outcomes"]["ceasefire"]["ci95"][1] = json!("NaN")),
        },
        Case {
            name: "summary_n_string",
            file: "summary.json",
            expect: &["field `n` must be a whole number", "a string"],
            damage: |d| edit_summary(d, |s| s["n"] = json!(N.to_string())),
        },
        Case {
            name: "summary_curve_not_list",
            file: "summary.json",
            expect: &["field `settlement_by_month` must be a list", "an object"],
            damage: |d| edit_summary(d, |s| s["settlement_by_month"] = json!({})),
        },
        Case {
            name: "summary_unknown_outcome",
            file: "summary.json",
            expect: &["field `outcomes` has `peace`, which is not one of its fields", "settlement, ceasefire"],
            damage: |d| edit_summary(d, |s| s["outcomes"]["peace"] = s["outcomes"]["settlement"].clone()),
        },
        Case {
            name: "summary_bad_start",
            file: "summary.json",
            expect: &["field `start` must be a month written YYYY-MM", "\"2025-13\""],
            damage: |d| edit_summary(d, |s| s["start"] = json!("2025-13")),
        },
        Case {
            // A field of a nested record, found through the schema's definitions.
            name: "summary_issue_label_missing",
            file: "summary.json",
            expect: &["field `issues[0].label1` is missing"],
            damage: |d| edit_summary(d, |s| drop(s["issues"][0].as_object_mut().unwrap().remove("label1"))),
        },
        Case {
            name: "summary_counts_do_not_add_up",
            file: "summary.json",
            expect: &["the outcome counts add up to", "but `n` is"],
            damage: |d| {
                edit_summary(d, |s| {
                    let c = s["outcomes"]["settlement"]["count"].as_u64().unwrap() + 1;
                    s["outcomes"]["settlement"]["count"] = json!(c);
                    s["outcomes"]["settlement"]["p"] = json!(c as f64 / N as f64);
                })
            },
        },
        Case {
            name: "manifest_truncated",
            file: "manifest.json",
            expect: &["is not valid JSON", "at line "],
            damage: |d| {
                let text = read(d, "manifest.json");
                write(d, "manifest.json", &text[..text.len() / 2]);
            },
        },
        Case {
            name: "runs_missing_column",
            file: "runs.csv",
            expect: &["column `outcome` is missing"],
            damage: |d| edit_csv(d, "runs.csv", |r| drop_column(r, "outcome")),
        },
        Case {
            name: "runs_fewer_rows",
            file: "runs.csv",
            expect: &["has 100 rollout row(s)", "n = 200"],
            damage: |d| edit_csv(d, "runs.csv", |r| r.truncate(1 + N / 2)),
        },
        Case {
            name: "runs_unknown_outcome",
            file: "runs.csv",
            expect: &["column `outcome` must be one of", "line 6", "\"peace\""],
            damage: |d| edit_csv(d, "runs.csv", |r| set_cell(r, 5, |c| c == "outcome", "peace")),
        },
        Case {
            name: "runs_param_nan",
            file: "runs.csv",
            expect: &["column `p.", "empty or NaN value at line 11"],
            damage: |d| edit_csv(d, "runs.csv", |r| set_cell(r, 10, |c| c.starts_with("p."), "NaN")),
        },
        Case {
            name: "runs_param_text",
            file: "runs.csv",
            expect: &["column `p.", "must be numeric", "line 4", "\"abc\""],
            damage: |d| edit_csv(d, "runs.csv", |r| set_cell(r, 3, |c| c.starts_with("p."), "abc")),
        },
        Case { name: "runs_empty", file: "runs.csv", expect: &["file is empty"], damage: |d| write(d, "runs.csv", "") },
        Case {
            name: "timeseries_missing",
            file: "timeseries.csv",
            expect: &["file is missing"],
            damage: |d| fs::remove_file(d.join("timeseries.csv")).unwrap(),
        },
        Case {
            name: "timeseries_missing_column",
            file: "timeseries.csv",
            expect: &["column `p50` is missing"],
            damage: |d| edit_csv(d, "timeseries.csv", |r| drop_column(r, "p50")),
        },
        Case {
            name: "timeseries_ragged",
            file: "timeseries.csv",
            expect: &["is not valid CSV", "Expected 9 fields"],
            damage: |d| edit_csv(d, "timeseries.csv", |r| r.insert(5, (0..12).map(|i| i.to_string()).collect())),
        },
    ]
}

/// The cases `execute.py` runs the whole notebook on (the rest check the loader only).
const NOTEBOOK_CASES: &[&str] = &["summary_truncated", "summary_field_renamed", "runs_missing_column"];

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        assert!(entry.file_type().unwrap().is_file(), "a --no-charts run folder holds only files");
        fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
    }
}

/// Calls the loader on each folder in one Python process; returns name -> (exception type,
/// message), with an empty type when the folder loaded.
const LOADER_SCRIPT: &str = r#"
import json, sys
sys.path.insert(0, sys.argv[1])
import pandas as pd
import truce_runs
out = {}
for case in json.loads(sys.argv[2]):
    try:
        if case["kind"] == "run":
            truce_runs.load_run(case["path"])
        else:
            design = pd.read_csv(case["design"])
            truce_runs.load_design_results(case["path"], design, case["metric"])
        out[case["name"]] = ["", ""]
    except Exception as e:
        out[case["name"]] = [type(e).__name__, str(e)]
print(json.dumps(out))
"#;

fn run_loader(cases: &Value) -> serde_json::Map<String, Value> {
    let out = Command::new(python())
        .arg("-B")
        .arg("-c")
        .arg(LOADER_SCRIPT)
        .arg(root().join("notebooks"))
        .arg(cases.to_string())
        .output()
        .expect("python runs");
    assert!(out.status.success(), "the loader script failed:\n{}", String::from_utf8_lossy(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).expect("the loader script prints JSON");
    v.as_object().unwrap().clone()
}

fn check_message(name: &str, file: &Path, expect: &[&str], got: &Value) {
    let (kind, msg) = (got[0].as_str().unwrap(), got[1].as_str().unwrap());
    assert_eq!(kind, "RunFolderError", "{name}: expected a RunFolderError, got {kind}: {msg}");
    let shown = file.display().to_string();
    assert!(msg.starts_with(&format!("{shown}: ")), "{name}: the message does not start with the file {shown}:\n{msg}");
    for e in expect {
        assert!(msg.contains(e), "{name}: the message does not say `{e}`:\n{msg}");
    }
    assert!(!msg.contains('\n'), "{name}: the message is not one line:\n{msg}");
    assert!(msg.contains("Re-run `truce") || msg.contains("re-run `truce"), "{name}: the message does not say how to fix it:\n{msg}");
}

#[test]
fn damaged_run_folders_are_named_and_explained() {
    let tmp = tempdir();
    let good = tmp.path().join("good");
    truce().args(["run", "scenarios/endgame.toml", "-n", &N.to_string(), "--no-charts", "--out"]).arg(&good).assert().success();

    let cases = cases();
    let mut specs = vec![json!({"name": "good", "kind": "run", "path": good})];
    let mut dirs = Vec::new();
    for c in &cases {
        let dir = tmp.path().join(c.name);
        copy_dir(&good, &dir);
        (c.damage)(&dir);
        specs.push(json!({"name": c.name, "kind": "run", "path": dir}));
        dirs.push(dir);
    }
    let missing = tmp.path().join("no_such_run");
    specs.push(json!({"name": "folder_missing", "kind": "run", "path": missing}));
    specs.push(json!({"name": "folder_is_file", "kind": "run", "path": good.join("runs.csv")}));

    let got = run_loader(&Value::Array(specs));
    assert_eq!(got["good"], json!(["", ""]), "the good run does not load");
    for (c, dir) in cases.iter().zip(&dirs) {
        check_message(c.name, &dir.join(c.file), c.expect, &got[c.name]);
    }
    let msg = got["folder_missing"][1].as_str().unwrap();
    assert_eq!(got["folder_missing"][0], "RunFolderError");
    assert!(msg.starts_with(&missing.display().to_string()) && msg.contains("run folder not found"), "{msg}");
    let msg = got["folder_is_file"][1].as_str().unwrap();
    assert_eq!(got["folder_is_file"][0], "RunFolderError");
    assert!(msg.contains("runs.csv: is not a folder"), "{msg}");

    // The whole notebook, on a few of them, side by side with the good run.
    let children: Vec<_> = NOTEBOOK_CASES
        .iter()
        .map(|name| {
            let dir = tmp.path().join(name);
            let child = Command::new(python())
                .arg(root().join("notebooks/execute.py"))
                .arg(root().join("notebooks/scenario_report.ipynb"))
                .arg(&good)
                .arg(&dir)
                .env("MPLCONFIGDIR", tmp.path().join(format!("mpl-{name}")))
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("python runs");
            (*name, dir, child)
        })
        .collect();
    for (name, dir, child) in children {
        let case = cases.iter().find(|c| c.name == name).unwrap();
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{name}: execute.py should fail with status 1:\n{stderr}");
        for raw in ["Traceback", "KeyError", "JSONDecodeError", "---->"] {
            assert!(!stderr.contains(raw), "{name}: stderr shows `{raw}`:\n{stderr}");
        }
        let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
        assert!(lines.len() <= 3, "{name}: stderr is {} lines, not one message:\n{stderr}", lines.len());
        let last = lines.last().copied().unwrap_or_default();
        let file = dir.join(case.file).display().to_string();
        assert!(
            last.starts_with("execute.py: scenario_report.ipynb failed: ") && last.contains("RunFolderError: ") && last.contains(&file),
            "{name}: the last line of stderr does not name {file}:\n{stderr}"
        );
        for e in case.expect {
            assert!(last.contains(e), "{name}: stderr does not say `{e}`:\n{stderr}");
        }
    }
}

#[test]
fn damaged_design_results_are_named_and_explained() {
    let tmp = tempdir();
    let design = tmp.path().join("design.csv");
    fs::write(&design, "actors.russia.drain,actors.us.aid\n0.02,1.0\n0.015,0.5\n0.025,1.5\n").unwrap();
    let good = tmp.path().join("good");
    truce()
        .args(["sensitivity", "scenarios/baseline.toml", "--design"])
        .arg(&design)
        .args(["-n", "50", "--out"])
        .arg(&good)
        .assert()
        .success();

    // (name, the design to compare with, damage to design_results.csv, what the message says)
    type Damage = fn(&Path);
    let other = tmp.path().join("other_design.csv");
    fs::write(&other, "actors.russia.drain,actors.us.aid\n0.02,1.0\n0.016,0.5\n0.025,1.5\n").unwrap();
    let cases: [(&str, &Path, Damage, &[&str]); 5] = [
        ("missing", design.as_path(), |d: &Path| fs::remove_file(d.join("design_results.csv")).unwrap(), &["file is missing"]),
        ("empty", design.as_path(), |d: &Path| write(d, "design_results.csv", ""), &["file is empty"]),
        (
            "prob_out_of_range",
            design.as_path(),
            |d: &Path| edit_csv(d, "design_results.csv", |r| set_cell(r, 2, |c| c == "escalation", "1.5")),
            &["column `escalation` must be <= 1", "line 3"],
        ),
        (
            "fewer_rows",
            design.as_path(),
            |d: &Path| edit_csv(d, "design_results.csv", |r| r.truncate(3)),
            &["has 2 row(s)", "the design has 3"],
        ),
        ("other_design", other.as_path(), |_: &Path| {}, &["does not match the design", "line 3", "actors.russia.drain"]),
    ];
    let mut specs = vec![json!({"name": "good", "kind": "design", "path": good, "design": design, "metric": "fight_and_talk"})];
    for (name, with, damage, _) in &cases {
        let dir = tmp.path().join(name);
        copy_dir(&good, &dir);
        damage(dir.as_path());
        specs.push(json!({"name": name, "kind": "design", "path": dir, "design": with, "metric": "fight_and_talk"}));
    }
    let got = run_loader(&Value::Array(specs));
    assert_eq!(got["good"], json!(["", ""]), "the good design results do not load");
    for (name, _, _, expect) in &cases {
        let file = tmp.path().join(name).join("design_results.csv");
        let (kind, msg) = (got[*name][0].as_str().unwrap(), got[*name][1].as_str().unwrap());
        assert_eq!(kind, "RunFolderError", "{name}: {kind}: {msg}");
        assert!(msg.starts_with(&format!("{}: ", file.display())), "{name}: the message does not name {}:\n{msg}", file.display());
        for e in *expect {
            assert!(msg.contains(e), "{name}: the message does not say `{e}`:\n{msg}");
        }
        assert!(msg.contains("truce sensitivity"), "{name}: the message does not say how to fix it:\n{msg}");
    }
}
