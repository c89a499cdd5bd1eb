//! The binary's glue: turns parsed arguments into work and reports the result.

pub mod args;
mod check;

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result};
use clap::Parser;

use crate::model::{Model, Outcome};
use crate::output::{self, RunFolder};
use crate::runner::{self, RunConfig};
use crate::scenario::{self, Overrides, ScenarioError};
use crate::summary::Summary;
use args::{Cli, Command, RunArgs, ScenarioArgs};

/// Bad input or usage: exit code 2. Anything else that fails is an internal error: exit code 1.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

/// Runs the command line; returns the process exit code.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return code;
        }
    };
    match dispatch(cli) {
        Ok(()) => 0,
        Err(e) => {
            if let Some(io) = e.downcast_ref::<std::io::Error>()
                && io.kind() == std::io::ErrorKind::BrokenPipe
            {
                return 0;
            }
            if let Some(se) = e.downcast_ref::<ScenarioError>() {
                eprintln!("{se}");
                return 2;
            }
            if let Some(u) = e.downcast_ref::<UsageError>() {
                eprintln!("error: {u}");
                return 2;
            }
            eprintln!("error: {e:#}");
            1
        }
    }
}

fn dispatch(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Run(a) => run(&a),
        Command::Check(a) => check::check(&a),
        Command::Graph(a) => graph(&a),
        Command::Bench(a) => bench(&a),
        Command::Trace(a) => trace(&a),
        Command::Plot(a) => plot(&a),
        Command::Validate(a) => validate(&a),
        Command::Compare(a) => crate::analysis::commands::compare(&a),
        Command::Sweep(a) => crate::analysis::commands::sweep(&a),
        Command::Sensitivity(a) => crate::analysis::commands::sensitivity(&a),
    }
}

pub(crate) fn load(a: &ScenarioArgs) -> Result<scenario::Scenario> {
    let overrides = Overrides { sets: a.set.clone(), withs: a.with.clone() };
    Ok(scenario::load(&a.scenario, &overrides)?)
}

fn threads(requested: Option<usize>) -> Result<usize> {
    match requested {
        Some(0) => Err(UsageError("--threads must be at least 1".into()).into()),
        Some(t) => Ok(t),
        None => Ok(std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)),
    }
}

fn progress(n: u64) -> indicatif::ProgressBar {
    if !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(n);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{spinner} {bar:40} {pos}/{len} rollouts ({per_sec}, eta {eta})")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    bar
}

/// Runs a scenario into a folder and returns what was written (used by `run` and its tests).
pub fn run_to_folder(
    model: &Model,
    n: u64,
    seed: u64,
    threads: usize,
    out: &PathBuf,
    show_progress: bool,
    charts: Option<&crate::charts::ChartOptions>,
) -> Result<(PathBuf, Summary)> {
    let started = Instant::now();
    let mut folder = RunFolder::create(out, model, true)?;
    let mut summary = Summary::new(model);
    let bar = if show_progress { progress(n) } else { indicatif::ProgressBar::hidden() };
    let cfg = RunConfig { n, seed, threads, first: 0 };
    let shards = summary.split();
    runner::run_with(
        model,
        &cfg,
        &|chunk| shards.add(chunk),
        |chunk| -> Result<()> {
            folder.add(model, chunk)?;
            summary.add_ordered(chunk);
            Ok(())
        },
        |done| bar.set_position(done),
    )?;
    summary.join(shards);
    bar.finish_and_clear();
    let report = summary.report(model, seed);
    folder.write_text("timeseries.csv", &output::timeseries_csv(model, &summary)?)?;
    folder.write_json("summary.json", &report)?;
    folder.write_text("summary.csv", &output::summary_csv(&report)?)?;
    folder.write_text("scenario.resolved.toml", &output::to_toml(model))?;
    let manifest = output::manifest(model, seed, n, threads, started.elapsed().as_secs_f64());
    folder.write_json("manifest.json", &manifest)?;
    folder.close_runs()?;
    if let Some(opts) = charts {
        // Charts are drawn inside the temporary folder, so they land atomically with the rest.
        let report = crate::charts::draw_run(folder.path(), &folder.path().join("charts"), opts).context("cannot draw the charts")?;
        for w in &report.warnings {
            eprintln!("warning: {w}");
        }
    }
    let path = folder.finish()?;
    Ok((path, summary))
}

fn run(a: &RunArgs) -> Result<()> {
    let scenario = load(&a.scenario)?;
    for w in &scenario.warnings {
        eprintln!("warning: {w}");
    }
    let threads = threads(a.threads)?;
    let model = Model::new(scenario);
    let out = a.out.clone().unwrap_or_else(|| PathBuf::from("output").join(&model.scenario.name));
    let started = Instant::now();
    let chart_opts = chart_options(&a.charts);
    let (path, summary) = run_to_folder(&model, a.n, a.seed, threads, &out, true, (!a.no_charts).then_some(&chart_opts))?;
    let report = summary.report(&model, a.seed);
    let mut stdout = std::io::stdout().lock();
    print_report(&mut stdout, &model, &report)?;
    writeln!(
        stdout,
        "\n{} rollouts in {:.1} s on {threads} thread(s); written to {}",
        a.n,
        started.elapsed().as_secs_f64(),
        path.display()
    )?;
    Ok(())
}

pub fn print_report(out: &mut impl Write, model: &Model, r: &crate::summary::Report) -> Result<()> {
    let sc = &model.scenario;
    writeln!(
        out,
        "{} — {} rollouts, seed {}, {} → {} ({} months)",
        sc.title,
        r.n,
        r.seed,
        sc.start,
        sc.date(sc.horizon as i32),
        sc.horizon
    )?;
    writeln!(out)?;
    writeln!(out, "{:<20} {:>8}   {:<17}", "outcome", "p", "95% interval")?;
    for o in Outcome::ALL {
        let s = r.outcomes.get(o.name()).context("every outcome is reported")?;
        writeln!(out, "{:<20} {:>7.1}%   [{:>5.1}%, {:>5.1}%]", o.name(), 100.0 * s.p, 100.0 * s.ci95[0], 100.0 * s.ci95[1])?;
    }
    writeln!(out)?;
    let months =
        |m: Option<u32>| m.map(|v| format!("{v} months ({})", sc.date(v as i32))).unwrap_or_else(|| "never within the horizon".into());
    let p_cf = r.ceasefire_by_month.last().map(|c| c.p).unwrap_or(0.0);
    let p_st = r.settlement_by_month.last().map(|c| c.p).unwrap_or(0.0);
    writeln!(
        out,
        "median time to first ceasefire: {}  (in the {:.0}% of rollouts that had one)",
        months(r.median_months_to_ceasefire),
        100.0 * p_cf
    )?;
    writeln!(
        out,
        "median time to settlement:      {}  (in the {:.0}% that signed one)",
        months(r.median_months_to_settlement),
        100.0 * p_st
    )?;
    writeln!(
        out,
        "median final Russian-held area:  {:.0} km² ({:.1}% of Ukraine); 90% range {:.0}–{:.0} km²",
        r.final_area_km2.median, r.final_area_km2.median_pct, r.final_area_km2.p05, r.final_area_km2.p95
    )?;
    Ok(())
}

fn graph(a: &ScenarioArgs) -> Result<()> {
    let scenario = load(a)?;
    let model = Model::new(scenario);
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(crate::graph::to_dot(&model.scenario).as_bytes())?;
    Ok(())
}

fn bench(a: &args::BenchArgs) -> Result<()> {
    let scenario = scenario::load(&a.scenario, &Overrides::default())?;
    let model = Model::new(scenario);
    let all = threads(None)?;
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "benchmark: {} ({} rollouts × {} months, summaries only, no files)", model.scenario.name, a.n, model.horizon())?;
    for t in [1, all] {
        let cfg = RunConfig { n: a.n, seed: a.seed, threads: t, first: 0 };
        let mut summary = Summary::new(&model);
        let started = Instant::now();
        let shards = summary.split();
        runner::run_with(&model, &cfg, &|c| shards.add(c), |c| -> Result<()> { Ok(summary.add_ordered(c)) }, |_| {})?;
        summary.join(shards);
        let secs = started.elapsed().as_secs_f64();
        let months = a.n as f64 * model.horizon() as f64;
        writeln!(
            stdout,
            "{t:>2} thread(s): {:>10.0} rollouts/s  {:>12.0} rollout-months/s  ({:.0} per core)  [{secs:.2} s]",
            a.n as f64 / secs,
            months / secs,
            months / secs / t as f64
        )?;
        if t == all {
            break;
        }
    }
    Ok(())
}

fn trace(a: &args::TraceArgs) -> Result<()> {
    let scenario = load(&a.scenario)?;
    let model = Model::new(scenario);
    let index = match (&a.rollout, &a.find) {
        (Some(k), _) => *k,
        (None, Some(name)) => {
            let Some(outcome) = Outcome::parse(name) else {
                let names: Vec<&str> = Outcome::ALL.iter().map(|o| o.name()).collect();
                return Err(UsageError(format!("--find {name}: not an outcome; expected one of {}", names.join(", "))).into());
            };
            const LIMIT: u64 = 1_000_000;
            match crate::trace::find(&model, a.seed, outcome, LIMIT) {
                Some(k) => k,
                None => return Err(UsageError(format!("no rollout among the first {LIMIT} ends in {name} with seed {}", a.seed)).into()),
            }
        }
        (None, None) => return Err(UsageError("give --rollout K or --find OUTCOME".into()).into()),
    };
    let (record, tracer) = crate::trace::trace(&model, a.seed, index);
    let text = if a.json {
        crate::trace::to_json(&model, a.seed, &record, &tracer) + "\n"
    } else {
        crate::trace::to_text(&model, a.seed, &record, &tracer)
    };
    std::io::stdout().lock().write_all(text.as_bytes())?;
    Ok(())
}

fn validate(a: &args::ValidateArgs) -> Result<()> {
    let checks = crate::validate::run_all(&a.dir, a.n, a.seed)?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "validation: {} rollouts per check, seed {}; a check passes within 4 standard errors\n", a.n, a.seed)?;
    out.write_all(crate::validate::table(&checks).as_bytes())?;
    let failed = checks.iter().filter(|c| !c.pass).count();
    writeln!(out, "\n{} of {} checks pass", checks.len() - failed, checks.len())?;
    out.flush()?;
    if failed > 0 {
        anyhow::bail!("{failed} validation check(s) failed");
    }
    Ok(())
}

fn chart_options(a: &args::ChartArgs) -> crate::charts::ChartOptions {
    crate::charts::ChartOptions {
        lang: if a.lang == "zh" { crate::charts::Lang::Zh } else { crate::charts::Lang::En },
        width: a.size.0,
        height: a.size.1,
        font: a.font.clone(),
    }
}

fn plot(a: &args::PlotArgs) -> Result<()> {
    if !a.dir.join("summary.json").exists() {
        return Err(UsageError(format!(
            "`{}` is not a run folder (it has no summary.json); give a folder written by `truce run`",
            a.dir.display()
        ))
        .into());
    }
    let opts = chart_options(&a.charts);
    let out = a.dir.join("charts");
    let report = crate::charts::draw_run(&a.dir, &out, &opts).context("cannot draw the charts")?;
    for w in &report.warnings {
        eprintln!("warning: {w}");
    }
    println!("{} charts written to {}", report.files.len(), out.display());
    Ok(())
}
