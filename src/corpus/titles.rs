//! Headings: which paragraphs are heading lines (plain text and Markdown), and which are body text.
//! A passage's title is the nearest heading at or before it (the rules are in the [module docs](super)).

use crate::text::sentence::{CLAUSE_MARKS, CLOSERS, SENTENCE_ENDS};

/// `start..end` with surrounding whitespace removed (possibly empty).
pub(super) fn trim_range(chars: &[char], mut start: usize, mut end: usize) -> (usize, usize) {
    while start < end && chars[start].is_whitespace() {
        start += 1;
    }
    while end > start && chars[end - 1].is_whitespace() {
        end -= 1;
    }
    (start, end)
}

/// The longest heading line, in characters.
pub(super) const MAX_HEADING_CHARS: usize = 30;

/// Whether `line` is a Markdown heading line of at most `window` characters (trimmed).
pub(super) fn markdown_heading_line(line: &[char], window: usize) -> bool {
    let (s, e) = trim_range(line, 0, line.len());
    e - s <= window && markdown_heading(line).is_some()
}

/// The title of a trimmed paragraph if it is a heading line.
pub(super) fn heading_title(paragraph: &[char], markdown: bool) -> Option<String> {
    if paragraph.contains(&'\n') {
        return None;
    }
    if markdown && let Some(title) = markdown_heading(paragraph) {
        return Some(title);
    }
    plain_heading(paragraph)
}

/// The title of a Markdown ATX heading line (`# Title`), if `line` is one.
pub(super) fn markdown_heading(line: &[char]) -> Option<String> {
    let line: String = line.iter().collect();
    let line = line.trim();
    let hashes = line.chars().take_while(|&c| c == '#').count();
    if !(1..=6).contains(&hashes) {
        return None;
    }
    let rest = &line[hashes..];
    if !rest.starts_with([' ', '\t']) {
        return None;
    }
    let mut title = rest.trim();
    // An optional closing sequence: `## Title ##`.
    let without_closing = title.trim_end_matches('#');
    if without_closing.is_empty() || without_closing.ends_with(char::is_whitespace) {
        title = without_closing.trim_end();
    }
    (!title.is_empty()).then(|| title.to_owned())
}

/// The title of a trimmed single-line paragraph if it passes the plain-text heading rule.
pub(super) fn plain_heading(line: &[char]) -> Option<String> {
    if line.is_empty() || line.len() > MAX_HEADING_CHARS {
        return None;
    }
    if !line.iter().any(|c| c.is_alphanumeric()) || line.contains(&'。') || line[0] == '◎' {
        return None;
    }
    let without_closers = line
        .iter()
        .rposition(|c| !CLOSERS.contains(c))
        .map_or(&line[..0], |last| &line[..=last]);
    if without_closers
        .last()
        .is_some_and(|c| SENTENCE_ENDS.contains(c) || CLAUSE_MARKS.contains(c))
    {
        return None;
    }
    if line.ends_with(&['摄']) || line.ends_with(&['供', '图']) {
        return None;
    }
    // A line cut out of a sentence by a page layout (`龙头企业在带动完善产业链条、推`): its last clause, after
    // a comma, is one Han character. Heading clauses are words (`梯度培育、分类辅导`).
    if let Some(cut) = without_closers
        .iter()
        .rposition(|c| CLAUSE_SEPARATORS.contains(c))
        && without_closers.len() == cut + 2
        && crate::text::normalize::is_han(without_closers[cut + 1])
    {
        return None;
    }
    Some(line.iter().collect())
}

/// Separators between the clauses of a heading line (see [`plain_heading`]).
pub(super) const CLAUSE_SEPARATORS: &[char] = &['、', '，', ',', '；', ';'];

/// Is a (non-heading) paragraph body text, rather than a byline or a photo credit? A first line longer
/// than `window` characters is not a photo credit.
pub(super) fn is_body(paragraph: &[char], window: usize) -> bool {
    let first_line: Vec<char> = paragraph
        .iter()
        .take_while(|c| **c != '\n')
        .copied()
        .collect();
    let line = first_line.iter().collect::<String>();
    let line = line.trim();
    !(line.starts_with('◎')
        || (line.chars().count() <= window && (line.ends_with('摄') || line.ends_with("供图"))))
}
