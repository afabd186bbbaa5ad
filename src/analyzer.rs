//! Tokenizers for the two indexed views of a passage. Both read text that [`crate::normalize`] has already
//! normalized, and both give positions in normalized *characters*, so that the two views, the snippets and
//! the query all agree on where things are.
//!
//! - **words** ([`word_tokens`]): Han runs are cut by jieba in search mode (through tantivy-jieba), which
//!   emits overlapping sub-words (中国农业发展银行 → 中国 农业 发展 银行 农业发展银行 …). Runs of Latin letters
//!   and digits are cut by our own rules: the whole run stays one token (`covid-19`, `1900.6`, `40gwh`) and,
//!   when it has several parts (split at `-`, `_`, `.` and at letter/digit changes), each part is a token too
//!   (`covid`, `19`; `40`, `gwh`). Kana and hangul are single-character tokens. Punctuation is not indexed.
//! - **chars** ([`char_tokens`]): every word character is a unigram, and every two adjacent word characters
//!   are a bigram at the position of the first. A literal string is then a phrase of bigrams at known
//!   offsets, whatever jieba does with it: this view guarantees recall and exact phrases.
//!
//! This module is the only place that knows jieba. An [`Analyzer`] uses jieba's default dictionary, or that
//! dictionary plus a user dictionary (`sou index --dict`), which the index keeps a copy of so that queries are
//! segmented exactly like the text.

use std::sync::{Arc, LazyLock};

use tantivy::Index;
use tantivy::tokenizer::{TextAnalyzer, Token, TokenStream, Tokenizer};
use tantivy_jieba::JiebaTokenizer;

use crate::normalize::{is_han, is_other_cjk, is_word_char};

/// Name under which the word tokenizer is registered in the index.
pub const WORDS_TOKENIZER: &str = "sou_words";
/// Name under which the character tokenizer is registered in the index.
pub const CHARS_TOKENIZER: &str = "sou_chars";
/// A description of the analysis, stored in the manifest: an index built with other settings is refused.
pub const ANALYZER_SETTINGS: &str = "nfkc+lower+fast2s-t2s+join-wrapped-han; words=jieba-rs-0.11 search-mode hmm + latin whole/parts (max 40 chars); chars=unigram+bigram of word chars";

/// Latin/digit tokens longer than this (in chars) are not indexed (URLs, hashes, base64).
const MAX_LATIN_TOKEN: usize = 40;

/// tantivy-jieba's tokenizer: search mode, HMM on, positions in chars. It shares one global jieba (default
/// dictionary, loaded once per process), so it is cheap to clone.
static JIEBA: LazyLock<JiebaTokenizer> = LazyLock::new(JiebaTokenizer::new);

/// What kind of text a word token came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    /// A jieba word (or sub-word) of a Han run.
    Han,
    /// A whole run of Latin letters and digits, joiners included (`covid-19`).
    Latin,
    /// One part of a Latin run that has several (`covid`, `19`).
    LatinPart,
    /// A kana or hangul character.
    OtherCjk,
}

/// A token of normalized text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tok {
    /// The token text (normalized).
    pub text: String,
    /// Offset of its first char in the normalized text, in chars.
    pub pos: usize,
    /// Length in chars.
    pub len: usize,
    /// Where it came from.
    pub kind: TokenKind,
}

/// Is `c` a joiner inside a Latin run (`covid-19`, `1900.6`, `snake_case`)?
fn is_joiner(c: char) -> bool {
    matches!(c, '-' | '_' | '.')
}

/// Is `c` a Latin-run character (a letter or digit that is not CJK)?
fn is_latin(c: char) -> bool {
    c.is_alphanumeric() && !is_han(c) && !is_other_cjk(c)
}

/// The word segmentation of an index: jieba's default dictionary, plus an optional user dictionary.
#[derive(Clone, Default)]
pub struct Analyzer {
    /// jieba with the default and the user dictionary; None: tantivy-jieba's shared default instance.
    user: Option<Arc<tantivy_jieba::jieba_rs::Jieba>>,
}

impl std::fmt::Debug for Analyzer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Analyzer")
            .field("user_dict", &self.user.is_some())
            .finish()
    }
}

/// One entry of a user dictionary (jieba's format: `word [freq] [tag]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DictEntry {
    /// The word (normalized, as the text it must match is).
    pub word: String,
    /// Its frequency, if given.
    pub freq: Option<usize>,
    /// Its part-of-speech tag, if given.
    pub tag: Option<String>,
}

/// Parses a user dictionary: one `word [freq] [tag]` per line; blank lines and lines starting with `#` are
/// skipped. Words are normalized like text (so 銀行 and 银行 are the same entry). Errors name the line.
pub fn parse_dict(text: &str) -> crate::Result<Vec<DictEntry>> {
    let mut out = Vec::new();
    for (i, line) in text.trim_start_matches('\u{feff}').lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut parts = line.split_whitespace();
        let word = crate::normalize::normalize(parts.next().unwrap_or_default()).text;
        let freq = match parts.next() {
            None => None,
            Some(f) => Some(f.parse::<usize>().map_err(|_| {
                crate::Error::Other(format!(
                    "dictionary line {}: {f:?} is not a frequency (expected `word [freq] [tag]`)",
                    i + 1
                ))
            })?),
        };
        let tag = parts.next().map(str::to_string);
        if !word.chars().all(is_han) {
            return Err(crate::Error::Other(format!(
                "dictionary line {}: {word:?} is not a word of Han characters (only Han runs are segmented by jieba)",
                i + 1
            )));
        }
        out.push(DictEntry { word, freq, tag });
    }
    Ok(out)
}

impl Analyzer {
    /// jieba's default dictionary.
    pub fn new() -> Self {
        Analyzer { user: None }
    }

    /// jieba's default dictionary plus `entries` (added in order, as `jieba.add_word` does).
    pub fn with_user_dict(entries: &[DictEntry]) -> Self {
        if entries.is_empty() {
            return Analyzer::new();
        }
        let mut jieba = tantivy_jieba::jieba_rs::Jieba::new();
        for e in entries {
            jieba.add_word(&e.word, e.freq, e.tag.as_deref());
        }
        Analyzer {
            user: Some(Arc::new(jieba)),
        }
    }

    /// Does this analyzer have a user dictionary?
    pub fn has_user_dict(&self) -> bool {
        self.user.is_some()
    }

    /// The word tokens of normalized text (see [`word_tokens`]).
    pub fn word_tokens(&self, text: &str) -> Vec<Tok> {
        word_tokens_with(text, &mut |run, base, out| {
            self.jieba_tokens(run, base, out)
        })
    }

    fn jieba_tokens(&self, run: &str, base: usize, out: &mut Vec<Tok>) {
        match &self.user {
            None => jieba_tokens(run, base, out),
            // The same call tantivy-jieba makes (search mode, HMM on, positions in chars), on our instance.
            Some(jieba) => {
                for t in jieba.tokenize(run, tantivy_jieba::jieba_rs::TokenizeMode::Search, true) {
                    out.push(Tok {
                        text: t.word.to_string(),
                        pos: base + t.start,
                        len: t.end - t.start,
                        kind: TokenKind::Han,
                    });
                }
            }
        }
    }
}

/// The word tokens of normalized text with jieba's default dictionary, in text order (a run's whole token
/// before its parts).
pub fn word_tokens(text: &str) -> Vec<Tok> {
    word_tokens_with(text, &mut jieba_tokens)
}

fn word_tokens_with(text: &str, jieba: &mut dyn FnMut(&str, usize, &mut Vec<Tok>)) -> Vec<Tok> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    let mut run = String::new();
    while i < chars.len() {
        let c = chars[i];
        if is_han(c) {
            let mut j = i;
            while j < chars.len() && is_han(chars[j]) {
                j += 1;
            }
            run.clear();
            run.extend(&chars[i..j]);
            jieba(&run, i, &mut out);
            i = j;
        } else if is_other_cjk(c) {
            out.push(Tok {
                text: c.to_string(),
                pos: i,
                len: 1,
                kind: TokenKind::OtherCjk,
            });
            i += 1;
        } else if is_latin(c) {
            // A run: latin+ (joiner latin+)*
            let mut j = i;
            while j < chars.len() {
                let joined = is_joiner(chars[j]) && j + 1 < chars.len() && is_latin(chars[j + 1]);
                if !(is_latin(chars[j]) || joined) {
                    break;
                }
                j += 1;
            }
            latin_tokens(&chars[i..j], i, &mut out);
            i = j;
        } else {
            i += 1;
        }
    }
    out
}

fn jieba_tokens(run: &str, base: usize, out: &mut Vec<Tok>) {
    let mut tokenizer = JIEBA.clone();
    let mut stream = tokenizer.token_stream(run);
    while let Some(t) = stream.next() {
        out.push(Tok {
            text: t.text.clone(),
            pos: base + t.position,
            len: t.position_length,
            kind: TokenKind::Han,
        });
    }
}

fn latin_tokens(run: &[char], base: usize, out: &mut Vec<Tok>) {
    let mut parts: Vec<(usize, usize)> = Vec::new();
    let mut start = 0;
    for k in 1..=run.len() {
        let boundary = k == run.len()
            || is_joiner(run[k])
            || is_joiner(run[k - 1])
            || run[k].is_numeric() != run[k - 1].is_numeric();
        if boundary {
            if !is_joiner(run[start]) {
                parts.push((start, k));
            }
            start = k;
        }
    }
    if run.len() <= MAX_LATIN_TOKEN {
        out.push(Tok {
            text: run.iter().collect(),
            pos: base,
            len: run.len(),
            kind: TokenKind::Latin,
        });
    }
    if parts.len() > 1 {
        for (s, e) in parts {
            if e - s <= MAX_LATIN_TOKEN {
                out.push(Tok {
                    text: run[s..e].iter().collect(),
                    pos: base + s,
                    len: e - s,
                    kind: TokenKind::LatinPart,
                });
            }
        }
    }
}

/// The character tokens of normalized text: for every word char a unigram, then, if the next char is a word
/// char too, the bigram of the two, both at the char's offset.
pub fn char_tokens(text: &str) -> Vec<Tok> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::with_capacity(chars.len() * 2);
    for (i, &c) in chars.iter().enumerate() {
        if !is_word_char(c) {
            continue;
        }
        out.push(Tok {
            text: c.to_string(),
            pos: i,
            len: 1,
            kind: TokenKind::Han,
        });
        if let Some(&d) = chars.get(i + 1)
            && is_word_char(d)
        {
            let mut s = String::with_capacity(8);
            s.push(c);
            s.push(d);
            out.push(Tok {
                text: s,
                pos: i,
                len: 2,
                kind: TokenKind::Han,
            });
        }
    }
    out
}

/// A tantivy token stream over tokens computed up front.
pub struct VecTokenStream {
    tokens: Vec<Token>,
    next: usize,
}

impl TokenStream for VecTokenStream {
    fn advance(&mut self) -> bool {
        if self.next < self.tokens.len() {
            self.next += 1;
            true
        } else {
            false
        }
    }

    fn token(&self) -> &Token {
        &self.tokens[self.next - 1]
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.tokens[self.next - 1]
    }
}

/// Converts our tokens to tantivy tokens (byte offsets into `text`, char positions).
fn to_tantivy(text: &str, toks: Vec<Tok>) -> VecTokenStream {
    // Byte offset of each char, plus the end.
    let mut byte_at: Vec<usize> = text.char_indices().map(|(b, _)| b).collect();
    byte_at.push(text.len());
    let tokens = toks
        .into_iter()
        .map(|t| Token {
            offset_from: byte_at[t.pos.min(byte_at.len() - 1)],
            offset_to: byte_at[(t.pos + t.len).min(byte_at.len() - 1)],
            position: t.pos,
            text: t.text,
            position_length: t.len,
        })
        .collect();
    VecTokenStream { tokens, next: 0 }
}

/// The word view as a tantivy tokenizer (input must already be normalized).
#[derive(Clone, Default)]
pub struct WordTokenizer(pub Analyzer);

impl Tokenizer for WordTokenizer {
    type TokenStream<'a> = VecTokenStream;
    fn token_stream<'a>(&'a mut self, text: &'a str) -> VecTokenStream {
        to_tantivy(text, self.0.word_tokens(text))
    }
}

/// The character view as a tantivy tokenizer (input must already be normalized).
#[derive(Clone, Default)]
pub struct CharTokenizer;

impl Tokenizer for CharTokenizer {
    type TokenStream<'a> = VecTokenStream;
    fn token_stream<'a>(&'a mut self, text: &'a str) -> VecTokenStream {
        to_tantivy(text, char_tokens(text))
    }
}

/// Registers both tokenizers on an index handle. Must be called on every handle before indexing or searching.
pub fn register(index: &Index, analyzer: &Analyzer) {
    index.tokenizers().register(
        WORDS_TOKENIZER,
        TextAnalyzer::from(WordTokenizer(analyzer.clone())),
    );
    index
        .tokenizers()
        .register(CHARS_TOKENIZER, TextAnalyzer::from(CharTokenizer));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::normalize;

    fn words(s: &str) -> Vec<String> {
        word_tokens(&normalize(s).text)
            .into_iter()
            .map(|t| t.text)
            .collect()
    }

    #[test]
    fn jieba_search_mode_gives_sub_words() {
        let w = words("中国农业发展银行今天发布公告");
        for want in ["中国", "农业", "发展", "银行", "今天"] {
            assert!(w.contains(&want.to_string()), "{want} missing from {w:?}");
        }
    }

    #[test]
    fn positions_are_char_offsets() {
        let t = word_tokens("我们在1900.6亿元");
        let yi = t
            .iter()
            .find(|t| t.text == "亿元" || t.text == "亿")
            .unwrap();
        assert_eq!(yi.pos, 9);
        let num = t.iter().find(|t| t.text == "1900.6").unwrap();
        assert_eq!((num.pos, num.len, num.kind), (3, 6, TokenKind::Latin));
    }

    #[test]
    fn latin_runs_whole_and_parts() {
        let t = words("将年产能从25GWh提升到40GWh，COVID-19疫苗");
        for want in [
            "25gwh", "25", "gwh", "40gwh", "40", "covid-19", "covid", "19",
        ] {
            assert!(t.contains(&want.to_string()), "{want} missing from {t:?}");
        }
        // A plain word has no parts.
        assert_eq!(words("apple"), vec!["apple"]);
        // Number with a decimal point stays whole, parts too.
        let t = words("1900.6");
        assert_eq!(t, vec!["1900.6", "1900", "6"]);
        // A trailing joiner is not part of the run.
        assert_eq!(words("abc- x."), vec!["abc", "x"]);
    }

    #[test]
    fn punctuation_is_not_indexed() {
        let t = words("你好，世界！“测试”");
        assert!(t.iter().all(|w| w.chars().all(is_word_char)), "{t:?}");
        let c: Vec<String> = char_tokens("你好，世界")
            .into_iter()
            .map(|t| t.text)
            .collect();
        assert_eq!(c, vec!["你", "你好", "好", "世", "世界", "界"]);
    }

    #[test]
    fn char_view_positions_and_non_bmp() {
        let c = char_tokens("王𨨏在");
        let texts: Vec<(&str, usize)> = c.iter().map(|t| (t.text.as_str(), t.pos)).collect();
        assert_eq!(
            texts,
            vec![("王", 0), ("王𨨏", 0), ("𨨏", 1), ("𨨏在", 1), ("在", 2)]
        );
    }

    #[test]
    fn kana_and_hangul_are_characters() {
        let t = word_tokens("カタカナ한국");
        assert_eq!(t.len(), 6);
        assert!(
            t.iter()
                .all(|t| t.kind == TokenKind::OtherCjk && t.len == 1)
        );
    }

    #[test]
    fn long_latin_tokens_are_dropped_but_parts_kept() {
        let long = "a".repeat(50);
        let text = format!("{long}-ok");
        let t = words(&text);
        assert_eq!(t, vec!["ok"]);
    }

    #[test]
    fn user_dictionary_changes_segmentation_and_nothing_else() {
        let text = normalize("青岛市工研院和鹏锋诚").text;
        let entries = parse_dict("# domain words\n工研院 100 n\n鹏锋诚\n").unwrap();
        assert_eq!(entries.len(), 2);
        let with = Analyzer::with_user_dict(&entries);
        let default_words: Vec<String> = word_tokens(&text).into_iter().map(|t| t.text).collect();
        let user_words: Vec<String> = with
            .word_tokens(&text)
            .into_iter()
            .map(|t| t.text)
            .collect();
        assert!(user_words.contains(&"工研院".to_string()), "{user_words:?}");
        assert!(user_words.contains(&"鹏锋诚".to_string()), "{user_words:?}");
        assert!(
            !default_words.contains(&"鹏锋诚".to_string()),
            "{default_words:?}"
        );
        // Without a user dictionary, both code paths give the same tokens on real text.
        let page = normalize(include_str!(
            "../corpus/keji-ribao-high-tech-zones-2023.txt"
        ))
        .text;
        let empty = Analyzer {
            user: Some(Arc::new(tantivy_jieba::jieba_rs::Jieba::new())),
        };
        assert_eq!(word_tokens(&page), empty.word_tokens(&page));
        // Bad lines are reported with their number.
        let e = parse_dict("好词\n坏词 many\n").unwrap_err().to_string();
        assert!(e.contains("line 2"), "{e}");
        assert!(parse_dict("abc 3\n").is_err());
    }

    #[test]
    fn tantivy_stream_offsets_are_bytes() {
        let mut tok = WordTokenizer::default();
        let mut s = tok.token_stream("新华社2023年");
        let mut seen = Vec::new();
        while let Some(t) = s.next() {
            seen.push((t.text.clone(), t.offset_from, t.offset_to, t.position));
        }
        let y = seen.iter().find(|t| t.0 == "2023").unwrap();
        assert_eq!((y.1, y.2, y.3), (9, 13, 3));
    }
}
