//! `truce sensitivity`: which uncertain parameters matter for an outcome.
//!
//! - **Tornado** (one at a time): each uncertain parameter is held at its 10th and then at its
//!   90th percentile while every other one is drawn as usual, on common random numbers; the
//!   effect is the change in the outcome's probability, with a paired interval.
//! - **PRCC** (global): over one run of the scenario as it is, the partial rank correlation of
//!   each drawn parameter with each outcome's 0/1 indicator.
//! - **Design**: rows of parameter values made elsewhere (a Saltelli or Morris design from
//!   SALib), each evaluated with N rollouts on common random numbers.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::Result;

use crate::model::{Model, Outcome};

use super::InputError;
use super::hold::{Base, quantiles};
use super::intervals::{Estimate, paired_difference, signed};
use super::prcc::{Prcc, prcc};
use super::tally::tally;

/// Draws used to find a distribution's percentiles.
pub const QUANTILE_DRAWS: usize = 20_000;
/// The percentiles a tornado bar runs between.
pub const LOW: f64 = 0.10;
pub const HIGH: f64 = 0.90;

/// One tornado bar.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TornadoRow {
    pub path: String,
    pub p10: f64,
    pub p90: f64,
    pub at_p10: Estimate,
    pub at_p90: Estimate,
    /// Metric at p90 minus metric at p10, with its paired interval.
    pub effect: Estimate,
    /// For a drawn setting (the protocol), the names of its choices, to print p10 and p90 by name.
    #[serde(skip)]
    pub names: Option<&'static [&'static str]>,
}

/// One PRCC: a drawn parameter against one outcome.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PrccRow {
    pub outcome: Outcome,
    pub path: String,
    pub prcc: Option<Prcc>,
}

/// Orders one outcome's rows by the size of their PRCC, largest first; rows whose PRCC is
/// undefined go last, in the order they came.
fn strongest_first(rows: &mut [PrccRow]) {
    let key = |x: &PrccRow| x.prcc.map(|p| p.value.abs()).unwrap_or(-1.0);
    rows.sort_by(|a, b| key(b).total_cmp(&key(a)));
}

pub struct Sensitivity {
    pub metric: Outcome,
    /// The metric in the scenario as it is (every uncertain parameter drawn).
    pub base: Estimate,
    /// Largest |effect| first.
    pub tornado: Vec<TornadoRow>,
    /// Per outcome in `Outcome::ALL` order, largest |PRCC| first.
    pub prcc: Vec<PrccRow>,
    pub n: u64,
    pub seed: u64,
}

/// The uncertain parameters of the scenario with their 10th and 90th percentiles.
pub fn percentiles(base: &Base, seed: u64) -> Vec<(usize, String, f64, f64)> {
    let sc = &base.scenario;
    sc.uncertain()
        .into_iter()
        .filter_map(|i| {
            let q = quantiles(sc, i, &[LOW, HIGH], QUANTILE_DRAWS, seed)?;
            Some((i, sc.params[i].path.clone(), super::grid::tidy(q[0]), super::grid::tidy(q[1])))
        })
        .collect()
}

/// Rollouts a full analysis runs: the scenario once, then two runs per uncertain parameter.
pub fn total_rollouts(base: &Base, n: u64) -> u64 {
    n * (1 + 2 * base.scenario.uncertain().len() as u64)
}

/// Rollouts the tornado's units `first..first + len` run (unit 0 one run, every other two).
pub fn unit_rollouts(first: u64, len: u64, n: u64) -> u64 {
    (first..first + len).map(|u| if u == 0 { n } else { 2 * n }).sum()
}

/// What some of the tornado's units computed: unit 0 (the scenario as it is: the metric's
/// share and the PRCC) if among them, and the bars of the parameters' units, in order.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SensitivityPart {
    pub base: Option<BaseUnit>,
    pub bars: Vec<TornadoRow>,
}

/// Unit 0 of the tornado.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BaseUnit {
    pub base: Estimate,
    pub prcc: Vec<PrccRow>,
}

impl SensitivityPart {
    pub fn units(&self) -> u64 {
        self.base.is_some() as u64 + self.bars.len() as u64
    }
}

fn nothing_uncertain(base: &Base) -> crate::error::Error {
    InputError(format!(
        "`{}` has no uncertain parameters (distributions), so there is nothing to rank; vary fixed parameters with \
         `truce sweep`, or evaluate your own design with --design FILE.csv",
        base.scenario.name
    ))
    .into()
}

/// The tornado's units: 1 + the uncertain parameters with percentiles.
pub fn units(bars: &[(usize, String, f64, f64)]) -> u64 {
    1 + bars.len() as u64
}

/// Runs the whole analysis: the tornado and the PRCC. `tick` gets the rollouts finished so far.
pub fn analyse(base: &Base, metric: Outcome, n: u64, seed: u64, threads: usize, tick: &mut dyn FnMut(u64)) -> Result<Sensitivity> {
    let bars = percentiles(base, seed);
    let part = analyse_units(base, &bars, metric, n, seed, threads, (0, units(&bars)), tick)?;
    assemble(base, metric, n, seed, vec![part])
}

/// Runs the tornado's units `first..first + len` of `bars` (from `percentiles`). `tick` gets the
/// rollouts finished so far.
#[allow(clippy::too_many_arguments)]
pub fn analyse_units(
    base: &Base,
    bars: &[(usize, String, f64, f64)],
    metric: Outcome,
    n: u64,
    seed: u64,
    threads: usize,
    (first, len): (u64, u64),
    tick: &mut dyn FnMut(u64),
) -> Result<SensitivityPart> {
    let uncertain = base.scenario.uncertain();
    if uncertain.is_empty() {
        return Err(nothing_uncertain(base));
    }
    let mut done = 0u64;
    let mut part = SensitivityPart { base: None, bars: Vec::new() };
    if first == 0 && len > 0 {
        let model = Model::new(base.scenario.clone());
        let all = tally(&model, n, seed, threads, true, |d| tick(done + d));
        done += n;
        let ind = all.indicator(metric);
        let paths: Vec<String> = uncertain.iter().map(|&i| base.scenario.params[i].path.clone()).collect();
        let mut rows = Vec::new();
        for o in Outcome::ALL {
            let y: Vec<f64> = all.indicator(o).iter().map(|&b| b as u8 as f64).collect();
            let mut r: Vec<PrccRow> = prcc(&all.drawn, all.width, &y)
                .into_iter()
                .zip(&paths)
                .map(|(p, path)| PrccRow { outcome: o, path: path.clone(), prcc: p })
                .collect();
            strongest_first(&mut r);
            rows.extend(r);
        }
        let base_p = super::intervals::proportion(ind.iter().filter(|&&b| b).count() as u64, n);
        part.base = Some(BaseUnit { base: base_p, prcc: rows });
    }
    let from = first.max(1) as usize - 1;
    let to = (first + len).max(1) as usize - 1;
    for (_, path, p10, p90) in bars[from.min(bars.len())..to.min(bars.len())].iter().cloned() {
        let mut at = |v: f64, done: u64| -> Result<Vec<bool>> {
            let m = Model::new(base.at("the tornado", &[(path.clone(), v)])?);
            Ok(tally(&m, n, seed, threads, false, |d| tick(done + d)).indicator(metric))
        };
        let lo = at(p10, done)?;
        done += n;
        let hi = at(p90, done)?;
        done += n;
        let share = |v: &[bool]| super::intervals::proportion(v.iter().filter(|&&b| b).count() as u64, n);
        part.bars.push(TornadoRow {
            path,
            p10,
            p90,
            at_p10: share(&lo),
            at_p90: share(&hi),
            effect: paired_difference(&lo, &hi),
            names: None,
        });
    }
    Ok(part)
}

/// Puts the units of the tornado together, in unit order, into the analysis a single run makes.
pub fn assemble(base: &Base, metric: Outcome, n: u64, seed: u64, parts: Vec<SensitivityPart>) -> Result<Sensitivity> {
    let mut unit0 = None;
    let mut tornado = Vec::new();
    for p in parts {
        if let Some(b) = p.base {
            unit0 = Some(b);
        }
        tornado.extend(p.bars);
    }
    let Some(BaseUnit { base: base_p, prcc }) = unit0 else {
        return Err(InputError("the tornado's unit 0 (the scenario as it is, and the PRCC) is missing".into()).into());
    };
    for row in &mut tornado {
        row.names = base.scenario.param(&row.path).and_then(|p| p.names);
    }
    tornado.sort_by(|a, b| b.effect.value.abs().total_cmp(&a.effect.value.abs()));
    Ok(Sensitivity { metric, base: base_p, tornado, prcc, n, seed })
}

impl Sensitivity {
    /// tornado.csv (see docs/analysis.md).
    pub fn tornado_csv(&self) -> Result<String> {
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record([
            "param",
            "p10",
            "p90",
            "metric",
            "at_p10",
            "at_p10_lo",
            "at_p10_hi",
            "at_p90",
            "at_p90_lo",
            "at_p90_hi",
            "effect",
            "effect_lo",
            "effect_hi",
        ])?;
        let f = |v: f64| format!("{v:.5}");
        for r in &self.tornado {
            w.write_record([
                r.path.clone(),
                format!("{}", r.p10),
                format!("{}", r.p90),
                self.metric.name().to_string(),
                f(r.at_p10.value),
                f(r.at_p10.lo),
                f(r.at_p10.hi),
                f(r.at_p90.value),
                f(r.at_p90.lo),
                f(r.at_p90.hi),
                f(r.effect.value),
                f(r.effect.lo),
                f(r.effect.hi),
            ])?;
        }
        crate::error::csv_text(w)
    }

    /// sensitivity.csv: the PRCC of every drawn parameter with every outcome.
    pub fn prcc_csv(&self) -> Result<String> {
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(["outcome", "param", "prcc", "lo", "hi", "n"])?;
        let f = |v: Option<f64>| v.map(|x| format!("{x:.5}")).unwrap_or_default();
        for r in &self.prcc {
            w.write_record([
                r.outcome.name().to_string(),
                r.path.clone(),
                f(r.prcc.map(|p| p.value)),
                f(r.prcc.map(|p| p.lo)),
                f(r.prcc.map(|p| p.hi)),
                self.n.to_string(),
            ])?;
        }
        crate::error::csv_text(w)
    }

    /// The printed tables: the tornado, then the PRCC for the metric.
    pub fn table(&self) -> String {
        use std::fmt::Write as _;
        let m = self.metric.name();
        let pct = |e: &Estimate| format!("{:.1}%", 100.0 * e.value);
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{m}: {:.1}% [{:.1}, {:.1}] with every uncertain parameter drawn\n",
            100.0 * self.base.value,
            100.0 * self.base.lo,
            100.0 * self.base.hi
        );
        let w = self
            .tornado
            .iter()
            .map(|r| r.path.chars().count())
            .chain(self.prcc.iter().map(|r| r.path.chars().count()))
            .max()
            .unwrap_or(5)
            .max(5);
        let _ = writeln!(
            out,
            "{:<w$}  {:>10}  {:>10}  {:>8}  {:>8}  {:>26}",
            "held at", "p10", "p90", "at p10", "at p90", "effect (p90 − p10), 95%"
        );
        for r in &self.tornado {
            let e = &r.effect;
            let _ = writeln!(
                out,
                "{:<w$}  {:>10}  {:>10}  {:>8}  {:>8}  {:>26}",
                r.path,
                held_at(r.p10, r.names, r.p90 - r.p10),
                held_at(r.p90, r.names, r.p90 - r.p10),
                pct(&r.at_p10),
                pct(&r.at_p90),
                format!("{} pp [{}, {}]", signed(100.0 * e.value), signed(100.0 * e.lo), signed(100.0 * e.hi))
            );
        }
        let _ = writeln!(out, "\npartial rank correlation with {m} (all drawn together)");
        for r in self.prcc.iter().filter(|r| r.outcome == self.metric) {
            match r.prcc {
                Some(p) => {
                    let f = |v: f64| format!("{v:+.3}").replace('-', "−");
                    let _ = writeln!(out, "{:<w$}  {}  [{}, {}]", r.path, f(p.value), f(p.lo), f(p.hi));
                }
                None => {
                    let _ = writeln!(out, "{:<w$}  (undefined: the parameter or the outcome does not vary)", r.path);
                }
            }
        }
        out
    }
}

/// A held value as printed: a setting's choice by name; a number with as many decimals as show
/// the spread between the two percentiles to three significant digits (204.5 and 235.4; 0.789
/// and 1.290; 0.99950 and 0.99990), the same for both ends of a row.
fn held_at(v: f64, names: Option<&[&str]>, spread: f64) -> String {
    match names.and_then(|n| n.get(v as usize)) {
        Some(name) if v >= 0.0 && v.fract() == 0.0 => (*name).to_string(),
        _ => held_value(v, spread),
    }
}

/// A held number as the terminal and the tornado chart both print it: as many decimals as show
/// `spread` (p90 − p10) to three significant digits.
pub fn held_value(v: f64, spread: f64) -> String {
    if spread.is_finite() && spread > 0.0 {
        let decimals = (2 - spread.abs().log10().floor() as i32).clamp(0, 12) as usize;
        format!("{v:.decimals$}")
    } else {
        short(v)
    }
}

fn short(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return format!("{v}");
    }
    let decimals = (3 - v.abs().log10().floor() as i32).max(0) as usize;
    let s = format!("{v:.decimals$}");
    if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.').to_string() } else { s }
}

/// A design read from CSV: one column per parameter path, one row per point to evaluate.
pub struct Design {
    pub paths: Vec<String>,
    /// The cells as written (echoed into the results).
    pub cells: Vec<Vec<String>>,
    pub values: Vec<Vec<f64>>,
    /// The SHA-256 of the file as read: what makes the shards of a design parts of one.
    pub sha256: String,
}

/// Reads and checks a design file against the scenario.
pub fn read_design(path: &Path, base: &Base) -> Result<Design> {
    let file = path.display();
    let bytes = crate::files::read_bytes(path, crate::files::DATA_LIMIT).map_err(|e| {
        InputError(format!("--design {file}: cannot read it: {e}\n  help: give a CSV file whose first line names parameters"))
    })?;
    let mut r = csv::ReaderBuilder::new().trim(csv::Trim::All).from_reader(bytes.as_slice());
    let paths: Vec<String> = r.headers().map_err(|e| InputError(format!("--design {file}: {e}")))?.iter().map(String::from).collect();
    if paths.is_empty() || paths.iter().all(|p| p.is_empty()) {
        return Err(InputError(format!(
            "--design {file}: the first line must name the parameters, e.g. actors.us.pressure,negotiation.talks_rate"
        ))
        .into());
    }
    let mut index = Vec::new();
    for (c, p) in paths.iter().enumerate() {
        if paths[..c].contains(p) {
            return Err(InputError(format!("--design {file}: column `{p}` appears twice")).into());
        }
        index.push(base.numeric_param(&format!("--design {file}: column"), p)?);
    }
    let mut cells = Vec::new();
    let mut values = Vec::new();
    for (row, rec) in r.records().enumerate() {
        let line = row + 2;
        let rec = rec.map_err(|e| InputError(format!("--design {file} line {line}: {e}")))?;
        let mut vs = Vec::new();
        for (c, cell) in rec.iter().enumerate() {
            let v: f64 = cell
                .parse()
                .map_err(|_| InputError(format!("--design {file} line {line}, column `{}`: `{cell}` is not a number", paths[c])))?;
            base.check_value(&format!("--design {file} line {line}"), index[c], v)?;
            vs.push(v);
        }
        cells.push(rec.iter().map(String::from).collect());
        values.push(vs);
    }
    if values.is_empty() {
        return Err(InputError(format!("--design {file}: no rows to evaluate below the header")).into());
    }
    Ok(Design { paths, cells, values, sha256: crate::files::sha256_hex(&bytes) })
}

/// Evaluates every design row with `n` rollouts (rollouts 0..n, the same for every row) and
/// returns the results as CSV: the design's columns, then each outcome's probability.
pub fn evaluate_design(base: &Base, design: &Design, n: u64, seed: u64, threads: usize, tick: &mut dyn FnMut(u64)) -> Result<String> {
    let rows = design_rows(base, design, n, seed, threads, (0, design.values.len() as u64), tick)?;
    design_csv(&design.paths, &rows)
}

/// The result rows of design rows `first..first + len` (0-based): each row's cells as written,
/// then each outcome's probability. `tick` gets the rollouts finished so far.
pub fn design_rows(
    base: &Base,
    design: &Design,
    n: u64,
    seed: u64,
    threads: usize,
    (first, len): (u64, u64),
    tick: &mut dyn FnMut(u64),
) -> Result<Vec<Vec<String>>> {
    let mut out = Vec::new();
    for (k, row) in (first as usize..(first + len) as usize).enumerate() {
        let held: Vec<(String, f64)> = design.paths.iter().cloned().zip(design.values[row].iter().copied()).collect();
        let model = Model::new(base.at(&format!("--design row {}", row + 1), &held)?);
        let done = k as u64 * n;
        let t = tally(&model, n, seed, threads, false, |d| tick(done + d));
        let mut rec = design.cells[row].clone();
        rec.extend(Outcome::ALL.iter().map(|&o| format!("{:.5}", t.p(o).value)));
        out.push(rec);
    }
    Ok(out)
}

/// design_results.csv from its rows: the design's columns, then each outcome's probability.
pub fn design_csv(paths: &[String], rows: &[Vec<String>]) -> Result<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header = paths.to_vec();
    header.extend(Outcome::ALL.iter().map(|o| o.name().to_string()));
    w.write_record(&header)?;
    for rec in rows {
        w.write_record(rec)?;
    }
    crate::error::csv_text(w)
}

#[cfg(test)]
mod tests {
    use super::{held_at, held_value};

    /// The held values show the spread between the percentiles to three significant digits,
    /// never a rounding that hides it (0.9999 for both ends of a narrow distribution).
    #[test]
    fn held_values_show_their_spread() {
        assert_eq!((held_at(204.53, None, 30.9), held_at(235.43, None, 30.9)), ("204.5".into(), "235.4".into()));
        assert_eq!((held_at(0.78889, None, 0.501), held_at(1.28989, None, 0.501)), ("0.789".into(), "1.290".into()));
        assert_eq!((held_at(0.999512, None, 0.0004), held_at(0.999912, None, 0.0004)), ("0.999512".into(), "0.999912".into()));
        assert_eq!(held_at(1500.0, None, 2000.0), "1500");
        let names: &[&str] = &["package", "stepwise"];
        assert_eq!(held_at(1.0, Some(names), 1.0), "stepwise");
        assert_eq!(held_at(0.5, None, 0.0), "0.5");
        // The tornado chart's labels are the same function: one rule for both.
        assert_eq!(held_value(1.28989, 0.501), "1.290");
        assert_eq!(held_value(118_700.2, 0.0), "118700");
        // No spread: the value alone, zero included.
        assert_eq!((held_value(0.0, 0.0), held_value(0.25, 0.0)), ("0".into(), "0.25".into()));
    }
}

#[cfg(test)]
#[path = "tests_sensitivity.rs"]
mod tests_sensitivity;
