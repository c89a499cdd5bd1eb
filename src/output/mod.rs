//! Writing a run folder (docs/outputs.md). Everything is written into a temporary folder beside
//! the target and renamed into place at the end, so a failed run leaves the previous output as
//! it was and never a half-written folder.

pub mod claim;
pub mod number;
mod resolved;

use std::fs::{self, File};
use std::io::{self, BufWriter};
use std::path::{Path, PathBuf};

use crate::error::Result;
use serde::Serialize;

use crate::files::EnvError;
use crate::model::{Model, Record};
use crate::runner::Chunk;
use crate::summary::{Report, Summary};
pub use claim::Claim;
pub use resolved::to_toml;

/// A run folder being written.
pub struct RunFolder {
    claim: Claim,
    tmp: PathBuf,
    runs: Option<BufWriter<File>>,
    finished: bool,
}

impl RunFolder {
    /// Starts a folder that will become `target` (claimed: see `claim`). With `per_rollout`,
    /// rows of runs.csv are written as chunks arrive.
    pub fn create(target: &Path, model: &Model, per_rollout: bool) -> Result<RunFolder> {
        let claim = Claim::take(target)?;
        let tmp = claim.temp_dir()?;
        let mut folder = RunFolder { claim, tmp, runs: None, finished: false };
        if per_rollout {
            let path = folder.tmp.join("runs.csv");
            let file = File::create(&path).map_err(|e| EnvError::write("create", &path, e))?;
            let mut w = BufWriter::with_capacity(1 << 20, file);
            let mut header = csv::Writer::from_writer(&mut w);
            header.write_record(runs_header(model)).map_err(|e| csv_error(&path, e))?;
            header.flush().map_err(|e| EnvError::write("write", &path, e))?;
            drop(header);
            folder.runs = Some(w);
        }
        Ok(folder)
    }

    /// The temporary folder (charts are drawn into it before the rename).
    pub fn path(&self) -> &Path {
        &self.tmp
    }

    /// The folder this one becomes.
    pub fn target(&self) -> &Path {
        &self.claim.target
    }

    pub fn add(&mut self, model: &Model, chunk: &Chunk) -> Result<()> {
        if let Some(w) = &mut self.runs {
            use std::io::Write as _;
            let mut line = Vec::new();
            for r in &chunk.records {
                runs_row(model, r, &mut line)?;
                w.write_all(&line).map_err(|e| EnvError::write("write", &self.tmp.join("runs.csv"), e))?;
            }
        }
        Ok(())
    }

    pub fn write_json<T: Serialize>(&self, name: &str, value: &T) -> Result<()> {
        let text = serde_json::to_string_pretty(value)?;
        self.write_text(name, &(text + "\n"))
    }

    pub fn write_text(&self, name: &str, text: &str) -> Result<()> {
        check_finite_text(name, text)?;
        let path = self.tmp.join(name);
        fs::write(&path, text).map_err(|e| EnvError::write("write", &path, e).into())
    }

    pub fn write_bytes(&self, name: &str, bytes: &[u8]) -> Result<()> {
        let path = self.tmp.join(name);
        fs::write(&path, bytes).map_err(|e| EnvError::write("write", &path, e).into())
    }

    /// Appends the rows of another runs.csv of the same model (a shard's), which must have
    /// this one's header; returns how many rows it held. Rows are rewritten by the same writer,
    /// so the bytes are those a single run writes.
    pub fn append_runs(&mut self, model: &Model, from: &Path) -> Result<u64> {
        let Some(w) = &mut self.runs else { return Ok(0) };
        let into = self.tmp.join("runs.csv");
        let file = File::open(from).map_err(|e| EnvError::read(from, e))?;
        let mut r = csv::Reader::from_reader(io::BufReader::with_capacity(1 << 20, file));
        let header: Vec<String> = r.headers().map_err(|e| csv_error(from, e))?.iter().map(str::to_string).collect();
        if header != runs_header(model) {
            return Err(crate::error::InputError(format!(
                "{}: its columns are not this scenario's runs.csv columns\n  help: merge only the shards of one run",
                from.display()
            ))
            .into());
        }
        let mut rows = 0;
        let mut record = csv::StringRecord::new();
        let mut out = csv::Writer::from_writer(w);
        while r.read_record(&mut record).map_err(|e| csv_error(from, e))? {
            out.write_record(&record).map_err(|e| csv_error(&into, e))?;
            rows += 1;
        }
        out.flush().map_err(|e| EnvError::write("write", &into, e))?;
        Ok(rows)
    }

    /// Finishes runs.csv (flushes and closes it), so that it can be read back, e.g. for charts.
    pub fn close_runs(&mut self) -> Result<()> {
        if let Some(w) = self.runs.take() {
            let path = self.tmp.join("runs.csv");
            w.into_inner()
                .map_err(|e| EnvError::write("write", &path, io::Error::new(e.error().kind(), e.error().to_string())))?
                .sync_all()
                .map_err(|e| EnvError::write("write", &path, e))?;
        }
        Ok(())
    }

    /// Flushes everything and moves the folder into place, replacing an earlier run.
    pub fn finish(mut self) -> Result<PathBuf> {
        self.close_runs()?;
        self.claim.install(&self.tmp)?;
        self.finished = true;
        Ok(self.claim.target.clone())
    }
}

impl Drop for RunFolder {
    fn drop(&mut self) {
        if !self.finished {
            fs::remove_dir_all(&self.tmp).ok();
            claim::unregister(&self.tmp);
        }
    }
}

/// Draws charts into a temporary folder inside the run folder `dir` and puts it in place of
/// `dir/charts` only when `draw` has written every chart, so a failure (a full disk) leaves the
/// previous charts whole. The charts of the other language (`keep` says which files those are)
/// are carried over; every other chart of the old folder goes, so none survives stale. The
/// caller holds the folder's claim.
pub fn replace_charts<T>(dir: &Path, keep: impl Fn(&str) -> bool, draw: impl FnOnce(&Path) -> Result<T>) -> Result<T> {
    let charts = dir.join("charts");
    if let Ok(m) = fs::symlink_metadata(&charts) {
        if !m.is_dir() {
            return Err(claim::Refused {
                path: charts.clone(),
                what: "is not a folder of charts; truce does not replace it".into(),
                help: "move it out of the run folder, then run the command again".into(),
            }
            .into());
        }
        if let Some(f) = claim::charts_foreign(&charts) {
            return Err(claim::Refused {
                path: charts.clone(),
                what: format!("holds `{}`, which truce did not draw; truce replaces the charts folder only whole", f.display()),
                help: "move that file out of the charts folder, then run the command again".into(),
            }
            .into());
        }
    }
    let pid = std::process::id();
    let tmp = dir.join(format!(".charts.tmp-{pid}"));
    let old = dir.join(format!(".charts.old-{pid}"));
    for stale in [&tmp, &old] {
        if fs::symlink_metadata(stale).is_ok() {
            fs::remove_dir_all(stale).map_err(|e| EnvError::write("remove the stale folder", stale, e))?;
        }
    }
    claim::register(&tmp);
    let result = fs::create_dir(&tmp)
        .map_err(|e| crate::error::Error::from(EnvError::write("create the folder", &tmp, e)))
        .and_then(|_| draw(&tmp))
        .and_then(|v| carry_over(&charts, &tmp, &keep).map(|_| v));
    let value = match result {
        Ok(v) => v,
        Err(e) => {
            let _ = fs::remove_dir_all(&tmp);
            claim::unregister(&tmp);
            return Err(e);
        }
    };
    let had = fs::symlink_metadata(&charts).is_ok();
    if had {
        fs::rename(&charts, &old).map_err(|e| EnvError::write("move the previous charts aside from", &charts, e))?;
    }
    if let Err(e) = fs::rename(&tmp, &charts) {
        if had {
            let _ = fs::rename(&old, &charts);
        }
        let _ = fs::remove_dir_all(&tmp);
        claim::unregister(&tmp);
        return Err(EnvError::write("move the new charts into", &charts, e).into());
    }
    claim::unregister(&tmp);
    if had {
        let _ = fs::remove_dir_all(&old);
    }
    Ok(value)
}

/// Copies the files of `from` that `keep` names, and that `to` does not have, into `to`.
fn carry_over(from: &Path, to: &Path, keep: &dyn Fn(&str) -> bool) -> Result<()> {
    let Ok(entries) = fs::read_dir(from) else { return Ok(()) };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let target = to.join(&name);
        if e.file_type().is_ok_and(|t| t.is_file()) && keep(&name) && !target.exists() {
            fs::copy(e.path(), &target).map_err(|err| EnvError::write("copy the other language's chart into", &target, err))?;
        }
    }
    Ok(())
}

fn csv_error(path: &Path, e: csv::Error) -> crate::error::Error {
    match e.into_kind() {
        csv::ErrorKind::Io(io) => EnvError::write("write", path, io).into(),
        other => crate::error::Error::bug(format!("internal error: cannot write {}: {other:?}", path.display())),
    }
}

/// A number that is not finite must never reach an output: the checks at load time keep out
/// inputs that could make one, so one here is a bug (exit code 1), reported rather than written.
fn check_finite_text(name: &str, text: &str) -> Result<()> {
    if !name.ends_with(".csv") {
        return Ok(());
    }
    for (line, row) in text.lines().enumerate() {
        if let Some(cell) = row.split(',').find(|c| is_non_finite(c)) {
            crate::error::bug!(
                "internal error: a non-finite number (`{cell}`) was about to be written to {name}, line {}; please report this",
                line + 1
            );
        }
    }
    Ok(())
}

fn is_non_finite(cell: &str) -> bool {
    matches!(cell.trim_start_matches(['-', '+']).to_ascii_lowercase().as_str(), "nan" | "inf" | "infinity")
}

/// Checks that every number of a record is finite before it is written.
fn finite(x: f64, what: &str) -> Result<f64> {
    if x.is_finite() {
        Ok(x)
    } else {
        crate::error::bug!("internal error: rollout value `{what}` is {x}; runs.csv is not written with it; please report this")
    }
}

pub fn runs_header(model: &Model) -> Vec<String> {
    let sc = &model.scenario;
    let mut h: Vec<String> = ["rollout", "outcome", "ceasefire_month", "settlement_month"].map(String::from).to_vec();
    h.extend(sc.issues.iter().map(|i| format!("terms.{}", i.id)));
    h.extend(["final_area_km2", "final_area_pct", "final_line"].map(String::from));
    h.extend(sc.actors.iter().map(|a| format!("cost.{}", a.id)));
    h.extend(sc.actors.iter().map(|a| format!("utility.{}", a.id)));
    h.extend(["walked_away", "abandoned", "breakdowns", "technical_deals", "first_technical_deal_month", "short_truces"].map(String::from));
    h.extend(model.uncertain.iter().map(|&i| format!("p.{}", sc.params[i].path)));
    h
}

/// Rollout `r`'s row of runs.csv, its cells comma-separated and ending with a newline, written
/// over `line` (one buffer of bytes reused row after row: no allocation per row). No cell needs quoting
/// (numbers and outcome names), so the bytes are those a CSV writer writes.
pub fn runs_row(model: &Model, r: &Record, line: &mut Vec<u8>) -> Result<()> {
    use number::{push_fixed, push_uint};
    line.clear();
    let out = line;
    let opt = |out: &mut Vec<u8>, m: Option<u32>| {
        if let Some(v) = m {
            push_uint(out, u64::from(v));
        }
        out.push(b',');
    };
    let fixed = |out: &mut Vec<u8>, x: f64, d: usize, what: &str| -> Result<()> {
        push_fixed(out, finite(x, what)?, d);
        out.push(b',');
        Ok(())
    };
    push_uint(out, r.index);
    out.push(b',');
    out.extend_from_slice(r.outcome.name().as_bytes());
    out.push(b',');
    opt(out, r.ceasefire_month);
    opt(out, r.settlement_month);
    for k in 0..model.n_issues() {
        match &r.terms {
            Some(t) => fixed(out, t[k], 4, "terms")?,
            None => out.push(b','),
        }
    }
    let ukraine = model.ukraine_km2();
    let area = finite(r.final_area_km2, "final_area_km2")?;
    fixed(out, area, 1, "final_area_km2")?;
    fixed(out, 100.0 * area / ukraine, 3, "final_area_pct")?;
    fixed(out, r.final_line, 4, "final_line")?;
    for v in &r.costs {
        fixed(out, *v, 4, "cost")?;
    }
    for u in &r.utility {
        fixed(out, *u, 4, "utility")?;
    }
    for n in [u64::from(r.walked_away), u64::from(r.abandoned), u64::from(r.breakdowns), u64::from(r.technical_deals)] {
        push_uint(out, n);
        out.push(b',');
    }
    opt(out, r.first_technical_deal_month);
    push_uint(out, u64::from(r.short_truces));
    for v in &r.drawn {
        use std::io::Write as _;
        let _ = write!(out, ",{}", finite(*v, "a drawn parameter")?);
    }
    out.push(b'\n');
    Ok(())
}

/// timeseries.csv: one row per (month, metric).
pub fn timeseries_csv(model: &Model, s: &Summary) -> Result<String> {
    use number::{push_fixed, push_uint};
    let sc = &model.scenario;
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(["month", "date", "metric", "mean", "p05", "p25", "p50", "p75", "p95"])?;
    let mut text = crate::error::csv_text(w)?;
    let qs = [0.05, 0.25, 0.5, 0.75, 0.95];
    let names: Vec<String> = sc.actors.iter().map(|a| csv_cell(&format!("cost.{}", a.id))).collect();
    // The quantile cells of the histograms' month (area, then each actor's costs), read again
    // only when the month's histograms are another month's.
    let mut cells: Vec<String> = vec![String::new(); 1 + sc.actors.len()];
    let mut cells_of = usize::MAX;
    let quantile_cells = |out: &mut String, values: [Option<f64>; 5], d: usize| {
        out.clear();
        for v in values {
            out.push(',');
            if let Some(x) = v {
                push_fixed(out, x, d);
            }
        }
    };
    for m in 0..s.months() {
        let hm = s.histogram_month(m);
        if hm != cells_of {
            quantile_cells(&mut cells[0], s.area_quantiles(m, qs), 1);
            for a in 0..sc.actors.len() {
                quantile_cells(&mut cells[1 + a], s.cost_quantiles(m, a, qs), 4);
            }
            cells_of = hm;
        }
        let mut lead = String::new();
        push_uint(&mut lead, m as u64);
        lead.push(',');
        lead.push_str(&sc.date(m as i32).to_string());
        lead.push(',');
        let mut row = |name: &str, mean: f64, d: usize, rest: &str| {
            text.push_str(&lead);
            text.push_str(name);
            text.push(',');
            push_fixed(&mut text, mean, d);
            text.push_str(rest);
            text.push('\n');
        };
        row("area_km2", s.mean(m, 0), 1, &cells[0]);
        for (metric, name) in [(1, "p_at_war"), (2, "p_ceasefire"), (3, "p_settled")] {
            row(name, s.mean(m, metric), 5, ",,,,,");
        }
        for (a, name) in names.iter().enumerate() {
            row(name, s.mean(m, crate::runner::SERIES_FIXED + a), 5, &cells[1 + a]);
        }
    }
    Ok(text)
}

/// `cell` as a CSV writer writes it (quoted when it holds a comma, a quote or a line break).
fn csv_cell(cell: &str) -> String {
    let mut w = csv::WriterBuilder::new().has_headers(false).from_writer(Vec::new());
    let _ = w.write_field(cell);
    let _ = w.flush();
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// summary.csv: the headline figures as a flat table.
pub fn summary_csv(report: &Report) -> Result<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(["metric", "value", "lo95", "hi95"])?;
    for (name, o) in &report.outcomes.0 {
        w.write_record([format!("p.{name}"), format!("{:.5}", o.p), format!("{:.5}", o.ci95[0]), format!("{:.5}", o.ci95[1])])?;
    }
    let opt = |v: Option<u32>| v.map(|m| m.to_string()).unwrap_or_default();
    w.write_record(["median_months_to_ceasefire".into(), opt(report.median_months_to_ceasefire), String::new(), String::new()])?;
    w.write_record(["median_months_to_settlement".into(), opt(report.median_months_to_settlement), String::new(), String::new()])?;
    w.write_record([
        "final_area_km2_median".into(),
        format!("{:.0}", report.final_area_km2.median),
        format!("{:.0}", report.final_area_km2.p05),
        format!("{:.0}", report.final_area_km2.p95),
    ])?;
    w.write_record(["final_area_pct_median".into(), format!("{:.3}", report.final_area_km2.median_pct), String::new(), String::new()])?;
    crate::error::csv_text(w)
}

#[derive(Serialize)]
pub struct Manifest {
    pub truce_version: String,
    pub command: Vec<String>,
    pub scenario: String,
    pub files: Vec<FileHash>,
    pub seed: u64,
    pub n: u64,
    pub threads: usize,
    pub overrides: Vec<String>,
    /// The key appended to the scenario's name (and default folder) when overrides changed it.
    pub overrides_key: Option<String>,
    pub params: Vec<ParamEntry>,
    pub wall_seconds: f64,
    pub finished_unix: u64,
    pub note: &'static str,
    /// A shard's own slice (`truce run --shard K/N`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shard: Option<ShardInfo>,
    /// The shards a merged run was made of (`truce merge`), in order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub shards: Vec<ShardInfo>,
}

/// One shard of a run: rollouts `first..first + n`, the K-th of `of`, where and how it ran.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct ShardInfo {
    pub k: u64,
    pub of: u64,
    pub first: u64,
    pub n: u64,
    pub threads: usize,
    pub wall_seconds: f64,
    pub host: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct FileHash {
    pub path: String,
    pub sha256: String,
}

#[derive(Serialize)]
pub struct ParamEntry {
    pub path: String,
    pub value: String,
    pub source: String,
    /// The comment on the value's line in its file (where the scenario gives its source).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

pub fn manifest(model: &Model, seed: u64, n: u64, threads: usize, wall_seconds: f64) -> Manifest {
    let sc = &model.scenario;
    let files = sc
        .files
        .iter()
        .map(|&id| {
            let f = sc.sources.file(id);
            FileHash { path: f.path.display().to_string(), sha256: crate::files::sha256_hex(f.text.as_bytes()) }
        })
        .collect();
    let params = sc
        .params
        .iter()
        .map(|p| ParamEntry { path: p.path.clone(), value: p.display_value(), source: sc.place(&p.origin), comment: sc.comment(&p.origin) })
        .collect();
    let finished_unix = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    Manifest {
        truce_version: env!("CARGO_PKG_VERSION").to_string(),
        command: std::env::args().collect(),
        scenario: sc.main_file().display().to_string(),
        files,
        seed,
        n,
        threads,
        overrides: sc.overrides.clone(),
        overrides_key: sc.overrides_key.clone(),
        params,
        wall_seconds,
        finished_unix,
        note: "repeat this run with: truce run scenario.resolved.toml --seed <seed> -n <n> (the resolved file already includes every override)",
        shard: None,
        shards: Vec::new(),
    }
}
