//! The frame every chart shares: writing one chart as PNG and SVG, the title band, the footer,
//! the legend row, and fitting text into the room it has.

use std::path::{Path, PathBuf};

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::fonts::LoadedFont;
use super::glyphs::Crisp;
use super::labels::Labels;
use super::marks;
use super::style::{self, BACKGROUND, GRID, INK, MUTED, Marker, Sizes, TextFont};
use super::{ChartError, Lang};

/// A drawing failure inside a chart, as text; `render` adds the file name.
#[derive(Debug)]
pub struct DrawErr(pub String);

impl<E: std::error::Error + Send + Sync> From<DrawingAreaErrorKind<E>> for DrawErr {
    fn from(e: DrawingAreaErrorKind<E>) -> Self {
        DrawErr(e.to_string())
    }
}

pub type DResult<T = ()> = Result<T, DrawErr>;

/// What every chart of one drawing call shares.
pub struct Ctx {
    /// Labels in the language actually drawn (English after a font fallback).
    pub l: &'static Labels,
    pub font: TextFont,
    /// The font's coverage, to replace text it cannot draw.
    pub loaded: &'static LoadedFont,
    pub s: Sizes,
    pub width: u32,
    pub height: u32,
    /// Scenario title (or a stand-in) shown before each chart's subject.
    pub title_prefix: String,
    pub footer: String,
    /// Appended to each file's name: `_zh` for Chinese charts (the language asked for, even
    /// after a font fallback), so they sit beside the English ones instead of over them.
    pub file_suffix: &'static str,
}

impl Ctx {
    pub fn new(lang: Lang, loaded: &'static LoadedFont, width: u32, height: u32) -> Ctx {
        Ctx {
            l: super::labels::labels(lang),
            font: TextFont { family: loaded.family },
            loaded,
            s: Sizes::for_canvas(width, height),
            width,
            height,
            title_prefix: String::new(),
            footer: String::new(),
            file_suffix: "",
        }
    }

    /// `text` if the font draws it, else `fallback` if that can be drawn, else `fallback` with
    /// the undrawable characters replaced, so no chart ever shows empty boxes.
    pub fn fit(&self, text: &str, fallback: &str) -> String {
        if self.loaded.covers(text) {
            return text.to_string();
        }
        if self.loaded.covers(fallback) {
            return fallback.to_string();
        }
        fallback.chars().map(|c| if self.loaded.covers_char(c) { c } else { '?' }).collect()
    }

    pub fn text(&self, size: f64) -> TextStyle<'static> {
        self.font.style(size, INK)
    }
}

/// One chart: a name (the file stem) and how to draw it on any backend.
pub trait Chart {
    fn name(&self) -> &'static str;
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, ctx: &Ctx) -> DResult;
}

/// Writes `chart` as `<out_dir>/<name>.png` and `.svg` and records both in `files`. Both are
/// drawn in memory and written with one call each, so a failure to write (a full disk) is
/// reported as the file system's error with the file's path.
pub fn render(chart: &impl Chart, out_dir: &Path, ctx: &Ctx, files: &mut Vec<PathBuf>) -> Result<(), ChartError> {
    let size = (ctx.width, ctx.height);
    let png = out_dir.join(format!("{}{}.png", chart.name(), ctx.file_suffix));
    let mut pixels = vec![0u8; ctx.width as usize * ctx.height as usize * 3];
    {
        let root = Crisp::raster(BitMapBackend::with_buffer(&mut pixels, size)).into_drawing_area();
        let fail = |e: DrawErr| ChartError::Draw { path: png.clone(), message: e.0 };
        chart.draw(&root, ctx).map_err(fail)?;
        root.present().map_err(|e| fail(e.into()))?;
    }
    let bytes = encode_png(&pixels, ctx.width, ctx.height).map_err(|message| ChartError::Draw { path: png.clone(), message })?;
    std::fs::write(&png, bytes).map_err(|source| ChartError::Write { path: png.clone(), source })?;
    files.push(png);
    let svg = out_dir.join(format!("{}{}.svg", chart.name(), ctx.file_suffix));
    let mut text = String::new();
    {
        let root = Crisp::vector(SVGBackend::with_string(&mut text, size)).into_drawing_area();
        let fail = |e: DrawErr| ChartError::Draw { path: svg.clone(), message: e.0 };
        chart.draw(&root, ctx).map_err(fail)?;
        root.present().map_err(|e| fail(e.into()))?;
    }
    std::fs::write(&svg, text).map_err(|source| ChartError::Write { path: svg.clone(), source })?;
    files.push(svg);
    Ok(())
}

/// 8-bit RGB pixels as PNG bytes.
fn encode_png(pixels: &[u8], width: u32, height: u32) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    let mut enc = png::Encoder::new(&mut out, width, height);
    enc.set_color(png::ColorType::Rgb);
    enc.set_depth(png::BitDepth::Eight);
    let mut w = enc.write_header().map_err(|e| e.to_string())?;
    w.write_image_data(pixels).map_err(|e| e.to_string())?;
    w.finish().map_err(|e| e.to_string())?;
    Ok(out)
}

/// Width and height in pixels of `text` at `size`.
pub fn text_size<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, ctx: &Ctx, text: &str, size: f64) -> (u32, u32) {
    area.estimate_text_size(text, &ctx.text(size)).unwrap_or((0, 0))
}

/// `text` at the largest size in [0.7·size, size] that fits `max_w`, never below the smallest
/// label size (docs/charts.md's rule), cut with "…" if even the smallest does not.
pub fn fit_text<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, ctx: &Ctx, text: &str, size: f64, max_w: u32) -> (String, f64) {
    let w = text_size(area, ctx, text, size).0;
    if w <= max_w {
        return (text.to_string(), size);
    }
    let floor = (size * 0.7).max(ctx.s.min_label()).min(size);
    let shrunk = (size * max_w as f64 / w as f64).max(floor).floor().max(floor.floor());
    if text_size(area, ctx, text, shrunk).0 <= max_w {
        return (text.to_string(), shrunk);
    }
    (ellipsize(area, ctx, text, shrunk, max_w), shrunk)
}

/// The longest prefix of `text` that fits `max_w` with "…" appended.
pub fn ellipsize<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, ctx: &Ctx, text: &str, size: f64, max_w: u32) -> String {
    if text_size(area, ctx, text, size).0 <= max_w {
        return text.to_string();
    }
    let chars: Vec<char> = text.chars().collect();
    let (mut lo, mut hi) = (0usize, chars.len());
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        let cand: String = chars[..mid].iter().collect::<String>() + "…";
        if text_size(area, ctx, &cand, size).0 <= max_w {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    chars[..lo].iter().collect::<String>().trim_end().to_string() + "…"
}

/// Fills the canvas and draws the title (scenario title + `subject`) and the footer; returns
/// the area left between them.
pub fn frame<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, ctx: &Ctx, subject: &str) -> DResult<DrawingArea<DB, Shift>> {
    root.fill(&BACKGROUND)?;
    let s = &ctx.s;
    let inner_w = ctx.width.saturating_sub(2 * s.margin as u32);
    let title = ctx.l.title(&ctx.title_prefix, subject);
    let (title, size) = fit_text(root, ctx, &title, s.title, inner_w);
    root.draw(&Text::new(title, (s.margin, s.margin), ctx.text(size)))?;
    let top = s.margin + (s.title * 1.2) as i32 + s.pad;

    // The footer keeps its size; one too long for a line is broken at the `·` nearest its
    // middle into two lines (each cut with "…" only if even half does not fit).
    let lines = footer_lines(root, ctx, &ctx.footer, s.footer, inner_w);
    let line_h = (s.footer * 1.1) as i32;
    let footer_h = line_h * lines.len() as i32;
    let footer_y = ctx.height as i32 - s.margin - footer_h;
    root.draw(&PathElement::new(
        vec![(s.margin, footer_y - s.pad), (ctx.width as i32 - s.margin, footer_y - s.pad)],
        GRID.stroke_width(s.thin),
    ))?;
    for (k, line) in lines.into_iter().enumerate() {
        root.draw(&Text::new(line, (s.margin, footer_y + k as i32 * line_h), ctx.font.style(s.footer, MUTED)))?;
    }
    let bottom = s.margin + footer_h + 2 * s.pad;
    Ok(root.margin(top, bottom, s.margin, s.margin))
}

/// The footer as one line, or two broken at the separator nearest the middle.
fn footer_lines<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, ctx: &Ctx, text: &str, size: f64, max_w: u32) -> Vec<String> {
    if text_size(area, ctx, text, size).0 <= max_w {
        return vec![text.to_string()];
    }
    let sep = ctx.l.item_sep;
    let cuts: Vec<usize> = text.match_indices(sep).map(|(i, _)| i).collect();
    let middle = text.len() / 2;
    match cuts.iter().min_by_key(|&&i| i.abs_diff(middle)) {
        Some(&i) => vec![ellipsize(area, ctx, &text[..i], size, max_w), ellipsize(area, ctx, &text[i + sep.len()..], size, max_w)],
        None => vec![ellipsize(area, ctx, text, size, max_w)],
    }
}

/// What a legend entry shows beside its label.
#[derive(Clone, Debug)]
pub enum Swatch {
    Line {
        colour: RGBColor,
        width: u32,
        dashed: bool,
    },
    Band {
        colour: RGBColor,
        alpha: f64,
    },
    /// A line over its band, as a curve with its interval is drawn.
    LineBand {
        colour: RGBColor,
        width: u32,
        dashed: bool,
        alpha: f64,
    },
    /// Bands of several colours side by side: "the shading, in each curve's colour".
    Bands {
        colours: [RGBColor; 2],
        alpha: f64,
    },
    Bar {
        colour: RGBColor,
    },
    Marker {
        shape: Marker,
        colour: RGBColor,
    },
    /// No swatch: a heading such as "Kind:".
    Heading,
}

#[derive(Clone, Debug)]
pub struct LegendItem {
    pub swatch: Swatch,
    pub label: String,
}

impl LegendItem {
    pub fn new(swatch: Swatch, label: impl Into<String>) -> LegendItem {
        LegendItem { swatch, label: label.into() }
    }
}

/// Draws `items` in rows at the top of `area` (wrapping as needed) and returns the area below.
/// Legends sit outside the plot so they never cover data (plotters' series labels draw a boxed
/// legend inside the plot area, and do not wrap), and their swatches can show what a series
/// label cannot: a line over its band, two bands side by side.
pub fn legend<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, ctx: &Ctx, items: &[LegendItem]) -> DResult<DrawingArea<DB, Shift>> {
    if items.is_empty() {
        return Ok(area.margin(0, 0, 0, 0));
    }
    let s = &ctx.s;
    let size = s.legend;
    let (w, _) = area.dim_in_pixel();
    let sw = (size * 1.4) as i32; // swatch width
    let gap = (size * 0.35) as i32;
    let item_gap = (size * 0.9) as i32;
    let row_h = (size * 1.45) as i32;
    let style = ctx.text(size).pos(Pos::new(HPos::Left, VPos::Center));

    // Lay out first, then draw, so the returned area is known.
    let mut placed: Vec<(i32, i32, &LegendItem, String)> = Vec::new();
    let labels: Vec<String> =
        items.iter().map(|item| ellipsize(area, ctx, &item.label, size, w.saturating_sub(sw as u32 + 2 * gap as u32))).collect();
    let widths: Vec<i32> = items
        .iter()
        .zip(&labels)
        .map(|(item, label)| {
            let tw = text_size(area, ctx, label, size).0 as i32;
            match item.swatch {
                Swatch::Heading => tw,
                _ => sw + gap + tw,
            }
        })
        .collect();
    let (mut x, mut row) = (0i32, 0i32);
    for (k, item) in items.iter().enumerate() {
        let iw = widths[k];
        // A heading and the entries under it (up to the next heading) stay on one row when they
        // fit one: the group moves to a new row rather than being split.
        let group = if matches!(item.swatch, Swatch::Heading) {
            let end = items[k + 1..].iter().position(|i| matches!(i.swatch, Swatch::Heading)).map_or(items.len(), |p| k + 1 + p);
            widths[k..end].iter().sum::<i32>() + item_gap * (end - k - 1) as i32
        } else {
            iw
        };
        if x > 0 && (x + iw > w as i32 || (x + group > w as i32 && group <= w as i32)) {
            x = 0;
            row += 1;
        }
        placed.push((x, row, item, labels[k].clone()));
        x += iw + item_gap;
    }
    for (x, row, item, label) in placed.iter() {
        let cy = row * row_h + row_h / 2;
        let tx = match item.swatch {
            Swatch::Heading => *x,
            _ => {
                draw_swatch(area, ctx, &item.swatch, (*x, cy), sw)?;
                x + sw + gap
            }
        };
        area.draw(&Text::new(label.clone(), (tx, cy), style.clone()))?;
    }
    let used = (row + 1) * row_h + s.pad;
    Ok(area.margin(used, 0, 0, 0))
}

fn draw_swatch<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, ctx: &Ctx, swatch: &Swatch, (x, cy): (i32, i32), sw: i32) -> DResult {
    let h = (ctx.s.legend * 0.55) as i32;
    match *swatch {
        Swatch::LineBand { colour, width, dashed, alpha } => {
            draw_swatch(area, ctx, &Swatch::Band { colour, alpha }, (x, cy), sw)?;
            draw_swatch(area, ctx, &Swatch::Line { colour, width, dashed }, (x, cy), sw)?;
        }
        Swatch::Bands { colours, alpha } => {
            let half = sw / 2;
            area.draw(&Rectangle::new([(x, cy - h / 2), (x + half, cy + h / 2)], style::with_alpha(colours[0], alpha).filled()))?;
            area.draw(&Rectangle::new([(x + half, cy - h / 2), (x + sw, cy + h / 2)], style::with_alpha(colours[1], alpha).filled()))?;
        }
        Swatch::Line { colour, width, dashed } => {
            let pts = [(x, cy), (x + sw, cy)];
            if dashed {
                // Dashes and gaps of a quarter of the swatch, as the dashed series draw theirs.
                let dash = (sw / 4).max(2) as u32;
                area.draw(&plotters::element::DashedPathElement::new(pts, dash, dash, colour.stroke_width(width)))?;
            } else {
                area.draw(&PathElement::new(pts.to_vec(), colour.stroke_width(width)))?;
            }
        }
        Swatch::Band { colour, alpha } => {
            area.draw(&Rectangle::new([(x, cy - h / 2), (x + sw, cy + h / 2)], style::with_alpha(colour, alpha).filled()))?;
        }
        Swatch::Bar { colour } => {
            area.draw(&Rectangle::new([(x, cy - h / 2), (x + sw, cy + h / 2)], colour.filled()))?;
        }
        Swatch::Marker { shape, colour } => {
            marks::draw_marker(area, (x + sw / 2, cy), shape, ctx.s.marker, colour)?;
        }
        Swatch::Heading => {}
    }
    Ok(())
}

/// A message centred in `area`, for charts that have nothing to show.
pub fn message<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, ctx: &Ctx, text: &str) -> DResult {
    let (w, h) = area.dim_in_pixel();
    let (text, size) = fit_text(area, ctx, text, ctx.s.title * 0.9, w.saturating_sub(2 * ctx.s.margin as u32));
    let style = ctx.font.anchored(size, MUTED, HPos::Center, VPos::Center);
    area.draw(&Text::new(text, (w as i32 / 2, h as i32 / 2), style))?;
    Ok(())
}
