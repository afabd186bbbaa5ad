//! jieba's default dictionary without loading it: segmenting a short text (a query) with a tiny jieba that
//! gives exactly the tokens the full one gives.
//!
//! jieba's segmentation of a string `s` (jieba-rs 0.11, search mode, HMM on) reads only
//! - the dictionary words that are substrings of `s`, with their frequencies: the DAG has an edge for each
//!   word found at each position, the HMM is used on a stretch of single characters only if that stretch is
//!   not a word, and search mode's extra 2- and 3-grams are emitted only if they are words;
//! - the dictionary's `total`: a word's weight is `ln(freq) - ln(total)`, and a character that is not a word
//!   weighs `ln(1) - ln(total)`;
//! - the built-in HMM tables (static data, free).
//!
//! Word ids, tags and the order of insertion play no part (ties between routes are broken by the end of the
//! word). So a `Jieba::empty()` given just the words of `s` with their frequencies, plus one dummy word that
//! can never occur in text ([`DUMMY`], a private-use character) carrying the rest of the frequency mass so
//! that its `total` is the full dictionary's, segments `s` exactly like the full instance.
//!
//! The default dictionary (`data/jieba-dict.txt`, a copy of jieba-rs's own `src/data/dict.txt`) is
//! compiled by `build.rs` into an FST map from word to frequency, embedded in the binary and read in place: finding the words of a query costs
//! microseconds, where `Jieba::new()` costs a few hundred milliseconds.
//!
//! A user dictionary is added to the full instance with `add_word` per entry, in order; an entry without a
//! frequency gets `suggest_freq`'s, which depends on the words added before it, and every entry changes
//! `total`. [`UserWords::resolve`] replays that sequence (suggesting frequencies with tiny instances, which is
//! exact for the same reason) and records each word's final frequency and the final total.

use std::collections::HashMap;
use std::sync::LazyLock;

use fst::raw::{Fst, Output};
use tantivy_jieba::jieba_rs::Jieba;

use crate::text::normalize::{is_han, normalize};

include!(concat!(env!("OUT_DIR"), "/jieba_dict.rs"));

/// The `total` of `Jieba::new()`: the sum of the frequencies of all the default dictionary's entries.
pub const TOTAL: usize = GEN_TOTAL;
/// Number of distinct words in the default dictionary.
pub const WORDS: usize = GEN_WORDS;
/// Length of the default dictionary's longest word, in chars.
pub const MAX_WORD_CHARS: usize = GEN_MAX_WORD_CHARS;

/// A word that cannot occur in a Han run (a private-use character): it carries the frequency mass of the
/// words a tiny instance does not have.
pub const DUMMY: &str = "\u{E000}";

static FST_BYTES: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/jieba.fst"));

/// An empty jieba, cloned for each tiny instance: a clone copies its tables, `Jieba::empty()` fills them.
static EMPTY: LazyLock<Jieba> = LazyLock::new(Jieba::empty);

/// The default dictionary: word → frequency. Opening it only checks the header (no copy, no parsing).
static FST: LazyLock<Fst<&'static [u8]>> =
    LazyLock::new(|| Fst::new(FST_BYTES).expect("the embedded jieba dictionary FST is valid"));

/// The frequency of `word` in the default dictionary, if it is a word there.
pub fn freq(word: &str) -> Option<usize> {
    FST.get(word).map(|o| o.value() as usize)
}

/// Calls `f(word, freq)` for every word of the default dictionary that `s` starts with, shortest first.
fn for_each_prefix_word<'s>(s: &'s str, mut f: impl FnMut(&'s str, usize)) {
    let fst = &*FST;
    let mut node = fst.root();
    let mut out = Output::zero();
    for (i, &b) in s.as_bytes().iter().enumerate() {
        let Some(t) = node.find_input(b) else { return };
        let tr = node.transition(t);
        out = out.cat(tr.out);
        node = fst.node(tr.addr);
        // Keys are whole UTF-8 strings, so a key that is a prefix of `s` ends at a char boundary.
        if node.is_final() {
            f(&s[..=i], out.cat(node.final_output()).value() as usize);
        }
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
        let word = normalize(parts.next().unwrap_or_default()).text;
        let freq = match parts.next() {
            None => None,
            Some(f) => Some(f.parse::<usize>().map_err(|_| crate::Error::Dictionary {
                file: None,
                line: i + 1,
                problem: format!("{f:?} is not a frequency (expected `word [freq] [tag]`)"),
            })?),
        };
        let tag = parts.next().map(str::to_string);
        if !word.chars().all(is_han) {
            return Err(crate::Error::Dictionary {
                file: None,
                line: i + 1,
                problem: format!(
                    "{word:?} is not a word of Han characters (only Han runs are segmented by jieba)"
                ),
            });
        }
        out.push(DictEntry { word, freq, tag });
    }
    Ok(out)
}

/// A user dictionary's words with the frequencies the full instance ends up giving them, and its total.
#[derive(Debug, Clone, Default)]
pub struct UserWords {
    /// Each user word's final frequency (the last entry of a word wins, as with `add_word`).
    freqs: HashMap<String, usize>,
    /// Length of the longest user word, in chars.
    max_chars: usize,
    /// The full instance's total; None if the arithmetic overflowed (then only the full instance is exact).
    total: Option<usize>,
}

impl UserWords {
    /// Replays `Jieba::new()` followed by `add_word(word, freq, tag)` for each entry, in order.
    pub fn resolve(entries: &[DictEntry]) -> Self {
        let mut u = UserWords {
            freqs: HashMap::new(),
            max_chars: 0,
            total: Some(TOTAL),
        };
        for e in entries {
            // add_word ignores an empty word.
            if e.word.is_empty() {
                continue;
            }
            let Some(total) = u.total else { break };
            let new = match e.freq {
                Some(f) => f,
                // suggest_freq cuts the word and looks up its pieces: only substrings of it, and the total.
                None => small_jieba([e.word.as_str()], Some(&u)).suggest_freq(&e.word),
            };
            let old = u.freqs.get(&e.word).copied().or_else(|| freq(&e.word));
            // add_word: `total += freq; total -= old_freq` (or just `+= freq` for a new word).
            u.total = total
                .checked_add(new)
                .and_then(|t| t.checked_sub(old.unwrap_or(0)));
            u.freqs.insert(e.word.clone(), new);
            u.max_chars = u.max_chars.max(e.word.chars().count());
        }
        u
    }

    /// Can tiny instances reproduce the full one (false only if its total overflowed)?
    pub fn exact(&self) -> bool {
        self.total.is_some()
    }

    /// The full instance's total frequency (None if it overflowed).
    pub fn total(&self) -> Option<usize> {
        self.total
    }
}

/// A jieba that segments each of `texts` exactly as the full instance (`Jieba::new()`, then the user
/// dictionary if any) does: it holds the words that are substrings of the texts, with their frequencies, and
/// the full instance's total.
///
/// Panics if `user` is not [`UserWords::exact`].
pub fn small_jieba<'t>(
    texts: impl IntoIterator<Item = &'t str>,
    user: Option<&UserWords>,
) -> Jieba {
    // Each word found, with its frequency in the default dictionary (None: a user word only).
    let mut found: HashMap<&str, Option<usize>> = HashMap::new();
    for text in texts {
        let mut rest = text;
        while !rest.is_empty() {
            for_each_prefix_word(rest, |w, f| {
                found.insert(w, Some(f));
            });
            if let Some(u) = user {
                let ends = rest
                    .char_indices()
                    .skip(1)
                    .map(|(b, _)| b)
                    .chain([rest.len()]);
                for end in ends.take(u.max_chars) {
                    if u.freqs.contains_key(&rest[..end]) {
                        found.entry(&rest[..end]).or_insert(None);
                    }
                }
            }
            let first = rest.chars().next().map_or(1, char::len_utf8);
            rest = &rest[first..];
        }
    }
    let total = match user {
        Some(u) => u
            .total
            .expect("small_jieba needs a user dictionary whose total did not overflow"),
        None => TOTAL,
    };
    let mut words: Vec<(&str, usize)> = found
        .into_iter()
        .map(|(w, default)| {
            // A user word's final frequency replaces the default one.
            let user_freq = user.and_then(|u| u.freqs.get(w).copied());
            (
                w,
                user_freq.or(default).expect("a found word has a frequency"),
            )
        })
        .collect();
    // A fixed order, so that the instance (word ids) is the same from run to run.
    words.sort_unstable();
    let mut jieba = EMPTY.clone();
    let mut sum = 0usize;
    for (w, f) in words {
        jieba.add_word(w, Some(f), None);
        sum += f;
    }
    // The words found are distinct records of the full instance, whose total is the sum of all its records.
    let rest = total
        .checked_sub(sum)
        .expect("the words of a text weigh no more than the whole dictionary");
    jieba.add_word(DUMMY, Some(rest), None);
    jieba
}
