//! Reading a run folder (`docs/outputs.md`): what the charts need from `summary.json`,
//! `timeseries.csv` and `runs.csv`, and nothing else.
//!
//! Reading is lenient where the format allows (unknown fields and columns are ignored) and
//! strict where a chart would otherwise lie (a missing outcome or metric is an error naming
//! the file). `runs.csv` is streamed into fixed-width histograms, so memory does not grow with N.

use std::collections::HashMap;
use std::path::Path;

use serde::Deserialize;

use crate::calendar::YearMonth;

use super::ChartError;
use super::labels::OUTCOME_IDS;

// summary.json is read into the writer's own declaration of it.
pub use crate::summary::{CurvePoint as MonthProb, Edge, IssueInfo as Issue, Report as Summary};

/// One row of `timeseries.csv`.
#[derive(Debug, Clone, Deserialize)]
pub struct SeriesRow {
    pub month: i64,
    pub metric: String,
    pub p05: Option<f64>,
    pub p25: Option<f64>,
    pub p50: Option<f64>,
    pub p75: Option<f64>,
    pub p95: Option<f64>,
}

/// A quantile series of one metric, in month order.
#[derive(Debug, Clone, Default)]
pub struct Quantiles {
    pub month: Vec<i64>,
    pub p05: Vec<f64>,
    pub p25: Vec<f64>,
    pub p50: Vec<f64>,
    pub p75: Vec<f64>,
    pub p95: Vec<f64>,
}

/// Distribution of agreed terms on one issue over the settled rollouts.
#[derive(Debug, Clone)]
pub struct TermsDist {
    pub issue: String,
    /// Counts in [`TERM_BINS`] equal bins over [0, 1].
    pub bins: Vec<u64>,
    pub count: u64,
}

/// Resolution of the terms histograms; charts merge bins as they need.
pub const TERM_BINS: usize = 200;

impl TermsDist {
    /// The q-quantile, by the rule of every binned quantile (`stats::quantile_of_bins`:
    /// interpolated within its bin, so within 1/TERM_BINS of the exact one).
    pub fn quantile(&self, q: f64) -> Option<f64> {
        crate::stats::quantile_of_bins(&self.bins, 0, 1.0 / TERM_BINS as f64, q)
    }

    /// Counts merged into `n` equal bins (`n` must divide TERM_BINS).
    pub fn coarse(&self, n: usize) -> Vec<u64> {
        let per = TERM_BINS / n;
        self.bins.chunks(per).map(|c| c.iter().sum()).collect()
    }
}

/// Everything the charts of one run need.
#[derive(Debug, Clone)]
pub struct RunData {
    pub summary: Summary,
    pub series: HashMap<String, Quantiles>,
    pub terms: Vec<TermsDist>,
    pub settled: u64,
    /// Month index (see [`month_index`]) of the scenario start.
    pub start: i64,
    /// Non-fatal problems met while reading.
    pub warnings: Vec<String>,
}

impl RunData {
    /// Reads summary.json and timeseries.csv; runs.csv only if `with_terms`.
    pub fn load(dir: &Path, with_terms: bool) -> Result<RunData, ChartError> {
        let summary_path = dir.join("summary.json");
        let text = std::fs::read_to_string(&summary_path).map_err(|source| ChartError::Read { path: summary_path.clone(), source })?;
        let summary: Summary = serde_json::from_str(&text).map_err(|source| ChartError::Json { path: summary_path.clone(), source })?;
        for id in OUTCOME_IDS {
            if !summary.outcomes.contains_key(id) {
                return Err(ChartError::Invalid {
                    path: summary_path,
                    message: format!("`outcomes` has no entry for `{id}`; all six outcomes must be present"),
                });
            }
        }
        let start = month_index(&summary.start).ok_or_else(|| ChartError::Invalid {
            path: summary_path.clone(),
            message: format!("`start` is {:?}, expected YYYY-MM", summary.start),
        })?;
        let series = read_series(&dir.join("timeseries.csv"))?;
        let mut warnings = Vec::new();
        let (terms, settled) =
            if with_terms { read_terms(&dir.join("runs.csv"), &summary.issues, &mut warnings)? } else { (Vec::new(), 0) };
        Ok(RunData { summary, series, terms, settled, start, warnings })
    }

    /// History as (month index, km²), sorted, skipping unparseable dates.
    pub fn history(&self) -> Vec<(f64, f64)> {
        let mut h: Vec<(f64, f64)> = self.summary.history.iter().filter_map(|p| month_index(&p.date).map(|m| (m as f64, p.km2))).collect();
        h.sort_by(|a, b| a.0.total_cmp(&b.0));
        h
    }
}

fn read_series(path: &Path) -> Result<HashMap<String, Quantiles>, ChartError> {
    let mut rdr = csv::Reader::from_path(path).map_err(|source| ChartError::Csv { path: path.to_path_buf(), source })?;
    let mut rows: Vec<SeriesRow> = Vec::new();
    for r in rdr.deserialize() {
        rows.push(r.map_err(|source| ChartError::Csv { path: path.to_path_buf(), source })?);
    }
    rows.sort_by_key(|r| r.month);
    let mut out: HashMap<String, Quantiles> = HashMap::new();
    for r in rows {
        // Probability metrics have no quantiles; they are not drawn as fans.
        let (Some(p05), Some(p25), Some(p50), Some(p75), Some(p95)) = (r.p05, r.p25, r.p50, r.p75, r.p95) else {
            continue;
        };
        let q = out.entry(r.metric).or_default();
        q.month.push(r.month);
        q.p05.push(p05);
        q.p25.push(p25);
        q.p50.push(p50);
        q.p75.push(p75);
        q.p95.push(p95);
    }
    Ok(out)
}

fn read_terms(path: &Path, issues: &[Issue], warnings: &mut Vec<String>) -> Result<(Vec<TermsDist>, u64), ChartError> {
    let csv_err = |source| ChartError::Csv { path: path.to_path_buf(), source };
    let mut rdr = csv::Reader::from_path(path).map_err(csv_err)?;
    let headers = rdr.headers().map_err(csv_err)?.clone();
    let outcome_col = headers
        .iter()
        .position(|h| h == "outcome")
        .ok_or_else(|| ChartError::Invalid { path: path.to_path_buf(), message: "no `outcome` column".into() })?;
    let mut cols = Vec::new();
    let mut dists = Vec::new();
    for issue in issues {
        let name = format!("terms.{}", issue.id);
        match headers.iter().position(|h| h == name) {
            Some(c) => {
                cols.push(c);
                dists.push(TermsDist { issue: issue.id.clone(), bins: vec![0; TERM_BINS], count: 0 });
            }
            None => warnings.push(format!("{}: no column `{name}`; issue `{}` left out of the terms chart", path.display(), issue.id)),
        }
    }
    let mut settled = 0u64;
    let mut record = csv::StringRecord::new();
    while rdr.read_record(&mut record).map_err(csv_err)? {
        if record.get(outcome_col) != Some("settlement") {
            continue;
        }
        settled += 1;
        for (d, &c) in dists.iter_mut().zip(&cols) {
            let cell = record.get(c).unwrap_or("").trim();
            if cell.is_empty() {
                continue;
            }
            let v: f64 = cell.parse().map_err(|_| ChartError::Invalid {
                path: path.to_path_buf(),
                message: format!(
                    "line {}: `terms.{}` is {cell:?}, expected a number in 0..1",
                    record.position().map(|p| p.line()).unwrap_or(0),
                    d.issue
                ),
            })?;
            let bin = ((v.clamp(0.0, 1.0) * TERM_BINS as f64) as usize).min(TERM_BINS - 1);
            d.bins[bin] += 1;
            d.count += 1;
        }
    }
    Ok((dists, settled))
}

/// "YYYY-MM" (a longer date is read by its month) -> months since year 0 (`calendar`).
pub fn month_index(date: &str) -> Option<i64> {
    YearMonth::parse(date.trim().get(..7)?).map(YearMonth::index)
}

/// Months since year 0 -> "YYYY-MM".
pub fn month_label(index: i64) -> String {
    YearMonth::from_index(index).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_round_trip() {
        assert_eq!(month_index("2025-05"), Some(2025 * 12 + 4));
        assert_eq!(month_label(2025 * 12 + 4), "2025-05");
        assert_eq!(month_label(2025 * 12 + 4 + 8), "2026-01");
        assert_eq!(month_index("2025-13"), None);
        assert_eq!(month_index("May 2025"), None);
    }

    #[test]
    fn terms_quantiles_from_bins() {
        let mut d = TermsDist { issue: "x".into(), bins: vec![0; TERM_BINS], count: 0 };
        for v in [0.1, 0.2, 0.3, 0.4, 0.9] {
            d.bins[(v * TERM_BINS as f64) as usize] += 1;
            d.count += 1;
        }
        // The same rule as stats::Histogram: 2.5 of 5 values lie below the median, so it is
        // half-way through the bin of 0.3, [0.300, 0.305).
        let med = d.quantile(0.5).unwrap();
        assert!((med - 60.5 / TERM_BINS as f64).abs() < 1e-12, "{med}");
        let mut h = crate::stats::Histogram::new(1.0 / TERM_BINS as f64, 4 * TERM_BINS);
        for v in [0.1, 0.2, 0.3, 0.4, 0.9] {
            h.add(v);
        }
        for q in [0.1, 0.5, 0.75, 0.99] {
            assert!((d.quantile(q).unwrap() - h.quantile(q).unwrap()).abs() < 1e-12, "q = {q}");
        }
        assert_eq!(d.coarse(20).iter().sum::<u64>(), 5);
    }
}
