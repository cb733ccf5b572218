//! The drawing primitives of the printable documents and their PDF form (pure, no database).
//!
//! A page is laid out as a list of [`Item`]s (text at a baseline, filled rectangles) in points
//! from the top-left corner, so the layout can be checked in unit tests without reading a PDF;
//! [`render`] then writes the pages with `krilla`: the text in Noto Sans (regular and bold,
//! shipped in `assets/fonts/` under the SIL Open Font License and embedded in the binary),
//! subset to the glyphs used, with its Unicode mapping so the text can be copied and searched.
//! QR codes ([`qr_items`]) are drawn as filled rectangles, one per run of dark modules.

use std::sync::LazyLock;

use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::{Fill, FillRule};
use krilla::text::{Font, TextDirection};
use krilla::Document;
use rustybuzz::ttf_parser;
use unicode_normalization::UnicodeNormalization;

/// Noto Sans Regular (every Vietnamese glyph; SIL OFL 1.1, `assets/fonts/OFL.txt`).
static REGULAR_TTF: &[u8] = include_bytes!("../../assets/fonts/NotoSans-Regular.ttf");
/// Noto Sans Bold.
static BOLD_TTF: &[u8] = include_bytes!("../../assets/fonts/NotoSans-Bold.ttf");

/// A4 in points.
pub const A4_SHORT: f32 = 595.28;
/// A4 in points, the long side.
pub const A4_LONG: f32 = 841.89;

/// A typeface of the documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Weight {
    /// Noto Sans Regular.
    Regular,
    /// Noto Sans Bold.
    Bold,
}

/// The colours the documents use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ink {
    /// Body text.
    Black,
    /// Hints, rules, captions.
    Grey,
    /// Titles and frames.
    Navy,
    /// The revocation mark.
    Red,
    /// White (the QR code's quiet zone on a tinted background).
    White,
}

impl Ink {
    fn rgb(self) -> rgb::Color {
        match self {
            Ink::Black => rgb::Color::new(20, 20, 20),
            Ink::Grey => rgb::Color::new(110, 110, 110),
            Ink::Navy => rgb::Color::new(18, 52, 110),
            Ink::Red => rgb::Color::new(190, 20, 30),
            Ink::White => rgb::Color::new(255, 255, 255),
        }
    }
}

/// One thing drawn on a page, in points from the page's top-left corner.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    /// A line of text starting at `x`, its baseline at `y`.
    Text {
        /// Left edge.
        x: f32,
        /// Baseline.
        y: f32,
        /// Font size in points.
        size: f32,
        /// Typeface.
        weight: Weight,
        /// Colour.
        ink: Ink,
        /// The text (one line).
        text: String,
    },
    /// A filled rectangle.
    Rect {
        /// Left edge.
        x: f32,
        /// Top edge.
        y: f32,
        /// Width.
        w: f32,
        /// Height.
        h: f32,
        /// Colour.
        ink: Ink,
    },
}

/// A laid-out page.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Page {
    /// Width in points.
    pub width: f32,
    /// Height in points.
    pub height: f32,
    /// What is drawn, in order.
    pub items: Vec<Item>,
}

impl Page {
    /// An empty page of this size.
    pub fn new(width: f32, height: f32) -> Page {
        Page {
            width,
            height,
            items: Vec::new(),
        }
    }

    /// Every line of text on the page, in drawing order.
    pub fn texts(&self) -> impl Iterator<Item = &str> {
        self.items.iter().filter_map(|i| match i {
            Item::Text { text, .. } => Some(text.as_str()),
            Item::Rect { .. } => None,
        })
    }

    /// Adds a line of text (normalised to NFC, so that precomposed Vietnamese letters are drawn
    /// and extracted as one character each).
    pub fn text(&mut self, x: f32, y: f32, size: f32, weight: Weight, ink: Ink, text: &str) {
        self.items.push(Item::Text {
            x,
            y,
            size,
            weight,
            ink,
            text: text.nfc().collect(),
        });
    }

    /// Adds a line of text centred on `cx`.
    pub fn centred(&mut self, cx: f32, y: f32, size: f32, weight: Weight, ink: Ink, text: &str) {
        let w = width(text, weight, size);
        self.text(cx - w / 2.0, y, size, weight, ink, text);
    }

    /// Adds a line of text ending at `right`.
    pub fn right(&mut self, right: f32, y: f32, size: f32, weight: Weight, ink: Ink, text: &str) {
        let w = width(text, weight, size);
        self.text(right - w, y, size, weight, ink, text);
    }

    /// Adds a filled rectangle.
    pub fn rect(&mut self, x: f32, y: f32, w: f32, h: f32, ink: Ink) {
        self.items.push(Item::Rect { x, y, w, h, ink });
    }

    /// Adds the outline of a rectangle, `t` points thick, inside its bounds.
    pub fn frame(&mut self, x: f32, y: f32, w: f32, h: f32, t: f32, ink: Ink) {
        self.rect(x, y, w, t, ink);
        self.rect(x, y + h - t, w, t, ink);
        self.rect(x, y, t, h, ink);
        self.rect(x + w - t, y, t, h, ink);
    }
}

/// The parsed fonts, for measuring and drawing.
struct Fonts {
    regular: ttf_parser::Face<'static>,
    bold: ttf_parser::Face<'static>,
    regular_pdf: Font,
    bold_pdf: Font,
}

static FONTS: LazyLock<Fonts> = LazyLock::new(|| Fonts {
    regular: ttf_parser::Face::parse(REGULAR_TTF, 0).expect("the shipped regular font parses"),
    bold: ttf_parser::Face::parse(BOLD_TTF, 0).expect("the shipped bold font parses"),
    regular_pdf: Font::new(REGULAR_TTF.into(), 0).expect("the shipped regular font loads"),
    bold_pdf: Font::new(BOLD_TTF.into(), 0).expect("the shipped bold font loads"),
});

fn face(weight: Weight) -> &'static ttf_parser::Face<'static> {
    match weight {
        Weight::Regular => &FONTS.regular,
        Weight::Bold => &FONTS.bold,
    }
}

/// Whether the shipped fonts have a glyph for every character of `text` (spaces aside).
pub fn has_glyphs(text: &str) -> bool {
    let text: String = text.nfc().collect();
    [Weight::Regular, Weight::Bold].iter().all(|w| {
        text.chars()
            .filter(|c| !c.is_whitespace())
            .all(|c| face(*w).glyph_index(c).is_some_and(|g| g.0 != 0))
    })
}

/// The width of one line of `text` in points (advance widths; Vietnamese marks are
/// precomposed after NFC, and the few combining ones advance by zero).
pub fn width(text: &str, weight: Weight, size: f32) -> f32 {
    let f = face(weight);
    let per_unit = size / f32::from(f.units_per_em());
    let missing = f.glyph_hor_advance(ttf_parser::GlyphId(0)).unwrap_or(0);
    text.nfc()
        .map(|c| {
            f.glyph_index(c)
                .and_then(|g| f.glyph_hor_advance(g))
                .unwrap_or(missing)
        })
        .map(|a| f32::from(a) * per_unit)
        .sum()
}

/// Breaks `text` into lines no wider than `max_w` at `size`, at spaces; a word wider than a whole
/// line is broken between letters.
pub fn wrap(text: &str, weight: Weight, size: f32, max_w: f32) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let candidate = if line.is_empty() {
            word.to_string()
        } else {
            format!("{line} {word}")
        };
        if width(&candidate, weight, size) <= max_w {
            line = candidate;
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        if width(word, weight, size) <= max_w {
            line = word.to_string();
            continue;
        }
        for c in word.nfc() {
            let mut next = line.clone();
            next.push(c);
            if !line.is_empty() && width(&next, weight, size) > max_w {
                lines.push(std::mem::take(&mut line));
                line.push(c);
            } else {
                line = next;
            }
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// Text fitted into a box: its size and lines.
#[derive(Debug, Clone, PartialEq)]
pub struct Fitted {
    /// Font size.
    pub size: f32,
    /// The lines, each no wider than the box.
    pub lines: Vec<String>,
    /// Distance between baselines.
    pub leading: f32,
}

/// Fits `text` into a box `max_w` wide and `max_h` high: the largest of `sizes` (largest
/// first) at which its wrapped lines fit; at the smallest size, the lines that fit with the last
/// one cut and ended with `…`. Nothing is ever wider than the box.
pub fn fit(text: &str, weight: Weight, sizes: &[f32], max_w: f32, max_h: f32) -> Fitted {
    const LEADING: f32 = 1.2;
    for &size in sizes {
        let lines = wrap(text, weight, size, max_w);
        if lines.len() as f32 * size * LEADING <= max_h + 0.01 {
            return Fitted {
                size,
                lines,
                leading: size * LEADING,
            };
        }
    }
    let size = sizes.last().copied().unwrap_or(8.0);
    let room = ((max_h / (size * LEADING)).floor() as usize).max(1);
    let mut lines = wrap(text, weight, size, max_w);
    if lines.len() > room {
        lines.truncate(room);
        let last = lines.last_mut().expect("at least one line");
        loop {
            let cut = format!("{}…", last.trim_end());
            if width(&cut, weight, size) <= max_w || last.is_empty() {
                *last = cut;
                break;
            }
            last.pop();
        }
    }
    Fitted {
        size,
        lines,
        leading: size * LEADING,
    }
}

/// A QR code of `data` (error correction M) as filled rectangles, `side` points wide with its
/// four-module quiet zone, its top-left corner at (`x`, `y`): a white square, then one dark
/// rectangle per horizontal run of dark modules. `None` if the data is too long for a QR code.
pub fn qr_items(data: &str, x: f32, y: f32, side: f32) -> Option<Vec<Item>> {
    let code = qrcode::QrCode::with_error_correction_level(data, qrcode::EcLevel::M).ok()?;
    let n = code.width();
    let module = side / (n + 8) as f32;
    let colors = code.to_colors();
    let mut items = vec![Item::Rect {
        x,
        y,
        w: side,
        h: side,
        ink: Ink::White,
    }];
    for row in 0..n {
        let mut col = 0;
        while col < n {
            if colors[row * n + col] != qrcode::Color::Dark {
                col += 1;
                continue;
            }
            let start = col;
            while col < n && colors[row * n + col] == qrcode::Color::Dark {
                col += 1;
            }
            items.push(Item::Rect {
                x: x + (start + 4) as f32 * module,
                y: y + (row + 4) as f32 * module,
                w: (col - start) as f32 * module,
                // A hair taller, so that no seam shows between rows when the page is rasterised.
                h: module * 1.02,
                ink: Ink::Black,
            });
        }
    }
    Some(items)
}

/// Writes the pages as one PDF document with its title (and the language of its text).
pub fn render(pages: &[Page], title: &str, language: &str) -> Result<Vec<u8>, String> {
    let fonts = &*FONTS;
    let mut doc = Document::new();
    doc.set_metadata(
        krilla::metadata::Metadata::new()
            .title(title.to_string())
            .language(language.to_string())
            .creator("cadre-training".to_string()),
    );
    for p in pages {
        let settings = PageSettings::from_wh(p.width, p.height)
            .ok_or_else(|| format!("bad page size {}×{}", p.width, p.height))?;
        let mut page = doc.start_page_with(settings);
        let mut surface = page.surface();
        for item in &p.items {
            match item {
                Item::Text {
                    x,
                    y,
                    size,
                    weight,
                    ink,
                    text,
                } => {
                    if text.is_empty() {
                        continue;
                    }
                    surface.set_fill(Some(fill(*ink)));
                    let font = match weight {
                        Weight::Regular => fonts.regular_pdf.clone(),
                        Weight::Bold => fonts.bold_pdf.clone(),
                    };
                    surface.draw_text(
                        Point::from_xy(*x, *y),
                        font,
                        *size,
                        text,
                        false,
                        TextDirection::Auto,
                    );
                }
                Item::Rect { x, y, w, h, ink } => {
                    let Some(rect) = Rect::from_xywh(*x, *y, *w, *h) else {
                        continue;
                    };
                    let mut pb = PathBuilder::new();
                    pb.push_rect(rect);
                    if let Some(path) = pb.finish() {
                        surface.set_fill(Some(fill(*ink)));
                        surface.draw_path(&path);
                    }
                }
            }
        }
        surface.finish();
        page.finish();
    }
    doc.finish().map_err(|e| format!("PDF not written: {e:?}"))
}

fn fill(ink: Ink) -> Fill {
    Fill {
        paint: ink.rgb().into(),
        opacity: NormalizedF32::ONE,
        rule: FillRule::NonZero,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fonts_have_every_vietnamese_letter() {
        let lower = "aàáảãạăằắẳẵặâầấẩẫậbcdđeèéẻẽẹêềếểễệghiìíỉĩịklmnoòóỏõọôồốổỗộơờớởỡợpqrstuùúủũụưừứửữựvxyỳýỷỹỵ";
        assert!(has_glyphs(lower));
        assert!(has_glyphs(&lower.to_uppercase()));
        assert!(has_glyphs("ĐÃ THU HỒI — №/–…"));
    }

    #[test]
    fn widths_grow_with_text_and_size() {
        let a = width("Nguyễn", Weight::Regular, 10.0);
        assert!(a > 20.0 && a < 50.0, "{a}");
        assert!((width("Nguyễn", Weight::Regular, 20.0) - 2.0 * a).abs() < 0.01);
        assert!(width("Nguyễn", Weight::Bold, 10.0) > a);
        // The same text decomposed (NFD) measures the same as precomposed.
        let nfd: String = "Nguyễn".nfd().collect();
        assert!((width(&nfd, Weight::Regular, 10.0) - a).abs() < 0.01);
    }

    #[test]
    fn wrapping_and_fitting_never_overflow() {
        let long = "Tôn Nữ Thị Hoàng Phương Thảo Nguyên Khánh Ngọc Bảo Châu Huyền Trân";
        for line in wrap(long, Weight::Bold, 12.0, 100.0) {
            assert!(width(&line, Weight::Bold, 12.0) <= 100.0, "{line}");
        }
        let word = "Khôngcókhoảngtrắngnàotrongtênrấtdàinày";
        let lines = wrap(word, Weight::Regular, 10.0, 60.0);
        assert!(lines.len() > 1);
        assert!(lines
            .iter()
            .all(|l| width(l, Weight::Regular, 10.0) <= 60.0));
        assert_eq!(lines.concat(), word);
        // Fits on one line at a smaller size.
        let f = fit(
            "Nguyễn Văn An",
            Weight::Regular,
            &[30.0, 20.0, 10.0],
            80.0,
            14.0,
        );
        assert_eq!(f.lines, ["Nguyễn Văn An"]);
        assert!(f.size < 30.0);
        // Too long for the box at any size: cut with an ellipsis, still inside.
        let f = fit(&long.repeat(5), Weight::Regular, &[10.0, 8.0], 80.0, 20.0);
        assert_eq!(f.lines.len(), 2, "{f:?}");
        assert!(f.lines[1].ends_with('…'));
        assert!(f
            .lines
            .iter()
            .all(|l| width(l, Weight::Regular, 8.0) <= 80.0));
    }

    #[test]
    fn a_qr_code_is_drawn_inside_its_square() {
        let items = qr_items(
            "http://127.0.0.1:8000/#/verify/TCB-2026-000001?code=ABCDEFGHJK",
            10.0,
            20.0,
            100.0,
        )
        .expect("fits");
        assert!(items.len() > 50);
        for i in &items {
            let Item::Rect { x, y, w, h, .. } = i else {
                panic!("only rectangles")
            };
            assert!(
                *x >= 10.0 && *y >= 20.0 && x + w <= 110.01 && y + h <= 120.5,
                "{i:?}"
            );
        }
    }

    #[test]
    fn renders_a_pdf() {
        let mut p = Page::new(A4_LONG, A4_SHORT);
        p.text(50.0, 50.0, 20.0, Weight::Bold, Ink::Navy, "GIẤY CHỨNG NHẬN");
        p.frame(10.0, 10.0, 100.0, 100.0, 2.0, Ink::Navy);
        let bytes = render(&[p], "Giấy chứng nhận", "vi").expect("renders");
        assert!(bytes.starts_with(b"%PDF"));
        // The font is subset: far smaller than the 500 kB font file.
        assert!(bytes.len() < 60_000, "{}", bytes.len());
    }
}
