//! Charts of a rolling-origin backtest (`truce backtest --rolling`): `rolling_crps`, the mean
//! CRPS of truce and of the two random walks by months ahead, and `rolling_pit`, the PIT
//! histogram of each against the flat line of a calibrated forecast.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::analysis_labels::AnalysisLabels;
use super::axes::{self, Axis};
use super::canvas::{Chart, Ctx, DResult, LegendItem, Swatch, frame, legend, message, render, text_size};
use super::labels::thousands;
use super::marks;
use super::style::{self, INK};
use super::sweep::analysis_ctx;
use super::{ChartError, ChartOptions, ChartReport, FontSearch};
use crate::rolling::{MODELS, PIT_BINS, RollingSummary};
use crate::scenario::Scenario;

/// What the rolling charts show.
#[derive(Debug, Clone)]
pub struct RollingData {
    pub scenario: String,
    pub title: String,
    pub trend: String,
    pub n: u64,
    pub seed: u64,
    pub origins: usize,
    /// Mean CRPS by months ahead, per model in `MODELS` order.
    pub crps: Vec<Vec<Option<f64>>>,
    /// PIT counts by tenth, per model.
    pub pit: Vec<[u64; PIT_BINS]>,
}

impl RollingData {
    pub fn new(sc: &Scenario, s: &RollingSummary, trend: &str, n: u64, seed: u64, origins: usize) -> RollingData {
        RollingData {
            scenario: sc.name.clone(),
            title: sc.title.clone(),
            trend: trend.to_string(),
            n,
            seed,
            origins,
            crps: s.models.iter().map(|m| m.mean_crps.clone()).collect(),
            pit: s.models.iter().map(|m| m.pit_counts).collect(),
        }
    }
}

/// truce in its own colour, the benchmarks in two others; truce's line is solid, theirs dashed.
fn colour(k: usize) -> RGBColor {
    [style::OI_BLUE, style::OI_VERMILLION, style::OI_BLUISH_GREEN][k]
}

fn model_label(a: &AnalysisLabels, k: usize) -> &'static str {
    [MODELS[0], a.lg_naive_12m, a.lg_naive_all][k]
}

pub fn draw_rolling(data: &RollingData, out_dir: &Path, opts: &ChartOptions) -> Result<ChartReport, ChartError> {
    draw_rolling_with(data, out_dir, opts, FontSearch::System)
}

pub fn draw_rolling_with(data: &RollingData, out_dir: &Path, opts: &ChartOptions, search: FontSearch) -> Result<ChartReport, ChartError> {
    super::check_size(opts)?;
    let mut report = ChartReport::default();
    let (mut ctx, a) = analysis_ctx(opts, search, &[&data.title, &data.scenario], &mut report.warnings)?;
    ctx.title_prefix = ctx.fit(&data.title, &data.scenario);
    ctx.footer = a.rolling_footer(
        &ctx.fit(&data.scenario, "?"),
        &data.trend,
        data.origins,
        data.n,
        data.seed,
        env!("CARGO_PKG_VERSION"),
        ctx.l.item_sep,
    );
    super::create_dir(out_dir)?;
    render(&CrpsChart { d: data, a }, out_dir, &ctx, &mut report.files)?;
    render(&PitChart { d: data, a }, out_dir, &ctx, &mut report.files)?;
    super::dedup(&mut report.warnings);
    Ok(report)
}

struct CrpsChart<'a> {
    d: &'a RollingData,
    a: &'static AnalysisLabels,
}

impl Chart for CrpsChart<'_> {
    fn name(&self) -> &'static str {
        "rolling_crps"
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, ctx: &Ctx) -> DResult {
        let d = self.d;
        let area = frame(root, ctx, self.a.subj_rolling_crps)?;
        let top = d.crps.iter().flatten().flatten().copied().fold(0.0f64, f64::max);
        if top <= 0.0 {
            return message(&area, ctx, ctx.l.no_data);
        }
        let items: Vec<LegendItem> = (0..MODELS.len())
            .map(|k| LegendItem::new(Swatch::Line { colour: colour(k), width: ctx.s.line, dashed: k > 0 }, model_label(self.a, k)))
            .collect();
        let area = legend(&area, ctx, &items)?;
        let horizon = d.crps.first().map(Vec::len).unwrap_or(1).max(1) as f64;
        let label_w = text_size(&area, ctx, "12", ctx.s.tick).0;
        let x = Axis::numeric(
            0.5,
            horizon + 0.5,
            axes::max_ticks_for(area.dim_in_pixel().0, label_w),
            |v| format!("{v:.0}"),
            self.a.ax_months_ahead,
        );
        let y_max = axes::nice_bounds(0.0, top * 1.08, 6).1;
        let y = Axis::numeric(0.0, y_max, 6, thousands, self.a.ax_crps);
        let mut chart = axes::build(&area, ctx, &x, &y, None)?;
        axes::draw_mesh(&mut chart, ctx, &x, &y)?;
        for k in 0..MODELS.len() {
            let pts: Vec<(f64, f64)> = d.crps[k].iter().enumerate().filter_map(|(h, v)| v.map(|v| (h as f64 + 1.0, v))).collect();
            let (xs, ys): (Vec<f64>, Vec<f64>) = pts.iter().copied().unzip();
            marks::draw_line(&mut chart, &xs, &ys, colour(k), ctx.s.line, k > 0)?;
            for p in &pts {
                let at = chart.backend_coord(p);
                marks::draw_marker(root, at, style::series_marker(k), ctx.s.marker, colour(k))?;
            }
        }
        Ok(())
    }
}

struct PitChart<'a> {
    d: &'a RollingData,
    a: &'static AnalysisLabels,
}

impl Chart for PitChart<'_> {
    fn name(&self) -> &'static str {
        "rolling_pit"
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, ctx: &Ctx) -> DResult {
        let d = self.d;
        let area = frame(root, ctx, self.a.subj_rolling_pit)?;
        let totals: Vec<u64> = d.pit.iter().map(|c| c.iter().sum()).collect();
        if totals.iter().all(|&t| t == 0) {
            return message(&area, ctx, ctx.l.no_data);
        }
        let mut items: Vec<LegendItem> =
            (0..MODELS.len()).map(|k| LegendItem::new(Swatch::Bar { colour: colour(k) }, model_label(self.a, k))).collect();
        items.push(LegendItem::new(Swatch::Line { colour: INK, width: ctx.s.line, dashed: true }, self.a.lg_uniform));
        let area = legend(&area, ctx, &items)?;
        let share = |k: usize, b: usize| if totals[k] > 0 { 100.0 * d.pit[k][b] as f64 / totals[k] as f64 } else { 0.0 };
        let top = (0..MODELS.len()).flat_map(|k| (0..PIT_BINS).map(move |b| (k, b))).map(|(k, b)| share(k, b)).fold(10.0f64, f64::max);
        let x = Axis::numeric(0.0, 1.0, 6, |v| format!("{v:.1}"), self.a.ax_pit);
        let y_max = axes::nice_bounds(0.0, top * 1.08, 6).1;
        let y = Axis::numeric(0.0, y_max, 6, |v| format!("{v:.0}"), self.a.ax_share);
        let mut chart = axes::build(&area, ctx, &x, &y, None)?;
        axes::draw_mesh(&mut chart, ctx, &x, &y)?;
        // Each tenth holds one bar per forecaster side by side, with a gap between tenths.
        let w = 1.0 / PIT_BINS as f64;
        let bar = w * 0.8 / MODELS.len() as f64;
        for b in 0..PIT_BINS {
            for k in 0..MODELS.len() {
                let x0 = b as f64 * w + 0.1 * w + k as f64 * bar;
                chart.draw_series(std::iter::once(Rectangle::new([(x0, 0.0), (x0 + bar, share(k, b))], colour(k).filled())))?;
            }
        }
        marks::draw_line(&mut chart, &[0.0, 1.0], &[100.0 / PIT_BINS as f64; 2], INK, ctx.s.line, true)?;
        Ok(())
    }
}
