//! `truce backtest --rolling`: the fan scored at many origins (see `crate::rolling`).

use std::io::Write;
use std::path::PathBuf;

use crate::error::Result;
use sha2::Digest;

use super::args::BacktestArgs;
use super::calibrate::read_series_file;
use super::{InputError, load, threads};
use crate::calendar::YearMonth;
use crate::calibrate::{Jumps, Trend};
use crate::model::Model;
use crate::output::RunFolder;
use crate::rolling::{self, MODELS, Origin, Row};
use crate::scenario;

/// The origins FROM:TO every `every` months.
fn origins(text: &str, every: u32) -> Result<Vec<YearMonth>> {
    let bad = || InputError(format!("--origins {text}: write FROM:TO as two months, e.g. 2023-01:2024-10"));
    let (a, b) = text.split_once(':').ok_or_else(bad)?;
    let (from, to) = (YearMonth::parse(a.trim()).ok_or_else(bad)?, YearMonth::parse(b.trim()).ok_or_else(bad)?);
    if to < from {
        return Err(InputError(format!("--origins {text}: the last origin is before the first")).into());
    }
    if every == 0 {
        return Err(InputError("--every must be at least 1 month".into()).into());
    }
    let mut out = Vec::new();
    let mut m = from;
    while m <= to {
        out.push(m);
        m = m.plus(every as i32);
    }
    Ok(out)
}

pub(crate) fn backtest_rolling(a: &BacktestArgs) -> Result<()> {
    let started = std::time::Instant::now();
    let n = a.n.unwrap_or(2_000);
    if n < 2 {
        return Err(InputError("-n must be at least 2 rollouts per origin: a score needs a distribution".into()).into());
    }
    if a.horizon == 0 || a.horizon > 120 {
        return Err(InputError(format!("--horizon {}: score 1 to 120 months ahead", a.horizon)).into());
    }
    let trend = if a.trend == "local-level" { Trend::LocalLevel } else { Trend::Constant };
    let base = Model::new(load(&a.scenario)?);
    let jumps = Jumps::of(&base);
    let series = read_series_file(&a.observed, &a.column)?;
    let origins = origins(&a.origins, a.every)?;
    let floor = YearMonth::parse(&a.fit_from)
        .ok_or_else(|| InputError(format!("--fit-from {}: not a month; write YYYY-MM, e.g. 2022-12", a.fit_from)))?;
    let threads = threads(a.threads)?;
    let name = &base.scenario.name;
    let out = a.out.clone().unwrap_or_else(|| PathBuf::from("output").join(format!("{name}-rolling-{}", a.trend)));
    // Every origin is checked before any is run: the area observed there, and a fit window.
    let mut plans = Vec::new();
    for &origin in &origins {
        let Some(&(_, y0)) = series.iter().find(|(m, _)| *m == origin) else {
            return Err(InputError(format!(
                "origin {origin}: {} has no area for {origin}\n  help: choose --origins within the series ({} … {})",
                a.observed.display(),
                series.first().map(|s| s.0.to_string()).unwrap_or_default(),
                series.last().map(|s| s.0.to_string()).unwrap_or_default()
            ))
            .into());
        };
        let fit = rolling::fit_at(&series, origin, trend, jumps, floor).map_err(|e| InputError(format!("origin {origin}: {e}")))?;
        plans.push((origin, y0, fit));
    }
    // The files are read once; each origin lays its own `--set`s over them in memory.
    let layers = scenario::Layers::read(&a.scenario.scenario, &a.scenario.with)?;
    let bar = super::progress(plans.len() as u64 * n, "rolling backtest");
    let mut rows: Vec<Row> = Vec::new();
    let mut done: Vec<Origin> = Vec::new();
    for (origin, y0, fit) in plans {
        let mut sets = vec![
            format!("scenario.start=\"{origin}\""),
            format!("scenario.horizon_months={}", a.horizon),
            crate::scenario::schema::set(crate::scenario::schema::PATH.start_km2, y0),
        ];
        sets.extend(rolling::fit_sets(&fit));
        sets.extend(a.scenario.set.iter().cloned());
        let model = Model::new(layers.resolve(&sets)?);
        let (mut r, w12, wall) = rolling::score_origin(&model, &series, origin, floor, n, a.seed, threads, a.horizon);
        rows.append(&mut r);
        done.push(Origin { origin: origin.to_string(), start_km2: y0, fit, naive_12m: w12, naive_all: wall });
        bar.inc(n);
    }
    bar.finish_and_clear();
    if rows.is_empty() {
        return Err(InputError(format!("{} has no observation within {} months after any origin", a.observed.display(), a.horizon)).into());
    }
    let summary = rolling::summarise(&rows, a.horizon);

    let folder = RunFolder::create(&out, &base, false)?;
    folder.write_json("manifest.json", &crate::output::manifest(&base, a.seed, n, threads, started.elapsed().as_secs_f64()))?;
    let observed_text = crate::files::read_text(&a.observed, crate::files::DATA_LIMIT).unwrap_or_default();
    let observed_sha256: String = sha2::Sha256::digest(observed_text.as_bytes()).iter().map(|b| format!("{b:02x}")).collect();
    folder.write_text("rolling.csv", &rolling_csv(&rows)?)?;
    folder.write_json(
        "rolling.json",
        &serde_json::json!({
            "truce_version": env!("CARGO_PKG_VERSION"),
            "scenario": base.scenario.name,
            "scenario_file": a.scenario.scenario.display().to_string(),
            "overrides": a.scenario.set,
            "observed": a.observed.display().to_string(),
            "observed_sha256": observed_sha256,
            "column": a.column,
            "trend": a.trend,
            "n": n,
            "seed": a.seed,
            "horizon": a.horizon,
            "fit_from": a.fit_from,
            "crps": "exact CRPS of the empirical distribution of the rollouts (or of the random walk's paths) at each horizon",
            "origins": done,
            "summary": summary,
        }),
    )?;
    if !a.no_charts {
        let opts = super::chart_options(&a.charts);
        crate::charts::check_options(&opts)?;
        let mut data = crate::charts::rolling::RollingData::new(&base.scenario, &summary, &a.trend, n, a.seed, done.len());
        // The scenario's own title describes its single start; these charts are about origins.
        data.title = format!("{name} · {} … {}", done[0].origin, done[done.len() - 1].origin);
        let charts = folder.path().join("charts");
        let report = crate::charts::rolling::draw_rolling(&data, &charts, &opts)?;
        for w in &report.warnings {
            eprintln!("warning: {w}");
        }
    }
    let path = folder.finish()?;

    print_rolling(a, name, n, &done, &rows, &summary, &path)
}

/// The rolling backtest's printout: CRPS and skill by months ahead, then calibration.
fn print_rolling(
    a: &BacktestArgs,
    name: &str,
    n: u64,
    done: &[Origin],
    rows: &[Row],
    summary: &rolling::RollingSummary,
    path: &std::path::Path,
) -> Result<()> {
    let mut o = std::io::stdout().lock();
    writeln!(
        o,
        "rolling backtest of `{name}` against {}: {} origins {} … {}, horizons 1–{}, trend {}, data from {} on, {n} rollouts per origin, seed {}\n",
        a.observed.display(),
        done.len(),
        done.first().map(|d| d.origin.as_str()).unwrap_or(""),
        done.last().map(|d| d.origin.as_str()).unwrap_or(""),
        a.horizon,
        a.trend,
        a.fit_from,
        a.seed
    )?;
    writeln!(o, "mean CRPS (km², lower is better) by months ahead; skill = 1 − CRPS_truce / CRPS_naive (above 0: truce is better)")?;
    writeln!(
        o,
        "{:<8} {:>7} {:>10} {:>10} {:>10} {:>14} {:>14}",
        "ahead", "origins", MODELS[0], MODELS[1], MODELS[2], "skill vs 12m", "skill vs all"
    )?;
    let cell = |v: Option<f64>| v.map(|x| format!("{x:.0}")).unwrap_or_else(|| "—".into());
    let skill = |v: Option<f64>| v.map(|x| format!("{x:+.2}")).unwrap_or_else(|| "—".into());
    for h in 0..a.horizon as usize {
        let count = rows.iter().filter(|r| r.model == MODELS[0] && r.horizon as usize == h + 1).count();
        writeln!(
            o,
            "{:<8} {:>7} {:>10} {:>10} {:>10} {:>14} {:>14}",
            h + 1,
            count,
            cell(summary.models[0].mean_crps[h]),
            cell(summary.models[1].mean_crps[h]),
            cell(summary.models[2].mean_crps[h]),
            skill(summary.skill_vs_naive_12m[h]),
            skill(summary.skill_vs_naive_all[h])
        )?;
    }
    writeln!(
        o,
        "{:<8} {:>7} {:>10} {:>10} {:>10} {:>14} {:>14}",
        "6–12",
        "",
        cell(summary.models[0].mean_crps_6_12),
        cell(summary.models[1].mean_crps_6_12),
        cell(summary.models[2].mean_crps_6_12),
        skill(summary.skill_6_12_vs_naive_12m),
        skill(summary.skill_6_12_vs_naive_all)
    )?;
    writeln!(o, "\ncalibration: share of observations inside the central bands, and PIT counts by tenth (flat if calibrated)")?;
    writeln!(o, "{:<10} {:>6} {:>6}   PIT 0–0.1 … 0.9–1", "", "50%", "90%")?;
    for m in &summary.models {
        let counts: Vec<String> = m.pit_counts.iter().map(|c| format!("{c:>3}")).collect();
        writeln!(o, "{:<10} {:>5.0}% {:>5.0}%   {}", m.model, 100.0 * m.coverage50, 100.0 * m.coverage90, counts.join(" "))?;
    }
    let charts = if a.no_charts { "" } else { ", charts/rolling_crps and rolling_pit" };
    writeln!(o, "\nwritten to {} (rolling.csv, rolling.json{charts})", path.display())?;
    Ok(())
}

/// rolling.csv: one row per origin, months ahead and forecaster.
fn rolling_csv(rows: &[Row]) -> Result<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(["origin", "horizon", "model", "observed_km2", "crps", "pit", "in50", "in90"])?;
    for r in rows {
        w.write_record([
            r.origin.clone(),
            r.horizon.to_string(),
            r.model.to_string(),
            format!("{:.0}", r.observed_km2),
            format!("{:.3}", r.crps),
            format!("{:.4}", r.pit),
            (r.in50 as u8).to_string(),
            (r.in90 as u8).to_string(),
        ])?;
    }
    crate::error::csv_text(w)
}
