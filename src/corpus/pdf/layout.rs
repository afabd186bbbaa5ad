//! A PDF page's glyphs rebuilt into articles: glyphs → lines → blocks → reading order → articles.
//!
//! 1. **Glyphs.** A glyph drawn again at (almost) the same place with the same text (a fake bold, or a
//!    shadow) is kept once: within 15% of its size in both directions.
//! 2. **Lines.** Horizontal glyphs are grouped by baseline (within 30% of their size) and, along a
//!    baseline, cut where the gap to the next glyph exceeds 80% of its size (a column gutter). A gap of more than
//!    a fifth of the size between two Latin letters or digits is a space. Vertical glyphs (a `-V` CMap)
//!    make lines of their own, top to bottom, grouped by x; they are never mixed with horizontal rows.
//! 3. **Blocks.** A line joins the block whose last line is right above it: gap at most 1.2 × its size,
//!    sizes within 12%, and the two overlapping by half the narrower width. A block is a column's piece of
//!    text, or a stack of heading lines of one size.
//! 4. **Reading order** (a recursive XY cut on the blocks): a region is cut first at every horizontal gap
//!    that no block crosses, read top to bottom; a region with no such gap is cut at every vertical gap
//!    (gutter) of at least half the body size that no block crosses, read left to right. A band that holds
//!    nothing but headings side by side (two articles' headlines on one row) is not cut from the band below:
//!    each heading goes with the columns under it.
//! 5. **Articles.** The body size is the size of most glyphs. Blocks within the top or bottom 8% of the page
//!    whose text is no larger than the body are the page header and footer. A run of blocks larger than
//!    the body (by 8%) is an article's head: its largest line the headline, the lines above it the kicker
//!    (引题), those below it the subtitle (副题, without its leading dashes); each head starts an article, in
//!    reading order. Lines starting with `◎` or naming a reporter (`本报记者`, `记者`, `通讯员`) at the
//!    top of an article are its byline. Paragraphs start at an indented line (by more than 60% of the size)
//!    or after a line that ends a sentence short of the column's right edge (by more than 1.5 × the size: a
//!    short line alone may be one that a Latin word did not fit); the first
//!    line of a column that is not indented continues the paragraph left open at the end of the previous
//!    column (a sentence that runs across a column stays one sentence).

use super::glyphs::{Glyph, PageGlyphs};

/// A line of text on the page: its text and its box (points, page top-left origin, y down).
#[derive(Debug, Clone)]
pub struct Line {
    /// The line's text.
    pub text: String,
    /// Left edge.
    pub x0: f64,
    /// Right edge.
    pub x1: f64,
    /// Top edge.
    pub top: f64,
    /// Bottom edge.
    pub bottom: f64,
    /// Font size of most of its glyphs, points.
    pub size: f64,
}

/// One article of a PDF page, in reading order.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct PdfArticle {
    /// The headline, if the article has one.
    pub headline: Option<String>,
    /// The kicker (引题) above the headline.
    pub kicker: Option<String>,
    /// The subtitle (副题) below the headline, without its leading dashes.
    pub subtitle: Option<String>,
    /// The byline lines, as printed (`◎本报记者 测试甲`), joined by a space.
    pub byline: Option<String>,
    /// The body paragraphs, each one string (lines joined; a sentence run across columns is one).
    pub paragraphs: Vec<String>,
}

/// A PDF page rebuilt: its articles, and the text that is not body text.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct PdfPage {
    /// The 1-based page number in the file.
    pub number: u32,
    /// The articles in reading order.
    pub articles: Vec<PdfArticle>,
    /// The page header's lines (page number, section, date, paper).
    pub header: Vec<String>,
    /// The page footer's lines.
    pub footer: Vec<String>,
}

fn is_wide(c: char) -> bool {
    let u = c as u32;
    (0x1100..=0x115F).contains(&u)
        || (0x2E80..=0xA4CF).contains(&u)
        || (0xAC00..=0xD7A3).contains(&u)
        || (0xF900..=0xFAFF).contains(&u)
        || (0xFE30..=0xFE4F).contains(&u)
        || (0xFF00..=0xFF60).contains(&u)
        || (0xFFE0..=0xFFE6).contains(&u)
        || (0x20000..=0x3FFFD).contains(&u)
        || matches!(c, '“' | '”' | '‘' | '’' | '—' | '…')
}

/// The advance of a glyph, estimated from its text (the font's widths are not needed to find gaps): a
/// wide character takes its size, anything else half of it.
fn advance(g: &Glyph) -> f64 {
    g.text
        .chars()
        .map(|c| match c {
            // Full-width stops and commas are inked in their em's left half, and hang past a column's
            // edge: counted by their ink, so that a gutter after one is still a gap.
            '。' | '，' | '、' | '．' | '：' | '；' => 0.5,
            c if is_wide(c) => 1.0,
            'A'..='Z' | 'm' | 'w' => 0.65,
            ' ' => 0.25,
            _ => 0.5,
        })
        .sum::<f64>()
        .max(0.25)
        * g.size
}

fn is_latin(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '%' | '.' | ',' | ')' | ';' | ':')
}

/// Drops glyphs drawn twice at almost the same place (fake bold, shadows): the first one drawn stays.
fn dedupe(glyphs: &[Glyph]) -> Vec<Glyph> {
    use std::collections::HashMap;
    // Glyphs kept, by text and grid cell: their positions.
    let mut seen: HashMap<(String, i64, i64), Vec<(f64, f64)>> = HashMap::new();
    let mut out = Vec::with_capacity(glyphs.len());
    for g in glyphs {
        let cell = (g.size * 0.5).max(0.5);
        let (cx, cy) = ((g.x / cell).floor() as i64, (g.y / cell).floor() as i64);
        let tol = g.size * 0.15;
        let dup = (-1..=1).any(|dx| {
            (-1..=1).any(|dy| {
                seen.get(&(g.text.clone(), cx + dx, cy + dy))
                    .is_some_and(|v| {
                        v.iter()
                            .any(|&(x, y)| (x - g.x).abs() <= tol && (y - g.y).abs() <= tol)
                    })
            })
        });
        if dup {
            continue;
        }
        seen.entry((g.text.clone(), cx, cy))
            .or_default()
            .push((g.x, g.y));
        out.push(g.clone());
    }
    out
}

fn median_size(glyphs: &[&Glyph]) -> f64 {
    let mut s: Vec<f64> = glyphs.iter().map(|g| g.size).collect();
    s.sort_by(f64::total_cmp);
    s.get(s.len() / 2).copied().unwrap_or(0.0)
}

/// Horizontal glyphs → lines.
fn horizontal_lines(glyphs: &[&Glyph]) -> Vec<Line> {
    let mut sorted: Vec<&Glyph> = glyphs.to_vec();
    sorted.sort_by(|a, b| a.y.total_cmp(&b.y).then(a.x.total_cmp(&b.x)));
    let mut rows: Vec<Vec<&Glyph>> = Vec::new();
    for g in sorted {
        match rows.last_mut() {
            Some(row) if (row[0].y - g.y).abs() <= 0.3 * g.size.min(row[0].size) => row.push(g),
            _ => rows.push(vec![g]),
        }
    }
    let mut lines = Vec::new();
    for mut row in rows {
        row.sort_by(|a, b| a.x.total_cmp(&b.x));
        let mut seg: Vec<&Glyph> = Vec::new();
        for g in row {
            if let Some(prev) = seg.last() {
                let gap = g.x - (prev.x + advance(prev));
                if gap > 0.8 * prev.size.max(g.size) {
                    lines.push(make_line(&seg));
                    seg.clear();
                }
            }
            seg.push(g);
        }
        if !seg.is_empty() {
            lines.push(make_line(&seg));
        }
    }
    lines.retain(|l| !l.text.is_empty());
    lines
}

fn make_line(seg: &[&Glyph]) -> Line {
    let size = median_size(seg);
    let mut text = String::new();
    let mut prev: Option<&Glyph> = None;
    for g in seg {
        if g.text.trim().is_empty() {
            // A space drawn as a glyph: one space, between words only.
            if !text.is_empty() && !text.ends_with(' ') {
                text.push(' ');
            }
            prev = None;
            continue;
        }
        if let Some(p) = prev {
            let gap = g.x - (p.x + advance(p));
            let (pc, gc) = (p.text.chars().last(), g.text.chars().next());
            if gap > 0.4 * size
                && pc.is_some_and(is_latin)
                && gc.is_some_and(|c| c.is_ascii_alphanumeric())
            {
                text.push(' ');
            }
        }
        text.push_str(&g.text);
        prev = Some(g);
    }
    let text = text.trim_end().to_string();
    let first = seg
        .iter()
        .find(|g| !g.text.trim().is_empty())
        .unwrap_or(&seg[0]);
    let last = seg
        .iter()
        .rev()
        .find(|g| !g.text.trim().is_empty())
        .unwrap_or(&seg[seg.len() - 1]);
    let baseline = seg.iter().map(|g| g.y).sum::<f64>() / seg.len() as f64;
    Line {
        text,
        x0: first.x,
        x1: last.x + advance(last),
        top: baseline - 0.88 * size,
        bottom: baseline + 0.12 * size,
        size,
    }
}

/// Vertical glyphs → lines read top to bottom (one per column of glyphs).
fn vertical_lines(glyphs: &[&Glyph]) -> Vec<Line> {
    let mut sorted: Vec<&Glyph> = glyphs.to_vec();
    sorted.sort_by(|a, b| b.x.total_cmp(&a.x).then(a.y.total_cmp(&b.y)));
    let mut cols: Vec<Vec<&Glyph>> = Vec::new();
    for g in sorted {
        match cols.last_mut() {
            Some(col) if (col[0].x - g.x).abs() <= 0.3 * g.size => col.push(g),
            _ => cols.push(vec![g]),
        }
    }
    let mut lines = Vec::new();
    for mut col in cols {
        col.sort_by(|a, b| a.y.total_cmp(&b.y));
        let mut seg: Vec<&Glyph> = Vec::new();
        let flush = |seg: &mut Vec<&Glyph>, lines: &mut Vec<Line>| {
            if seg.is_empty() {
                return;
            }
            let size = median_size(seg);
            let x = seg.iter().map(|g| g.x).fold(f64::INFINITY, f64::min);
            lines.push(Line {
                text: seg.iter().map(|g| g.text.as_str()).collect(),
                x0: x - size / 2.0,
                x1: x + size / 2.0,
                top: seg[0].y,
                bottom: seg[seg.len() - 1].y + size,
                size,
            });
            seg.clear();
        };
        for g in col {
            if seg
                .last()
                .is_some_and(|p: &&Glyph| g.y - (p.y + p.size) > p.size)
            {
                flush(&mut seg, &mut lines);
            }
            seg.push(g);
        }
        flush(&mut seg, &mut lines);
    }
    lines
}

/// A block: lines of one column piece (or one heading stack), top to bottom.
#[derive(Debug, Clone)]
struct Block {
    lines: Vec<Line>,
    x0: f64,
    x1: f64,
    top: f64,
    bottom: f64,
}

impl Block {
    fn new(line: Line) -> Self {
        Block {
            x0: line.x0,
            x1: line.x1,
            top: line.top,
            bottom: line.bottom,
            lines: vec![line],
        }
    }
    fn push(&mut self, line: Line) {
        self.x0 = self.x0.min(line.x0);
        self.x1 = self.x1.max(line.x1);
        self.bottom = self.bottom.max(line.bottom);
        self.top = self.top.min(line.top);
        self.lines.push(line);
    }
    fn size(&self) -> f64 {
        let mut s: Vec<f64> = self.lines.iter().map(|l| l.size).collect();
        s.sort_by(f64::total_cmp);
        s[s.len() / 2]
    }
}

fn blocks(mut lines: Vec<Line>) -> Vec<Block> {
    lines.sort_by(|a, b| a.top.total_cmp(&b.top).then(a.x0.total_cmp(&b.x0)));
    let mut blocks: Vec<Block> = Vec::new();
    for line in lines {
        let mut best: Option<(usize, f64)> = None;
        for (i, b) in blocks.iter().enumerate() {
            let last = &b.lines[b.lines.len() - 1];
            let gap = line.top - last.bottom;
            let ratio = line.size / last.size;
            let overlap = line.x1.min(last.x1) - line.x0.max(last.x0);
            let narrower = (line.x1 - line.x0).min(last.x1 - last.x0);
            if gap > -0.3 * line.size
                && gap <= 1.2 * line.size
                && (0.88..=1.0 / 0.88).contains(&ratio)
                && overlap >= 0.5 * narrower
                && best.is_none_or(|(_, g)| gap < g)
            {
                best = Some((i, gap));
            }
        }
        match best {
            Some((i, _)) => blocks[i].push(line),
            None => blocks.push(Block::new(line)),
        }
    }
    blocks
}

/// Gaps of the union of intervals: (start, end) of each gap between them, in order.
fn gaps(mut spans: Vec<(f64, f64)>) -> Vec<(f64, f64)> {
    spans.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut out = Vec::new();
    let mut end = f64::NEG_INFINITY;
    for (a, b) in spans {
        if end > f64::NEG_INFINITY && a > end {
            out.push((end, a));
        }
        end = end.max(b);
    }
    out
}

/// Reading order of `ids` (indices into `blocks`) by the recursive XY cut of the module docs.
fn xy_order(
    blocks: &[Block],
    ids: Vec<usize>,
    body: f64,
    heads: &[bool],
    out: &mut Vec<usize>,
    depth: usize,
) {
    if ids.len() <= 1 || depth > 64 {
        let mut ids = ids;
        ids.sort_by(|&a, &b| blocks[a].top.total_cmp(&blocks[b].top));
        out.extend(ids);
        return;
    }
    let hg = gaps(
        ids.iter()
            .map(|&i| (blocks[i].top, blocks[i].bottom))
            .collect(),
    );
    if !hg.is_empty() {
        let mut bands: Vec<Vec<usize>> = vec![Vec::new(); hg.len() + 1];
        for &i in &ids {
            let k = hg.iter().take_while(|g| g.1 <= blocks[i].top).count();
            bands[k].push(i);
        }
        // A band of headings side by side goes with the band below it.
        let mut merged: Vec<Vec<usize>> = Vec::new();
        let mut carry: Vec<usize> = Vec::new();
        for band in bands {
            let mut band = band;
            band.append(&mut carry);
            let side_by_side = band.len() > 1
                && band.iter().all(|&i| heads[i])
                && !gaps(band.iter().map(|&i| (blocks[i].x0, blocks[i].x1)).collect()).is_empty();
            if side_by_side {
                carry = band;
            } else {
                merged.push(band);
            }
        }
        if !carry.is_empty() {
            merged.push(carry);
        }
        if merged.len() > 1 {
            for band in merged {
                xy_order(blocks, band, body, heads, out, depth + 1);
            }
            return;
        }
    }
    let vg: Vec<(f64, f64)> = gaps(ids.iter().map(|&i| (blocks[i].x0, blocks[i].x1)).collect())
        .into_iter()
        .filter(|g| g.1 - g.0 >= 0.5 * body)
        .collect();
    if !vg.is_empty() {
        let mut cols: Vec<Vec<usize>> = vec![Vec::new(); vg.len() + 1];
        for &i in &ids {
            let k = vg.iter().take_while(|g| g.1 <= blocks[i].x0).count();
            cols[k].push(i);
        }
        for col in cols {
            xy_order(blocks, col, body, heads, out, depth + 1);
        }
        return;
    }
    let mut ids = ids;
    ids.sort_by(|&a, &b| {
        blocks[a]
            .top
            .total_cmp(&blocks[b].top)
            .then(blocks[a].x0.total_cmp(&blocks[b].x0))
    });
    out.extend(ids);
}

fn is_byline(text: &str) -> bool {
    let t = text.trim();
    t.starts_with(['◎', '■', '□', '●'])
        || ((t.starts_with("本报记者")
            || t.starts_with("记者")
            || t.starts_with("通讯员")
            || t.starts_with("本报通讯员"))
            && t.chars().count() <= 30
            && !t.contains(['。', '，']))
}

fn ends_sentence(text: &str) -> bool {
    text.trim_end()
        .trim_end_matches(['”', '’', '」', '』', '）', ')', '"', '\''])
        .ends_with(['。', '！', '？', '!', '?', '…', '；'])
}

/// Rebuilds a page's articles from its glyphs (the rules are in the module docs).
pub fn layout(number: u32, page: &PageGlyphs) -> PdfPage {
    let glyphs = dedupe(&page.glyphs);
    // The body size: the size of most glyphs (by half points).
    let mut counts: std::collections::HashMap<i64, usize> = std::collections::HashMap::new();
    for g in &glyphs {
        *counts.entry((g.size * 2.0).round() as i64).or_default() += g.text.chars().count();
    }
    let body = counts
        .iter()
        .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
        .map(|(k, _)| *k as f64 / 2.0)
        .unwrap_or(10.0)
        .max(1.0);
    let (vert, horiz): (Vec<&Glyph>, Vec<&Glyph>) = glyphs.iter().partition(|g| g.vertical);
    let mut lines = horizontal_lines(&horiz);
    let vlines = vertical_lines(&vert);
    let mut result = PdfPage {
        number,
        ..PdfPage::default()
    };
    // Header and footer lines: near the page's top or bottom edge and no larger than the body.
    let margin = page.height * 0.08;
    lines.retain(|l| {
        if l.size > body * 1.08 {
            return true;
        }
        if l.bottom <= margin {
            result.header.push(l.text.clone());
            false
        } else if l.top >= page.height - margin {
            result.footer.push(l.text.clone());
            false
        } else {
            true
        }
    });
    let mut all = blocks(lines);
    all.extend(vlines.into_iter().map(Block::new));
    let heads: Vec<bool> = all.iter().map(|b| b.size() > body * 1.08).collect();
    let mut order = Vec::new();
    xy_order(&all, (0..all.len()).collect(), body, &heads, &mut order, 0);

    let mut current: Option<PdfArticle> = None;
    // The head being read (kicker, headline, subtitle lines with their sizes).
    let mut head: Vec<(String, f64)> = Vec::new();
    // The current paragraph is open (its last line did not end it).
    let mut open = false;
    let finish_head = |head: &mut Vec<(String, f64)>,
                       articles: &mut Vec<PdfArticle>,
                       current: &mut Option<PdfArticle>| {
        if head.is_empty() {
            return;
        }
        if let Some(a) = current.take() {
            articles.push(a);
        }
        let max = head.iter().map(|h| h.1).fold(0.0, f64::max);
        let at = head.iter().position(|h| h.1 >= max * 0.97).unwrap_or(0);
        let mut end = at + 1;
        while end < head.len() && head[end].1 >= max * 0.97 {
            end += 1;
        }
        let join = |s: &[(String, f64)]| {
            let t: Vec<&str> = s.iter().map(|h| h.0.as_str()).collect();
            let t = t.join("");
            (!t.trim().is_empty()).then(|| t.trim().to_string())
        };
        *current = Some(PdfArticle {
            kicker: join(&head[..at]),
            headline: join(&head[at..end]),
            subtitle: join(&head[end..])
                .map(|s| s.trim_start_matches(['—', '-', '－', '–', ' ']).to_string()),
            ..PdfArticle::default()
        });
        head.clear();
    };
    for &bi in &order {
        let b = &all[bi];
        if heads[bi] {
            for l in &b.lines {
                head.push((l.text.clone(), l.size));
            }
            continue;
        }
        finish_head(&mut head, &mut result.articles, &mut current);
        let article = current.get_or_insert_with(PdfArticle::default);
        let x0 = b.lines.iter().map(|l| l.x0).fold(f64::INFINITY, f64::min);
        // The column's right edge: where most of its lines end (a line may hang a mark past it).
        let mut ends: Vec<f64> = b.lines.iter().map(|l| l.x1).collect();
        ends.sort_by(f64::total_cmp);
        let x1 = ends[ends.len() * 3 / 4];
        for l in &b.lines {
            if article.paragraphs.is_empty() && is_byline(&l.text) {
                let by = article.byline.get_or_insert_with(String::new);
                if !by.is_empty() {
                    by.push(' ');
                }
                by.push_str(l.text.trim());
                open = false;
                continue;
            }
            let indented = l.x0 > x0 + 0.6 * l.size;
            let starts = indented || !open;
            if starts || article.paragraphs.is_empty() {
                article.paragraphs.push(String::new());
            }
            let para = article
                .paragraphs
                .last_mut()
                .expect("a paragraph was pushed");
            if para.chars().last().is_some_and(is_latin)
                && l.text.starts_with(|c: char| c.is_ascii_alphanumeric())
            {
                para.push(' ');
            }
            para.push_str(l.text.trim());
            let short = l.x1 < x1 - 1.5 * l.size;
            open = !(short && ends_sentence(&l.text));
        }
    }
    finish_head(&mut head, &mut result.articles, &mut current);
    if let Some(a) = current.take() {
        result.articles.push(a);
    }
    result
        .articles
        .retain(|a| !a.paragraphs.is_empty() || a.headline.is_some());
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    fn glyph(text: &str, x: f64, y: f64, size: f64, vertical: bool) -> Glyph {
        Glyph {
            text: text.to_string(),
            x,
            y,
            size,
            vertical,
        }
    }

    #[test]
    fn vertical_text_never_interleaves_the_rows_beside_it() {
        let mut glyphs = Vec::new();
        // Two rows of body text, and beside them a vertical column of five characters spanning both rows.
        for (row, text) in ["第一行的正文文字。", "第二行的正文文字。"]
            .iter()
            .enumerate()
        {
            for (i, c) in text.chars().enumerate() {
                glyphs.push(glyph(
                    &c.to_string(),
                    100.0 + 10.0 * i as f64,
                    200.0 + 14.0 * row as f64,
                    10.0,
                    false,
                ));
            }
        }
        for (i, c) in "竖排的标题".chars().enumerate() {
            glyphs.push(glyph(
                &c.to_string(),
                300.0,
                190.0 + 10.0 * i as f64,
                10.0,
                true,
            ));
        }
        let page = PageGlyphs {
            glyphs,
            width: 595.0,
            height: 842.0,
            ..PageGlyphs::default()
        };
        let out = layout(1, &page);
        let text: String = out
            .articles
            .iter()
            .flat_map(|a| a.paragraphs.iter().cloned())
            .collect::<Vec<_>>()
            .join("|");
        assert!(text.contains("竖排的标题"), "{text}");
        assert!(
            text.contains("第一行的正文文字。第二行的正文文字。"),
            "{text}"
        );
    }

    #[test]
    fn a_line_drawn_twice_is_read_once() {
        let mut glyphs = Vec::new();
        for dx in [0.0, 0.3] {
            for (i, c) in "加粗的正文一行。".chars().enumerate() {
                glyphs.push(glyph(
                    &c.to_string(),
                    100.0 + dx + 10.0 * i as f64,
                    300.0,
                    10.0,
                    false,
                ));
            }
        }
        let page = PageGlyphs {
            glyphs,
            width: 595.0,
            height: 842.0,
            ..PageGlyphs::default()
        };
        let out = layout(1, &page);
        assert_eq!(out.articles.len(), 1);
        assert_eq!(out.articles[0].paragraphs, ["加粗的正文一行。"]);
    }
}
