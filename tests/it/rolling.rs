//! The rolling-origin backtest (`truce backtest --rolling`, docs/calibration.md): it runs on the
//! shipped series, its scores agree with each other and do not depend on the thread count, and
//! the PIT of paths drawn from the model itself is uniform.

use std::fs;

use truce::model::Model;
use truce::rolling;

use crate::common::{load, tempdir, truce};

fn run(dir: &std::path::Path, extra: &[&str]) -> String {
    let mut args = vec![
        "backtest",
        "scenarios/validation/backtest_2024-05.toml",
        "--observed",
        "data/territory_monthly.csv",
        "--rolling",
        "-n",
        "300",
        "--origins",
        "2023-06:2024-06",
        "--every",
        "3",
    ];
    args.extend_from_slice(extra);
    args.extend_from_slice(&["--out", dir.to_str().unwrap()]);
    let out = truce().args(&args).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// A small rolling run on the shipped series writes every file; each (origin, months ahead) with
/// an observation is scored once per forecaster; the printed and JSON skills are the CSV's mean
/// CRPS ratios; PIT and coverage lie in [0, 1].
#[test]
fn a_rolling_run_on_the_shipped_series_scores_every_observed_month() {
    let tmp = tempdir();
    let dir = tmp.path().join("r");
    let printed = run(&dir, &[]);
    for f in ["rolling.csv", "rolling.json", "manifest.json", "charts/rolling_crps.png", "charts/rolling_pit.svg"] {
        assert!(dir.join(f).is_file(), "{f} is missing");
    }
    let mut rdr = csv::Reader::from_path(dir.join("rolling.csv")).unwrap();
    let rows: Vec<csv::StringRecord> = rdr.records().map(|r| r.unwrap()).collect();
    // Origins 2023-06, -09, -12, 2024-03, -06; the series ends 2025-04: 12 + 12 + 12 + 12 + 10 months.
    assert_eq!(rows.len(), 3 * (12 * 4 + 10), "rows");
    let crps = |model: &str, h: u32| -> f64 {
        let v: Vec<f64> =
            rows.iter().filter(|r| &r[2] == model && r[1].parse::<u32>().unwrap() == h).map(|r| r[4].parse().unwrap()).collect();
        v.iter().sum::<f64>() / v.len() as f64
    };
    for r in &rows {
        let (pit, crps): (f64, f64) = (r[5].parse().unwrap(), r[4].parse().unwrap());
        assert!((0.0..=1.0).contains(&pit) && crps >= 0.0, "{r:?}");
    }
    let json: serde_json::Value = serde_json::from_str(&fs::read_to_string(dir.join("rolling.json")).unwrap()).unwrap();
    let s = &json["summary"];
    for h in 1..=12u32 {
        let skill = s["skill_vs_naive_12m"][h as usize - 1].as_f64().unwrap();
        let from_csv = 1.0 - crps("truce", h) / crps("naive_12m", h);
        // The CSV rounds each CRPS to 0.001 km².
        assert!((skill - from_csv).abs() < 1e-4, "h = {h}: JSON {skill}, CSV {from_csv}");
    }
    assert_eq!(json["origins"].as_array().unwrap().len(), 5);
    assert!(printed.contains("skill vs 12m") && printed.contains("6–12"), "{printed}");
}

/// Scores do not depend on the number of threads.
#[test]
fn rolling_scores_are_identical_at_1_and_2_threads() {
    let tmp = tempdir();
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    run(&a, &["--threads", "1", "--no-charts"]);
    run(&b, &["--threads", "2", "--no-charts"]);
    assert_eq!(fs::read(a.join("rolling.csv")).unwrap(), fs::read(b.join("rolling.csv")).unwrap());
}

/// The PIT of an observation drawn from the forecast's own distribution is uniform: 2,000 paths
/// of the 2024-05 scenario (seed 2) placed in the fan of 4,000 others (seed 1), six months
/// ahead, fill each tenth with 200 within 4 binomial sd, through the code the rolling backtest
/// scores with.
#[test]
fn the_pit_of_paths_drawn_from_the_model_itself_is_uniform() {
    let model = Model::new(load("scenarios/validation/backtest_2024-05.toml", &["scenario.horizon_months=6"]));
    let fan = rolling::simulate(&model, 4_000, 1, 2, 6);
    let truths = rolling::simulate(&model, 2_000, 2, 2, 6);
    let mut counts = [0u64; rolling::PIT_BINS];
    for &y in &truths[5] {
        let pit = rolling::pit_sorted(&fan[5], y);
        counts[((pit * 10.0) as usize).min(9)] += 1;
    }
    let (n, p) = (2_000.0, 0.1);
    let sd = (n * p * (1.0 - p) as f64).sqrt();
    for (b, &c) in counts.iter().enumerate() {
        assert!((c as f64 - n * p).abs() < 4.0 * sd, "tenth {b}: {c} of 2,000 ({counts:?})");
    }
}
