//! One run of a compiled model, from rollouts to the run folder. The commands that make a run
//! folder or time one go through `execute` (`run`, `backtest`, `compare`, `bench`), and every run
//! folder is written from the run's result in one place, `Pending::finish`, so no command writes
//! a file and then patches it. The analyses that need only each rollout's outcome (sweep,
//! sensitivity, the rolling backtest) run the rollouts through `runner::run` with their own sink.
//!
//! Printing and progress bars are the command line's: `execute` only reports how many rollouts
//! are done through `tick`.

use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::charts::ChartOptions;
use crate::error::{Error, InputError, Result};
use crate::model::Model;
use crate::output::{self, RunFolder};
use crate::runner::{self, Chunk, RunConfig};
use crate::summary::{Report, Summary};

/// What to run: how many rollouts, with which master seed, on how many threads (the outputs
/// do not depend on the number of threads).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunSpec {
    pub n: u64,
    pub seed: u64,
    pub threads: usize,
}

/// What a run leaves: its streaming summary and the report made from it once.
pub struct RunResult {
    pub spec: RunSpec,
    pub summary: Summary,
    pub report: Report,
    /// Wall time of the rollouts and the summary, in seconds.
    pub seconds: f64,
}

/// Runs the rollouts of `spec` and summarises them. `each` sees every chunk of rollouts in
/// rollout order (the run folder's runs.csv, the outcomes an analysis keeps); `tick`, the number
/// of rollouts done. A summary that holds a non-finite number is an internal error, never
/// written.
pub fn execute(model: &Model, spec: &RunSpec, each: impl FnMut(&Chunk) -> Result<()>, tick: impl FnMut(u64)) -> Result<RunResult> {
    let (summary, seconds) = summarise_slice(model, spec, 0, each, tick)?;
    result_of(model, spec, summary, seconds)
}

/// The summary of rollouts `first..first + spec.n` of a larger run (a shard), and the seconds
/// it took; `execute` makes a run's result from the whole of it.
pub fn summarise_slice(
    model: &Model,
    spec: &RunSpec,
    first: u64,
    mut each: impl FnMut(&Chunk) -> Result<()>,
    tick: impl FnMut(u64),
) -> Result<(Summary, f64)> {
    let started = Instant::now();
    let mut summary = Summary::new(model);
    let cfg = RunConfig { n: spec.n, seed: spec.seed, threads: spec.threads, first };
    let shards = summary.split_for(spec.threads);
    runner::run_with(
        model,
        &cfg,
        &|chunk| shards.add(chunk),
        |chunk| -> Result<()> {
            each(chunk)?;
            summary.add_ordered(chunk);
            Ok(())
        },
        tick,
    )?;
    summary.join(shards);
    if summary.invalid_values() > 0 {
        crate::error::bug!(
            "internal error: {} simulated values were not finite numbers; nothing was written; please report this",
            summary.invalid_values()
        );
    }
    Ok((summary, started.elapsed().as_secs_f64()))
}

/// The result of a summary made by a run or added up from shards (`truce merge`): the report
/// made once, refused if any number in it is not finite.
pub fn result_of(model: &Model, spec: &RunSpec, summary: Summary, seconds: f64) -> Result<RunResult> {
    let report = summary.report(model, spec.seed);
    if let Some(field) = report.non_finite() {
        return Err(Error::bug(format!(
            "internal error: summary.json field `{field}` is not a finite number; nothing was written; please report this"
        )));
    }
    if summary.invalid_values() > 0 {
        crate::error::bug!(
            "internal error: {} simulated values were not finite numbers; nothing was written; please report this",
            summary.invalid_values()
        );
    }
    Ok(RunResult { spec: *spec, summary, report, seconds })
}

/// A run folder being made: claimed, written in a temporary folder, and moved into place by
/// `finish` (docs/outputs.md). Dropped unfinished, it leaves nothing behind.
pub struct Pending {
    folder: RunFolder,
    extra: Vec<(String, Vec<u8>)>,
    /// The shards a merged run was made of, for its manifest.
    shards: Vec<output::ShardInfo>,
    /// The language of a report.html to write with the rest (`truce run --report`).
    report: Option<crate::charts::Lang>,
}

/// Where a finished run folder went, and what drawing its charts had to say.
#[derive(Debug)]
pub struct Written {
    pub path: PathBuf,
    pub chart_warnings: Vec<String>,
}

impl Pending {
    /// Claims `out` for a run of `n` rollouts of `model`; with `runs_csv`, first checks that
    /// runs.csv can fit on the disk.
    pub fn create(model: &Model, n: u64, seed: u64, out: &Path, runs_csv: bool) -> Result<Pending> {
        if runs_csv {
            check_runs_csv_fits(model, n, seed, out)?;
        }
        Ok(Pending { folder: RunFolder::create(out, model, runs_csv)?, extra: Vec::new(), shards: Vec::new(), report: None })
    }

    /// Runs `spec` (see `execute`), streaming runs.csv into the folder; `also` sees each chunk
    /// too, in rollout order.
    pub fn execute(&mut self, model: &Model, spec: &RunSpec, mut also: impl FnMut(&Chunk), tick: impl FnMut(u64)) -> Result<RunResult> {
        let folder = &mut self.folder;
        let run = execute(
            model,
            spec,
            |chunk| {
                folder.add(model, chunk)?;
                also(chunk);
                Ok(())
            },
            tick,
        );
        run.map_err(|e| self.in_temporary(e))
    }

    /// A further file of the run (a backtest's tables), written with the others by `finish`.
    pub fn add_file(&mut self, name: &str, bytes: Vec<u8>) {
        self.extra.push((name.to_string(), bytes));
    }

    /// Writes every file of the run from `result`, draws the charts with `charts`, and moves
    /// the folder into place.
    pub fn finish(mut self, model: &Model, result: &RunResult, charts: Option<&ChartOptions>) -> Result<Written> {
        let chart_warnings = self.write_all(model, result, charts).map_err(|e| self.in_temporary(e))?;
        let path = self.folder.finish()?;
        Ok(Written { path, chart_warnings })
    }

    fn write_all(&mut self, model: &Model, result: &RunResult, charts: Option<&ChartOptions>) -> Result<Vec<String>> {
        let RunSpec { n, seed, threads } = result.spec;
        let folder = &mut self.folder;
        folder.write_text("timeseries.csv", &output::timeseries_csv(model, &result.summary)?)?;
        folder.write_json("summary.json", &result.report)?;
        folder.write_text("summary.csv", &output::summary_csv(&result.report)?)?;
        folder.write_text("scenario.resolved.toml", &output::to_toml(model))?;
        let mut manifest = output::manifest(model, seed, n, threads, result.seconds);
        manifest.shards = self.shards.clone();
        folder.write_json("manifest.json", &manifest)?;
        folder.close_runs()?;
        for (name, bytes) in &self.extra {
            folder.write_bytes(name, bytes)?;
        }
        // Charts are drawn inside the temporary folder, so they land atomically with the rest.
        let warnings = match charts {
            Some(opts) => crate::charts::draw_run(folder.path(), &folder.path().join("charts"), opts)?.warnings,
            None => Vec::new(),
        };
        if let Some(lang) = self.report {
            let label = folder.target().file_name().map(|n| n.to_string_lossy().into_owned());
            let html = crate::report::html(folder.path(), &crate::report::Options { lang, sensitivity: None, label })?;
            folder.write_text(crate::report::FILE, &html)?;
        }
        Ok(warnings)
    }

    /// The rows of a shard's runs.csv, after those so far; returns how many.
    pub fn append_runs(&mut self, model: &Model, from: &Path) -> Result<u64> {
        self.folder.append_runs(model, from)
    }

    /// The shards a merged run was made of: the manifest lists them.
    pub fn with_shards(&mut self, shards: Vec<output::ShardInfo>) {
        self.shards = shards;
    }

    /// Writes report.html (in `lang`) with the rest of the folder, after the charts.
    pub fn with_report(&mut self, lang: crate::charts::Lang) {
        self.report = Some(lang);
    }

    fn in_temporary(&self, e: Error) -> Error {
        crate::files::in_temporary(e, self.folder.path(), self.folder.target())
    }
}

/// Refuses, before any rollout runs, a runs.csv that cannot fit on the disk: its size is
/// estimated from rollout 0's row.
fn check_runs_csv_fits(model: &Model, n: u64, seed: u64, out: &Path) -> Result<()> {
    let (record, _) = crate::trace::trace(model, seed, 0);
    let mut row = Vec::new();
    output::runs_row(model, &record, &mut row)?;
    let row_bytes = row.len() as f64;
    // Rollout indices grow to n's digits; other cells vary by a few characters.
    let estimate = (row_bytes + n.to_string().len() as f64) * 1.1 * n as f64;
    let mut dir = out.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new(".")).to_path_buf();
    while !dir.exists() {
        match dir.parent() {
            Some(p) if !p.as_os_str().is_empty() => dir = p.to_path_buf(),
            _ => {
                dir = PathBuf::from(".");
                break;
            }
        }
    }
    if let Ok(free) = fs4::available_space(&dir)
        && estimate > free as f64
    {
        return Err(InputError(format!(
            "runs.csv for {n} rollouts would take about {}, more than the {} free at `{}`\n  help: add --no-runs-csv (it drops only runs.csv and the terms chart), lower -n, or write elsewhere with --out",
            bytes_text(estimate),
            bytes_text(free as f64),
            dir.display()
        ))
        .into());
    }
    Ok(())
}

fn bytes_text(b: f64) -> String {
    match b {
        b if b >= 1e12 => format!("{:.1} TB", b / 1e12),
        b if b >= 1e9 => format!("{:.1} GB", b / 1e9),
        b if b >= 1e6 => format!("{:.1} MB", b / 1e6),
        b => format!("{:.0} kB", (b / 1e3).ceil()),
    }
}
