//! sou's query language, parsed by sou itself (user strings never reach tantivy's `QueryParser`).
//!
//! - Terms are separated by spaces (ASCII or ideographic). What a term requires of a passage depends on the
//!   search's match rule (`crate::search::MatchRule`): a keyword query's hits contain every term; a question
//!   or `--plain` query ([`parse_plain`], [`is_question`]) is ranked by coverage.
//! - `"…"` (or `“…”`) is an exact phrase: a literal substring of the normalized passage, whatever the word
//!   segmentation. A phrase is required. An unclosed quote runs to the end of the query.
//! - `+term` marks a term required (it must occur literally, after normalization), which every term of a
//!   keyword query is anyway.
//! - `-term` and `-"phrase"` exclude passages in which the term or phrase occurs literally. A `-` before a
//!   number (`-38℃`) is an error that says how to search for the negative number (`"-38℃"`, `--plain`) or
//!   exclude it (`-"38℃"`), since the two readings are equally likely.
//! - `a OR b` (upper-case `OR` between two items) makes one group of alternatives: the group is satisfied by
//!   either. A group is required if any of its items is a phrase or has `+`.
//!
//! Parsing is total: any string either parses or gives a [`crate::Error::Query`] with a clear message.

use crate::text::normalize::{is_word_char, normalize};

/// Longest query accepted, in characters.
pub const MAX_QUERY_CHARS: usize = 1000;

/// One positive item of a query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    /// A plain term (normalized text).
    Term(String),
    /// An exact phrase (normalized text).
    Phrase(String),
}

impl Item {
    /// The normalized text of the item.
    pub fn text(&self) -> &str {
        match self {
            Item::Term(t) | Item::Phrase(t) => t,
        }
    }
}

/// Alternatives joined by `OR`; one item if there was no `OR`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    /// The alternatives.
    pub items: Vec<Item>,
    /// Must a hit match this group?
    pub required: bool,
}

/// A parsed query.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Query {
    /// Positive groups, in query order.
    pub groups: Vec<Group>,
    /// Excluded items.
    pub excluded: Vec<Item>,
}

/// A lexical piece of the query string.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Word { text: String, sign: Option<char> },
    Quoted { text: String, sign: Option<char> },
    Or,
}

fn is_space(c: char) -> bool {
    c.is_whitespace()
}

fn closing_quote(open: char) -> char {
    match open {
        '“' => '”',
        '「' => '」',
        '『' => '』',
        _ => '"',
    }
}

fn is_open_quote(c: char) -> bool {
    matches!(c, '"' | '“' | '「' | '『' | '＂')
}

fn lex(q: &str) -> Vec<Piece> {
    let chars: Vec<char> = q.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if is_space(chars[i]) {
            i += 1;
            continue;
        }
        let mut sign = None;
        if matches!(chars[i], '-' | '+' | '－' | '＋')
            && i + 1 < chars.len()
            && !is_space(chars[i + 1])
        {
            sign = Some(if matches!(chars[i], '-' | '－') {
                '-'
            } else {
                '+'
            });
            i += 1;
        }
        if is_open_quote(chars[i]) {
            let close = closing_quote(chars[i]);
            let mut j = i + 1;
            while j < chars.len() && chars[j] != close && !(close == '"' && chars[j] == '＂') {
                j += 1;
            }
            let text: String = chars[i + 1..j].iter().collect();
            out.push(Piece::Quoted { text, sign });
            i = (j + 1).min(chars.len());
            continue;
        }
        let mut j = i;
        while j < chars.len() && !is_space(chars[j]) && !is_open_quote(chars[j]) {
            j += 1;
        }
        let text: String = chars[i..j].iter().collect();
        if text == "OR" && sign.is_none() {
            out.push(Piece::Or);
        } else {
            out.push(Piece::Word { text, sign });
        }
        i = j;
    }
    out
}

/// Question words: a long one-piece query that contains one is read as a question ([`is_question`]).
/// Interrogative pronouns and adverbs of Modern Standard Chinese (after the normalizer, so simplified).
pub const QUESTION_WORDS: [&str; 10] = [
    "什么", "为何", "哪", "谁", "多少", "怎么", "怎样", "如何", "几时", "是否",
];

/// Shortest query, in characters, that a question word alone makes a question (`什么` and `为什么` are
/// searched as words).
pub const MIN_QUESTION_CHARS: usize = 6;

/// Is `q` a natural question, to be ranked by how much of it a passage covers rather than required word by
/// word? Yes when, after normalization, it ends with a question mark (`?` or `？`, possibly followed by other
/// punctuation or spaces) or with `吗`/`呢`, or when it is one piece (no spaces, no quotes, no leading `+`/`-`)
/// of at least [`MIN_QUESTION_CHARS`] characters that contains one of [`QUESTION_WORDS`]
/// (`青岛市工研院培育了多少家高新技术企业`).
pub fn is_question(q: &str) -> bool {
    let norm = normalize(q).text;
    let trimmed = norm.trim_end_matches(|c: char| !is_word_char(c));
    let tail = &norm[trimmed.len()..];
    if tail.contains('?') || trimmed.ends_with('吗') || trimmed.ends_with('呢') {
        return true;
    }
    let one_piece = !norm.contains(is_space)
        && !norm.starts_with(['+', '-'])
        && !norm.contains(|c: char| is_open_quote(c) || c == '”');
    one_piece
        && norm.chars().count() >= MIN_QUESTION_CHARS
        && QUESTION_WORDS.iter().any(|w| norm.contains(w))
}

/// Reads a query as plain text, without operators: every space-separated piece is a term, and quotes, `+`,
/// `-` and `OR` are just text (for pasted headlines and questions, and for evaluations).
pub fn parse_plain(q: &str) -> crate::Result<Query> {
    check_length(q)?;
    let mut query = Query::default();
    for piece in q.split(is_space) {
        // Punctuation at a piece's edges is not text to find (the ？ of a question, the quotes of a pasted
        // headline's first word).
        let t = normalize(piece)
            .text
            .trim_matches(|c: char| !is_word_char(c))
            .to_string();
        if t.chars().any(is_word_char) {
            query.groups.push(Group {
                items: vec![Item::Term(t)],
                required: false,
            });
        }
    }
    if query.groups.is_empty() {
        return Err(crate::Error::Query(format!(
            "{q:?} has nothing to search for (no letters, digits or Han characters)"
        )));
    }
    Ok(query)
}

fn check_length(q: &str) -> crate::Result<()> {
    let n = q.chars().count();
    if n > MAX_QUERY_CHARS {
        return Err(crate::Error::Query(format!(
            "the query is {n} characters long; the limit is {MAX_QUERY_CHARS}"
        )));
    }
    Ok(())
}

/// Parses a query string in sou's query language (module docs). Errors ([`crate::Error::Query`]): more
/// than [`MAX_QUERY_CHARS`] characters, nothing to search for (only punctuation), or only exclusions.
pub fn parse(q: &str) -> crate::Result<Query> {
    check_length(q)?;
    let pieces = lex(q);
    let mut query = Query::default();
    // Whether the previous piece was a positive item that an OR may extend.
    let mut pending_or = false;
    let mut last_positive = false;
    for (k, piece) in pieces.iter().enumerate() {
        let (item, sign) = match piece {
            Piece::Or => {
                let has_next = matches!(
                    pieces.get(k + 1),
                    Some(Piece::Word { sign: None, .. } | Piece::Quoted { sign: None, .. })
                        | Some(Piece::Word {
                            sign: Some('+'),
                            ..
                        })
                        | Some(Piece::Quoted {
                            sign: Some('+'),
                            ..
                        })
                );
                if last_positive && has_next {
                    pending_or = true;
                    continue;
                }
                // A stray OR is read literally, as the word "or".
                (Item::Term("or".to_string()), None)
            }
            // `-38℃`, `-3.5%`: a minus before a number reads as an exclusion, but is far more often a
            // negative number. Rather than silently exclude it (or silently search for it), ask.
            Piece::Word {
                text,
                sign: Some('-'),
            } if normalize(text)
                .text
                .starts_with(|c: char| c.is_ascii_digit()) =>
            {
                return Err(crate::Error::Query(format!(
                    "-{text} would exclude {text}: to search for the negative number, quote it (\"-{text}\") or use --plain; to exclude it, write -\"{text}\""
                )));
            }
            Piece::Word { text, sign } => (Item::Term(normalize(text).text), *sign),
            Piece::Quoted { text, sign } => (Item::Phrase(normalize(text).text), *sign),
        };
        // Items with nothing indexable (only punctuation or spaces) are dropped.
        if !item.text().chars().any(is_word_char) {
            pending_or = false;
            continue;
        }
        if sign == Some('-') {
            query.excluded.push(item);
            pending_or = false;
            last_positive = false;
            continue;
        }
        let required = sign == Some('+') || matches!(item, Item::Phrase(_));
        if pending_or && let Some(g) = query.groups.last_mut() {
            g.required |= required;
            if !g.items.contains(&item) {
                g.items.push(item);
            }
        } else {
            query.groups.push(Group {
                items: vec![item],
                required,
            });
        }
        pending_or = false;
        last_positive = true;
    }
    if query.groups.is_empty() {
        return Err(crate::Error::Query(if query.excluded.is_empty() {
            format!("{q:?} has nothing to search for (no letters, digits or Han characters)")
        } else {
            "the query only excludes; add at least one term to search for".to_string()
        }));
    }
    Ok(query)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn term(s: &str) -> Item {
        Item::Term(s.to_string())
    }
    fn phrase(s: &str) -> Item {
        Item::Phrase(s.to_string())
    }
    fn group(items: Vec<Item>, required: bool) -> Group {
        Group { items, required }
    }

    #[test]
    fn terms_phrases_exclusions() {
        let q = parse("小鹏 -肇庆 \"专精特新\" +工研院").unwrap();
        assert_eq!(
            q.groups,
            vec![
                group(vec![term("小鹏")], false),
                group(vec![phrase("专精特新")], true),
                group(vec![term("工研院")], true),
            ]
        );
        assert_eq!(q.excluded, vec![term("肇庆")]);
    }

    #[test]
    fn query_is_normalized() {
        let q = parse("青島 ＡＰＰＬＥ “銀行今天”").unwrap();
        assert_eq!(q.groups[0].items, vec![term("青岛")]);
        assert_eq!(q.groups[1].items, vec![term("apple")]);
        assert_eq!(q.groups[2].items, vec![phrase("银行今天")]);
    }

    #[test]
    fn or_groups() {
        let q = parse("小鹏 OR 宁德时代 企业").unwrap();
        assert_eq!(
            q.groups,
            vec![
                group(vec![term("小鹏"), term("宁德时代")], false),
                group(vec![term("企业")], false),
            ]
        );
        let q = parse("\"高新区\" OR 工研院").unwrap();
        assert_eq!(
            q.groups,
            vec![group(vec![phrase("高新区"), term("工研院")], true)]
        );
        // Stray ORs are words.
        assert_eq!(
            parse("OR").unwrap().groups,
            vec![group(vec![term("or")], false)]
        );
        let q = parse("企业 OR").unwrap();
        assert_eq!(q.groups.len(), 2);
        assert_eq!(q.groups[1].items, vec![term("or")]);
        // Lower-case or is a word.
        assert_eq!(parse("a or b").unwrap().groups.len(), 3);
    }

    #[test]
    fn malformed_input_is_read_literally_or_rejected() {
        // A lone quote runs to the end.
        let q = parse("\"未闭合").unwrap();
        assert_eq!(q.groups, vec![group(vec![phrase("未闭合")], true)]);
        // A lone dash or plus is punctuation: nothing left.
        assert!(parse("-").is_err());
        assert!(parse("+").is_err());
        assert!(parse("，。！").is_err());
        assert!(parse("").is_err());
        assert!(parse("   ").is_err());
        assert!(parse("\"\"").is_err());
        // Only exclusions.
        let e = parse("-肇庆").unwrap_err().to_string();
        assert!(e.contains("only excludes"), "{e}");
        // Too long.
        let long = "中".repeat(10_000);
        let e = parse(&long).unwrap_err().to_string();
        assert!(e.contains("10000"), "{e}");
        // A dash inside a word is part of it.
        assert_eq!(
            parse("covid-19").unwrap().groups[0].items,
            vec![term("covid-19")]
        );
        // Dash then space: the dash is dropped, the term stays.
        assert_eq!(parse("- 企业").unwrap().groups[0].items, vec![term("企业")]);
    }

    #[test]
    fn plain_queries_have_no_operators() {
        let q = parse_plain("民众力量——对\"西安宝马案\"的分析 -肇庆 OR “一带一路”").unwrap();
        assert_eq!(
            q.groups,
            vec![
                group(vec![term("民众力量——对\"西安宝马案\"的分析")], false),
                group(vec![term("肇庆")], false),
                group(vec![term("or")], false),
                group(vec![term("一带一路")], false),
            ]
        );
        assert!(q.excluded.is_empty());
        assert!(parse_plain("\" - ，").is_err());
        assert!(parse_plain(&"中".repeat(1001)).is_err());
    }

    #[test]
    fn questions_are_recognized() {
        for q in [
            "霓虹雀鲷的俗名叫什么？",
            "小孤岛大医生又名什么？、",
            "Who wrote it?",
            "青岛市工研院培育了多少家高新技术企业",
            "吕凯被任命成了哪个地方的太守",
            "这是真的吗",
        ] {
            assert!(is_question(q), "{q}");
        }
        for q in [
            "什么",
            "为什么",
            "多少钱",
            "工研院 培育",
            "\"工研院培育了多少\"",
            "+工研院培育了多少家",
            "谁 是 第一",
            "几内亚共和国总统",
            "中国农业发展银行",
        ] {
            assert!(!is_question(q), "{q}");
        }
    }

    #[test]
    fn parse_never_panics_on_odd_input() {
        for s in [
            "\"",
            "“",
            "”",
            "\"a\"\"",
            "-\"",
            "+\"\"",
            "OR OR OR",
            "-OR",
            "a OR -b",
            "\u{0}",
            "🙂",
            "\u{202E}abc",
            "e\u{0301}",
            "((a",
            "a)",
            "\"a OR b\"",
            "＂全角引号＂",
        ] {
            let _ = parse(s);
        }
    }
}
