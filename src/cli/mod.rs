//! The binary's glue: turns parsed arguments into work and reports the result.

mod analysis;
pub mod args;
mod calibrate;
mod check;
mod rolling;
mod shard;

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::error::Result;
use clap::Parser;

use crate::charts::ChartOptions;
use crate::model::{Model, Outcome};
use crate::pipeline::{Pending, RunResult, RunSpec};
use crate::scenario::{self, Overrides};
use args::{Cli, Command, RunArgs, ScenarioArgs};

pub use crate::error::InputError;

/// Runs the command line; returns the process exit code.
pub fn main() -> i32 {
    crate::output::claim::on_interrupt(|| eprintln!("\ninterrupted: the unfinished output was removed; earlier output is as it was"));
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return code;
        }
    };
    // A panic is a bug in truce like any other internal error: exit 1 with the same request, not
    // Rust's 101. The default hook has already printed where it happened.
    let outcome = match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| dispatch(cli))) {
        Ok(r) => r,
        Err(_) => {
            eprintln!(
                "error: truce stopped on an internal error\n  (this is a bug in truce: please report it with the command line and scenario)"
            );
            return 1;
        }
    };
    match outcome {
        Ok(()) => 0,
        Err(e) => {
            let report = e.report();
            if !report.is_empty() {
                eprintln!("{report}");
            }
            e.kind().exit_code()
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
        Command::Report(a) => report(&a),
        Command::Merge(a) => shard::merge(&a),
        Command::Serve(a) => serve(&a),
        Command::Validate(a) => validate(&a),
        Command::Calibrate(a) => calibrate::calibrate(&a),
        Command::Backtest(a) if a.rolling => rolling::backtest_rolling(&a),
        Command::Backtest(a) => calibrate::backtest(&a),
        Command::Compare(a) => analysis::compare(&a),
        Command::Sweep(a) => analysis::sweep(&a),
        Command::Sensitivity(a) => analysis::sensitivity(&a),
    }
}

pub(crate) fn load(a: &ScenarioArgs) -> Result<scenario::Scenario> {
    let overrides = Overrides { sets: a.set.clone(), withs: a.with.clone() };
    Ok(scenario::load(&a.scenario, &overrides)?)
}

pub(crate) fn threads(requested: Option<usize>) -> Result<usize> {
    match requested {
        Some(0) => Err(InputError("--threads must be at least 1".into()).into()),
        Some(t) => Ok(t),
        None => Ok(std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)),
    }
}

/// A bar over `total` rollouts, with `what` is being done; hidden when stderr is not a terminal.
pub(crate) fn progress(total: u64, what: &str) -> indicatif::ProgressBar {
    if !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(total);
    let what = if what.is_empty() { String::new() } else { format!(", {what}") };
    let template = format!("{{spinner}} {{bar:40}} {{pos}}/{{len}} rollouts{what} ({{per_sec}}, eta {{eta}})");
    bar.set_style(indicatif::ProgressStyle::with_template(&template).unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()));
    bar
}

/// A run into a run folder as the commands do it: options checked before any rollout, a
/// progress bar, then the folder claimed and its rollouts run. The caller adds what it needs to
/// the result and hands both to `finish_run`.
pub(crate) fn start_run(
    model: &Model,
    spec: &RunSpec,
    out: &Path,
    runs_csv: bool,
    charts: Option<&ChartOptions>,
    also: impl FnMut(&crate::runner::Chunk),
) -> Result<(Pending, RunResult)> {
    if let Some(opts) = charts {
        crate::charts::check_options(opts)?;
    }
    let mut pending = Pending::create(model, spec.n, spec.seed, out, runs_csv)?;
    let bar = progress(spec.n, "");
    let result = pending.execute(model, spec, also, |done| bar.set_position(done))?;
    bar.finish_and_clear();
    injected_fault()?;
    Ok((pending, result))
}

/// Writes the run folder from `result`, prints the charts' warnings, and says where it went.
pub(crate) fn finish_run(pending: Pending, model: &Model, result: &RunResult, charts: Option<&ChartOptions>) -> Result<PathBuf> {
    let written = pending.finish(model, result, charts)?;
    for w in &written.chart_warnings {
        eprintln!("warning: {w}");
    }
    Ok(written.path)
}

fn run(a: &RunArgs) -> Result<()> {
    if let Some((k, of)) = a.shard {
        return shard::run_shard(a, k, of);
    }
    let scenario = load(&a.scenario)?;
    for w in &scenario.warnings {
        eprintln!("warning: {w}");
    }
    let spec = RunSpec { n: a.n, seed: a.run.seed, threads: threads(a.run.threads)? };
    let model = Model::new(scenario);
    let out = a.run.out.clone().unwrap_or_else(|| PathBuf::from("output").join(&model.scenario.name));
    let started = Instant::now();
    let chart_opts = chart_options(&a.run.charts);
    let charts = (!a.run.no_charts).then_some(&chart_opts);
    let (mut pending, result) = start_run(&model, &spec, &out, !a.no_runs_csv, charts, |_| {})?;
    if a.report {
        pending.with_report(chart_opts.lang);
    }
    let path = finish_run(pending, &model, &result, charts)?;
    let mut stdout = std::io::stdout().lock();
    print_report(&mut stdout, &model, &result.report)?;
    let secs = started.elapsed().as_secs_f64();
    writeln!(
        stdout,
        "\n{} rollouts ({} rollout-months simulated) in {secs:.1} s on {} thread(s), {:.0} rollouts/s; written to {}",
        a.n,
        result.summary.months_simulated,
        spec.threads,
        a.n as f64 / secs.max(1e-9),
        path.display()
    )?;
    if let Some(k) = &model.scenario.overrides_key {
        writeln!(stdout, "(the overrides' key {k} names the run, so it never replaces the run without them)")?;
    }
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
    writeln!(out, "{:<20} {:>8}   95% interval", "outcome", "p")?;
    for o in Outcome::ALL {
        let s =
            r.outcomes.get(o.name()).ok_or_else(|| crate::error::Error::bug("internal error: an outcome is missing from the report"))?;
        // The same rule as the charts' labels: 0% for none, <0.1% for a share too small to show.
        let pc = crate::stats::percent;
        writeln!(out, "{:<20} {:>8}   [{:>6}, {:>6}]", o.name(), pc(s.p), pc(s.ci95[0]), pc(s.ci95[1]))?;
    }
    writeln!(out)?;
    let months =
        |m: Option<u32>| m.map(|v| format!("{v} months ({})", sc.date(v as i32))).unwrap_or_else(|| "never within the horizon".into());
    let p_cf = r.ceasefire_by_month.last().map(|c| c.p).unwrap_or(0.0);
    let p_st = r.settlement_by_month.last().map(|c| c.p).unwrap_or(0.0);
    // The share at the outcome table's precision; a share too small to show is said so.
    let share = crate::stats::percent;
    let among = |p: f64, had: &str| {
        if p > 0.0 { format!("in the {} of rollouts that {had} one", share(p)) } else { format!("no rollout {had} one") }
    };
    writeln!(out, "median time to first ceasefire: {}  ({})", months(r.median_months_to_ceasefire), among(p_cf, "had"))?;
    writeln!(out, "median time to settlement:      {}  ({})", months(r.median_months_to_settlement), among(p_st, "signed"))?;
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
    stdout.write_all(crate::graph::to_dot(&model).as_bytes())?;
    Ok(())
}

/// Rollouts the benchmark's random-number floor counts and draws (at most).
const FLOOR_ROLLOUTS: u64 = 50_000;

fn bench(a: &args::BenchArgs) -> Result<()> {
    let scenario = scenario::load(&a.scenario, &Overrides::default())?;
    let model = Model::new(scenario);
    let all = threads(None)?;
    let mut stdout = std::io::stdout().lock();
    writeln!(
        stdout,
        "benchmark: {} ({} rollouts, horizon {} months, summaries only, no files)",
        model.scenario.name,
        a.n,
        model.horizon()
    )?;
    let mut one_thread_rate = 0.0;
    for t in [1, all] {
        let spec = RunSpec { n: a.n, seed: a.seed, threads: t };
        let result = crate::pipeline::execute(&model, &spec, |_| Ok(()), |_| {})?;
        let secs = result.seconds;
        let months = result.summary.months_simulated as f64;
        if t == 1 {
            writeln!(
                stdout,
                "simulated: {:.0} rollout-months, {:.1} per rollout of {} (the months after an end are not simulated)",
                months,
                months / a.n.max(1) as f64,
                model.horizon()
            )?;
        }
        writeln!(
            stdout,
            "{t:>2} thread(s): {:>10.0} rollouts/s  {:>12.0} simulated rollout-months/s  ({:.0} per core)  [{secs:.2} s]",
            a.n as f64 / secs,
            months / secs,
            months / secs / t as f64
        )?;
        if t == 1 {
            one_thread_rate = months / secs;
        }
        if t == all {
            break;
        }
    }
    // The runs' peak, before the floor's census (which keeps every month's count) adds to it.
    if let Some(kb) = peak_memory_kb() {
        writeln!(stdout, "peak memory (resident): {:.1} MB", kb as f64 / 1024.0)?;
    }
    // The random-number floor (model/floor.rs): the same words the rollouts draw, drawn alone.
    let floor = crate::model::rng_floor(&model, a.seed, a.n.min(FLOOR_ROLLOUTS));
    let rate = |secs: f64| floor.months as f64 / secs.max(1e-9);
    writeln!(
        stdout,
        "random-number floor ({} rollouts, 1 thread, {:.1} words per month): {:.0} rollout-months/s with the per-month keyed generators, {:.0} without the seek",
        floor.rollouts,
        floor.words_per_month(),
        rate(floor.keyed_secs),
        rate(floor.unkeyed_secs)
    )?;
    writeln!(
        stdout,
        "the model on 1 thread takes {:.1}× the floor's time with the seek, {:.1}× without",
        rate(floor.keyed_secs) / one_thread_rate.max(1e-9),
        rate(floor.unkeyed_secs) / one_thread_rate.max(1e-9)
    )?;
    // The explorer's answer to one tweak (`truce serve`): the request's JSON in, the report's
    // JSON out, on all threads — the server's part of the time from a change to the redraw.
    let ex = crate::serve::Explorer::new(&a.scenario, &[], &[], 10_000, a.seed, all)?;
    let first = ex.scenario().params.iter().find(|p| p.names.is_none() && matches!(p.value, scenario::ParamValue::Fixed(_)));
    let sets: Vec<String> = first.map(|p| format!("{}={}", p.path, scenario::format_number(p.central()))).into_iter().collect();
    let body = serde_json::json!({ "sets": sets }).to_string();
    let mut times: Vec<f64> = (0..5)
        .map(|_| {
            let t = Instant::now();
            let r = ex.handle("POST", "/api/run", body.as_bytes());
            (r.status, t.elapsed().as_secs_f64() * 1000.0)
        })
        .filter(|(s, _)| *s == 200)
        .map(|(_, ms)| ms)
        .collect();
    times.sort_by(f64::total_cmp);
    if let Some(ms) = times.get(times.len() / 2) {
        writeln!(stdout, "explorer: a tweak of 10,000 rollouts answered in {ms:.0} ms (median of 5, {all} thread(s), request to JSON)")?;
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
                return Err(InputError(format!("--find {name}: not an outcome; expected one of {}", names.join(", "))).into());
            };
            const LIMIT: u64 = 1_000_000;
            match crate::trace::find(&model, a.seed, outcome, LIMIT) {
                Some(k) => k,
                None => return Err(InputError(format!("no rollout among the first {LIMIT} ends in {name} with seed {}", a.seed)).into()),
            }
        }
        (None, None) => return Err(InputError("give --rollout K or --find OUTCOME".into()).into()),
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
    writeln!(
        out,
        "validation: {} rollouts per check, seed {}; a check passes within {} standard errors\n",
        a.n,
        a.seed,
        crate::validate::TOLERANCE_SE
    )?;
    out.write_all(crate::validate::table(&checks).as_bytes())?;
    let failed = checks.iter().filter(|c| !c.pass).count();
    writeln!(out, "\n{} of {} checks pass", checks.len() - failed, checks.len())?;
    out.flush()?;
    if failed > 0 {
        crate::error::bug!("{failed} validation check(s) failed");
    }
    Ok(())
}

pub(crate) fn chart_options(a: &args::ChartArgs) -> crate::charts::ChartOptions {
    crate::charts::ChartOptions {
        lang: if a.lang == "zh" { crate::charts::Lang::Zh } else { crate::charts::Lang::En },
        width: a.size.0,
        height: a.size.1,
        font: a.font.clone(),
    }
}

fn plot(a: &args::PlotArgs) -> Result<()> {
    let opts = chart_options(&a.charts);
    crate::charts::check_options(&opts)?;
    if !crate::output::claim::is_truce_folder(&a.dir) || !a.dir.join("summary.json").is_file() {
        return Err(InputError(format!(
            "`{}` is not a run folder (it has no truce manifest.json and summary.json); give a folder written by `truce run`\n  help: e.g. truce plot output/endgame",
            a.dir.display()
        ))
        .into());
    }
    let _claim = crate::output::Claim::lock(&a.dir)?;
    let charts = a.dir.join("charts");
    let other = |name: &str| !opts.lang.owns_chart(name);
    let report = crate::output::replace_charts(&a.dir, other, |tmp| {
        crate::charts::draw_run(&a.dir, tmp, &opts)
            .map_err(crate::error::Error::from)
            .map_err(|e| crate::files::in_temporary(e, tmp, &charts))
    })?;
    for w in &report.warnings {
        eprintln!("warning: {w}");
    }
    println!("{} charts written to {}", report.files.len(), a.dir.join("charts").display());
    Ok(())
}

/// `truce report DIR`: the page of a folder truce wrote, its charts drawn first if a run folder
/// has none in the page's language.
fn report(a: &args::ReportArgs) -> Result<()> {
    let lang = if a.lang == "zh" { crate::charts::Lang::Zh } else { crate::charts::Lang::En };
    let kind = crate::report::Kind::of(&a.dir).filter(|_| crate::output::claim::is_truce_folder(&a.dir)).ok_or_else(|| {
        InputError(format!(
            "`{}` is not a folder truce wrote (it has no truce manifest.json or compare.json)\n  help: give a folder of `truce run`, `truce compare` or `truce sensitivity`, e.g. truce report output/endgame",
            a.dir.display()
        ))
    })?;
    let _claim = crate::output::Claim::lock(&a.dir)?;
    if kind == crate::report::Kind::Run && crate::report::charts_missing(&a.dir, kind, lang) {
        let opts = ChartOptions { lang, ..ChartOptions::default() };
        let charts = a.dir.join("charts");
        let drawn = crate::output::replace_charts(
            &a.dir,
            |name| !lang.owns_chart(name),
            |tmp| {
                crate::charts::draw_run(&a.dir, tmp, &opts)
                    .map_err(crate::error::Error::from)
                    .map_err(|e| crate::files::in_temporary(e, tmp, &charts))
            },
        )?;
        for w in &drawn.warnings {
            eprintln!("warning: {w}");
        }
        eprintln!("drew {} charts into {} for the report", drawn.files.len(), charts.display());
    }
    let opts = crate::report::Options { lang, sensitivity: a.sensitivity.clone(), label: None };
    let path = crate::report::write(&a.dir, &opts)?;
    println!("report written to {}", path.display());
    Ok(())
}

/// `truce serve`: the explorer on `host:port`, until the process is stopped.
fn serve(a: &args::ServeArgs) -> Result<()> {
    let mut ex = crate::serve::Explorer::new(&a.scenario.scenario, &a.scenario.with, &a.scenario.set, a.n, a.seed, threads(a.threads)?)?;
    ex.output = a.output.clone();
    for w in &ex.scenario().warnings {
        eprintln!("warning: {w}");
    }
    let loopback = a.host == "127.0.0.1" || a.host == "::1" || a.host == "localhost";
    if !loopback {
        eprintln!("warning: listening on {}: other machines can reach the explorer and run rollouts on this one", a.host);
    }
    crate::serve::serve(&ex, &format!("{}:{}", a.host, a.port), |addr| {
        println!("truce explorer for {} at http://{addr}/ (Ctrl-C to stop)", ex.scenario().name);
        let _ = std::io::stdout().flush();
    })
}

/// The process's peak resident memory, where the system reports it (Linux: VmHWM).
fn peak_memory_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// A deliberate internal failure, so that the tests can check what a bug in truce looks like to
/// its user (exit 1, the request to report it, no output left behind): with `TRUCE_INJECT_FAULT`
/// set to `panic` or `error`, a run panics or fails with an internal error once its rollouts
/// have run and runs.csv is written in the temporary folder, before the other files. Not for users.
fn injected_fault() -> Result<()> {
    match std::env::var("TRUCE_INJECT_FAULT").as_deref() {
        Ok("panic") => panic!("fault injected by TRUCE_INJECT_FAULT"),
        Ok("error") => Err(crate::error::Error::bug("fault injected by TRUCE_INJECT_FAULT")),
        _ => Ok(()),
    }
}
