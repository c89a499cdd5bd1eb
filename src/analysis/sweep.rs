//! `truce sweep`: N rollouts at every point of a grid of parameter values, on common random
//! numbers, one row per point in sweep.csv.
//!
//! A sweep can be long, so it is written as it goes and can be resumed. At the start sweep.json
//! records what defines the sweep (scenario and its file hashes, overrides, seed, N, grid);
//! each point's row is appended to sweep.csv and flushed as soon as the point is done. With
//! `--resume` the rows already in sweep.csv are kept (after checking that sweep.json describes
//! the same sweep) and only the missing points are run. At the end sweep.csv is rewritten in
//! point order, so a resumed sweep ends byte-identical to one run in a single go: a row depends
//! only on the scenario, the point, the seed and N.

use std::collections::BTreeMap;
use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::Result;
use serde::{Deserialize, Serialize};

use crate::model::{Model, Outcome};
use crate::output::FileHash;
use crate::scenario::Scenario;

use super::InputError;
use super::grid::{Grid, Vary};
use super::hold::Base;
use super::intervals::Estimate;
use super::tally::{Tally, tally};

/// What defines a sweep: a resumed sweep must match it exactly.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Identity {
    pub truce_version: String,
    pub scenario: String,
    pub file: String,
    pub files: Vec<FileHash>,
    pub overrides: Vec<String>,
    pub seed: u64,
    pub n: u64,
    pub vary: Vec<Vary>,
    pub points: usize,
}

/// How far the sweep has got; rewritten when it finishes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Progress {
    pub complete: bool,
    pub points_done: usize,
    /// In the last invocation: points found done in sweep.csv and skipped, and points run.
    pub skipped: usize,
    pub ran: usize,
}

/// The content of sweep.json.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SweepJson {
    pub identity: Identity,
    pub progress: Progress,
}

/// One point's results: one row of sweep.csv.
#[derive(Debug, Clone)]
pub struct PointRow {
    pub point: usize,
    pub values: Vec<f64>,
    /// In `Outcome::ALL` order.
    pub p: Vec<Estimate>,
    pub median_months_to_ceasefire: Option<u32>,
}

/// A sweep ready to run: the grid, what is already done, and the folder it writes to.
pub struct Sweep {
    pub base: Base,
    pub grid: Grid,
    pub n: u64,
    pub seed: u64,
    pub threads: usize,
    pub dir: PathBuf,
    pub identity: Identity,
    /// Rows already in sweep.csv, by point.
    done: BTreeMap<usize, PointRow>,
    /// Something the user should be told before the sweep runs (e.g. nothing to resume).
    pub note: Option<String>,
    /// The folder is claimed (checked and locked) for the whole sweep.
    _claim: crate::output::Claim,
}

pub fn csv_header(grid: &Grid) -> Vec<String> {
    let mut h = vec!["point".to_string()];
    h.extend(grid.paths());
    for o in Outcome::ALL {
        h.extend([o.name().to_string(), format!("{}_lo", o.name()), format!("{}_hi", o.name())]);
    }
    h.push("median_months_to_ceasefire".into());
    h
}

fn identity(base: &Base, grid: &Grid, n: u64, seed: u64) -> Identity {
    let sc: &Scenario = &base.scenario;
    Identity {
        truce_version: env!("CARGO_PKG_VERSION").to_string(),
        scenario: sc.name.clone(),
        file: base.file.display().to_string(),
        files: sc
            .files
            .iter()
            .map(|&id| {
                let f = sc.sources.file(id);
                FileHash { path: f.path.display().to_string(), sha256: crate::files::sha256_hex(f.text.as_bytes()) }
            })
            .collect(),
        overrides: sc.overrides.clone(),
        seed,
        n,
        vary: grid.varies.clone(),
        points: grid.points.len(),
    }
}

/// Writes `text` to `path` through a temporary file and a rename, so the file is never half
/// written.
fn write_atomic(path: &Path, text: &str) -> Result<()> {
    let tmp = path.with_extension(format!("tmp-{}", std::process::id()));
    if let Err(e) = fs::write(&tmp, text) {
        let _ = fs::remove_file(&tmp);
        return Err(crate::files::EnvError::write("write", path, e).into());
    }
    fs::rename(&tmp, path).map_err(|e| crate::files::EnvError::write("write", path, e).into())
}

/// Names the fields in which two sweep identities differ.
fn differences(old: &Identity, new: &Identity) -> Vec<&'static str> {
    let mut d = Vec::new();
    let mut check = |same: bool, what: &'static str| {
        if !same {
            d.push(what);
        }
    };
    check(old.truce_version == new.truce_version, "truce version");
    // Paths may be written differently from another folder; the names and contents must agree.
    check(old.scenario == new.scenario, "scenario");
    let hashes = |i: &Identity| i.files.iter().map(|f| f.sha256.clone()).collect::<Vec<_>>();
    check(hashes(old) == hashes(new), "scenario file contents");
    check(old.overrides == new.overrides, "--set/--with overrides");
    check(old.seed == new.seed, "seed");
    check(old.n == new.n, "N");
    check(old.vary == new.vary && old.points == new.points, "grid (--vary)");
    d
}

impl Sweep {
    /// Checks the folder: a fresh sweep starts there unless it holds an unfinished one;
    /// `resume` keeps the rows of a matching sweep.
    pub fn prepare(base: Base, grid: Grid, n: u64, seed: u64, threads: usize, dir: &Path, resume: bool) -> Result<Sweep> {
        let identity = identity(&base, &grid, n, seed);
        let claim = crate::output::Claim::take(dir)?;
        let json_path = dir.join("sweep.json");
        let existing: Option<SweepJson> = match crate::files::read_text(&json_path, crate::files::DATA_LIMIT) {
            Ok(text) => match serde_json::from_str(&text) {
                Ok(j) => Some(j),
                Err(e) if resume => {
                    return Err(
                        InputError(format!("--resume: {} is not a sweep.json this truce can read ({e})", json_path.display())).into()
                    );
                }
                Err(_) => None,
            },
            Err(_) => None,
        };
        let mut sweep =
            Sweep { base, grid, n, seed, threads, dir: dir.to_path_buf(), identity, done: BTreeMap::new(), note: None, _claim: claim };
        match (existing, resume) {
            (Some(old), false) if !old.progress.complete => {
                // sweep.csv is the record of what is done; count its finished rows.
                let rows = fs::read_to_string(dir.join("sweep.csv")).map(|t| t.matches('\n').count().saturating_sub(1)).unwrap_or(0);
                Err(InputError(format!(
                    "{} holds an unfinished sweep ({rows} of {} points done); continue it with --resume, or remove the folder or \
                     choose another --out to start afresh",
                    dir.display(),
                    old.identity.points
                ))
                .into())
            }
            (Some(old), true) => {
                let diff = differences(&old.identity, &sweep.identity);
                if !diff.is_empty() {
                    return Err(InputError(format!(
                        "--resume: the sweep in {} differs in its {}; resume it with the same command line, or start afresh \
                         without --resume in another folder",
                        dir.display(),
                        diff.join(", ")
                    ))
                    .into());
                }
                sweep.read_done()?;
                sweep.write_csv()?;
                Ok(sweep)
            }
            (None, true) => {
                sweep.note = Some(format!("--resume: no sweep to resume in {}; starting a new one", dir.display()));
                sweep.start()?;
                Ok(sweep)
            }
            _ => {
                sweep.start()?;
                Ok(sweep)
            }
        }
    }

    /// Starts afresh: what was in the folder (checked by the claim to be truce's own) goes, so no
    /// stale chart or row survives.
    fn start(&mut self) -> Result<()> {
        if fs::symlink_metadata(&self.dir).is_ok() {
            fs::remove_dir_all(&self.dir).map_err(|e| crate::files::EnvError::write("clear the previous sweep in", &self.dir, e))?;
        }
        fs::create_dir_all(&self.dir).map_err(|e| crate::files::EnvError::write("create the output folder", &self.dir, e))?;
        self.done.clear();
        let progress = Progress { complete: false, points_done: 0, skipped: 0, ran: 0 };
        self.write_json(progress)?;
        self.write_csv()
    }

    fn write_json(&self, progress: Progress) -> Result<()> {
        let j = SweepJson { identity: self.identity.clone(), progress };
        write_atomic(&self.dir.join("sweep.json"), &(serde_json::to_string_pretty(&j)? + "\n"))
    }

    /// sweep.csv: the header and the rows done so far, in point order.
    fn write_csv(&self) -> Result<()> {
        let mut text = csv_header(&self.grid).join(",") + "\n";
        for row in self.done.values() {
            text.push_str(&format_row(row));
            text.push('\n');
        }
        write_atomic(&self.dir.join("sweep.csv"), &text)
    }

    /// Reads the rows of an interrupted sweep: whole lines whose point and values belong to
    /// the grid. A last line cut short by the interruption is dropped (its point runs again).
    fn read_done(&mut self) -> Result<()> {
        let path = self.dir.join("sweep.csv");
        let text = match crate::files::read_text(&path, crate::files::DATA_LIMIT) {
            Ok(t) => t,
            Err(_) => return Ok(()),
        };
        let header = csv_header(&self.grid).join(",");
        let mut lines = text.split_inclusive('\n');
        match lines.next() {
            Some(h) if h.trim_end() == header => {}
            Some(_) => {
                return Err(InputError(format!("--resume: {} does not have the columns of this sweep", path.display())).into());
            }
            None => return Ok(()),
        }
        let width = csv_header(&self.grid).len();
        for line in lines {
            if !line.ends_with('\n') {
                break;
            }
            let line = line.trim_end();
            let cells: Vec<&str> = line.split(',').collect();
            if cells.len() != width {
                continue;
            }
            let Ok(point) = cells[0].parse::<usize>() else { continue };
            let Some(values) = self.grid.points.get(point) else { continue };
            let matches = values.iter().enumerate().all(|(j, v)| cells[1 + j].parse::<f64>().ok() == Some(*v));
            // A row whose cells do not read back is not done: its point runs again.
            if let (true, Ok(row)) = (matches, parse_row(point, line, self.grid.varies.len())) {
                self.done.insert(point, row);
            }
        }
        Ok(())
    }

    /// Points still to run, in order.
    pub fn todo(&self) -> Vec<usize> {
        (0..self.grid.points.len()).filter(|p| !self.done.contains_key(p)).collect()
    }

    pub fn skipped(&self) -> usize {
        self.done.len()
    }

    /// Runs the missing points, appending each row as it completes; `tick` gets the number of
    /// rollouts finished in this invocation. Returns every row, in point order.
    pub fn run(&mut self, tick: &mut dyn FnMut(u64)) -> Result<Vec<PointRow>> {
        let todo = self.todo();
        let skipped = self.done.len();
        let path = self.dir.join("sweep.csv");
        let mut file: File =
            OpenOptions::new().append(true).open(&path).map_err(|e| crate::files::EnvError::write("append to", &path, e))?;
        let mut finished = 0u64;
        for &point in &todo {
            let row = point_row(&self.base, &self.grid, point, self.n, self.seed, self.threads, &mut |d| tick(finished + d))?;
            finished += self.n;
            writeln!(file, "{}", format_row(&row))
                .and_then(|_| file.flush())
                .map_err(|e| crate::files::EnvError::write("append to", &path, e))?;
            self.done.insert(point, row);
            self.write_json(Progress { complete: false, points_done: self.done.len(), skipped, ran: self.done.len() - skipped })?;
        }
        drop(file);
        self.write_csv()?;
        self.write_json(Progress { complete: true, points_done: self.done.len(), skipped, ran: todo.len() })?;
        Ok(self.done.values().cloned().collect())
    }
}

impl Sweep {
    /// Completes a fresh sweep with `rows`, every point's (the shards' of a merge), and returns
    /// them in point order: the folder is then the one a sweep run in one go writes.
    pub fn complete(&mut self, rows: Vec<PointRow>) -> Result<Vec<PointRow>> {
        let ran = rows.len();
        for row in rows {
            self.done.insert(row.point, row);
        }
        if self.done.len() != self.grid.points.len() {
            return Err(InputError(format!(
                "{} of the sweep's {} points are missing",
                self.grid.points.len() - self.done.len(),
                self.grid.points.len()
            ))
            .into());
        }
        self.write_csv()?;
        self.write_json(Progress { complete: true, points_done: self.done.len(), skipped: 0, ran })?;
        Ok(self.done.values().cloned().collect())
    }
}

/// Runs N rollouts at one point of the grid. `tick` gets the rollouts finished so far.
pub fn point_row(base: &Base, grid: &Grid, point: usize, n: u64, seed: u64, threads: usize, tick: &mut dyn FnMut(u64)) -> Result<PointRow> {
    let model = Model::new(base.at("--vary", &grid.held(point))?);
    let t = tally(&model, n, seed, threads, false, tick);
    Ok(PointRow::of(point, &grid.points[point], &t))
}

impl PointRow {
    /// The row's cells in sweep.csv.
    pub fn cells(&self) -> Vec<String> {
        format_row(self).split(',').map(str::to_string).collect()
    }

    /// A row back from its cells, checked to be point `point` of `grid`.
    pub fn from_cells(point: usize, grid: &Grid, cells: &[String]) -> Result<PointRow> {
        let row = parse_row(point, &cells.join(","), grid.varies.len())?;
        if cells.first().map(String::as_str) != Some(point.to_string().as_str()) || grid.points.get(point) != Some(&row.values) {
            return Err(InputError(format!("the row of point {point} does not hold that point's values")).into());
        }
        Ok(row)
    }

    /// The row of a point just run, its figures as sweep.csv holds them (5 decimals): the table
    /// and the charts then show the same numbers whether the sweep ran in one go, was resumed
    /// or was merged from shards.
    fn of(point: usize, values: &[f64], t: &Tally) -> PointRow {
        let kept = |v: f64| format!("{v:.5}").parse().unwrap_or(v);
        let p = Outcome::ALL
            .iter()
            .map(|&o| {
                let e = t.p(o);
                Estimate { value: kept(e.value), lo: kept(e.lo), hi: kept(e.hi) }
            })
            .collect();
        PointRow { point, values: values.to_vec(), p, median_months_to_ceasefire: t.median_months_to_ceasefire() }
    }
}

/// One row of sweep.csv: probabilities to 5 decimals, values as given (they read back exactly).
fn format_row(row: &PointRow) -> String {
    let mut cells = vec![row.point.to_string()];
    cells.extend(row.values.iter().map(|v| format!("{v}")));
    for e in &row.p {
        cells.extend([format!("{:.5}", e.value), format!("{:.5}", e.lo), format!("{:.5}", e.hi)]);
    }
    cells.push(row.median_months_to_ceasefire.map(|m| m.to_string()).unwrap_or_default());
    cells.join(",")
}

/// A row of an interrupted sweep's sweep.csv, read back to resume it.
fn parse_row(point: usize, line: &str, n_values: usize) -> Result<PointRow> {
    let cells: Vec<&str> = line.split(',').collect();
    let num = |i: usize| -> Result<f64> {
        cells.get(i).and_then(|c| c.parse().ok()).ok_or_else(|| {
            InputError(format!(
                "sweep.csv, point {point}: cell {} is not a number\n  help: the unfinished sweep's sweep.csv is damaged; start the sweep again with a new --out",
                i + 1
            ))
            .into()
        })
    };
    let values = (0..n_values).map(|j| num(1 + j)).collect::<Result<Vec<_>>>()?;
    let mut p = Vec::new();
    for k in 0..Outcome::ALL.len() {
        let at = 1 + n_values + 3 * k;
        p.push(Estimate { value: num(at)?, lo: num(at + 1)?, hi: num(at + 2)? });
    }
    let median = cells.get(1 + n_values + 3 * Outcome::ALL.len()).and_then(|c| c.parse().ok());
    Ok(PointRow { point, values, p, median_months_to_ceasefire: median })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A resumed sweep rewrites the rows it read from the rows it parsed: they must read back
    /// to the same text, or a resumed sweep.csv would differ from one made in a single go.
    #[test]
    fn a_row_reads_back_to_the_same_text() {
        let e = |v: f64| Estimate { value: v, lo: v / 2.0, hi: (v * 1.5).min(1.0) };
        let row = PointRow {
            point: 3,
            values: vec![0.1 + 0.2, 1e-7, 250.0],
            p: Outcome::ALL.iter().enumerate().map(|(k, _)| e(k as f64 / 7.0)).collect(),
            median_months_to_ceasefire: Some(17),
        };
        let line = format_row(&row);
        assert!(line.starts_with("3,0.30000000000000004,0.0000001,250,0.00000,0.00000,0.00000,0.14286,0.07143,0.21429,"), "{line}");
        let back = parse_row(3, &line, 3).unwrap();
        assert_eq!(back.values, row.values);
        assert_eq!(format_row(&back), line);
        let none = PointRow { median_months_to_ceasefire: None, ..row };
        let line = format_row(&none);
        assert!(line.ends_with(','), "{line}");
        assert_eq!(format_row(&parse_row(3, &line, 3).unwrap()), line);
        assert!(parse_row(3, "3,0.1,x", 1).is_err());
    }
}

#[cfg(test)]
#[path = "tests_sweep.rs"]
mod tests_sweep;
