//! `outcomes`: the probability of each outcome at the horizon with its 95% interval.
//!
//! Horizontal bars, so the outcome names read without rotation in both languages. The
//! grouped form (several runs per outcome) is shared with `compare_outcomes`.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::axes::{self, Axis, category_centre};
use super::canvas::{Chart, Ctx, DResult, LegendItem, Swatch, frame, legend};
use super::data::RunData;
use super::labels::{OUTCOME_IDS, percent};
use super::marks;
use super::style;

pub struct Outcomes<'a> {
    pub run: &'a RunData,
}

/// One run's six probabilities with intervals, in `OUTCOME_IDS` order.
pub struct OutcomeSeries {
    pub label: String,
    pub stats: Vec<(f64, f64, f64)>,
}

impl OutcomeSeries {
    pub fn of(run: &RunData, label: String) -> OutcomeSeries {
        let stats = OUTCOME_IDS
            .iter()
            .map(|id| {
                let o = run.summary.outcomes.get(id).expect("RunData::load checks every outcome is present");
                (o.p, o.ci95[0], o.ci95[1])
            })
            .collect();
        OutcomeSeries { label, stats }
    }
}

impl Chart for Outcomes<'_> {
    fn name(&self) -> &'static str {
        "outcomes"
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, ctx: &Ctx) -> DResult {
        let area = frame(root, ctx, ctx.l.subj_outcomes)?;
        let series = [OutcomeSeries::of(self.run, String::new())];
        draw_outcome_bars(&area, ctx, &series)
    }
}

/// Outcome bars with 95% intervals and percentage labels. One series: each outcome in its own
/// colour, no legend. Several series: grouped bars, one colour per series, with a legend.
pub fn draw_outcome_bars<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, ctx: &Ctx, series: &[OutcomeSeries]) -> DResult {
    let l = ctx.l;
    let grouped = series.len() > 1;
    let area = if grouped {
        let items: Vec<LegendItem> = series
            .iter()
            .enumerate()
            .map(|(j, s)| LegendItem::new(Swatch::Bar { colour: style::scenario_colour(j) }, s.label.clone()))
            .chain(std::iter::once(LegendItem::new(Swatch::Line { colour: style::INK, width: ctx.s.thin, dashed: false }, l.lg_ci95)))
            .collect();
        legend(area, ctx, &items)?
    } else {
        area.margin(0, 0, 0, 0)
    };

    let names: Vec<String> = OUTCOME_IDS.iter().map(|id| l.outcome(id)).collect();
    let max_hi = series.iter().flat_map(|s| s.stats.iter().map(|t| t.2)).fold(0.0f64, f64::max) * 100.0;
    // Room right of the longest interval for its label; never past 100%.
    let x_max = axes::nice_bounds(0.0, (max_hi * 1.22 + 1.0).min(100.0), 6).1.min(100.0);
    let x = Axis::numeric(0.0, x_max, 7, |v| format!("{v:.0}"), l.ax_probability);
    let y = Axis::categories(&names, "");
    let mut chart = axes::build(&area, ctx, &x, &y, None)?;
    axes::draw_mesh(&mut chart, ctx, &x, &y)?;

    let k = series.len() as f64;
    let group = 0.76;
    let bar = group / k;
    let bar_px = (chart.backend_coord(&(0.0, 0.0)).1 - chart.backend_coord(&(0.0, bar)).1).abs() as f64;
    // Never below the footer's size, the smallest of docs/charts.md's rule.
    let label_size = ctx.s.value.min(bar_px * 0.85).max(ctx.s.footer);
    for (i, _) in OUTCOME_IDS.iter().enumerate() {
        let top = category_centre(OUTCOME_IDS.len(), i) + group / 2.0;
        for (j, s) in series.iter().enumerate() {
            let (p, lo, hi) = s.stats[i];
            let y1 = top - j as f64 * bar;
            let y0 = y1 - bar * 0.88;
            let colour = if grouped { style::scenario_colour(j) } else { style::outcome_colour(i) };
            marks::draw_bar_with_interval(
                &mut chart,
                ctx,
                (y0, y1),
                (p * 100.0, lo * 100.0, hi * 100.0),
                colour,
                &percent(p),
                label_size,
                x_max,
            )?;
        }
    }
    Ok(())
}
