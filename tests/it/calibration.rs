//! Calibration on the observed series and the history check (docs/calibration.md).

use truce::calendar::YearMonth;
use truce::calibrate::{self, Jumps};
use truce::model::{Model, MonthView, Observer, Scratch, run_rollout};
use truce::runner::{self, RunConfig};
use truce::summary::Summary;

use crate::common::{load, root, tempdir, truce};

fn data() -> calibrate::Series {
    let path = root().join("data/territory_monthly.csv");
    calibrate::read_series(&std::fs::read_to_string(path).unwrap(), "econ_km2").unwrap()
}

/// Rounds as the scenario files write the fitted values.
fn as_written(fit: &calibrate::Fit) -> (f64, f64, f64, f64) {
    (fit.gain_mean.round(), fit.gain_mean_sd.round(), fit.gain_sd.round(), (fit.gain_ar * 100.0).round() / 100.0)
}

fn shipped(path: &str) -> (f64, f64, f64, f64) {
    let sc = load(path, &[]);
    let (mean, sd) = match &sc.param("battlefield.gain_mean").unwrap().value {
        truce::scenario::ParamValue::Dist(d) => match d.shape {
            truce::scenario::dist::Shape::Normal { mean, sd } => (mean, sd),
            ref other => panic!("{path}: gain_mean is {other:?}, expected a normal"),
        },
        other => panic!("{path}: gain_mean is {other:?}, expected a distribution"),
    };
    let v = |p: &str| sc.param(p).unwrap().central();
    (mean, sd, v("battlefield.gain_sd"), v("battlefield.gain_ar"))
}

/// The shipped battlefields are what `truce calibrate` fits with its defaults: the local level
/// (the trend the rolling backtest chose) on every month of the war of attrition before the
/// start, for the baseline and for the 2024-05 history check.
#[test]
fn shipped_battlefield_defaults_are_the_fitted_values() {
    let series = data();
    let model = Model::new(load("scenarios/baseline.toml", &[]));
    let start = model.scenario.start;
    let fit = calibrate::fit_local_level(&series, start, calibrate::ATTRITION_FROM, start.plus(-1)).unwrap();
    assert_eq!(as_written(&fit), shipped("scenarios/baseline.toml"), "baseline: shipped values differ from the fit {fit:?}");
    assert_eq!(fit.gain_drift, model.scenario.param("battlefield.gain_drift").unwrap().central(), "baseline: gain_drift");
    let path = "scenarios/validation/backtest_2024-05.toml";
    let model = Model::new(load(path, &[]));
    let start = model.scenario.start;
    let fit = calibrate::fit_local_level(&series, start, calibrate::ATTRITION_FROM, start.plus(-1)).unwrap();
    assert_eq!(as_written(&fit), shipped(path), "{path}: shipped values differ from the fit {fit:?}");
    assert_eq!(fit.gain_drift, model.scenario.param("battlefield.gain_drift").unwrap().central(), "{path}: gain_drift");
    // The baseline's window is 2024, whose moments MODEL.md quotes (mean ≈ 312, sd ≈ 207):
    // computed here from the CSV without the library — the change of month m is the area on the
    // first of m + 1 less the area on the first of m, for m in 2024-01 … 2024-12.
    let start = YearMonth::parse("2025-05").unwrap();
    let (from, to) = calibrate::default_window(start);
    let fit = calibrate::fit(&series, start, from, to, Jumps::default()).unwrap();
    let path = root().join("data/territory_monthly.csv");
    let mut rdr = csv::Reader::from_path(path).unwrap();
    let rows: Vec<(String, f64)> =
        rdr.records().map(|r| r.unwrap()).filter(|r| !r[1].is_empty()).map(|r| (r[0].to_string(), r[1].parse().unwrap())).collect();
    let area = |m: &str| rows.iter().find(|(k, _)| k == m).map(|(_, v)| *v).unwrap();
    let months: Vec<String> = (1..=12).map(|m| format!("2024-{m:02}")).chain(["2025-01".to_string()]).collect();
    let changes: Vec<f64> = months.windows(2).map(|w| area(&w[1]) - area(&w[0])).collect();
    let mean = changes.iter().sum::<f64>() / 12.0;
    let sd = (changes.iter().map(|c| (c - mean).powi(2)).sum::<f64>() / 11.0).sqrt();
    assert!((fit.observed_mean - mean).abs() < 1e-9 && (fit.observed_sd - sd).abs() < 1e-9, "fit {fit:?}; by hand {mean} {sd}");
    assert_eq!((mean.round(), sd.round()), (312.0, 207.0), "MODEL.md §4.3 quotes 312 and 207");
}

#[test]
fn the_fit_refuses_data_from_after_the_start() {
    let series = data();
    let start = YearMonth::parse("2024-05").unwrap();
    let err = calibrate::fit(&series, start, YearMonth::parse("2023-06").unwrap(), YearMonth::parse("2024-05").unwrap(), Jumps::default())
        .unwrap_err();
    assert!(err.contains("before the scenario starts"), "{err}");
}

fn observed_csv(dir: &std::path::Path) -> std::path::PathBuf {
    let path = dir.join("observed.csv");
    let mut text = String::from("month,km2\n");
    for (m, v) in data() {
        if m >= YearMonth::parse("2024-05").unwrap() && m <= YearMonth::parse("2025-04").unwrap() {
            text.push_str(&format!("{m},{v}\n"));
        }
    }
    std::fs::write(&path, text).unwrap();
    path
}

/// The figures docs/calibration.md reports are the ones the backtest produces today.
#[test]
fn backtest_figures_in_the_docs_are_current() {
    let tmp = tempdir();
    let observed = observed_csv(tmp.path());
    let out = tmp.path().join("bt");
    truce()
        .args(["backtest", "scenarios/validation/backtest_2024-05.toml", "--column", "km2", "--observed"])
        .arg(&observed)
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let bt: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(out.join("backtest.json")).unwrap()).unwrap();
    let months = bt["months"].as_array().unwrap();
    assert_eq!(months.len(), 11);
    let inside90 = months.iter().filter(|m| m["inside90"] == true).count();
    let c50 = (100.0 * bt["coverage50"].as_f64().unwrap()).round();
    let c90 = (100.0 * bt["coverage90"].as_f64().unwrap()).round();
    let doc = std::fs::read_to_string(root().join("docs/calibration.md")).unwrap();
    let line = format!("**Coverage of the 90% band: {c90}% ({inside90} of 11 months). Coverage of the 50% band: {c50}%.**");
    assert!(doc.contains(&line), "docs/calibration.md does not state the current figures: {line}");
    assert!(out.join("charts/territory.png").exists() && out.join("backtest.csv").exists());
}

/// Records the area each month.
struct Path(Vec<f64>);
impl Observer for Path {
    fn month(&mut self, v: &MonthView<'_>) {
        self.0.push(v.area_km2);
    }
}

/// The machinery is right: paths drawn from the model itself sit inside its 90% band about 90%
/// of the time (tolerance 4 sd of the per-path coverage over √K paths).
#[test]
fn backtest_covers_paths_drawn_from_the_model() {
    let model = Model::new(load("scenarios/validation/backtest_2024-05.toml", &[]));
    let mut summary = Summary::new(&model);
    let cfg = RunConfig { n: 8_000, seed: 1, threads: 2, first: 0 };
    runner::run(&model, &cfg, |c| -> Result<(), ()> { Ok(summary.add(c)) }, |_| {}).unwrap();
    let mut scratch = Scratch::new(&model);
    let k = 400;
    let mut cov = Vec::new();
    for i in 0..k {
        let mut p = Path(Vec::new());
        run_rollout(&model, 2, i, &mut scratch, &mut p);
        let observed: calibrate::Series = p.0.iter().enumerate().map(|(m, &a)| (model.scenario.date(m as i32), a)).collect();
        let bt = calibrate::backtest(&model, &observed, |m, q| summary.area_quantile(m, q).unwrap(), |m, x| summary.area_cdf(m, x));
        cov.push(bt.coverage90);
    }
    let mean = cov.iter().sum::<f64>() / k as f64;
    let sd = (cov.iter().map(|c| (c - mean).powi(2)).sum::<f64>() / (k - 1) as f64).sqrt();
    let tol = 4.0 * sd / (k as f64).sqrt();
    assert!((mean - 0.90).abs() <= tol, "model paths covered {mean:.3} of the time (expected 0.90 ± {tol:.3})");
}

/// The start-state convention (docs/calibration.md): a scenario that starts within the data starts
/// on the first of a month with an observation, from that observation, so the history line and
/// the fan meet; one that starts after the data (plan28_2025-12) draws its start area around the
/// last observation carried forward.
#[test]
fn scenarios_start_from_the_area_observed_at_their_start() {
    let series = data();
    let last = *series.last().unwrap();
    for path in [
        "scenarios/baseline.toml",
        "scenarios/endgame.toml",
        "scenarios/fight_and_talk.toml",
        "scenarios/istanbul_2025-05.toml",
        "scenarios/validation/backtest_2024-05.toml",
    ] {
        let sc = load(path, &[]);
        let observed = series.iter().find(|(m, _)| *m == sc.start).unwrap_or_else(|| panic!("{path}: no observation at {}", sc.start));
        let start = sc.param("territory.start_km2").unwrap().central();
        assert_eq!(start, observed.1, "{path}: start_km2 is not the area observed on {}-01", sc.start);
        if let Some(h) = sc.history.last() {
            assert_eq!(*h, (sc.start, start), "{path}: the history line does not end where the fan starts");
        }
    }
    let sc = load("scenarios/plan28_2025-12.toml", &[]);
    assert!(sc.start > last.0, "plan28 starts after the data");
    let mean = sc.param("territory.start_km2").unwrap().central();
    let months = last.0.months_until(sc.start) as f64;
    // The last observation plus the months since at the shipped trend's level (220 km²/month).
    assert!((mean - (last.1 + 220.0 * months)).abs() < 1.0, "plan28 start mean {mean}");
}
