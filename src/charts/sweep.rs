//! Charts of a parameter sweep (`truce sweep`, sweep.csv): `sweep_outcomes` for one parameter
//! (each outcome's probability against the parameter, with 95% bands and a marker at every
//! point) and `sweep_heatmap` for two (the chosen outcome's probability in each cell of the
//! grid, on a colour-blind-safe sequential scale, with a colour bar).

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::analysis_labels::{AnalysisLabels, analysis_labels};
use super::axes::{self, Axis};
use super::canvas::{Chart, Ctx, DResult, LegendItem, Swatch, frame, legend, message, render, text_size};
use super::labels::{OUTCOME_IDS, percent};
use super::marks;
use super::style::{self, ALPHA_CI, INK};
use super::{ChartError, ChartOptions, ChartReport, FontSearch, Lang};

/// What the sweep charts show (filled from sweep.csv).
#[derive(Debug, Clone)]
pub struct SweepData {
    pub scenario: String,
    pub title: String,
    pub n: u64,
    pub seed: u64,
    pub version: String,
    /// The varied parameter paths, first one changing slowest.
    pub params: Vec<String>,
    /// The same parameters in words with their units (`Scenario::param_label`), for the axes.
    pub labels: Vec<String>,
    /// Each point's values, one per parameter.
    pub points: Vec<Vec<f64>>,
    /// Each point's (p, lo, hi) per outcome, in `OUTCOME_IDS` order.
    pub p: Vec<Vec<(f64, f64, f64)>>,
    /// The outcome the heatmap shows (index into `OUTCOME_IDS`).
    pub metric: usize,
}

/// Draws `sweep_outcomes` (one parameter) or `sweep_heatmap` (two) into `out_dir`. Sweeps of
/// three parameters or more have no chart: the report says so in a warning.
pub fn draw_sweep(data: &SweepData, out_dir: &Path, opts: &ChartOptions) -> Result<ChartReport, ChartError> {
    draw_sweep_with(data, out_dir, opts, FontSearch::System)
}

pub fn draw_sweep_with(data: &SweepData, out_dir: &Path, opts: &ChartOptions, search: FontSearch) -> Result<ChartReport, ChartError> {
    super::check_size(opts)?;
    let mut report = ChartReport::default();
    if data.params.is_empty() || data.params.len() > 2 {
        report.warnings.push(format!("no sweep chart for {} parameters: charts show one or two", data.params.len()));
        return Ok(report);
    }
    let (mut ctx, a) = analysis_ctx(opts, search, &[&data.title, &data.scenario], &mut report.warnings)?;
    ctx.title_prefix = ctx.fit(&data.title, &data.scenario);
    ctx.footer = a.footer(&ctx.fit(&data.scenario, "?"), data.n, true, data.seed, &data.version, ctx.l.item_sep);
    super::create_dir(out_dir)?;
    if data.params.len() == 1 {
        render(&SweepLines { d: data, a }, out_dir, &ctx, &mut report.files)?;
    } else {
        render(&SweepHeatmap { d: data, a }, out_dir, &ctx, &mut report.files)?;
    }
    super::dedup(&mut report.warnings);
    Ok(report)
}

/// A chart context whose font covers the analysis labels too; returns the labels in the
/// language actually drawn.
pub(super) fn analysis_ctx(
    opts: &ChartOptions,
    search: FontSearch,
    data_strings: &[&str],
    warnings: &mut Vec<String>,
) -> Result<(Ctx, &'static AnalysisLabels), ChartError> {
    let words = analysis_labels(opts.lang).all();
    let mut strings: Vec<&str> = words.iter().map(String::as_str).collect();
    strings.extend_from_slice(data_strings);
    let ctx = super::make_ctx(opts, search, &strings, warnings)?;
    let lang = if std::ptr::eq(ctx.l, &super::labels::ZH) { Lang::Zh } else { Lang::En };
    Ok((ctx, analysis_labels(lang)))
}

/// Tick labels for values on an axis with step `step`.
fn value_format(step: f64) -> impl Fn(f64) -> String {
    let decimals = axes::decimals_for(step);
    move |v: f64| format!("{v:.decimals$}")
}

struct SweepLines<'a> {
    d: &'a SweepData,
    a: &'static AnalysisLabels,
}

impl Chart for SweepLines<'_> {
    fn name(&self) -> &'static str {
        "sweep_outcomes"
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, ctx: &Ctx) -> DResult {
        let d = self.d;
        let area = frame(root, ctx, self.a.subj_sweep)?;
        // Outcomes that never happen at any point would only add flat lines at zero.
        let shown: Vec<usize> = (0..OUTCOME_IDS.len()).filter(|&k| d.p.iter().any(|row| row[k].0 > 0.0)).collect();
        if shown.is_empty() || d.points.is_empty() {
            return message(&area, ctx, ctx.l.no_data);
        }
        let mut items: Vec<LegendItem> = shown
            .iter()
            .map(|&k| {
                LegendItem::new(
                    Swatch::Marker { shape: style::series_marker(k), colour: style::outcome_colour(k) },
                    ctx.l.outcome(OUTCOME_IDS[k]),
                )
            })
            .collect();
        items.push(LegendItem::new(Swatch::Band { colour: style::NEUTRAL, alpha: 0.45 }, ctx.l.lg_ci95));
        let area = legend(&area, ctx, &items)?;

        let xs: Vec<f64> = d.points.iter().map(|p| p[0]).collect();
        let (x_lo, x_hi) = (xs.iter().copied().fold(f64::INFINITY, f64::min), xs.iter().copied().fold(f64::NEG_INFINITY, f64::max));
        let x_hi = if x_hi > x_lo { x_hi } else { x_lo + 1.0 };
        let label_w = text_size(&area, ctx, &format!("{x_hi:.3}"), ctx.s.tick).0;
        let max_ticks = axes::max_ticks_for(area.dim_in_pixel().0, label_w);
        let x = Axis::numeric(x_lo, x_hi, max_ticks, value_format(axes::nice_step(x_hi - x_lo, max_ticks)), d.labels[0].clone());
        let max_hi = d.p.iter().flat_map(|row| shown.iter().map(move |&k| row[k].2)).fold(0.0f64, f64::max) * 100.0;
        let y_max = axes::nice_bounds(0.0, (max_hi * 1.05).clamp(5.0, 100.0), 6).1.min(100.0);
        let y = Axis::numeric(0.0, y_max, 6, |v| format!("{v:.0}"), self.a.ax_probability);
        let mut chart = axes::build(&area, ctx, &x, &y, None)?;
        axes::draw_mesh(&mut chart, ctx, &x, &y)?;
        let col = |k: usize, j: usize| -> Vec<f64> {
            d.p.iter()
                .map(|row| {
                    let t = row[k];
                    100.0 * [t.0, t.1, t.2][j]
                })
                .collect()
        };
        for &k in &shown {
            marks::draw_band(&mut chart, &xs, &col(k, 1), &col(k, 2), style::outcome_colour(k), ALPHA_CI)?;
        }
        for &k in &shown {
            let ys = col(k, 0);
            marks::draw_line(&mut chart, &xs, &ys, style::outcome_colour(k), ctx.s.line, false)?;
            for (&x, &y) in xs.iter().zip(&ys) {
                let at = chart.backend_coord(&(x, y));
                marks::draw_marker(root, at, style::series_marker(k), ctx.s.marker, style::outcome_colour(k))?;
            }
        }
        Ok(())
    }
}

struct SweepHeatmap<'a> {
    d: &'a SweepData,
    a: &'static AnalysisLabels,
}

/// Viridis (van der Walt & Smith, matplotlib), sampled at ten stops: dark purple for low values
/// to yellow for high ones, even in lightness and readable with colour-vision deficiency.
const VIRIDIS: [(u8, u8, u8); 10] = [
    (0x44, 0x01, 0x54),
    (0x48, 0x28, 0x78),
    (0x3e, 0x49, 0x89),
    (0x31, 0x68, 0x8e),
    (0x26, 0x82, 0x8e),
    (0x1f, 0x9e, 0x89),
    (0x35, 0xb7, 0x79),
    (0x6e, 0xce, 0x58),
    (0xb5, 0xde, 0x2b),
    (0xfd, 0xe7, 0x25),
];

/// The colour of `t` in 0..1 on the viridis scale (linear between stops).
pub fn viridis(t: f64) -> RGBColor {
    let t = if t.is_finite() { t.clamp(0.0, 1.0) } else { 0.0 };
    let x = t * (VIRIDIS.len() - 1) as f64;
    let i = (x.floor() as usize).min(VIRIDIS.len() - 2);
    let f = x - i as f64;
    let mix = |a: u8, b: u8| (a as f64 + (b as f64 - a as f64) * f).round() as u8;
    let (a, b) = (VIRIDIS[i], VIRIDIS[i + 1]);
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// Distinct sorted values.
fn levels(v: impl Iterator<Item = f64>) -> Vec<f64> {
    let mut out: Vec<f64> = v.collect();
    out.sort_by(f64::total_cmp);
    out.dedup();
    out
}

/// An axis whose ticks sit on the grid values, thinned to at most `max_ticks` labels.
fn grid_axis(values: &[f64], max_ticks: usize, desc: &str) -> Axis {
    let step = if values.len() > 1 { (values[values.len() - 1] - values[0]) / (values.len() - 1) as f64 } else { 1.0 };
    let half = step / 2.0;
    let every = values.len().div_ceil(max_ticks.max(1)).max(1);
    let ticks: Vec<f64> = values.iter().copied().step_by(every).collect();
    let fmt = value_format(step);
    let labels = ticks.iter().map(|&t| fmt(t)).collect();
    Axis { range: values[0] - half..values[values.len() - 1] + half, ticks, labels, desc: desc.to_string(), grid: false }
}

impl Chart for SweepHeatmap<'_> {
    fn name(&self) -> &'static str {
        "sweep_heatmap"
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, ctx: &Ctx) -> DResult {
        let d = self.d;
        let k = d.metric.min(OUTCOME_IDS.len() - 1);
        let subject = self.a.about(&ctx.l.outcome(OUTCOME_IDS[k]), self.a.subj_heatmap);
        let area = frame(root, ctx, &subject)?;
        if d.points.is_empty() {
            return message(&area, ctx, ctx.l.no_data);
        }
        let ys = levels(d.points.iter().map(|p| p[0]));
        let xs = levels(d.points.iter().map(|p| p[1]));
        // The colour bar's own width: its tick labels and title, then the bar itself.
        let s = &ctx.s;
        let bar_w = text_size(&area, ctx, "100", s.tick).0 + (3 * s.pad) as u32 + (s.axis_desc * 1.25) as u32 + (90.0 * s.scale) as u32;
        let (w, _) = area.dim_in_pixel();
        let (main, bar_area) = area.split_horizontally(w.saturating_sub(bar_w));

        // The colour scale spans the data (rounded out to ticks), for the most contrast.
        let values: Vec<f64> = d.p.iter().map(|row| row[k].0 * 100.0).collect();
        let (vlo, vhi) = (values.iter().copied().fold(f64::INFINITY, f64::min), values.iter().copied().fold(f64::NEG_INFINITY, f64::max));
        let (vmin, vmax) = if vhi - vlo < 1.0 { ((vlo - 1.0).max(0.0), (vhi + 1.0).min(100.0)) } else { (vlo, vhi) };
        let (vmin, vmax) = axes::nice_bounds(vmin, vmax, 6);
        let (vmin, vmax) = (vmin.max(0.0), vmax.min(100.0));
        let scale = |v: f64| (v - vmin) / (vmax - vmin);

        let label_w = text_size(&main, ctx, "0.000", ctx.s.tick).0;
        let x = grid_axis(&xs, axes::max_ticks_for(main.dim_in_pixel().0, label_w), &d.labels[1]);
        let y = grid_axis(&ys, axes::max_ticks_for(main.dim_in_pixel().1, (ctx.s.tick * 1.2) as u32), &d.labels[0]);
        let mut chart = axes::build(&main, ctx, &x, &y, None)?;
        axes::draw_mesh(&mut chart, ctx, &x, &y)?;
        let dx = (x.range.end - x.range.start) / xs.len() as f64;
        let dy = (y.range.end - y.range.start) / ys.len() as f64;
        let cell_px = chart.backend_coord(&(x.range.start + dx, 0.0)).0 - chart.backend_coord(&(x.range.start, 0.0)).0;
        let cell_py = (chart.backend_coord(&(0.0, y.range.start)).1 - chart.backend_coord(&(0.0, y.range.start + dy)).1).abs();
        for (point, row) in d.points.iter().zip(&d.p) {
            let (py, px) = (point[0], point[1]);
            let v = row[k].0 * 100.0;
            let colour = viridis(scale(v));
            // A hair wider than the cell, so rounding leaves no light seams between cells.
            let (hx, hy) = (dx * 0.51, dy * 0.51);
            chart.draw_series(std::iter::once(Rectangle::new([(px - hx, py - hy), (px + hx, py + hy)], colour.filled())))?;
            let label = percent(row[k].0);
            let size = ctx.s.value;
            let (tw, th) = text_size(&main, ctx, &label, size);
            if (tw as i32) < cell_px - 4 && (th as i32) < cell_py - 2 {
                let ink = if scale(v) < 0.6 { style::BACKGROUND } else { INK };
                let style = ctx.font.anchored(size, ink, HPos::Center, VPos::Center);
                chart.draw_series(std::iter::once(Text::new(label, (px, py), style)))?;
            }
        }
        draw_colour_bar(&bar_area, ctx, (vmin, vmax), self.a.lg_colour)
    }
}

/// A vertical colour bar over `vmin..vmax` (%), with its ticks on the left. Its bottom label
/// area matches the heatmap's (ticks and a description line), so the two plots line up.
fn draw_colour_bar<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, ctx: &Ctx, (vmin, vmax): (f64, f64), desc: &str) -> DResult {
    let area = area.margin(0, 0, (10.0 * ctx.s.scale) as i32, (20.0 * ctx.s.scale) as i32);
    let x = Axis { range: 0.0..1.0, ticks: vec![], labels: vec![], desc: " ".into(), grid: false };
    let y = Axis { grid: false, ..Axis::numeric(vmin, vmax, 6, |v| format!("{v:.0}"), desc) };
    let mut chart = axes::build(&area, ctx, &x, &y, None)?;
    const STRIPS: usize = 100;
    let span = vmax - vmin;
    chart.draw_series((0..STRIPS).map(|i| {
        let (a, b) = (vmin + span * i as f64 / STRIPS as f64, vmin + span * (i + 1) as f64 / STRIPS as f64);
        Rectangle::new([(0.0, a), (1.0, b + span * 0.002)], viridis((i as f64 + 0.5) / STRIPS as f64).filled())
    }))?;
    axes::draw_mesh(&mut chart, ctx, &x, &y)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn viridis_runs_from_purple_to_yellow() {
        assert_eq!(viridis(0.0), RGBColor(0x44, 0x01, 0x54));
        assert_eq!(viridis(1.0), RGBColor(0xfd, 0xe7, 0x25));
        assert_eq!(viridis(2.0), viridis(1.0));
        let mid = viridis(0.5);
        assert!(mid.1 > 0x80 && mid.0 < 0x40, "{mid:?}");
    }
}
