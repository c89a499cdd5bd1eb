//! Calibration of the battlefield on an observed series of Russian-held area, using only months
//! before the scenario's start, and the history check (backtest) of a scenario against what
//! happened next. Pure functions on data; reading files is the caller's job.

use crate::calendar::YearMonth;
use crate::model::{Model, MonthView, Observer, Scratch, run_rollout};

/// A monthly series of area (km²) on the first day of each month.
pub type Series = Vec<(YearMonth, f64)>;

/// Reads `month,<column>` from CSV text (other columns ignored; empty cells skipped).
pub fn read_series(text: &str, column: &str) -> Result<Series, String> {
    let mut rdr = csv::Reader::from_reader(text.as_bytes());
    let headers = rdr.headers().map_err(|e| e.to_string())?.clone();
    let month_col = headers.iter().position(|h| h == "month").ok_or("the file has no `month` column")?;
    let value_col = headers
        .iter()
        .position(|h| h == column)
        .ok_or_else(|| format!("the file has no `{column}` column (it has: {})", headers.iter().collect::<Vec<_>>().join(", ")))?;
    let mut out = Vec::new();
    for (i, row) in rdr.records().enumerate() {
        let row = row.map_err(|e| format!("line {}: {e}", i + 2))?;
        let month = YearMonth::parse(row.get(month_col).unwrap_or("").trim())
            .ok_or_else(|| format!("line {}: `{}` is not a month (YYYY-MM)", i + 2, row.get(month_col).unwrap_or("")))?;
        let cell = row.get(value_col).unwrap_or("").trim();
        if cell.is_empty() {
            continue;
        }
        let v: f64 = cell.parse().map_err(|_| format!("line {}: `{cell}` is not a number", i + 2))?;
        out.push((month, v));
    }
    out.sort_by_key(|(m, _)| *m);
    Ok(out)
}

/// Monthly net changes: the change during month m is area(m + 1) − area(m).
pub fn changes(series: &Series, from: YearMonth, to: YearMonth) -> Vec<(YearMonth, f64)> {
    series.windows(2).filter(|w| w[1].0 == w[0].0.plus(1) && w[0].0 >= from && w[0].0 <= to).map(|w| (w[0].0, w[1].1 - w[0].1)).collect()
}

/// Mean, sample standard deviation and lag-1 autocorrelation.
pub fn moments(x: &[f64]) -> (f64, f64, f64) {
    let n = x.len() as f64;
    if x.len() < 3 {
        return (x.iter().sum::<f64>() / n.max(1.0), 0.0, 0.0);
    }
    let mean = x.iter().sum::<f64>() / n;
    let ss: f64 = x.iter().map(|v| (v - mean).powi(2)).sum();
    let sd = (ss / (n - 1.0)).sqrt();
    let ac = if ss > 0.0 { x.windows(2).map(|w| (w[0] - mean) * (w[1] - mean)).sum::<f64>() / ss } else { 0.0 };
    (mean, sd, ac)
}

/// The fitted battlefield parameters and what they were fitted on.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Fit {
    pub from: String,
    pub to: String,
    pub n: usize,
    pub observed_mean: f64,
    pub observed_sd: f64,
    pub observed_ac1: f64,
    /// `battlefield.gain_mean`: the window's mean; `gain_mean_sd` its standard error, inflated
    /// for autocorrelation.
    pub gain_mean: f64,
    pub gain_mean_sd: f64,
    /// `battlefield.gain_sd`: the window's sd less the variance the jumps add.
    pub gain_sd: f64,
    /// `battlefield.gain_ar`: the window's lag-1 autocorrelation (kept in [0, 0.95]).
    pub gain_ar: f64,
    /// `battlefield.gain_drift`: 0 for the constant-mean fit; the level's monthly sd for the
    /// local-level fit.
    pub gain_drift: f64,
}

impl Fit {
    /// The window and its observed moments; the fitted values are left at zero for the caller.
    fn observed(from: YearMonth, to: YearMonth, xs: &[f64]) -> Fit {
        let (mean, sd, ac) = moments(xs);
        Fit {
            from: from.to_string(),
            to: to.to_string(),
            n: xs.len(),
            observed_mean: mean,
            observed_sd: sd,
            observed_ac1: ac,
            gain_mean: 0.0,
            gain_mean_sd: 0.0,
            gain_sd: 0.0,
            gain_ar: 0.0,
            gain_drift: 0.0,
        }
    }
}

/// How the trend of monthly gains is modelled when fitting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trend {
    /// A constant mean with AR(1) noise (the method of moments).
    Constant,
    /// A local level: the mean is a random walk observed with noise (Kalman filter, maximum
    /// likelihood). The mean's value at the start is the filtered level, uncertain by its sd.
    LocalLevel,
}

/// Log-likelihood of the local-level model, and the filtered level and its variance at the end.
fn local_level(y: &[f64], eta: f64, eps: f64) -> (f64, f64, f64) {
    // A diffuse start: the first observation fixes the level; the likelihood counts the rest.
    let (mut level, mut var) = (y[0], eps * eps);
    let mut ll = 0.0;
    for &obs in &y[1..] {
        var += eta * eta;
        let f = var + eps * eps;
        let v = obs - level;
        ll -= 0.5 * ((2.0 * std::f64::consts::PI * f).ln() + v * v / f);
        let gain = var / f;
        level += gain * v;
        var *= 1.0 - gain;
    }
    (ll, level, var)
}

/// The monthly changes in [from, to], refused unless every one is known by the start.
fn window(series: &Series, start: YearMonth, from: YearMonth, to: YearMonth) -> Result<Vec<f64>, String> {
    if to.plus(1) > start {
        return Err(format!(
            "the fit window must end before the scenario starts ({start}): the change during {to} is only known on {}-01",
            to.plus(1)
        ));
    }
    let xs: Vec<f64> = changes(series, from, to).into_iter().map(|(_, v)| v).collect();
    if xs.len() < 6 {
        return Err(format!("only {} monthly changes between {from} and {to}; at least 6 are needed", xs.len()));
    }
    Ok(xs)
}

/// Fits the local-level trend by maximum likelihood over a grid of (η, ε) in steps of 1 km².
pub fn fit_local_level(series: &Series, start: YearMonth, from: YearMonth, to: YearMonth) -> Result<Fit, String> {
    let xs = window(series, start, from, to)?;
    let (_, sd, _) = moments(&xs);
    let top = (2.0 * sd).ceil() as usize;
    let mut best = (f64::NEG_INFINITY, 0.0, 1.0, 0.0, 0.0);
    for eta in 0..=top {
        for eps in 1..=top {
            let (ll, level, var) = local_level(&xs, eta as f64, eps as f64);
            if ll > best.0 {
                best = (ll, eta as f64, eps as f64, level, var);
            }
        }
    }
    let (_, eta, eps, level, var) = best;
    Ok(Fit { gain_mean: level, gain_mean_sd: var.sqrt(), gain_sd: eps, gain_ar: 0.0, gain_drift: eta, ..Fit::observed(from, to, &xs) })
}

/// The first month of the war of attrition the model describes: before it, the series holds the
/// invasion and the 2022 counter-offensives (monthly changes of tens of thousands of km²). The
/// local-level fit and the rolling backtest use no data from before it.
pub const ATTRITION_FROM: YearMonth = YearMonth::const_new(2022, 12);

/// The fit window of the constant trend when none is given: the last full calendar year before `start`.
pub fn default_window(start: YearMonth) -> (YearMonth, YearMonth) {
    // December's change is known on 1 January, at or before any start in the next year.
    let year = start.year() - 1;
    let from = YearMonth::new(year, 1).expect("valid month");
    (from, from.plus(11))
}

/// The jump terms of the battlefield at balance 1: breakthroughs up, counter-offensives down.
#[derive(Debug, Clone, Copy, Default)]
pub struct Jumps {
    pub up_p: f64,
    pub up_km2: f64,
    pub down_p: f64,
    pub down_km2: f64,
}

impl Jumps {
    /// The monthly variance the jumps add.
    pub fn variance(&self) -> f64 {
        self.up_p * self.up_km2 * self.up_km2 + self.down_p * self.down_km2 * self.down_km2
    }

    pub fn of(model: &Model) -> Jumps {
        use crate::scenario::schema::PATH;
        let p = |path: &str| model.scenario.param(path).map(|p| p.central()).unwrap_or(0.0);
        Jumps {
            up_p: p(PATH.breakthrough_hazard),
            up_km2: p(PATH.breakthrough_km2),
            down_p: p(PATH.counter_hazard),
            down_km2: p(PATH.counter_km2),
        }
    }
}

/// Fits the battlefield to the monthly changes in [from, to], all before `start`, by the method
/// of moments: `gain_mean` is the window's mean, uncertain by its standard error inflated for
/// autocorrelation; `gain_sd` the window's sd less the variance the jumps add at balance 1;
/// `gain_ar` its lag-1 autocorrelation.
pub fn fit(series: &Series, start: YearMonth, from: YearMonth, to: YearMonth, jumps: Jumps) -> Result<Fit, String> {
    let xs = window(series, start, from, to)?;
    let (mean, sd, ac) = moments(&xs);
    let ar = ac.clamp(0.0, 0.95);
    // With autocorrelation ρ, a mean of n months is worth n(1 − ρ)/(1 + ρ) independent ones.
    let se = sd * ((1.0 + ar) / (1.0 - ar)).sqrt() / (xs.len() as f64).sqrt();
    let gain_sd = (sd * sd - jumps.variance()).max(0.25 * sd * sd).sqrt();
    Ok(Fit { gain_mean: mean, gain_mean_sd: se, gain_sd, gain_ar: ar, gain_drift: 0.0, ..Fit::observed(from, to, &xs) })
}

/// Records monthly changes while at war, over the first `months` months.
struct Gains {
    months: u32,
    last: Option<f64>,
    changes: Vec<f64>,
}

impl Observer for Gains {
    fn month(&mut self, v: &MonthView<'_>) {
        if v.month > 0 && v.month <= self.months && v.at_war {
            if let Some(a) = self.last {
                self.changes.push(v.area_km2 - a);
            }
        }
        self.last = Some(v.area_km2);
    }
}

/// Simulated mean, spread and lag-1 autocorrelation of monthly gains over the first 12 months at
/// war (the length of the fit window), averaged per rollout, to set beside the observed moments.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Simulated {
    /// Per-rollout sample moments over the window, averaged (like for like with one observed path).
    pub mean: f64,
    pub sd: f64,
    pub ac1: f64,
    /// Moments of all simulated months pooled (what the fitted parameters describe).
    pub pooled_sd: f64,
    pub pooled_ac1: f64,
}

pub fn simulate_moments(model: &Model, n: u64, seed: u64, months: u32) -> Simulated {
    let mut scratch = Scratch::new(model);
    let (mut m, mut s, mut a, mut k) = (0.0, 0.0, 0.0, 0.0);
    let (mut all, mut pairs) = (Vec::new(), Vec::new());
    for i in 0..n {
        let mut g = Gains { months, last: None, changes: Vec::new() };
        run_rollout(model, seed, i, &mut scratch, &mut g);
        all.extend_from_slice(&g.changes);
        pairs.extend(g.changes.windows(2).map(|w| (w[0], w[1])));
        if g.changes.len() >= 6 {
            let (mean, sd, ac) = moments(&g.changes);
            m += mean;
            s += sd;
            a += ac;
            k += 1.0;
        }
    }
    let (pm, psd, _) = moments(&all);
    let cov = pairs.iter().map(|(x, y)| (x - pm) * (y - pm)).sum::<f64>() / pairs.len().max(1) as f64;
    Simulated { mean: m / k, sd: s / k, ac1: a / k, pooled_sd: psd, pooled_ac1: cov / (psd * psd).max(1e-12) }
}

/// Where one observed month sits in the simulated fan.
#[derive(Debug, Clone, serde::Serialize)]
pub struct BacktestMonth {
    pub month: u32,
    pub date: String,
    pub observed_km2: f64,
    pub p05: f64,
    pub p25: f64,
    pub p50: f64,
    pub p75: f64,
    pub p95: f64,
    pub inside50: bool,
    pub inside90: bool,
    /// Percentile (0–100) of the observed cumulative change among the simulated ones.
    pub percentile: f64,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Backtest {
    pub months: Vec<BacktestMonth>,
    pub coverage50: f64,
    pub coverage90: f64,
}

/// Places each observed month (after the start, within the horizon) in the simulated fan.
/// `quantile(m, q)` and `cdf(m, x)` describe the simulated area at month m.
pub fn backtest(model: &Model, observed: &Series, quantile: impl Fn(usize, f64) -> f64, cdf: impl Fn(usize, f64) -> f64) -> Backtest {
    let sc = &model.scenario;
    let mut months = Vec::new();
    for &(date, km2) in observed {
        let m = sc.start.months_until(date);
        if m < 1 || m > sc.horizon as i32 {
            continue;
        }
        let m = m as usize;
        let q = |p| quantile(m, p);
        let (p05, p25, p50, p75, p95) = (q(0.05), q(0.25), q(0.5), q(0.75), q(0.95));
        months.push(BacktestMonth {
            month: m as u32,
            date: date.to_string(),
            observed_km2: km2,
            p05,
            p25,
            p50,
            p75,
            p95,
            inside50: p25 <= km2 && km2 <= p75,
            inside90: p05 <= km2 && km2 <= p95,
            percentile: 100.0 * cdf(m, km2),
        });
    }
    let n = months.len().max(1) as f64;
    let coverage50 = months.iter().filter(|b| b.inside50).count() as f64 / n;
    let coverage90 = months.iter().filter(|b| b.inside90).count() as f64 / n;
    Backtest { months, coverage50, coverage90 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moments_and_windows() {
        let (m, sd, ac) = moments(&[1.0, 2.0, 3.0, 4.0]);
        assert_eq!(m, 2.5);
        assert!((sd - 1.290_994).abs() < 1e-6);
        assert!((ac - 0.25).abs() < 1e-12);
        let (from, to) = default_window(YearMonth::parse("2025-05").unwrap());
        assert_eq!((from.to_string(), to.to_string()), ("2024-01".into(), "2024-12".into()));
        let (from, _) = default_window(YearMonth::parse("2025-01").unwrap());
        assert_eq!(from.to_string(), "2024-01");
        let s: Series = (0..5).map(|i| (YearMonth::parse("2024-01").unwrap().plus(i), 100.0 * i as f64 * i as f64)).collect();
        let c = changes(&s, YearMonth::parse("2024-01").unwrap(), YearMonth::parse("2024-03").unwrap());
        assert_eq!(c.iter().map(|x| x.1).collect::<Vec<_>>(), vec![100.0, 300.0, 500.0]);
    }

    #[test]
    fn reads_csv_with_gaps_and_reports_bad_cells() {
        let s = read_series("month,a,b\n2024-01,1,\n2024-02,2,5\n", "b").unwrap();
        assert_eq!(s.len(), 1);
        assert!(read_series("month,a\n2024-13,1\n", "a").unwrap_err().contains("line 2"));
        assert!(read_series("month,a\n", "z").unwrap_err().contains("no `z` column"));
    }
}
