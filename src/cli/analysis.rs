//! The command-line glue of `compare`, `sweep` and `sensitivity`: load, run with a progress
//! bar, write the folder, draw, print. Input the analyses reject becomes a `InputError` (exit 2).

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::Result;

use super::args::{CompareArgs, RunOptions, SensitivityArgs, SweepArgs};
use super::{chart_options, finish_run, progress, start_run, threads};
use crate::charts;
use crate::model::{Model, Outcome};
use crate::output::RunFolder;
use crate::pipeline::RunSpec;
use crate::runner::Chunk;
use crate::scenario::{Overrides, Scenario};

use crate::analysis::compare::{Comparison, subjects};
use crate::analysis::grid::{Grid, LARGE_GRID};
use crate::analysis::hold::Base;
use crate::analysis::outcome_index;
use crate::analysis::sensitivity::{Sensitivity, analyse, evaluate_design, read_design, total_rollouts};
use crate::analysis::sweep::{PointRow, Sweep};
use crate::analysis::tally::Tally;

/// Options that can only fail are refused before any rollout runs.
fn early_checks(r: &RunOptions) -> Result<()> {
    if !r.no_charts {
        charts::check_options(&chart_options(&r.charts))?;
    }
    Ok(())
}

fn warn_all(warnings: &[String]) {
    for w in warnings {
        eprintln!("warning: {w}");
    }
}

fn overrides(set: &[String], with: &[PathBuf]) -> Overrides {
    Overrides { sets: set.to_vec(), withs: with.to_vec() }
}

/// `truce compare`.
pub(super) fn compare(a: &CompareArgs) -> Result<()> {
    let subjects = subjects(&a.scenarios, &a.variant, &overrides(&a.set, &a.with))?;
    let mut seen = Vec::new();
    for s in &subjects {
        for w in &s.scenario.warnings {
            if !seen.contains(w) {
                eprintln!("warning: {}: {w}", s.label);
                seen.push(w.clone());
            }
        }
    }
    let r: &RunOptions = &a.run;
    let threads = threads(r.threads)?;
    early_checks(r)?;
    let labels: Vec<String> = subjects.iter().map(|s| s.label.clone()).collect();
    let out = r.out.clone().unwrap_or_else(|| PathBuf::from("output").join(format!("compare_{}", labels.join("_vs_"))));
    let models: Vec<Model> = subjects.iter().map(|s| Model::new(s.scenario.clone())).collect();
    let folder = RunFolder::create(&out, &models[0], false)?;
    let mut tallies = Vec::new();
    let mut dirs = Vec::new();
    for (s, model) in subjects.iter().zip(&models) {
        let target = folder.path().join(&s.label);
        let spec = RunSpec { n: a.n, seed: r.seed, threads };
        let mut outcomes = Vec::with_capacity(a.n as usize);
        let keep = |chunk: &Chunk| outcomes.extend(chunk.records.iter().map(|rec| outcome_index(rec.outcome) as u8));
        let (pending, result) = start_run(model, &spec, &target, true, None, keep)?;
        let dir = finish_run(pending, model, &result, None)?;
        tallies.push(Tally { outcomes, ceasefire_at: vec![], drawn: vec![], width: 0 });
        dirs.push(dir);
    }
    let cmp = Comparison::new(labels.clone(), &tallies, r.seed);
    folder.write_text("compare.csv", &cmp.csv()?)?;
    let subjects_json: Vec<serde_json::Value> = subjects
        .iter()
        .map(|s| serde_json::json!({"label": s.label, "file": s.file.display().to_string(), "variant_sets": s.sets, "overrides": s.scenario.overrides}))
        .collect();
    folder.write_json(
        "compare.json",
        &serde_json::json!({
            "truce_version": env!("CARGO_PKG_VERSION"),
            "n": a.n,
            "seed": r.seed,
            "reference": labels[0],
            "subjects": subjects_json,
        }),
    )?;
    if !r.no_charts {
        let dir_refs: Vec<&Path> = dirs.iter().map(PathBuf::as_path).collect();
        let report = charts::draw_compare(&dir_refs, &labels, &folder.path().join("charts"), &chart_options(&r.charts))?;
        warn_all(&report.warnings);
    }
    // The comparison's page, written with the rest of the folder.
    let label = out.file_name().map(|n| n.to_string_lossy().into_owned());
    let page = crate::report::Options { lang: chart_options(&r.charts).lang, sensitivity: None, label };
    folder.write_text(crate::report::FILE, &crate::report::html(folder.path(), &page)?)?;
    let path = folder.finish()?;

    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{} rollouts per scenario, seed {}, common random numbers (rollout i of each uses the same streams)", a.n, r.seed)?;
    for s in &subjects {
        let sets = if s.sets.is_empty() { String::new() } else { format!(" --set {}", s.sets.join(" --set ")) };
        writeln!(stdout, "  {:<18} {}{sets}  ({})", s.label, s.file.display(), s.scenario.title)?;
    }
    writeln!(stdout)?;
    write!(stdout, "{}", cmp.table())?;
    writeln!(
        stdout,
        "\np: share of rollouts with its 95% Wilson interval; differences in percentage points with paired 95% intervals.\nwritten to {}",
        path.display()
    )?;
    Ok(())
}

/// `truce sweep`.
pub(super) fn sweep(a: &SweepArgs) -> Result<()> {
    let base = Base::load(&a.scenario.scenario, &overrides(&a.scenario.set, &a.scenario.with))?;
    warn_all(&base.scenario.warnings);
    let grid = Grid::new(&base, &a.vary)?;
    let r = &a.run;
    let threads = threads(r.threads)?;
    early_checks(r)?;
    let points = grid.points.len();
    if grid.varies.len() > 2 {
        eprintln!("warning: {} parameters make {points} points; charts are drawn for one or two parameters only", grid.varies.len());
    }
    if let Some((k, of)) = a.shard {
        return super::shard::sweep_shard(a, base, grid, threads, k, of);
    }
    if points > LARGE_GRID {
        eprintln!(
            "warning: {points} points × {} rollouts = {} rollouts; this may take a while (--resume continues it if interrupted)",
            a.n,
            points as u64 * a.n
        );
    }
    let out = r.out.clone().unwrap_or_else(|| PathBuf::from("output").join(grid.folder_name(&base.scenario.name)));
    let mut sweep = Sweep::prepare(base, grid, a.n, r.seed, threads, &out, a.resume)?;
    if let Some(note) = &sweep.note {
        eprintln!("{note}");
    }
    let todo = sweep.todo().len();
    let skipped = sweep.skipped();
    if a.resume {
        println!("resuming: {skipped} of {points} points already done; running {todo}");
    }
    let bar = progress(todo as u64 * a.n, &format!("{todo} points"));
    let rows = sweep.run(&mut |done| bar.set_position(done))?;
    bar.finish_and_clear();
    let chart_opts = chart_options(&r.charts);
    show_sweep(&sweep, &rows, a.metric, (!r.no_charts).then_some(&chart_opts))?;
    println!("\nran {todo} point(s), skipped {skipped} already done; written to {}", out.display());
    Ok(())
}

/// A finished sweep's table, printed, and its charts, drawn into its folder.
pub(super) fn show_sweep(sweep: &Sweep, rows: &[PointRow], metric: Outcome, charts: Option<&charts::ChartOptions>) -> Result<()> {
    let paths = sweep.grid.paths();
    let sc = &sweep.base.scenario;
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{} — sweep of {}, {} rollouts per point, seed {}", sc.title, paths.join(" × "), sweep.n, sweep.seed)?;
    writeln!(stdout)?;
    write!(stdout, "{}", sweep_table(&paths, rows))?;
    if let Some(opts) = charts
        && paths.len() <= 2
    {
        let data = charts::SweepData {
            scenario: sc.name.clone(),
            title: sc.title.clone(),
            n: sweep.n,
            seed: sweep.seed,
            version: env!("CARGO_PKG_VERSION").to_string(),
            params: paths.clone(),
            labels: paths.iter().map(|p| sc.param_label(p)).collect(),
            points: rows.iter().map(|p| p.values.clone()).collect(),
            p: rows.iter().map(|p| p.p.iter().map(|e| (e.value, e.lo, e.hi)).collect()).collect(),
            metric: outcome_index(metric),
        };
        let other = |name: &str| !opts.lang.owns_chart(name);
        let report = crate::output::replace_charts(&sweep.dir, other, |tmp| {
            charts::draw_sweep(&data, tmp, opts).map_err(crate::error::Error::from)
        })?;
        warn_all(&report.warnings);
    }
    Ok(())
}

/// One line per point: the parameter values, then each outcome's probability in %.
fn sweep_table(paths: &[String], rows: &[PointRow]) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let widths: Vec<usize> = paths.iter().map(|p| p.chars().count().max(8)).collect();
    for (p, w) in paths.iter().zip(&widths) {
        let _ = write!(out, "{p:>w$}  ");
    }
    for o in Outcome::ALL {
        let _ = write!(out, "{:>10}", short_name(o));
    }
    let _ = writeln!(out, "  {:>9}", "cf.median");
    for row in rows {
        for (v, w) in row.values.iter().zip(&widths) {
            let _ = write!(out, "{:>w$}  ", format!("{v}"));
        }
        for e in &row.p {
            let _ = write!(out, "{:>9.1}%", 100.0 * e.value);
        }
        let m = row.median_months_to_ceasefire.map(|m| format!("{m} mo")).unwrap_or_else(|| "—".into());
        let _ = writeln!(out, "  {m:>9}");
    }
    out
}

/// Outcome names short enough for a table column.
fn short_name(o: Outcome) -> &'static str {
    match o {
        Outcome::Settlement => "settle",
        Outcome::Ceasefire => "ceasefire",
        Outcome::FightAndTalk => "fight",
        Outcome::UkraineCollapse => "ua.coll",
        Outcome::RussiaExhaustion => "ru.exh",
        Outcome::Escalation => "escal",
    }
}

/// The folder a design's results go to by default: named after the design file, so two
/// designs never share a folder.
pub(super) fn design_folder(name: &str, design_file: &Path) -> PathBuf {
    let stem = design_file.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let stem: String = stem.chars().map(|c| if c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.') { c } else { '_' }).collect();
    PathBuf::from("output").join(format!("{name}_design_{stem}"))
}

/// The folder a sensitivity analysis goes to by default: the tornado is of one outcome, so two
/// metrics never share a folder.
pub(super) fn sensitivity_folder(name: &str, metric: Outcome) -> PathBuf {
    PathBuf::from("output").join(format!("{name}_sensitivity_{}", metric.name()))
}

/// `truce sensitivity`.
pub(super) fn sensitivity(a: &SensitivityArgs) -> Result<()> {
    let base = Base::load(&a.scenario.scenario, &overrides(&a.scenario.set, &a.scenario.with))?;
    warn_all(&base.scenario.warnings);
    let r = &a.run;
    let threads = threads(r.threads)?;
    early_checks(r)?;
    if let Some((k, of)) = a.shard {
        return super::shard::sensitivity_shard(a, base, threads, k, of);
    }
    let sc: &Scenario = &base.scenario;
    let name = sc.name.clone();
    let model = Model::new(sc.clone());
    if let Some(design_file) = &a.design {
        let design = read_design(design_file, &base)?;
        let rows = design.values.len();
        let out = r.out.clone().unwrap_or_else(|| design_folder(&name, design_file));
        let folder = RunFolder::create(&out, &model, false)?;
        let bar = progress(rows as u64 * a.n, &format!("{rows} design rows"));
        let csv = evaluate_design(&base, &design, a.n, r.seed, threads, &mut |d| bar.set_position(d))?;
        bar.finish_and_clear();
        let path = write_design(folder, &model, &csv, a.n, r.seed, threads, Vec::new())?;
        println!(
            "evaluated {rows} design rows ({}) × {} rollouts, seed {}, common random numbers\nwritten to {}",
            design.paths.join(", "),
            a.n,
            r.seed,
            path.join("design_results.csv").display()
        );
        return Ok(());
    }
    let out = r.out.clone().unwrap_or_else(|| sensitivity_folder(&name, a.metric));
    let bar = progress(total_rollouts(&base, a.n), &format!("{} runs", 1 + 2 * sc.uncertain().len()));
    let result = analyse(&base, a.metric, a.n, r.seed, threads, &mut |d| bar.set_position(d))?;
    bar.finish_and_clear();
    let chart_opts = chart_options(&r.charts);
    let path = write_sensitivity(&model, &result, &out, threads, Vec::new(), (!r.no_charts).then_some(&chart_opts))?;
    show_sensitivity(sc, &result, &path)
}

/// Writes design_results.csv and the manifest into `folder` and puts it in place.
pub(super) fn write_design(
    folder: RunFolder,
    model: &Model,
    csv: &str,
    n: u64,
    seed: u64,
    threads: usize,
    shards: Vec<crate::output::ShardInfo>,
) -> Result<PathBuf> {
    folder.write_text("design_results.csv", csv)?;
    let mut manifest = crate::output::manifest(model, seed, n, threads, 0.0);
    manifest.shards = shards;
    folder.write_json("manifest.json", &manifest)?;
    folder.finish()
}

/// Writes a sensitivity folder (tornado.csv, sensitivity.csv, the manifest, the tornado chart).
pub(super) fn write_sensitivity(
    model: &Model,
    result: &Sensitivity,
    out: &Path,
    threads: usize,
    shards: Vec<crate::output::ShardInfo>,
    charts: Option<&charts::ChartOptions>,
) -> Result<PathBuf> {
    let sc = &model.scenario;
    let folder = RunFolder::create(out, model, false)?;
    folder.write_text("tornado.csv", &result.tornado_csv()?)?;
    folder.write_text("sensitivity.csv", &result.prcc_csv()?)?;
    let mut manifest = crate::output::manifest(model, result.seed, result.n, threads, 0.0);
    manifest.shards = shards;
    folder.write_json("manifest.json", &manifest)?;
    if let Some(opts) = charts {
        let p = |e: &crate::analysis::intervals::Estimate| (e.value, e.lo, e.hi);
        let data = charts::TornadoData {
            scenario: sc.name.clone(),
            title: sc.title.clone(),
            n: result.n,
            seed: result.seed,
            version: env!("CARGO_PKG_VERSION").to_string(),
            metric: outcome_index(result.metric),
            base: result.base.value,
            bars: result
                .tornado
                .iter()
                .map(|t| charts::TornadoBar {
                    param: t.path.clone(),
                    label: sc.param_label(&t.path),
                    p10: t.p10,
                    p90: t.p90,
                    at_p10: p(&t.at_p10),
                    at_p90: p(&t.at_p90),
                })
                .collect(),
        };
        let report = charts::draw_tornado(&data, &folder.path().join("charts"), opts)?;
        warn_all(&report.warnings);
    }
    folder.finish()
}

/// Prints a sensitivity analysis's tables.
pub(super) fn show_sensitivity(sc: &Scenario, result: &Sensitivity, path: &Path) -> Result<()> {
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{} — sensitivity of {}, {} rollouts per run, seed {}\n", sc.title, result.metric.name(), result.n, result.seed)?;
    write!(stdout, "{}", result.table())?;
    writeln!(stdout, "\nwritten to {}", path.display())?;
    Ok(())
}
