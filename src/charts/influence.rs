//! `influence`: the influence graph (`summary.json` `graph`). Actors sit on a circle; each
//! edge is an arrow whose width follows its weight and whose colour follows its kind. Several
//! edges between the same two actors (either direction) bend apart so none hides another.

use std::collections::BTreeMap;
use std::f64::consts::{FRAC_PI_2, TAU};

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::canvas::{Chart, Ctx, DResult, LegendItem, Swatch, frame, legend, message, text_size};
use super::data::{Edge, RunData};
use super::labels::EDGE_KINDS;
use super::names::RunNames;
use super::style::{self, INK, NEUTRAL};

pub struct Influence<'a> {
    pub run: &'a RunData,
    pub names: &'a RunNames,
}

/// Weights shown in the legend's width key.
const WEIGHT_KEY: [f64; 3] = [0.25, 0.5, 1.0];

impl Chart for Influence<'_> {
    fn name(&self) -> &'static str {
        "influence"
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, ctx: &Ctx) -> DResult {
        let l = ctx.l;
        let graph = &self.run.summary.graph;
        let area = frame(root, ctx, l.subj_influence)?;

        let mut nodes: Vec<String> = graph.nodes.clone();
        for e in &graph.edges {
            for id in [&e.from, &e.to] {
                if !nodes.contains(id) {
                    nodes.push(id.clone());
                }
            }
        }
        // The kinds the links use, known ones in their fixed order, then any other.
        let mut kinds: Vec<String> =
            EDGE_KINDS.iter().filter(|k| graph.edges.iter().any(|e| e.kind == **k)).map(|k| k.to_string()).collect();
        for e in &graph.edges {
            if !kinds.contains(&e.kind) {
                kinds.push(e.kind.clone());
            }
        }
        let max_w = graph.edges.iter().map(|e| e.weight).fold(1.0f64, f64::max);
        let width_of = |w: f64| ctx.s.thin as f64 + 14.0 * ctx.s.scale * (w / max_w).clamp(0.0, 1.0);
        // A patron's aid to its client is a role, not a link: drawn in its own colour, its width
        // by the aid level relative to the largest patron's.
        let max_aid = graph.patrons.iter().map(|p| p.aid).fold(0.0f64, f64::max);
        let aid_width = |a: f64| ctx.s.thin as f64 + 14.0 * ctx.s.scale * if max_aid > 0.0 { (a / max_aid).clamp(0.0, 1.0) } else { 0.0 };

        let mut items = vec![LegendItem::new(Swatch::Heading, l.lg_kind)];
        if !graph.patrons.is_empty() {
            items.push(LegendItem::new(Swatch::Line { colour: style::PATRON_AID, width: ctx.s.line * 2, dashed: false }, l.lg_patron_aid));
        }
        for k in &kinds {
            items.push(LegendItem::new(
                Swatch::Line { colour: style::edge_colour(k), width: ctx.s.line * 2, dashed: false },
                ctx.fit(&l.edge_kind(k), k),
            ));
        }
        items.push(LegendItem::new(Swatch::Heading, l.lg_weight));
        for w in WEIGHT_KEY {
            let w_abs = w * max_w;
            items.push(LegendItem::new(
                Swatch::Line { colour: NEUTRAL, width: width_of(w_abs).round() as u32, dashed: false },
                weight_label(w_abs),
            ));
        }
        let area = legend(&area, ctx, &items)?;
        if nodes.is_empty() {
            return message(&area, ctx, l.no_data);
        }

        // Geometry: the circle leaves room for the widest label on either side.
        let (w, h) = area.dim_in_pixel();
        let (w, h) = (w as f64, h as f64);
        let names: Vec<String> = nodes.iter().map(|id| self.names.actor(id)).collect();
        let label_w = names.iter().map(|n| text_size(&area, ctx, n, ctx.s.legend).0).max().unwrap_or(0) as f64;
        let label_h = ctx.s.legend * 1.2;
        let pad = ctx.s.pad as f64;
        let node_r = (0.05 * w.min(h)).clamp(8.0, 60.0 * ctx.s.scale.max(0.3));
        // An ellipse rather than a circle, to use a wide canvas; not flatter than 2:1.
        let ry = (h / 2.0 - node_r - label_h - 2.0 * pad).max(node_r * 2.0);
        let rx = (w / 2.0 - node_r - label_w - 2.0 * pad).clamp(node_r * 2.0, ry * 2.0);
        let centre = (w / 2.0, h / 2.0);
        let n = nodes.len();
        let angle = |i: usize| -FRAC_PI_2 + TAU * i as f64 / n as f64;
        let pos: Vec<(f64, f64)> =
            (0..n).map(|i| if n == 1 { centre } else { (centre.0 + rx * angle(i).cos(), centre.1 + ry * angle(i).sin()) }).collect();
        let index = |id: &str| nodes.iter().position(|x| x == id).unwrap_or(0);

        // Slots: edges of one unordered pair are spread around the straight line.
        let patron_edges: Vec<Edge> = graph
            .patrons
            .iter()
            .map(|p| Edge { from: p.from.clone(), to: p.to.clone(), kind: crate::graph::PATRON_AID.into(), weight: p.aid })
            .collect();
        let mut pairs: BTreeMap<(usize, usize), Vec<&Edge>> = BTreeMap::new();
        for e in patron_edges.iter().chain(&graph.edges) {
            let (a, b) = (index(&e.from), index(&e.to));
            if a != b {
                pairs.entry((a.min(b), a.max(b))).or_default().push(e);
            }
        }
        let mut arrows: Vec<(f64, RGBColor, Arrow)> = Vec::new();
        for (&(a, b), edges) in &pairs {
            let widths: Vec<f64> =
                edges.iter().map(|e| if e.kind == crate::graph::PATRON_AID { aid_width(e.weight) } else { width_of(e.weight) }).collect();
            let spacing = widths.iter().copied().fold(0.0, f64::max) + 3.0 * pad;
            let m = edges.len() as f64;
            for (k, e) in edges.iter().enumerate() {
                let offset = (k as f64 - (m - 1.0) / 2.0) * spacing;
                let (from, to) = (index(&e.from), index(&e.to));
                let ends = Ends { a: pos[a], b: pos[b], from: pos[from], to: pos[to] };
                let arrow = arrow_geometry(&ends, offset, node_r + pad * 0.6, widths[k]);
                let colour = style::edge_colour(&e.kind);
                arrows.push((widths[k], colour, arrow));
            }
        }
        // Thick arrows first, so thin ones stay visible on top.
        arrows.sort_by(|x, y| y.0.total_cmp(&x.0));
        for (width, colour, arrow) in &arrows {
            let stroke = colour.stroke_width(width.round().max(1.0) as u32);
            area.draw(&PathElement::new(arrow.shaft.clone(), stroke))?;
            area.draw(&Polygon::new(arrow.head.to_vec(), colour.filled()))?;
        }

        draw_nodes(&area, ctx, &pos, &names, node_r)
    }
}

/// The actors on their ellipse, each labelled on the side away from the centre.
fn draw_nodes<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, ctx: &Ctx, pos: &[(f64, f64)], names: &[String], node_r: f64) -> DResult {
    let (n, pad) = (pos.len(), ctx.s.pad as f64);
    for (i, p) in pos.iter().enumerate() {
        let c = (p.0.round() as i32, p.1.round() as i32);
        area.draw(&Circle::new(c, node_r.round() as i32, RGBColor(0xF2, 0xF2, 0xF2).filled()))?;
        area.draw(&Circle::new(c, node_r.round() as i32, INK.stroke_width(ctx.s.thin)))?;
        let a = if n == 1 { FRAC_PI_2 } else { -FRAC_PI_2 + TAU * i as f64 / n as f64 };
        let (dx, dy) = (a.cos(), a.sin());
        let hpos = if dx > 0.3 {
            HPos::Left
        } else if dx < -0.3 {
            HPos::Right
        } else {
            HPos::Center
        };
        let vpos = if dy > 0.3 {
            VPos::Top
        } else if dy < -0.3 {
            VPos::Bottom
        } else {
            VPos::Center
        };
        let at = ((p.0 + dx * (node_r + pad)).round() as i32, (p.1 + dy * (node_r + pad)).round() as i32);
        area.draw(&Text::new(names[i].clone(), at, ctx.font.anchored(ctx.s.legend, INK, hpos, vpos)))?;
    }
    Ok(())
}

/// A weight for the legend: at most two decimals, no trailing zeros ("0.25", "0.5", "1").
fn weight_label(w: f64) -> String {
    let s = format!("{w:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// Where an edge runs: its pair's canonical ends `a` → `b` (lower node index first, so the
/// slots of both directions share one frame) and its own direction `from` → `to`.
struct Ends {
    a: (f64, f64),
    b: (f64, f64),
    from: (f64, f64),
    to: (f64, f64),
}

/// An edge in pixels: its shaft and its arrowhead (tip first).
struct Arrow {
    shaft: Vec<(i32, i32)>,
    head: [(i32, i32); 3],
}

/// The arrow of an edge bent by `offset` pixels to one side of the line `a` → `b`, stopping
/// `gap` short of each node centre.
fn arrow_geometry(ends: &Ends, offset: f64, gap: f64, width: f64) -> Arrow {
    let Ends { a, b, from, to } = *ends;
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let len = (dx * dx + dy * dy).sqrt().max(1e-9);
    let normal = (-dy / len, dx / len);
    let mid = ((from.0 + to.0) / 2.0, (from.1 + to.1) / 2.0);
    // A quadratic Bézier peaks halfway to its control point.
    let ctrl = (mid.0 + normal.0 * 2.0 * offset, mid.1 + normal.1 * 2.0 * offset);
    let at = |t: f64| {
        let u = 1.0 - t;
        (u * u * from.0 + 2.0 * u * t * ctrl.0 + t * t * to.0, u * u * from.1 + 2.0 * u * t * ctrl.1 + t * t * to.1)
    };
    let dist = |p: (f64, f64), q: (f64, f64)| ((p.0 - q.0).powi(2) + (p.1 - q.1).powi(2)).sqrt();
    // Fine sampling locates where the curve leaves the nodes and where the head starts.
    let fine: Vec<(f64, f64)> = (0..=400).map(|k| at(k as f64 / 400.0)).filter(|&p| dist(p, from) > gap && dist(p, to) > gap).collect();
    let Some(&tip) = fine.last() else {
        return Arrow { shaft: vec![], head: [(0, 0); 3] };
    };
    let head_len = 2.4 * width + 10.0;
    let head_w = 2.2 * width + 8.0;
    let base = fine[fine.iter().rposition(|&p| dist(p, tip) >= head_len).unwrap_or(0)];
    let (ux, uy) = {
        let l = dist(tip, base).max(1e-9);
        ((tip.0 - base.0) / l, (tip.1 - base.1) / l)
    };
    let px = |p: (f64, f64)| (p.0.round() as i32, p.1.round() as i32);
    let head = [
        px(tip),
        px((base.0 - uy * head_w / 2.0, base.1 + ux * head_w / 2.0)),
        px((base.0 + uy * head_w / 2.0, base.1 - ux * head_w / 2.0)),
    ];
    // The shaft ends inside the head so the two join without a gap. Its vertices are sparse:
    // plotters turns a thick path into a polygon, and dense pixel-rounded vertices make that
    // polygon wobble or fold (ragged edges, holes). A straight edge needs only its two ends.
    let end = fine.iter().rposition(|&p| dist(p, tip) >= head_len * 0.6).unwrap_or(0);
    let step = if offset.abs() < 0.5 { f64::INFINITY } else { 24.0 };
    let mut shaft = vec![fine[0]];
    for &p in fine.iter().take(end).skip(1) {
        if dist(p, shaft[shaft.len() - 1]) >= step {
            shaft.push(p);
        }
    }
    shaft.push(fine[end]);
    Arrow { shaft: shaft.into_iter().map(px).collect(), head }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opposite_edges_of_a_pair_take_different_sides() {
        let (a, b) = ((0.0, 0.0), (100.0, 0.0));
        let p1 = arrow_geometry(&Ends { a, b, from: a, to: b }, -10.0, 5.0, 2.0).shaft;
        let p2 = arrow_geometry(&Ends { a, b, from: b, to: a }, 10.0, 5.0, 2.0).shaft;
        let mid_y = |p: &Vec<(i32, i32)>| p[p.len() / 2].1;
        assert!(mid_y(&p1) * mid_y(&p2) < 0, "{} {}", mid_y(&p1), mid_y(&p2));
    }

    #[test]
    fn weight_labels_are_short() {
        assert_eq!(weight_label(0.25), "0.25");
        assert_eq!(weight_label(0.1 + 0.2), "0.3");
        assert_eq!(weight_label(1.0), "1");
        assert_eq!(weight_label(2.5), "2.5");
    }

    #[test]
    fn arrow_stops_short_of_the_target() {
        let (a, b) = ((0.0, 0.0), (100.0, 0.0));
        let arrow = arrow_geometry(&Ends { a, b, from: a, to: b }, 0.0, 10.0, 2.0);
        assert!(arrow.shaft.first().unwrap().0 >= 10);
        assert!(arrow.head[0].0 <= 90 && arrow.head[0].0 >= 88, "{:?}", arrow.head);
    }
}
