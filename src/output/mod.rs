//! Writing a run folder (docs/outputs.md). Everything is written into a temporary folder beside
//! the target and renamed into place at the end, so a failed run leaves the previous output as
//! it was and never a half-written folder.

mod resolved;

use std::fs::{self, File};
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::model::{Model, Record};
use crate::runner::Chunk;
use crate::summary::{Report, Summary};
pub use resolved::to_toml;

/// A run folder being written.
pub struct RunFolder {
    target: PathBuf,
    tmp: PathBuf,
    runs: Option<csv::Writer<BufWriter<File>>>,
    finished: bool,
}

impl RunFolder {
    /// Starts a folder that will become `target`. With `per_rollout`, rows of runs.csv are
    /// written as chunks arrive.
    pub fn create(target: &Path, model: &Model, per_rollout: bool) -> Result<RunFolder> {
        let parent = target.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        fs::create_dir_all(parent).with_context(|| format!("cannot create the output folder `{}`", parent.display()))?;
        let name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "run".into());
        let tmp = parent.join(format!(".{name}.tmp-{}", std::process::id()));
        if tmp.exists() {
            fs::remove_dir_all(&tmp).ok();
        }
        fs::create_dir_all(&tmp).with_context(|| format!("cannot create `{}`", tmp.display()))?;
        let mut folder = RunFolder { target: target.to_path_buf(), tmp, runs: None, finished: false };
        if per_rollout {
            let file = File::create(folder.tmp.join("runs.csv")).context("cannot create runs.csv")?;
            let mut w = csv::Writer::from_writer(BufWriter::with_capacity(1 << 20, file));
            w.write_record(runs_header(model))?;
            folder.runs = Some(w);
        }
        Ok(folder)
    }

    /// The temporary folder (charts are drawn into it before the rename).
    pub fn path(&self) -> &Path {
        &self.tmp
    }

    pub fn add(&mut self, model: &Model, chunk: &Chunk) -> Result<()> {
        if let Some(w) = &mut self.runs {
            let mut row = Vec::new();
            for r in &chunk.records {
                runs_row(model, r, &mut row);
                w.write_record(&row)?;
            }
        }
        Ok(())
    }

    pub fn write_json<T: Serialize>(&self, name: &str, value: &T) -> Result<()> {
        let text = serde_json::to_string_pretty(value)?;
        fs::write(self.tmp.join(name), text + "\n").with_context(|| format!("cannot write {name}"))
    }

    pub fn write_text(&self, name: &str, text: &str) -> Result<()> {
        fs::write(self.tmp.join(name), text).with_context(|| format!("cannot write {name}"))
    }

    /// Finishes runs.csv (flushes and closes it), so that it can be read back, e.g. for charts.
    pub fn close_runs(&mut self) -> Result<()> {
        if let Some(mut w) = self.runs.take() {
            w.flush().context("cannot write runs.csv")?;
        }
        Ok(())
    }

    /// Flushes everything and moves the folder into place, replacing an earlier run.
    pub fn finish(mut self) -> Result<PathBuf> {
        self.close_runs()?;
        let old = self.target.with_file_name(format!(
            ".{}.old-{}",
            self.target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
            std::process::id()
        ));
        let had_old = self.target.exists();
        if had_old {
            fs::rename(&self.target, &old).with_context(|| format!("cannot move the previous `{}` aside", self.target.display()))?;
        }
        if let Err(e) = fs::rename(&self.tmp, &self.target) {
            if had_old {
                fs::rename(&old, &self.target).ok();
            }
            return Err(e).with_context(|| format!("cannot move the run into `{}`", self.target.display()));
        }
        if had_old {
            fs::remove_dir_all(&old).ok();
        }
        self.finished = true;
        Ok(self.target.clone())
    }
}

impl Drop for RunFolder {
    fn drop(&mut self) {
        if !self.finished {
            fs::remove_dir_all(&self.tmp).ok();
        }
    }
}

pub fn runs_header(model: &Model) -> Vec<String> {
    let sc = &model.scenario;
    let mut h: Vec<String> = ["rollout", "outcome", "ceasefire_month", "settlement_month"].map(String::from).to_vec();
    h.extend(sc.issues.iter().map(|i| format!("terms.{}", i.id)));
    h.extend(["final_area_km2", "final_area_pct", "final_line"].map(String::from));
    h.extend(sc.actors.iter().map(|a| format!("cost.{}", a.id)));
    h.extend(sc.actors.iter().map(|a| format!("utility.{}", a.id)));
    h.extend(["walked_away", "abandoned", "breakdowns"].map(String::from));
    h.extend(model.uncertain.iter().map(|&i| format!("p.{}", sc.params[i].path)));
    h
}

pub fn runs_row(model: &Model, r: &Record, row: &mut Vec<String>) {
    row.clear();
    let opt = |m: Option<u32>| m.map(|v| v.to_string()).unwrap_or_default();
    row.push(r.index.to_string());
    row.push(r.outcome.name().to_string());
    row.push(opt(r.ceasefire_month));
    row.push(opt(r.settlement_month));
    for k in 0..model.n_issues() {
        row.push(r.terms.as_ref().map(|t| format!("{:.4}", t[k])).unwrap_or_default());
    }
    let ukraine = model.scenario.param("territory.ukraine_km2").map(|p| p.central()).unwrap_or(603_628.0);
    row.push(format!("{:.1}", r.final_area_km2));
    row.push(format!("{:.3}", 100.0 * r.final_area_km2 / ukraine));
    row.push(format!("{:.4}", r.final_line));
    row.extend(r.costs.iter().map(|c| format!("{c:.4}")));
    row.extend(r.utility.iter().map(|u| format!("{u:.4}")));
    row.push((r.walked_away as u8).to_string());
    row.push((r.abandoned as u8).to_string());
    row.push(r.breakdowns.to_string());
    row.extend(r.drawn.iter().map(|v| format!("{v}")));
}

/// timeseries.csv: one row per (month, metric).
pub fn timeseries_csv(model: &Model, s: &Summary) -> Result<String> {
    let sc = &model.scenario;
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(["month", "date", "metric", "mean", "p05", "p25", "p50", "p75", "p95"])?;
    let qs = [0.05, 0.25, 0.5, 0.75, 0.95];
    let f = |v: Option<f64>, d: usize| v.map(|x| format!("{x:.d$}")).unwrap_or_default();
    for m in 0..s.months() {
        let date = sc.date(m as i32).to_string();
        let mut row = vec![m.to_string(), date.clone(), "area_km2".into(), format!("{:.1}", s.mean(m, 0))];
        row.extend(qs.iter().map(|&q| f(s.area_quantile(m, q), 1)));
        w.write_record(&row)?;
        for (metric, name) in [(1, "p_at_war"), (2, "p_ceasefire"), (3, "p_settled")] {
            let mut row = vec![m.to_string(), date.clone(), name.into(), format!("{:.5}", s.mean(m, metric))];
            row.extend(std::iter::repeat_n(String::new(), 5));
            w.write_record(&row)?;
        }
        for (a, actor) in sc.actors.iter().enumerate() {
            let mut row = vec![
                m.to_string(),
                date.clone(),
                format!("cost.{}", actor.id),
                format!("{:.5}", s.mean(m, crate::runner::SERIES_FIXED + a)),
            ];
            row.extend(qs.iter().map(|&q| f(s.cost_quantile(m, a, q), 4)));
            w.write_record(&row)?;
        }
    }
    Ok(String::from_utf8(w.into_inner()?)?)
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
    Ok(String::from_utf8(w.into_inner()?)?)
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
    pub params: Vec<ParamEntry>,
    pub wall_seconds: f64,
    pub finished_unix: u64,
    pub note: &'static str,
}

#[derive(Serialize)]
pub struct FileHash {
    pub path: String,
    pub sha256: String,
}

#[derive(Serialize)]
pub struct ParamEntry {
    pub path: String,
    pub value: String,
    pub source: String,
}

pub fn manifest(model: &Model, seed: u64, n: u64, threads: usize, wall_seconds: f64) -> Manifest {
    let sc = &model.scenario;
    let files = sc
        .files
        .iter()
        .map(|&id| {
            let f = sc.sources.file(id);
            FileHash { path: f.path.display().to_string(), sha256: hex(&Sha256::digest(f.text.as_bytes())) }
        })
        .collect();
    let params =
        sc.params.iter().map(|p| ParamEntry { path: p.path.clone(), value: p.display_value(), source: sc.place(&p.origin) }).collect();
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
        params,
        wall_seconds,
        finished_unix,
        note: "repeat this run with: truce run scenario.resolved.toml --seed <seed> -n <n> (the resolved file already includes every override)",
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
