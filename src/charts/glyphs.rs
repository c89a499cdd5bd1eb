//! Text layout and rasterising, done here rather than by plotters.
//!
//! plotters 0.3.7 draws `ab_glyph` text by placing each glyph's bitmap at the pen position
//! without its left side bearing, so letters sit unevenly ("settle ment"). [`Crisp`] wraps a
//! backend and takes over text: it measures every text the same way for PNG and SVG (so both
//! share one layout), and for PNG it lays glyphs out at their true positions, with kerning,
//! and draws their anti-aliased coverage. SVG text is still written by the SVG backend and
//! drawn by the viewer.
//!
//! Sizes follow plotters' convention, which the SVG backend writes out: a text style of size
//! `s` has an em of `s / 1.24` pixels.

use ab_glyph::{Font, Glyph, PxScale, ScaleFont, point};
use plotters::prelude::*;
use plotters_backend::text_anchor::{HPos, VPos};
use plotters_backend::{BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingErrorKind};

use super::fonts::{self, LoadedFont};

/// A backend whose text is measured (and, for bitmaps, drawn) by this module.
pub struct Crisp<B: DrawingBackend> {
    inner: B,
    raster: bool,
}

impl<B: DrawingBackend> Crisp<B> {
    /// For pixel backends: text is rasterised here.
    pub fn raster(inner: B) -> Self {
        Crisp { inner, raster: true }
    }

    /// For vector backends: text is only measured here and written by the backend.
    pub fn vector(inner: B) -> Self {
        Crisp { inner, raster: false }
    }
}

/// Glyphs of one line of text, positioned on a baseline at y = 0 starting at x = 0.
pub struct Line {
    pub glyphs: Vec<Glyph>,
    pub width: f32,
    pub em: f32,
}

pub fn layout(font: &LoadedFont, size: f64, text: &str) -> Line {
    let em = (size / 1.24) as f32;
    let f = &font.font;
    let units = f.units_per_em().unwrap_or(1000.0);
    let scale = PxScale::from(em * f.height_unscaled() / units);
    let sf = f.as_scaled(scale);
    let mut x = 0.0f32;
    let mut prev = None;
    let mut glyphs = Vec::with_capacity(text.len());
    for c in text.chars() {
        let id = sf.glyph_id(c);
        if let Some(p) = prev {
            x += sf.kern(p, id);
        }
        glyphs.push(id.with_scale_and_position(scale, point(x, 0.0)));
        x += sf.h_advance(id);
        prev = Some(id);
    }
    Line { glyphs, width: x, em }
}

/// Offset of the baseline below the anchor point, per vertical anchor: close to what the SVG
/// backend asks of a viewer (0.76 em for top, about half an x-height for centre), with the
/// centre nudged so capitals and CJK glyphs, not only lowercase, look centred.
fn baseline_offset(v: VPos, em: f32) -> f32 {
    match v {
        VPos::Top => 0.76 * em,
        VPos::Center => 0.34 * em,
        VPos::Bottom => -0.26 * em,
    }
}

impl<B: DrawingBackend> DrawingBackend for Crisp<B> {
    type ErrorType = B::ErrorType;

    fn get_size(&self) -> (u32, u32) {
        self.inner.get_size()
    }

    fn ensure_prepared(&mut self) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.ensure_prepared()
    }

    fn present(&mut self) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.present()
    }

    fn draw_pixel(&mut self, point: BackendCoord, color: BackendColor) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_pixel(point, color)
    }

    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_line(from, to, style)
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_rect(upper_left, bottom_right, style, fill)
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_path(path, style)
    }

    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_circle(center, radius, style, fill)
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.fill_polygon(vert, style)
    }

    fn blit_bitmap(&mut self, pos: BackendCoord, size: (u32, u32), src: &[u8]) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.blit_bitmap(pos, size, src)
    }

    fn estimate_text_size<S: BackendTextStyle>(&self, text: &str, style: &S) -> Result<(u32, u32), DrawingErrorKind<Self::ErrorType>> {
        match fonts::by_family(style.family().as_str()) {
            Some(font) => {
                let line = layout(font, style.size(), text);
                Ok((line.width.ceil() as u32, line.em.ceil() as u32))
            }
            None => self.inner.estimate_text_size(text, style),
        }
    }

    fn draw_text<S: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &S,
        pos: BackendCoord,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        let font = match fonts::by_family(style.family().as_str()) {
            Some(f) if self.raster => f,
            _ => return self.inner.draw_text(text, style, pos),
        };
        let colour = style.color();
        if colour.alpha == 0.0 {
            return Ok(());
        }
        let line = layout(font, style.size(), text);
        let anchor = style.anchor();
        let dx = match anchor.h_pos {
            HPos::Left => 0.0,
            HPos::Center => -line.width / 2.0,
            HPos::Right => -line.width,
        };
        let dy = baseline_offset(anchor.v_pos, line.em);
        let transform = style.transform();
        let (w, h) = self.get_size();
        for g in line.glyphs {
            let Some(outline) = font.font.outline_glyph(g) else {
                continue;
            };
            let b = outline.px_bounds();
            let mut pixels = Vec::new();
            outline.draw(|x, y, coverage| {
                if coverage > 0.01 {
                    pixels.push((b.min.x + x as f32 + dx, b.min.y + y as f32 + dy, coverage));
                }
            });
            for (x, y, coverage) in pixels {
                let (rx, ry) = transform.transform(x.round() as i32, y.round() as i32);
                let (px, py) = (pos.0 + rx, pos.1 + ry);
                if px >= 0 && py >= 0 && (px as u32) < w && (py as u32) < h {
                    let c = BackendColor { alpha: colour.alpha * coverage as f64, rgb: colour.rgb };
                    self.inner.draw_pixel((px, py), c)?;
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spacing_keeps_side_bearings() {
        // "ll" and "mm": glyph outlines must not overlap (a dropped bearing packs them tighter
        // than their advance).
        let font = fonts::latin();
        let line = layout(font, 40.0, "lmlm");
        let bounds: Vec<_> = line.glyphs.into_iter().filter_map(|g| font.font.outline_glyph(g)).map(|o| o.px_bounds()).collect();
        for pair in bounds.windows(2) {
            assert!(pair[1].min.x > pair[0].min.x + 1.0 && pair[1].min.x >= pair[0].max.x - 1.0, "{:?}", pair);
        }
    }

    #[test]
    fn em_matches_the_svg_font_size() {
        let line = layout(fonts::latin(), 31.0, "M");
        assert!((line.em - 25.0).abs() < 0.01);
    }
}
