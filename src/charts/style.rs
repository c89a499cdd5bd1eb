//! The one visual style of every chart: the Okabe–Ito colour-blind-safe palette, font sizes
//! and line widths that scale with the canvas, and the text styles built from the chosen font.
//!
//! Sizes are set for a 1600×1000 PNG shrunk to half a page (~8 cm): there a 40 px title and
//! 26 px tick labels are still readable. Sizes here are plotters text sizes, whose em is
//! size / 1.24 px (the SVG `font-size`): 52 → 42 px titles, 33 → 26.6 px ticks. Everything
//! scales with `min(width / 1600, height / 1000)`, i.e. with the width at the default aspect,
//! and never so far down that a wide, short canvas squeezes text out of its band.

use plotters::style::{
    Color, FontDesc, FontFamily, FontStyle, RGBAColor, RGBColor, TextStyle,
    text_anchor::{HPos, Pos, VPos},
};

// Okabe & Ito (2008), "Color Universal Design".
pub const OI_BLACK: RGBColor = RGBColor(0x00, 0x00, 0x00);
pub const OI_ORANGE: RGBColor = RGBColor(0xE6, 0x9F, 0x00);
pub const OI_SKY_BLUE: RGBColor = RGBColor(0x56, 0xB4, 0xE9);
pub const OI_BLUISH_GREEN: RGBColor = RGBColor(0x00, 0x9E, 0x73);
pub const OI_YELLOW: RGBColor = RGBColor(0xF0, 0xE4, 0x42);
pub const OI_BLUE: RGBColor = RGBColor(0x00, 0x72, 0xB2);
pub const OI_VERMILLION: RGBColor = RGBColor(0xD5, 0x5E, 0x00);
pub const OI_REDDISH_PURPLE: RGBColor = RGBColor(0xCC, 0x79, 0xA7);

/// Text and axes: not pure black, which looks heavy next to the palette.
pub const INK: RGBColor = RGBColor(0x1A, 0x1A, 0x1A);
/// Footer and secondary text.
pub const MUTED: RGBColor = RGBColor(0x55, 0x55, 0x55);
/// Grid lines.
pub const GRID: RGBColor = RGBColor(0xDD, 0xDD, 0xDD);
/// Neutral fill (nodes, unknown categories).
pub const NEUTRAL: RGBColor = RGBColor(0x99, 0x99, 0x99);
pub const BACKGROUND: RGBColor = RGBColor(0xFF, 0xFF, 0xFF);

/// Opacity of a 90% band, of a 50% band (drawn on top, so the core reads darker), and of a
/// confidence band around a curve.
pub const ALPHA_BAND90: f64 = 0.18;
pub const ALPHA_BAND50: f64 = 0.35;
pub const ALPHA_CI: f64 = 0.22;

/// Colours for series that are not outcomes: runs in a comparison, actors. Yellow comes last
/// because thin yellow lines vanish on white.
pub const SERIES: [RGBColor; 8] = [OI_BLUE, OI_VERMILLION, OI_BLUISH_GREEN, OI_ORANGE, OI_REDDISH_PURPLE, OI_SKY_BLUE, OI_BLACK, OI_YELLOW];

pub fn series_colour(i: usize) -> RGBColor {
    SERIES[i % SERIES.len()]
}

/// Colours for the scenarios of a comparison: none is an outcome's colour, so a bar's colour
/// always says which scenario it is, never which outcome.
pub const SCENARIOS: [RGBColor; 5] = [
    RGBColor(0x5A, 0x5A, 0x5A),
    RGBColor(0xA8, 0xA8, 0xA8),
    RGBColor(0x7F, 0x4F, 0x24),
    RGBColor(0x5B, 0x3A, 0x87),
    RGBColor(0xC8, 0xB0, 0x60),
];

pub fn scenario_colour(j: usize) -> RGBColor {
    SCENARIOS[j % SCENARIOS.len()]
}

/// One fixed colour per outcome (index in [`super::labels::OUTCOME_IDS`]), so that a reader
/// who learnt "green = settlement" on one chart can rely on it on the next.
pub fn outcome_colour(i: usize) -> RGBColor {
    [
        OI_BLUISH_GREEN,   // settlement
        OI_SKY_BLUE,       // ceasefire
        OI_ORANGE,         // fight_and_talk
        OI_VERMILLION,     // ukraine_collapse
        OI_BLUE,           // russia_exhaustion
        OI_REDDISH_PURPLE, // escalation
    ]
    .get(i)
    .copied()
    .unwrap_or(NEUTRAL)
}

/// Influence-graph edge colour by kind; unknown kinds are grey.
/// A patron's aid to its client on the influence chart (a role, not a link).
pub const PATRON_AID: RGBColor = OI_BLUE;

/// The colour of a link kind, on the influence chart and in `truce graph`'s DOT alike.
pub fn edge_colour(kind: &str) -> RGBColor {
    match kind {
        "aid" => OI_BLUISH_GREEN,
        "intelligence" => OI_SKY_BLUE,
        "sanctions" => OI_VERMILLION,
        "leverage" => OI_ORANGE,
        "alignment" => OI_REDDISH_PURPLE,
        crate::graph::PATRON_AID => PATRON_AID,
        _ => NEUTRAL,
    }
}

/// A colour as `#RRGGBB`, for DOT.
pub fn hex(c: RGBColor) -> String {
    format!("#{:02X}{:02X}{:02X}", c.0, c.1, c.2)
}

/// The colour of an influence-graph edge, link or patron's aid, as `#RRGGBB` (for DOT).
pub fn edge_colour_hex(kind: &str) -> String {
    hex(edge_colour(kind))
}

pub fn with_alpha(c: RGBColor, a: f64) -> RGBAColor {
    c.mix(a)
}

/// `c` mixed with the white background: `a` of the colour, as an opaque colour (for lines that
/// must look lighter without blending with what is under them).
pub fn with_alpha_solid(c: RGBColor, a: f64) -> RGBColor {
    let m = |v: u8| (v as f64 * a + 255.0 * (1.0 - a)).round() as u8;
    RGBColor(m(c.0), m(c.1), m(c.2))
}

/// Marker shapes for points that need a second cue beside colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Marker {
    Circle,
    Triangle,
    Square,
    Diamond,
    InvTriangle,
}

pub fn series_marker(i: usize) -> Marker {
    [Marker::Circle, Marker::Triangle, Marker::Square, Marker::Diamond, Marker::InvTriangle][i % 5]
}

/// Pixel sizes for one canvas.
#[derive(Clone, Debug)]
pub struct Sizes {
    pub scale: f64,
    pub title: f64,
    pub axis_desc: f64,
    pub tick: f64,
    pub legend: f64,
    pub value: f64,
    pub footer: f64,
    pub margin: i32,
    pub pad: i32,
    pub line: u32,
    pub thin: u32,
    pub marker: i32,
}

impl Sizes {
    pub fn for_canvas(width: u32, height: u32) -> Sizes {
        let scale = (width as f64 / 1600.0).min(height as f64 / 1000.0).max(0.2);
        let px = |v: f64| (v * scale).round().max(1.0);
        // Text sizes follow the rule of docs/charts.md: printed 8 cm wide (half the text width of
        // an A4 page), the chart's text is at least 5 pt (ticks, legends, values, axis titles),
        // its title 7 pt, its footer 4.5 pt; printed 10 cm wide, 6.25 pt. Printed 8 cm wide, a
        // 1600-px chart has 7.06 px per point; plotters draws a size s with an em of s / 1.24 px,
        // so 5 pt is a size of 5 · 7.06 · 1.24 = 43.8.
        // Text sizes round up, so rounding never takes a text below the rule.
        let pt = |points: f64| (PT_SIZE * points * scale).ceil().max(1.0);
        Sizes {
            scale,
            title: pt(7.0),
            axis_desc: pt(5.2),
            tick: pt(5.0),
            legend: pt(5.0),
            value: pt(5.0),
            footer: pt(4.5),
            margin: px(24.0) as i32,
            pad: px(10.0) as i32,
            line: px(4.0) as u32,
            thin: px(2.0) as u32,
            marker: px(12.0) as i32,
        }
    }

    /// The smallest size a label may be drawn at (5 pt at 8 cm).
    pub fn min_label(&self) -> f64 {
        (PT_SIZE * 5.0 * self.scale).ceil().max(1.0)
    }
}

/// One typographic point at 8 cm print width, as a plotters text size on a 1600-px canvas:
/// 1600 px / 80 mm × 0.3528 mm/pt = 7.06 px per pt, times plotters' 1.24 from size to em.
pub const PT_SIZE: f64 = 1600.0 / 80.0 * 0.352_778 * 1.24;

/// The font every text of one chart is drawn with (see `fonts.rs` for how it is chosen).
#[derive(Clone, Copy, Debug)]
pub struct TextFont {
    pub family: &'static str,
}

impl TextFont {
    pub fn desc(&self, size: f64) -> FontDesc<'static> {
        FontDesc::new(FontFamily::Name(self.family), size, FontStyle::Normal)
    }

    /// Text of `size` px in `colour`, anchored at its top-left.
    pub fn style(&self, size: f64, colour: RGBColor) -> TextStyle<'static> {
        TextStyle { font: self.desc(size), color: colour.to_backend_color(), pos: Pos::default() }
    }

    pub fn anchored(&self, size: f64, colour: RGBColor, h: HPos, v: VPos) -> TextStyle<'static> {
        self.style(size, colour).pos(Pos::new(h, v))
    }
}
