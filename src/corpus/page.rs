//! Newspaper pages: the articles of a page of text extracted from a printed newspaper's PDF.
//!
//! A page holds several articles, interleaved in the order its columns were read, with kickers (引题),
//! headlines, subheads, bylines, photo credits and captions, and sentences cut at a column end whose
//! continuation sits elsewhere in the file. [`layout`] rebuilds the articles: it classifies the page's
//! paragraphs, finds each article's head, re-joins the pieces of sentences broken across columns, and
//! assigns every block of body text to its article.
//!
//! Offsets are character (not byte) offsets into the text given to [`layout`], half-open ranges.
//!
//! Status: the interface is fixed; the layout itself is being built (issue 14). Until then
//! [`layout`] returns the whole page as one article, every paragraph in file order, nothing joined.

use std::ops::Range;

/// What a paragraph of a page is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BlockKind {
    /// Body text of an article.
    Body,
    /// A subhead inside an article (a short line between body paragraphs).
    Subhead,
    /// A photo caption; it belongs to an article but is not body text.
    Caption,
}

/// A paragraph of an article as read: one or more pieces of the file, joined in order (a sentence broken at
/// a column end continues in another piece).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Block {
    /// What the paragraph is.
    pub kind: BlockKind,
    /// The pieces, as character ranges of the page text, in reading order; never empty, each piece trimmed.
    pub pieces: Vec<Range<usize>>,
}

/// One article of a page.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
pub struct PageArticle {
    /// The headline's character range, if the article has one.
    pub title: Option<Range<usize>>,
    /// The kicker (引题) above the headline, if any.
    pub kicker: Option<Range<usize>>,
    /// The byline (`◎本报记者 王健高 实习记者 宋迎迎`, `通讯员 …`), as the ranges of its lines.
    pub byline: Vec<Range<usize>>,
    /// The article's blocks in reading order: body paragraphs, subheads, captions.
    pub blocks: Vec<Block>,
}

/// The articles of a page, and what belongs to none.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
pub struct Page {
    /// The articles, in the order their heads appear in the file.
    pub articles: Vec<PageArticle>,
    /// Photo credits (`视觉中国供图`, `张海韵摄`) and other lines that are not part of any article's text.
    pub credits: Vec<Range<usize>>,
}

/// Rebuilds the articles of a page of text (see the module docs). Never fails: a text that does not look
/// like a page comes back as one article.
pub fn layout(text: &str) -> Page {
    let chars: Vec<char> = text.chars().collect();
    let mut blocks = Vec::new();
    let mut start = None;
    let mut blank_run = 0;
    for (i, c) in chars.iter().enumerate() {
        if *c == '\n' {
            blank_run += 1;
        } else if !c.is_whitespace() {
            if blank_run >= 2
                && let Some(s) = start.take()
            {
                blocks.push(paragraph(&chars, s, i));
            }
            start.get_or_insert(i);
            blank_run = 0;
        }
    }
    if let Some(s) = start {
        blocks.push(paragraph(&chars, s, chars.len()));
    }
    Page {
        articles: vec![PageArticle {
            blocks,
            ..Default::default()
        }],
        credits: Vec::new(),
    }
}

/// The body paragraph `s..e`, trimmed.
fn paragraph(chars: &[char], s: usize, mut e: usize) -> Block {
    while e > s && chars[e - 1].is_whitespace() {
        e -= 1;
    }
    Block {
        kind: BlockKind::Body,
        pieces: std::iter::once(s..e).collect(),
    }
}
