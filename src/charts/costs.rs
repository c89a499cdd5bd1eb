//! `costs`: each actor's cumulative cost by month (`timeseries.csv` metrics `cost.<actor>`),
//! median with its 50% band. Over time rather than at the horizon only: the curve shows when
//! costs pile up (and whether they level off after a ceasefire), and its last point is the
//! horizon figure anyway.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::axes::{self, Axis};
use super::canvas::{Chart, Ctx, DResult, LegendItem, Swatch, frame, legend, message, text_size};
use super::data::{Quantiles, RunData};
use super::marks;
use super::names::RunNames;
use super::style;

/// Opacity of a cost band's fill: four of them overlapping stay readable.
const BAND_ALPHA: f64 = 0.12;

pub struct Costs<'a> {
    pub run: &'a RunData,
    pub names: &'a RunNames,
}

impl Chart for Costs<'_> {
    fn name(&self) -> &'static str {
        "costs"
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, ctx: &Ctx) -> DResult {
        let l = ctx.l;
        let run = self.run;
        let area = frame(root, ctx, l.subj_costs)?;

        // Actors in scenario order, then any other cost metric, so colours match the terms chart.
        let mut ids: Vec<String> = run.summary.actors.iter().map(|a| a.id.clone()).collect();
        let mut extra: Vec<String> =
            run.series.keys().filter_map(|k| k.strip_prefix("cost.")).filter(|id| !ids.iter().any(|i| i == id)).map(String::from).collect();
        extra.sort();
        ids.extend(extra);
        let series: Vec<(usize, String, &Quantiles)> = ids
            .iter()
            .enumerate()
            .filter_map(|(i, id)| run.series.get(&format!("cost.{id}")).filter(|q| !q.month.is_empty()).map(|q| (i, id.clone(), q)))
            .collect();

        // Each actor's swatch is drawn as its curve is: its median line over its 50% band; the
        // heading says which is which, so no entry shows a colour the chart does not use.
        let mut items = vec![LegendItem::new(Swatch::Heading, l.lg_cost_key)];
        items.extend(series.iter().map(|(i, id, _)| {
            let swatch = Swatch::LineBand { colour: style::series_colour(*i), width: ctx.s.line, dashed: false, alpha: BAND_ALPHA };
            LegendItem::new(swatch, self.names.actor(id))
        }));
        let area = legend(&area, ctx, &items)?;
        if series.is_empty() {
            return message(&area, ctx, l.no_data);
        }

        let hi = series.iter().flat_map(|(_, _, q)| q.p75.iter().chain(&q.p50)).copied().fold(0.0f64, f64::max);
        let y_hi = axes::nice_bounds(0.0, (hi * 1.05).max(1e-6), 6).1;
        let start = run.start as f64;
        let end = start + run.summary.horizon_months as f64;
        let label_w = text_size(&area, ctx, "2025-05", ctx.s.tick).0;
        let x = Axis::dates(start, end.max(start + 1.0), axes::max_ticks_for(area.dim_in_pixel().0, label_w), l.ax_month);
        let decimals = axes::decimals_for(axes::nice_step(y_hi, 6));
        let y = Axis::numeric(0.0, y_hi, 6, move |v| format!("{v:.decimals$}"), l.ax_cost);
        let mut chart = axes::build(&area, ctx, &x, &y, None)?;
        axes::draw_mesh(&mut chart, ctx, &x, &y)?;

        let xs = |q: &Quantiles| q.month.iter().map(|m| start + *m as f64).collect::<Vec<_>>();
        // Light fills, so overlapping bands do not blend into a colour of their own, and each
        // band's edges as thin lines in its actor's colour, so every band can be followed.
        for (i, _, q) in &series {
            marks::draw_band(&mut chart, &xs(q), &q.p25, &q.p75, style::series_colour(*i), BAND_ALPHA)?;
        }
        for (i, _, q) in &series {
            for edge in [&q.p25, &q.p75] {
                marks::draw_line(&mut chart, &xs(q), edge, style::with_alpha_solid(style::series_colour(*i), 0.6), ctx.s.thin, false)?;
            }
        }
        for (i, _, q) in &series {
            marks::draw_line(&mut chart, &xs(q), &q.p50, style::series_colour(*i), ctx.s.line, false)?;
        }
        Ok(())
    }
}
