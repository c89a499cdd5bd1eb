//! Comparison charts over several runs, one colour per run: `compare_outcomes` (grouped bars
//! with intervals), `compare_ceasefire` (overlaid cumulative curves with bands) and
//! `compare_territory` (overlaid medians with 50% bands). They reuse the single-run drawing
//! functions, so a run looks the same alone and in a comparison.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::canvas::{Chart, Ctx, DResult, LegendItem, Swatch, frame, legend};
use super::ceasefire::{Curve, draw_curves};
use super::data::RunData;
use super::outcomes::{OutcomeSeries, draw_outcome_bars};
use super::style::{self, INK, NEUTRAL};
use super::territory::{AreaContext, Fan, draw_fans};

pub struct Compare<'a> {
    pub runs: &'a [RunData],
    pub labels: &'a [String],
}

impl Compare<'_> {
    /// From the earliest start to the latest horizon, in month indices.
    fn month_range(&self) -> (f64, f64) {
        let lo = self.runs.iter().map(|r| r.start).min().unwrap_or(0);
        let hi = self.runs.iter().map(|r| r.start + r.summary.horizon_months as i64).max().unwrap_or(lo + 1);
        (lo as f64, hi as f64)
    }

    fn run_items(&self, ctx: &Ctx) -> Vec<LegendItem> {
        self.labels
            .iter()
            .enumerate()
            .map(|(j, l)| LegendItem::new(Swatch::Line { colour: style::scenario_colour(j), width: ctx.s.line, dashed: false }, l.clone()))
            .collect()
    }
}

pub struct CompareOutcomes<'a>(pub &'a Compare<'a>);
pub struct CompareCeasefire<'a>(pub &'a Compare<'a>);
pub struct CompareTerritory<'a>(pub &'a Compare<'a>);

impl Chart for CompareOutcomes<'_> {
    fn name(&self) -> &'static str {
        "compare_outcomes"
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, ctx: &Ctx) -> DResult {
        let c = self.0;
        let area = frame(root, ctx, ctx.l.subj_cmp_outcomes)?;
        let series: Vec<OutcomeSeries> = c.runs.iter().zip(c.labels).map(|(r, l)| OutcomeSeries::of(r, l.clone())).collect();
        draw_outcome_bars(&area, ctx, &series)
    }
}

impl Chart for CompareCeasefire<'_> {
    fn name(&self) -> &'static str {
        "compare_ceasefire"
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, ctx: &Ctx) -> DResult {
        let c = self.0;
        let l = ctx.l;
        let area = frame(root, ctx, l.subj_cmp_ceasefire)?;
        let mut items = c.run_items(ctx);
        items.extend([
            LegendItem::new(Swatch::Line { colour: INK, width: ctx.s.line, dashed: false }, l.lg_first_ceasefire),
            LegendItem::new(Swatch::Line { colour: INK, width: ctx.s.line, dashed: true }, l.lg_settlement),
            LegendItem::new(Swatch::Band { colour: NEUTRAL, alpha: 0.45 }, l.lg_ci95),
        ]);
        let area = legend(&area, ctx, &items)?;
        let mut curves = Vec::new();
        for (j, r) in c.runs.iter().enumerate() {
            let colour = style::scenario_colour(j);
            curves.push(Curve::from_months(&r.summary.ceasefire_by_month, r.start, colour, false));
            curves.push(Curve::from_months(&r.summary.settlement_by_month, r.start, colour, true));
        }
        draw_curves(&area, ctx, &curves, c.month_range())
    }
}

impl Chart for CompareTerritory<'_> {
    fn name(&self) -> &'static str {
        "compare_territory"
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, ctx: &Ctx) -> DResult {
        let c = self.0;
        let l = ctx.l;
        let area = frame(root, ctx, l.subj_cmp_territory)?;
        // The observed history is the same data for every run of one theatre: draw the first.
        let history = c.runs.iter().map(RunData::history).find(|h| !h.is_empty()).unwrap_or_default();
        let mut items = c.run_items(ctx);
        if !history.is_empty() {
            items.push(LegendItem::new(Swatch::Line { colour: INK, width: ctx.s.line, dashed: false }, l.lg_observed));
        }
        items.push(LegendItem::new(Swatch::Band { colour: NEUTRAL, alpha: 0.5 }, l.lg_band50));
        let area = legend(&area, ctx, &items)?;
        let fans: Vec<Fan> = c
            .runs
            .iter()
            .enumerate()
            .filter_map(|(j, r)| r.series.get("area_km2").map(|q| Fan::of(r, q, style::scenario_colour(j), false)))
            .collect();
        let (start, end) = c.month_range();
        let info = AreaContext { history, start, end, ukraine_km2: c.runs[0].summary.ukraine_km2 };
        draw_fans(&area, ctx, &fans, &info)
    }
}
