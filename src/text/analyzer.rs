//! Tokenizers for the two indexed views of a passage. Both read text that [`crate::text::normalize`] has already
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
//!   offsets, whatever jieba does with it: this view guarantees recall and exact phrases. The index keeps
//!   the bigrams with positions and the unigrams in a field of their own without positions (a one-character
//!   term needs no position; a longer string is a phrase of bigrams), which halves the positions stored.
//!
//! This module and [`crate::text::dict`] are the only places that know jieba. An [`Analyzer`] uses jieba's default
//! dictionary, or that dictionary plus a user dictionary (`sou index --dict`), which the index keeps a copy of
//! so that queries are segmented exactly like the text. A query is segmented without loading the dictionary
//! (see [`crate::text::dict`]), with the same result.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock, OnceLock};

use tantivy::Index;
use tantivy::tokenizer::{TextAnalyzer, Token, TokenStream, Tokenizer};
use tantivy_jieba::JiebaTokenizer;
use tantivy_jieba::jieba_rs::{Jieba, TokenizeMode};

use crate::text::dict::{self, DictEntry, UserWords};
use crate::text::normalize::{is_han, is_latin, is_other_cjk, is_word_char};

/// Name under which the word tokenizer is registered in the index.
pub const WORDS_TOKENIZER: &str = "sou_words";
/// Name under which the character view's bigram tokenizer is registered in the index.
pub const BIGRAMS_TOKENIZER: &str = "sou_bigrams";
/// Name under which the character view's unigram tokenizer is registered in the index.
pub const UNIGRAMS_TOKENIZER: &str = "sou_unigrams";
/// A description of the analysis, stored in the manifest: an index built with other settings is refused.
pub const ANALYZER_SETTINGS: &str = "nfkc+lower+fast2s-t2s-per-char+join-wrapped-han+drop-default-ignorable+join-letter-spaced-han; kana-punctuation-not-a-word; words=jieba-rs-0.11 search-mode hmm + latin whole/parts (max 40 chars); chars=bigrams of word chars with positions + unigrams without";

/// Latin/digit tokens longer than this (in chars) are not indexed (URLs, hashes, base64).
pub const MAX_LATIN_TOKEN: usize = 40;

/// tantivy-jieba's tokenizer: search mode, HMM on, positions in chars. It shares one global jieba (default
/// dictionary, loaded once per process), so it is cheap to clone.
static JIEBA: LazyLock<JiebaTokenizer> = LazyLock::new(JiebaTokenizer::new);
/// Has this process used the full default dictionary (so that it is loaded)?
static DEFAULT_FULL_LOADED: AtomicBool = AtomicBool::new(false);
/// Han characters this process has segmented with tiny instances of the default dictionary.
static DEFAULT_SMALL_CHARS: AtomicUsize = AtomicUsize::new(0);

/// Han characters [`Analyzer::word_tokens`] segments with tiny instances ([`crate::text::dict::small_jieba`]) in a
/// process (with a user dictionary: per analyzer) before it loads the whole dictionary instead. A tiny instance
/// costs about 20 µs plus 1 µs per character more than the loaded dictionary, loading it about 150 ms (release
/// build): a search, even a batch of hundreds of queries, stays under the budget, and a long run of
/// `word_tokens` spends at most about the load time again before switching. Both give the same tokens, so this
/// is only about speed.
const SMALL_BUDGET_CHARS: usize = 50_000;

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

/// Is `word` in jieba's default dictionary? (A longer Han token that is not was made up by jieba's HMM.)
pub fn in_default_dictionary(word: &str) -> bool {
    dict::freq(word).is_some()
}

/// The word segmentation of an index: jieba's default dictionary, plus an optional user dictionary.
///
/// Indexing ([`WordTokenizer`]) segments with the whole dictionary, loaded on first use. [`Analyzer::word_tokens`]
/// (queries) gives exactly the same tokens, but segments a short text with a tiny instance that holds just the
/// dictionary words found in it (see [`crate::text::dict`]), which takes microseconds instead of the few hundred
/// milliseconds that loading the dictionary takes. Creating an analyzer is cheap either way.
#[derive(Clone, Default)]
pub struct Analyzer {
    /// The user dictionary; None: tantivy-jieba's shared default instance.
    user: Option<Arc<UserDict>>,
}

/// A user dictionary, resolved for tiny instances, and the full instance built when first needed.
struct UserDict {
    entries: Vec<DictEntry>,
    words: UserWords,
    /// `Jieba::new()` plus `add_word` per entry.
    full: OnceLock<Jieba>,
    /// Han characters segmented with tiny instances so far.
    small_chars: AtomicUsize,
}

impl UserDict {
    fn full(&self) -> &Jieba {
        self.full.get_or_init(|| {
            let mut jieba = Jieba::new();
            for e in &self.entries {
                jieba.add_word(&e.word, e.freq, e.tag.as_deref());
            }
            jieba
        })
    }
}

impl std::fmt::Debug for Analyzer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Analyzer")
            .field("user_dict", &self.user.is_some())
            .finish()
    }
}

/// Which jieba segments the Han runs of a text (both give the same tokens).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Path {
    /// The whole dictionary (loaded on first use).
    Full,
    /// A tiny instance with just the words of the text.
    Small,
}

impl Analyzer {
    /// jieba's default dictionary.
    pub fn new() -> Self {
        Analyzer { user: None }
    }

    /// jieba's default dictionary plus `entries` (added in order, as `jieba.add_word` does). Cheap: the full
    /// dictionary is loaded only if a long text is segmented.
    pub fn with_user_dict(entries: &[DictEntry]) -> Self {
        if entries.is_empty() {
            return Analyzer::new();
        }
        Analyzer {
            user: Some(Arc::new(UserDict {
                entries: entries.to_vec(),
                words: UserWords::resolve(entries),
                full: OnceLock::new(),
                small_chars: AtomicUsize::new(0),
            })),
        }
    }

    /// Does this analyzer have a user dictionary?
    pub fn has_user_dict(&self) -> bool {
        self.user.is_some()
    }

    /// The word tokens of normalized text (see [`word_tokens`]): exactly what jieba with the whole dictionary
    /// gives, as indexing does ([`WordTokenizer`]), but without loading it for a query or other short text. The
    /// whole dictionary is used once it is loaded, or once this process (with a user dictionary: this
    /// analyzer) has segmented 50,000 Han characters with tiny instances (`SMALL_BUDGET_CHARS`).
    pub fn word_tokens(&self, text: &str) -> Vec<Tok> {
        let path = self.choose_path(text);
        self.word_tokens_by(text, path)
    }

    /// Picks the tiny instance while the whole dictionary is not loaded and the budget of characters allows.
    fn choose_path(&self, text: &str) -> Path {
        let (loaded, counter) = match &self.user {
            None => (
                DEFAULT_FULL_LOADED.load(Ordering::Relaxed),
                &DEFAULT_SMALL_CHARS,
            ),
            Some(u) => (u.full.get().is_some() || !u.words.exact(), &u.small_chars),
        };
        if loaded {
            return Path::Full;
        }
        let han = text.chars().filter(|&c| is_han(c)).count();
        if han == 0 || counter.fetch_add(han, Ordering::Relaxed) + han <= SMALL_BUDGET_CHARS {
            Path::Small
        } else {
            Path::Full
        }
    }

    fn word_tokens_by(&self, text: &str, path: Path) -> Vec<Tok> {
        match path {
            Path::Full => word_tokens_with(text, &mut |run, base, out| match &self.user {
                None => {
                    DEFAULT_FULL_LOADED.store(true, Ordering::Relaxed);
                    jieba_tokens(run, base, out)
                }
                Some(u) => push_jieba_tokens(u.full(), run, base, out),
            }),
            Path::Small => {
                let runs = han_runs(text);
                if runs.is_empty() {
                    return word_tokens_with(text, &mut |_, _, _| {});
                }
                let jieba = dict::small_jieba(runs, self.user.as_ref().map(|u| &u.words));
                word_tokens_with(text, &mut |run, base, out| {
                    push_jieba_tokens(&jieba, run, base, out)
                })
            }
        }
    }
}

/// The Han runs of a text (what [`word_tokens_with`] hands to jieba).
fn han_runs(text: &str) -> Vec<&str> {
    let mut runs = Vec::new();
    let mut start: Option<usize> = None;
    for (b, c) in text.char_indices() {
        match (is_han(c), start) {
            (true, None) => start = Some(b),
            (false, Some(s)) => {
                runs.push(&text[s..b]);
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        runs.push(&text[s..]);
    }
    runs
}

/// The tokens of a Han run with `jieba`: the call tantivy-jieba makes (search mode, HMM on, positions in
/// chars), on our instance.
fn push_jieba_tokens(jieba: &Jieba, run: &str, base: usize, out: &mut Vec<Tok>) {
    for t in jieba.tokenize(run, TokenizeMode::Search, true) {
        out.push(Tok {
            text: t.word.to_string(),
            pos: base + t.start,
            len: t.end - t.start,
            kind: TokenKind::Han,
        });
    }
}

/// The word tokens of normalized text with jieba's default dictionary, in text order (a run's whole token
/// before its parts).
pub fn word_tokens(text: &str) -> Vec<Tok> {
    Analyzer::new().word_tokens(text)
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

/// The word view as a tantivy tokenizer (input must already be normalized). This is what indexing uses, and
/// it always segments with the whole dictionary: articles are long, and the dictionary is loaded once per
/// process. (Queries go through [`Analyzer::word_tokens`], which gives the same tokens without loading it.)
#[derive(Clone, Default)]
pub struct WordTokenizer(pub Analyzer);

impl Tokenizer for WordTokenizer {
    type TokenStream<'a> = VecTokenStream;
    fn token_stream<'a>(&'a mut self, text: &'a str) -> VecTokenStream {
        to_tantivy(text, self.0.word_tokens_by(text, Path::Full))
    }
}

/// Which tokens of the character view a [`CharTokenizer`] gives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Grams {
    /// Every word character (indexed without positions: one-character terms only need to be found).
    Uni,
    /// Every two adjacent word characters, at the position of the first (indexed with positions: literal
    /// strings are phrases of bigrams).
    Bi,
}

/// The character view as tantivy tokenizers (input must already be normalized): the unigrams or the bigrams
/// of [`char_tokens`], produced one at a time into one reused buffer (the character view has two tokens per
/// character, and indexing spends much of its time on them).
#[derive(Clone)]
pub struct CharTokenizer(pub Grams);

impl Tokenizer for CharTokenizer {
    type TokenStream<'a> = CharTokenStream<'a>;
    fn token_stream<'a>(&'a mut self, text: &'a str) -> CharTokenStream<'a> {
        CharTokenStream {
            chars: text.char_indices(),
            text,
            grams: self.0,
            pos: 0,
            prev: None,
            token: Token::default(),
        }
    }
}

/// The token stream of [`CharTokenizer`].
pub struct CharTokenStream<'a> {
    text: &'a str,
    chars: std::str::CharIndices<'a>,
    grams: Grams,
    /// Char position of the next char `chars` yields.
    pos: usize,
    /// Byte offset and position of the previous char, if it was a word char.
    prev: Option<(usize, usize)>,
    token: Token,
}

impl CharTokenStream<'_> {
    fn set(&mut self, from: usize, to: usize, position: usize, len: usize) {
        self.token.offset_from = from;
        self.token.offset_to = to;
        self.token.position = position;
        self.token.position_length = len;
        self.token.text.clear();
        self.token.text.push_str(&self.text[from..to]);
    }
}

impl TokenStream for CharTokenStream<'_> {
    fn advance(&mut self) -> bool {
        while let Some((b, c)) = self.chars.next() {
            let pos = self.pos;
            self.pos += 1;
            if !is_word_char(c) {
                self.prev = None;
                continue;
            }
            let end = b + c.len_utf8();
            match self.grams {
                Grams::Uni => {
                    self.set(b, end, pos, 1);
                    return true;
                }
                Grams::Bi => {
                    if let Some((pb, ppos)) = self.prev.replace((b, pos)) {
                        self.set(pb, end, ppos, 2);
                        return true;
                    }
                }
            }
        }
        false
    }

    fn token(&self) -> &Token {
        &self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.token
    }
}

/// Registers both tokenizers on an index handle. Must be called on every handle before indexing or searching.
pub fn register(index: &Index, analyzer: &Analyzer) {
    index.tokenizers().register(
        WORDS_TOKENIZER,
        TextAnalyzer::from(WordTokenizer(analyzer.clone())),
    );
    index.tokenizers().register(
        BIGRAMS_TOKENIZER,
        TextAnalyzer::from(CharTokenizer(Grams::Bi)),
    );
    index.tokenizers().register(
        UNIGRAMS_TOKENIZER,
        TextAnalyzer::from(CharTokenizer(Grams::Uni)),
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::dict::parse_dict;
    use crate::text::normalize::normalize;

    fn words(s: &str) -> Vec<String> {
        word_tokens(&normalize(s).text)
            .into_iter()
            .map(|t| t.text)
            .collect()
    }

    #[test]
    fn char_token_stream_matches_char_tokens() {
        let texts = [
            "你好，世界",
            "王𨨏在1900.6亿元apple",
            "",
            "，。",
            "a",
            "中",
            "高新区 2023年 ①② covid-19疫苗",
            include_str!("../../corpus/keji-ribao-high-tech-zones-2023.txt"),
        ];
        for raw in texts {
            let text = normalize(raw).text;
            let all: Vec<Token> = to_tantivy(&text, char_tokens(&text)).tokens;
            // The unigram stream, then the bigram stream, each in text order.
            let want: Vec<&Token> = (all.iter().filter(|t| t.position_length == 1))
                .chain(all.iter().filter(|t| t.position_length == 2))
                .collect();
            let mut got = Vec::new();
            for grams in [Grams::Uni, Grams::Bi] {
                let mut tokenizer = CharTokenizer(grams);
                let mut stream = tokenizer.token_stream(&text);
                while stream.advance() {
                    got.push(stream.token().clone());
                }
            }
            assert_eq!(got.len(), want.len(), "{raw:?}");
            for (g, w) in got.iter().zip(&want) {
                assert_eq!(
                    (
                        &g.text,
                        g.position,
                        g.position_length,
                        g.offset_from,
                        g.offset_to
                    ),
                    (
                        &w.text,
                        w.position,
                        w.position_length,
                        w.offset_from,
                        w.offset_to
                    ),
                    "{raw:?}"
                );
            }
        }
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
            "../../corpus/keji-ribao-high-tech-zones-2023.txt"
        ))
        .text;
        let jieba = Jieba::new();
        let direct = word_tokens_with(&page, &mut |run, base, out| {
            push_jieba_tokens(&jieba, run, base, out)
        });
        assert_eq!(Analyzer::new().word_tokens_by(&page, Path::Full), direct);
        // Bad lines are reported with their number.
        let e = parse_dict("好词\n坏词 many\n").unwrap_err().to_string();
        assert!(e.contains("line 2"), "{e}");
        assert!(parse_dict("abc 3\n").is_err());
    }

    const PAGE: &str = include_str!("../../corpus/keji-ribao-high-tech-zones-2023.txt");

    /// Every distinct substring of 1..=`max` chars of the Han runs of `text` (queries are substrings of text).
    fn windows(text: &str, max: usize) -> std::collections::BTreeSet<String> {
        let mut out = std::collections::BTreeSet::new();
        for run in han_runs(text) {
            let chars: Vec<char> = run.chars().collect();
            for i in 0..chars.len() {
                for len in 1..=max.min(chars.len() - i) {
                    out.insert(chars[i..i + len].iter().collect());
                }
            }
        }
        out
    }

    /// Asserts that the tiny instances give the full dictionary's tokens for `text` and for each of `cases`.
    fn assert_small_is_full(a: &Analyzer, text: &str, cases: &std::collections::BTreeSet<String>) {
        for q in std::iter::once(text).chain(cases.iter().map(String::as_str)) {
            let (small, full) = (
                a.word_tokens_by(q, Path::Small),
                a.word_tokens_by(q, Path::Full),
            );
            if small != full {
                // Only the first difference, not two pages of tokens.
                let i = small.iter().zip(&full).take_while(|(s, f)| s == f).count();
                let show = |t: &[Tok]| {
                    t.iter()
                        .skip(i.saturating_sub(2))
                        .take(6)
                        .cloned()
                        .collect::<Vec<_>>()
                };
                panic!(
                    "tokens differ in {:?} at token {i}:\n small: {:?}\n full:  {:?}",
                    q.chars().take(80).collect::<String>(),
                    show(&small),
                    show(&full)
                );
            }
        }
    }

    #[test]
    fn compiled_dictionary_is_jiebas_default() {
        // The file build.rs compiled (a copy of jieba-rs's src/data/dict.txt).
        let text = include_str!("../../data/jieba-dict.txt");
        let compiled = Jieba::with_dict(&mut text.as_bytes()).unwrap();
        let builtin = Jieba::new();
        // jieba-rs's Debug shows the number of records and the total frequency.
        let expected = format!(
            "Jieba {{ records_len: {}, total_freq: {} }}",
            dict::WORDS,
            dict::TOTAL
        );
        assert_eq!(format!("{builtin:?}"), expected);
        assert_eq!(format!("{compiled:?}"), expected);
        let page = normalize(PAGE).text;
        for run in han_runs(&page) {
            assert_eq!(
                compiled.tokenize(run, TokenizeMode::Search, true),
                builtin.tokenize(run, TokenizeMode::Search, true)
            );
        }
        // The FST has every word with its frequency.
        let mut longest = 0;
        for line in text.lines() {
            let mut f = line.split_ascii_whitespace();
            let (w, n) = (
                f.next().unwrap(),
                f.next().unwrap().parse::<usize>().unwrap(),
            );
            assert_eq!(dict::freq(w), Some(n), "{w}");
            assert!(builtin.has_word(w), "{w} is not in Jieba::new()");
            longest = longest.max(w.chars().count());
        }
        assert_eq!(longest, dict::MAX_WORD_CHARS);
        assert_eq!(dict::freq("工研院"), Some(3));
        assert_eq!(dict::freq("鹏锋诚"), None);
    }

    #[test]
    fn queries_are_segmented_like_the_text() {
        let page = normalize(PAGE).text;
        let cases = windows(&page, 12);
        assert!(cases.len() > 10_000, "{}", cases.len());
        assert_small_is_full(&Analyzer::new(), &page, &cases);
    }

    #[test]
    #[cfg_attr(sou_shared_missing, ignore = "needs ../shared (missing)")]
    fn queries_are_segmented_like_the_text_csl() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../shared/corpora/csl/docs.jsonl"
        );
        let jsonl = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
        // The first records' titles and abstracts, and windows of them, up to a fixed number of cases.
        const MAX_CASES: usize = 20_000;
        let mut text = String::new();
        let mut cases = std::collections::BTreeSet::new();
        for line in jsonl.lines() {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            let doc = normalize(&format!(
                "{}\n{}",
                v["title"].as_str().unwrap_or_default(),
                v["abstract"].as_str().unwrap_or_default()
            ))
            .text;
            cases.extend(windows(&doc, 12));
            text.push_str(&doc);
            text.push('\n');
            if cases.len() >= MAX_CASES {
                break;
            }
        }
        assert_small_is_full(&Analyzer::new(), &text, &cases);
    }

    #[test]
    fn queries_are_segmented_like_the_text_with_a_user_dictionary() {
        let page = normalize(PAGE).text;
        // With and without frequencies; words new and known to jieba; a word given twice (the last wins); a
        // frequency low enough to split a word (高新区), one high enough to join across words (企业发展).
        let entries = parse_dict(
            "工研院 100 n\n鹏锋诚\n高新区 1\n新区\n科技 3\n青岛工研院\n孵化器 2\n孵化器 50000 n\n企业发展 800000\n",
        )
        .unwrap();
        let a = Analyzer::with_user_dict(&entries);
        let u = a.user.as_ref().unwrap();
        assert!(u.words.exact());
        // The total is the full instance's.
        assert!(
            format!("{:?}", u.full())
                .ends_with(&format!("total_freq: {} }}", u.words.total().unwrap())),
            "{:?}",
            u.full()
        );
        let cases = windows(&page, 12);
        assert_small_is_full(&a, &page, &cases);
        let words: Vec<String> = a
            .word_tokens("青岛工研院科技")
            .into_iter()
            .map(|t| t.text)
            .collect();
        assert!(words.contains(&"青岛工研院".to_string()), "{words:?}");
    }

    #[test]
    fn the_dictionary_is_loaded_only_for_long_texts() {
        let a = Analyzer::with_user_dict(&parse_dict("工研院 100\n").unwrap());
        let u = a.user.as_ref().unwrap();
        assert_eq!(a.choose_path("青岛工研院"), Path::Small);
        let words: Vec<String> = a
            .word_tokens("青岛工研院")
            .into_iter()
            .map(|t| t.text)
            .collect();
        assert_eq!(words, vec!["青岛", "工研院"]);
        assert!(
            u.full.get().is_none(),
            "a query must not load the dictionary"
        );
        // Past the budget, the full dictionary is loaded and then used for everything.
        let long = "工研院".repeat(SMALL_BUDGET_CHARS / 3 + 1);
        assert_eq!(a.choose_path(&long), Path::Full);
        a.word_tokens("青岛");
        assert!(u.full.get().is_some());
        assert_eq!(a.choose_path("青岛工研院"), Path::Full);
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
