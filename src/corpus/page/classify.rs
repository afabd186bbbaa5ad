//! The paragraphs of a page and what each looks like: credit, byline, heading, or body text (with or without
//! a sentence end, with or without a dateline).

use std::ops::Range;

use crate::corpus::titles::{CLAUSE_SEPARATORS, MAX_HEADING_CHARS};
use crate::text::normalize::is_han;
use crate::text::sentence::{CLAUSE_MARKS, CLOSERS, SENTENCE_ENDS};

/// The longest headline line, in characters: longer than a subhead ([`MAX_HEADING_CHARS`]), because a
/// headline is known by what follows it (a byline or a dateline). 17% of xwlb's headlines are over 30
/// characters, 1.6% over 60 and 0.3% over 100.
pub(super) const MAX_TITLE_CHARS: usize = 100;

/// The longest byline line, in characters (`◎本报记者 王健高 实习记者 宋迎迎` is 19).
const MAX_BYLINE_CHARS: usize = 40;

/// The longest column label above a kicker (栏目名, such as `园镜头`), in characters.
pub(super) const MAX_LABEL_CHARS: usize = 6;

/// Punctuation a headline may end with (a question or an exclamation).
const HEADLINE_ENDS: &[char] = &['？', '！', '?', '!'];

/// What a paragraph looks like on its own (before the page's shape decides what it is).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Look {
    /// A photo credit (`视觉中国供图`, `张海韵摄`): one short line ending with 摄, 供图 or 制图.
    Credit,
    /// A byline: short lines naming reporters and correspondents (`◎本报记者 …`, `通讯员 …`).
    Byline,
    /// One line shaped like a heading (see [`heading_shape`]); `long`: over [`MAX_HEADING_CHARS`], so only
    /// a headline, or else a cut-off sentence.
    Heading { long: bool },
    /// Body text; `open`: it does not end with a sentence end (a sentence cut at a column end, or a
    /// heading-like line that is too long to be one); `dateline`: it starts with a dateline.
    Body { open: bool, dateline: bool },
}

/// A paragraph of the page: a run of non-blank lines.
#[derive(Debug, Clone)]
pub(super) struct Para {
    /// Its character range, trimmed.
    pub range: Range<usize>,
    /// Its lines' character ranges, each trimmed, in order.
    pub lines: Vec<Range<usize>>,
    /// What it looks like.
    pub look: Look,
}

/// The paragraphs of `chars`: runs of lines separated by blank lines (lines of whitespace). A text without
/// any blank line between two non-blank lines is read a line per paragraph.
pub(super) fn paragraphs(chars: &[char]) -> Vec<Para> {
    let mut lines: Vec<Option<Range<usize>>> = Vec::new(); // None: a blank line
    let mut start = 0;
    for i in 0..=chars.len() {
        if i == chars.len() || chars[i] == '\n' {
            let (mut s, mut e) = (start, i);
            while s < e && chars[s].is_whitespace() {
                s += 1;
            }
            while e > s && chars[e - 1].is_whitespace() {
                e -= 1;
            }
            lines.push((s < e).then_some(s..e));
            start = i + 1;
        }
    }
    let blank_between = lines
        .iter()
        .skip_while(|l| l.is_none())
        .collect::<Vec<_>>()
        .windows(2)
        .any(|w| w[0].is_some() && w[1].is_none());
    let mut groups: Vec<Vec<Range<usize>>> = Vec::new();
    let mut current: Vec<Range<usize>> = Vec::new();
    for line in lines {
        match line {
            Some(r) => {
                current.push(r);
                if !blank_between {
                    groups.push(std::mem::take(&mut current));
                }
            }
            None if !current.is_empty() => groups.push(std::mem::take(&mut current)),
            None => {}
        }
    }
    if !current.is_empty() {
        groups.push(current);
    }
    groups
        .into_iter()
        .map(|lines| {
            let range = lines[0].start..lines[lines.len() - 1].end;
            let look = look(chars, &lines);
            Para { range, lines, look }
        })
        .collect()
}

/// What the paragraph made of `lines` looks like.
fn look(chars: &[char], lines: &[Range<usize>]) -> Look {
    let first = &chars[lines[0].clone()];
    if lines.len() == 1 && is_credit(first) {
        return Look::Credit;
    }
    let all_short = lines.iter().all(|l| {
        let line = &chars[l.clone()];
        line.len() <= MAX_BYLINE_CHARS && !line.iter().any(|c| SENTENCE_ENDS.contains(c))
    });
    if all_short && (first[0] == '◎' || lines.iter().all(|l| is_byline_line(&chars[l.clone()]))) {
        return Look::Byline;
    }
    if lines.len() == 1
        && let Some(long) = heading_shape(first)
        && !is_dateline(first)
    {
        return Look::Heading { long };
    }
    let text = &chars[lines[0].start..lines[lines.len() - 1].end];
    Look::Body {
        open: !ends_sentence(text),
        dateline: is_dateline(text),
    }
}

/// Is `line` a photo credit: at most [`MAX_HEADING_CHARS`] characters ending with 摄, 供图 or 制图 (the
/// rule of [`crate::corpus::titles::is_body`], with 制图)?
fn is_credit(line: &[char]) -> bool {
    let s: String = line.iter().collect();
    line.len() <= MAX_HEADING_CHARS
        && (s.ends_with('摄') || s.ends_with("供图") || s.ends_with("制图"))
}

/// Does `line` start with a reporter's or correspondent's role (`本报记者`, `实习记者`, `通讯员`, `特约记者`),
/// after an optional `◎`?
fn is_byline_line(line: &[char]) -> bool {
    let s: String = line.iter().collect();
    let mut s = s.trim_start_matches(['◎', '●', '■', ' ', '\u{3000}']);
    for prefix in ["本报", "本刊"] {
        s = s.strip_prefix(prefix).unwrap_or(s);
    }
    for prefix in ["特约", "实习", "见习", "特派", "首席", "摄影"] {
        s = s.strip_prefix(prefix).unwrap_or(s);
    }
    s.starts_with("记者") || s.starts_with("通讯员") || s.starts_with("实习生")
}

/// Does the text start with a dateline? A local check until the dateline parser (`corpus::dateline`) is
/// in: it starts with `本报讯`, `据新华社电`, `新华社`, `央视网消息`, `中新网` or `人民网`, or its first 40
/// characters hold `日电` or `讯（` / `讯(` (`科技日报讯(记者…)`).
pub(super) fn is_dateline(text: &[char]) -> bool {
    let head: String = text.iter().take(40).collect();
    [
        "本报讯",
        "据新华社电",
        "新华社",
        "央视网消息",
        "中新网",
        "人民网",
    ]
    .iter()
    .any(|p| head.starts_with(p))
        || head.contains("日电")
        || head.contains("讯（")
        || head.contains("讯(")
}

/// Does the text end a sentence: its last character, after closing quotes and brackets, one of
/// [`SENTENCE_ENDS`], a full stop `.`, or a colon (a paragraph that introduces the next, such as `全文如下：`)?
pub(super) fn ends_sentence(text: &[char]) -> bool {
    text.iter()
        .rev()
        .find(|c| !CLOSERS.contains(c))
        .is_some_and(|c| SENTENCE_ENDS.contains(c) || matches!(c, '.' | '：' | ':'))
}

/// If `line` is shaped like a heading, whether it is long (over [`MAX_HEADING_CHARS`]). The plain-text
/// heading rule of [`crate::corpus::titles`], but up to [`MAX_TITLE_CHARS`] and allowing a final `？` or
/// `！`: at least one letter, digit or Han character; no `。` or `；`; not starting with `◎`; not ending
/// with a clause mark (`，、：`) or with another sentence end, or with a function word such as 的 or 向
/// (see [`FUNCTION_WORDS`]); not a credit; and not a line cut out of a
/// sentence, whose last clause (after `、`, `，`, `；` or a space) is one Han character (`产业链条、推`,
/// `老区摘下贫困帽 谱`).
pub(super) fn heading_shape(line: &[char]) -> Option<bool> {
    if line.is_empty() || line.len() > MAX_TITLE_CHARS || line[0] == '◎' {
        return None;
    }
    if !line.iter().any(|c| c.is_alphanumeric())
        || line.iter().any(|c| matches!(c, '。' | '；' | ';'))
        || is_credit(line)
    {
        return None;
    }
    let body = match line.iter().rposition(|c| !CLOSERS.contains(c)) {
        Some(last) => &line[..=last],
        None => return None,
    };
    let last = *body.last()?;
    if CLAUSE_MARKS.contains(&last)
        || (SENTENCE_ENDS.contains(&last) && !HEADLINE_ENDS.contains(&last))
    {
        return None;
    }
    if let Some(cut) = body
        .iter()
        .rposition(|c| CLAUSE_SEPARATORS.contains(c) || c.is_whitespace())
        && body.len() == cut + 2
        && is_han(body[cut + 1])
    {
        return None;
    }
    if ends_with_function_word(body) {
        return None;
    }
    Some(line.len() > MAX_HEADING_CHARS)
}

/// Function words that end a stretch of text cut mid-sentence (`…拒绝了德国向`) but hardly a heading:
/// prepositions, conjunctions, particles and the copula. Less than 0.1% of xwlb's headlines end with one of
/// them as a word of its own (jieba's segmentation; `应对`, `成就` and `研究所` end with them as parts of
/// words).
const FUNCTION_WORDS: &str = "的向在和与对从把被将是及并而或为以于由给让使跟同比就都也又还所其之";

/// Does `text` end with one of [`FUNCTION_WORDS`] as a word of its own?
fn ends_with_function_word(text: &[char]) -> bool {
    let Some(&last) = text.last() else {
        return false;
    };
    if !FUNCTION_WORDS.contains(last) {
        return false;
    }
    let tail: String = text[text.len().saturating_sub(8)..].iter().collect();
    let jieba = crate::text::dict::small_jieba([tail.as_str()], None);
    jieba
        .cut(&tail, true)
        .last()
        .is_some_and(|t| t.word.chars().count() == 1)
}
