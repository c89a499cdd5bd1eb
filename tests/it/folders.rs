//! Default output folders never clobber another run (docs/outputs.md, "Which folder a command
//! writes"): a run with overrides has its own folder, Chinese charts sit beside the English ones,
//! sweeps, designs and tornados are named after what they ran, and no stale chart survives.

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;

use crate::common::{root, tempdir};

/// A working folder holding copies of the shipped scenarios, data and examples, where `truce`
/// runs with its default `output/`.
fn workdir() -> tempfile::TempDir {
    let tmp = tempdir();
    for d in ["scenarios", "data", "examples"] {
        copy_dir(&root().join(d), &tmp.path().join(d));
    }
    tmp
}

pub fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for e in fs::read_dir(from).unwrap().flatten() {
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            fs::copy(e.path(), &target).unwrap();
        }
    }
}

fn truce_in(dir: &Path, args: &[&str]) -> String {
    let out = Command::cargo_bin("truce").unwrap().current_dir(dir).args(args).output().unwrap();
    assert!(out.status.success(), "truce {args:?} failed:\n{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn folders(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> =
        fs::read_dir(dir.join("output")).unwrap().flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect();
    v.sort();
    v
}

fn files(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir).unwrap().flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect();
    v.sort();
    v
}

fn json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn a_run_with_overrides_has_its_own_folder_and_its_resolved_file_returns_to_it() {
    let w = workdir();
    let d = w.path();
    truce_in(d, &["run", "scenarios/endgame.toml", "-n", "300", "--no-charts"]);
    let plain: PathBuf = d.join("output/endgame");
    let before = fs::read(plain.join("runs.csv")).unwrap();

    let out = truce_in(d, &["run", "scenarios/endgame.toml", "-n", "300", "--no-charts", "--set", "actors.us.pressure=0"]);
    let names = folders(d);
    assert_eq!(names.len(), 2, "{names:?}");
    let other = names.iter().find(|n| n.starts_with("endgame+")).expect("a folder endgame+<key>");
    let key = &other["endgame+".len()..];
    assert!(key.len() == 8 && key.chars().all(|c| c.is_ascii_hexdigit()), "{key}");
    assert!(out.contains(&format!("written to output/{other}")) && out.contains(key), "the printout names the folder: {out}");
    assert_eq!(fs::read(plain.join("runs.csv")).unwrap(), before, "the run without overrides was touched");
    let m = json(&d.join("output").join(other).join("manifest.json"));
    assert_eq!(m["overrides_key"].as_str(), Some(key));
    assert_eq!(m["overrides"][0], "--set actors.us.pressure=0");

    // Other overrides, another key; the same overrides, the same key; a --with file's text counts.
    truce_in(d, &["run", "scenarios/endgame.toml", "-n", "300", "--no-charts", "--set", "actors.us.pressure=0.01"]);
    truce_in(d, &["run", "scenarios/endgame.toml", "-n", "300", "--no-charts", "--set", "actors.us.pressure=0"]);
    assert_eq!(folders(d).len(), 3, "{:?}", folders(d));
    fs::write(d.join("w.toml"), "[actors.us]\npressure = 0\n").unwrap();
    truce_in(d, &["run", "scenarios/endgame.toml", "-n", "300", "--no-charts", "--with", "w.toml"]);
    fs::write(d.join("w.toml"), "[actors.us]\npressure = 0.01\n").unwrap();
    truce_in(d, &["run", "scenarios/endgame.toml", "-n", "300", "--no-charts", "--with", "w.toml"]);
    assert_eq!(folders(d).len(), 5, "{:?}", folders(d));

    // The resolved file (no overrides of its own) is named for the changed scenario: it repeats
    // the run into the same folder, never into the plain one.
    let resolved = d.join("output").join(other).join("scenario.resolved.toml");
    fs::copy(&resolved, d.join("again.toml")).unwrap();
    let runs = fs::read(d.join("output").join(other).join("runs.csv")).unwrap();
    truce_in(d, &["run", "again.toml", "-n", "300", "--no-charts"]);
    assert_eq!(fs::read(d.join("output").join(other).join("runs.csv")).unwrap(), runs);
    assert_eq!(fs::read(plain.join("runs.csv")).unwrap(), before);
}

#[test]
fn chinese_charts_sit_beside_the_english_ones() {
    let w = workdir();
    let d = w.path();
    truce_in(d, &["run", "scenarios/endgame.toml", "-n", "200"]);
    let charts = d.join("output/endgame/charts");
    let english = files(&charts);
    assert!(english.contains(&"outcomes.png".to_string()) && !english.iter().any(|f| f.contains("_zh")), "{english:?}");
    let outcomes = fs::read(charts.join("outcomes.png")).unwrap();
    truce_in(d, &["plot", "output/endgame", "--lang", "zh"]);
    let both = files(&charts);
    assert_eq!(both.len(), 2 * english.len(), "{both:?}");
    assert_eq!(fs::read(charts.join("outcomes.png")).unwrap(), outcomes, "plot --lang zh changed an English chart");
    for f in &english {
        let (stem, ext) = f.rsplit_once('.').unwrap();
        assert!(both.contains(&format!("{stem}_zh.{ext}")), "{f} has no Chinese twin: {both:?}");
    }
    // Redrawing English at another size replaces the English charts only.
    let zh = fs::read(charts.join("outcomes_zh.png")).unwrap();
    truce_in(d, &["plot", "output/endgame", "--size", "800x500"]);
    assert_eq!(files(&charts), both);
    assert_eq!(fs::read(charts.join("outcomes_zh.png")).unwrap(), zh);
    assert_ne!(fs::read(charts.join("outcomes.png")).unwrap(), outcomes);
}

#[test]
fn sweeps_designs_and_tornados_are_named_after_what_they_ran() {
    let w = workdir();
    let d = w.path();
    let one = ["sweep", "scenarios/endgame.toml", "-n", "100", "--vary", "actors.us.pressure=0..0.1:3"];
    truce_in(d, &one);
    truce_in(
        d,
        &[
            "sweep",
            "scenarios/endgame.toml",
            "-n",
            "100",
            "--vary",
            "actors.us.pressure=0..0.1:3",
            "--vary",
            "negotiation.talks_rate=0.2..0.8:2",
        ],
    );
    let names = folders(d);
    let first = "endgame_sweep_actors.us.pressure=0..0.1x3";
    let second = "endgame_sweep_actors.us.pressure=0..0.1x3_negotiation.talks_rate=0.2..0.8x2";
    assert!(names.contains(&first.to_string()) && names.contains(&second.to_string()), "{names:?}");
    assert_eq!(files(&d.join("output").join(first).join("charts")), ["sweep_outcomes.png", "sweep_outcomes.svg"]);
    assert_eq!(files(&d.join("output").join(second).join("charts")), ["sweep_heatmap.png", "sweep_heatmap.svg"]);
    // The first sweep can still be resumed.
    let mut resume = one.to_vec();
    resume.push("--resume");
    let out = truce_in(d, &resume);
    assert!(out.contains("3 of 3 points already done"), "{out}");

    // One folder reused for another grid: the old chart does not survive.
    let two = ["sweep", "scenarios/endgame.toml", "-n", "100", "--out", "output/mine"];
    truce_in(d, &[&two[..], &["--vary", "actors.us.pressure=0..0.1:3"][..]].concat());
    truce_in(d, &[&two[..], &["--vary", "actors.us.pressure=0..0.1:2", "--vary", "negotiation.talks_rate=0.2..0.8:2"]].concat());
    assert_eq!(files(&d.join("output/mine/charts")), ["sweep_heatmap.png", "sweep_heatmap.svg"]);

    fs::write(d.join("a.csv"), "actors.us.pressure\n0\n0.1\n").unwrap();
    fs::write(d.join("b.csv"), "actors.us.pressure\n0.05\n").unwrap();
    truce_in(d, &["sensitivity", "scenarios/baseline.toml", "-n", "50", "--design", "a.csv"]);
    truce_in(d, &["sensitivity", "scenarios/baseline.toml", "-n", "50", "--design", "b.csv"]);
    let names = folders(d);
    assert!(names.contains(&"baseline_design_a".to_string()) && names.contains(&"baseline_design_b".to_string()), "{names:?}");
}
