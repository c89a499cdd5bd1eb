//! Reusable marks: fan bands, lines, bars with intervals, point markers and value labels.
//! Every chart (and the comparison, sweep and backtest charts to come) builds from these.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::axes::Coord;
use super::canvas::{Ctx, DResult};
use super::style::{self, INK, Marker};

pub type Plot<'a, DB> = ChartContext<'a, DB, Coord>;

/// The outline of a band between `lo` and `hi` over `xs`: the lower series forward, then the
/// upper series backward. Drawn as a polygon because `AreaSeries` only fills to a baseline.
pub fn band_polygon(xs: &[f64], lo: &[f64], hi: &[f64]) -> Vec<(f64, f64)> {
    let n = xs.len().min(lo.len()).min(hi.len());
    let mut pts: Vec<(f64, f64)> = (0..n).map(|i| (xs[i], lo[i])).collect();
    pts.extend((0..n).rev().map(|i| (xs[i], hi[i])));
    pts
}

/// Fills the band between `lo` and `hi`.
pub fn draw_band<DB: DrawingBackend>(chart: &mut Plot<DB>, xs: &[f64], lo: &[f64], hi: &[f64], colour: RGBColor, alpha: f64) -> DResult {
    let pts = band_polygon(xs, lo, hi);
    if pts.len() >= 3 {
        chart.draw_series(std::iter::once(Polygon::new(pts, style::with_alpha(colour, alpha).filled())))?;
    }
    Ok(())
}

/// A solid or dashed line through `xs`/`ys`.
pub fn draw_line<DB: DrawingBackend>(chart: &mut Plot<DB>, xs: &[f64], ys: &[f64], colour: RGBColor, width: u32, dashed: bool) -> DResult {
    let pts: Vec<(f64, f64)> = xs.iter().copied().zip(ys.iter().copied()).collect();
    if dashed {
        let dash = (width * 4) as i32;
        chart.draw_series(DashedLineSeries::new(pts, dash, dash, colour.stroke_width(width)))?;
    } else {
        chart.draw_series(LineSeries::new(pts, colour.stroke_width(width)))?;
    }
    Ok(())
}

/// A horizontal bar from 0 to `value` between `y0` and `y1` (data units).
pub fn draw_hbar<DB: DrawingBackend>(chart: &mut Plot<DB>, y0: f64, y1: f64, value: f64, colour: RGBColor) -> DResult {
    chart.draw_series(std::iter::once(Rectangle::new([(0.0, y0), (value, y1)], colour.filled())))?;
    Ok(())
}

/// A horizontal interval [lo, hi] at height `y`, with end caps `cap_px` pixels tall. (plotters'
/// `ErrorBar` draws a dot at the central value too, which a bar's end already marks.)
pub fn draw_hinterval<DB: DrawingBackend>(chart: &mut Plot<DB>, y: f64, lo: f64, hi: f64, cap_px: i32, width: u32) -> DResult {
    let style = INK.stroke_width(width);
    chart.draw_series(std::iter::once(PathElement::new(vec![(lo, y), (hi, y)], style)))?;
    for x in [lo, hi] {
        chart.draw_series(std::iter::once(EmptyElement::at((x, y)) + PathElement::new(vec![(0, -cap_px), (0, cap_px)], style)))?;
    }
    Ok(())
}

/// A bar with its 95% interval and a value label right of the interval (inside the bar, at
/// its end, when there is no room on the right). Used by the outcome charts.
#[allow(clippy::too_many_arguments)]
pub fn draw_bar_with_interval<DB: DrawingBackend>(
    chart: &mut Plot<DB>,
    ctx: &Ctx,
    (y0, y1): (f64, f64),
    (p, lo, hi): (f64, f64, f64),
    colour: RGBColor,
    label: &str,
    label_size: f64,
    x_max: f64,
) -> DResult {
    let ymid = (y0 + y1) / 2.0;
    // A share above 0 keeps a bar a few pixels wide, so its colour shows above and below the
    // interval's caps (which cover only the middle half of the bar's height) even at 0.1%.
    let zero_px = chart.backend_coord(&(0.0, ymid)).0;
    let full_px = chart.backend_coord(&(x_max, ymid)).0 - zero_px;
    let min_px = (3 * ctx.s.thin as i32).max(4);
    let shown = if p > 0.0 && full_px > 0 { p.max(x_max * min_px as f64 / full_px as f64) } else { p };
    draw_hbar(chart, y0, y1, shown, colour)?;
    let bar_px = (chart.backend_coord(&(0.0, y0)).1 - chart.backend_coord(&(0.0, y1)).1).abs();
    let cap = (bar_px / 4).max(3);
    draw_hinterval(chart, ymid, lo, hi, cap, ctx.s.thin)?;
    let right_px = chart.backend_coord(&(x_max, ymid)).0;
    let hi_px = chart.backend_coord(&(hi, ymid)).0;
    let label_w = chart.plotting_area().estimate_text_size(label, &ctx.text(label_size)).map(|s| s.0).unwrap_or(0) as i32;
    let gap = ctx.s.pad;
    let element = if hi_px + gap + label_w <= right_px {
        EmptyElement::at((hi, ymid)) + Text::new(label.to_string(), (gap, 0), ctx.font.anchored(label_size, INK, HPos::Left, VPos::Center))
    } else {
        // No room right of the interval: write the value inside the bar, in white, left of
        // the lower end of the interval so the two do not overlap.
        EmptyElement::at((lo.min(p), ymid))
            + Text::new(label.to_string(), (-gap, 0), ctx.font.anchored(label_size, style::BACKGROUND, HPos::Right, VPos::Center))
    };
    chart.draw_series(std::iter::once(element))?;
    Ok(())
}

/// The outline of a marker of radius `r` around (0, 0), in pixels.
fn marker_outline(shape: Marker, r: i32) -> Vec<(i32, i32)> {
    let rf = r as f64;
    let poly = |n: usize, phase: f64, scale: f64| -> Vec<(i32, i32)> {
        (0..n)
            .map(|k| {
                let a = phase + k as f64 * std::f64::consts::TAU / n as f64;
                ((rf * scale * a.cos()).round() as i32, (rf * scale * a.sin()).round() as i32)
            })
            .collect()
    };
    use std::f64::consts::FRAC_PI_2;
    match shape {
        Marker::Circle => poly(24, 0.0, 1.0),
        Marker::Triangle => poly(3, -FRAC_PI_2, 1.25),
        Marker::InvTriangle => poly(3, FRAC_PI_2, 1.25),
        Marker::Square => poly(4, std::f64::consts::FRAC_PI_4, 1.2),
        Marker::Diamond => poly(4, 0.0, 1.3),
    }
}

/// A filled marker with a white rim (so overlapping markers stay distinct), centred on the
/// pixel `at` of `area`.
pub fn draw_marker<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, at: (i32, i32), shape: Marker, r: i32, colour: RGBColor) -> DResult {
    let pts: Vec<(i32, i32)> = marker_outline(shape, r).into_iter().map(|(x, y)| (x + at.0, y + at.1)).collect();
    let mut rim = pts.clone();
    rim.push(pts[0]);
    area.draw(&Polygon::new(pts, colour.filled()))?;
    area.draw(&PathElement::new(rim, style::BACKGROUND.stroke_width((r / 5).max(1) as u32)))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn band_polygon_goes_out_along_lo_and_back_along_hi() {
        let pts = band_polygon(&[0.0, 1.0, 2.0], &[1.0, 2.0, 3.0], &[5.0, 6.0, 7.0]);
        assert_eq!(pts, vec![(0.0, 1.0), (1.0, 2.0), (2.0, 3.0), (2.0, 7.0), (1.0, 6.0), (0.0, 5.0)]);
    }
}
