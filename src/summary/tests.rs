//! The streaming summary against an independent computation (docs/testing.md): the same rollouts
//! are kept whole here, and every figure the summary reports — outcome shares, the curves by
//! month, their medians, the monthly means, the quantiles and CDFs of area and costs — is worked
//! out from them directly and compared, exactly for counts and sums, within one bin for what is
//! read from a histogram.

use crate::model::testing::shipped;
use crate::model::{Model, MonthView, Observer, Outcome, Record, run_rollout};
use crate::runner::{self, RunConfig, SERIES_FIXED, series_width};
use crate::summary::Summary;

struct Kept {
    records: Vec<Record>,
    /// `[rollout][month][metric]`, as the runner's series.
    series: Vec<Vec<f64>>,
}

/// Every month's figures of one rollout, to the horizon: after an end, the observer's default
/// `rest` reports each remaining month, as truce did before it took them in one step.
struct Full {
    rows: Vec<f64>,
}

impl Observer for Full {
    fn month(&mut self, v: &MonthView<'_>) {
        self.rows.extend_from_slice(&[v.area_km2, v.at_war as u8 as f64, v.ceasefire as u8 as f64, v.settled as u8 as f64]);
        self.rows.extend_from_slice(v.costs);
    }
}

/// The summary as the runner makes it, and the same rollouts kept whole by `Full`.
fn run(model: &Model, n: u64, threads: usize) -> (Summary, Kept) {
    let mut summary = Summary::new(model);
    let cfg = RunConfig { n, seed: 7, threads, first: 0 };
    runner::run(
        model,
        &cfg,
        |c| -> Result<(), ()> {
            summary.add(c);
            Ok(())
        },
        |_| {},
    )
    .unwrap();
    let whole = runner::map_rollouts(model, &cfg, |scratch, i| {
        let mut obs = Full { rows: Vec::new() };
        let rec = run_rollout(model, cfg.seed, i, scratch, &mut obs);
        (rec, obs.rows)
    });
    let (records, series) = whole.into_iter().unzip();
    (summary, Kept { records, series })
}

/// The smallest value with at least a share q of the values at or below it.
fn exact_quantile(v: &mut [f64], q: f64) -> f64 {
    v.sort_by(f64::total_cmp);
    let k = ((q * v.len() as f64).ceil() as usize).clamp(1, v.len());
    v[k - 1]
}

#[test]
fn the_summary_equals_what_the_rollouts_say() {
    // A horizon long enough for ceasefires and settlements, short enough to keep every month.
    let model = shipped("baseline.toml", &["scenario.horizon_months=24"]);
    let n = 3_000u64;
    let (s, kept) = run(&model, n, 2);
    let width = series_width(&model);
    let months = model.horizon() as usize + 1;
    assert_eq!(s.months(), months, "months 0 … horizon");
    let na = model.n_actors();
    let report = s.report(&model, 7);

    // Outcome counts and shares.
    for o in Outcome::ALL {
        let count = kept.records.iter().filter(|r| r.outcome == o).count() as u64;
        assert_eq!(s.p(o), count as f64 / n as f64, "{}", o.name());
        let stat = report.outcomes.get(o.name()).unwrap();
        assert_eq!(stat.count, count, "{}", o.name());
        assert_eq!(stat.p, count as f64 / n as f64, "{}", o.name());
    }
    // The curves: the share with a first ceasefire (settlement) at or before each month, and
    // the median month among those that had one.
    for (curve, median, month_of) in [
        (&report.ceasefire_by_month, report.median_months_to_ceasefire, (|r: &Record| r.ceasefire_month) as fn(&Record) -> Option<u32>),
        (&report.settlement_by_month, report.median_months_to_settlement, |r: &Record| r.settlement_month),
    ] {
        assert_eq!(curve.len(), months);
        for p in curve {
            let by = kept.records.iter().filter(|r| month_of(r).is_some_and(|m| m <= p.month)).count();
            assert_eq!(p.p, by as f64 / n as f64, "month {}", p.month);
            assert!(p.ci95[0] <= p.p && p.p <= p.ci95[1]);
        }
        let mut had: Vec<u32> = kept.records.iter().filter_map(month_of).collect();
        had.sort();
        let expected = (!had.is_empty()).then(|| had[had.len().div_ceil(2) - 1]);
        assert_eq!(median, expected, "median month");
    }
    assert!(
        report.ceasefire_by_month.last().unwrap().p > 0.2 && report.settlement_by_month.last().unwrap().p > 0.0,
        "the test sees both curves move"
    );
    let early = kept.records.iter().filter(|r| r.end_month.is_some_and(|m| (m as usize) < months - 1)).count();
    assert!(early >= 10, "the test sees rollouts that ended before the horizon ({early})");

    // Monthly means: sums in rollout order, so equal to the last bit up to the order of addition.
    for m in [0, 1, months / 2, months - 1] {
        for metric in [0, 1, 2, 3, SERIES_FIXED, SERIES_FIXED + na - 1] {
            let exact = kept.series.iter().map(|row| row[m * width + metric]).sum::<f64>() / n as f64;
            let got = s.mean(m, metric);
            assert!((got - exact).abs() <= 1e-9 * exact.abs().max(1.0), "mean at month {m}, metric {metric}: {got} vs {exact}");
        }
    }

    // Quantiles and CDFs read from the histograms: within one bin of the exact ones.
    let (ra, rc) = (s.area_resolution(), s.cost_resolution());
    // The bins keep their base widths unless values spread over more bins than a histogram holds
    // (1.6 million km² of area; 131 units of cost): far from what one run spans.
    let spread = |metric: usize| {
        let v = kept.series.iter().flat_map(|row| (0..months).map(move |m| row[m * width + metric]));
        let (lo, hi) = v.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| (a.min(x), b.max(x)));
        hi - lo
    };
    assert!(spread(0) < 1.0e6 && (0..na).all(|a| spread(SERIES_FIXED + a) < 100.0));
    assert_eq!((ra, rc), (crate::summary::AREA_BIN_KM2, crate::summary::COST_BIN));
    assert_eq!((report.quantile_resolution_km2, report.cost_quantile_resolution), (ra, rc));
    for m in [1, months / 2, months - 1] {
        let mut area: Vec<f64> = kept.series.iter().map(|row| row[m * width]).collect();
        for q in [0.05, 0.25, 0.5, 0.75, 0.95] {
            let (got, exact) = (s.area_quantile(m, q).unwrap(), exact_quantile(&mut area, q));
            assert!((got - exact).abs() <= ra, "area quantile {q} at month {m}: {got} vs {exact} (bin {ra})");
        }
        let x = exact_quantile(&mut area, 0.5);
        let below = area.iter().filter(|&&v| v <= x).count() as f64 / n as f64;
        // A CDF read from a histogram can be off by at most the share of the bin holding x.
        let bin = (x / ra).floor() * ra;
        let in_bin = area.iter().filter(|&&v| v >= bin && v < bin + ra).count() as f64 / n as f64;
        assert!((s.area_cdf(m, x) - below).abs() <= in_bin + 1e-12, "area cdf at month {m}");
        for a in 0..na {
            let mut cost: Vec<f64> = kept.series.iter().map(|row| row[m * width + SERIES_FIXED + a]).collect();
            let qs = [0.1, 0.5, 0.9];
            let all = s.cost_quantiles(m, a, qs);
            for (q, one) in qs.into_iter().zip(all) {
                let (got, exact) = (s.cost_quantile(m, a, q).unwrap(), exact_quantile(&mut cost, q));
                assert!((got - exact).abs() <= rc, "cost quantile {q} of actor {a} at month {m}: {got} vs {exact} (bin {rc})");
                assert_eq!(one, Some(got), "actor {a}'s cost quantiles in one pass at month {m}");
            }
        }
    }
    let mut final_area: Vec<f64> = kept.records.iter().map(|r| r.final_area_km2).collect();
    let fa = &report.final_area_km2;
    for (got, q) in [(fa.median, 0.5), (fa.p05, 0.05), (fa.p95, 0.95)] {
        assert!((got - exact_quantile(&mut final_area, q)).abs() <= ra, "final area quantile {q}");
    }
    assert_eq!(fa.median_pct, 100.0 * fa.median / report.ukraine_km2);
    assert_eq!(s.invalid_values(), 0);
    assert_eq!(report.n, n);
    assert!(report.non_finite().is_none());

    // The same summary whatever the thread count (histograms are filled by shards).
    let (one, _) = run(&model, n, 1);
    let r1 = one.report(&model, 7);
    assert_eq!(serde_json::to_string(&r1).unwrap(), serde_json::to_string(&report).unwrap());
}

/// A number that is not finite anywhere in the report is found and named by its JSON path.
#[test]
fn a_non_finite_number_in_the_report_is_named() {
    let model = shipped("baseline.toml", &["scenario.horizon_months=6"]);
    let (s, _) = run(&model, 200, 2);
    let clean = s.report(&model, 1);
    assert!(clean.non_finite().is_none());
    let cases: Vec<(&str, Box<dyn Fn(&mut crate::summary::Report)>)> = vec![
        ("outcomes.settlement.p", Box::new(|r| r.outcomes.0[0].1.p = f64::NAN)),
        ("outcomes.ceasefire.ci95[1]", Box::new(|r| r.outcomes.0[1].1.ci95[1] = f64::INFINITY)),
        ("outcomes.ceasefire.ci95[0]", Box::new(|r| r.outcomes.0[1].1.ci95[0] = f64::NAN)),
        ("ceasefire_by_month[3].ci95[0]", Box::new(|r| r.ceasefire_by_month[3].ci95[0] = f64::NAN)),
        ("ceasefire_by_month[2].ci95[1]", Box::new(|r| r.ceasefire_by_month[2].ci95[1] = f64::NAN)),
        ("settlement_by_month[5].p", Box::new(|r| r.settlement_by_month[5].p = f64::NEG_INFINITY)),
        ("final_area_km2.median", Box::new(|r| r.final_area_km2.median = f64::NAN)),
        ("final_area_km2.p05", Box::new(|r| r.final_area_km2.p05 = f64::INFINITY)),
        ("final_area_km2.p95", Box::new(|r| r.final_area_km2.p95 = f64::NAN)),
        ("final_area_km2.median_pct", Box::new(|r| r.final_area_km2.median_pct = f64::NAN)),
        ("ukraine_km2", Box::new(|r| r.ukraine_km2 = f64::NAN)),
        ("quantile_resolution_km2", Box::new(|r| r.quantile_resolution_km2 = f64::INFINITY)),
    ];
    for (path, spoil) in cases {
        let mut r = clean.clone();
        spoil(&mut r);
        let found = r.non_finite();
        assert_eq!(found.as_deref(), Some(path), "{path}");
    }
}

/// The textbook case where nearly every war ends long before the horizon: every month's mean
/// and quantiles, the months after the ends included, are those of the rollouts kept whole.
#[test]
fn the_months_after_an_end_count_as_its_last_month() {
    // Drains that differ by side, so that each actor's costs differ from the other's and from
    // month to month (the tails are carried per actor).
    let model =
        shipped("validation/forts.toml", &["scenario.horizon_months=600", "actors.attacker.drain=0.004", "actors.defender.drain=0.007"]);
    let n = 2_000u64;
    let (s, kept) = run(&model, n, 2);
    let width = series_width(&model);
    let months = model.horizon() as usize + 1;
    let ended = kept.records.iter().filter(|r| r.end_month.is_some_and(|m| m < 100)).count();
    assert!(ended as u64 > n * 9 / 10, "most wars end early ({ended} of {n})");
    // The histograms stop changing the month after the last end (its tails arrive then), or at
    // the horizon: later months are read from that month's.
    let last = kept.records.iter().map(|r| r.end_month.unwrap_or(model.horizon())).max().unwrap() as usize;
    assert!(last + 1 < months, "every war ends before the horizon");
    for m in [last, last + 1, months - 1] {
        assert_eq!(s.histogram_month(m), m.min(last + 1), "month {m}");
    }
    for m in [0, 1, 7, 25, 60, 120, months - 1] {
        for metric in [0, 1, SERIES_FIXED] {
            let exact = kept.series.iter().map(|row| row[m * width + metric]).sum::<f64>() / n as f64;
            assert!((s.mean(m, metric) - exact).abs() <= 1e-9 * exact.abs().max(1.0), "mean at month {m}, metric {metric}");
        }
        let mut area: Vec<f64> = kept.series.iter().map(|row| row[m * width]).collect();
        for q in [0.05, 0.3, 0.5, 0.7, 0.95] {
            let (got, exact) = (s.area_quantile(m, q).unwrap(), exact_quantile(&mut area, q));
            assert!((got - exact).abs() <= s.area_resolution(), "area quantile {q} at month {m}: {got} vs {exact}");
        }
        for a in 0..model.n_actors() {
            let mut cost: Vec<f64> = kept.series.iter().map(|row| row[m * width + SERIES_FIXED + a]).collect();
            let qs = [0.1, 0.5, 0.9];
            for (q, got) in qs.into_iter().zip(s.cost_quantiles(m, a, qs)) {
                let (got, exact) = (got.unwrap(), exact_quantile(&mut cost, q));
                assert!((got - exact).abs() <= s.cost_resolution(), "actor {a}'s cost quantile {q} at month {m}: {got} vs {exact}");
                assert_eq!(s.cost_quantile(m, a, q), Some(got), "actor {a}'s cost quantile {q} alone at month {m}");
            }
        }
    }
    // The months simulated: each rollout's months 1 … its end.
    let simulated: u64 = kept.records.iter().map(|r| u64::from(r.end_month.unwrap_or(model.horizon()))).sum();
    assert_eq!(s.months_simulated, simulated);
    assert_eq!(s.invalid_values(), 0);
}

/// A value that is not a number is counted, not binned: a chunk made by hand with a NaN area
/// in one month gives one invalid value, and the report then names no quantile from it.
#[test]
fn a_value_that_is_not_a_number_is_counted_as_invalid() {
    let model = shipped("baseline.toml", &["scenario.horizon_months=6"]);
    let (_, kept) = run(&model, 10, 1);
    let width = series_width(&model);
    let months = model.horizon() as usize + 1;
    let mut series = kept.series[0].clone();
    series[3 * width] = f64::NAN;
    assert_eq!(series.len(), months * width);
    let chunk = crate::runner::Chunk::from_full_series(&model, vec![kept.records[0].clone()], series);
    let mut s = Summary::new(&model);
    s.add(&chunk);
    assert_eq!(s.invalid_values(), 1);
}

/// A rollout that ended early repeats its last values to the horizon, so a value there that is
/// not a number is invalid in every month from its end on: a chunk made by hand from a rollout
/// ending in month L, with its area and one actor's cost not numbers in that month, gives
/// 2 · (months − L) invalid values (months read from the settled ones included).
#[test]
fn an_invalid_last_value_counts_in_every_month_it_repeats() {
    let model = shipped("validation/forts.toml", &["scenario.horizon_months=200"]);
    let (_, kept) = run(&model, 50, 1);
    let width = series_width(&model);
    let months = model.horizon() as usize + 1;
    let r =
        kept.records.iter().position(|r| r.end_month.is_some_and(|m| m >= 3 && (m as usize) + 10 < months)).expect("a war that ends early");
    let last = kept.records[r].end_month.unwrap() as usize;
    let mut series = kept.series[r][..(last + 1) * width].to_vec();
    series[last * width] = f64::NAN;
    series[last * width + SERIES_FIXED + 1] = f64::INFINITY;
    let chunk = crate::runner::Chunk::from_rows(&model, vec![kept.records[r].clone()], series, &[last]);
    let mut s = Summary::new(&model);
    s.add(&chunk);
    assert_eq!(s.invalid_values(), 2 * (months - last) as u64, "a rollout ending in month {last} of {months}");
    // The months before its end are binned as usual.
    assert!(s.area_quantile(last - 1, 0.5).is_some());
}
