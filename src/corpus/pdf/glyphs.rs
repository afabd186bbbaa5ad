//! The characters of one PDF page with their positions, from hayro-interpret's glyph runs.
//!
//! hayro-interpret runs the page's content stream and hands every glyph it draws to a [`Device`], with the
//! transform that places it and its Unicode value (from the font's `ToUnicode` map, its glyph names, or the
//! Adobe CJK CMap of a CID font, which it bundles: `UniGB-UCS2-H` and `GBK-EUC-H` decode without a map in the
//! file). This module keeps, per glyph, its text, the position of its origin on the page and its size; it
//! draws nothing and reads no image.

use hayro_interpret::font::GlyphRun;
use hayro_interpret::hayro_cmap::{BfString, WritingMode};
use hayro_interpret::kurbo::{Affine, BezPath, Point, Rect};
use hayro_interpret::{
    BlendMode, ClipPath, Context, Device, DrawMode, DrawProps, Image, ImageDrawProps,
    InterpreterCache, InterpreterSettings, SoftMask, interpret_page,
};

/// One glyph as drawn: its text and where it stands. Coordinates are PDF points (1/72 inch) from the
/// page box's top-left corner, y growing downwards.
#[derive(Debug, Clone, PartialEq)]
pub struct Glyph {
    /// The text the glyph stands for: usually one character, a ligature several; empty if the font does not
    /// say (no Unicode map: counted in [`PageGlyphs::unmapped`], never guessed).
    pub text: String,
    /// The x of the glyph's origin (its left edge for horizontal text).
    pub x: f64,
    /// The y of the glyph's baseline (for vertical text: of its top).
    pub y: f64,
    /// The font size as drawn, in points (the glyph's em square, after every transform).
    pub size: f64,
    /// Drawn with a vertical writing mode (a CMap ending in `-V`): read top to bottom.
    pub vertical: bool,
}

/// What a page draws: its glyphs in content-stream order, and its size.
#[derive(Debug, Default)]
pub struct PageGlyphs {
    /// The glyphs inside the page box (the crop box within the media box).
    pub glyphs: Vec<Glyph>,
    /// Glyphs drawn outside the page box (not text of the page).
    pub outside: usize,
    /// Glyphs without a Unicode value.
    pub unmapped: usize,
    /// The page box's width, points.
    pub width: f64,
    /// The page box's height, points.
    pub height: f64,
    /// Images drawn (a page of images and no text is a scan).
    pub images: usize,
}

struct Collector {
    /// User space → page space (origin top left, y down).
    to_page: Affine,
    out: PageGlyphs,
}

impl Device<'_> for Collector {
    fn draw_path(&mut self, _: &BezPath, _: DrawProps<'_>, _: &DrawMode) {}
    fn push_clip_path(&mut self, _: &ClipPath) {}
    fn push_transparency_group(&mut self, _: f32, _: Option<SoftMask<'_>>, _: BlendMode) {}
    fn draw_glyph_run(&mut self, run: &GlyphRun<'_, '_>, props: DrawProps<'_>, _: &DrawMode) {
        let vertical = matches!(run.writing_mode(), WritingMode::Vertical);
        for g in run.glyphs() {
            let t = self.to_page * props.transform * g.transform();
            let origin = t * Point::ZERO;
            // The glyph transform maps glyph space, 1000 units to the em: an em's height is the font size as
            // drawn.
            let size = (t * Point::new(0.0, 1000.0) - origin).hypot();
            if !(origin.x.is_finite() && origin.y.is_finite() && size.is_finite()) {
                continue;
            }
            let inside = origin.x >= -0.5
                && origin.x <= self.out.width + 0.5
                && origin.y >= -0.5
                && origin.y <= self.out.height + 0.5;
            if !inside {
                self.out.outside += 1;
                continue;
            }
            let text = match g.as_unicode() {
                Some(BfString::Char(c)) => c.to_string(),
                Some(BfString::String(s)) => s,
                None => {
                    self.out.unmapped += 1;
                    String::new()
                }
            };
            self.out.glyphs.push(Glyph {
                text,
                x: origin.x,
                y: origin.y,
                size,
                vertical,
            });
        }
    }
    fn draw_image(&mut self, _: Image<'_, '_>, _: ImageDrawProps<'_>) {
        self.out.images += 1;
    }
    fn pop_clip(&mut self) {}
    fn pop_transparency_group(&mut self) {}
}

/// Runs one page's content stream and collects its glyphs. hayro reports the problems of a broken
/// stream by drawing less, never by failing; a page it cannot read yields fewer (or no) glyphs.
pub fn page_glyphs<'a>(
    page: &hayro_interpret::hayro_syntax::page::Page<'a>,
    xref: &'a hayro_interpret::hayro_syntax::xref::XRef,
    cache: &InterpreterCache<'a>,
) -> PageGlyphs {
    let bbox = page.intersected_crop_box();
    let (width, height) = (bbox.width().abs(), bbox.height().abs());
    // PDF user space has y up from the box's lower left corner.
    let to_page = Affine::new([
        1.0,
        0.0,
        0.0,
        -1.0,
        -bbox.x0.min(bbox.x1),
        bbox.y0.max(bbox.y1),
    ]);
    let mut ctx = Context::new(
        Affine::IDENTITY,
        Rect::new(0.0, 0.0, width.max(1.0), height.max(1.0)),
        cache,
        xref,
        InterpreterSettings::default(),
    );
    let mut collector = Collector {
        to_page,
        out: PageGlyphs {
            width,
            height,
            ..PageGlyphs::default()
        },
    };
    interpret_page(page, &mut ctx, &mut collector);
    collector.out
}
