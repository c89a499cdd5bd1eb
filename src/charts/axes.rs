//! Axes: tick placement (round numbers, calendar months), label formatting, and building a
//! plotters chart whose label areas are sized to the labels they hold.
//!
//! Every chart uses one coordinate type, `f64 × f64` with explicit key points, so that ticks
//! are always ours (round numbers, January/July, category centres) and helpers can be shared.

use std::ops::Range;

use plotters::chart::DualCoordChartContext;
use plotters::coord::Shift;
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint};
use plotters::prelude::*;

use super::canvas::{Ctx, DResult, ellipsize, fit_text, text_size};
use super::data::month_label;
use super::style::{GRID, INK};

pub type Coord = Cartesian2d<Ticked, Ticked>;

/// A linear `f64` range whose grid lines and labels sit exactly at our ticks. plotters'
/// `RangedCoordf64::with_key_points` gives the ticks, but its mapping is not ours: it floors
/// (`floor(x + 1e-3)`) where this rounds to the nearest pixel, and it puts every value of a
/// zero-width range at pixel (end − start) / 2 of the canvas, not in the plot's middle. Every
/// chart's pixels (and the byte-identical images of docs/img) rest on this mapping: kept.
#[derive(Clone, Debug)]
pub struct Ticked {
    lo: f64,
    hi: f64,
    ticks: Vec<f64>,
}

impl Ranged for Ticked {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, v: &f64, limit: (i32, i32)) -> i32 {
        let span = self.hi - self.lo;
        if span == 0.0 {
            return (limit.0 + limit.1) / 2;
        }
        let t = (v - self.lo) / span;
        limit.0 + ((limit.1 - limit.0) as f64 * t).round() as i32
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        // Only bold points: the style has no light grid lines.
        if hint.weight().allow_light_points() { Vec::new() } else { self.ticks.clone() }
    }

    fn range(&self) -> Range<f64> {
        self.lo..self.hi
    }
}

/// One axis: its range, its ticks with their labels, its description (with units).
#[derive(Clone, Debug)]
pub struct Axis {
    pub range: Range<f64>,
    pub ticks: Vec<f64>,
    pub labels: Vec<String>,
    pub desc: String,
    pub grid: bool,
}

impl Axis {
    /// Round-number ticks in [lo, hi], labelled by `fmt`.
    pub fn numeric(lo: f64, hi: f64, max_ticks: usize, fmt: impl Fn(f64) -> String, desc: impl Into<String>) -> Axis {
        let ticks = nice_ticks(lo, hi, max_ticks);
        let labels = ticks.iter().map(|&t| fmt(t)).collect();
        Axis { range: lo..hi, ticks, labels, desc: desc.into(), grid: true }
    }

    /// Calendar-month axis over month indices [lo, hi] (see `data::month_index`), labelled
    /// YYYY-MM at whole-year, half-year, quarter … steps so that at most `max_ticks` appear.
    pub fn dates(lo: f64, hi: f64, max_ticks: usize, desc: impl Into<String>) -> Axis {
        let ticks = date_ticks(lo, hi, max_ticks);
        let labels = ticks.iter().map(|&t| month_label(t.round() as i64)).collect();
        Axis { range: lo..hi, ticks, labels, desc: desc.into(), grid: true }
    }

    /// Categories listed top to bottom: category `i` is centred at `n - i - 0.5`.
    pub fn categories(names: &[String], desc: impl Into<String>) -> Axis {
        let n = names.len();
        let ticks = (0..n).map(|i| category_centre(n, i)).collect();
        Axis { range: 0.0..n as f64, ticks, labels: names.to_vec(), desc: desc.into(), grid: false }
    }

    /// The label of the tick nearest to `v`.
    pub fn label_for(&self, v: f64) -> String {
        self.ticks
            .iter()
            .zip(&self.labels)
            .min_by(|a, b| (a.0 - v).abs().total_cmp(&(b.0 - v).abs()))
            .map(|(_, l)| l.clone())
            .unwrap_or_default()
    }

    fn coord(&self) -> Ticked {
        Ticked { lo: self.range.start, hi: self.range.end, ticks: self.ticks.clone() }
    }
}

/// Centre of category `i` of `n` listed top to bottom.
pub fn category_centre(n: usize, i: usize) -> f64 {
    n as f64 - i as f64 - 0.5
}

/// A step of 1, 2, 2.5 or 5 × 10^k giving at most `max_ticks` ticks over `span`.
pub fn nice_step(span: f64, max_ticks: usize) -> f64 {
    let max_ticks = max_ticks.max(2) as f64;
    if span.is_nan() || span <= 0.0 || span.is_infinite() {
        return 1.0;
    }
    let raw = span / (max_ticks - 1.0);
    let mag = 10f64.powf(raw.log10().floor());
    for m in [1.0, 2.0, 2.5, 5.0, 10.0] {
        if m * mag >= raw {
            return m * mag;
        }
    }
    10.0 * mag
}

/// Decimals needed to print multiples of `step` exactly (0.25 -> 2, 5 -> 0).
pub fn decimals_for(step: f64) -> usize {
    (0..6)
        .find(|&k| {
            let scaled = step * 10f64.powi(k as i32);
            (scaled - scaled.round()).abs() < 1e-6 * scaled.abs().max(1.0)
        })
        .unwrap_or(6)
}

/// Multiples of a nice step inside [lo, hi].
pub fn nice_ticks(lo: f64, hi: f64, max_ticks: usize) -> Vec<f64> {
    let step = nice_step(hi - lo, max_ticks);
    let first = (lo / step - 1e-9).ceil();
    let mut out = Vec::new();
    let mut k = first;
    while k * step <= hi + step * 1e-9 {
        // Snap -0.0 and float noise so labels read "0" and "0.25".
        let v = ((k * step) / step * 1e6).round() / 1e6 * step;
        out.push(if v == 0.0 { 0.0 } else { v });
        k += 1.0;
        if out.len() > 1000 {
            break;
        }
    }
    out
}

/// The bounds `lo`/`hi` widened to the nice step (for axes that should end on a tick).
pub fn nice_bounds(lo: f64, hi: f64, max_ticks: usize) -> (f64, f64) {
    let step = nice_step(hi - lo, max_ticks);
    ((lo / step).floor() * step, (hi / step).ceil() * step)
}

/// Month indices in [lo, hi] on a calendar step (1, 2, 3, 6, 12, 24, 60 months), aligned to
/// January so that ticks read 2025-01, 2025-07 … rather than wherever the run started.
pub fn date_ticks(lo: f64, hi: f64, max_ticks: usize) -> Vec<f64> {
    let (lo, hi) = (lo.ceil() as i64, hi.floor() as i64);
    let span = (hi - lo).max(1);
    let step = [1i64, 2, 3, 6, 12, 24, 60, 120].into_iter().find(|s| span / s <= max_ticks.max(2) as i64).unwrap_or(120);
    (lo..=hi).filter(|m| m.rem_euclid(step) == 0).map(|m| m as f64).collect()
}

/// Builds a chart on `area` with label areas sized to the labels of `x`, `y` and, if given, a
/// right-hand axis `y2`.
pub fn build<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    ctx: &Ctx,
    x: &Axis,
    y: &Axis,
    y2: Option<&Axis>,
) -> DResult<ChartContext<'a, DB, Coord>> {
    let s = &ctx.s;
    let widest = |a: &Axis| a.labels.iter().map(|l| text_size(area, ctx, l, s.tick).0).max().unwrap_or(0);
    let desc_h = |a: &Axis| {
        if a.desc.is_empty() { 0 } else { (s.axis_desc * 1.25) as u32 }
    };
    let tick_gap = (s.pad * 2) as u32;
    let left = widest(y) + tick_gap + desc_h(y) + s.pad as u32;
    let bottom = (s.tick * 1.2) as u32 + tick_gap + desc_h(x);
    let right = y2.map(|a| widest(a) + tick_gap + desc_h(a) + s.pad as u32).unwrap_or(0);
    // Without a right axis, leave room for half of the last x label, which is centred on its tick.
    let last_x = x.labels.last().map(|l| text_size(area, ctx, l, s.tick).0 / 2).unwrap_or(0);
    let right_margin = if y2.is_some() { s.pad as u32 } else { last_x.max(s.pad as u32) };
    let chart = ChartBuilder::on(area)
        .margin_top(s.pad * 2)
        .margin_right(right_margin)
        .x_label_area_size(bottom)
        .y_label_area_size(left)
        .right_y_label_area_size(right)
        .build_cartesian_2d(x.coord(), y.coord())?;
    Ok(chart)
}

/// Draws grid, axes, tick labels and axis descriptions in the shared style.
pub fn draw_mesh<DB: DrawingBackend>(chart: &mut ChartContext<DB, Coord>, ctx: &Ctx, x: &Axis, y: &Axis) -> DResult {
    let s = &ctx.s;
    let xf = |v: &f64| x.label_for(*v);
    let yf = |v: &f64| y.label_for(*v);
    // An axis title never runs past its axis: shrunk to fit the plot's height (the y title) or
    // width (the x title), down to the smallest label size, then cut.
    let (w, h) = chart.plotting_area().dim_in_pixel();
    let area = chart.plotting_area().strip_coord_spec();
    let fit = |text: &str, room: u32| -> (String, f64) {
        let (t, size) = fit_text(&area, ctx, text, s.axis_desc, room);
        if size >= s.min_label() { (t, size) } else { (ellipsize(&area, ctx, text, s.min_label(), room), s.min_label()) }
    };
    let (x_desc, x_size) = fit(&x.desc, w);
    let (y_desc, y_size) = fit(&y.desc, h);
    let desc_size = x_size.min(y_size);
    let mut mesh = chart.configure_mesh();
    mesh.x_desc(x_desc)
        .y_desc(y_desc)
        .axis_desc_style(ctx.text(desc_size))
        .label_style(ctx.text(s.tick))
        .x_label_formatter(&xf)
        .y_label_formatter(&yf)
        .bold_line_style(GRID.stroke_width(1))
        .light_line_style(TRANSPARENT)
        .axis_style(INK.stroke_width(s.thin))
        .set_all_tick_mark_size(s.pad);
    if !x.grid {
        mesh.disable_x_mesh();
    }
    if !y.grid {
        mesh.disable_y_mesh();
    }
    mesh.draw()?;
    Ok(())
}

/// Adds a right-hand y axis `y2` (same x) and draws its ticks and description.
pub fn with_secondary<'a, DB: DrawingBackend>(
    chart: ChartContext<'a, DB, Coord>,
    ctx: &Ctx,
    x: &Axis,
    y2: &Axis,
) -> DResult<DualCoordChartContext<'a, DB, Coord, Coord>> {
    let hidden_x = Axis { ticks: vec![], labels: vec![], ..x.clone() };
    let mut dual = chart.set_secondary_coord(hidden_x.coord(), y2.coord());
    let yf = |v: &f64| y2.label_for(*v);
    dual.configure_secondary_axes()
        .y_desc(y2.desc.clone())
        .axis_desc_style(ctx.text(ctx.s.axis_desc))
        .label_style(ctx.text(ctx.s.tick))
        .y_label_formatter(&yf)
        .axis_style(INK.stroke_width(ctx.s.thin))
        .set_all_tick_mark_size(ctx.s.pad)
        .draw()?;
    Ok(dual)
}

/// The most ticks that fit along `pixels` when each label is about `label_px` wide.
pub fn max_ticks_for(pixels: u32, label_px: u32) -> usize {
    ((pixels as f64 / (label_px as f64 * 1.5).max(1.0)) as usize).clamp(2, 12)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nice_ticks_are_round() {
        assert_eq!(nice_ticks(0.0, 100.0, 6), vec![0.0, 20.0, 40.0, 60.0, 80.0, 100.0]);
        assert_eq!(nice_ticks(0.0, 1.0, 5), vec![0.0, 0.25, 0.5, 0.75, 1.0]);
        let t = nice_ticks(108_000.0, 131_500.0, 6);
        assert_eq!(t.first(), Some(&110_000.0));
        assert!(t.len() <= 6, "{t:?}");
    }

    #[test]
    fn date_ticks_align_to_calendar() {
        let start = (2025 * 12 + 4) as f64; // 2025-05
        let t = date_ticks(start, start + 48.0, 9);
        let labels: Vec<String> = t.iter().map(|&m| month_label(m as i64)).collect();
        assert_eq!(labels.first().map(String::as_str), Some("2025-07"));
        assert!(labels.iter().all(|l| l.ends_with("-01") || l.ends_with("-07")), "{labels:?}");
        assert!(t.len() < 9);
    }

    #[test]
    fn categories_run_top_to_bottom() {
        let a = Axis::categories(&["a".into(), "b".into(), "c".into()], "");
        assert_eq!(a.ticks, vec![2.5, 1.5, 0.5]);
        assert_eq!(a.label_for(2.4), "a");
        assert_eq!(a.label_for(0.5), "c");
    }
}
