//! Splitting an article into passages: paragraphs, cut at sentence ends when they are long, packed into
//! passages of at most [`SplitConfig::max_chars`] characters (the rules are in the [module docs](super)).

use super::stream::WINDOW_CHARS;
use super::titles::{heading_title, is_body, markdown_heading_line, trim_range};
use crate::text::sentence::{CLAUSE_MARKS, CLOSERS, end_mark};

/// Settings for splitting articles into passages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SplitConfig {
    /// The most characters (not bytes) in one passage. Default 300; 0 is treated as 1.
    pub max_chars: usize,
}

impl Default for SplitConfig {
    fn default() -> Self {
        SplitConfig { max_chars: 300 }
    }
}

/// One passage of an article: the unit that is indexed and returned as a hit.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Passage {
    /// The article's path relative to the corpus root, `/`-separated.
    pub path: String,
    /// The 0-based position of the passage among the article's passages.
    pub ordinal: u32,
    /// Character (not byte) offset of the passage's first character in the decoded text.
    pub start: usize,
    /// Character offset one past the passage's last character.
    pub end: usize,
    /// The nearest heading at or before the passage (see the module documentation).
    pub title: String,
    /// The title is a JSON Lines record's id, for want of a title or a heading: shown, but not indexed as a
    /// title (`xwlb-20161231-01` would make every query with 2016 in it favour that year's records).
    pub title_is_id: bool,
    /// Exactly the decoded text's characters `start..end`, untouched.
    pub text: String,
    /// The article's id: its path for a text file, its `id` field for a JSON Lines record.
    pub id: String,
    /// The article's date, if the record has one (JSON Lines only).
    pub date: Option<String>,
    /// The 1-based line of the record in its JSON Lines file (None for text files).
    pub line: Option<u64>,
    /// Is this the lead of its article: the first passage of body text at the start of the article or, in a
    /// text file (a page may hold several articles), after a heading? Headings, bylines `◎…` and photo
    /// credits `…摄`/`…供图` are not body text. In news writing the lead summarises the story.
    pub lead: bool,
    /// Does the article's title count as part of this passage? Yes for the lead of an article whose title is
    /// not a passage of its own: a record's or a page article's headline, a text file's name; no for a text
    /// whose heading lines are passages already (a headline word must not find the article twice).
    pub headline: bool,
    /// For a passage that re-joins pieces of the file (a sentence broken across a newspaper page's columns,
    /// [`split_page`]): the half-open character ranges of its pieces, in reading order (which may go back in
    /// the file); `text` is their characters concatenated, and `start..end` the smallest range that covers
    /// them. Empty for a passage that is the one range `start..end`.
    pub pieces: Vec<(usize, usize)>,
    /// What the article says about itself, where known: its kicker (引题, the line above a headline), its
    /// byline (reporters, with their roles), and its source (the agency or paper of its dateline, or the
    /// paper a page comes from).
    pub about: ArticleInfo,
}

/// What an article says about itself, beyond its title (see [`Passage::about`]).
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
pub struct ArticleInfo {
    /// The kicker (引题) above the headline.
    pub kicker: Option<String>,
    /// The byline: reporters and correspondents with their roles, lines joined by a space.
    pub byline: Option<String>,
    /// The source: a news agency or paper.
    pub source: Option<String>,
    /// The place of the dateline (`北京` of `新华社北京10月18日电`).
    pub place: Option<String>,
}

impl ArticleInfo {
    /// Reads the dateline at the start of `lead` (an article's first body paragraph,
    /// [`super::dateline::parse_dateline`]) into what is not known yet: the source (`本报` and the like become
    /// `paper` when it is known), the place, and the byline of the reporter group. Returns the dateline's
    /// date as `YYYY-MM-DD` when it has a month and a day and `reference` (the article's or the page's date,
    /// `YYYY-MM-DD`) gives the year: the same year, or the year before when the dateline's month is later
    /// ([`super::dateline::dateline_year`]).
    pub fn read_dateline(
        &mut self,
        lead: &str,
        paper: Option<&str>,
        reference: Option<&str>,
    ) -> Option<String> {
        // Read in simplified script (one character for one, so the dateline's length stays right):
        // `新華社北京10月18日電` is a dateline too.
        let simplified: String = lead
            .chars()
            .map(crate::text::normalize::simplified)
            .collect();
        let d = super::dateline::parse_dateline(&simplified)?;
        // 本报 (本台, 本网, 本刊) is the paper the text comes from: named when known, else not a source.
        let own_paper = matches!(d.source.as_str(), "本报" | "本台" | "本网" | "本刊");
        match paper {
            _ if !own_paper => self.source = Some(d.source.clone()),
            Some(p) => self.source = Some(p.to_string()),
            None => {}
        }
        if self.place.is_none() {
            self.place.clone_from(&d.place);
        }
        if self.byline.is_none() {
            self.byline.clone_from(&d.byline);
        }
        let (month, day) = (d.month?, d.day?);
        let (y, m) = reference.and_then(|r| {
            let mut it = r.split('-');
            let y: i32 = it.next()?.parse().ok()?;
            let m: u32 = it.next()?.parse().ok()?;
            Some((y, m))
        })?;
        let year = super::dateline::dateline_year(month, (y, m));
        Some(format!("{year:04}-{month:02}-{day:02}"))
    }
}

/// Splits an article's decoded text into passages, following the rules in the module
/// documentation. `path` is the article's path relative to the corpus root; it is copied into
/// each passage, decides whether Markdown headings are recognised, and gives the fallback title.
pub fn split_article(path: &str, text: &str, cfg: &SplitConfig) -> Vec<Passage> {
    split_text(
        path,
        path,
        None,
        text,
        cfg,
        is_markdown(path),
        false,
        WINDOW_CHARS,
    )
}

/// `window`: only a heading that begins within the first `window` characters titles the passages before it
/// (see [`WINDOW_CHARS`]).
#[allow(clippy::too_many_arguments)]
pub(super) fn split_text(
    path: &str,
    id: &str,
    title: Option<&str>,
    text: &str,
    cfg: &SplitConfig,
    markdown: bool,
    one_article: bool,
    window: usize,
) -> Vec<Passage> {
    let chars: Vec<char> = text.chars().collect();
    let paragraphs = paragraphs(&chars, markdown, window);
    let heading = paragraphs
        .iter()
        .take_while(|p| p.start < window)
        .find_map(|p| p.heading.clone());
    let has_heading = heading.is_some();
    let fallback = heading.unwrap_or_else(|| file_stem(id).to_owned());
    let max_chars = cfg.max_chars.max(1);

    let mut passages = Vec::new();
    let mut current: &str = title.unwrap_or(&fallback);
    // A file's name says what it is about; a record's id does not.
    let mut title_is_id = one_article && title.is_none() && !has_heading;
    // The current title is a heading line of the text (a passage of its own), not given nor the file's name.
    let mut from_heading = title.is_none() && has_heading;
    let mut want_lead = true;
    // What the dateline of the current article's lead says: for its passages from the lead on (a record: all
    // of them), until the next heading.
    let mut about = ArticleInfo::default();
    for paragraph in &paragraphs {
        if title.is_none()
            && let Some(heading) = &paragraph.heading
        {
            current = heading;
            title_is_id = false;
            from_heading = true;
        }
        if paragraph.heading.is_some() && !one_article {
            about = ArticleInfo::default();
        }
        // A record is one article: short lines of its body are not headings of other articles.
        let lead = if paragraph.heading.is_some() && !one_article {
            want_lead = true;
            false
        } else if want_lead && is_body(&chars[paragraph.start..paragraph.end], window) {
            want_lead = false;
            true
        } else {
            false
        };
        if lead {
            about = ArticleInfo::default();
            // (As many characters as the dateline reader looks at: a stream reads the same.)
            let end = paragraph.end.min(paragraph.start + super::dateline::WINDOW);
            let text: String = chars[paragraph.start..end].iter().collect();
            about.read_dateline(&text, None, None);
        }
        for (k, (start, end)) in split_paragraph(&chars, paragraph.start, paragraph.end, max_chars)
            .into_iter()
            .enumerate()
        {
            passages.push(Passage {
                path: path.to_owned(),
                ordinal: u32::try_from(passages.len()).unwrap_or(u32::MAX),
                start,
                end,
                title: current.to_owned(),
                title_is_id,
                text: chars[start..end].iter().collect(),
                id: id.to_owned(),
                date: None,
                line: None,
                lead: lead && k == 0,
                headline: lead && k == 0 && !title_is_id && !from_heading,
                pieces: Vec::new(),
                about: about.clone(),
            });
        }
    }
    if one_article {
        for p in &mut passages {
            p.about.clone_from(&about);
        }
    }
    passages
}

/// Splits a newspaper page into passages: the articles that [`super::page::layout`] rebuilds, each with its
/// own id (`path#a1`, `path#a2`, … in the order of their heads), its headline as title, its kicker and byline,
/// the page's `paper` as source and `date` (from `settings`); its blocks become passages as the paragraphs of
/// an article do (a long one cut at sentence ends), a re-joined block's passages carrying their
/// [`Passage::pieces`]. Credits are not passages. Ordinals count within each article.
pub fn split_page(
    path: &str,
    text: &str,
    settings: &super::FileSettings,
    cfg: &SplitConfig,
) -> Vec<Passage> {
    let page = super::page::layout(text);
    let chars: Vec<char> = text.chars().collect();
    let slice = |r: &std::ops::Range<usize>| -> String {
        chars[r.start.min(chars.len())..r.end.min(chars.len())]
            .iter()
            .collect()
    };
    let mut out = Vec::new();
    for (n, article) in page.articles.iter().enumerate() {
        let id = format!("{path}#a{}", n + 1);
        let kicker = article.kicker.as_ref().map(slice);
        let title = article
            .title
            .as_ref()
            .map(slice)
            .or_else(|| kicker.clone())
            .unwrap_or_else(|| file_stem(path).to_owned());
        // The byline's lines, without the marks a page sets before them (`◎本报记者 …`).
        let byline = (!article.byline.is_empty()).then(|| {
            article
                .byline
                .iter()
                .map(|r| {
                    slice(r)
                        .trim_start_matches(['◎', '■', '□', '●', '○'])
                        .trim()
                        .to_string()
                })
                .collect::<Vec<_>>()
                .join(" ")
        });
        // The article as read: its blocks' pieces concatenated, blocks separated by a blank line; `origin`
        // maps each of its characters to the page's (None for the blank lines).
        let mut virt: Vec<char> = Vec::new();
        let mut origin: Vec<Option<usize>> = Vec::new();
        for block in &article.blocks {
            if !virt.is_empty() {
                virt.extend(['\n', '\n']);
                origin.extend([None, None]);
            }
            for piece in &block.pieces {
                let (a, b) = (piece.start.min(chars.len()), piece.end.min(chars.len()));
                virt.extend(&chars[a..b]);
                origin.extend((a..b).map(Some));
            }
        }
        let virt_text: String = virt.iter().collect();
        let mut about = ArticleInfo {
            kicker: kicker.clone(),
            byline: byline.clone(),
            source: settings.paper.clone(),
            place: None,
        };
        // The article's lead: its first paragraph of body text (not a heading, byline or credit).
        let lead: String = article
            .blocks
            .iter()
            .filter(|b| b.kind == super::page::BlockKind::Body)
            .filter_map(|b| b.pieces.first())
            .map(|r| &chars[r.start.min(chars.len())..r.end.min(chars.len())])
            .find(|p| heading_title(p, false).is_none() && is_body(p, WINDOW_CHARS))
            .map(|p| p.iter().collect())
            .unwrap_or_default();
        let date = about
            .read_dateline(&lead, settings.paper.as_deref(), settings.date.as_deref())
            .or_else(|| settings.date.clone());
        for mut p in split_text(
            path,
            &id,
            Some(&title),
            &virt_text,
            cfg,
            false,
            true,
            WINDOW_CHARS,
        ) {
            let mut ranges: Vec<(usize, usize)> = Vec::new();
            for o in origin[p.start..p.end].iter().flatten() {
                match ranges.last_mut() {
                    Some(r) if r.1 == *o => r.1 += 1,
                    _ => ranges.push((*o, o + 1)),
                }
            }
            // The pieces may go back in the file (a continuation printed in an earlier column): start and end
            // cover them all.
            let (Some(start), Some(end)) = (
                ranges.iter().map(|r| r.0).min(),
                ranges.iter().map(|r| r.1).max(),
            ) else {
                continue;
            };
            p.start = start;
            p.end = end;
            p.pieces = if ranges.len() > 1 { ranges } else { Vec::new() };
            p.date.clone_from(&date);
            p.about = about.clone();
            out.push(p);
        }
    }
    out
}

/// A trimmed, non-empty paragraph: chars `start..end`, and its title if it is a heading.
pub(super) struct Paragraph {
    pub(super) start: usize,
    pub(super) end: usize,
    pub(super) heading: Option<String>,
}

/// Whether `path` names a Markdown file.
pub(super) fn is_markdown(path: &str) -> bool {
    path.get(path.len().saturating_sub(3)..)
        .is_some_and(|ext| ext.eq_ignore_ascii_case(".md"))
}

/// The last component of `path` without its extension.
pub(super) fn file_stem(path: &str) -> &str {
    let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
    match name.rfind('.') {
        Some(dot) if dot > 0 => &name[..dot],
        _ => name,
    }
}

/// Splits the text into paragraphs, recognising headings. A paragraph or a line longer than `window`
/// characters is never a heading (a stream reader does not hold that much to find out).
pub(super) fn paragraphs(chars: &[char], markdown: bool, window: usize) -> Vec<Paragraph> {
    let mut out = Vec::new();
    let mut push = |start: usize, end: usize| {
        let (start, end) = trim_range(chars, start, end);
        if start < end {
            let heading = (end - start <= window)
                .then(|| heading_title(&chars[start..end], markdown))
                .flatten();
            out.push(Paragraph {
                start,
                end,
                heading,
            });
        }
    };

    let mut run: Option<(usize, usize)> = None;
    let mut line_start = 0;
    while line_start <= chars.len() {
        let line_end = chars[line_start..]
            .iter()
            .position(|&c| c == '\n')
            .map_or(chars.len(), |i| line_start + i);
        let line = &chars[line_start..line_end];
        if line.iter().all(|c| c.is_whitespace()) {
            if let Some((start, end)) = run.take() {
                push(start, end);
            }
        } else if markdown && markdown_heading_line(line, window) {
            if let Some((start, end)) = run.take() {
                push(start, end);
            }
            push(line_start, line_end);
        } else {
            let start = run.map_or(line_start, |(start, _)| start);
            run = Some((start, line_end));
        }
        line_start = line_end + 1;
    }
    if let Some((start, end)) = run {
        push(start, end);
    }
    out
}

/// Splits the trimmed paragraph `start..end` into trimmed, non-empty passage ranges of at most
/// `max_chars` characters each.
pub(super) fn split_paragraph(
    chars: &[char],
    start: usize,
    end: usize,
    max_chars: usize,
) -> Vec<(usize, usize)> {
    if end - start <= max_chars {
        return vec![(start, end)];
    }
    let (pieces, _) = pieces(chars, start, end, max_chars, None);
    pack(&pieces, max_chars)
        .into_iter()
        .map(|p| (p.start, p.end))
        .collect()
}

/// A piece of a long paragraph: a trimmed sentence, or part of an over-long one.
pub(super) struct Piece {
    pub(super) start: usize,
    pub(super) end: usize,
    /// Index of its sentence.
    pub(super) sentence: usize,
}

/// A passage made of whole pieces.
pub(super) struct Packed {
    pub(super) start: usize,
    pub(super) end: usize,
    /// Index of its first piece.
    pub(super) first_piece: usize,
}

/// Cuts the trimmed paragraph `start..end` into pieces of at most `max_chars` characters: trimmed
/// sentences, over-long ones cut further. `first_end`, if given, is where the sentence that begins at
/// `start` ends (a paragraph read as a stream resumes inside a sentence). Also returns the sentences'
/// (untrimmed, contiguous) ranges.
pub(super) fn pieces(
    chars: &[char],
    start: usize,
    end: usize,
    max_chars: usize,
    first_end: Option<usize>,
) -> (Vec<Piece>, Vec<(usize, usize)>) {
    let sentences = match first_end.filter(|&e| e > start && e <= end) {
        Some(first) => {
            let mut s = vec![(start, first)];
            s.extend(sentences(chars, first, end));
            s
        }
        None => sentences(chars, start, end),
    };
    let mut pieces = Vec::new();
    let mut cut = Vec::new();
    for (k, &(s, e)) in sentences.iter().enumerate() {
        let (s, e) = trim_range(chars, s, e);
        if s < e {
            cut.clear();
            cut_long_sentence(chars, s, e, max_chars, &mut cut);
            pieces.extend(cut.iter().map(|&(start, end)| Piece {
                start,
                end,
                sentence: k,
            }));
        }
    }
    (pieces, sentences)
}

/// Greedy packing of whole pieces into passages of at most `max_chars` characters.
pub(super) fn pack(pieces: &[Piece], max_chars: usize) -> Vec<Packed> {
    let mut passages = Vec::new();
    let mut current: Option<Packed> = None;
    for (i, piece) in pieces.iter().enumerate() {
        match &mut current {
            Some(c) if piece.end - c.start <= max_chars => c.end = piece.end,
            _ => {
                passages.extend(current.take());
                current = Some(Packed {
                    start: piece.start,
                    end: piece.end,
                    first_piece: i,
                });
            }
        }
    }
    passages.extend(current);
    passages
}

/// Cuts the chars `start..end` at sentence ends. The ranges are contiguous, cover
/// `start..end`, and are not trimmed.
pub(super) fn sentences(chars: &[char], start: usize, end: usize) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut sentence_start = start;
    let mut i = start;
    while i < end {
        if chars[i] == '\n' {
            i += 1;
        } else if let Some(j) = end_mark(chars, i, end) {
            i = j;
        } else {
            i += 1;
            continue;
        }
        out.push((sentence_start, i));
        sentence_start = i;
    }
    if sentence_start < end {
        out.push((sentence_start, end));
    }
    out
}

/// Pushes the trimmed sentence `start..end` onto `pieces`, cut into pieces of at most
/// `max_chars` characters: after the last clause mark that fits, else exactly at `max_chars`.
pub(super) fn cut_long_sentence(
    chars: &[char],
    mut start: usize,
    end: usize,
    max_chars: usize,
    pieces: &mut Vec<(usize, usize)>,
) {
    while end - start > max_chars {
        let limit = start + max_chars;
        let cut = match (start..limit)
            .rev()
            .find(|&i| CLAUSE_MARKS.contains(&chars[i]))
        {
            Some(mark) => {
                let mut cut = mark + 1;
                while cut < limit && CLOSERS.contains(&chars[cut]) {
                    cut += 1;
                }
                cut
            }
            None => limit,
        };
        let (s, e) = trim_range(chars, start, cut);
        if s < e {
            pieces.push((s, e));
        }
        (start, _) = trim_range(chars, cut, end);
    }
    if start < end {
        pieces.push((start, end));
    }
}

/// Splits a PDF's pages, rebuilt into articles ([`super::pdf`]), into passages. Each article has its own id,
/// `path:p3#a2` for the second article of page 3, its headline as title (else its kicker, else
/// `name p3`), its kicker and byline (without the `◎` a page sets before it), `settings.paper` as source
/// and `settings.date` or its dateline's date. An article's text is its paragraphs in reading order,
/// separated by a blank line; the subtitle (副题) is its first paragraph. A passage's `start..end` are
/// character offsets into the text extracted from the file: its articles' texts in page and reading order,
/// separated by a blank line. The page's header and footer are not indexed.
pub fn split_pdf(
    path: &str,
    pages: &[super::pdf::PdfPage],
    settings: &super::FileSettings,
    cfg: &SplitConfig,
) -> Vec<Passage> {
    let mut out = Vec::new();
    // Where the next article starts in the file's extracted text, in characters.
    let mut base = 0usize;
    for page in pages {
        for (n, article) in page.articles.iter().enumerate() {
            let id = format!("{path}:p{}#a{}", page.number, n + 1);
            let title = article
                .headline
                .clone()
                .or_else(|| article.kicker.clone())
                .unwrap_or_else(|| format!("{} p{}", file_stem(path), page.number));
            let text = pdf_article_text(article);
            let mut about = ArticleInfo {
                kicker: article.kicker.clone(),
                byline: article.byline.as_ref().map(|b| {
                    b.trim_start_matches(['◎', '■', '□', '●', '○'])
                        .trim()
                        .to_string()
                }),
                source: settings.paper.clone(),
                place: None,
            };
            let lead = article.paragraphs.first().map(String::as_str).unwrap_or("");
            let date = about
                .read_dateline(lead, settings.paper.as_deref(), settings.date.as_deref())
                .or_else(|| settings.date.clone());
            for mut p in split_text(
                path,
                &id,
                Some(&title),
                &text,
                cfg,
                false,
                true,
                WINDOW_CHARS,
            ) {
                p.start += base;
                p.end += base;
                p.date.clone_from(&date);
                p.about = about.clone();
                out.push(p);
            }
            base += text.chars().count() + 2;
        }
    }
    out
}

/// The text of a PDF article as sou indexes it: its subtitle, if any, then its paragraphs, separated by a
/// blank line (`\n\n`).
pub fn pdf_article_text(article: &super::pdf::PdfArticle) -> String {
    let mut paragraphs: Vec<&str> = Vec::new();
    if let Some(s) = &article.subtitle {
        paragraphs.push(s);
    }
    paragraphs.extend(article.paragraphs.iter().map(String::as_str));
    paragraphs.join("\n\n")
}

/// The text extracted from a PDF, which a PDF passage's `start..end` count into ([`split_pdf`]): the texts
/// of its pages' articles ([`pdf_article_text`]), in page and reading order, separated by a blank line.
pub fn pdf_text(pages: &[super::pdf::PdfPage]) -> String {
    let texts: Vec<String> = pages
        .iter()
        .flat_map(|p| p.articles.iter().map(pdf_article_text))
        .collect();
    texts.join("\n\n")
}
