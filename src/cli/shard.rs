//! `--shard K/N` of `run`, `sweep` and `sensitivity`, and `truce merge`: work split across
//! machines and put back together into the folder one machine writes (`crate::shard`).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use super::analysis::{design_folder, sensitivity_folder, show_sensitivity, show_sweep, write_design, write_sensitivity};
use super::args::{MergeArgs, RunArgs, SensitivityArgs, SweepArgs};
use super::{InputError, chart_options, finish_run, load, print_report, progress, threads};
use crate::analysis::grid::Grid;
use crate::analysis::hold::Base;
use crate::analysis::sensitivity::{self, SensitivityPart};
use crate::analysis::sweep::{PointRow, Sweep};
use crate::error::Result;
use crate::model::Model;
use crate::output::{self, RunFolder, ShardInfo};
use crate::pipeline::{Pending, RunSpec};
use crate::shard::{self, Content, Identity, Part, ShardFile, Work};
use crate::summary::Summary;

/// The folder a shard writes by default: beside the single run's, named for its slice.
fn shard_out(out: &Option<PathBuf>, whole: PathBuf, k: u64, of: u64) -> PathBuf {
    out.clone().unwrap_or_else(|| {
        let name = whole.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        whole.with_file_name(format!("{name}.shard-{k}-of-{of}"))
    })
}

/// Writes a shard's shard.json and manifest into `folder` and puts it in place.
fn finish_shard(folder: RunFolder, model: &Model, (n, seed): (u64, u64), info: ShardInfo, work: Work, content: Content) -> Result<PathBuf> {
    let mut manifest = output::manifest(model, seed, n, info.threads, info.wall_seconds);
    manifest.shard = Some(info.clone());
    let identity = Identity::new(&manifest, &model.scenario.name, info.of, work);
    folder.write_json(shard::FILE, &ShardFile { identity, shard: info, content })?;
    folder.write_json("manifest.json", &manifest)?;
    folder.finish()
}

fn info(k: u64, of: u64, (first, n): (u64, u64), threads: usize, started: Instant) -> ShardInfo {
    ShardInfo { k, of, first, n, threads, wall_seconds: started.elapsed().as_secs_f64(), host: shard::host() }
}

/// Runs shard `k` of `of` of the run `a` describes into its partial run folder.
pub(super) fn run_shard(a: &RunArgs, k: u64, of: u64) -> Result<()> {
    if a.report {
        return Err(InputError("--report makes the page of a whole run: give it to `truce merge` instead of each shard".into()).into());
    }
    let scenario = load(&a.scenario)?;
    for w in &scenario.warnings {
        eprintln!("warning: {w}");
    }
    let model = Model::new(scenario);
    let threads = threads(a.run.threads)?;
    let (first, len) = shard::slice(a.n, k, of);
    let out = shard_out(&a.run.out, PathBuf::from("output").join(&model.scenario.name), k, of);
    let mut folder = RunFolder::create(&out, &model, !a.no_runs_csv)?;
    let spec = RunSpec { n: len, seed: a.run.seed, threads };
    let bar = progress(len, "shard");
    let done = crate::pipeline::summarise_slice(&model, &spec, first, |chunk| folder.add(&model, chunk), |d| bar.set_position(d));
    bar.finish_and_clear();
    let (summary, seconds) = done?;
    let info = ShardInfo { k, of, first, n: len, threads, wall_seconds: seconds, host: shard::host() };
    let work = Work::Run { runs_csv: !a.no_runs_csv };
    let path = finish_shard(folder, &model, (a.n, a.run.seed), info, work, Content::Run(summary.state()))?;
    println!("shard {k}/{of}: rollouts {first}..{} of {} in {seconds:.1} s; written to {}", first + len, a.n, path.display());
    Ok(())
}

/// Runs shard `k` of `of` of a sweep's points.
pub(super) fn sweep_shard(a: &SweepArgs, base: Base, grid: Grid, threads: usize, k: u64, of: u64) -> Result<()> {
    let started = Instant::now();
    let points = grid.points.len() as u64;
    let (first, len) = shard::slice(points, k, of);
    let model = Model::new(base.scenario.clone());
    let out = shard_out(&a.run.out, PathBuf::from("output").join(grid.folder_name(&model.scenario.name)), k, of);
    let folder = RunFolder::create(&out, &model, false)?;
    let bar = progress(len * a.n, &format!("points {first}..{}", first + len));
    let mut rows = Vec::new();
    for (j, point) in (first..first + len).enumerate() {
        let done = j as u64 * a.n;
        let row =
            crate::analysis::sweep::point_row(&base, &grid, point as usize, a.n, a.run.seed, threads, &mut |d| bar.set_position(done + d))?;
        rows.push(row.cells());
    }
    bar.finish_and_clear();
    let work = Work::Sweep { vary: grid.varies.clone(), points, metric: a.metric };
    let info = info(k, of, (first, len), threads, started);
    let path = finish_shard(folder, &model, (a.n, a.run.seed), info, work, Content::Rows(rows))?;
    println!("shard {k}/{of}: points {first}..{} of {points}, {} rollouts each; written to {}", first + len, a.n, path.display());
    Ok(())
}

/// Runs shard `k` of `of` of a design's rows or of the tornado's units.
pub(super) fn sensitivity_shard(a: &SensitivityArgs, base: Base, threads: usize, k: u64, of: u64) -> Result<()> {
    let started = Instant::now();
    let model = Model::new(base.scenario.clone());
    let name = model.scenario.name.clone();
    let (n, seed) = (a.n, a.run.seed);
    if let Some(design_file) = &a.design {
        let design = sensitivity::read_design(design_file, &base)?;
        let rows = design.values.len() as u64;
        let (first, len) = shard::slice(rows, k, of);
        let file = output::FileHash { path: design_file.display().to_string(), sha256: design.sha256.clone() };
        let folder = RunFolder::create(&shard_out(&a.run.out, design_folder(&name, design_file), k, of), &model, false)?;
        let bar = progress(len * n, &format!("design rows {first}..{}", first + len));
        let records = sensitivity::design_rows(&base, &design, n, seed, threads, (first, len), &mut |d| bar.set_position(d))?;
        bar.finish_and_clear();
        let work = Work::Design { file, paths: design.paths.clone(), rows };
        let path = finish_shard(folder, &model, (n, seed), info(k, of, (first, len), threads, started), work, Content::Rows(records))?;
        println!("shard {k}/{of}: design rows {first}..{} of {rows}, {n} rollouts each; written to {}", first + len, path.display());
        return Ok(());
    }
    let bars = sensitivity::percentiles(&base, seed);
    let units = sensitivity::units(&bars);
    let (first, len) = shard::slice(units, k, of);
    let folder = RunFolder::create(&shard_out(&a.run.out, sensitivity_folder(&name, a.metric), k, of), &model, false)?;
    let bar = progress(sensitivity::unit_rollouts(first, len, n), &format!("tornado units {first}..{}", first + len));
    let part = sensitivity::analyse_units(&base, &bars, a.metric, n, seed, threads, (first, len), &mut |d| bar.set_position(d))?;
    bar.finish_and_clear();
    let work = Work::Sensitivity { metric: a.metric, units };
    let path = finish_shard(folder, &model, (n, seed), info(k, of, (first, len), threads, started), work, Content::Sensitivity(part))?;
    println!("shard {k}/{of}: tornado units {first}..{} of {units}, {n} rollouts per run; written to {}", first + len, path.display());
    Ok(())
}

/// `truce merge DIR… --out DIR`.
pub(super) fn merge(a: &MergeArgs) -> Result<()> {
    let started = Instant::now();
    let parts = shard::check(a.dirs.iter().map(|d| Part::read(d)).collect::<Result<Vec<_>>>()?)?;
    let id = parts[0].file.identity.clone();
    if id.truce_version != env!("CARGO_PKG_VERSION") {
        return Err(InputError(format!(
            "the shards were made by truce {}, this is truce {}\n  help: merge with the version that ran them, or run them again",
            id.truce_version,
            env!("CARGO_PKG_VERSION")
        ))
        .into());
    }
    let base = Base::load(Path::new(&id.scenario), &shard::overrides_of(&id.overrides))?;
    let model = Model::new(base.scenario.clone());
    let here = output::manifest(&model, id.seed, id.n, 1, 0.0).files;
    if here != id.files {
        let changed = here.iter().find(|f| !id.files.contains(f)).map_or_else(|| id.scenario.clone(), |f| f.path.clone());
        return Err(InputError(format!(
            "`{changed}` is not the file the shards ran (its SHA-256 differs, or the files are not the same)\n  help: merge in the folder the shards ran in, with the scenario files as they were"
        ))
        .into());
    }
    let chart_opts = chart_options(&a.charts);
    let charts = (!a.no_charts).then_some(&chart_opts);
    if let Some(o) = charts {
        crate::charts::check_options(o)?;
    }
    let shards: Vec<ShardInfo> = parts.iter().map(|p| p.file.shard.clone()).collect();
    let threads = shards[0].threads;
    match &id.work {
        Work::Run { runs_csv } => merge_run(a, &parts, &model, *runs_csv, started),
        Work::Sweep { vary, points, metric } => {
            let grid = Grid::new(&base, vary)?;
            if grid.points.len() as u64 != *points {
                return Err(InputError(format!("the shards' grid has {points} points, --vary gives {} here", grid.points.len())).into());
            }
            let mut rows = Vec::new();
            for p in &parts {
                for (j, cells) in rows_of(p).iter().enumerate() {
                    let point = (p.file.shard.first + j as u64) as usize;
                    rows.push(PointRow::from_cells(point, &grid, cells).map_err(|e| damaged(p, e))?);
                }
            }
            let out = a.out.clone().unwrap_or_else(|| PathBuf::from("output").join(grid.folder_name(&model.scenario.name)));
            let mut sweep = Sweep::prepare(base, grid, id.n, id.seed, threads, &out, false)?;
            let rows = sweep.complete(rows)?;
            show_sweep(&sweep, &rows, *metric, charts)?;
            println!("\n{} shards, {} points, merged; written to {}", parts.len(), points, out.display());
            Ok(())
        }
        Work::Design { file, paths, rows } => {
            let records: Vec<Vec<String>> = parts.iter().flat_map(|p| rows_of(p).iter().cloned()).collect();
            let csv = crate::analysis::sensitivity::design_csv(paths, &records)?;
            let out = a.out.clone().unwrap_or_else(|| design_folder(&model.scenario.name, Path::new(&file.path)));
            let folder = RunFolder::create(&out, &model, false)?;
            let path = write_design(folder, &model, &csv, id.n, id.seed, threads, shards)?;
            println!("{} shards, {rows} design rows, merged; written to {}", parts.len(), path.join("design_results.csv").display());
            Ok(())
        }
        Work::Sensitivity { metric, units } => {
            let bars = sensitivity::percentiles(&base, id.seed);
            if sensitivity::units(&bars) != *units {
                return Err(
                    InputError(format!("the shards' tornado has {units} units, the scenario here {}", sensitivity::units(&bars))).into()
                );
            }
            let pieces: Vec<SensitivityPart> = parts
                .iter()
                .map(|p| match &p.file.content {
                    Content::Sensitivity(part) => part.clone(),
                    _ => unreachable!("shard::check matches the content to the work"),
                })
                .collect();
            let result = sensitivity::assemble(&base, *metric, id.n, id.seed, pieces)?;
            let out = a.out.clone().unwrap_or_else(|| sensitivity_folder(&model.scenario.name, *metric));
            let path = write_sensitivity(&model, &result, &out, threads, shards, charts)?;
            show_sensitivity(&model.scenario, &result, &path)?;
            println!("{} shards, {units} tornado units, merged", parts.len());
            Ok(())
        }
    }
}

fn rows_of(p: &Part) -> &[Vec<String>] {
    match &p.file.content {
        Content::Rows(rows) => rows,
        _ => &[],
    }
}

fn damaged(p: &Part, e: crate::error::Error) -> crate::error::Error {
    InputError(format!("{}: {e}\n  help: run that shard again", p.dir.join(shard::FILE).display())).into()
}

/// Merges the shards of a run.
fn merge_run(a: &MergeArgs, parts: &[Part], model: &Model, runs_csv: bool, started: Instant) -> Result<()> {
    let id = &parts[0].file.identity;
    let mut summary = Summary::new(model);
    for p in parts {
        let Content::Run(state) = &p.file.content else { unreachable!("shard::check matches the content to the work") };
        summary.absorb(state).map_err(|e| damaged(p, InputError(e.to_string()).into()))?;
    }
    let chart_opts = chart_options(&a.charts);
    let charts = (!a.no_charts).then_some(&chart_opts);
    let out = a.out.clone().unwrap_or_else(|| PathBuf::from("output").join(&model.scenario.name));
    let mut pending = Pending::create(model, id.n, id.seed, &out, runs_csv)?;
    if runs_csv {
        for p in parts {
            let rows = pending.append_runs(model, &p.dir.join("runs.csv"))?;
            if rows != p.file.shard.n {
                return Err(InputError(format!(
                    "{}: {rows} rows, but shard {}/{} ran {} rollouts\n  help: run that shard again",
                    p.dir.join("runs.csv").display(),
                    p.file.shard.k,
                    p.file.shard.of,
                    p.file.shard.n
                ))
                .into());
            }
        }
    }
    let spec = RunSpec { n: id.n, seed: id.seed, threads: parts[0].file.shard.threads };
    let result = crate::pipeline::result_of(model, &spec, summary, started.elapsed().as_secs_f64())?;
    pending.with_shards(parts.iter().map(|p| p.file.shard.clone()).collect());
    if a.report {
        pending.with_report(chart_opts.lang);
    }
    let path = finish_run(pending, model, &result, charts)?;
    let mut stdout = std::io::stdout().lock();
    print_report(&mut stdout, model, &result.report)?;
    writeln!(stdout, "\n{} shards, {} rollouts, merged; written to {}", parts.len(), id.n, path.display())?;
    Ok(())
}
