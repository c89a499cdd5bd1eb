//! `terms`: what the settlements agreed, issue by issue.
//!
//! One horizontal strip per issue on the 0–1 scale: a histogram of the agreed terms over the
//! rollouts that ended in `settlement` (runs.csv `terms.<issue>`), the median as a vertical
//! line, the issue's two end labels above the strip's ends, and each actor's ideal point
//! (summary.json `actors[].ideal`) as a coloured marker under it. Markers at the same spot
//! are stacked rather than hidden.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::axes::{self, Axis, category_centre};
use super::canvas::{Chart, Ctx, DResult, LegendItem, Swatch, ellipsize, frame, legend, message};
use super::data::{RunData, TermsDist};
use super::marks;
use super::names::RunNames;
use super::style::{self, GRID, INK, MUTED, NEUTRAL};

pub struct Terms<'a> {
    pub run: &'a RunData,
    pub names: &'a RunNames,
}

/// Histogram bins drawn per strip (the data hold finer bins).
const BINS: usize = 20;
/// The end labels take at most this share of a strip's height.
const LABEL_MAX_SHARE: f64 = 0.42;

impl Chart for Terms<'_> {
    fn name(&self) -> &'static str {
        "terms"
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, ctx: &Ctx) -> DResult {
        let l = ctx.l;
        let s = &self.run.summary;
        // How many rollouts the histograms are of goes with the title, not into the legend,
        // where it read as part of the last actor's entry.
        let sep = if l.settled_count(0, 0).starts_with('(') { " " } else { "" };
        let subject = format!("{}{sep}{}", l.subj_terms, l.settled_count(self.run.settled, s.n));
        let area = frame(root, ctx, &subject)?;
        let dists: Vec<&TermsDist> = self.run.terms.iter().filter(|d| d.count > 0).collect();
        if self.run.settled == 0 || dists.is_empty() {
            return message(&area, ctx, l.no_settlements);
        }

        let mut items = vec![
            LegendItem::new(Swatch::Bar { colour: NEUTRAL }, l.lg_terms_hist),
            LegendItem::new(Swatch::Line { colour: INK, width: ctx.s.line, dashed: false }, l.lg_median),
            LegendItem::new(Swatch::Heading, l.lg_ideal),
        ];
        for (i, a) in s.actors.iter().enumerate() {
            items.push(LegendItem::new(
                Swatch::Marker { shape: style::series_marker(i), colour: style::series_colour(i) },
                self.names.actor(&a.id),
            ));
        }
        let area = legend(&area, ctx, &items)?;

        let issue_names: Vec<String> = dists.iter().map(|d| self.names.issue(&d.issue).0).collect();
        let x = Axis::numeric(
            -0.04,
            1.04,
            6,
            |v| {
                if v == 0.0 || v == 1.0 { format!("{v:.0}") } else { format!("{v}") }
            },
            l.ax_terms,
        );
        let y = Axis::categories(&issue_names, "");
        let mut chart = axes::build(&area, ctx, &x, &y, None)?;
        axes::draw_mesh(&mut chart, ctx, &x, &y)?;

        let n = dists.len();
        let row_px = (chart.backend_coord(&(0.0, 0.0)).1 - chart.backend_coord(&(0.0, 1.0)).1).abs() as f64;
        let plot_w = (chart.backend_coord(&(1.0, 0.0)).0 - chart.backend_coord(&(0.0, 0.0)).0).max(1) as u32;
        // A strip from the top: its end labels (at the smallest label size of docs/charts.md's
        // rule when the strip is tall enough), the histogram, and a band for the ideal points,
        // so none runs into another. Fractions of the strip's height from its centre c.
        let end_size = ctx.s.min_label().min(row_px * LABEL_MAX_SHARE * 1.24 / 1.15).max(ctx.s.footer);
        let label_share = end_size / 1.24 * 1.15 / row_px;
        let r = (ctx.s.marker as f64).min(row_px * 0.07).max(3.0) as i32;
        let marker_share = (2 * r + 4) as f64 / row_px;
        let hist_top = 0.5 - label_share - 0.03;
        let hist_base = -0.5 + marker_share + 0.03;
        let ideal_y = -0.5 + marker_share / 2.0 + 0.01;

        // Row separators.
        for k in 1..n {
            chart
                .draw_series(std::iter::once(PathElement::new(vec![(-0.04, k as f64), (1.04, k as f64)], GRID.stroke_width(ctx.s.thin))))?;
        }
        for (i, d) in dists.iter().enumerate() {
            let c = category_centre(n, i);
            let (_, end0, end1) = self.names.issue(&d.issue);

            // End labels, above the strip, each at most half the width.
            let half = plot_w / 2 - ctx.s.pad as u32;
            let top = c + 0.5;
            let style_l = ctx.font.anchored(end_size, MUTED, HPos::Left, VPos::Top);
            let style_r = ctx.font.anchored(end_size, MUTED, HPos::Right, VPos::Top);
            let gap = (row_px * 0.03) as i32;
            chart.draw_series(std::iter::once(
                EmptyElement::at((0.0, top)) + Text::new(ellipsize(&area, ctx, &end0, end_size, half), (0, gap), style_l),
            ))?;
            chart.draw_series(std::iter::once(
                EmptyElement::at((1.0, top)) + Text::new(ellipsize(&area, ctx, &end1, end_size, half), (0, gap), style_r),
            ))?;

            // Histogram, scaled so the fullest bin fills the strip.
            let counts = d.coarse(BINS);
            let max = counts.iter().copied().max().unwrap_or(0).max(1) as f64;
            let base = c + hist_base;
            let bars = counts.iter().enumerate().filter(|&(_, &k)| k > 0).map(|(b, &k)| {
                let x0 = b as f64 / BINS as f64;
                let h = (hist_top - hist_base) * k as f64 / max;
                Rectangle::new([(x0, base), (x0 + 1.0 / BINS as f64, base + h)], NEUTRAL.filled())
            });
            chart.draw_series(bars)?;
            chart.draw_series(std::iter::once(PathElement::new(vec![(0.0, base), (1.0, base)], MUTED.stroke_width(1))))?;
            if let Some(m) = d.quantile(0.5) {
                marks::draw_line(&mut chart, &[m, m], &[base, c + hist_top], INK, ctx.s.line, false)?;
            }

            // Ideal points in their band: a marker that would overlap one already placed goes
            // beside it, right and left in turn.
            let step = 2 * r + 2;
            let mut placed: Vec<(i32, i32)> = Vec::new();
            for (k, a) in self.run.summary.actors.iter().enumerate() {
                let Some(&v) = a.ideal.get(&d.issue) else {
                    continue;
                };
                let v = v.clamp(0.0, 1.0);
                let (px, py) = chart.backend_coord(&(v, c + ideal_y));
                let free = |x: i32, y: i32| placed.iter().all(|&(qx, qy)| (qx - x).abs() >= step || (qy - y).abs() >= step);
                let spot = (0..8)
                    .flat_map(|side: i32| {
                        let dx = if side == 0 { 0 } else { step * ((side + 1) / 2) * if side % 2 == 1 { 1 } else { -1 } };
                        [(px + dx, py)]
                    })
                    .find(|&(x, y)| free(x, y))
                    .unwrap_or((px, py));
                placed.push(spot);
                // Backend pixels: the root area has no offset.
                marks::draw_marker(root, spot, style::series_marker(k), r, style::series_colour(k))?;
            }
        }
        Ok(())
    }
}
