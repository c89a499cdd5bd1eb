//! `tornado`: how far an outcome's probability moves when one uncertain parameter at a time is
//! held at its 10th and at its 90th percentile (tornado.csv). One row per parameter, the
//! largest effect on top; in each row a bar from the scenario's own probability (every
//! parameter drawn, the dashed line) to the probability at p10 (upper bar) and at p90 (lower
//! bar), each with its 95% interval and the parameter value written at its end.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::axes::{self, Axis, category_centre};
use super::canvas::{Chart, Ctx, DResult, LegendItem, Swatch, frame, legend, message, render, text_size};
use super::labels::{OUTCOME_IDS, percent};
use super::marks;
use super::style::{self, INK, MUTED};
use super::sweep::analysis_ctx;
use super::{ChartError, ChartOptions, ChartReport, FontSearch};
use crate::charts::analysis_labels::AnalysisLabels;

/// One parameter's row.
#[derive(Debug, Clone)]
pub struct TornadoBar {
    pub param: String,
    /// The parameter in words with its unit (`Scenario::param_label`), as the chart shows it.
    pub label: String,
    pub p10: f64,
    pub p90: f64,
    /// (p, lo, hi) of the outcome with the parameter held at p10 and at p90.
    pub at_p10: (f64, f64, f64),
    pub at_p90: (f64, f64, f64),
}

#[derive(Debug, Clone)]
pub struct TornadoData {
    pub scenario: String,
    pub title: String,
    pub n: u64,
    pub seed: u64,
    pub version: String,
    /// The outcome (index into `OUTCOME_IDS`).
    pub metric: usize,
    /// Its probability with every parameter drawn.
    pub base: f64,
    /// Largest effect first.
    pub bars: Vec<TornadoBar>,
}

const LOW_COLOUR: RGBColor = style::OI_SKY_BLUE;
const HIGH_COLOUR: RGBColor = style::OI_VERMILLION;

pub fn draw_tornado(data: &TornadoData, out_dir: &Path, opts: &ChartOptions) -> Result<ChartReport, ChartError> {
    draw_tornado_with(data, out_dir, opts, FontSearch::System)
}

pub fn draw_tornado_with(data: &TornadoData, out_dir: &Path, opts: &ChartOptions, search: FontSearch) -> Result<ChartReport, ChartError> {
    super::check_size(opts)?;
    let mut report = ChartReport::default();
    let (mut ctx, a) = analysis_ctx(opts, search, &[&data.title, &data.scenario], &mut report.warnings)?;
    ctx.title_prefix = ctx.fit(&data.title, &data.scenario);
    ctx.footer = a.footer(&ctx.fit(&data.scenario, "?"), data.n, false, data.seed, &data.version, ctx.l.item_sep);
    super::create_dir(out_dir)?;
    render(&Tornado { d: data, a }, out_dir, &ctx, &mut report.files)?;
    super::dedup(&mut report.warnings);
    Ok(report)
}

struct Tornado<'a> {
    d: &'a TornadoData,
    a: &'static AnalysisLabels,
}

impl Chart for Tornado<'_> {
    fn name(&self) -> &'static str {
        "tornado"
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, ctx: &Ctx) -> DResult {
        let d = self.d;
        let a = self.a;
        let metric = ctx.l.outcome(OUTCOME_IDS[d.metric.min(OUTCOME_IDS.len() - 1)]);
        let area = frame(root, ctx, &a.about(&metric, a.subj_tornado))?;
        let items = [
            LegendItem::new(Swatch::Bar { colour: LOW_COLOUR }, a.lg_p10),
            LegendItem::new(Swatch::Bar { colour: HIGH_COLOUR }, a.lg_p90),
            LegendItem::new(
                Swatch::Line { colour: INK, width: ctx.s.thin, dashed: true },
                format!("{} ({})", a.lg_all_drawn, percent(d.base)),
            ),
            LegendItem::new(Swatch::Line { colour: INK, width: ctx.s.thin, dashed: false }, ctx.l.lg_ci95),
        ];
        let area = legend(&area, ctx, &items)?;
        if d.bars.is_empty() {
            return message(&area, ctx, ctx.l.no_data);
        }
        let mut lo = d.base;
        let mut hi = d.base;
        for b in &d.bars {
            lo = lo.min(b.at_p10.1).min(b.at_p90.1);
            hi = hi.max(b.at_p10.2).max(b.at_p90.2);
        }
        let (lo, hi) = (lo * 100.0, hi * 100.0);
        // Room beyond both ends for the parameter values written there.
        let pad = ((hi - lo) * 0.18).max(1.0);
        let (x_lo, x_hi) = axes::nice_bounds((lo - pad).max(0.0), (hi + pad).min(100.0), 7);
        let label_w = text_size(&area, ctx, "100", ctx.s.tick).0;
        let max_ticks = axes::max_ticks_for(area.dim_in_pixel().0, label_w * 2);
        let decimals = axes::decimals_for(axes::nice_step(x_hi - x_lo, max_ticks));
        let x = Axis::numeric(x_lo, x_hi, max_ticks, move |v| format!("{v:.decimals$}"), a.ax_tornado);
        let names: Vec<String> = d.bars.iter().map(|b| b.label.clone()).collect();
        let y = Axis::categories(&names, "");
        let mut chart = axes::build(&area, ctx, &x, &y, None)?;
        axes::draw_mesh(&mut chart, ctx, &x, &y)?;

        let n = d.bars.len();
        let row_px = (chart.backend_coord(&(0.0, 0.0)).1 - chart.backend_coord(&(0.0, 1.0)).1).abs() as f64;
        let size = ctx.s.value.min(row_px * 0.3).max(ctx.s.footer);
        let base = d.base * 100.0;
        for (i, b) in d.bars.iter().enumerate() {
            let c = category_centre(n, i);
            for (half, (value, (p, plo, phi)), colour) in [(1.0, (b.p10, b.at_p10), LOW_COLOUR), (-1.0, (b.p90, b.at_p90), HIGH_COLOUR)] {
                let (y0, y1) = if half > 0.0 { (c + 0.02, c + 0.34) } else { (c - 0.34, c - 0.02) };
                let (p, plo, phi) = (p * 100.0, plo * 100.0, phi * 100.0);
                chart.draw_series(std::iter::once(Rectangle::new([(base.min(p), y0), (base.max(p), y1)], colour.filled())))?;
                let ymid = (y0 + y1) / 2.0;
                let cap = ((row_px * 0.08) as i32).max(3);
                marks::draw_hinterval(&mut chart, ymid, plo, phi, cap, ctx.s.thin)?;
                // The value at the outer end of the interval, on the side the bar points to.
                let right = p >= base;
                let (anchor, dx, at) = if right { (HPos::Left, ctx.s.pad, phi) } else { (HPos::Right, -ctx.s.pad, plo) };
                let style = ctx.font.anchored(size, MUTED, anchor, VPos::Center);
                chart.draw_series(std::iter::once(
                    EmptyElement::at((at, ymid))
                        + Text::new(crate::analysis::sensitivity::held_value(value, b.p90 - b.p10), (dx, 0), style),
                ))?;
            }
        }
        let (y_lo, y_hi) = (0.0, n as f64);
        marks::draw_line(&mut chart, &[base, base], &[y_lo, y_hi], INK, ctx.s.thin, true)?;
        Ok(())
    }
}
