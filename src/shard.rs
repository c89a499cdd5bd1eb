//! Shards: `truce run … --shard K/N` runs the K-th of N contiguous slices of the rollout indices
//! (a rollout depends only on the scenario, the seed and its index) and writes a partial run
//! folder; `truce merge` checks that a set of them belongs together and adds them up into the
//! folder a single run writes. The summary's sums are exact and its histograms integer counts
//! (`summary::State`), so the merged folder is the single run's byte for byte.
//!
//! The analyses split the same way over their own units, each computed whole in one shard:
//! `sweep --shard` over the grid's points, `sensitivity --design --shard` over the design's rows,
//! and the tornado over its runs (unit 0 the scenario as it is with the PRCC, unit j the two runs
//! of the j-th uncertain parameter). A unit's result does not depend on the shard that ran it,
//! and the merge assembles the units with the code a single machine uses.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::analysis::grid::Vary;
use crate::analysis::sensitivity::SensitivityPart;
use crate::error::{InputError, Result};
use crate::model::Outcome;
use crate::output::{FileHash, Manifest, ShardInfo};
use crate::summary::State;

/// The file of a shard's folder that holds what a merge needs.
pub const FILE: &str = "shard.json";

/// Rollouts `first..first + len` of shard `k` (0-based) of `of` over `n` rollouts: the slices are
/// contiguous, in order, and differ in length by at most one (a shard may hold none).
pub fn slice(n: u64, k: u64, of: u64) -> (u64, u64) {
    let at = |j: u64| ((n as u128 * j as u128) / of as u128) as u64;
    (at(k), at(k + 1) - at(k))
}

/// `K/N` of `--shard`: K from 0 to N − 1.
pub fn parse_spec(text: &str) -> std::result::Result<(u64, u64), String> {
    let err = || format!("`{text}` is not a shard; write K/N with 0 ≤ K < N, e.g. --shard 0/4 (the first of four)");
    let (k, n) = text.split_once('/').ok_or_else(err)?;
    let (k, n): (u64, u64) = (k.trim().parse().map_err(|_| err())?, n.trim().parse().map_err(|_| err())?);
    if n == 0 || k >= n || n > 1_000_000 {
        return Err(err());
    }
    Ok((k, n))
}

/// What the shards are parts of, and what it is split into.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Work {
    /// `truce run`: split over rollouts.
    Run { runs_csv: bool },
    /// `truce sweep`: split over the grid's points.
    Sweep { vary: Vec<Vary>, points: u64, metric: Outcome },
    /// `truce sensitivity --design`: split over the design's rows.
    Design { file: FileHash, paths: Vec<String>, rows: u64 },
    /// `truce sensitivity`: split over the tornado's units.
    Sensitivity { metric: Outcome, units: u64 },
}

impl Work {
    /// What a shard's slice counts.
    pub fn unit(&self) -> &'static str {
        match self {
            Work::Run { .. } => "rollouts",
            Work::Sweep { .. } => "points",
            Work::Design { .. } => "design rows",
            Work::Sensitivity { .. } => "tornado units",
        }
    }

    fn command(&self) -> &'static str {
        match self {
            Work::Run { .. } => "truce run",
            Work::Sweep { .. } => "truce sweep",
            Work::Design { .. } => "truce sensitivity --design",
            Work::Sensitivity { .. } => "truce sensitivity",
        }
    }
}

/// What makes shards parts of one run: everything but the slice must be equal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Identity {
    pub truce_version: String,
    /// The scenario's name (with `+key` when overrides changed it).
    pub name: String,
    /// The scenario file as given on the command line, and every file it read with its hash.
    pub scenario: String,
    pub files: Vec<FileHash>,
    /// The overrides as the manifest records them (`--with F`, `--set P=V`, in order).
    pub overrides: Vec<String>,
    pub seed: u64,
    /// Rollouts of the whole run (of an analysis: per point, design row or tornado run).
    pub n: u64,
    pub shards: u64,
    pub work: Work,
}

impl Identity {
    /// The identity of a shard of `work` over the run `manifest` describes.
    pub fn new(manifest: &Manifest, name: &str, shards: u64, work: Work) -> Identity {
        Identity {
            truce_version: env!("CARGO_PKG_VERSION").to_string(),
            name: name.to_string(),
            scenario: manifest.scenario.clone(),
            files: manifest.files.clone(),
            overrides: manifest.overrides.clone(),
            seed: manifest.seed,
            n: manifest.n,
            shards,
            work,
        }
    }

    /// The units the whole is split into: rollouts, points, design rows or tornado units.
    pub fn units(&self) -> u64 {
        match &self.work {
            Work::Run { .. } => self.n,
            Work::Sweep { points, .. } => *points,
            Work::Design { rows, .. } => *rows,
            Work::Sensitivity { units, .. } => *units,
        }
    }
}

/// What a shard computed.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Content {
    /// A run's summary state over its rollouts.
    Run(State),
    /// Rows of sweep.csv or design_results.csv, one per unit, as the single run writes them.
    Rows(Vec<Vec<String>>),
    /// The tornado's units.
    Sensitivity(SensitivityPart),
}

impl Content {
    /// How many units it holds.
    fn units(&self) -> u64 {
        match self {
            Content::Run(state) => state.n,
            Content::Rows(rows) => rows.len() as u64,
            Content::Sensitivity(part) => part.units(),
        }
    }
}

/// `shard.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ShardFile {
    pub identity: Identity,
    pub shard: ShardInfo,
    pub content: Content,
}

/// A shard read from its folder.
#[derive(Debug, Clone)]
pub struct Part {
    pub dir: PathBuf,
    pub file: ShardFile,
}

impl Part {
    /// Reads `dir/shard.json`.
    pub fn read(dir: &Path) -> Result<Part> {
        let path = dir.join(FILE);
        let text = crate::files::read_text(&path, 1 << 30).map_err(|e| {
            InputError(format!(
                "{}: not a shard folder ({e})\n  help: give the folders that `--shard K/N` (of run, sweep or sensitivity) wrote",
                dir.display()
            ))
        })?;
        let file: ShardFile = serde_json::from_str(&text).map_err(|e| {
            InputError(format!(
                "{}: line {}, column {}: not the shard.json truce writes ({e})\n  help: run that shard again",
                path.display(),
                e.line(),
                e.column()
            ))
        })?;
        Ok(Part { dir: dir.to_path_buf(), file })
    }
}

/// Checks that `parts` are every shard of one run, each once, and returns them in order.
pub fn check(mut parts: Vec<Part>) -> Result<Vec<Part>> {
    let Some(first) = parts.first() else { return Err(InputError("give the shard folders to merge".into()).into()) };
    let id = first.file.identity.clone();
    let d0 = first.dir.display().to_string();
    for p in &parts[1..] {
        let other = &p.file.identity;
        if *other != id {
            let what = differences(&id, other);
            return Err(InputError(format!(
                "{} is not a shard of the same run as {d0}: its {what} differ\n  help: merge only the shards of one run (same scenario files, overrides, seed, N, shard count and truce version)",
                p.dir.display()
            ))
            .into());
        }
    }
    for p in &parts {
        let s = &p.file.shard;
        let fits = matches!(
            (&id.work, &p.file.content),
            (Work::Run { .. }, Content::Run(_))
                | (Work::Sweep { .. } | Work::Design { .. }, Content::Rows(_))
                | (Work::Sensitivity { .. }, Content::Sensitivity(_))
        );
        if !fits || s.of != id.shards || s.k >= s.of || (s.first, s.n) != slice(id.units(), s.k, s.of) || s.n != p.file.content.units() {
            return Err(InputError(format!(
                "{}: shard {}/{} does not hold the slice it names\n  help: run that shard again",
                p.dir.display(),
                s.k,
                s.of
            ))
            .into());
        }
    }
    parts.sort_by_key(|p| p.file.shard.k);
    for w in parts.windows(2) {
        if w[0].file.shard.k == w[1].file.shard.k {
            return Err(InputError(format!(
                "shard {}/{} is given twice: {} and {}\n  help: give each shard's folder once",
                w[0].file.shard.k,
                id.shards,
                w[0].dir.display(),
                w[1].dir.display()
            ))
            .into());
        }
    }
    let missing: Vec<String> =
        (0..id.shards).filter(|k| !parts.iter().any(|p| p.file.shard.k == *k)).map(|k| format!("{k}/{}", id.shards)).collect();
    if !missing.is_empty() {
        let shown: Vec<String> = missing.iter().take(20).cloned().collect();
        let more = if missing.len() > 20 { format!(" and {} more", missing.len() - 20) } else { String::new() };
        return Err(InputError(format!(
            "{} of {} shards are missing: {}{more}\n  help: run the missing shards ({} … --shard K/{}) and merge again",
            missing.len(),
            id.shards,
            shown.join(", "),
            id.work.command(),
            id.shards
        ))
        .into());
    }
    Ok(parts)
}

fn differences(a: &Identity, b: &Identity) -> String {
    let mut d = Vec::new();
    if a.truce_version != b.truce_version {
        d.push(format!("truce version ({} vs {})", b.truce_version, a.truce_version));
    }
    if a.name != b.name || a.scenario != b.scenario {
        d.push(format!("scenario ({} vs {})", b.name, a.name));
    }
    if a.files != b.files {
        d.push("scenario files' hashes".to_string());
    }
    if a.overrides != b.overrides {
        d.push("overrides".to_string());
    }
    if a.seed != b.seed {
        d.push(format!("seed ({} vs {})", b.seed, a.seed));
    }
    if a.n != b.n {
        d.push(format!("N ({} vs {})", b.n, a.n));
    }
    if a.shards != b.shards {
        d.push(format!("shard count ({} vs {})", b.shards, a.shards));
    }
    match (&a.work, &b.work) {
        (Work::Run { runs_csv: x }, Work::Run { runs_csv: y }) if x != y => d.push("runs.csv (one has it, one does not)".to_string()),
        (x, y) if std::mem::discriminant(x) != std::mem::discriminant(y) => {
            d.push(format!("kind ({} vs {})", y.command(), x.command()));
        }
        (Work::Sweep { vary: x, points: px, .. }, Work::Sweep { vary: y, points: py, .. }) if a.work != b.work => {
            d.push(if x != y || px != py { "grid (--vary)".to_string() } else { "--metric".to_string() });
        }
        (Work::Design { file: x, .. }, Work::Design { file: y, .. }) if a.work != b.work => {
            d.push(if x.sha256 != y.sha256 { "design file's hash".to_string() } else { "design".to_string() });
        }
        (Work::Sensitivity { metric: x, .. }, Work::Sensitivity { metric: y, .. }) if a.work != b.work => {
            d.push(if x != y { format!("metric ({} vs {})", y.name(), x.name()) } else { "uncertain parameters".to_string() })
        }
        _ => {}
    }
    d.join(", ")
}

/// The overrides a manifest records, back as the `--with` files and `--set`s to load them with.
pub fn overrides_of(recorded: &[String]) -> crate::scenario::Overrides {
    let mut o = crate::scenario::Overrides::default();
    for r in recorded {
        if let Some(w) = r.strip_prefix("--with ") {
            o.withs.push(PathBuf::from(w));
        } else if let Some(s) = r.strip_prefix("--set ") {
            o.sets.push(s.to_string());
        }
    }
    o
}

/// This machine's name, for the manifest of a shard.
pub fn host() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|s| s.trim().to_string())
        .ok()
        .filter(|s| !s.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "unknown".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slices_cover_every_rollout_once_in_order() {
        for (n, of) in [(10u64, 3u64), (1000, 4), (5, 8), (0, 2), (7, 1), (1_000_000_007, 13)] {
            let mut next = 0;
            for k in 0..of {
                let (first, len) = slice(n, k, of);
                assert_eq!(first, next, "n={n} of={of} k={k}");
                assert!(len == n / of || len == n / of + 1);
                next = first + len;
            }
            assert_eq!(next, n);
        }
        assert_eq!(slice(5, 0, 8), (0, 0));
    }

    #[test]
    fn shard_specs_are_checked() {
        assert_eq!(parse_spec("0/4"), Ok((0, 4)));
        assert_eq!(parse_spec(" 3 / 4 "), Ok((3, 4)));
        for bad in ["4/4", "1", "a/b", "0/0", "-1/3"] {
            assert!(parse_spec(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn recorded_overrides_load_as_they_were_given() {
        let o = overrides_of(&["--with a.toml".into(), "--set x.y=1".into(), "--set z=\"a b\"".into()]);
        assert_eq!(o.withs, vec![PathBuf::from("a.toml")]);
        assert_eq!(o.sets, vec!["x.y=1".to_string(), "z=\"a b\"".to_string()]);
    }
}
