//! Shards of the analyses merge into the single machine's folder byte for byte: a sweep split
//! over its points, a design over its rows, the tornado over its units (unit 0 the scenario as
//! it is with the PRCC, then one per uncertain parameter), including shards holding no unit;
//! shards of different analyses are refused by name.

use std::path::{Path, PathBuf};

use crate::common::{tempdir, truce};
use crate::shards::assert_same_folder;

/// Runs `args` once into `single` and as `of` shards, then merges the shards (given in reverse
/// order) with `merge_extra`; returns the single folder, the merged one and the shards.
fn single_and_merged(dir: &Path, args: &[&str], of: u64, merge_extra: &[&str]) -> (PathBuf, PathBuf, Vec<PathBuf>) {
    let single = dir.join("single");
    truce().args(args).arg("--out").arg(&single).assert().success();
    let shards: Vec<PathBuf> = (0..of)
        .map(|k| {
            let out = dir.join(format!("shard{k}"));
            // Shards on one thread, the single run on all: the answer does not depend on it.
            truce().args(args).args(["--threads", "1", "--shard", &format!("{k}/{of}"), "--out"]).arg(&out).assert().success();
            out
        })
        .collect();
    let merged = dir.join("merged");
    let mut cmd = truce();
    cmd.arg("merge");
    for s in shards.iter().rev() {
        cmd.arg(s);
    }
    cmd.arg("--out").arg(&merged).args(merge_extra).assert().success();
    (single, merged, shards)
}

fn units_of(shard: &Path) -> u64 {
    let j: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(shard.join("shard.json")).unwrap()).unwrap();
    j["shard"]["n"].as_u64().unwrap()
}

#[test]
fn a_sweep_split_over_its_points_merges_to_the_single_sweep() {
    // 7 points over 3 shards (not divisible), with the charts of a two-parameter heatmap of a
    // metric that is not the default one.
    let dir = tempdir();
    let args = [
        "sweep",
        "scenarios/fight_and_talk.toml",
        "--vary",
        "actors.us.pressure=0..0.12:7",
        "-n",
        "150",
        "--seed",
        "4",
        "--size",
        "800x500",
    ];
    let (single, merged, shards) = single_and_merged(dir.path(), &args, 3, &["--size", "800x500"]);
    assert_same_folder(&single, &merged);
    assert_eq!(shards.iter().map(|s| units_of(s)).collect::<Vec<_>>(), vec![2, 2, 3]);
    let dir = tempdir();
    let mut two = args.to_vec();
    two.extend(["--vary", "negotiation.talks_rate=0.2..0.6:2", "--metric", "ceasefire"]);
    let (single, merged, _) = single_and_merged(dir.path(), &two, 4, &["--size", "800x500"]);
    assert_same_folder(&single, &merged);
    assert!(merged.join("charts").read_dir().unwrap().count() > 0, "the merge draws the sweep's charts");
    // More shards than points: the empty ones merge too.
    let dir = tempdir();
    let small = ["sweep", "scenarios/endgame.toml", "--vary", "actors.us.pressure=0..0.1:3", "-n", "100", "--no-charts"];
    let (single, merged, shards) = single_and_merged(dir.path(), &small, 5, &["--no-charts"]);
    assert_same_folder(&single, &merged);
    assert_eq!(shards.iter().filter(|s| units_of(s) == 0).count(), 2);
}

#[test]
fn a_design_split_over_its_rows_merges_to_the_single_evaluation() {
    let dir = tempdir();
    let design = dir.path().join("design.csv");
    std::fs::write(&design, "actors.us.pressure,negotiation.talks_rate\n0.01,0.3\n0.05,0.5\n0.08,0.7\n0.02,0.9\n0.1,0.2\n").unwrap();
    let d = design.to_str().unwrap();
    let args = ["sensitivity", "scenarios/endgame.toml", "--design", d, "-n", "200", "--seed", "3"];
    for of in [2u64, 7] {
        let sub = dir.path().join(format!("of{of}"));
        std::fs::create_dir_all(&sub).unwrap();
        let (single, merged, shards) = single_and_merged(&sub, &args, of, &[]);
        assert_same_folder(&single, &merged);
        assert_eq!(shards.iter().map(|s| units_of(s)).sum::<u64>(), 5);
    }
    // A shard of another design is refused, by its folder and what differs.
    let other = dir.path().join("other.csv");
    std::fs::write(&other, "actors.us.pressure,negotiation.talks_rate\n0.01,0.3\n0.05,0.5\n0.08,0.7\n0.02,0.9\n0.1,0.25\n").unwrap();
    let stray = dir.path().join("stray");
    let mut a2 = args.to_vec();
    a2[3] = other.to_str().unwrap();
    truce().args(&a2).args(["--shard", "1/2", "--out"]).arg(&stray).assert().success();
    let o = truce()
        .arg("merge")
        .arg(dir.path().join("of2/shard0"))
        .arg(&stray)
        .arg("--out")
        .arg(dir.path().join("m"))
        .assert()
        .code(2)
        .get_output()
        .stderr
        .clone();
    let e = String::from_utf8_lossy(&o);
    assert!(e.contains(&stray.display().to_string()) && e.contains("design file's hash"), "{e}");
}

#[test]
fn the_tornado_split_over_its_units_merges_to_the_single_analysis() {
    // endgame has 10 uncertain parameters: 11 units, over 4 shards, with the tornado chart.
    let dir = tempdir();
    let args = ["sensitivity", "scenarios/endgame.toml", "-n", "300", "--seed", "5", "--metric", "ceasefire", "--size", "800x500"];
    let (single, merged, shards) = single_and_merged(dir.path(), &args, 4, &["--size", "800x500"]);
    assert_same_folder(&single, &merged);
    assert_eq!(shards.iter().map(|s| units_of(s)).collect::<Vec<_>>(), vec![2, 3, 3, 3]);
    assert!(merged.join("charts").read_dir().unwrap().count() > 0, "the merge draws the tornado");
    // More shards than units: most hold one, the rest none.
    let dir = tempdir();
    let args = ["sensitivity", "scenarios/endgame.toml", "-n", "100", "--no-charts"];
    let (single, merged, shards) = single_and_merged(dir.path(), &args, 13, &["--no-charts"]);
    assert_same_folder(&single, &merged);
    assert_eq!(shards.iter().filter(|s| units_of(s) == 0).count(), 2);
}

#[test]
fn shards_of_different_analyses_are_refused_by_name() {
    let dir = tempdir();
    let d = dir.path();
    let make = |args: &[&str], name: &str| {
        let out = d.join(name);
        truce().args(args).args(["--no-charts", "--out"]).arg(&out).assert().success();
        out
    };
    let sweep = ["sweep", "scenarios/endgame.toml", "--vary", "actors.us.pressure=0..0.1:4", "-n", "50"];
    let s0 = make(&[&sweep[..], &["--shard", "0/2"]].concat(), "s0");
    let other_grid =
        make(&["sweep", "scenarios/endgame.toml", "--vary", "actors.us.pressure=0..0.2:4", "-n", "50", "--shard", "1/2"], "g1");
    let tornado = make(&["sensitivity", "scenarios/endgame.toml", "-n", "50", "--shard", "1/2"], "t1");
    let run = make(&["run", "scenarios/endgame.toml", "-n", "50", "--shard", "1/2"], "r1");
    let refused = |b: &Path| {
        let o = truce().arg("merge").arg(&s0).arg(b).arg("--out").arg(d.join("m")).assert().code(2).get_output().stderr.clone();
        assert!(!d.join("m").exists());
        String::from_utf8_lossy(&o).into_owned()
    };
    let e = refused(&other_grid);
    assert!(e.contains(&other_grid.display().to_string()) && e.contains("grid (--vary)"), "{e}");
    let e = refused(&tornado);
    assert!(e.contains("kind (truce sensitivity vs truce sweep)"), "{e}");
    let e = refused(&run);
    assert!(e.contains("kind (truce run vs truce sweep)"), "{e}");
    // A missing shard is named with the command that runs it.
    let o = truce().arg("merge").arg(&s0).arg("--out").arg(d.join("m")).assert().code(2).get_output().stderr.clone();
    let e = String::from_utf8_lossy(&o);
    assert!(e.contains("1 of 2 shards are missing: 1/2") && e.contains("truce sweep … --shard K/2"), "{e}");
    // --resume and --shard do not go together.
    truce().args(sweep).args(["--shard", "0/2", "--resume"]).assert().code(2);
}
