//! `territory`: fan chart of the Russian-held area by month (`timeseries.csv` metric
//! `area_km2`): median, 50% and 90% bands, the observed history before the start, and a
//! right-hand axis in % of Ukraine. The fan drawing is shared with `compare_territory`.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::axes::{self, Axis};
use super::canvas::{Chart, Ctx, DResult, LegendItem, Swatch, frame, legend, message, text_size};
use super::data::{Quantiles, RunData};
use super::labels::thousands;
use super::marks;
use super::style::{self, ALPHA_BAND50, ALPHA_BAND90, INK, MUTED};

pub struct Territory<'a> {
    pub run: &'a RunData,
}

/// A quantile fan over month indices.
pub struct Fan {
    pub colour: RGBColor,
    pub xs: Vec<f64>,
    pub q: Quantiles,
    /// Draw the 90% band too (single runs); comparisons show only the 50% band.
    pub band90: bool,
}

impl Fan {
    pub fn of(run: &RunData, q: &Quantiles, colour: RGBColor, band90: bool) -> Fan {
        Fan { colour, xs: q.month.iter().map(|m| (run.start + m) as f64).collect(), q: q.clone(), band90 }
    }
}

/// What the area chart shows besides fans.
pub struct AreaContext {
    pub history: Vec<(f64, f64)>,
    pub start: f64,
    pub end: f64,
    pub ukraine_km2: f64,
}

impl Chart for Territory<'_> {
    fn name(&self) -> &'static str {
        "territory"
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, ctx: &Ctx) -> DResult {
        let l = ctx.l;
        let area = frame(root, ctx, l.subj_territory)?;
        let colour = style::OI_VERMILLION;
        let history = self.run.history();
        let mut items = Vec::new();
        if !history.is_empty() {
            items.push(LegendItem::new(Swatch::Line { colour: INK, width: ctx.s.line, dashed: false }, l.lg_observed));
        }
        items.extend([
            LegendItem::new(Swatch::Line { colour, width: ctx.s.line, dashed: false }, l.lg_median),
            LegendItem::new(Swatch::Band { colour, alpha: ALPHA_BAND50 + ALPHA_BAND90 }, l.lg_band50),
            LegendItem::new(Swatch::Band { colour, alpha: ALPHA_BAND90 }, l.lg_band90),
        ]);
        let area = legend(&area, ctx, &items)?;
        let Some(q) = self.run.series.get("area_km2").filter(|q| !q.month.is_empty()) else {
            return message(&area, ctx, l.no_data);
        };
        let fan = Fan::of(self.run, q, colour, true);
        let s = &self.run.summary;
        let info = AreaContext {
            history,
            start: self.run.start as f64,
            end: (self.run.start + s.horizon_months as i64) as f64,
            ukraine_km2: s.ukraine_km2,
        };
        draw_fans(&area, ctx, &[fan], &info)
    }
}

/// Fans (bands then medians, so every median stays visible), the observed history as a solid
/// line with a dashed marker at the start, and the % of Ukraine on the right.
pub fn draw_fans<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, ctx: &Ctx, fans: &[Fan], info: &AreaContext) -> DResult {
    let l = ctx.l;
    let mut lo = f64::INFINITY;
    let mut hi = f64::NEG_INFINITY;
    for f in fans {
        let (a, b) = if f.band90 { (&f.q.p05, &f.q.p95) } else { (&f.q.p25, &f.q.p75) };
        lo = a.iter().copied().fold(lo, f64::min);
        hi = b.iter().copied().fold(hi, f64::max);
    }
    for &(_, v) in &info.history {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if !lo.is_finite() || !hi.is_finite() {
        return message(area, ctx, l.no_data);
    }
    let pad = ((hi - lo) * 0.06).max(hi.abs() * 0.005).max(1.0);
    let (y_lo, y_hi) = ((lo - pad).max(0.0), hi + pad);
    let x_lo = info.history.first().map(|h| h.0).unwrap_or(info.start).min(info.start);
    let x_hi = info.end.max(x_lo + 1.0);

    let label_w = text_size(area, ctx, "2025-05", ctx.s.tick).0;
    let x = Axis::dates(x_lo, x_hi, axes::max_ticks_for(area.dim_in_pixel().0, label_w), l.ax_month);
    let y = Axis::numeric(y_lo, y_hi, 7, thousands, l.ax_area_km2);
    let uk = if info.ukraine_km2 > 0.0 { info.ukraine_km2 } else { f64::NAN };
    let (p_lo, p_hi) = (y_lo / uk * 100.0, y_hi / uk * 100.0);
    let y2 = if uk.is_finite() {
        let decimals = axes::decimals_for(axes::nice_step(p_hi - p_lo, 7));
        Some(Axis::numeric(p_lo, p_hi, 7, move |v| format!("{v:.decimals$}"), l.ax_area_pct))
    } else {
        None
    };

    // The right-hand axis must be set before the primary mesh is drawn: plotters hands the
    // right label area to the secondary axis then, and would otherwise label it twice.
    let mut primary = axes::build(area, ctx, &x, &y, y2.as_ref())?;
    let mut dual;
    let chart: &mut marks::Plot<DB> = match &y2 {
        Some(y2) => {
            dual = axes::with_secondary(primary, ctx, &x, y2)?;
            &mut dual
        }
        None => &mut primary,
    };
    axes::draw_mesh(chart, ctx, &x, &y)?;

    for f in fans {
        if f.band90 {
            marks::draw_band(chart, &f.xs, &f.q.p05, &f.q.p95, f.colour, ALPHA_BAND90)?;
        }
        marks::draw_band(chart, &f.xs, &f.q.p25, &f.q.p75, f.colour, ALPHA_BAND50)?;
    }
    for f in fans {
        marks::draw_line(chart, &f.xs, &f.q.p50, f.colour, ctx.s.line, false)?;
    }
    if !info.history.is_empty() {
        let (hx, hy): (Vec<f64>, Vec<f64>) = info.history.iter().copied().unzip();
        marks::draw_line(chart, &hx, &hy, INK, ctx.s.line, false)?;
        // Where observation ends and simulation begins.
        marks::draw_line(chart, &[info.start, info.start], &[y_lo, y_hi], MUTED, ctx.s.thin, true)?;
        let label = format!("{} {}", l.lg_start, super::data::month_label(info.start as i64));
        let style = ctx.font.anchored(ctx.s.value, MUTED, HPos::Left, VPos::Top);
        chart.draw_series(std::iter::once(EmptyElement::at((info.start, y_hi)) + Text::new(label, (ctx.s.pad, ctx.s.pad), style)))?;
    }
    Ok(())
}
