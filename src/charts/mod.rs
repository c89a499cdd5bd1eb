//! Charts of a run folder (see `docs/outputs.md` and `docs/charts.md`).
//!
//! [`draw_run`] reads a run folder's `summary.json`, `timeseries.csv` and `runs.csv` and
//! writes six charts, each as PNG and SVG; [`draw_compare`] overlays several runs. Drawing is
//! an edge of the program: it reads files and writes files, and never touches the model.
//!
//! Code map: `data` reads the folder; `labels` holds every word in English and Chinese;
//! `fonts` picks a font that can draw them; `style` is the palette and sizes; `canvas` the
//! shared frame (title, footer, legend, PNG+SVG output); `axes` ticks and chart building;
//! `marks` reusable marks (fan bands, bars with intervals, markers); one module per chart.
//!
//! Fonts are registered with plotters once per process and never unregistered (see `fonts`).

mod analysis_labels;
mod axes;
mod canvas;
mod ceasefire;
mod compare;
mod costs;
mod data;
mod fonts;
mod glyphs;
mod influence;
mod labels;
mod marks;
mod names;
mod outcomes;
pub mod rolling;
mod style;
mod sweep;
mod terms;
mod territory;
mod tornado;

use std::path::{Path, PathBuf};

pub use fonts::{FontSearch, find_cjk_font};
pub use labels::{Labels, labels};
pub use style::edge_colour_hex;
pub use sweep::{SweepData, draw_sweep, draw_sweep_with};
pub use tornado::{TornadoBar, TornadoData, draw_tornado, draw_tornado_with};

use canvas::{Ctx, render};
use data::RunData;
use names::RunNames;

/// The language of the chart text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    En,
    Zh,
}

impl Lang {
    /// What a chart file's name ends with in this language: `outcomes.png`, `outcomes_zh.png`.
    pub fn file_suffix(self) -> &'static str {
        match self {
            Lang::En => "",
            Lang::Zh => "_zh",
        }
    }

    /// Whether a chart file (by its name) is in this language.
    pub fn owns_chart(self, file_name: &str) -> bool {
        let stem = file_name.rsplit_once('.').map_or(file_name, |(s, _)| s);
        match self {
            Lang::Zh => stem.ends_with("_zh"),
            Lang::En => !stem.ends_with("_zh"),
        }
    }
}

/// How charts are drawn.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChartOptions {
    pub lang: Lang,
    /// Canvas width in pixels (the PNG's size; the SVG's nominal size).
    pub width: u32,
    pub height: u32,
    /// A font file (.ttf, .otf, .ttc) to draw with; needed for Chinese when no CJK font is
    /// installed in a well-known place.
    pub font: Option<PathBuf>,
}

impl Default for ChartOptions {
    fn default() -> Self {
        ChartOptions { lang: Lang::En, width: 1600, height: 1000, font: None }
    }
}

/// What a drawing call wrote, and what the caller should tell the user.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ChartReport {
    pub files: Vec<PathBuf>,
    pub warnings: Vec<String>,
}

#[derive(thiserror::Error, Debug)]
pub enum ChartError {
    #[error("cannot read {path}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot read {path}")]
    Csv {
        path: PathBuf,
        #[source]
        source: csv::Error,
    },
    #[error("{path} is not valid summary JSON")]
    Json {
        path: PathBuf,
        #[source]
        source: serde_json::Error,
    },
    #[error("{path}: {message}")]
    Invalid { path: PathBuf, message: String },
    #[error("cannot use font {path}: {reason}")]
    Font { path: PathBuf, reason: String },
    #[error("cannot create the chart folder {path}")]
    CreateDir {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot write {path}")]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("drawing {path} failed: {message}")]
    Draw { path: PathBuf, message: String },
    #[error("{0}")]
    Options(String),
}

/// Smallest and largest canvas accepted: below 320×200 no text fits, above 12000 px a PNG
/// takes hundreds of megabytes.
const MIN_SIZE: (u32, u32) = (320, 200);
const MAX_SIDE: u32 = 12_000;

/// Draws every chart of a run folder (reads its CSV/JSON) into out_dir (usually run_dir/charts).
pub fn draw_run(run_dir: &Path, out_dir: &Path, opts: &ChartOptions) -> Result<ChartReport, ChartError> {
    draw_run_with(run_dir, out_dir, opts, FontSearch::System)
}

/// [`draw_run`] with an explicit font search: `FontSearch::EmbeddedOnly` draws as on a
/// machine without CJK fonts (the tests use it to check the English fallback).
pub fn draw_run_with(run_dir: &Path, out_dir: &Path, opts: &ChartOptions, search: FontSearch) -> Result<ChartReport, ChartError> {
    check_size(opts)?;
    // A run written with --no-runs-csv has no per-rollout terms: its terms chart is left out.
    let with_terms = run_dir.join("runs.csv").exists();
    let run = RunData::load(run_dir, with_terms)?;
    let mut report = ChartReport { files: Vec::new(), warnings: run.warnings.clone() };
    if !with_terms {
        report.warnings.push("the run has no runs.csv (--no-runs-csv): the terms chart is left out".to_string());
    }

    let mut ctx = make_ctx(opts, search, &run_strings(&run), &mut report.warnings)?;
    let names = RunNames::new(&run, &ctx);
    ctx.title_prefix = names.title.clone();
    let s = &run.summary;
    ctx.footer = ctx.l.footer(&names.scenario, s.n, s.seed, &s.start, s.horizon_months, &s.truce_version);

    create_dir(out_dir)?;
    let files = &mut report.files;
    render(&outcomes::Outcomes { run: &run }, out_dir, &ctx, files)?;
    render(&ceasefire::Ceasefire { run: &run }, out_dir, &ctx, files)?;
    render(&territory::Territory { run: &run }, out_dir, &ctx, files)?;
    if with_terms {
        render(&terms::Terms { run: &run, names: &names }, out_dir, &ctx, files)?;
    }
    render(&costs::Costs { run: &run, names: &names }, out_dir, &ctx, files)?;
    render(&influence::Influence { run: &run, names: &names }, out_dir, &ctx, files)?;
    dedup(&mut report.warnings);
    Ok(report)
}

/// Draws the comparison charts of several runs (`compare_outcomes`, `compare_ceasefire`,
/// `compare_territory`) into out_dir; `labels[i]` names `run_dirs[i]` in legends.
pub fn draw_compare(run_dirs: &[&Path], labels: &[String], out_dir: &Path, opts: &ChartOptions) -> Result<ChartReport, ChartError> {
    draw_compare_with(run_dirs, labels, out_dir, opts, FontSearch::System)
}

/// [`draw_compare`] with an explicit font search (see [`draw_run_with`]).
pub fn draw_compare_with(
    run_dirs: &[&Path],
    labels: &[String],
    out_dir: &Path,
    opts: &ChartOptions,
    search: FontSearch,
) -> Result<ChartReport, ChartError> {
    check_size(opts)?;
    if run_dirs.is_empty() {
        return Err(ChartError::Options("a comparison needs at least one run folder".into()));
    }
    if labels.len() != run_dirs.len() {
        return Err(ChartError::Options(format!("{} run folders but {} labels; give one label per run", run_dirs.len(), labels.len())));
    }
    let runs = run_dirs.iter().map(|d| RunData::load(d, false)).collect::<Result<Vec<_>, _>>()?;
    let mut report = ChartReport::default();
    for r in &runs {
        report.warnings.extend(r.warnings.iter().cloned());
    }
    let mut strings: Vec<&str> = labels.iter().map(String::as_str).collect();
    for r in &runs {
        strings.extend(run_strings(r));
    }
    let mut ctx = make_ctx(opts, search, &strings, &mut report.warnings)?;
    let run_labels: Vec<String> = labels.iter().enumerate().map(|(i, l)| ctx.fit(l, &ctx.l.run_fallback(i))).collect();
    ctx.title_prefix = ctx.l.comparison.to_string();
    let mut footer: Vec<String> = runs
        .iter()
        .zip(&run_labels)
        .map(|(r, label)| {
            let s = &r.summary;
            ctx.l.footer_run(label, &ctx.fit(&s.scenario, "?"), s.n, s.seed)
        })
        .collect();
    footer.push(ctx.l.footer_version(&runs[0].summary.truce_version));
    ctx.footer = footer.join(ctx.l.item_sep);

    create_dir(out_dir)?;
    let cmp = compare::Compare { runs: &runs, labels: &run_labels };
    let files = &mut report.files;
    render(&compare::CompareOutcomes(&cmp), out_dir, &ctx, files)?;
    render(&compare::CompareCeasefire(&cmp), out_dir, &ctx, files)?;
    render(&compare::CompareTerritory(&cmp), out_dir, &ctx, files)?;
    dedup(&mut report.warnings);
    Ok(report)
}

/// Checks options that can only fail, before any work: the size, and a `--font` that must be a
/// readable font file.
pub fn check_options(opts: &ChartOptions) -> Result<(), ChartError> {
    check_size(opts)?;
    if let Some(path) = &opts.font {
        fonts::check_font_file(path)?;
    }
    Ok(())
}

fn check_size(opts: &ChartOptions) -> Result<(), ChartError> {
    let (w, h) = (opts.width, opts.height);
    if w < MIN_SIZE.0 || h < MIN_SIZE.1 || w > MAX_SIDE || h > MAX_SIDE {
        return Err(ChartError::Options(format!(
            "chart size {w}x{h} is out of range: width {}..={MAX_SIDE}, height {}..={MAX_SIDE} pixels",
            MIN_SIZE.0, MIN_SIZE.1
        )));
    }
    Ok(())
}

fn create_dir(dir: &Path) -> Result<(), ChartError> {
    std::fs::create_dir_all(dir).map_err(|source| ChartError::CreateDir { path: dir.to_path_buf(), source })
}

/// Data strings of a run that charts may draw.
fn run_strings(run: &RunData) -> Vec<&str> {
    let s = &run.summary;
    let mut v: Vec<&str> = vec![&s.title, &s.scenario];
    for a in &s.actors {
        v.push(&a.id);
        v.push(a.name.as_str());
    }
    for i in &s.issues {
        v.extend([i.id.as_str(), &i.label0, &i.label1]);
    }
    for e in &s.graph.edges {
        v.push(&e.kind);
    }
    v.extend(s.graph.nodes.iter().map(String::as_str));
    v
}

/// Chooses the font for the labels of `opts.lang` plus the Chinese characters of `strings`,
/// falling back to English (with a warning) when no font can draw them.
fn make_ctx(opts: &ChartOptions, search: FontSearch, strings: &[&str], warnings: &mut Vec<String>) -> Result<Ctx, ChartError> {
    let l = labels::labels(opts.lang);
    // Characters in the order they appear, each once, so a warning lists them as they are read.
    let mut seen = std::collections::HashSet::new();
    let mut essential = String::new();
    for s in l.all_static().into_iter().map(str::to_string).chain(l.all_formatted()) {
        essential.extend(s.chars().filter(|&c| seen.insert(c)));
    }
    let mut required = essential.clone();
    for s in strings {
        required.extend(s.chars().filter(|&c| fonts::is_cjk(c) && seen.insert(c)));
    }
    let choice = fonts::choose(&essential, &required, opts.font.as_deref(), search)?;
    warnings.extend(choice.warnings);
    let lang = if choice.fallback { Lang::En } else { opts.lang };
    let mut ctx = Ctx::new(lang, choice.font, opts.width, opts.height);
    ctx.file_suffix = opts.lang.file_suffix();
    Ok(ctx)
}

fn dedup(v: &mut Vec<String>) {
    let mut seen = std::collections::HashSet::new();
    v.retain(|w| seen.insert(w.clone()));
}
