//! Shards (`truce run --shard K/N`) merged by `truce merge` give the single run's folder byte
//! for byte, apart from the manifest's timing, command and host fields; shards that do not
//! belong together are refused with a message naming them.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::common::{tempdir, truce};

fn files(dir: &Path) -> Vec<PathBuf> {
    fn walk(d: &Path, base: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, base, out);
            } else {
                out.push(p.strip_prefix(base).unwrap().to_path_buf());
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

/// The manifest without what may differ between one run and its merged shards.
fn manifest_core(path: &Path) -> Value {
    let mut m: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    for k in ["wall_seconds", "finished_unix", "command", "threads", "shards", "shard"] {
        m.as_object_mut().unwrap().remove(k);
    }
    m
}

pub(crate) fn assert_same_folder(single: &Path, merged: &Path) {
    let (a, b) = (files(single), files(merged));
    assert_eq!(a, b, "the folders hold different files");
    for f in &a {
        if f == Path::new("manifest.json") {
            assert_eq!(manifest_core(&single.join(f)), manifest_core(&merged.join(f)), "manifest.json differs");
        } else {
            assert!(std::fs::read(single.join(f)).unwrap() == std::fs::read(merged.join(f)).unwrap(), "{} differs", f.display());
        }
    }
}

/// Runs `n` rollouts once and as `of` shards (merged from the folders given in reverse order),
/// with `extra` options on every run.
fn single_and_merged(dir: &Path, n: u64, of: u64, extra: &[&str], threads: &[&str]) -> (PathBuf, PathBuf, Vec<PathBuf>) {
    let single = dir.join("single");
    truce()
        .args(["run", "scenarios/fight_and_talk.toml", "-n", &n.to_string(), "--seed", "9", "--out"])
        .arg(&single)
        .args(extra)
        .assert()
        .success();
    let mut shards = Vec::new();
    for k in 0..of {
        let out = dir.join(format!("shard{k}"));
        truce()
            .args(["run", "scenarios/fight_and_talk.toml", "-n", &n.to_string(), "--seed", "9", "--shard", &format!("{k}/{of}"), "--out"])
            .arg(&out)
            .args(extra)
            .args(threads)
            .assert()
            .success();
        shards.push(out);
    }
    let merged = dir.join("merged");
    let mut cmd = truce();
    cmd.arg("merge");
    for s in shards.iter().rev() {
        cmd.arg(s);
    }
    cmd.arg("--out").arg(&merged);
    // The merge draws charts as the single run did.
    for (i, a) in extra.iter().enumerate() {
        match *a {
            "--no-charts" => drop(cmd.arg(a)),
            "--size" => drop(cmd.arg(a).arg(extra[i + 1])),
            _ => {}
        }
    }
    cmd.assert().success();
    (single, merged, shards)
}

#[test]
fn merged_shards_are_the_single_run_byte_for_byte() {
    // N not divisible by the count, shards of one and of two threads, and the charts.
    let dir = tempdir();
    let (single, merged, _) = single_and_merged(dir.path(), 1001, 3, &["--size", "800x500"], &["--threads", "1"]);
    assert_same_folder(&single, &merged);
    let m: Value = serde_json::from_str(&std::fs::read_to_string(merged.join("manifest.json")).unwrap()).unwrap();
    let shards = m["shards"].as_array().expect("the merged manifest lists its shards");
    let slices: Vec<(u64, u64)> = shards.iter().map(|s| (s["first"].as_u64().unwrap(), s["n"].as_u64().unwrap())).collect();
    assert_eq!(slices, vec![(0, 333), (333, 334), (667, 334)]);
    assert!(shards.iter().all(|s| s["host"].is_string() && s["wall_seconds"].is_number()));
}

#[test]
fn more_shards_than_rollouts_and_one_shard_merge_too() {
    for (n, of) in [(5u64, 8u64), (700, 1), (2600, 4)] {
        let dir = tempdir();
        let (single, merged, shards) = single_and_merged(dir.path(), n, of, &["--no-charts"], &[]);
        assert_same_folder(&single, &merged);
        if n < of {
            let empty = shards.iter().filter(|s| std::fs::read_to_string(s.join("runs.csv")).unwrap().lines().count() == 1).count();
            assert_eq!(empty, (of - n) as usize, "shards of zero rollouts");
        }
    }
    // Without runs.csv, everything else is still the single run's.
    let dir = tempdir();
    let (single, merged, _) = single_and_merged(dir.path(), 900, 2, &["--no-charts", "--no-runs-csv"], &[]);
    assert_same_folder(&single, &merged);
}

fn merge_fails(dirs: &[&Path], out: &Path) -> String {
    let mut cmd = truce();
    cmd.arg("merge");
    for d in dirs {
        cmd.arg(d);
    }
    let o = cmd.arg("--out").arg(out).arg("--no-charts").assert().code(2).get_output().stderr.clone();
    assert!(!out.exists(), "a refused merge wrote {}", out.display());
    String::from_utf8_lossy(&o).into_owned()
}

#[test]
fn shards_that_do_not_belong_together_are_refused_by_name() {
    let dir = tempdir();
    let d = dir.path();
    let shard = |k: u64, of: u64, seed: &str, name: &str| {
        let out = d.join(name);
        truce()
            .args([
                "run",
                "scenarios/fight_and_talk.toml",
                "-n",
                "300",
                "--seed",
                seed,
                "--no-charts",
                "--shard",
                &format!("{k}/{of}"),
                "--out",
            ])
            .arg(&out)
            .assert()
            .success();
        out
    };
    let (a, b, c) = (shard(0, 3, "1", "a"), shard(1, 3, "1", "b"), shard(2, 3, "1", "c"));
    // A shard run again into its folder replaces it (it is truce's own).
    let again = shard(1, 3, "1", "b");
    assert_eq!(again, b);
    let out = d.join("out");
    let e = merge_fails(&[&a, &c], &out);
    assert!(e.contains("1 of 3 shards are missing: 1/3") && e.contains("help:"), "{e}");
    let e = merge_fails(&[&a, &b, &b, &c], &out);
    assert!(e.contains("shard 1/3 is given twice") && e.contains(&b.display().to_string()), "{e}");
    let other = shard(1, 3, "2", "other");
    let e = merge_fails(&[&a, &other, &c], &out);
    assert!(e.contains(&other.display().to_string()) && e.contains("seed (2 vs 1)"), "{e}");
    let four = shard(1, 4, "1", "four");
    let e = merge_fails(&[&a, &four, &c], &out);
    assert!(e.contains("shard count (4 vs 3)"), "{e}");
    // A damaged shard.json is named with its place.
    let text = std::fs::read_to_string(b.join("shard.json")).unwrap();
    std::fs::write(b.join("shard.json"), &text[..text.len() / 2]).unwrap();
    let e = merge_fails(&[&a, &b, &c], &out);
    assert!(e.contains("shard.json") && e.contains("line ") && e.contains("run that shard again"), "{e}");
    // A folder that is no shard.
    let e = merge_fails(&[&a, d, &c], &out);
    assert!(e.contains("not a shard folder"), "{e}");
}

#[test]
fn a_scenario_changed_since_the_shards_ran_is_refused() {
    let dir = tempdir();
    let d = dir.path();
    let root = crate::common::root();
    std::fs::create_dir_all(d.join("scenarios")).unwrap();
    std::fs::create_dir_all(d.join("data")).unwrap();
    for f in ["scenarios/fight_and_talk.toml", "scenarios/baseline.toml", "data/territory_monthly.csv"] {
        std::fs::copy(root.join(f), d.join(f)).unwrap();
    }
    let run = |args: &[&str]| {
        let mut c = assert_cmd::Command::cargo_bin("truce").unwrap();
        c.current_dir(d).args(args);
        c
    };
    for k in ["0/2", "1/2"] {
        run(&["run", "scenarios/fight_and_talk.toml", "-n", "200", "--no-charts", "--shard", k, "--out", &format!("s{}", &k[..1])])
            .assert()
            .success();
    }
    let base = std::fs::read_to_string(d.join("scenarios/baseline.toml")).unwrap();
    std::fs::write(d.join("scenarios/baseline.toml"), base + "\n# edited\n").unwrap();
    let o = run(&["merge", "s0", "s1", "--out", "m", "--no-charts"]).assert().code(2).get_output().stderr.clone();
    let e = String::from_utf8_lossy(&o);
    assert!(e.contains("scenarios/baseline.toml") && e.contains("SHA-256"), "{e}");
    assert!(!d.join("m").exists());
}
