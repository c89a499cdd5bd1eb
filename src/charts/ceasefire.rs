//! `ceasefire`: cumulative probability of a first ceasefire and of a settlement by calendar
//! month, with 95% bands (`summary.json` `ceasefire_by_month`, `settlement_by_month`).
//! The curve drawing is shared with `compare_ceasefire`.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::axes::{self, Axis};
use super::canvas::{Chart, Ctx, DResult, LegendItem, Swatch, frame, legend, message, text_size};
use super::data::{MonthProb, RunData};
use super::marks;
use super::style::{self, ALPHA_CI};

pub struct Ceasefire<'a> {
    pub run: &'a RunData,
}

/// One cumulative-probability curve: x in month indices, p and its band in 0..1.
pub struct Curve {
    pub colour: RGBColor,
    pub dashed: bool,
    pub xs: Vec<f64>,
    pub p: Vec<f64>,
    pub lo: Vec<f64>,
    pub hi: Vec<f64>,
}

impl Curve {
    /// From a `*_by_month` list; months are offsets from the run's start month index.
    pub fn from_months(points: &[MonthProb], start: i64, colour: RGBColor, dashed: bool) -> Curve {
        let mut pts: Vec<&MonthProb> = points.iter().collect();
        pts.sort_by_key(|m| m.month);
        Curve {
            colour,
            dashed,
            xs: pts.iter().map(|m| (start + m.month as i64) as f64).collect(),
            p: pts.iter().map(|m| m.p).collect(),
            lo: pts.iter().map(|m| m.ci95[0]).collect(),
            hi: pts.iter().map(|m| m.ci95[1]).collect(),
        }
    }
}

impl Chart for Ceasefire<'_> {
    fn name(&self) -> &'static str {
        "ceasefire"
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, ctx: &Ctx) -> DResult {
        let l = ctx.l;
        let s = &self.run.summary;
        let area = frame(root, ctx, l.subj_ceasefire)?;
        // A settlement is also a ceasefire, so the two curves often coincide: the settlement is
        // dashed and drawn on top, and the first ceasefire's solid line shows between its dashes.
        let ceasefire = Curve::from_months(&s.ceasefire_by_month, self.run.start, style::OI_BLUE, false);
        let settlement = Curve::from_months(&s.settlement_by_month, self.run.start, style::OI_BLUISH_GREEN, true);
        let band = |c: &Curve| Swatch::LineBand { colour: c.colour, width: ctx.s.line, dashed: c.dashed, alpha: ALPHA_CI };
        let items = [
            LegendItem::new(band(&ceasefire), l.lg_first_ceasefire),
            LegendItem::new(band(&settlement), l.lg_settlement),
            LegendItem::new(Swatch::Bands { colours: [ceasefire.colour, settlement.colour], alpha: ALPHA_CI }, l.lg_ci95),
        ];
        let area = legend(&area, ctx, &items)?;
        let range = (self.run.start as f64, (self.run.start + s.horizon_months as i64) as f64);
        draw_curves(&area, ctx, &[ceasefire, settlement], range)
    }
}

/// Cumulative-probability curves with their bands over the month range `x_range`.
pub fn draw_curves<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, ctx: &Ctx, curves: &[Curve], x_range: (f64, f64)) -> DResult {
    if curves.iter().all(|c| c.xs.is_empty()) {
        return message(area, ctx, ctx.l.no_data);
    }
    let max_hi = curves.iter().flat_map(|c| c.hi.iter().copied()).fold(0.0f64, f64::max) * 100.0;
    let y_max = axes::nice_bounds(0.0, (max_hi * 1.05).clamp(10.0, 100.0), 6).1.min(100.0);
    let label_w = text_size(area, ctx, "2025-05", ctx.s.tick).0;
    let x = Axis::dates(x_range.0, x_range.1.max(x_range.0 + 1.0), axes::max_ticks_for(area.dim_in_pixel().0, label_w), ctx.l.ax_month);
    let y = Axis::numeric(0.0, y_max, 6, |v| format!("{v:.0}"), ctx.l.ax_cum_probability);
    let mut chart = axes::build(area, ctx, &x, &y, None)?;
    axes::draw_mesh(&mut chart, ctx, &x, &y)?;
    let pct = |v: &[f64]| v.iter().map(|p| p * 100.0).collect::<Vec<_>>();
    for c in curves {
        marks::draw_band(&mut chart, &c.xs, &pct(&c.lo), &pct(&c.hi), c.colour, ALPHA_CI)?;
    }
    for c in curves {
        marks::draw_line(&mut chart, &c.xs, &pct(&c.p), c.colour, ctx.s.line, c.dashed)?;
    }
    Ok(())
}
