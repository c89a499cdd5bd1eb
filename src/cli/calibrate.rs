//! The command-line glue of `calibrate` and `backtest` (the fan against an observed path): read
//! the series, fit or run, write, print. The rolling backtest is `rolling.rs`.

use std::io::Write;
use std::path::PathBuf;

use crate::error::Result;

use super::args;
use super::{InputError, chart_options, finish_run, load, start_run, threads};
use crate::model::Model;
use crate::pipeline::RunSpec;
use crate::scenario;
use crate::scenario::schema::{PATH, set};

pub(crate) fn read_series_file(path: &std::path::Path, column: &str) -> Result<crate::calibrate::Series> {
    let text = crate::files::read_text(path, crate::files::DATA_LIMIT).map_err(|e| {
        InputError(format!(
            "cannot read the series `{}`: {e}\n  help: give a CSV file with a `month` column (YYYY-MM) and a `{column}` column of km²",
            path.display()
        ))
    })?;
    crate::calibrate::read_series(&text, column).map_err(|e| InputError(format!("{}: {e}", path.display())).into())
}

pub(crate) fn parse_month(text: &Option<String>, flag: &str) -> Result<Option<crate::calendar::YearMonth>> {
    match text {
        None => Ok(None),
        Some(t) => crate::calendar::YearMonth::parse(t)
            .map(Some)
            .ok_or_else(|| InputError(format!("{flag} {t}: not a month; write YYYY-MM, e.g. 2024-01")).into()),
    }
}

pub(super) fn calibrate(a: &args::CalibrateArgs) -> Result<()> {
    use crate::calibrate as cal;
    // The files are read once: the fitted variant lays its values over them in memory.
    let layers = scenario::Layers::read(&a.scenario.scenario, &a.scenario.with)?;
    let model = Model::new(layers.resolve(&a.scenario.set)?);
    let series = read_series_file(&a.data, &a.column)?;
    let (dfrom, dto) = if a.trend == "local-level" {
        (cal::ATTRITION_FROM, model.scenario.start.plus(-1))
    } else {
        cal::default_window(model.scenario.start)
    };
    let from = parse_month(&a.from, "--from")?.unwrap_or(dfrom);
    let to = parse_month(&a.to, "--to")?.unwrap_or(dto);
    let fit = if a.trend == "local-level" {
        cal::fit_local_level(&series, model.scenario.start, from, to)
    } else {
        cal::fit(&series, model.scenario.start, from, to, cal::Jumps::of(&model))
    }
    .map_err(InputError)?;
    let mut sets = a.scenario.set.clone();
    sets.push(set(PATH.gain_mean, format!("{{normal=[{:.0}, {:.0}]}}", fit.gain_mean, fit.gain_mean_sd)));
    sets.push(set(PATH.gain_sd, format!("{:.0}", fit.gain_sd)));
    sets.push(set(PATH.gain_ar, format!("{:.2}", fit.gain_ar)));
    sets.push(set(PATH.gain_drift, format!("{:.0}", fit.gain_drift)));
    let fitted = Model::new(layers.resolve(&sets)?);
    let sim = cal::simulate_moments(&fitted, a.n, a.seed, 12);
    let shipped = cal::simulate_moments(&model, a.n, a.seed, 12);
    let mut out = std::io::stdout().lock();
    let sc = &model.scenario;
    writeln!(out, "calibration of `{}` on {} (column {})", sc.name, a.data.display(), a.column)?;
    writeln!(out, "monthly net changes {} … {}: {} months, all known before the start ({})\n", fit.from, fit.to, fit.n, sc.start)?;
    writeln!(out, "fitted battlefield values (paste into [battlefield]):")?;
    for line in fitted_lines(&fit, a.trend == "local-level") {
        writeln!(out, "{line}")?;
    }
    let shown = |p: &str| sc.param(p).map(|p| p.display_value()).unwrap_or_default();
    writeln!(
        out,
        "\nthe scenario has: gain_mean = {}, gain_sd = {}, gain_ar = {}, gain_drift = {}",
        shown(PATH.gain_mean),
        shown(PATH.gain_sd),
        shown(PATH.gain_ar),
        shown(PATH.gain_drift)
    )?;
    writeln!(out, "\nfit: monthly gains in the first 12 months at war, {} rollouts", a.n)?;
    writeln!(
        out,
        "pooled = all simulated months together; per rollout = each rollout's 12-month sample moments, averaged (like for like with the one observed year)"
    )?;
    writeln!(out, "{:<30} {:>10} {:>16} {:>16}", "", "observed", "fitted values", "scenario as is")?;
    writeln!(out, "{:<30} {:>10.1} {:>16.1} {:>16.1}", "mean (km²/month)", fit.observed_mean, sim.mean, shipped.mean)?;
    writeln!(out, "{:<30} {:>10.1} {:>16.1} {:>16.1}", "sd, pooled (km²/month)", fit.observed_sd, sim.pooled_sd, shipped.pooled_sd)?;
    writeln!(out, "{:<30} {:>10.1} {:>16.1} {:>16.1}", "sd, per rollout (km²/month)", fit.observed_sd, sim.sd, shipped.sd)?;
    writeln!(out, "{:<30} {:>10.2} {:>16.2} {:>16.2}", "lag-1 autocorr., pooled", fit.observed_ac1, sim.pooled_ac1, shipped.pooled_ac1)?;
    writeln!(out, "{:<30} {:>10.2} {:>16.2} {:>16.2}", "lag-1 autocorr., per rollout", fit.observed_ac1, sim.ac1, shipped.ac1)?;
    Ok(())
}

/// The fitted values as scenario-file lines, each with what it is.
fn fitted_lines(fit: &crate::calibrate::Fit, local_level: bool) -> Vec<String> {
    if local_level {
        vec![
            format!(
                "gain_mean = {{ normal = [{:.0}, {:.0}] }}  # the filtered level at the start, with its sd",
                fit.gain_mean, fit.gain_mean_sd
            ),
            format!("gain_sd = {:.0}  # the month-to-month noise around the level (maximum likelihood)", fit.gain_sd),
            "gain_ar = 0  # the level's random walk carries the persistence".to_string(),
            format!("gain_drift = {:.0}  # the level's monthly sd (maximum likelihood)", fit.gain_drift),
        ]
    } else {
        vec![
            format!(
                "gain_mean = {{ normal = [{:.0}, {:.0}] }}  # the window's mean; sd = its standard error, inflated for autocorrelation",
                fit.gain_mean, fit.gain_mean_sd
            ),
            format!(
                "gain_sd = {:.0}  # the window's sd ({:.1}) less the variance of breakthroughs and counter-offensives",
                fit.gain_sd, fit.observed_sd
            ),
            format!("gain_ar = {:.2}  # the window's lag-1 autocorrelation", fit.gain_ar),
            "gain_drift = 0  # a constant mean".to_string(),
        ]
    }
}

pub(super) fn backtest(a: &args::BacktestArgs) -> Result<()> {
    use crate::calibrate as cal;
    let scenario = load(&a.scenario)?;
    let model = Model::new(scenario);
    let observed = read_series_file(&a.observed, &a.column)?;
    let n = a.n.unwrap_or(10_000);
    let sc = &model.scenario;
    if !observed.iter().any(|(m, _)| *m > sc.start && *m <= sc.date(sc.horizon as i32)) {
        return Err(InputError(format!("{} has no month after the start {} and within the horizon", a.observed.display(), sc.start)).into());
    }
    let threads = threads(None)?;
    let out = a.out.clone().unwrap_or_else(|| PathBuf::from("output").join(format!("{}-backtest", sc.name)));
    let opts = chart_options(&a.charts);
    let charts = (!a.no_charts).then_some(&opts);
    let spec = RunSpec { n, seed: a.seed, threads };
    let (mut pending, mut result) = start_run(&model, &spec, &out, true, charts, |_| {})?;
    let summary = &result.summary;
    let bt = cal::backtest(&model, &observed, |m, q| summary.area_quantile(m, q).unwrap_or(f64::NAN), |m, x| summary.area_cdf(m, x));
    pending.add_file("backtest.csv", backtest_csv(&bt)?);
    pending.add_file("backtest.json", (serde_json::to_string_pretty(&bt)? + "\n").into_bytes());
    // The territory chart draws `history` as the observed line: the backtest's reaches past the start.
    result.report.history = observed.iter().map(|(m, v)| crate::summary::HistoryPoint { date: m.to_string(), km2: *v }).collect();
    let path = finish_run(pending, &model, &result, charts)?;
    let mut o = std::io::stdout().lock();
    writeln!(o, "backtest of `{}` against {} ({} rollouts, seed {})\n", sc.name, a.observed.display(), n, a.seed)?;
    writeln!(
        o,
        "{:<8} {:>10} {:>10} {:>10} {:>10} {:>10} {:>10} {:>11}",
        "month", "observed", "p05", "p25", "median", "p75", "p95", "percentile"
    )?;
    for b in &bt.months {
        writeln!(
            o,
            "{:<8} {:>10.0} {:>10.0} {:>10.0} {:>10.0} {:>10.0} {:>10.0} {:>10.1}%",
            b.date, b.observed_km2, b.p05, b.p25, b.p50, b.p75, b.p95, b.percentile
        )?;
    }
    writeln!(
        o,
        "\nobserved months inside the 50% band: {:.0}%; inside the 90% band: {:.0}% ({} months)",
        100.0 * bt.coverage50,
        100.0 * bt.coverage90,
        bt.months.len()
    )?;
    let charts = if a.no_charts { "" } else { ", charts/territory.png with the observed line" };
    writeln!(o, "written to {} (backtest.csv, backtest.json{charts})", path.display())?;
    Ok(())
}

/// backtest.csv: one row per observed month with the forecast's quantiles.
fn backtest_csv(bt: &crate::calibrate::Backtest) -> Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(["month", "date", "observed_km2", "p05", "p25", "p50", "p75", "p95", "inside50", "inside90", "percentile"])?;
    for b in &bt.months {
        w.write_record([
            b.month.to_string(),
            b.date.clone(),
            format!("{:.0}", b.observed_km2),
            format!("{:.0}", b.p05),
            format!("{:.0}", b.p25),
            format!("{:.0}", b.p50),
            format!("{:.0}", b.p75),
            format!("{:.0}", b.p95),
            (b.inside50 as u8).to_string(),
            (b.inside90 as u8).to_string(),
            format!("{:.1}", b.percentile),
        ])?;
    }
    w.into_inner().map_err(|e| crate::error::Error::bug(format!("internal error: CSV in memory: {e}")))
}
